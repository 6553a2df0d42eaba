"""Dashboard speed and size at scale: server time per rerun, map payload bytes, process RSS.

    python benchmarks/dashboard_bench.py --events 1000000 --json

Runs the real app.py under Streamlit's AppTest against synthetic GeoParquet (benchmarks/synth.py,
generated once into the cache dir) and reports, for the first render, a filter change and a map
pan/zoom, the wall time of the script run, the bytes of the map component's arguments (what the
browser receives for the map: script, header, html and the event layer) and the peak RSS of this
process. The baseline is plain folium with a MarkerCluster of every point, each with a popup
(run in a subprocess, capped at --baseline-max points because it grows linearly).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import synth  # noqa: E402


def synth_write(n: int, cache: Path) -> tuple[Path, Path]:
    """synth.write, also when synth.py predates the contract's 0.2 columns (ADDED_IN_0_2): then the older
    columns are generated and the new ones added with their defaults (null offsets, one mention)."""
    try:
        return synth.write(n, cache)
    except KeyError:
        pass
    import pyarrow as pa

    from pipeline import schema, store

    added = getattr(schema, "ADDED_IN_0_2", {})
    full = store.EVENT_BASE_SCHEMA
    saved = synth.EVENT_COLUMNS, store.EVENT_BASE_SCHEMA
    synth.EVENT_COLUMNS = tuple(c for c in schema.EVENT_COLUMNS if c not in added)
    store.EVENT_BASE_SCHEMA = pa.schema([f for f in full if f.name not in added])
    try:
        table = synth.events_table(n)
    finally:
        synth.EVENT_COLUMNS, store.EVENT_BASE_SCHEMA = saved
    for name, default in added.items():
        field = full.field(name)
        table = table.append_column(field, pa.array([default] * n, type=field.type))
    table = table.select(list(schema.EVENT_COLUMNS))
    out = Path(cache) / f"synth_{n}_7"
    events_path, articles_path = out / "events.parquet", out / "articles.parquet"
    store.write_articles_table(synth.articles_table(table), articles_path)
    store.write_events_table(store.add_geometry(table), events_path)
    return events_path, articles_path


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _components(at) -> int:
    total = 0
    stack = [at._tree]
    while stack:
        node = stack.pop()
        proto = getattr(node, "proto", None)
        if proto is not None and proto.__class__.__name__ == "ComponentInstance":
            total += len(proto.json_args.encode())
        children = getattr(node, "children", {})
        stack.extend(children.values() if isinstance(children, dict) else children)
    return total


def _timed_run(at, phase: str, n: int) -> dict:
    start = time.perf_counter()
    at.run()
    seconds = time.perf_counter() - start
    if at.exception:
        raise RuntimeError(f"{phase}: app raised {at.exception[0].message}")
    return {"events": n, "server_seconds": round(seconds, 3), "html_bytes": _components(at), "rss_mb": rss_mb()}


def bench_app(events_path: Path, articles_path: Path, n: int) -> dict:
    os.environ["EVENTS_PATH"], os.environ["ARTICLES_PATH"] = str(events_path), str(articles_path)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    out = {"first_render": _timed_run(at, "first_render", n)}  # includes importing streamlit/folium/duckdb
    out["rerun_unchanged"] = _timed_run(at, "rerun_unchanged", n)
    at.sidebar.multiselect[0].set_value(["RT"])
    out["filter_change"] = _timed_run(at, "filter_change", n)
    bounds = {"_southWest": {"lat": 35.5, "lng": 36.0}, "_northEast": {"lat": 37.0, "lng": 38.5}}
    at.session_state["ca_map"] = {"bounds": bounds, "zoom": 9, "center": {"lat": 36.2, "lng": 37.2}}
    out["map_pan_zoom"] = _timed_run(at, "map_pan_zoom", n)
    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    out["new_visitor_warm_server"] = _timed_run(fresh, "new_visitor_warm_server", n)
    return out


def bench_baseline(events_path: Path, limit: int) -> dict:
    import duckdb
    import folium
    from folium.plugins import MarkerCluster

    rows = duckdb.sql(
        f"SELECT lat, lon, sentence, outlet FROM read_parquet('{events_path}') LIMIT {int(limit)}"
    ).fetchall()
    start = time.perf_counter()
    m = folium.Map(location=[35, 38], zoom_start=5)
    cluster = MarkerCluster().add_to(m)
    for lat, lon, sentence, outlet in rows:
        folium.Marker([lat, lon], popup=folium.Popup(f"{outlet}: {sentence}"), tooltip=outlet).add_to(cluster)
    html = m.get_root().render()
    seconds = time.perf_counter() - start
    return {"events": len(rows), "server_seconds": round(seconds, 3), "html_bytes": len(html.encode()), "rss_mb": rss_mb()}


def _child(args: argparse.Namespace, phase: str) -> dict:
    """Run one phase in a fresh process so its peak RSS is its own (ru_maxrss survives fork)."""
    cmd = [sys.executable, __file__, "--events", str(args.events), "--cache", str(args.cache),
           "--baseline-max", str(args.baseline_max), "--phase", phase]
    return json.loads(subprocess.check_output(cmd).decode().strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Dashboard benchmark at scale")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "claims-atlas" / "synth")
    parser.add_argument("--baseline-max", type=int, default=10_000, help="cap for the plain-folium baseline")
    parser.add_argument("--phase", choices=["data", "app", "baseline"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        events_path, articles_path = synth_write(args.events, args.cache)
        if args.phase == "app":
            print(json.dumps(bench_app(events_path, articles_path, args.events)))
        elif args.phase == "baseline":
            print(json.dumps(bench_baseline(events_path, min(args.events, args.baseline_max))))
        else:
            print(json.dumps({"events_path": str(events_path)}))
        return 0
    _child(args, "data")
    result = {"events": args.events, **_child(args, "app")}
    result["baseline_folium_markercluster"] = _child(args, "baseline")
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
