"""The audit trail: who did what, written in the transaction of the action itself.

Every staff action (a review with the AI's and the staff's labels, vetting, hand-picked offers,
deactivation, erasure), staff tokens issued from the command line, and every read of a contact by
anyone but its owner go to `audit_log`, which the database keeps append-only (migration 0007).
An entry holds ids, labels and counts only, never what a person wrote, their name or their
contact: `record` refuses any other value, so erasing a person never has to touch the log.
Contacts are read only through `read_contacts`, which logs and reads in one statement.
"""

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from db.queries import q
from db.types import Connection, Executor
from service.auth import Viewer
from service.ids import to_global_id
from service.paging import Window
from service.records import Row


class AuditAction(StrEnum):
    REVIEW = "REVIEW"
    VETTING = "VETTING"
    OFFERS_SENT = "OFFERS_SENT"
    ACCOUNT_DEACTIVATED = "ACCOUNT_DEACTIVATED"
    RESIDENT_ERASED = "RESIDENT_ERASED"
    REQUEST_ERASED = "REQUEST_ERASED"
    CONTACT_READ = "CONTACT_READ"
    STAFF_CREATED = "STAFF_CREATED"
    STAFF_TOKEN_ISSUED = "STAFF_TOKEN_ISSUED"  # noqa: S105 - an action's name, not a secret
    NOTIFICATION_RETRIED = "NOTIFICATION_RETRIED"
    WEBHOOK_REGISTERED = "WEBHOOK_REGISTERED"
    WEBHOOK_DELETED = "WEBHOOK_DELETED"


class ContactOf(StrEnum):
    """Whose contact is read: the global ID type of its owner."""

    RESIDENT = "Resident"
    VOLUNTEER = "Volunteer"


# What a detail may be: a label (SupportField, Urgency, a status, a role), a global ID, a field
# name. Letters, digits and a few marks, short: a sentence someone wrote does not fit.
_LABEL = re.compile(r"^[A-Za-z0-9_.:=+/-]{1,64}$")
DetailValue = str | int | bool | None | Sequence[str | int]


def _checked(name: str, value: DetailValue) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        if not _LABEL.match(value):
            raise ValueError(f"audit detail {name!r} is not a label or an id")
        return value
    return [_checked(name, v) for v in value]


async def record(
    conn: Connection,
    action: AuditAction,
    *,
    actor: int | None,
    subject: tuple[str, int],
    details: Mapping[str, DetailValue] | None = None,
) -> None:
    """Write one entry; call inside the transaction of the action. `actor`: an account id, None
    for the service itself or the command line; `subject`: (global ID type, primary key)."""
    checked = {name: _checked(name, value) for name, value in (details or {}).items()}
    await conn.execute(q("insert_audit"), actor, action.value, subject[0], subject[1], json.dumps(checked))


async def read_contacts(db: Executor, viewer: Viewer, of: ContactOf, ids: Sequence[int]) -> dict[int, str]:
    """Contacts by owner id, each read by anyone but its owner logged by the same statement.
    Whether the viewer may read them is the caller's rule (resolvers), decided before."""
    query = "read_resident_contacts" if of is ContactOf.RESIDENT else "read_volunteer_contacts"
    rows = await db.fetch(q(query), list(ids), viewer.account_id, viewer.role.value)
    return {row["id"]: row["contact"] for row in rows}


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor_account_id: int | None
    actor_role: str | None
    action: AuditAction
    subject_type: str
    subject_id: int
    details: Mapping[str, Any]
    # The actor as the API names it (audit_page): a Resident, Volunteer or StaffMember global ID.
    actor_global_id: str | None = None

    @property
    def subject_global_id(self) -> str:
        return to_global_id(self.subject_type, self.subject_id)

    @classmethod
    def from_row(cls, row: Row) -> "AuditEntry":
        details = row["details"]
        return cls(
            id=row["id"],
            at=row["at"],
            actor_account_id=row["actor_account_id"],
            actor_role=row["actor_role"],
            action=AuditAction(row["action"]),
            subject_type=row["subject_type"],
            subject_id=row["subject_id"],
            details=json.loads(details) if isinstance(details, str) else details,
            actor_global_id=to_global_id(row["actor_type"], row["actor_pk"]) if row["actor_type"] else None,
        )


@dataclass(frozen=True)
class AuditFilter:
    actor_account_id: int | None = None
    subject: tuple[str, int] | None = None


async def audit_entries(db: Executor, where: AuditFilter, window: Window[int]) -> list[AuditEntry]:
    """Newest first: up to a page and one more between the window's ids, in its scan order."""
    subject_type, subject_id = where.subject or (None, None)
    rows = await db.fetch(
        q("audit_page"),
        where.actor_account_id,
        subject_type,
        subject_id,
        window.after,
        window.size + 1,
        window.before,
        window.backward,
    )
    return [AuditEntry.from_row(r) for r in rows]


async def count_audit_entries(db: Executor, where: AuditFilter) -> int:
    subject_type, subject_id = where.subject or (None, None)
    count: int = await db.fetchval(q("count_audit"), where.actor_account_id, subject_type, subject_id)
    return count
