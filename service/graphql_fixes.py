"""Workaround for a memory leak in graphql-core 3.3 subscriptions; remove once fixed upstream.

graphql-core builds the executor of each subscription event as a shallow copy of the
subscription's executor, so every event shares one memo of collected sub-fields, keyed by the
identity of lists made afresh for each event (and kept alive by the memo). It grows with every
event for as long as the subscription lives: on B of `python -m bench live` it held 2 million
objects after 100,000 messages, and full garbage collections walking them stopped the process
for up to 2 s at a time. Here each event's executor gets memos of its own (they only ever
serve the one execution, which is what they are for).
"""

from typing import Any

from graphql.execution.executor import Executor
from graphql.pyutils import RefMap

_MARK = "_otonari_fresh_memos"


def apply() -> None:
    """Patch graphql-core's Executor once per process (idempotent)."""
    original = Executor.build_per_event_executor
    if getattr(original, _MARK, False):
        return

    def build_per_event_executor(self: Executor[Any], payload: Any) -> Executor[Any]:
        executor = original(self, payload)
        executor._relevant_sub_fields = {}
        executor._stream_usages = RefMap()
        return executor

    setattr(build_per_event_executor, _MARK, True)
    setattr(Executor, "build_per_event_executor", build_per_event_executor)  # noqa: B010 - mypy: no method assignment
