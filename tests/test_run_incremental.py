"""End to end with the real model and gazetteer: demo events, idempotent and incremental runs,
kill-and-rerun, exit codes and the run report."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline import store
from pipeline.run import orchestrator as run
from pipeline.geocode.translit import fold
from tests.conftest import FAKES_CSV, ROOT, seed_files


def do_run(inputs, out: Path, settings, **kw):
    return run.run(run.RunRequest(tuple(Path(p) for p in inputs), out, **kw), settings)


def tables(out: Path):
    """(articles, events) of an output folder, in id order (the files are per partition and per run)."""
    return store.read_articles(out).sort_by("doc_id"), store.read_events(out).sort_by("event_id")


def dataset_files(out: Path) -> dict[str, tuple[int, bytes]]:
    return {str(p.relative_to(out)): (p.stat().st_mtime_ns, p.read_bytes()) for p in sorted(out.rglob("*.parquet")) if p.is_file()}


def fakes_subset(tmp_path: Path, rows: slice, name: str) -> Path:
    """A UTF-8 CSV with some FA-KES rows (header kept)."""
    text = FAKES_CSV.read_bytes().decode("cp1252", errors="replace")
    reader = list(csv.reader(io.StringIO(text)))
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([reader[0], *reader[1:][rows]])
    return path


@pytest.fixture(scope="module")
def seeds_out(tmp_path_factory, settings):
    out = tmp_path_factory.mktemp("seeds")
    report = do_run(seed_files(), out, settings)
    return out, report


def test_run_seeds_demo_places_and_sentences(seeds_out):
    out, report = seeds_out
    articles, events = tables(out)
    assert articles.num_rows == 5 and not report.rejects
    texts = dict(zip(articles.column("doc_id").to_pylist(), articles.column("text").to_pylist()))
    rows = events.to_pylist()
    for e in rows:
        assert texts[e["doc_id"]][e["char_start"] : e["char_end"]] == e["sentence"]
    names = {fold(e["place_name"]) for e in rows}
    for wanted in (["Aleppo"], ["Raqqa", "Ar Raqqah"], ["Palmyra", "Tadmur"], ["As Sukhnah", "Al Sukhnah", "Sukhnah"],
                   ["Deir ez-Zor", "Dayr az Zawr"], ["Damascus", "Saydnaya", "Sednaya"]):
        assert any(any(fold(w) in n for w in wanted) for n in names), (wanted, sorted(names))


def test_run_rerun_adds_and_rewrites_nothing(seeds_out, settings):
    out, _ = seeds_out
    before = dataset_files(out)
    report = do_run(seed_files(), out, settings)
    assert (report.articles_new, report.events_new, report.articles_skipped_existing) == (0, 0, 5)
    assert dataset_files(out) == before and before


def test_run_incremental_equals_full(tmp_path, seeds_out, settings):
    full_out, _ = seeds_out
    part = tmp_path / "part"
    do_run(seed_files()[:2], part, settings)
    a1, e1 = tables(part)
    assert a1.num_rows == 2
    report = do_run(seed_files(), part, settings)
    assert report.articles_new == 3 and report.articles_skipped_existing == 2
    a2, e2 = tables(part)
    af, ef = tables(full_out)
    assert a2.equals(af) and e2.equals(ef)


def _cli(args, env_extra=None, **kw):
    env = {**os.environ, "CLAIMS_ATLAS_PROGRESS": "false", **(env_extra or {})}
    return subprocess.Popen([sys.executable, "-m", "pipeline", *args], cwd=ROOT, env=env, **kw)


def test_run_killed_midway_then_rerun_equals_uninterrupted(tmp_path, settings, eval_dir):
    corpus = fakes_subset(tmp_path, slice(0, 24), "corpus.csv")
    env = {"CLAIMS_ATLAS_CACHE_DIR": str(settings.cache_dir), "CLAIMS_ATLAS_CHECKPOINT_SECONDS": "0"}
    clean_out, killed_out = tmp_path / "clean", tmp_path / "killed"
    args = ["run", str(corpus), "--workers", "1", "--batch-size", "2"]
    assert _cli([*args, "--out", str(clean_out)], env).wait(timeout=900) == 0
    proc = _cli([*args, "--out", str(killed_out)], env)
    deadline = time.monotonic() + 600
    # kill as soon as the first batch is committed (1 of 12): an event to wait for, not a delay to guess
    while time.monotonic() < deadline and proc.poll() is None and not list((killed_out / "articles.parquet").glob("*.parquet")):
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = store.read_articles(killed_out).num_rows
    assert done < 24, "the run finished before it could be killed: make the corpus larger"
    assert _cli([*args, "--out", str(killed_out)], env).wait(timeout=900) == 0
    a1, e1 = tables(clean_out)
    a2, e2 = tables(killed_out)
    assert a1.equals(a2) and e1.equals(e2)
    assert not [p for p in killed_out.rglob("*") if p.name.endswith(".tmp")]


def test_run_cli_exit_codes_and_report(tmp_path, settings):
    corpus = tmp_path / "in"
    corpus.mkdir()
    shutil.copy(seed_files()[0], corpus / "good.txt")
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "bad.csv").write_text("headline\nx\n")
    env = {"CLAIMS_ATLAS_CACHE_DIR": str(settings.cache_dir)}
    proc = _cli(["run", str(corpus), "--out", str(tmp_path / "out"), "--workers", "1"], env, stderr=subprocess.PIPE, text=True)
    _, err = proc.communicate(timeout=900)
    assert proc.returncode == 3, err
    assert "2 inputs rejected" in err and "empty file" in err and "no article text column" in err
    report = json.loads((tmp_path / "out" / "run_report.json").read_text())
    assert {Path(r["where"]).name for r in report["rejects"]} == {"empty.txt", "bad.csv"}
    assert report["articles_total"] == 1 and report["events_total"] > 0
    again = _cli(["run", str(corpus), "--out", str(tmp_path / "out"), "--workers", "1"], env, stderr=subprocess.PIPE, text=True)
    _, err = again.communicate(timeout=900)
    assert again.returncode == 3 and "0 new articles (1 already done)" in err and "2 inputs rejected" in err
    usage = _cli(["run", "--out"], env, stderr=subprocess.PIPE, text=True)
    assert usage.wait(timeout=60) == 2
    missing_model = _cli(["run", str(corpus), "--out", str(tmp_path / "o2"), "--model", "no_such_model", "--workers", "1"], env,
                         stderr=subprocess.PIPE, text=True)
    _, err = missing_model.communicate(timeout=300)
    assert missing_model.returncode == 1 and "no_such_model" in err and "pip install" in err
