"""Many requests with offers, written through the domain layer and the named queries (faster
than the API, which would triage each one): for tests that need pages of them."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

import asyncpg

from db.queries import q
from service.accounts import ResidentInput, VolunteerInput, register_resident, register_volunteer
from triage.labels import SupportField

if TYPE_CHECKING:
    from triage.engine import Triage

OFFERS_PER_REQUEST = 3


@dataclass(frozen=True)
class Seeded:
    volunteer_tokens: list[str]
    resident_names: set[str]
    resident_tokens: list[str]


async def seed(db_url: str, embedder: "Triage", requests: int) -> Seeded:
    """`requests` requests of as many residents, each offered to the same few volunteers."""
    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=2)
    try:
        volunteers, tokens = [], []
        for i in range(OFFERS_PER_REQUEST):
            token, volunteer_id = await register_volunteer(
                pool,
                embedder,
                VolunteerInput(
                    display_name=f"Volunteer {i}",
                    languages=["en"],
                    skills="city hall paperwork",
                    fields=[SupportField.WELFARE],
                    area="Meguro",
                    availability="weekends",
                    remote_ok=True,
                    max_active_requests=5,
                    contact=f"v{i}@example.org",
                ),
                verified=True,
            )
            volunteers.append(volunteer_id)
            tokens.append(token)
        names, resident_tokens = set(), []
        for i in range(requests):
            name = f"Resident {i}"
            resident_token, resident_id = await register_resident(
                pool, ResidentInput(name, ["en"], "Meguro", f"r{i}@example.org")
            )
            request_id = await pool.fetchval(q("insert_request"), resident_id, f"help {i}", "Meguro", None)
            for volunteer_id in volunteers:
                assert await pool.fetchrow(q("insert_offer"), request_id, volunteer_id, None, 3600.0)
            names.add(name)
            resident_tokens.append(resident_token)
        return Seeded(tokens, names, resident_tokens)
    finally:
        await pool.close()
