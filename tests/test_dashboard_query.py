"""dashboard.query: parameterised SQL, counts, bounded map payloads, on the committed fixture."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dashboard.query import (
    NOT_STATED,
    Bounds,
    DataMissingError,
    EventStore,
    Filters,
    grid_cell_degrees,
    snap_bounds,
    where_clause,
)

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def store() -> EventStore:
    return EventStore(DATA / "dashboard_events.parquet", DATA / "dashboard_articles.parquet")


@pytest.mark.parametrize(
    ("filters", "events", "articles"),
    [
        (Filters(), 13, 6),
        (Filters(outlets=("RT",)), 4, 2),
        (Filters(outlets=("RT", "SANA")), 6, 3),
        (Filters(actors=(NOT_STATED,)), 2, 2),
        (Filters(actor_groups=("state forces",)), 5, 3),
        (Filters(event_types=("Battles",)), 6, 4),
        (Filters(sub_event_types=("Chemical weapon",)), 2, 2),
        (Filters(claim_statuses=("denied",)), 1, 1),
        (Filters(date_from=dt.date(2018, 4, 8), date_to=dt.date(2018, 4, 8)), 4, 3),
        (Filters(date_from=dt.date(2018, 4, 8), date_to=dt.date(2018, 4, 8), include_undated=False), 3, 2),
        (Filters(include_undated=False), 12, 6),
        (Filters(text="CHEMICAL"), 3, 2),  # two sentences, and a third claim whose article title says it
        (Filters(text="hama governorate"), 2, 2),  # the gazetteer's name
        (Filters(text="Hama province"), 2, 2),  # the place as written
        (Filters(text="no such words"), 0, 0),
    ],
)
def test_dashboard_query_counts_follow_filters(store, filters, events, articles):
    assert store.counts(filters) == (events, articles)


@pytest.mark.parametrize(
    "hostile",
    ["'; DROP TABLE events; --", "%", "_", "\\", "' OR '1'='1", "\x00"],
)
def test_dashboard_query_user_values_never_reach_sql_text(store, hostile):
    f = Filters(outlets=(hostile,), text=hostile)
    sql, params = where_clause(f)
    assert sql == where_clause(Filters(outlets=("x",), text="x"))[0]  # the SQL text does not depend on the value
    assert hostile in params
    assert store.counts(Filters(text=hostile)) == (0, 0)
    assert store.counts(Filters()) == (13, 6)  # still there


@pytest.mark.parametrize(
    ("bounds", "expected"),
    [
        (Bounds(33.0, 36.0, 34.0, 37.0), 4),  # Douma only
        (Bounds(-90, -180, 90, 180), 13),
        (Bounds(30, 170, 40, -170), 0),  # across the antimeridian, nothing there
        (Bounds(30, 30, 40, 400), 13),  # wider than the world
    ],
)
def test_dashboard_query_bounds_filter(store, bounds, expected):
    where, params = where_clause(Filters(), bounds)
    assert int(store.df(f"SELECT count(*) n FROM events WHERE {where}", params).iloc[0].n) == expected


def test_dashboard_query_payload_markers_when_few_cells_when_many(store):
    few = store.map_payload(Filters(), Bounds.world(), 5, max_markers=100)
    assert few.mode == "markers" and len(few.markers) == 13 and few.in_view == 13
    many = store.map_payload(Filters(), Bounds.world(), 5, max_markers=3)
    assert many.mode == "cells"
    assert int(many.cells.n.sum()) == 13
    assert len(many.cells) < 13


def test_dashboard_query_markers_only_http_urls(store):
    xss = EventStore(DATA / "dashboard_xss_events.parquet", DATA / "dashboard_xss_articles.parquet")
    urls = xss.map_payload(Filters(), Bounds.world(), 5).markers.url.dropna().tolist()
    assert urls and all(u.startswith("https://") for u in urls)
    assert xss.counts(Filters()) == (12, 6)


def test_dashboard_query_snap_bounds_contains_view_and_is_stable():
    view = Bounds(35.1, 36.2, 36.3, 37.9)
    snapped = snap_bounds(view)
    assert snapped.south <= view.south and snapped.north >= view.north
    assert snapped.west <= view.west and snapped.east >= view.east
    assert snap_bounds(Bounds(35.15, 36.25, 36.35, 37.95)) == snapped  # a small pan keeps the payload


@pytest.mark.parametrize(("zoom", "bigger_than"), [(2, 10.0), (8, 0.1), (15, 0.0)])
def test_dashboard_query_grid_shrinks_with_zoom(zoom, bigger_than):
    assert grid_cell_degrees(zoom) > bigger_than
    assert grid_cell_degrees(zoom + 1) == pytest.approx(grid_cell_degrees(zoom) / 2)


def test_dashboard_query_article_and_event_lookup(store):
    row = store.event(store.table(Filters(text="captured")).event_id.iloc[0])
    article = store.article(row.doc_id)
    assert article.text[row.char_start : row.char_end] == row.sentence
    assert len(store.article_events(row.doc_id)) == 3


def test_dashboard_query_reads_partitioned_directory(tmp_path):
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(DATA / "dashboard_events.parquet")
    for i, outlet in enumerate(sorted(set(table.column("outlet").to_pylist()))):
        part = table.filter(pc.equal(table.column("outlet"), outlet))
        pq.write_table(part, tmp_path / f"part-{i}.parquet")
    assert EventStore(tmp_path).counts(Filters()) == (13, 6)


def test_dashboard_query_missing_file_says_how_to_fix(tmp_path):
    with pytest.raises(DataMissingError, match="EVENTS_PATH"):
        EventStore(tmp_path / "nope.parquet")


def _with_column_changes(tmp_path, **columns):
    """The fixture with some columns replaced or added (values for all 13 rows)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(DATA / "dashboard_events.parquet")
    for name, values in columns.items():
        array = pa.array(values)
        if name in table.column_names:
            table = table.set_column(table.column_names.index(name), name, array)
        else:
            table = table.append_column(name, array)
    path = tmp_path / "events.parquet"
    pq.write_table(table, path)
    return EventStore(path)


