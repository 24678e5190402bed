"""The delivery worker alone (what `main.py worker` runs for notifications), for `bench notify`:
no model to load. Settings from the environment, as every process reads them."""

import asyncio
import contextlib

import asyncpg

from service.config import Settings
from service.notifications.delivery import NotificationDelivery


async def _main() -> None:
    settings = Settings.from_env()
    assert settings.database_url is not None  # noqa: S101 - the bench sets it
    pool = await asyncpg.create_pool(
        settings.database_url, min_size=2, max_size=settings.notify_concurrency + 2
    )
    try:
        await NotificationDelivery(pool, settings).run()
    finally:
        await pool.close()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_main())
