"""The security suites' servers accept any query cost: their leak scans select every field four
levels deep (far above any client's budget) so that a new field cannot escape them. The cost
limit itself is tested in tests/test_query_cost.py."""

from dataclasses import replace

import pytest

from service.config import Settings

UNLIMITED_COST = 10**9


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return replace(settings, max_query_cost=UNLIMITED_COST)
