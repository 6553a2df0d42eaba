"""Accuracy and speed of event extraction (prints JSON).

    .venv/bin/python benchmarks/extract_bench.py                 # all sections, full sets
    .venv/bin/python benchmarks/extract_bench.py --limit 300     # quick
    .venv/bin/python benchmarks/extract_bench.py --only event_location fakes

Sections:
  event_location  ../shared/eval/event_location: for each gold VERB, is the chosen set of LOCATION spans right
                  ("no location" included). strict = exact character offsets; overlap = every gold span overlaps a
                  predicted one and vice versa. Reported for all rows, the tuning slice and the held-out slice
                  (every 5th row, never inspected while tuning pipeline/places.py, never used to fit the scorer
                  of pipeline/place_model.py: benchmarks/train_place_model.py), for the pipeline's learned
                  choice and, under "rules_only", for the rules alone.
  fakes           ../shared/eval/fakes_syria/fakes_dev.csv (cp1252): per article, does some event fall in the gold
                  governorate (geocoded with pipeline.geocode.resolver), agree with the gold actor class and with
                  cause_of_death (mappings: pipeline/extract_eval.py).
  cameo           ../shared/eval/cameo_actors_conflibert/cameo_ner/test.txt: of the events whose actor/target
                  overlaps a gold S/T span, the share given the right role.
  gold            tests/data/gold_events.jsonl: per-field precision/recall, and precision of the map rows.
  speed           extract_many vs plain nlp.pipe over the same documents (FA-KES articles + seeds): ratio of
                  throughputs (> 1 means extraction is faster than just running the model).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import extract_eval  # noqa: E402
from pipeline.extract.events import extract_many, locate_in_doc  # noqa: E402
from pipeline.extract.nlp import build_nlp  # noqa: E402
from pipeline.settings import Settings  # noqa: E402

SECTIONS = ("event_location", "fakes", "cameo", "gold", "speed")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--limit", type=int, default=None, help="items per section (default: all)")
    ap.add_argument("--only", nargs="*", choices=SECTIONS, default=list(SECTIONS))
    ap.add_argument("--no-geocoder", action="store_true", help="build nlp without gazetteer place patterns")
    args = ap.parse_args(argv)
    settings = Settings()
    geocoder = None if args.no_geocoder else extract_eval.load_geocoder(settings)
    t0 = time.perf_counter()
    nlp = build_nlp(settings, geocoder)
    out: dict[str, object] = {"build_nlp_seconds": round(time.perf_counter() - t0, 2), "geocoder": geocoder is not None}
    for name in args.only:
        t = time.perf_counter()
        result = RUNNERS[name](nlp, geocoder, args.limit)
        result["seconds"] = round(time.perf_counter() - t, 1)
        out[name] = result
        print(json.dumps({name: result}), file=sys.stderr)
    print(json.dumps(out, indent=2))
    return 0


HOLDOUT_EVERY = 5  # rows i % 5 == 0: never looked at while tuning place attachment, never used to fit the scorer


def run_event_location(nlp, geocoder, limit):
    """Accuracy on all rows, and separately on the tuning slice and the held-out slice (every 5th row), for the
    learned scorer (the pipeline's choice) and for the rules alone."""
    rows = extract_eval.event_location_rows(limit)
    tally = {mode: {"all": [0] * 5, "tuning": [0] * 5, "holdout": [0] * 5} for mode in ("learned", "rules_only")}
    docs = nlp.pipe([r["text"] for r in rows], batch_size=64)
    for i, (r, doc) in enumerate(zip(rows, docs)):
        for mode, learned in (("learned", True), ("rules_only", False)):
            pred = sorted(set(locate_in_doc(doc, *r["verb"], learned)))
            ok = extract_eval._overlap_match(pred, r["locations"])
            for key in ("all", "holdout" if i % HOLDOUT_EVERY == 0 else "tuning"):
                t = tally[mode][key]  # n, right, with-location gold, with-location right, strict
                t[0] += 1
                t[1] += ok
                t[2] += bool(r["locations"])
                t[3] += ok and bool(r["locations"])
                t[4] += pred == r["locations"]
    out = {key: _location_summary(*t) for key, t in tally["learned"].items()}
    out["rules_only"] = {key: _location_summary(*t) for key, t in tally["rules_only"].items()}
    return out


def _location_summary(n, right, with_gold, with_right, strict):
    none_gold = n - with_gold
    return {"n": n, "accuracy_overlap": round(right / max(1, n), 4), "accuracy_strict": round(strict / max(1, n), 4),
            "no_location_right": round((right - with_right) / max(1, none_gold), 4),
            "with_location_right": round(with_right / max(1, with_gold), 4)}


def run_fakes(nlp, geocoder, limit):
    return extract_eval.fakes_agreement(nlp, geocoder, limit)


def run_cameo(nlp, geocoder, limit):
    return extract_eval.cameo_roles(nlp, limit)


def run_gold(nlp, geocoder, limit):
    return extract_eval.gold_scores(nlp, extract_eval.load_gold(ROOT / "tests" / "data" / "gold_events.jsonl"), geocoder)


def run_speed(nlp, geocoder, limit):
    articles = extract_eval.fakes_articles(limit or 200) + extract_eval.seed_articles()
    texts = [a.text for a in articles]
    for _ in nlp.pipe(texts[:5]):
        pass  # warm up
    t = time.perf_counter()
    for _ in nlp.pipe(texts, batch_size=32):
        pass
    plain = time.perf_counter() - t
    t = time.perf_counter()
    n_events = sum(len(ex.events) for _, ex in extract_many(nlp, articles, batch_size=32))
    ours = time.perf_counter() - t
    chars = sum(len(x) for x in texts)
    return {"articles": len(articles), "chars": chars, "events": n_events,
            "plain_nlp_pipe_chars_per_s": round(chars / plain), "extract_many_chars_per_s": round(chars / ours),
            "ratio_extract_over_plain": round(plain / ours, 3)}


RUNNERS = {"event_location": run_event_location, "fakes": run_fakes, "cameo": run_cameo, "gold": run_gold,
           "speed": run_speed}

if __name__ == "__main__":
    raise SystemExit(main())
