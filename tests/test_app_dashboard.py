"""app.py under Streamlit's AppTest: filters, URL state, malformed links, what reaches the map."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
APP = str(REPO / "app.py")


def _app(monkeypatch, prefix: str = "dashboard", params: dict | None = None) -> AppTest:
    monkeypatch.setenv("EVENTS_PATH", str(DATA / f"{prefix}_events.parquet"))
    monkeypatch.setenv("ARTICLES_PATH", str(DATA / f"{prefix}_articles.parquet"))
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _qp(at: AppTest, key: str) -> list[str]:
    value = at.query_params.get(key, [])
    return [value] if isinstance(value, str) else list(value)


def _metrics(at: AppTest) -> tuple[str, str]:
    return at.metric[0].value, at.metric[1].value


def _component_args(at: AppTest) -> dict:
    nodes = [n for n in at.get("component_instance")]
    assert len(nodes) == 1
    return json.loads(nodes[0].proto.json_args)


def _layer_data(at: AppTest) -> dict:
    layer = _component_args(at)["feature_group"]
    return json.loads(re.search(r"draw\(map_div, feature_group_feature_group_0, (\{.*\})\);", layer).group(1))


def test_app_opens_with_counts_and_a_map(monkeypatch):
    at = _app(monkeypatch)
    assert _metrics(at) == ("13", "6")
    args = _component_args(at)
    assert len(_layer_data(at)["events"]) == 13
    assert all(link.startswith("../../app/static/") for link in args["js_links"] + args["css_links"])


def test_app_filter_updates_counts_and_url(monkeypatch):
    at = _app(monkeypatch)
    at.multiselect(key="f_outlets").set_value(["RT"]).run()
    assert _metrics(at) == ("4", "2")
    assert _qp(at, "outlet") == ["RT"]
    at.text_input(key="f_text").set_value("Douma").run()
    assert _metrics(at) == ("2", "1")
    assert _qp(at, "q") == ["Douma"]
    assert {ev["outlet"] for ev in _layer_data(at)["events"]} == {"RT"}


def test_app_url_reproduces_the_view(monkeypatch):
    params = {"outlet": ["RT", "SANA"], "status": ["asserted"], "from": "2018-04-01", "color": "type",
              "lat": "35.0", "lon": "37.0", "zoom": "7"}
    at = _app(monkeypatch, params=params)
    assert at.multiselect(key="f_outlets").value == ["RT", "SANA"]
    assert at.radio(key="color_by").value == "type"
    assert _metrics(at) == ("3", "3")
    args = _component_args(at)
    assert args["center"] == [35.0, 37.0] and args["zoom"] == 7
    assert _qp(at, "outlet") == ["RT", "SANA"] and _qp(at, "zoom") == ["7"]
    assert not at.warning


@pytest.mark.parametrize(
    ("params", "kept_events"),
    [
        ({"outlet": ["RT", "<img src=x onerror=alert(1)>"]}, "4"),
        ({"from": "not-a-date", "zoom": "NaN"}, "13"),
        ({"event": "'); alert(1); //", "view": "reader"}, "13"),
        ({"color": "![x](http://example.org/beacon.png)"}, "13"),
        ({"lat": "1e999", "lon": "37"}, "13"),
    ],
)
def test_app_malformed_link_values_dropped_with_notice(monkeypatch, params, kept_events):
    at = _app(monkeypatch, params=params)
    assert _metrics(at)[0] == kept_events
    assert len(at.warning) == 1
    body = at.warning[0].value
    assert "could not be used" in body
    assert not re.search(r"(?<!\\)[<>\[\]!()]", body)  # quoted values are Markdown-escaped
    for key in params:
        for bad in ("<img src=x onerror=alert(1)>", "not-a-date", "NaN", "1e999"):
            assert bad not in _qp(at, key)


def test_app_hostile_text_reaches_the_map_only_as_escaped_data(monkeypatch):
    at = _app(monkeypatch, prefix="dashboard_xss")
    args = _component_args(at)
    for part in ("script", "html", "header"):  # the base map carries no article text at all
        assert "__xss_canary" not in (args[part] or "")
    assert "<" not in args["feature_group"] and ">" not in args["feature_group"]
    data = _layer_data(at)
    assert len(data["events"]) == 12
    assert any("</script>" in ev["sentence"] for ev in data["events"])  # verbatim text, inert JSON
    assert not [ev for ev in data["events"] if (ev["url"] or "").startswith("javascript")]


def test_app_reader_view_renders_the_article(monkeypatch):
    at = _app(monkeypatch)
    event_id = _layer_data(at)["events"][0]["id"]
    reader = _app(monkeypatch, params={"view": "reader", "event": event_id})
    assert not reader.warning
    assert reader.radio(key="view").value == "reader"
    assert _qp(reader, "event") == [event_id]


@pytest.mark.parametrize("view", ["timeline", "table", "compare"])
def test_app_other_views_run(monkeypatch, view):
    at = _app(monkeypatch, params={"view": view})
    assert _qp(at, "view") == [view]
    if view != "timeline":
        assert len(at.dataframe) >= 1


def test_app_table_has_human_headings_and_no_none(monkeypatch):
    at = _app(monkeypatch, params={"view": "table"})
    frame = at.dataframe[0].value
    assert list(frame.columns[:3]) == ["Date", "Outlet", "The claim, as written"]
    assert not any("_" in c for c in frame.columns)
    assert "None" not in frame.astype(str).to_numpy().ravel().tolist()
    assert len(at.get("download_button")) == 3  # CSV, GeoJSON, GeoParquet (file names: test_dashboard_export)


def test_app_timeline_counts_undated_claims(monkeypatch):
    at = _app(monkeypatch, params={"view": "timeline"})
    assert any("1 of 13 matching claims has no date" in c.value for c in at.caption)


def test_app_no_match_explains_and_resets(monkeypatch):
    at = _app(monkeypatch, params={"q": "no such words anywhere"})
    assert _metrics(at)[0] == "0"
    assert any("No claim matches these filters" in i.value for i in at.info)
    at.button(key="reset_empty").click().run()
    assert _metrics(at)[0] == "13"
    assert _qp(at, "q") == []


def test_app_reader_claim_list_navigates_in_place(monkeypatch):
    at = _app(monkeypatch)
    event_id = _layer_data(at)["events"][0]["id"]
    reader = _app(monkeypatch, params={"view": "reader", "event": event_id})
    others = [b for b in reader.button if b.key and b.key.startswith("reader_")]
    if not others:
        pytest.skip("this fixture article has one claim")
    target = others[0].key.removeprefix("reader_")
    others[0].click().run()
    assert _qp(reader, "event") == [target] and _qp(reader, "view") == ["reader"]
    assert not reader.exception


def test_app_view_switch_keeps_map_view_and_selected_claim(monkeypatch):
    at = _app(monkeypatch, params={"lat": "35.0", "lon": "37.0", "zoom": "7"})
    event_id = _layer_data(at)["events"][0]["id"]
    at.session_state["ca_event"] = event_id
    at.session_state["ca_map_view"] = (34.5, 38.5, 9)  # as if the reader panned and zoomed
    at.radio(key="view").set_value("table").run()
    at.radio(key="view").set_value("map").run()
    args = _component_args(at)
    assert args["center"] == [34.5, 38.5] and args["zoom"] == 9
    assert _layer_data(at)["selected"] == event_id
    assert _qp(at, "event") == [event_id]


def test_app_period_slider_filters_and_follows_the_date_boxes(monkeypatch):
    import datetime as dt

    at = _app(monkeypatch)
    slider = at.slider(key="f_period")
    lo, hi = slider.value
    assert lo < hi
    slider.set_value((dt.date(2018, 4, 8), hi)).run()
    assert _qp(at, "from") == ["2018-04-08"] and _qp(at, "to") == []
    from dashboard.query import EventStore, Filters

    store = EventStore(DATA / "dashboard_events.parquet")
    assert _metrics(at)[0] == str(store.counts(Filters(date_from=dt.date(2018, 4, 8)))[0])
    assert _metrics(at)[0] != "13"
    at.date_input(key="f_from").set_value(dt.date(2018, 4, 9)).run()
    assert at.slider(key="f_period").value[0] == dt.date(2018, 4, 9)
