"""Small-sample accuracy floors (full runs: benchmarks/extract_bench.py). Floors sit a little under the figures
measured when they were set, so a regression fails; see the benchmark for the real numbers."""

from pathlib import Path

import pytest

from benchmarks import extract_eval
from pipeline.extract.events import build_nlp, locate_event
from pipeline.settings import Settings

GOLD = Path(__file__).resolve().parent / "data" / "gold_events.jsonl"
needs_eval = pytest.mark.needs_eval


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(Settings())


@needs_eval
def test_extract_accuracy_event_location_sample_floor(nlp):
    result = extract_eval.event_location_accuracy(nlp, 200, locate_event)
    assert result["n"] == 200
    assert result["accuracy_overlap"] >= 0.55, result


def test_extract_accuracy_hand_gold_floor(nlp):
    result = extract_eval.gold_scores(nlp, extract_eval.load_gold(GOLD))
    assert result["sentences"] >= 80
    assert result["event_recall"] >= 0.8, result
    assert result["fields_on_matched_events"]["fatalities"]["precision"] >= 0.9, result
    assert result["fields_on_matched_events"]["event_type"]["precision"] >= 0.75, result


@needs_eval
def test_extract_accuracy_cameo_roles_sample_floor(nlp):
    result = extract_eval.cameo_roles(nlp, None)  # 451 sentences, a few seconds
    assert result["roles_judged"] >= 70  # sample-size guard: general statements no longer give events
    assert result["role_accuracy"] >= 0.85, result


@needs_eval
def test_extract_accuracy_fakes_sample_floor(worker):
    """First 120 FA-KES dev articles with the gazetteer-backed pipeline (measured 0.717 actor class, 0.892 any event
    in the gold governorate, 0.85 cause when set; full set: benchmarks/extract_bench.py --only fakes)."""
    result = extract_eval.fakes_agreement(worker.nlp, worker.geocoder, 120)
    assert result["n"] == 120
    assert result["actor_class_agreement"] >= 0.68, result
    assert result["governorate_any_event"] >= 0.85, result
    assert result["cause_agreement"] >= 0.8, result


def test_extract_accuracy_hand_gold_map_rows_with_gazetteer(worker):
    """The rows the map would show (event + explicit place) from the gazetteer-backed pipeline: precision >= 0.85.
    Four gold events are dated months before their article ("In April 2016, the Syrian Army found a mass grave", in a
    2017 article): since #12 such background gives no dot (the audit rubric: background is not an event), and the
    map rows fell from 17 to 14."""
    result = extract_eval.gold_scores(worker.nlp, extract_eval.load_gold(GOLD))
    assert result["map_rows"] >= 14 and result["map_row_precision"] >= 0.85, result
