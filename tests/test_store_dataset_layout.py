"""The one output layout: batches as parts, compaction into (year, outlet) partitions under a journal,
recovery after a crash at any step, the one-file layout converted, and readers (DuckDB, geopandas)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pyarrow.parquet as pq
import pytest

from pipeline import cli, store
from pipeline.run import compact
from pipeline.schema import Article
from tests.test_store_geoparquet import make_event

OUTLETS = ("SANA", "Al Jazeera", "RT")


def batch(n: int, first: int = 0):
    """n articles of three outlets over two years (and undated), with two claims each."""
    articles, events = [], []
    for i in range(first, first + n):
        published = None if i % 5 == 0 else dt.date(2016 + i % 2, 1 + i % 12, 1)
        text = f"Article {i}: shelling hit Douma on Tuesday."
        outlet = OUTLETS[i % 3]
        article = Article(Article.make_id(text, outlet), outlet, published, "metadata" if published else None, None, None, f"f{i}.txt", text)
        articles.append(article)
        for j in range(2):
            event = make_event(i * 2 + j, 36.0 + i * 0.01, 33.0 + j * 0.1)
            events.append(dataclasses.replace(event, event_id=f"{article.doc_id}-{j}", doc_id=article.doc_id, outlet=outlet,
                                              published=published, event_date=None))
    return articles, events


def write(storage, key, articles, events):
    store.write_batch(storage, key, store.articles_table(articles), store.events_table(events))


@pytest.fixture()
def parts(tmp_path):
    """An output folder with three committed batches, as a run without compaction leaves it."""
    storage = store.Storage(tmp_path / "out")
    for k in range(3):
        write(storage, f"k{k}", *batch(4, first=4 * k))
    return storage


def ids(table, column="event_id"):
    return sorted(table.column(column).to_pylist())


def test_store_batches_land_in_year_and_outlet_partitions(parts):
    files = store.event_files(parts)
    assert {f.split("/")[1] for f in files} == {"year=0", "year=2016", "year=2017"}
    assert {f.split("/")[2] for f in files} == {"outlet_key=sana", "outlet_key=al-jazeera", "outlet_key=rt"}
    for f in files:  # every file is complete GeoParquet on its own, outlet name intact
        table = pq.read_table(parts.path(f))
        assert json.loads(table.schema.metadata[b"geo"])["primary_column"] == "geometry"
        assert set(table.column("outlet").to_pylist()) <= set(OUTLETS)
    assert len(store.read_events(parts.url)) == 24 and len(store.read_articles(parts.url)) == 12


def test_store_compact_merges_parts_and_rerun_changes_nothing(parts):
    before = store.read_events(parts.url)
    n_parts = len(store.event_files(parts)) + len(store.article_files(parts))
    summary = compact.compact(parts)
    assert summary.replaced == n_parts and 0 < summary.written < n_parts
    files = store.event_files(parts)
    assert all(store.file_kind(f)[0] == "compact" for f in files + store.article_files(parts))
    assert len(files) == len({f.rsplit("/", 1)[0] for f in files})  # one file per partition
    assert ids(store.read_events(parts.url)) == ids(before)
    stamps = {f: parts.fs.modified(parts.path(f)) for f in files}
    assert compact.compact(parts) == compact.CompactSummary(0, 0)
    assert {f: parts.fs.modified(parts.path(f)) for f in store.event_files(parts)} == stamps


def test_store_compact_then_more_parts_then_compact(parts):
    compact.compact(parts)
    write(parts, "k9", *batch(3, first=100))
    compact.compact(parts)
    assert len(store.read_events(parts.url)) == 30 and len(ids(store.read_events(parts.url))) == len(set(ids(store.read_events(parts.url))))
    assert len(store.read_articles(parts.url)) == 15


def crash_when(monkeypatch, storage, method: str, predicate) -> None:
    """Make storage.<method> raise (as a kill would stop the process) when predicate(args) holds."""
    real = getattr(storage, method)

    def wrapper(*args):
        if predicate(*args):
            raise KeyboardInterrupt("simulated crash")
        return real(*args)

    monkeypatch.setattr(storage, method, wrapper)


CRASH_POINTS = {
    # merged files written, parts still there, journal says 'writing'
    "rolled back": ("write_text", lambda rel, text: json.loads(text)["state"] == "written"),
    # journal says 'written', parts not yet deleted
    "rolled forward": ("delete", lambda rels: any(store.file_kind(r) and store.file_kind(r)[0] == "part" for r in rels)),
}


@pytest.mark.parametrize("expected", sorted(CRASH_POINTS))
def test_store_compaction_interrupted_is_finished_by_the_next_call(parts, expected, monkeypatch):
    """A crash between the steps of a compaction: nothing lost, nothing counted twice afterwards."""
    want = ids(store.read_events(parts.url))
    crash_when(monkeypatch, parts, *CRASH_POINTS[expected])
    with pytest.raises(KeyboardInterrupt):
        compact.compact(parts)
    monkeypatch.undo()
    assert parts.exists(compact.JOURNAL)
    assert compact.recover(parts) == expected and not parts.exists(compact.JOURNAL)
    assert ids(store.read_events(parts.url)) == want and len(store.read_articles(parts.url)) == 12
    compact.compact(parts)
    assert ids(store.read_events(parts.url)) == want


def test_store_compacted_dataset_reads_in_duckdb_and_geopandas(parts):
    import duckdb
    import geopandas

    compact.compact(parts)
    root = parts.path(store.EVENTS)
    sql = (f"SELECT count(*), count(DISTINCT event_id), count(DISTINCT outlet), min(year), max(year) "
           f"FROM read_parquet('{root}/**/*.parquet', hive_partitioning = true, union_by_name = true)")
    assert duckdb.sql(sql).fetchall()[0] == (24, 24, 3, 0, 2017)
    frame = geopandas.read_parquet(root)
    assert len(frame) == 24 and frame.crs.to_epsg() == 4326 and set(frame["outlet"]) == set(OUTLETS)


def test_store_single_file_layout_is_converted_without_loss(tmp_path):
    articles, events = batch(5)
    store.write_articles(articles, tmp_path / "articles.parquet")
    store.write_events(events + [dataclasses.replace(events[0], event_id="uncommitted", doc_id="nope")], tmp_path / "events.parquet")
    storage = store.Storage(tmp_path)
    assert store.migrate_single_files(storage)
    assert (tmp_path / "events.parquet").is_dir() and not list(tmp_path.glob(".legacy-*"))
    assert ids(store.read_events(tmp_path)) == sorted(e.event_id for e in events)
    assert not store.migrate_single_files(storage)


def test_store_unreadable_part_names_the_file_and_the_fix(parts):
    victim = store.event_files(parts)[0]
    with open(parts.path(victim), "r+b") as fh:
        fh.truncate(100)
    with pytest.raises(store.OutputError, match=r"not a readable Parquet file.*run the same `pipeline run` command again") as err:
        store.read_events(parts.url)
    assert victim in str(err.value)


def test_store_compact_cli(parts, capsys, tmp_path):
    assert cli.main(["compact", parts.url]) == 0
    assert "merged into" in capsys.readouterr().err
    assert cli.main(["compact", str(tmp_path / "nothing")]) == cli.EXIT_USAGE
