"""dashboard.compare on the invented linking fixture (event groups) and the older place-and-window view,
and dashboard.export on the committed dashboard fixture."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pandas as pd
import pytest

from dashboard import compare, export
from dashboard.query import NOT_STATED, EventStore, Filters

DATA = Path(__file__).resolve().parent / "data"
LINKED = DATA / "linking_fixture_built"  # tests/data/linking_fixture: invented articles, built by build.py there
STRIKE_OUTLETS = {"Reuters", "SANA", "Al Jazeera", "RT", "Anadolu Agency"}


@pytest.fixture(scope="module")
def store() -> EventStore:
    return EventStore(DATA / "dashboard_events.parquet", DATA / "dashboard_articles.parquet")


@pytest.fixture(scope="module")
def linked() -> EventStore:
    return EventStore(LINKED / "events.parquet", LINKED / "articles.parquet")


def event_of(linked: EventStore, outlet: str, month: int = 3) -> str:
    rows = linked.df("SELECT event_id FROM events WHERE outlet = ? AND month(published) = ? ORDER BY event_id", [outlet, month])
    return str(rows.event_id.iloc[0])


def test_dashboard_compare_groups_lists_the_invented_strike_with_its_disagreements(linked):
    found = compare.groups(linked, Filters())
    assert len(found) == 1
    strike = found.iloc[0]
    assert strike.place == "Saraqib" and strike.outlets == 5 and bool(strike.denied)
    assert strike.disagreement >= 5  # actors differ (2), a denial (2), tolls 3..15 (1)
    assert "RT: Russian armed forces (denied)" in strike.who_says_what


def test_dashboard_compare_group_outlets_one_row_per_outlet_with_differences_flagged(linked):
    group = compare.groups(linked, Filters()).event_group.iloc[0]
    rows = compare.group_outlets(linked, Filters(), group).set_index("outlet")
    assert set(rows.index) == STRIKE_OUTLETS
    assert rows.loc["RT", "denies"] and not rows.loc["Reuters", "denies"]
    assert rows.loc["SANA", "toll_differs"] and not rows.loc["Al Jazeera", "toll_differs"]  # 3 against a median of 13
    # two outlets blame the Syrian army, two Russia: no majority, so every named actor is flagged
    assert rows.loc["Reuters", "actor_differs"] and rows.loc["Anadolu Agency", "actor_differs"]
    assert not rows.loc["SANA", "actor_differs"]  # "terrorist groups": an unidentified actor is no accusation
    notes = compare.differences(rows.reset_index())
    assert any(n.startswith("tolls range from 3 to 15") for n in notes) and "denied by RT" in notes


def test_dashboard_compare_other_outlets_counts_the_rest_of_the_group(linked):
    assert compare.other_outlets(linked, event_of(linked, "SANA")) == 4
    assert compare.other_outlets(linked, event_of(linked, "Al Jazeera", month=4)) == 0  # the April strike stands alone
    assert compare.other_outlets(linked, "0" * 16) == 0
    ids = [event_of(linked, "RT"), event_of(linked, "Al Jazeera", month=4)]
    assert compare.other_outlet_counts(linked, ids) == {ids[0]: 4, ids[1]: 0}
    assert compare.group_of(linked, ids[0]) == compare.groups(linked, Filters()).event_group.iloc[0]


@pytest.mark.parametrize(("filters", "reason"), [
    (Filters(outlets=("SANA",)), "Only one outlet (SANA) matches the current filters"),
    (Filters(outlets=("Reuters", "Al Jazeera"), actor_groups=(NOT_STATED, "state forces")),
     "No two outlets share an event under the current filters"),
    (Filters(text="no such words anywhere"), "No claims match the current filters"),
])
def test_dashboard_compare_empty_state_says_why(linked, filters, reason):
    assert compare.groups(linked, filters).empty
    assert compare.empty_reason(linked, filters).startswith(reason)


def test_dashboard_compare_unlinked_files_say_to_rerun_the_pipeline(store):
    assert compare.groups(store, Filters()).empty
    assert "re-run the pipeline" in compare.empty_reason(store, Filters())
    assert compare.other_outlets(store, "0" * 16) == 0


def test_dashboard_compare_html_escapes_article_strings():
    hostile = '<script>alert(1)</script>'
    rows = pd.DataFrame([{
        "outlet": f"X{hostile}", "published": dt.date(2019, 3, 12), "date": dt.date(2019, 3, 12), "sentence": hostile,
        "actor": '"><img src=x onerror=alert(1)>', "actor_text": hostile, "target": hostile, "fatalities": 3.0,
        "claim_source": hostile, "claim_status": "denied", "claims": 1, "url": None, "event_id": "e", "link_reason": hostile,
        "actor_differs": True, "toll_differs": True, "denies": True,
    }])
    out = compare.comparison_html(rows)
    assert "<script>alert" not in out and "<img" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out and 'class="ca-deny"' in out and 'class="ca-diff"' in out


def test_dashboard_compare_outlet_profiles_shares_and_shared_tolls(linked):
    prof = compare.outlet_profiles(linked, Filters()).set_index("outlet")
    assert prof.loc["Al Jazeera", "claims"] == 2 and prof.loc["Al Jazeera", "claims_on_shared_events"] == 1
    assert prof.loc["Al Jazeera", "median_toll_on_shared_events"] == 15  # the unshared April toll (2) is left out
    assert prof.loc["RT", "denied"] == 1.0
    statuses = prof[list(compare.CLAIM_STATUSES)].sum(axis=1)
    assert (statuses.round(6) == 1.0).all()
    assert prof.loc["Reuters", "no actor named"] == 0.0 and prof.loc["Reuters", "blames state forces"] == 0.5
    rows = list(csv.reader(io.StringIO(export.csv_bytes(prof.reset_index()).decode())))
    assert rows[0][0] == "outlet" and len(rows) == 1 + len(STRIKE_OUTLETS)


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


def _compare_page(events: str, articles: str, outlets: tuple = ()) -> None:
    import streamlit as st

    from dashboard import compare
    from dashboard.query import EventStore, Filters

    compare.render(EventStore(events, articles), Filters(outlets=outlets))
    st.session_state.shown_event = st.session_state.get("ca_event")


@pytest.mark.parametrize("outlets", [(), ("SANA",)])
def test_dashboard_compare_view_renders_groups_profiles_and_empty_state(outlets):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_compare_page, args=(str(LINKED / "events.parquet"), str(LINKED / "articles.parquet"), outlets))
    at.run(timeout=30)
    assert not at.exception
    if outlets:
        assert "Only one outlet (SANA)" in at.info[0].value
        return
    assert at.selectbox[0].options == ["Saraqib, 2019-03-12: 5 outlets"]
    page = " ".join(m.value for m in at.markdown)
    assert "class=\"ca-compare\"" in page and "denied by RT" in page and "tolls range from 3 to 15" in page
    assert at.session_state.shown_event is not None  # the open group follows the selected event (URL)
    assert len(at.dataframe) >= 2 and at.get("download_button")


@pytest.fixture(scope="module")
def compare_url():
    """`streamlit run app.py` on the invented linking fixture, in a headless Chromium (tests/browser_support.py)."""
    from browser_support import require_browser, start_app

    require_browser()
    yield from start_app("linking_fixture", LINKED / "events.parquet", LINKED / "articles.parquet")


@pytest.mark.browser
def test_dashboard_compare_in_the_browser_side_by_side_shared_by_url_and_empty_state(compare_url):
    from browser_support import Session, launch
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        session = Session(browser)
        session.open(compare_url + "?view=compare")
        table = session.page.locator("table.ca-compare")
        table.wait_for(timeout=30000)
        assert table.locator("tbody tr").count() == 5
        assert table.locator("td.ca-deny").count() == 1 and table.locator("td.ca-diff").count() >= 3
        assert "denied by RT" in session.page.locator("body").inner_text()
        session.shot("compare_group")
        shared = session.params()
        assert shared.get("view") == ["compare"] and shared.get("event"), shared  # the open event is in the URL
        session.page.get_by_role("tab", name="Outlet profiles").click()
        session.page.wait_for_timeout(1500)
        session.shot("compare_profiles")
        link = compare_url + "?view=compare&event=" + shared["event"][0]
        other = Session(browser)
        other.open(link)
        other.page.locator("table.ca-compare").wait_for(timeout=30000)
        assert other.page.locator("table.ca-compare tbody tr").count() == 5
        other.open(compare_url + "?view=compare&outlet=SANA")
        assert "Only one outlet (SANA) matches the current filters" in other.page.locator("body").inner_text()
        other.shot("compare_empty")
        assert session.outside == other.outside == []
        other.close()
        session.close()
        browser.close()


@pytest.mark.browser
def test_dashboard_compare_marker_popup_names_the_other_outlets_and_opens_the_comparison(compare_url):
    from urllib.parse import parse_qs, urlparse

    from browser_support import Session, launch
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = launch(p)
        session = Session(browser)
        try:
            session.open(compare_url + "?outlet=SANA&outlet=RT&event=6fbb8139132ec819&lat=35.864&lon=36.806&zoom=12")
            frame = session.map_frame()
            popup = frame.locator(".leaflet-popup .ca-popup")
            popup.wait_for(timeout=30000)
            assert "Claim by SANA" in (popup.text_content() or "")
            link = popup.locator("a.ca-compare")
            assert link.inner_text() == "4 other outlets report this event: compare ↗"
            query = parse_qs(urlparse(link.get_attribute("href")).query)
            assert query["view"] == ["compare"] and query["event"] == ["6fbb8139132ec819"]
            assert set(query) == {"view", "event"}  # every outlet's account, whatever the map's filters
            session.shot("popup_other_outlets")
            with session.page.expect_popup() as opened:
                link.click()
            tab = opened.value
            tab.locator("table.ca-compare").wait_for(timeout=30000)
            assert tab.locator("table.ca-compare tbody tr").count() == 5  # the five outlets' accounts
            tab.screenshot(path=str(session.shot("popup_other_outlets").parent / "browser_compare_from_popup.png"))
            session.open(compare_url + "?event=2312932cb811b2f6&lat=35.864&lon=36.806&zoom=12")  # a claim no one else reports
            frame = session.map_frame()
            frame.locator(".leaflet-popup .ca-popup").wait_for(timeout=30000)
            assert "Claim by Al Jazeera" in (frame.locator(".leaflet-popup .ca-popup").text_content() or "")
            assert frame.locator(".leaflet-popup a.ca-compare").count() == 0
        finally:
            session.close()
            browser.close()
        assert session.outside == []
