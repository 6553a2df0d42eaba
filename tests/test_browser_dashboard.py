"""The dashboard in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Each test starts `streamlit run app.py` on 127.0.0.1 (offline basemap, CLAIMS_ATLAS_OFFLINE=1) against a
committed fixture, routes every browser request and aborts any that would leave loopback, and saves
screenshots under tests/artifacts/ (helpers in tests/browser_support.py). Without chromium the tests
skip (install: `apt-get install chromium`), except when CI is set, where they fail.
"""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
from browser_support import (
    ARTIFACTS,
    DATA,
    MAP_IFRAME,
    PHONE,
    Session,
    launch,
    require_browser,
    start_app,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser():
    require_browser()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()


@pytest.fixture(scope="module")
def app_url(browser) -> Iterator[str]:
    yield from start_app("dashboard")


@pytest.fixture(scope="module")
def xss_url(browser) -> Iterator[str]:
    yield from start_app("dashboard_xss")


@pytest.fixture
def session(browser) -> Iterator[Session]:
    s = Session(browser)
    yield s
    s.close()
    assert s.outside == [], f"requests left loopback: {s.outside}"


def test_browser_map_shows_clusters_and_outlines_offline(session: Session, app_url: str) -> None:
    session.open(app_url)
    frame = session.map_frame()
    frame.wait_for_selector(".ca-cluster", timeout=20000)
    assert frame.locator(".ca-cluster").count() >= 1
    assert frame.locator("path").count() > 100  # country outlines drawn from static/, no tiles
    assert "Colour: Actor group" in frame.locator(".ca-legend").inner_text()
    assert session.metric("Claims matching") == "13"
    session.shot("map")


def test_browser_filter_changes_url_and_counts_and_link_reproduces_them(session: Session, app_url: str, browser) -> None:
    session.open(app_url)
    assert session.metric("Claims matching") == "13"
    session.page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.click()
    session.page.get_by_role("option", name="RT", exact=True).click()
    session.page.keyboard.press("Escape")
    session.settle()
    assert session.params().get("outlet") == ["RT"]
    assert session.metric("Claims matching") == "4"
    assert session.metric("Articles they come from") == "2"
    session.shot("filtered")
    fresh = Session(browser)
    try:
        fresh.open(session.page.url)
        assert fresh.metric("Claims matching") == "4"
        assert fresh.params().get("outlet") == ["RT"]
        fresh.map_frame()
        fresh.shot("shared_link")
    finally:
        fresh.close()
    assert fresh.outside == []


def test_browser_marker_popup_shows_sentence_and_link_opens_reader(session: Session, app_url: str) -> None:
    session.open(app_url + "?outlet=Reuters&q=captured&lat=35.9&lon=39.0&zoom=8")
    frame, _ = _open_first_popup(session, session.map_frame())
    popup = frame.locator(".ca-popup")
    popup.wait_for(timeout=10000)
    sentence = "US-backed fighters captured the old city of Raqqa from Islamic State."
    assert popup.locator(".ca-sentence").inner_text() == sentence
    assert popup.locator("mark.ca-trigger").inner_text() == "captured"
    assert popup.locator("mark.ca-place").inner_text() == "Raqqa"
    assert "Claim by Reuters" in (popup.text_content() or "")
    assert popup.locator("a.ca-original").get_attribute("rel") == "noopener noreferrer"
    session.shot("popup")
    link = popup.locator("a.ca-reader")
    href = link.get_attribute("href") or ""
    assert parse_qs(urlparse(href).query)["view"] == ["reader"]
    with session.page.expect_popup() as opened:
        link.click()
    tab = opened.value
    tab.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', timeout=30000)
    mark = tab.locator("mark.ca-claim-sentence").first
    mark.wait_for(timeout=20000)
    assert mark.inner_text() == sentence
    assert mark.is_visible()
    assert tab.locator("iframe[title='st.iframe']").count() == 0  # no deprecated components.html frame
    assert parse_qs(urlparse(tab.url).query)["event"] == parse_qs(urlparse(href).query)["event"]
    assert parse_qs(urlparse(tab.url).query)["outlet"] == ["Reuters"]
    original = tab.locator("a", has_text="original article").first
    assert original.get_attribute("rel") == "noopener noreferrer" and original.get_attribute("href").startswith("https://")
    tab.screenshot(path=str(ARTIFACTS / "browser_reader.png"))


def _render_all_popups(frame) -> int:
    """Build every marker's popup and tooltip node into the live DOM, as a click would."""
    return frame.evaluate(
        """() => {
        let n = 0;
        Object.values(window.map._layers).forEach(g => {
          if (!g.getLayers) return;
          g.getLayers().forEach(l => {
            const p = l.getPopup && l.getPopup();
            if (p) { const c = p._content; document.body.appendChild(typeof c === 'function' ? c(l) : c); n++; }
            const t = l.getTooltip && l.getTooltip();
            if (t) document.body.appendChild(t._content);
          });
        });
        return n;
      }"""
    )


def test_browser_hostile_article_text_never_runs(session: Session, xss_url: str) -> None:
    payload = "<img src=x onerror=window.top.__xss_canary=1>"
    session.open(xss_url + "?q=" + urllib.request.quote(payload) + "&outlet=" + urllib.request.quote("<script>x</script>"))
    assert session.page.get_by_text("could not be used").count() >= 1  # notices for the hostile link values
    session.open(xss_url)
    frame = session.map_frame()
    frame.wait_for_selector(".ca-cluster", timeout=20000)
    frame.locator(".ca-cluster").first.click()
    session.page.wait_for_timeout(1500)
    assert _render_all_popups(frame) >= 12
    page_text = frame.locator("body").inner_text()
    assert "<script>window.top.__xss_canary = 1</script>" in page_text  # shown as text, not run
    hrefs = frame.eval_on_selector_all("a", "els => els.map(a => a.href)")
    assert not [h for h in hrefs if h.lower().startswith("javascript")]
    session.shot("xss_map")
    event_id = frame.evaluate("() => window.ClaimsAtlas.lastData.events[0].id")
    for view in ("reader", "table", "compare", "timeline"):
        session.open(xss_url + f"?view={view}&event={event_id}")
        session.shot(f"xss_{view}")
    for f in session.page.frames:
        assert f.evaluate("() => window.top.__xss_canary") is None, f.url
    assert session.dialogs == []


def test_browser_map_is_named_and_never_takes_legend_colours(session: Session, app_url: str) -> None:
    session.open(app_url)
    frame = session.map_frame()
    assert session.page.locator("iframe[title^='Map of claims']").count() == 1
    cluster = frame.locator(".ca-cluster").first
    cluster.wait_for(timeout=20000)
    label = cluster.get_attribute("aria-label") or ""
    assert "claims. Outlets:" in label and "Places:" in label
    background = cluster.evaluate("n => getComputedStyle(n).backgroundColor")
    assert background == "rgb(255, 255, 255)"  # neutral, not a legend colour
    swatches = frame.eval_on_selector_all(".ca-legend-body .ca-legend-item .ca-swatch:not([class*=ca-st])",
                                          "els => els.map(e => getComputedStyle(e).backgroundColor)")
    assert len(swatches) == len(set(swatches)) == 9  # eight actor groups and "other", all distinct
    legend = frame.locator(".ca-legend").inner_text()
    for status in ("asserted", "alleged", "denied"):
        assert status in legend
    session.page.goto(app_url + "?lat=34.2&lon=37.0&zoom=7")
    session.settle()
    frame = session.map_frame()
    frame.wait_for_selector("path.leaflet-interactive[aria-label]", timeout=20000)
    names = frame.eval_on_selector_all("path.leaflet-interactive[aria-label]", "els => els.map(e => e.getAttribute('aria-label'))")
    assert names and all(re.match(r"^[^:]+: .+ at .+ \((asserted|reported|alleged|denied)\)$", n) for n in names), names
    session.shot("a11y_markers")


def test_browser_page_scrolls_over_the_map_until_clicked(session: Session, app_url: str) -> None:
    session.open(app_url + "?lat=34.5&lon=37.5&zoom=6")
    frame = session.map_frame()
    session.page.wait_for_timeout(500)
    box = session.page.locator("iframe[title^='Map of claims']").bounding_box()
    session.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    session.page.mouse.wheel(0, 400)
    session.page.wait_for_timeout(800)
    assert frame.evaluate("() => window.map.getZoom()") == 6  # the map did not zoom
    assert session.page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTop + window.scrollY") > 0
    box = session.page.locator("iframe[title^='Map of claims']").bounding_box()  # the page scrolled instead
    session.page.mouse.click(box["x"] + 40, box["y"] + box["height"] - 60)
    session.page.mouse.wheel(0, -300)
    session.page.wait_for_timeout(800)
    assert frame.evaluate("() => window.map.getZoom()") > 6  # after a click into the map it zooms


@pytest.fixture(scope="module")
def online_url(browser) -> Iterator[str]:
    yield from start_app("dashboard_online", DATA / "dashboard_events.parquet", DATA / "dashboard_articles.parquet",
                         offline=False)


def test_browser_tiles_that_cannot_load_fall_back_to_the_offline_basemap(browser, online_url: str) -> None:
    s = Session(browser)  # tile requests leave loopback: the session aborts them, as a network failure would
    try:
        s.open(online_url)
        frame = s.map_frame()
        frame.wait_for_function("() => window.ClaimsAtlas.basemapUsed === 'offline'", timeout=20000)
        frame.wait_for_selector(".ca-notice", timeout=5000)
        assert frame.locator("path").count() > 100  # outlines drawn
        assert frame.locator(".leaflet-control-attribution").inner_text().find("OpenStreetMap") == -1
        layers = frame.locator(".leaflet-control-layers-list").inner_text()
        assert "OpenStreetMap" in layers and "Satellite" in layers and "Offline" in layers
        s.shot("tiles_fallback")
    finally:
        s.close()
    assert s.outside and all("openstreetmap.org" in u or "arcgisonline.com" in u for u in s.outside)


def _open_first_popup(s: Session, frame):
    """Click the first marker and wait for its popup. A click can start a rerun that re-creates the map iframe
    ("Frame was detached"): then wait for the app to settle, take the new frame and click again (three tries)."""
    from playwright.sync_api import Error as PlaywrightError

    for attempt in range(3):
        try:
            marker = frame.locator("path.leaflet-interactive").first
            marker.wait_for(timeout=20000)
            s.page.locator(MAP_IFRAME).evaluate("n => n.scrollIntoView({block: 'end'})")
            s.page.wait_for_timeout(300)
            marker.click()
            popup = frame.locator(".leaflet-popup-content-wrapper")
            popup.wait_for(timeout=10000)
            s.page.wait_for_timeout(600)  # autopan
            return frame, popup
        except PlaywrightError:
            if attempt == 2:
                raise
            s.settle()
            frame = s.map_frame()
    raise AssertionError("unreachable")


def test_browser_phone_popup_and_legend_fit(browser, app_url: str) -> None:
    s = Session(browser, PHONE)
    try:
        s.open(app_url + "?outlet=Reuters&q=captured&lat=35.9&lon=39.0&zoom=8")
        frame = s.map_frame()
        legend = frame.locator("details.ca-legend")
        assert legend.evaluate("d => d.open") is False  # collapsed on a phone, one tap opens it
        frame, popup = _open_first_popup(s, frame)
        legend = frame.locator("details.ca-legend")  # the frame may be a new one
        width = frame.evaluate("() => window.map.getSize().x")
        box = popup.evaluate("n => { const r = n.getBoundingClientRect(); return [r.left, r.right]; }")
        assert box[0] >= 0 and box[1] <= width, (box, width)
        s.shot("phone_popup")
        frame.locator(".ca-legend-summary").click()
        assert legend.evaluate("d => d.open") is True
        s.shot("phone_legend")
    finally:
        s.close()
    assert s.outside == []


def test_browser_reader_list_navigates_and_back_forward_step_through_views(session: Session, app_url: str) -> None:
    session.open(app_url + "?outlet=RT&q=Douma")
    frame = session.map_frame()
    event_id = frame.evaluate("() => window.ClaimsAtlas.lastData.events[0].id")
    session.open(app_url + f"?outlet=RT&q=Douma&view=reader&event={event_id}")
    buttons = session.page.locator("[data-testid=stButton] button", has_text="·")
    assert buttons.count() >= 1
    buttons.first.click()
    session.settle()
    second = session.params()["event"][0]
    assert second != event_id and session.params()["view"] == ["reader"]
    assert session.page.locator("mark.ca-claim-sentence").first.is_visible()
    session.shot("reader_navigated")
    session.page.go_back()
    session.settle()
    assert session.params()["event"] == [event_id]
    assert session.page.get_by_text("Shown: ").count() == 1
    session.page.get_by_text("Table & downloads", exact=True).click()
    session.settle()
    assert session.params()["view"] == ["table"]
    session.page.go_back()
    session.settle()
    assert session.params()["view"] == ["reader"] and session.params()["event"] == [event_id]
    session.page.go_forward()
    session.settle()
    assert session.params()["view"] == ["table"]


# ---------- the map fetches its own data (dashboard/api.py): no rerun, no history entry per pan ----------

SCRIPT_RUNS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  window.__caRuns = 0;
  new MutationObserver(() => { if (app.getAttribute('data-test-script-state') === 'running') window.__caRuns++; })
    .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


@pytest.fixture(scope="module")
def fetch_url(browser) -> Iterator[str]:
    """The demo fixture with at most 3 markers per view: every view past that is fetched by the map."""
    yield from start_app("dashboard_fetch", DATA / "dashboard_events.parquet", DATA / "dashboard_articles.parquet",
                         extra_env={"CLAIMS_ATLAS_MAX_MARKERS": "3"})


@pytest.fixture(scope="module")
def xss_fetch_url(browser) -> Iterator[str]:
    yield from start_app("dashboard_xss_fetch", DATA / "dashboard_xss_events.parquet",
                         DATA / "dashboard_xss_articles.parquet", extra_env={"CLAIMS_ATLAS_MAX_MARKERS": "6"})


def _fetched(frame, before: int) -> int:
    """Wait until the map has fetched and drawn a view after `before` fetches; the number of fetches."""
    frame.wait_for_function(f"() => (window.ClaimsAtlas.fetches || 0) > {before} && !(window.ClaimsAtlas.fetching > 0)",
                            timeout=20000)
    return frame.evaluate("() => window.ClaimsAtlas.fetches")


def _move(frame, lat: float, lon: float, zoom: int) -> None:
    frame.evaluate(f"() => window.map.setView([{lat}, {lon}], {zoom}, {{animate: false}})")


def _url_view(session: Session) -> tuple[str, str, str]:
    p = session.params()
    return p["lat"][0], p["lon"][0], p["zoom"][0]


def _map_view(frame) -> tuple[str, str, str]:
    return tuple(frame.evaluate("() => { const c = window.map.getCenter();"
                                " return [c.lat.toFixed(4), c.lng.toFixed(4), String(window.map.getZoom())]; }"))


def test_browser_pan_fetches_the_view_without_a_rerun_or_a_history_entry(session: Session, fetch_url: str) -> None:
    session.open(fetch_url + "?outlet=Reuters&outlet=RT&outlet=SANA&outlet=Al+Jazeera&lat=35.0&lon=38.0&zoom=6")
    frame = session.map_frame()
    frame.wait_for_function("() => window.ClaimsAtlas.lastData", timeout=20000)
    assert frame.evaluate("() => window.ClaimsAtlas.lastData.api.url") == "../../ca-api/map"
    session.page.evaluate(SCRIPT_RUNS)
    history = session.page.evaluate("() => history.length")
    fetches = frame.evaluate("() => window.ClaimsAtlas.fetches || 0")
    box = session.page.locator(MAP_IFRAME).bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    session.page.mouse.move(x, y)  # a real drag: the view moves west by 300 px
    session.page.mouse.down()
    session.page.mouse.move(x + 150, y, steps=5)
    session.page.mouse.move(x + 300, y, steps=5)
    session.page.mouse.up()
    session.page.wait_for_timeout(800)
    assert _url_view(session) == _map_view(frame)  # the URL follows the drag at once
    _move(frame, 35.95, 39.01, 12)  # Raqqa: one claim, drawn as itself
    fetches = _fetched(frame, fetches)
    data = frame.evaluate("() => window.ClaimsAtlas.lastData")
    assert data["mode"] == "markers" and [e["outlet"] for e in data["events"]] == ["Reuters"], data
    assert frame.locator("path.leaflet-interactive").count() >= 1
    _move(frame, 35.9, 38.5, 7)  # Raqqa and Aleppo: more than three, counted per area
    _fetched(frame, fetches)
    cells = frame.evaluate("() => window.ClaimsAtlas.lastData.cells")
    assert sum(c["n"] for c in cells) >= 4 and frame.locator(".ca-cell").count() >= 1
    session.page.wait_for_timeout(800)
    assert session.page.evaluate("() => window.__caRuns") == 0  # no Streamlit rerun for any of it
    assert session.page.evaluate("() => history.length") == history  # and no history entry per pan
    assert _url_view(session) == _map_view(frame) == ("35.9000", "38.5000", "7")
    assert session.params()["outlet"] == ["Reuters", "RT", "SANA", "Al Jazeera"]  # the filters stay in the URL
    assert session.page.locator('[data-testid="stStatusWidget"]').count() == 0  # never "Running..."
    session.shot("pan_fetched")
    session.page.reload()
    session.settle()
    frame = session.map_frame()
    frame.wait_for_function("() => window.ClaimsAtlas.lastData", timeout=20000)
    center = frame.evaluate("() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]")
    assert abs(center[0] - 35.9) < 0.01 and abs(center[1] - 38.5) < 0.01 and center[2] == 7  # reload: same view
    assert session.params()["outlet"] == ["Reuters", "RT", "SANA", "Al Jazeera"]


def test_browser_claim_after_a_pan_opens_the_panel_without_redrawing_the_map(session: Session, fetch_url: str) -> None:
    session.open(fetch_url + "?lat=35.0&lon=38.0&zoom=6")
    frame = session.map_frame()
    frame.wait_for_function("() => window.ClaimsAtlas.lastData", timeout=20000)
    _move(frame, 36.2, 37.16, 12)  # Aleppo: one Reuters claim
    _fetched(frame, 0)
    draws = frame.evaluate("() => window.ClaimsAtlas.drawCount")
    frame.evaluate("() => { window.__caSameFrame = true; }")
    frame.locator("path.leaflet-interactive").first.click()
    frame.locator(".leaflet-popup .ca-sentence").wait_for(timeout=10000)
    panel = session.page.locator('[data-testid="stVerticalBlock"]', has_text="Selected claim").last
    panel.wait_for(timeout=30000)
    session.settle()
    assert "Reuters · Aleppo" in panel.inner_text()
    assert frame.evaluate("() => window.__caSameFrame === true")  # the same map document: not re-created
    assert frame.evaluate("() => window.ClaimsAtlas.drawCount") == draws  # and the layer not redrawn
    assert frame.locator(".leaflet-popup .ca-sentence").count() == 1  # the popup stays open
    event = frame.evaluate("() => window.ClaimsAtlas.lastData.events[0].id")
    assert session.params()["event"] == [event] and _url_view(session) == _map_view(frame)  # the popup may pan it
    session.shot("panel_after_pan")


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict, dict[str, str]]:
    import json
    import urllib.error

    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, json.loads(r.read()), {k.lower(): v for k, v in r.headers.items()}
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read()), {k.lower(): v for k, v in e.headers.items()}


