"""Tokens, deactivation, erasure and the audit log: GraphQL arguments in, domain calls out."""

from graphql import GraphQLError

from resolvers.common import Page, Paging, encode_cursor, int_cursor, refusal
from resolvers.mutations import Outcome, decode_id, guarded, signed_in
from service import auth, deactivation, erasure
from service import rate_limits as rates
from service.audit import AuditEntry, AuditFilter, audit_entries, count_audit_entries
from service.auth import Role
from service.context import Context
from service.errors import ErrorReason, forbidden, not_found
from service.ids import from_global_id


async def rotate_token(ctx: Context) -> Outcome[auth.IssuedToken]:
    async def work() -> auth.IssuedToken:
        viewer = signed_in(ctx)
        lifetime = ctx.state.settings.token_lifetime(viewer.role.value)
        return await auth.rotate_token(ctx.pool, viewer, lifetime)

    return await guarded(work, ctx, rates.PROFILE)


async def revoke_token(ctx: Context) -> Outcome[bool]:
    # No rate limit: a token is revoked once, and new ones come only from limited mutations.
    async def work() -> bool:
        await auth.revoke_token(ctx.pool, signed_in(ctx))
        return True

    return await guarded(work, ctx)


async def _account_id(ctx: Context, global_id: str, *path: str) -> int:
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] not in deactivation.ACCOUNT_TYPES:
        raise not_found("Account", *path)
    account_id = await deactivation.account_of(ctx.pool, *decoded)
    if account_id is None:
        raise not_found("Account", *path)
    return account_id


async def deactivate_account(ctx: Context, account: str) -> Outcome[deactivation.Deactivation]:
    async def work() -> deactivation.Deactivation:
        viewer = signed_in(ctx)
        account_id = await _account_id(ctx, account, "id")
        return await deactivation.deactivate_account(ctx.state, viewer, account_id)

    return await guarded(work, ctx, rates.ACCOUNTS)


async def erase_resident(ctx: Context, resident: str) -> Outcome[erasure.Erasure]:
    async def work() -> erasure.Erasure:
        viewer = signed_in(ctx)
        pk = decode_id(resident, "Resident", "id")
        return await erasure.erase_resident(ctx.pool, pk, actor=viewer.account_id, by=erasure.ErasedBy.STAFF)

    return await guarded(work, ctx, rates.ACCOUNTS)


async def erase_me(ctx: Context) -> Outcome[erasure.Erasure]:
    async def work() -> erasure.Erasure:
        viewer = signed_in(ctx)
        if viewer.resident_id is None:  # the field allows residents only; kept for the type
            raise forbidden(Role.RESIDENT)
        return await erasure.erase_resident(
            ctx.pool, viewer.resident_id, actor=viewer.account_id, by=erasure.ErasedBy.RESIDENT
        )

    return await guarded(work, ctx, rates.PROFILE)


def _invalid_id(name: str) -> GraphQLError:
    return refusal(f"{name} must be a global ID", ErrorReason.INVALID_ID)


async def audit_log(ctx: Context, paging: Paging, actor: str | None, subject: str | None) -> Page[AuditEntry]:
    window = paging.window(int_cursor)
    where = AuditFilter()
    if actor is not None:
        decoded = from_global_id(actor)
        if decoded is None:
            raise _invalid_id("actor")
        account_id = await deactivation.account_of(ctx.pool, *decoded)
        if account_id is None:  # nobody: nothing they did
            return Page.empty()
        where = AuditFilter(actor_account_id=account_id)
    if subject is not None:
        decoded = from_global_id(subject)
        if decoded is None:
            raise _invalid_id("subject")
        where = AuditFilter(actor_account_id=where.actor_account_id, subject=decoded)
    rows = await audit_entries(ctx.pool, where, window)
    total = await count_audit_entries(ctx.pool, where)
    return Page.scanned(window, [(encode_cursor(e.id), e) for e in rows], total)
