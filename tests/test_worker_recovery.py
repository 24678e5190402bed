"""kill -9 of a worker mid-job loses nothing: the job runs again and the request is triaged once."""

import os
from dataclasses import replace
from pathlib import Path

import asyncpg

from service.accounts import ResidentInput, register_resident
from service.auth import viewer_for_token
from service.config import Settings
from service.requests import SubmitInput, submit_request
from tests.conftest import REPO, serve
from tests.support import eventually, kill_worker_when, triage_job_held
from triage.engine import Triage


async def test_kill_9_mid_triage_then_recover(
    db_url: str, db: asyncpg.Connection, settings: Settings, triage_engine: Triage, data_dir: Path
) -> None:
    pool = await asyncpg.create_pool(db_url, min_size=1, max_size=2)
    try:
        token, _ = await register_resident(pool, ResidentInput("Lan", ["vi"], "Adachi", "lan@example.org"))
        viewer = await viewer_for_token(pool, token)
        assert viewer is not None
        request_id = await submit_request(
            pool,
            viewer,
            SubmitInput("Tôi bị mất thẻ bảo hiểm, làm lại ở đâu?", None, None),
            rate_per_minute=10,
        )
    finally:
        await pool.close()

    env = {
        **os.environ,
        "DATABASE_URL": db_url,
        "OTONARI_DATA_DIR": str(data_dir),
        "OTONARI_TRIAGE_HOLD_SECONDS": "600",
        "HF_HUB_OFFLINE": "1",
    }
    await kill_worker_when(lambda: triage_job_held(db), REPO, env, timeout=120, interval=0.2)
    # The killed worker's transaction died with it: nothing half-written.
    assert await db.fetchval("SELECT status FROM requests WHERE id = $1", request_id) == "RECEIVED"
    assert await db.fetchval("SELECT count(*) FROM triage_results") == 0

    async with serve(replace(settings, triage_hold_seconds=0.0), triage_engine):
        await eventually(
            lambda: db.fetchval("SELECT status = 'IN_REVIEW' FROM requests WHERE id = $1", request_id),
            timeout=60,
        )
    assert await db.fetchval("SELECT count(*) FROM triage_results") == 1
    assert await db.fetchval("SELECT count(*) FROM events WHERE kind = 'TRIAGED'") == 1
    assert await db.fetchval("SELECT done_at IS NOT NULL FROM triage_jobs WHERE request_id = $1", request_id)
