"""events.parquet is valid GeoParquet 1.1 and reads back unchanged through geopandas and DuckDB."""

from __future__ import annotations

import datetime as dt
import json

import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from pipeline import store
from pipeline.schema import EVENT_COLUMNS, Article, Event, EventCandidate, GeoMatch, PlaceMention

TEXT = "Shelling hit Douma on Tuesday. Clashes erupted in Aleppo's eastern districts, activists said."


def make_event(i: int, lon: float, lat: float, start: int = 0) -> Event:
    article = Article("doc" + str(i % 3), "SANA", dt.date(2017, 4, 16), "metadata", "T <b>", "https://sana.sy/x", "f.txt", TEXT)
    sentence = TEXT[start:].split(". ")[0]
    cand = EventCandidate(0, start, start + len(sentence), sentence, "hit", start + 9, "Explosions/Remote violence",
                          "Shelling/artillery/missile attack", fatalities=None if i % 2 else i)
    place = PlaceMention(f"Place{i}", start + 13, start + 18, "prep-object of trigger")
    match = GeoMatch(f"Place{i}", str(1000 + i), "08", "SY", lat, lon, 1 + i % 4, "test")
    return Event.build(article, cand, place, match)


@pytest.fixture()
def events():
    return [make_event(i, 36.0 + i * 0.37, 33.0 + (i * 0.53) % 4) for i in range(25)]


def test_store_geo_metadata_valid(tmp_path, events):
    path = tmp_path / "events.parquet"
    store.write_events(events, path)
    meta = pq.read_schema(path).metadata
    geo = json.loads(meta[b"geo"])
    assert geo["version"] == "1.1.0" and geo["primary_column"] == "geometry"
    col = geo["columns"]["geometry"]
    assert col["encoding"] == "WKB" and col["geometry_types"] == ["Point"]
    assert col["crs"]["id"] == {"authority": "EPSG", "code": 4326}
    assert col["covering"]["bbox"]["xmin"] == ["bbox", "xmin"]
    lons = [e.lon for e in events]
    assert col["bbox"][0] == min(lons) and col["bbox"][2] == max(lons)
    assert pq.read_schema(path).names == EVENT_COLUMNS + ["geometry", "bbox"]


def test_store_roundtrip_geopandas(tmp_path, events):
    import geopandas

    path = tmp_path / "events.parquet"
    store.write_events(events, path)
    gdf = geopandas.read_parquet(path)
    assert gdf.crs.to_epsg() == 4326
    assert len(gdf) == len(events)
    by_id = {e.event_id: e for e in events}
    for row in gdf.itertuples():
        e = by_id[row.event_id]
        assert (row.geometry.x, row.geometry.y) == (e.lon, e.lat)
        assert row.sentence == e.sentence and row.title == e.title
        assert (row.fatalities if row.fatalities == row.fatalities else None) == e.fatalities
    again = tmp_path / "again.parquet"
    gdf.to_parquet(again)  # geopandas can write it back out
    assert geopandas.read_parquet(again).geometry.equals(gdf.geometry)


def test_store_roundtrip_duckdb(tmp_path, events):
    import duckdb

    path = tmp_path / "events.parquet"
    store.write_events(events, path)
    con = duckdb.connect()
    rows = con.execute(
        "SELECT event_id, lon, lat, bbox.xmin, bbox.ymax, published, geo_precision FROM read_parquet(?) ORDER BY event_id",
        [str(path)],
    ).fetchall()
    expected = sorted((e.event_id, e.lon, e.lat, e.lon, e.lat, e.published, e.geo_precision) for e in events)
    assert rows == expected
    inside = con.execute(
        "SELECT count(*) FROM read_parquet(?) WHERE bbox.xmin > 37 AND bbox.xmax < 40", [str(path)]
    ).fetchone()[0]
    assert inside == sum(37 < e.lon < 40 for e in events)


def test_store_sorted_deterministic_and_atomic(tmp_path, events):
    a, b = tmp_path / "a.parquet", tmp_path / "b.parquet"
    store.write_events(events, a)
    store.write_events(list(reversed(events)), b)
    assert pq.read_table(a).equals(pq.read_table(b))
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_store_empty_events_file_is_valid(tmp_path):
    import geopandas

    path = tmp_path / "events.parquet"
    store.write_events([], path)
    assert len(geopandas.read_parquet(path)) == 0


@hsettings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.floats(-180, 180), st.floats(-90, 90)), min_size=1, max_size=30))
def test_store_wkb_points_roundtrip(points):
    import shapely

    lon = [p[0] for p in points]
    lat = [p[1] for p in points]
    import numpy as np

    geoms = shapely.from_wkb(store.point_wkb(np.array(lon), np.array(lat)))
    assert [(g.x, g.y) for g in geoms] == list(zip(lon, lat))
