"""A reconnecting loop's outage is said once, then every REPEAT_SECONDS, then its end
(service/outage_log.py): pure logic, with a clock of our own."""

import logging

import pytest

from service.outage_log import OutageLog


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_outage_is_said_once_then_every_so_often_then_its_end(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    outage = OutageLog(logging.getLogger("test.outage"), "event listener", every=30.0, clock=clock)
    caplog.set_level(logging.INFO, logger="test.outage")
    for _ in range(120):  # a minute of retries every half second
        outage.failed(ConnectionRefusedError("refused"))
        clock.now += 0.5
    outage.recovered()
    outage.recovered()  # nothing more to say
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "event listener: database unavailable (refused); reconnecting",
        "event listener: database still unavailable after 30 s (61 retries; last error: refused)",
        "event listener: reconnected after 60 s (120 retries)",
    ]
    assert all(r.levelno == logging.WARNING and r.exc_info is None for r in caplog.records)


def test_a_second_outage_starts_afresh(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    outage = OutageLog(logging.getLogger("test.outage"), "token revocation listener", clock=clock)
    caplog.set_level(logging.INFO, logger="test.outage")
    outage.failed(OSError("down"))
    clock.now += 5
    outage.recovered()
    clock.now += 100
    outage.failed(OSError("down again"))
    assert [r.getMessage() for r in caplog.records][-1] == (
        "token revocation listener: database unavailable (down again); reconnecting"
    )
