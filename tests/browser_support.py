"""Shared pieces of the real-browser tests: a Streamlit server on loopback and a Chromium session.

`start_app` runs `streamlit run app.py` on 127.0.0.1 against a committed fixture (or any events file);
`Session` is a fresh browser context whose requests may only go to loopback (others are aborted and
recorded). Screenshots go to tests/artifacts/. Without chromium the tests skip, except under CI.
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

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "data"
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOOPBACK = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?/")
DESKTOP = {"width": 1400, "height": 1000}
PHONE = {"width": 390, "height": 844}
MAP_IFRAME = "iframe[title^='Map of claims']"
ANY_MAP_IFRAME = MAP_IFRAME + ", iframe[title='streamlit_folium.st_folium']"  # also before the map had a title


def require_browser() -> None:
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(prefix: str, events: Path | None = None, articles: Path | None = None,
              offline: bool = True, extra_env: dict[str, str] | None = None, cwd: Path = REPO) -> Iterator[str]:
    """Yield the base URL of a running app; the server is stopped afterwards."""
    port = free_port()
    env = dict(os.environ)
    env.update(EVENTS_PATH=str(events or DATA / f"{prefix}_events.parquet"),
               ARTICLES_PATH=str(articles or DATA / f"{prefix}_articles.parquet"))
    env.pop("CLAIMS_ATLAS_TILES", None)
    env.pop("CLAIMS_ATLAS_OFFLINE", None)
    if offline:
        env["CLAIMS_ATLAS_OFFLINE"] = "1"
    env.update(extra_env or {})
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1", "--server.port",
           str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
           "--server.fileWatcherType", "none"]  # other work in the tree must not reload or slow the app
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / f"streamlit_{prefix}.log", "w")  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
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


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)


class Session:
    """A fresh browser context whose requests may only go to loopback."""

    def __init__(self, browser, viewport: dict[str, int] | None = None) -> None:
        self.context = browser.new_context(viewport=viewport or DESKTOP)
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
        self.page.wait_for_selector(MAP_IFRAME, timeout=30000)
        frame = next(f for f in self.page.frames if "st_folium" in f.url)
        frame.wait_for_selector(".leaflet-container", timeout=30000)
        return frame

    def metric(self, label: str) -> str:
        box = self.page.locator('[data-testid="stMetric"]', has_text=label)
        return box.locator('[data-testid="stMetricValue"]').inner_text().strip()

    def params(self) -> dict[str, list[str]]:
        return parse_qs(urlparse(self.page.url).query)

    def shot(self, name: str) -> Path:
        path = ARTIFACTS / f"browser_{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def close(self) -> None:
        self.context.close()
