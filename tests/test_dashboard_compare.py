"""dashboard.compare and dashboard.export on the committed fixture."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from dashboard import compare, export
from dashboard.query import EventStore, Filters

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def store() -> EventStore:
    return EventStore(DATA / "dashboard_events.parquet", DATA / "dashboard_articles.parquet")


def test_dashboard_compare_finds_outlets_disagreeing_on_douma(store):
    groups = compare.disagreements(store, Filters(), window_days=7)
    douma = groups[groups.place_name == "Douma"].iloc[0]
    assert douma.outlets == 3
    assert "RT: (not stated) (denied)" in douma.who_says_what
    assert "Reuters: Syrian Arab Army (alleged)" in douma.who_says_what
    claims = compare.group_claims(store, Filters(), douma.place_id, douma.window_start, 7)
    assert set(claims.outlet) == {"RT", "Reuters", "SANA"}


@pytest.mark.parametrize(("filters", "places"), [
    (Filters(outlets=("SANA",)), set()),  # one outlet cannot disagree with itself
    (Filters(outlets=("RT", "Al Jazeera")), {"Idlib"}),
])
def test_dashboard_compare_respects_filters(store, filters, places):
    assert set(compare.disagreements(store, filters).place_name) == places


def test_dashboard_export_csv_neutralises_formulas():
    import pandas as pd

    frame = pd.DataFrame({"sentence": ["=HYPERLINK(\"http://x\")", "+1", "plain"], "n": [1, 2, 3]})
    rows = list(csv.reader(io.StringIO(export.csv_bytes(frame).decode())))
    assert rows[1][0].startswith("'=") and rows[2][0] == "'+1" and rows[3][0] == "plain"


def test_dashboard_export_geojson_has_every_filtered_event(store):
    data = json.loads(export.export_geojson(store, Filters(outlets=("RT",))))
    assert len(data["features"]) == 4
    feature = data["features"][0]
    assert feature["geometry"]["type"] == "Point"
    assert feature["properties"]["outlet"] == "RT"
    assert "geometry" not in feature["properties"] and "bbox" not in feature["properties"]
    assert len(list(csv.reader(io.StringIO(export.export_csv(store, Filters()).decode())))) == 14