def test_dashboard_query_search_finds_gazetteer_name_and_name_as_written(tmp_path, store):
    names = store.df("SELECT place_name FROM events").place_name.tolist()  # file order
    names = ["Tadmur" if n == "Palmyra" else n for n in names]
    tadmur = _with_column_changes(tmp_path, place_name=names)
    assert tadmur.counts(Filters(text="Palmyra")) == (1, 1)
    assert tadmur.counts(Filters(text="tadmur")) == (1, 1)


def test_dashboard_query_reads_offsets_only_when_the_file_has_them(tmp_path, store):
    assert store.optional == ()
    n = 13
    newer = _with_column_changes(tmp_path, trigger_start=[0] * n, trigger_end=[1] * n, place_start=[2] * n,
                                 place_end=[3] * n, mentions=[2] * n, event_group=["g"] * n)
    assert newer.optional == ("trigger_start", "trigger_end", "place_start", "place_end", "mentions", "event_group")
    markers = newer.map_payload(Filters(), Bounds.world(), 5).markers
    assert {"trigger_start", "mentions"} <= set(markers.columns)


def test_dashboard_query_map_payload_queried_once_for_sessions_asking_at_once():
    """Ten sessions opening the same view at the same moment run its queries once; the others wait for it."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    store = EventStore(DATA / "dashboard_events.parquet", DATA / "dashboard_articles.parquet")
    queries: list[str] = []
    real_df = store.df

    def slow_df(sql, params=None):  # the real query, made slow enough that the sessions overlap
        queries.append(sql)
        time.sleep(0.2)
        return real_df(sql, params)

    store.df = slow_df
    start = threading.Barrier(10)

    def open_view(_):
        start.wait()
        return store.map_payload(Filters(outlets=("RT", "SANA")), Bounds(30, 33, 38, 42), 7, max_markers=1)

    with ThreadPoolExecutor(10) as pool:
        payloads = list(pool.map(open_view, range(10)))
    assert all(p is payloads[0] for p in payloads) and payloads[0].mode == "cells"
    assert len(queries) == 3, queries  # counts, the count in the snapped view, the grid cells: once each
    other = store.map_payload(Filters(outlets=("RT", "SANA")), Bounds(30.5, 33.5, 38.5, 42.5), 7, max_markers=1)
    assert other is payloads[0] and len(queries) == 3  # a small pan inside the snapped view: no query at all


def test_dashboard_query_close_view_of_a_busy_place_gets_markers_for_the_view_alone(store):
    """Around Hama the padded view holds four claims (Hama's two and Aleppo's two), the view itself two: with at
    most three markers the map gets Hama's two, complete for that view only, not a count."""
    view = Bounds(35.0, 36.6, 35.5, 37.2)
    close = store.map_payload(Filters(), view, 9, max_markers=3)
    assert close.mode == "markers" and len(close.markers) == 2 and close.covers == view
    assert store.map_payload(Filters(), view, 9, max_markers=1).mode == "cells"  # two in view: still too many
    assert store.map_payload(Filters(), Bounds(30, 30, 40, 45), 6, max_markers=3).mode == "cells"
