"""`main.py seed-demo`: a realistic demo pool that matching can work with at once."""

import asyncpg
import pytest

from service.config import Settings
from service.demo import seed_demo
from service.state import open_state
from triage.engine import Triage


async def test_seed_demo_creates_vetted_volunteers_across_the_wards(
    settings: Settings, triage_engine: Triage, db: asyncpg.Connection, capsys: pytest.CaptureFixture[str]
) -> None:
    async with open_state(settings, triage_engine) as state:
        await seed_demo(state, 220)
        assert len(state.matcher.pool) == 220
    printed = capsys.readouterr().out
    assert printed.count("oto_") == 1 + 3 + 3  # staff, residents, first volunteers
    row = await db.fetchrow(
        """SELECT count(*) AS n, count(DISTINCT area) AS areas, bool_and(verified) AS vetted,
                  count(DISTINCT skills) AS skills, count(*) FILTER (WHERE skill_vector IS NULL) AS unembedded
           FROM volunteers"""
    )
    assert row["n"] == 220 and row["vetted"] and row["unembedded"] == 0
    assert row["areas"] >= 23 and row["skills"] >= 10
    languages = {code for (langs,) in await db.fetch("SELECT languages FROM volunteers") for code in langs}
    assert {"zh", "vi", "ko", "tl", "ne", "pt", "id", "my", "en", "th", "si", "es"} <= languages
