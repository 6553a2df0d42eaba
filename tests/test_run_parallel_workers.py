"""`pipeline run --workers N`: a process pool gives exactly the single-process output, whatever the batching."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline import cli
from pipeline.run import orchestrator as run
from pipeline.settings import Settings
from tests.conftest import seed_files


def cli_run(inputs: list[Path], out: Path, *flags: str) -> int:
    return cli.main(["run", *map(str, inputs), "--out", str(out), "--no-progress", *flags])


@pytest.fixture(scope="module")
def single(tmp_path_factory, settings) -> Path:
    out = tmp_path_factory.mktemp("single")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLAIMS_ATLAS_CACHE_DIR", str(settings.cache_dir))
        assert cli_run(seed_files(), out, "--workers", "1") == run.EXIT_OK
    return out


@pytest.mark.parametrize("batch_size", ["1", "2"])
def test_run_parallel_two_workers_write_the_single_process_files(batch_size, single, settings, tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMS_ATLAS_CACHE_DIR", str(settings.cache_dir))
    out = tmp_path / "out"
    assert cli_run(seed_files(), out, "--workers", "2", "--batch-size", batch_size) == run.EXIT_OK
    files = sorted(str(p.relative_to(single)) for p in single.rglob("*.parquet") if p.is_file())
    assert files and files == sorted(str(p.relative_to(out)) for p in out.rglob("*.parquet") if p.is_file())
    for name in files:  # the same files: same partitions, same names, same rows in the same order
        got, want = pq.read_table(out / name), pq.read_table(single / name)
        assert got.num_rows > 0 and got.equals(want), name
        assert got.schema.metadata == want.schema.metadata, name


@pytest.mark.parametrize("flags", [("--workers", "0"), ("--batch-size", "0")])
def test_run_parallel_rejects_nonsense_counts(flags, tmp_path):
    assert cli_run(seed_files(), tmp_path / "out", *flags) == cli.EXIT_USAGE


@pytest.mark.parametrize("cores, workers", [(3, 3), (1, 1), (None, 1)])
def test_run_parallel_defaults_to_the_machine_cores(monkeypatch, cores, workers):
    """The default follows the machine (cpu_count None: one worker); the environment overrides it."""
    import os

    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    assert Settings().workers == workers
    assert Settings.from_env({"CLAIMS_ATLAS_WORKERS": "5"}).workers == 5
