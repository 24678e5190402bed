"""Background loops are supervised (small fakes, no database): a loop that fails on an error it
did not expect is logged with its traceback, counted and started again after a back-off, so one
unforeseen error cannot end a process's triage, offers or mail without a word; cancelling the
supervisor (the process stopping) still ends it."""

import asyncio
import logging

import pytest

from service import metrics, worker


def restarts(name: str) -> float:
    value = metrics.REGISTRY.get_sample_value("otonari_worker_restarts_total", {"worker": name})
    return value or 0.0


async def test_a_failed_loop_is_logged_counted_and_started_again(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(worker, "RESTART_FIRST_SECONDS", 0.01)
    calls = 0
    running = asyncio.Event()

    async def loop() -> None:
        nonlocal calls
        calls += 1
        if calls <= 2:
            raise RuntimeError(f"unforeseen failure {calls}")
        running.set()
        await asyncio.Event().wait()  # works until cancelled, as the real loops do

    before = restarts("fake-loop")
    with caplog.at_level(logging.ERROR, logger="service.worker"):
        supervisor = asyncio.create_task(worker.supervised("fake-loop", loop))
        await asyncio.wait_for(running.wait(), timeout=5)
    assert calls == 3
    assert restarts("fake-loop") - before == 2
    failures = [r for r in caplog.records if "fake-loop failed" in r.getMessage()]
    assert len(failures) == 2 and all(r.exc_info is not None for r in failures)
    supervisor.cancel()
    with pytest.raises(asyncio.CancelledError):
        await supervisor


async def test_the_back_off_doubles_up_to_its_maximum(monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    real_sleep = asyncio.sleep

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 8:
            raise asyncio.CancelledError
        await real_sleep(0)

    async def failing() -> None:
        raise ValueError("always")

    monkeypatch.setattr(worker.asyncio, "sleep", sleep)
    monkeypatch.setattr(worker, "RESTART_FIRST_SECONDS", 1.0)
    monkeypatch.setattr(worker, "RESTART_MAX_SECONDS", 8.0)
    with pytest.raises(asyncio.CancelledError):
        await worker.supervised("always-failing", failing)
    assert slept == [1.0, 2.0, 4.0, 8.0, 8.0, 8.0, 8.0, 8.0]


async def test_a_loop_asked_to_stop_is_not_started_again(monkeypatch: pytest.MonkeyPatch) -> None:
    # Its cancellation reached it as another error (a ROLLBACK the database cut): that is a stop.
    monkeypatch.setattr(worker, "RESTART_FIRST_SECONDS", 0.01)
    calls = 0

    async def loop() -> None:
        nonlocal calls
        calls += 1
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            raise OSError("connection lost") from None

    before = restarts("stopping-loop")
    supervisor = asyncio.create_task(worker.supervised("stopping-loop", loop))
    await asyncio.sleep(0.01)
    supervisor.cancel()
    done, _ = await asyncio.wait({supervisor}, timeout=5)
    assert done and calls == 1 and restarts("stopping-loop") == before
    with pytest.raises(OSError):
        supervisor.result()
