"""Ten million claims on the dashboard: a partitioned synthetic dataset, served by the real Streamlit server.

    python benchmarks/scale_bench.py --events 10000000 --json
    python benchmarks/scale_bench.py --events 1000000 --json      # quick form

1. Builds ``--events`` synthetic claims (benchmarks/synth.py, in chunks of 1M so memory stays bounded) as a
   run would leave them: one committed batch of parts per chunk in the pipeline's own layout
   (``events.parquet/year=Y/outlet_key=K/``, ``articles.parquet/``), then ``pipeline.run.compact`` merges
   each (year, outlet) partition into one file. Cached in ~/.cache/claims-atlas/synth/partitioned_N.
2. Serves it with `streamlit run app.py` (EVENTS_PATH / ARTICLES_PATH = the two dataset folders) and drives
   one websocket session through load_bench's sequence (open, filter, pan, click, reader).

Prints: ``events``, ``files``, ``dataset_mb``, ``build_s``, ``compact_s`` and load_bench's figures for the
session: per-step server time (``median_ms_per_step``, i.e. the rerun time), bytes sent per step
(``median_kb_per_step``, the map payload included) and the server's peak RSS (``server_rss_mb``).
Targets (issue 15): <= 1 s per rerun, <= 2 MB map payload, <= 800 MB RSS.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pyarrow as pa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from load_bench import SYNTH_CACHE, run_bench  # noqa: E402

CHUNK = 1_000_000
TARGETS = {"rerun_ms": 1000, "map_payload_kb": 2000, "server_rss_mb": 800}


def chunk_tables(i: int, n: int) -> tuple[pa.Table, pa.Table]:
    """Chunk i of synthetic claims with ids made unique across chunks (the first hex digits carry i)."""
    import synth

    from pipeline import schema, store

    added = schema.ADDED_IN_0_2
    saved = synth.EVENT_COLUMNS, store.EVENT_BASE_SCHEMA
    synth.EVENT_COLUMNS = tuple(c for c in schema.EVENT_COLUMNS if c not in added)
    store.EVENT_BASE_SCHEMA = pa.schema([f for f in saved[1] if f.name not in added])
    try:
        table = synth.events_table(n, seed=100 + i)
    finally:
        synth.EVENT_COLUMNS, store.EVENT_BASE_SCHEMA = saved
    prefix = f"{i:03x}"
    for name in ("event_id", "doc_id"):
        values = [prefix + v[3:] for v in table.column(name).to_pylist()]
        table = table.set_column(table.schema.get_field_index(name), name, pa.array(values, pa.string()))
    return synth.articles_table(table), store.add_geometry(table)


def build(n: int) -> tuple[Path, dict]:
    from pipeline import store
    from pipeline.run import compact

    out = SYNTH_CACHE / f"partitioned_{n}"
    storage = store.Storage(out)
    stats: dict = {}
    if not (out / "run_report.json").exists():
        started = time.perf_counter()
        for i in range(0, n, CHUNK):
            articles, events = chunk_tables(i // CHUNK, min(CHUNK, n - i))
            store.write_batch(storage, f"synth{i // CHUNK:04d}", articles, events)
        stats["build_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        compact.compact(storage)
        stats["compact_s"] = round(time.perf_counter() - started, 1)
        storage.write_text(store.REPORT, json.dumps({"synthetic_events": n}))
    files = [p for p in out.rglob("*.parquet") if p.is_file()]
    stats.update(files=len(files), dataset_mb=round(sum(p.stat().st_size for p in files) / 1e6, 1))
    return out, stats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--sessions", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from pipeline import store

    out, stats = build(args.events)
    result = run_bench(args.events, args.sessions, 300.0, [], data=(out / store.EVENTS, out / store.ARTICLES))
    result = {**stats, **result, "targets": TARGETS}
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
