"""Notifications: the viewer's settings, staff's outbox and webhooks, one-click answer links."""

from resolvers.common import check_first, encode_cursor, int_cursor
from resolvers.mutations import Outcome, decode_id, guarded, signed_in
from service import rate_limits as rates
from service.context import Context
from service.errors import UserError
from service.notifications import answers, preferences, staff
from service.notifications.answers import AnswerView
from service.notifications.preferences import Preferences, Settings
from service.notifications.staff import NotificationRecord, WebhookEndpointRecord, WebhookInput


async def settings_of(ctx: Context, account_id: int) -> Settings | None:
    """Staff and the person themself; null for anyone else."""
    viewer = ctx.viewer
    if viewer is None or not (viewer.is_staff or viewer.account_id == account_id):
        return None
    return await ctx.loaders.notification_settings.load(account_id)


async def update_settings(ctx: Context, prefs: Preferences) -> Outcome[Settings]:
    async def work() -> Settings:
        viewer = signed_in(ctx)
        await preferences.update(ctx.pool, viewer, prefs)
        found = await preferences.of_account(ctx.pool, viewer.account_id)
        assert found is not None  # noqa: S101 - update() refused anyone without a profile
        return found

    return await guarded(work, ctx, rates.PROFILE)


async def failed(
    ctx: Context, first: int | None, after: str | None
) -> tuple[list[NotificationRecord], bool, str | None, int]:
    size = check_first(first)
    rows, total = await staff.parked(ctx.pool, int_cursor(after), size)
    page = rows[:size]
    return page, len(rows) > size, encode_cursor(page[-1].id) if page else None, total


async def retry(ctx: Context, notification_id: str) -> Outcome[NotificationRecord]:
    async def work() -> NotificationRecord:
        viewer = signed_in(ctx)
        return await staff.retry(ctx.pool, viewer, decode_id(notification_id, "Notification", "id"))

    return await guarded(work, ctx, rates.ACCOUNTS)


async def endpoints(ctx: Context) -> list[WebhookEndpointRecord]:
    return await staff.webhook_endpoints(ctx.pool)


async def register_webhook(ctx: Context, data: WebhookInput) -> Outcome[tuple[WebhookEndpointRecord, str]]:
    async def work() -> tuple[WebhookEndpointRecord, str]:
        viewer = signed_in(ctx)
        allow = ctx.state.settings.webhook_allow_local_http
        return await staff.register_webhook(ctx.pool, viewer, data, allow_local_http=allow)

    return await guarded(work, ctx, rates.ACCOUNTS)


async def delete_webhook(ctx: Context, endpoint_id: str) -> Outcome[WebhookEndpointRecord]:
    async def work() -> WebhookEndpointRecord:
        viewer = signed_in(ctx)
        return await staff.delete_webhook(ctx.pool, viewer, decode_id(endpoint_id, "WebhookEndpoint", "id"))

    return await guarded(work, ctx, rates.ACCOUNTS)


async def answer_link(ctx: Context, token: str) -> Outcome[AnswerView]:
    """Public: the link is the credential (for its one offer)."""
    return await guarded(lambda: answers.view(ctx.pool, token))


async def answer_by_link(
    ctx: Context, token: str, accept: bool
) -> tuple[AnswerView | None, tuple[UserError, ...]]:
    """The answer, or the refusal together with what the link shows now (expired, used, ...)."""
    outcome = await guarded(lambda: answers.answer(ctx.state, token, accept))
    if outcome.value is not None:
        return outcome.value, ()
    current = await guarded(lambda: answers.view(ctx.pool, token))
    return current.value, outcome.errors
