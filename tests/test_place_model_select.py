"""The learned place scorer (pipeline/place_model.py): selection rules, determinism, the shipped weights, and that
it beats the rules alone on rows of ../shared/eval/event_location it was never fitted on."""

import json
import random

import pytest

from benchmarks import extract_eval
from pipeline.extract.events import build_nlp, locate_event, locate_in_doc
from pipeline.extract.place_scorer import WEIGHTS_FILE, PlaceModel, load_place_model
from pipeline.resources import RESOURCES_DIR
from pipeline.settings import Settings

needs_eval = pytest.mark.needs_eval
HOLDOUT_EVERY = 5  # as in benchmarks/train_place_model.py and benchmarks/extract_bench.py


@pytest.fixture(scope="module")
def nlp():
    return build_nlp(Settings())


@pytest.mark.parametrize(
    ("probs", "conjoined", "expected"),
    [
        ([], None, []),
        ([0.3, 0.2], None, []),                          # nothing passes the threshold: no place
        ([0.3, 0.6], None, [1]),                         # the best only
        ([0.6, 0.6], None, [0]),                         # ties go to the first named
        ([0.9, 0.85, 0.5], None, [0, 1]),                # others above `also` come too
        ([0.9, 0.1, 0.1], [frozenset({1, 2}), frozenset({0, 2}), frozenset({0, 1})], [0, 1, 2]),  # "A, B and C"
        ([0.1, 0.1, 0.9], [frozenset({1}), frozenset({0}), frozenset()], [2]),  # conjuncts of a loser stay out
    ],
)
def test_place_model_select_choose_table(probs, conjoined, expected):
    model = PlaceModel({}, 0.0, threshold=0.4, also=0.8)
    assert model.choose(probs, conjoined) == expected


def test_place_model_select_probability_ignores_feature_order_and_repeats():
    model = PlaceModel({"a": 0.5, "b": -1.25, "c": 2.0}, -0.1, 0.4, 0.8)
    feats = ["c", "a", "b", "zzz-unknown"]
    p = model.probability(feats)
    for _ in range(20):
        random.shuffle(feats)
        assert model.probability(feats + feats[:2]) == p
    assert model.probability([]) == pytest.approx(1 / (1 + 2.718281828459045 ** 0.1))


def test_place_model_select_shipped_weights_say_how_they_were_made():
    data = json.loads((RESOURCES_DIR / WEIGHTS_FILE).read_text(encoding="utf-8"))
    model = load_place_model()
    assert 0 < model.threshold < model.also < 1
    assert len(model.weights) > 1000
    training = data["training"]
    assert training["tuning_rows"] > 7000 and 0.6 < training["cv_accuracy"] < 1
    assert training["cv_accuracy"] > training["rules_only_tuning_accuracy"]


def test_place_model_select_rules_alone_still_available(nlp):
    sentence = "A Palestinian was shot dead in Hebron on Saturday."
    start = sentence.index("shot")
    for learned in (True, False):
        spans = locate_event(nlp, sentence, start, start + 4, learned)
        assert [sentence[a:b] for a, b in spans] == ["Hebron"]


@needs_eval
def test_place_model_select_beats_rules_on_held_out_rows(nlp):
    """300 rows the scorer was never fitted on (every 5th row): the scorer must be clearly better than the rules
    (full figures: benchmarks/extract_bench.py --only event_location)."""
    rows = [r for i, r in enumerate(extract_eval.event_location_rows(1500)) if i % HOLDOUT_EVERY == 0]
    docs = list(nlp.pipe([r["text"] for r in rows], batch_size=64))
    right = {True: 0, False: 0}
    for r, doc in zip(rows, docs):
        for learned in right:
            pred = sorted(set(locate_in_doc(doc, *r["verb"], learned)))
            right[learned] += extract_eval._overlap_match(pred, r["locations"])
    assert len(rows) == 300
    assert right[True] >= right[False] + 12, right  # at least 4 points better
