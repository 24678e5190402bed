"""How a resident or volunteer wants to hear from the service: an email address (optional; a
contact that is an email address is used otherwise), kinds they opted out of, a language."""

from collections.abc import Sequence
from dataclasses import dataclass

from db.queries import q
from db.types import Executor, Pool
from service.auth import Role, Viewer
from service.errors import ErrorReason, forbidden
from service.i18n import LOCALES
from service.notifications.addresses import MAX_EMAIL, is_email
from service.notifications.kinds import PERSONAL_KINDS
from service.validation import Checker


@dataclass(frozen=True)
class Preferences:
    """None: leave as it is (updates) or nothing (registration). email "" clears the address."""

    email: str | None = None
    opt_outs: Sequence[str] | None = None
    locale: str | None = None


@dataclass(frozen=True)
class Checked:
    email: str | None
    clear_email: bool
    opt_outs: list[str] | None
    locale: str | None


@dataclass(frozen=True)
class Settings:
    email: str | None
    opt_outs: tuple[str, ...]
    locale: str | None


def check(checker: Checker, prefs: Preferences) -> Checked:
    """Validate into `checker` (its errors carry the input's field names)."""
    email = None
    clear = False
    if prefs.email is not None:
        cleaned = prefs.email.strip()
        if cleaned == "":
            clear = True
        elif len(cleaned) > MAX_EMAIL or not is_email(cleaned):
            checker.fail("email", ErrorReason.INVALID_EMAIL)
        else:
            email = cleaned
    opt_outs = None
    if prefs.opt_outs is not None:
        opt_outs = list(dict.fromkeys(prefs.opt_outs))
        wrong = [k for k in opt_outs if k not in PERSONAL_KINDS]
        if wrong:
            allowed = ", ".join(sorted(PERSONAL_KINDS))
            checker.fail("notificationOptOuts", ErrorReason.NOT_OPT_OUTABLE, value=wrong[0], allowed=allowed)
    if prefs.locale is not None and prefs.locale not in LOCALES:
        checker.fail(
            "notificationLanguage",
            ErrorReason.UNKNOWN_LOCALE,
            value=prefs.locale[:20],
            allowed=", ".join(LOCALES),
        )
    return Checked(email, clear, opt_outs, prefs.locale)


async def store(db: Executor, role: Role, profile_id: int, checked: Checked) -> None:
    """Write checked preferences of a resident or volunteer (inside the caller's transaction)."""
    query = "update_resident_notifications" if role is Role.RESIDENT else "update_volunteer_notifications"
    await db.execute(
        q(query), profile_id, checked.email, checked.clear_email, checked.opt_outs, checked.locale
    )


async def update(pool: Pool, viewer: Viewer, prefs: Preferences) -> None:
    if viewer.role is Role.RESIDENT and viewer.resident_id is not None:
        profile_id = viewer.resident_id
    elif viewer.role is Role.VOLUNTEER and viewer.volunteer_id is not None:
        profile_id = viewer.volunteer_id
    else:
        raise forbidden(Role.RESIDENT, Role.VOLUNTEER)
    checker = Checker("input")
    checked = check(checker, prefs)
    checker.check()
    await store(pool, viewer.role, profile_id, checked)


async def of_accounts(db: Executor, account_ids: Sequence[int]) -> dict[int, Settings]:
    """The settings of those of these accounts that are residents or volunteers."""
    rows = await db.fetch(q("notification_settings_of_accounts"), list(account_ids))
    return {r["account_id"]: Settings(r["email"], tuple(r["opt_outs"]), r["locale"]) for r in rows}


async def of_account(db: Executor, account_id: int) -> Settings | None:
    row = await db.fetchrow(q("notification_settings_of_account"), account_id)
    if row is None:
        return None
    return Settings(row["email"], tuple(row["opt_outs"]), row["locale"])