def test_browser_map_endpoint_validates_like_the_url_and_serves_only_its_own_pages(session: Session, fetch_url: str) -> None:
    import http.client

    session.open(fetch_url)  # the app's first run mounts the endpoint
    api = fetch_url + "ca-api/map?"
    view = "south=30&west=30&north=40&east=45&zoom=6"
    status, body, headers = _get(api + view + "&outlet=RT")
    assert status == 200 and body["total"] == 4 and body["mode"] == "cells", body
    assert headers["content-type"].startswith("application/json") and "access-control-allow-origin" not in headers
    assert headers["x-content-type-options"] == "nosniff"
    for bad, reason in [
        (view + "&file=/etc/passwd", "unknown parameter 'file'"),
        (view + "&outlet=Nobody", "Ignored outlet='Nobody': no such value in the data."),
        (view + "&from=yesterday", "dates are written YYYY-MM-DD"),
        (view + "&color=red", "expected one of group, type"),
        ("south=abc&west=30&north=40&east=45&zoom=6", "south='abc': expected a number"),
        ("south=40&west=30&north=30&east=45&zoom=6", "south < north"),
        (view.replace("zoom=6", "zoom=99"), "zoom='99'"),
        (view + "&token=<script>", "not a session token"),
        (view + "&lat=1e9&lon=3", "lat: expected a number"),
        ("zoom=6", "south=missing"),
    ]:
        status, body, _ = _get(api + bad)
        assert status == 400 and any(reason in p for p in body["problems"]), (bad, body)
    status, body, _ = _get(api + view + "&q=" + urllib.request.quote("') OR 1=1; DROP TABLE events; --"))
    assert status == 200 and body["total"] == 0  # searched for as text, never SQL
    assert _get(api + view, {"Sec-Fetch-Site": "cross-site"})[0] == 403
    assert _get(api + view, {"Origin": "http://evil.example"})[0] == 403
    port = int(urlparse(fetch_url).port or 80)
    for path in ("/ca-api/map/../../../../etc/passwd", "/ca-api/map/..%2f..%2f..%2fetc%2fpasswd", "/ca-api/map%2f..%2f..%2fapp.py"):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", path)
        text = conn.getresponse().read().decode("utf-8", "replace")
        conn.close()
        assert "root:" not in text and "def main()" not in text, path


