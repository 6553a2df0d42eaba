"""Fit the place scorer (pipeline/place_model.py) and write pipeline/resources/place_attach.json.

    .venv/bin/python benchmarks/train_place_model.py            # fit, report, write the weights
    .venv/bin/python benchmarks/train_place_model.py --dry-run  # fit and report only

Data: ../shared/eval/event_location (one annotated event verb per sentence, with the gold LOCATION spans or none).
Only the tuning slice is used to fit and to choose settings: rows i % 5 != 0. Every 5th row is the held-out slice
that benchmarks/extract_bench.py reports; it is never read here. A candidate place is a positive when it overlaps a
gold LOCATION span. The model is an L2-regularised logistic regression (scipy L-BFGS); the regularisation C and the
selection thresholds are chosen by 4-fold cross-validation on the tuning slice, then the model is refitted on the
whole tuning slice. Features seen fewer than MIN_COUNT times are dropped; weights are rounded to 4 decimals.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import extract_eval  # noqa: E402
from pipeline.extract.events import location_anchors  # noqa: E402
from pipeline.extract.nlp import build_nlp  # noqa: E402
from pipeline.extract.place_scorer import WEIGHTS_FILE, PlaceModel  # noqa: E402
from pipeline.extract.place_attach import candidate_features, conjoined, rule_view  # noqa: E402
from pipeline.resources import RESOURCES_DIR  # noqa: E402
from pipeline.settings import Settings  # noqa: E402

HOLDOUT_EVERY = 5
MIN_COUNT = 2
GRID_C = (0.3, 1.0)
GRID_THRESHOLD = (0.35, 0.4, 0.45, 0.5)
GRID_ALSO = (0.5, 0.6, 0.7, 0.8)


def examples(nlp, rows: list[dict]) -> list[dict]:
    """Per row: candidate character spans, their feature lists, their labels and the gold spans."""
    out = []
    for r, doc in zip(rows, nlp.pipe([r["text"] for r in rows], batch_size=64)):
        span = doc.char_span(*r["verb"], alignment_mode="expand")
        ex = {"spans": [], "feats": [], "labels": [], "conjoined": [], "gold": r["locations"]}
        if span is not None and len(span):
            anchors = location_anchors(span.root)
            view = rule_view(anchors)
            ex["spans"] = [(c.start_char, c.end_char) for c in view.candidates]
            ex["feats"] = candidate_features(anchors, view)
            ex["conjoined"] = conjoined(view)
            ex["labels"] = [any(a < g1 and g0 < b for g0, g1 in r["locations"]) for a, b in ex["spans"]]
        out.append(ex)
    return out


def fit(train: list[dict], c: float) -> tuple[dict[str, float], float]:
    counts = Counter(f for ex in train for fs in ex["feats"] for f in set(fs))
    vocab = {f: j for j, f in enumerate(sorted(f for f, n in counts.items() if n >= MIN_COUNT))}
    rows, cols, y = [], [], []
    for ex in train:
        for fs, label in zip(ex["feats"], ex["labels"]):
            cols_here = sorted({vocab[f] for f in fs if f in vocab})
            rows.extend([len(y)] * len(cols_here))
            cols.extend(cols_here)
            y.append(float(label))
    x = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(y), len(vocab) + 1)).tolil()
    x[:, len(vocab)] = 1.0  # bias column, not regularised
    x = x.tocsr()
    y = np.array(y)
    penalty = np.ones(len(vocab) + 1) / c
    penalty[-1] = 0.0

    def loss(w):
        z = x @ w
        p = 1.0 / (1.0 + np.exp(-z))
        return np.sum(np.logaddexp(0, z) - y * z) + 0.5 * np.dot(penalty * w, w), x.T @ (p - y) + penalty * w

    w = minimize(loss, np.zeros(len(vocab) + 1), jac=True, method="L-BFGS-B", options={"maxiter": 1000}).x
    names = sorted(vocab, key=vocab.get)
    return {f: round(float(w[vocab[f]]), 4) for f in names if abs(w[vocab[f]]) >= 1e-4}, round(float(w[-1]), 4)


def accuracy(exs: list[dict], model: PlaceModel) -> float:
    right = 0
    for ex in exs:
        chosen = [ex["spans"][j] for j in model.choose([model.probability(f) for f in ex["feats"]], ex["conjoined"])]
        right += extract_eval._overlap_match(sorted(chosen), ex["gold"])
    return right / max(1, len(exs))


def cross_validate(tuning: list[dict], folds: int = 4) -> dict:
    scores: dict[tuple, list[float]] = {}
    for c in GRID_C:
        for k in range(folds):
            train = [ex for j, ex in enumerate(tuning) if j % folds != k]
            test = [ex for j, ex in enumerate(tuning) if j % folds == k]
            weights, bias = fit(train, c)
            for th, also in itertools.product(GRID_THRESHOLD, GRID_ALSO):
                scores.setdefault((c, th, also), []).append(accuracy(test, PlaceModel(weights, bias, th, also)))
    best = max(scores, key=lambda key: (np.mean(scores[key]), key))
    return {"C": best[0], "threshold": best[1], "also": best[2], "cv_accuracy": round(float(np.mean(scores[best])), 4),
            "cv_folds": folds}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dry-run", action="store_true", help="do not write the weights file")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    settings = Settings()
    nlp = build_nlp(settings, extract_eval.load_geocoder(settings))
    rows = [r for i, r in enumerate(extract_eval.event_location_rows()) if i % HOLDOUT_EVERY != 0]
    tuning = examples(nlp, rows)
    chosen = cross_validate(tuning)
    weights, bias = fit(tuning, chosen["C"])
    rule_acc = sum(extract_eval._overlap_match(sorted(ex["spans"][j] for j, f in enumerate(ex["feats"])
                                                       if "rule=True" in f), ex["gold"]) for ex in tuning) / len(tuning)
    report = {**chosen, "tuning_rows": len(tuning), "features": len(weights), "rules_only_tuning_accuracy":
              round(rule_acc, 4), "seconds": round(time.perf_counter() - t0, 1)}
    print(json.dumps(report, indent=2))
    if not args.dry_run:
        data = {"about": __doc__.strip().splitlines()[0], "training": report, "bias": bias,
                "threshold": chosen["threshold"], "also": chosen["also"], "weights": weights}
        (RESOURCES_DIR / WEIGHTS_FILE).write_text(json.dumps(data, indent=0, sort_keys=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
