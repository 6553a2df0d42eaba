"""dashboard.mapview: offline assets, escaped event payload, highlight spans, bounded layers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit_folium import _get_feature_group_string, _get_map_string

from dashboard import mapview
from dashboard.query import Bounds, EventStore, Filters

DATA = Path(__file__).resolve().parent / "data"
REPO = Path(__file__).resolve().parents[1]
STATIC = "../../app/static"


@pytest.mark.parametrize(
    ("sentence", "trigger", "place", "expected"),
    [
        ("Jets bombed Idlib today.", "bombed", "Idlib", [[5, 11, "trigger"], [12, 17, "place"]]),
        ("IDLIB was BOMBED.", "bombed", "Idlib", [[0, 5, "place"], [10, 16, "trigger"]]),
        ("Nothing here.", "bombed", "Idlib", []),
        ("Raqqa fell to Raqqa fighters.", "Raqqa", "Raqqa", [[0, 5, "trigger"]]),  # no overlapping marks
        ("x", None, None, []),
    ],
)
def test_dashboard_mapview_highlight_spans(sentence, trigger, place, expected):
    assert mapview.highlight_spans(sentence, trigger, place) == expected


@pytest.mark.parametrize("text", ["</script><script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                                  "${alert(1)}", "`", "a\u2028b", "&lt;"])
def test_dashboard_mapview_safe_json_is_inert_and_lossless(text):
    encoded = mapview.safe_json({"s": text})
    assert not re.search(r"[<>&\u2028\u2029]", encoded)
    assert json.loads(encoded) == {"s": text}


def test_dashboard_mapview_base_map_loads_nothing_from_the_network():
    m = mapview.base_map(STATIC)
    m.get_root().render()
    links = [url for _, url in m.default_js + m.default_css]
    assert links and all(url.startswith(STATIC) for url in links)
    for url in links:
        assert (REPO / "static" / url.removeprefix(STATIC + "/")).is_file(), url
    assert (REPO / "static" / "basemap" / "countries.geojson").stat().st_size < 1_000_000
    script = _get_map_string(m)
    assert "http://" not in script and "https://" not in script


def test_dashboard_mapview_xss_fixture_reaches_the_map_only_as_escaped_json():
    store = EventStore(DATA / "dashboard_xss_events.parquet", DATA / "dashboard_xss_articles.parquet")
    payload = store.map_payload(Filters(), Bounds.world(), 6)
    m = mapview.base_map(STATIC)
    layer = mapview.event_layer(mapview.layer_data(payload, "group", "outlet=RT", None))
    script = _get_feature_group_string(layer, m)
    assert "<" not in script and ">" not in script  # no tag can open or close, whatever the article says
    assert "window.ClaimsAtlas.draw(map_div" in script
    data = json.loads(re.search(r"draw\(map_div, feature_group_feature_group_0, (\{.*\})\);", script).group(1))
    assert len(data["events"]) == 12
    assert all(ev["url"] is None or ev["url"].startswith("https://") for ev in data["events"])
    assert any("<script>" in ev["sentence"] for ev in data["events"])  # kept verbatim, as data


def test_dashboard_mapview_popup_js_never_uses_html_sinks():
    js = (REPO / "static" / "claims_atlas.js").read_text()
    js = re.sub(r"/\*.*?\*/|//[^\n]*", "", js, flags=re.DOTALL)  # code only, not comments
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in js
    assert 'rel = "noopener noreferrer"' in js


def test_dashboard_mapview_cells_payload_is_bounded():
    store = EventStore(DATA / "dashboard_events.parquet")
    payload = store.map_payload(Filters(), Bounds.world(), 4, max_markers=2)
    data = mapview.layer_data(payload, "type", "", None)
    assert data["mode"] == "cells" and "events" not in data
    assert sum(c["n"] for c in data["cells"]) == 13
    assert data["legend_title"] == "Colour: Event type"


@pytest.mark.parametrize(
    ("offsets", "expected"),
    [
        ({"trigger_start": 13, "trigger_end": 19, "place_start": 0, "place_end": 5}, [[0, 5, "place"], [13, 19, "trigger"]]),
        ({}, [[0, 5, "place"], [6, 12, "trigger"]]),  # old files: search (marks the first 'bombed')
        ({"trigger_start": 12, "trigger_end": 99, "place_start": 0, "place_end": 5}, [[0, 5, "place"], [6, 12, "trigger"]]),
        ({"trigger_start": None, "trigger_end": None, "place_start": None, "place_end": None}, [[0, 5, "place"], [6, 12, "trigger"]]),
    ],
)
def test_dashboard_mapview_exact_offsets_when_the_row_has_them(offsets, expected):
    import pandas as pd

    sentence = "Idlib Bombed bombed again."
    row = pd.Series({"trigger": "bombed", "place_text": "Idlib", **offsets})
    assert mapview.sentence_spans(row, sentence) == expected


def test_dashboard_mapview_online_map_offers_street_satellite_and_offline():
    online = mapview.basemap_options(STATIC, offline=False)
    assert "openstreetmap.org" in online["street"]["url"] and "OpenStreetMap" in online["street"]["attribution"]
    assert "World_Imagery" in online["satellite"]["url"] and "Esri" in online["satellite"]["attribution"]
    offline = mapview.basemap_options(STATIC, offline=True)
    assert "street" not in offline and offline["labels"].endswith("labels.json")
    script = _get_map_string(mapview.base_map(STATIC, offline=True))
    assert "scrollWheelZoom" in script or "scroll_wheel_zoom" in script


def test_dashboard_mapview_labels_file_is_small_and_has_claim_places():
    labels = json.loads((REPO / "static" / "basemap" / "labels.json").read_text())
    assert (REPO / "static" / "basemap" / "labels.json").stat().st_size < 300_000
    names = {lab[0] for lab in labels}
    assert {"Damascus", "Aleppo", "Tadmur"} <= names
    assert all(len(lab) == 4 and 2 <= lab[3] <= 8 for lab in labels)