def test_browser_fetched_popup_keeps_hostile_text_as_text(session: Session, xss_fetch_url: str) -> None:
    session.open(xss_fetch_url + "?lat=30.0&lon=30.0&zoom=5")
    frame = session.map_frame()
    frame.wait_for_function("() => window.ClaimsAtlas.lastData", timeout=20000)
    assert frame.evaluate("() => window.ClaimsAtlas.lastData.mode") == "cells"  # twelve claims, six at most drawn
    _move(frame, 36.2, 37.16, 12)  # Aleppo, where six hostile claims are: fetched and drawn one by one
    _fetched(frame, 0)
    assert frame.evaluate("() => window.ClaimsAtlas.lastData.mode") == "markers"
    assert _render_all_popups(frame) == 6
    page_text = frame.locator("body").inner_text()
    for hostile in ("Militants <script>window.top.__xss_canary = 1</script> shelled Aleppo.",
                    'Militants <img src=x onerror="window.top.__xss_canary = 1"> shelled Aleppo.',
                    'Actor "><svg onload="window.top.__xss_canary = 1">'):
        assert hostile in page_text  # every fetched string is shown as the text it is
    assert frame.locator("body img, body svg[onload]").count() == 0
    hrefs = frame.eval_on_selector_all("a", "els => els.map(a => a.href)")
    assert not [h for h in hrefs if h.lower().startswith("javascript")]
    for f in session.page.frames:
        assert f.evaluate("() => window.top.__xss_canary") is None, f.url
    assert session.dialogs == []
    session.shot("xss_fetched")


def test_browser_phone_pan_and_fetched_popup_fit(browser, fetch_url: str) -> None:
    s = Session(browser, PHONE)
    try:
        s.open(fetch_url + "?lat=35.0&lon=38.0&zoom=6")
        frame = s.map_frame()
        frame.wait_for_function("() => window.ClaimsAtlas.lastData", timeout=20000)
        _move(frame, 35.95, 39.01, 13)  # Raqqa: one Reuters claim, fetched
        _fetched(frame, 0)
        s.shot("phone_pan_fetched")
        frame, popup = _open_first_popup(s, frame)
        width = frame.evaluate("() => window.map.getSize().x")
        box = popup.evaluate("n => { const r = n.getBoundingClientRect(); return [r.left, r.right]; }")
        assert box[0] >= 0 and box[1] <= width, (box, width)
        assert "captured the old city of Raqqa" in popup.inner_text()
        s.shot("phone_fetched_popup")
    finally:
        s.close()
    assert s.outside == []
