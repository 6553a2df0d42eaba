"""The link stage inside real runs of the invented linking fixture (tests/data/linking_fixture): the
in-process, process-pool and Dask engines give the same event groups and reasons, and an incremental
run that adds articles later gives what one run over all of them gives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipeline import store
from pipeline.run import orchestrator as run

CORPUS = Path(__file__).resolve().parent / "data" / "linking_fixture"
STRIKE = ("reuters_saraqib.txt", "sana_saraqib.txt", "aljazeera_saraqib.txt", "rt_saraqib.txt", "anadolu_saraqib.txt")


def linked_rows(out: Path) -> dict[str, tuple[str | None, str | None]]:
    table = store.read_events(out)
    cols = [table.column(c).to_pylist() for c in ("event_id", "event_group", "link_reason")]
    return {e: (g, r) for e, g, r in zip(*cols)}


def outlets_by_group(out: Path) -> dict[str, set[str]]:
    table = store.read_events(out)
    found: dict[str, set[str]] = {}
    for group, outlet in zip(table.column("event_group").to_pylist(), table.column("outlet").to_pylist()):
        if group:
            found.setdefault(group, set()).add(outlet)
    return found


@pytest.fixture(scope="module")
def local_out(tmp_path_factory, settings) -> Path:
    out = tmp_path_factory.mktemp("link-local")
    run.run(run.RunRequest((CORPUS,), out), settings.replace(workers=1, batch_size=2))
    return out


def test_link_engines_local_run_groups_the_invented_strike(local_out):
    groups = outlets_by_group(local_out)
    assert list(groups.values()) == [{"Reuters", "SANA", "Al Jazeera", "RT", "Anadolu Agency"}]
    reasons = [r for g, r in linked_rows(local_out).values() if g]
    assert all("Saraqib" in r and "same day" in r for r in reasons)


def test_link_engines_process_pool_gives_the_local_groups(local_out, settings, tmp_path):
    run.run(run.RunRequest((CORPUS,), tmp_path), settings.replace(workers=2, batch_size=1))
    assert linked_rows(tmp_path) == linked_rows(local_out)


def test_link_engines_dask_gives_the_local_groups(local_out, settings, tmp_path):
    from distributed import Client, LocalCluster

    from pipeline.run import dask_engine as distributed

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as lc, Client(lc) as client:
        s = settings.replace(batch_size=1, scheduler=client.scheduler.address)
        run.run(run.RunRequest((CORPUS,), tmp_path), s, engine=distributed.Dask(client=client))
    assert linked_rows(tmp_path) == linked_rows(local_out)


def test_link_engines_incremental_run_gives_the_one_run_groups(local_out, settings, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "manifest.csv", corpus)
    for name in STRIKE[:2]:
        shutil.copy(CORPUS / name, corpus)
    out = tmp_path / "out"
    run.run(run.RunRequest((corpus,), out), settings.replace(workers=1))
    assert len(outlets_by_group(out)) == 1  # two outlets already make a group
    for path in CORPUS.glob("*.txt"):
        shutil.copy(path, corpus)
    run.run(run.RunRequest((corpus,), out), settings.replace(workers=1))
    assert linked_rows(out) == linked_rows(local_out)
