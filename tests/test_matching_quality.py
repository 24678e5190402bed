"""Matching quality with the real embedding model on the labelled cases (slower: loads e5).

Same check as `python -m bench match`: for >= 90% of the labelled requests, the top 3 must
hold a volunteer that staff would be glad to offer the request to.
"""

import pytest

from bench.match import QUALITY_TARGET, load_cases, quality_check
from matching.embedding import Encoder


@pytest.fixture(scope="module")
def match_encoder(embedder: Encoder) -> Encoder:
    """The real model, loaded once per session (tests/conftest.py), as the service loads it."""
    return embedder


def test_labelled_cases_are_well_formed() -> None:
    data = load_cases()
    vol_ids = [v["id"] for v in data["volunteers"]]
    assert len(vol_ids) == len(set(vol_ids)) and 60 <= len(vol_ids) <= 120
    assert len(data["requests"]) >= 40
    decides = {r["decides"] for r in data["requests"]}
    assert {"language", "area", "skill"} <= decides
    for r in data["requests"]:
        assert r["acceptable"] and set(r["acceptable"]) <= set(vol_ids), r["id"]
    assert len({r["language"] for r in data["requests"]}) >= 10  # multilingual


def test_top3_holds_an_acceptable_volunteer_for_90_percent(match_encoder: Encoder) -> None:
    report = quality_check(load_cases(), match_encoder, top=3)
    missed = [case.request_id for case, _ in report.misses]
    assert report.share >= QUALITY_TARGET, f"{report.hits}/{report.total}, missed {missed}"
    # and each criterion carries its own weight, not just the overall share
    for crit in ("language", "area", "skill"):
        hits, total = report.by_criterion[crit]
        assert hits / total >= 0.8, (crit, hits, total)
