"""Object storage end to end: `pipeline run --out s3://...` (in-process and Dask workers), compaction, and the
dashboard's DuckDB reading the dataset back, against a real S3-compatible server (moto in server mode,
started here on loopback; nothing leaves the machine)."""

from __future__ import annotations

import pytest

from pipeline import cli, store
from pipeline.run import compact
from pipeline.run import orchestrator as run
from tests.conftest import seed_files

moto_server = pytest.importorskip("moto.server", reason="moto[server] is in the dev group: pip install --group dev")
BUCKET = "atlas"


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """A moto S3 server on 127.0.0.1 (a free port) with one bucket; the AWS environment points at it."""
    import boto3

    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": f"http://{host}:{port}"}
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        boto3.client("s3").create_bucket(Bucket=BUCKET)
        yield f"s3://{BUCKET}"
    server.stop()


@pytest.fixture(scope="module")
def local_out(tmp_path_factory, settings):
    out = tmp_path_factory.mktemp("local")
    run.run(run.RunRequest(tuple(seed_files()), out), settings)
    return out


def by_id(table):
    return sorted(table.to_pylist(), key=lambda r: r["event_id"])


def test_store_s3_run_writes_the_local_layout_and_reads_back(s3, local_out, settings, monkeypatch):
    url = f"{s3}/cli-run"
    monkeypatch.setenv("CLAIMS_ATLAS_CACHE_DIR", str(settings.cache_dir))
    assert cli.main(["run", *map(str, seed_files()), "--out", url, "--workers", "1", "--no-progress"]) == run.EXIT_OK
    storage = store.Storage(url)
    local = store.Storage(local_out)
    assert store.event_files(storage) == store.event_files(local) and store.article_files(storage) == store.article_files(local)
    assert by_id(store.read_events(url)) == by_id(store.read_events(local_out))
    assert store.read_articles(url).sort_by("doc_id").equals(store.read_articles(local_out).sort_by("doc_id"))
    assert '"articles_total": 5' in storage.read_text(store.REPORT)
    again = run.run(run.RunRequest(tuple(seed_files()), url), settings)
    assert (again.articles_new, again.articles_skipped_existing, again.events_total) == (0, 5, len(store.read_events(local_out)))


def test_store_s3_dashboard_query_and_geopandas_read_the_dataset(s3, local_out, settings):
    import fsspec
    import geopandas

    from dashboard.query import EventStore, Filters

    url = f"{s3}/dash"
    run.run(run.RunRequest(tuple(seed_files()), url), settings)
    events = EventStore(f"{url}/{store.EVENTS}", f"{url}/{store.ARTICLES}")
    want = EventStore(local_out / store.EVENTS, local_out / store.ARTICLES)
    assert events.counts(Filters()) == want.counts(Filters()) and events.counts(Filters())[0] > 0
    first = want.table(Filters()).event_id.iloc[0]
    assert events.article(events.event(first).doc_id).text == want.article(want.event(first).doc_id).text
    fs, root = fsspec.core.url_to_fs(f"{url}/{store.EVENTS}")
    frame = geopandas.read_parquet(root, filesystem=fs)
    assert len(frame) == events.counts(Filters())[0] and frame.crs.to_epsg() == 4326


def test_store_s3_compaction_interrupted_then_recovered(s3):
    from tests.test_store_dataset_layout import CRASH_POINTS, batch, crash_when, ids, write

    url = f"{s3}/compact"
    storage = store.Storage(url)
    for k in range(3):
        write(storage, f"k{k}", *batch(4, first=4 * k))
    want = ids(store.read_events(url))
    with pytest.MonkeyPatch.context() as mp:
        crash_when(mp, storage, *CRASH_POINTS["rolled forward"])
        with pytest.raises(KeyboardInterrupt):
            compact.compact(storage)
    assert compact.recover(storage) == "rolled forward"
    assert ids(store.read_events(url)) == want
    assert all(store.file_kind(f)[0] == "compact" for f in store.event_files(storage))


def test_store_s3_dask_workers_write_to_the_bucket(s3, local_out, settings):
    """Dask worker processes write their parts straight to the object store; the client only counts."""
    from distributed import Client, LocalCluster

    from pipeline.run.dask_engine import Dask

    url = f"{s3}/dask"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as lc, Client(lc) as client:
        report = run.run(run.RunRequest(tuple(seed_files()), url), settings.replace(batch_size=2), engine=Dask(client=client))
    assert report.articles_new == 5
    assert by_id(store.read_events(url)) == by_id(store.read_events(local_out))
