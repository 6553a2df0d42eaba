"""Streaming ingest: throughput and peak memory over a generated CSV of news articles, and proof that a
run's memory does not depend on the size of its input.

    python benchmarks/ingest_bench.py --gb 2 --json          # the issue's figures (~1M articles, ~2 GB)
    python benchmarks/ingest_bench.py --gb 0.1 --limit 200 --json   # quick form

* ``articles``, ``articles_per_s``: `python -m pipeline run BIG --ingest-only` (read, decode, clean,
  deduplicate every row; nothing written) over the whole generated file.
* ``peak_rss_mb``: the peak resident set of that ingest process (``wait4`` rusage: the largest of the
  process and anything it started).
* ``full_run_rss_ratio``: peak RSS of `pipeline run BIG --limit N --workers 1` (the first N articles
  through the whole pipeline, N = 2,000 by default) over the same run from a 20 MB file of the same rows.

The CSV is generated in a temporary folder from the seed articles' sentences (each article a distinct
mix, with a distinct date line and outlet), and deleted afterwards; nothing is written to the checkout.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTLETS = ("Reuters", "SANA", "RT", "Al Jazeera", "TASS", "Anadolu", "AFP")
TARGETS = {"peak_rss_mb": 1024.0, "full_run_rss_ratio": 1.10}


def seed_sentences() -> list[str]:
    text = " ".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "data").glob("0*.txt")))
    return [s.strip() + "." for s in text.replace("\n", " ").split(". ") if 40 < len(s.strip()) < 400]


def write_csv(path: Path, target_bytes: int, seed: int = 7) -> int:
    """A CSV of distinct ~2 KB articles (text, source, date, title) up to target_bytes; returns its rows."""
    rng = random.Random(seed)
    sentences = seed_sentences()
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "source", "date", "title"])
        while fh.tell() < target_bytes:
            for _ in range(1000):
                rows += 1
                body = " ".join(rng.sample(sentences, 12))
                day = f"2017-{1 + rows % 12:02d}-{1 + rows % 28:02d}"
                writer.writerow([f"Dispatch {rows}. {body}", OUTLETS[rows % len(OUTLETS)], day, f"Report {rows}"])
    return rows


def measure(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """(seconds, peak RSS MB of the process tree, stderr) of `python -m pipeline ARGS`."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 3):
        raise SystemExit(f"`pipeline {' '.join(args)}` failed ({proc.returncode}):\n{err[-2000:]}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024, err


def articles_read(stderr: str) -> int:
    line = next(line for line in stderr.splitlines() if "distinct articles read" in line)
    return int(line.split()[0])


def run_bench(gb: float, limit: int, small_mb: float, keep_runs: bool) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    env = {**os.environ, "CLAIMS_ATLAS_PROGRESS": "false", "OMP_NUM_THREADS": "1"}
    try:
        big, small = tmp / "big.csv", tmp / "small.csv"
        rows = write_csv(big, int(gb * 1e9))
        write_csv(small, int(small_mb * 1e6))
        seconds, ingest_rss, err = measure(["run", str(big), "--out", str(tmp / "unused"), "--ingest-only"], env)
        articles = articles_read(err)
        runs = {}
        for name, path in (("big", big), ("small", small)):
            args = ["run", str(path), "--out", str(tmp / f"out-{name}"), "--limit", str(limit), "--workers", "1"]
            runs[name] = measure(args, env)
        return {
            "file_mb": round(big.stat().st_size / 1e6, 1),
            "rows": rows,
            "articles": articles,
            "ingest_seconds": round(seconds, 1),
            "articles_per_s": round(articles / seconds, 1),
            "mb_per_s": round(big.stat().st_size / 1e6 / seconds, 1),
            "peak_rss_mb": round(ingest_rss, 1),
            "full_run_articles": limit,
            "full_run_small_file_mb": round(small.stat().st_size / 1e6, 1),
            "full_run_peak_rss_mb_big": round(runs["big"][1], 1),
            "full_run_peak_rss_mb_small": round(runs["small"][1], 1),
            "full_run_rss_ratio": round(runs["big"][1] / runs["small"][1], 3),
            "full_run_seconds_big": round(runs["big"][0], 1),
            "targets": TARGETS,
        }
    finally:
        if not keep_runs:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gb", type=float, default=2.0, help="size of the generated CSV in GB")
    parser.add_argument("--limit", type=int, default=2000, help="articles in the full-run comparison")
    parser.add_argument("--small-mb", type=float, default=20.0, help="size of the small file of the comparison")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (for inspection)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    result = run_bench(args.gb, args.limit, args.small_mb, args.keep)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:28} {value}")


if __name__ == "__main__":
    main()
