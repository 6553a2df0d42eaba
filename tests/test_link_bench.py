"""benchmarks/link_bench.py: threshold overrides for re-linking a finished run, and the secondary "judged" gold
(FA-KES pairs plus the article clusters read as one real event), on hand-made inputs."""

from __future__ import annotations

import pytest

from benchmarks import link_bench
from pipeline.link.rules import LinkRules


@pytest.mark.parametrize(("items", "expected"), [
    (["min_evidence=2"], LinkRules(min_evidence=2)),
    (["town_km=10", "day_window=1"], LinkRules(town_km=10.0, day_window=1)),
    (["datelines=false", "min_link_share=0"], LinkRules(datelines=False, min_link_share=0.0)),
])
def test_link_bench_rule_overrides(items, expected):
    assert link_bench.parse_rules(items) == expected


@pytest.mark.parametrize("item", ["min_evidence", "no_such_rule=1", "compatible_types=x", "town_km=far"])
def test_link_bench_rule_overrides_reject_what_is_not_a_threshold(item):
    with pytest.raises(ValueError):
        link_bench.parse_rules([item])


def test_link_bench_judged_pairs_are_zero_based_rows_within_the_run(monkeypatch):
    monkeypatch.setattr(link_bench, "JUDGED_SAME_EVENT", ((1, 66, 67), (4, 327)))
    # row 67 (index 66) was rejected by the run: only the articles it kept pair up
    assert link_bench.judged_pairs({0, 65, 3, 326, 10}) == {(0, 65), (3, 326)}
    assert link_bench.judged_pairs({0}) == set()


def test_link_bench_speed_links_synthetic_claims_folded_into_a_few_years():
    spread, folded = link_bench.speed(2_000, 0), link_bench.speed(2_000, 1)
    assert spread["claims"] == folded["claims"] == 2_000 and folded["years"] == 1
    assert folded["claims_in_groups"] > spread["claims_in_groups"]  # the same claims on fewer days meet more often
    assert folded["groups"] <= folded["claims_in_groups"] // 2
