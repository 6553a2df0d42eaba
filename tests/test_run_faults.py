"""Faults with the real model: a pool worker killed mid-batch, an unreadable part in the output folder, the
disk full while writing (a real 100 KB tmpfs, and a real file-size limit). Each ends with a clear message,
and the next run leaves exactly the claims an undisturbed run gives: none lost, none twice."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline import store
from pipeline.errors import OutputError, PipelineError
from pipeline.run import orchestrator as run
from pipeline.run.engines import ProcessPool
from tests.conftest import ROOT, seed_files


def do_run(out, settings, **kw):
    return run.run(run.RunRequest(tuple(seed_files()), out), settings, **kw)


@pytest.fixture(scope="module")
def reference(tmp_path_factory, settings):
    out = tmp_path_factory.mktemp("reference")
    do_run(out, settings)
    events = store.read_events(out)
    assert events.num_rows > 5
    return events


def assert_same_claims(out: Path, reference) -> None:
    events = store.read_events(out)
    ids = events.column("event_id").to_pylist()
    assert len(ids) == len(set(ids)), "a claim is there twice"
    assert sorted(events.to_pylist(), key=lambda r: r["event_id"]) == sorted(reference.to_pylist(), key=lambda r: r["event_id"])
    assert store.read_articles(out).num_rows == len(seed_files())


def pool_workers() -> list[int]:
    import psutil

    return [p.pid for p in psutil.Process().children(recursive=True) if "spawn_main" in " ".join(p.cmdline())]


def test_run_faults_pool_worker_killed_mid_batch(tmp_path, settings, reference):
    out = tmp_path / "out"
    killed: list[int] = []

    def kill_a_worker(summary) -> None:
        if not killed:
            victim = pool_workers()[0]
            os.kill(victim, signal.SIGKILL)
            killed.append(victim)

    with pytest.raises(PipelineError, match=r"a worker process died .* finished batches are saved: run the same command again"):
        do_run(out, settings.replace(batch_size=1, workers=2), engine=ProcessPool(2), on_part=kill_a_worker)
    assert killed and 0 < len(store.committed_keys(store.Storage(out))) < len(seed_files())
    again = do_run(out, settings.replace(batch_size=1))
    assert again.articles_skipped_existing > 0 and again.articles_new + again.articles_skipped_existing == len(seed_files())
    assert_same_claims(out, reference)


def truncate(path: Path) -> None:
    with path.open("r+b") as fh:
        fh.truncate(path.stat().st_size // 2)


def test_run_faults_unreadable_part_is_set_aside_and_its_batch_redone(tmp_path, settings, reference):
    out = tmp_path / "out"
    do_run(out, settings.replace(batch_size=2, compact=False))
    victim = next(p for p in sorted((out / store.EVENTS).rglob("part-*.parquet")))
    truncate(victim)
    report = do_run(out, settings.replace(batch_size=2))
    assert any(w.where == str(victim) and "moved to .corrupt/" in w.reason for w in report.warnings)
    assert report.articles_new > 0 and (out / store.CORRUPT / victim.relative_to(out)).is_file()
    assert_same_claims(out, reference)


def test_run_faults_unreadable_compacted_file_says_how_to_rebuild(tmp_path, settings, reference):
    out = tmp_path / "out"
    do_run(out, settings)
    victim = next(p for p in sorted((out / store.EVENTS).rglob("compact-*.parquet")))
    truncate(victim)
    with pytest.raises(OutputError, match=r"holds the claims of many batches: .* delete the folders .*events.parquet and .*articles.parquet") as err:
        do_run(out, settings)
    assert str(victim) in str(err.value)
    shutil.rmtree(out / store.EVENTS)  # what the message says to do
    shutil.rmtree(out / store.ARTICLES)
    do_run(out, settings)
    assert_same_claims(out, reference)


CLI_UNDER_FSIZE = textwrap.dedent("""
    import resource, signal, sys
    from pipeline.cli import main
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead of killing
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
    sys.exit(main(sys.argv[2:]))
""")


def cli(args: list[str], settings, prefix: list[str] | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "CLAIMS_ATLAS_CACHE_DIR": str(settings.cache_dir), "CLAIMS_ATLAS_PROGRESS": "false"}
    argv = prefix or [sys.executable, "-m", "pipeline"]
    return subprocess.run([*argv, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)


def run_args(out: Path) -> list[str]:
    return ["run", *map(str, seed_files()), "--out", str(out), "--workers", "1", "--batch-size", "1"]


def test_run_faults_file_size_limit_while_writing(tmp_path, settings, reference):
    """A real limit on the size of any file the process writes (RLIMIT_FSIZE): the articles part of the
    first batch is too big to write."""
    out = tmp_path / "out"
    failed = cli(run_args(out), settings, [sys.executable, "-c", CLI_UNDER_FSIZE, "8000"])
    assert failed.returncode == run.EXIT_FAILED, failed.stderr
    assert "cannot write" in failed.stderr and "File too large" in failed.stderr and "run the same command again" in failed.stderr
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    assert cli(run_args(out), settings).returncode == run.EXIT_OK
    assert_same_claims(out, reference)


@pytest.fixture()
def small_disk(tmp_path):
    """A real 100 KB tmpfs (needs root, as CI and the dev machines run); grown by remounting."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=100k", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (not root); test_run_faults_file_size_limit_while_writing covers the write failure")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_run_faults_disk_full_while_writing(small_disk, settings, reference):
    out = small_disk / "out"
    failed = cli(run_args(out), settings)
    assert failed.returncode == run.EXIT_FAILED, failed.stderr
    assert "cannot write" in failed.stderr and "No space left on device" in failed.stderr
    assert 0 < len(store.committed_keys(store.Storage(out))) < len(seed_files()), "the disk must fill mid-run"
    assert not [p for p in out.rglob("*") if p.name.endswith(".tmp")]
    subprocess.run(["mount", "-o", "remount,size=20m", str(small_disk)], check=True)
    assert cli(run_args(out), settings).returncode == run.EXIT_OK
    assert_same_claims(out, reference)
