"""The Dask engine on a real LocalCluster (2 worker processes) with the real model and gazetteer:
same events as the single-process and multi-process engines, a worker killed mid-run costs only time,
re-runs are incremental, and the parts read as one table in geopandas, DuckDB and pipeline.store."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import signal
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline import cli, store
from pipeline.run import dask_engine as distributed
from pipeline.run import orchestrator as run
from pipeline.run.worker import PartSummary
from pipeline.errors import PipelineError
from tests.conftest import FAKES_CSV, seed_files

FAKES_ROWS = 4


def corpus_dir(root: Path) -> Path:
    """The 5 seed articles and the first FA-KES dev rows (as UTF-8 CSV) in one input folder."""
    folder = root / "corpus"
    folder.mkdir()
    for path in seed_files():
        (folder / path.name).write_bytes(path.read_bytes())
    if FAKES_CSV.is_file():
        rows = list(csv.reader(io.StringIO(FAKES_CSV.read_bytes().decode("cp1252", errors="replace"))))
        with (folder / "fakes.csv").open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows[: FAKES_ROWS + 1])
    return folder


def events_by_id(table) -> dict[str, dict]:
    rows = table.to_pylist()
    return {r["event_id"]: r for r in rows}


def read_events(out: Path):
    return store.read_events(out)


def read_articles(out: Path):
    return store.read_articles(out)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return corpus_dir(tmp_path_factory.mktemp("dist-corpus"))


@pytest.fixture(scope="module")
def reference(tmp_path_factory, corpus, settings):
    """The single-process run every other engine must match."""
    out = tmp_path_factory.mktemp("ref")
    report = run.run(run.RunRequest((corpus,), out), settings.replace(workers=1))
    events = read_events(out)
    assert report.articles_new == 5 + (FAKES_ROWS if FAKES_CSV.is_file() else 0)
    assert events.num_rows > 10, "the corpus must yield events for the comparison to mean anything"
    return events


@pytest.fixture(scope="module")
def cluster(settings, reference):
    """One LocalCluster of 2 single-threaded worker processes for the module (gazetteer index already built)."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as lc, Client(lc) as client:
        yield client


def dask_run(client, corpus: Path, out: Path, settings, on_part=None, batch_size: int = 2, **changes):
    s = settings.replace(batch_size=batch_size, scheduler=client.scheduler.address, **changes)
    return run.run(run.RunRequest((corpus,), out), s, engine=distributed.Dask(client=client), on_part=on_part)


def assert_same_events(table, reference) -> None:
    ids = table.column("event_id").to_pylist()
    assert len(ids) == len(set(ids)), "duplicate event ids"
    got, want = events_by_id(table), events_by_id(reference)
    assert got.keys() == want.keys()
    for event_id, row in want.items():
        assert got[event_id] == row, event_id


