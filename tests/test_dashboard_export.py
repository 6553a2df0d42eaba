"""dashboard.export: file names after the view, provenance in every format, GeoParquet that reads back."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from dashboard import export
from dashboard.query import EventStore, Filters

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def store() -> EventStore:
    return EventStore(DATA / "dashboard_events.parquet", DATA / "dashboard_articles.parquet")


@pytest.mark.parametrize(
    ("filters", "stem"),
    [
        (Filters(), "claims"),
        (Filters(outlets=("RT",), date_from=dt.date(2016, 1, 1), date_to=dt.date(2016, 6, 30)),
         "claims_RT_2016-01-01_2016-06-30"),
        (Filters(outlets=("Al Jazeera", "RT")), "claims_Al-Jazeera+RT"),
        (Filters(outlets=("a", "b", "c", "d")), "claims_several-outlets"),
        (Filters(text="../../etc/passwd"), "claims_search-etc-passwd"),
        (Filters(date_from=dt.date(2018, 4, 1), claim_statuses=("denied",)), "claims_2018-04-01_end_filtered"),
    ],
)
def test_dashboard_export_file_named_after_the_view(filters, stem):
    assert export.file_stem(filters) == stem


def test_dashboard_export_csv_records_filters_and_version(store):
    f = Filters(outlets=("RT",))
    text = export.export_csv(store, f, record=True).decode()
    lines = text.splitlines()
    assert lines[0].startswith("# Claims Atlas ") and export.app_version() in lines[0]
    assert lines[1] == "# filters: outlet=RT"
    rows = list(csv.reader(io.StringIO("\n".join(lines[2:]))))
    assert len(rows) == 5 and "sentence" in rows[0]


def test_dashboard_export_geojson_and_geoparquet_carry_provenance(store):
    f = Filters(outlets=("RT",), text="Douma")
    gj = json.loads(export.export_geojson(store, f, record=True))
    assert gj["metadata"]["filters"] == {"outlet": ["RT"], "q": ["Douma"]}
    assert gj["metadata"]["app_version"] == export.app_version()
    table = pq.read_table(io.BytesIO(export.export_geoparquet(store, f)))
    assert table.num_rows == len(gj["features"]) == 2
    meta = table.schema.metadata
    assert json.loads(meta[b"claims_atlas"])["filters"]["outlet"] == ["RT"]
    geo = json.loads(meta[b"geo"])
    assert geo["primary_column"] == "geometry" and geo["columns"]["geometry"]["encoding"] == "WKB"
    import shapely

    point = shapely.from_wkb(table.column("geometry")[0].as_py())
    assert (point.x, point.y) == (table.column("lon")[0].as_py(), table.column("lat")[0].as_py())
