"""The dashboard in a real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright).

Each test starts `streamlit run app.py` on 127.0.0.1 against a committed fixture, routes every
browser request and aborts any that would leave loopback, and saves screenshots under
tests/artifacts/. Without chromium the tests skip (install: `apt-get install chromium`),
except when CI is set, where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOOPBACK = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?/")


def _require_browser() -> None:
    missing = []
    if not Path(CHROMIUM).exists():
        missing.append(f"chromium not found at {CHROMIUM} (install it with `apt-get install chromium`)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package is missing (pip install playwright)")
    if missing:
        message = "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(f"browser tests need a browser in CI: {message}")
        pytest.skip(f"browser tests skipped: {message}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_app(prefix: str) -> Iterator[str]:
    port = _free_port()
    env = dict(os.environ)
    env.update(EVENTS_PATH=str(DATA / f"{prefix}_events.parquet"), ARTICLES_PATH=str(DATA / f"{prefix}_articles.parquet"))
    env.pop("CLAIMS_ATLAS_TILES", None)
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1", "--server.port",
           str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    log = open(ARTIFACTS / f"streamlit_{prefix}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(base + "_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError(f"streamlit did not start; see {log.name}")
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    _require_browser()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def app_url(browser) -> Iterator[str]:
    yield from _start_app("dashboard")


@pytest.fixture(scope="module")
def xss_url(browser) -> Iterator[str]:
    yield from _start_app("dashboard_xss")


class Session:
    """A fresh browser context whose requests may only go to loopback."""

    def __init__(self, browser) -> None:
        self.context = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def _route(self, route) -> None:
        url = route.request.url
        if LOOPBACK.match(url) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.settle()

    def settle(self, timeout_ms: int = 30000) -> None:
        """Wait until the app is connected and the script is not running (twice, to outlast reruns)."""
        app = '[data-testid="stApp"][data-test-connection-state="CONNECTED"][data-test-script-state="notRunning"]'
        for _ in range(2):
            self.page.wait_for_selector(app, timeout=timeout_ms)
            self.page.wait_for_timeout(1200)

    def map_frame(self):
        self.page.wait_for_selector('iframe[title="streamlit_folium.st_folium"]', timeout=30000)
        frame = next(f for f in self.page.frames if "st_folium" in f.url)
        frame.wait_for_selector(".leaflet-container", timeout=30000)
        return frame

    def metric(self, label: str) -> str:
        box = self.page.locator('[data-testid="stMetric"]', has_text=label)
        return box.locator('[data-testid="stMetricValue"]').inner_text().strip()

    def params(self) -> dict[str, list[str]]:
        return parse_qs(urlparse(self.page.url).query)

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / f"browser_{name}.png"))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def session(browser) -> Iterator[Session]:
    s = Session(browser)
    yield s
    s.close()
    assert s.outside == [], f"requests left loopback: {s.outside}"


def test_browser_map_shows_clusters_and_outlines_offline(session: Session, app_url: str) -> None:
    session.open(app_url)
    frame = session.map_frame()
    frame.wait_for_selector(".marker-cluster", timeout=20000)
    assert frame.locator(".marker-cluster").count() >= 1
    assert frame.locator("path").count() > 100  # country outlines drawn from static/, no tiles
    assert frame.locator(".ca-legend").inner_text().startswith("Colour: Actor group")
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
    frame = session.map_frame()
    marker = frame.locator("path.leaflet-interactive").first
    marker.wait_for(timeout=20000)
    marker.click()
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
    reader = tab.frame_locator('iframe[title="st.iframe"]').first
    mark = reader.locator("mark#claim-sentence")
    mark.wait_for(timeout=20000)
    assert mark.inner_text() == sentence
    assert mark.is_visible()
    assert parse_qs(urlparse(tab.url).query)["event"] == parse_qs(urlparse(href).query)["event"]
    assert parse_qs(urlparse(tab.url).query)["outlet"] == ["Reuters"]
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
    frame.wait_for_selector(".marker-cluster", timeout=20000)
    frame.locator(".marker-cluster").first.click()
    session.page.wait_for_timeout(1500)
    assert _render_all_popups(frame) >= 12
    page_text = frame.locator("body").inner_text()
    assert "<script>window.top.__xss_canary = 1</script>" in page_text  # shown as text, not run
    hrefs = frame.eval_on_selector_all("a", "els => els.map(a => a.href)")
    assert not [h for h in hrefs if h.lower().startswith("javascript")]
    session.shot("xss_map")
    event_id = frame.evaluate(
        "() => { for (const g of Object.values(window.map._layers)) if (g.getLayers && g.getLayers().length)"
        " return g.getLayers()[0].feature.properties.event_id; }"
    )
    for view in ("reader", "table", "compare", "timeline"):
        session.open(xss_url + f"?view={view}&event={event_id}")
        session.shot(f"xss_{view}")
    for f in session.page.frames:
        assert f.evaluate("() => window.top.__xss_canary") is None, f.url
    assert session.dialogs == []