@pytest.fixture(scope="module")
def dask_out(cluster, corpus, settings, tmp_path_factory, reference) -> Path:
    """A Dask run through the CLI (`--scheduler`), shared by the read-only tests below."""
    out = tmp_path_factory.mktemp("dask") / "out"
    argv = ["run", str(corpus), "--out", str(out), "--scheduler", cluster.scheduler.address, "--no-progress", "--batch-size", "4"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLAIMS_ATLAS_CACHE_DIR", str(settings.cache_dir))
        assert cli.main(argv) == run.EXIT_OK
    return out


def test_distributed_dask_and_two_workers_give_the_single_process_events(dask_out, corpus, reference, settings, tmp_path):
    assert_same_events(read_events(dask_out), reference)
    assert json.loads((dask_out / "run_report.json").read_text())["events_total"] == reference.num_rows
    out = tmp_path / "out"
    report = run.run(run.RunRequest((corpus,), out), settings.replace(workers=2, batch_size=3))
    assert report.events_new == reference.num_rows
    assert_same_events(read_events(out), reference)


def test_distributed_worker_killed_mid_run_loses_nothing_and_duplicates_nothing(cluster, corpus, reference, settings, tmp_path):
    out = tmp_path / "out"
    pids_before = set(cluster.run(os.getpid).values())
    killed: list[int] = []
    lost_keys: list[str] = []  # batches in flight on the victim when it died
    done_by: dict[str, int] = {}
    seen_keys: list[str] = []

    def kill_a_busy_worker(summary: PartSummary) -> None:
        seen_keys.append(summary.key)
        done_by[summary.key] = summary.worker_pid
        if killed:
            return
        pids = cluster.run(os.getpid)
        busy = {w: keys for w, keys in cluster.processing().items() if keys and w in pids}
        assert busy, "nothing in flight to lose"
        address = sorted(busy)[0]
        os.kill(pids[address], signal.SIGKILL)
        killed.append(pids[address])
        lost_keys.extend(distributed.batch_key_of_task(k) for k in busy[address])

    report = dask_run(cluster, corpus, out, settings, on_part=kill_a_busy_worker, batch_size=1, compact=False)
    assert killed, "no worker was killed: the run finished before the first batch was reported"
    _wait_for_workers(cluster, 2)
    assert killed[0] in pids_before and killed[0] not in set(cluster.run(os.getpid).values())
    assert any(done_by[k] != killed[0] for k in lost_keys), "the victim's batches must be redone elsewhere"
    assert len(seen_keys) == len(set(seen_keys)) == report.articles_new  # each batch reported exactly once
    assert_same_events(read_events(out), reference)
    assert read_articles(out).num_rows == report.articles_total == report.articles_new
    storage = store.Storage(out)
    assert store.committed_keys(storage) == set(seen_keys)
    assert {store.file_kind(f)[1] for f in store.event_files(storage)} <= set(seen_keys)
    assert not list(out.rglob(".*.tmp")), "temporary files of interrupted writes must be gone or never land"
    assert cli.main(["compact", str(out)]) == 0
    assert_same_events(read_events(out), reference)
    assert not [f for f in store.event_files(storage) + store.article_files(storage) if store.file_kind(f)[0] == "part"]


def test_distributed_scheduler_stopped_mid_run_says_so_and_the_rerun_finishes_without_duplicates(
        corpus, reference, settings, tmp_path):
    """The scheduler goes away after the first committed batch (its cluster is shut down, as a restart does): the
    run ends with a PipelineError naming the scheduler and what to do; the same run against a restarted scheduler
    finishes the rest, and the output equals the single-process run, with no claim lost or duplicated."""
    from distributed import Client, LocalCluster

    out = tmp_path / "out"
    first_keys: list[str] = []
    lc = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(lc)
    try:
        def stop_the_scheduler(summary: PartSummary) -> None:
            first_keys.append(summary.key)
            if len(first_keys) == 1:
                lc.close()

        with pytest.raises(PipelineError, match="lost the Dask scheduler.*run the same command again"):
            dask_run(client, corpus, out, settings, on_part=stop_the_scheduler, batch_size=1, compact=False)
    finally:
        client.close()
        lc.close()
    assert first_keys, "no batch was committed before the scheduler went away"
    kept = store.committed_keys(store.Storage(out))
    assert set(first_keys[:1]) <= kept, "a batch committed before the scheduler went away must be kept"

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as lc2, \
            Client(lc2) as client2:
        report = dask_run(client2, corpus, out, settings, batch_size=1, compact=False)
    assert report.articles_new == report.articles_total - len(kept)  # only what was not done yet (1 article a batch)
    assert_same_events(read_events(out), reference)
    assert read_articles(out).num_rows == report.articles_total
    assert not list(out.rglob(".*.tmp"))


def _wait_for_workers(client, n: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while len(client.scheduler_info()["workers"]) < n and time.monotonic() < deadline:
        time.sleep(0.5)


def test_distributed_rerun_is_incremental(dask_out, cluster, corpus, settings, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(dask_out, out)
    stamps = {p: p.stat().st_mtime_ns for p in out.rglob("*.parquet") if p.is_file()}
    articles_before = read_articles(out).num_rows
    again = dask_run(cluster, corpus, out, settings, batch_size=4)
    assert (again.articles_new, again.events_new, again.articles_skipped_existing) == (0, 0, articles_before)
    assert stamps and {p: p.stat().st_mtime_ns for p in out.rglob("*.parquet") if p.is_file()} == stamps
    extra = tmp_path / "extra"
    extra.mkdir()
    seed = seed_files()[0]
    (extra / "new.txt").write_text(seed.read_text(encoding="utf-8") + "\nA later paragraph was added to this copy.\n", encoding="utf-8")
    added = run.run(run.RunRequest((corpus, extra), out), settings.replace(batch_size=4), engine=distributed.Dask(client=cluster))
    assert added.articles_new == 1 and added.articles_skipped_existing == articles_before
    assert json.loads((out / "run_report.json").read_text())["articles_total"] == articles_before + 1
    events = read_events(out)
    ids = events.column("event_id").to_pylist()
    assert len(ids) == len(set(ids)) == again.events_total + added.events_new


def test_distributed_parts_read_as_one_geoparquet_table(dask_out, reference):
    import duckdb
    import geopandas

    parts = sorted(p for p in (dask_out / "events.parquet").rglob("*.parquet") if p.is_file())
    assert len(parts) > 1 and all("/year=" in str(p) and "/outlet_key=" in str(p) for p in parts)
    for part in parts:
        geo = json.loads(pq.read_schema(part).metadata[b"geo"])
        assert geo["version"] == "1.1.0" and geo["primary_column"] == "geometry"
        assert geo["columns"]["geometry"]["covering"]["bbox"]["xmin"] == ["bbox", "xmin"]
    frame = geopandas.read_parquet(dask_out / "events.parquet")
    assert len(frame) == reference.num_rows and frame.crs.to_epsg() == 4326
    assert (frame.geometry.x.round(9) == frame["lon"].round(9)).all()
    sql = f"SELECT count(*), count(DISTINCT event_id) FROM read_parquet('{dask_out}/events.parquet/**/*.parquet', hive_partitioning = true)"
    count, distinct = duckdb.sql(sql).fetchall()[0]
    assert count == distinct == reference.num_rows


def test_distributed_removes_orphan_parts_of_a_killed_run(tmp_path):
    storage = store.Storage(tmp_path)
    orphan = f"{store.EVENTS}/year=2017/outlet_key=rt/part-abc.parquet"
    committed_e, committed_a = f"{store.EVENTS}/year=2017/outlet_key=rt/part-def.parquet", f"{store.ARTICLES}/part-def.parquet"
    compacted = f"{store.EVENTS}/year=2017/outlet_key=rt/compact-0123.parquet"
    tmp_file = f"{store.ARTICLES}/.part-ghi.parquet.x1.tmp"
    for rel in (orphan, committed_e, committed_a, compacted, tmp_file):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"x")
    removed = store.remove_orphans(storage)
    assert sorted(removed) == sorted([orphan, tmp_file])
    assert all((tmp_path / rel).exists() for rel in (committed_e, committed_a, compacted))
    assert not (tmp_path / orphan).exists() and not (tmp_path / tmp_file).exists()


def test_distributed_batch_key_is_content_addressed(settings):
    from pipeline.schema import Article

    a, b = (Article(Article.make_id(t, "RT"), "RT", None, None, None, None, f"{t}.txt", t) for t in ("one text", "two text"))
    key = store.batch_key
    assert key([a, b], settings.spacy_model) == key([b, a], settings.spacy_model)
    assert key([a], settings.spacy_model) != key([b], settings.spacy_model)
    assert key([a], settings.spacy_model) != key([a], "en_core_web_md")


def test_distributed_task_key_names_batch_folder_and_attempt(tmp_path):
    keys = {distributed.task_key("k1", tmp_path / "a"), distributed.task_key("k1", tmp_path / "b"), distributed.task_key("k1", tmp_path / "a", 1)}
    assert len(keys) == 3 and {distributed.batch_key_of_task(k) for k in keys} == {"k1"}


def test_distributed_unreachable_scheduler_says_what_to_do():
    with pytest.raises(PipelineError, match="cannot reach the Dask scheduler"):
        distributed.connect("tcp://127.0.0.1:9", timeout="2s")
