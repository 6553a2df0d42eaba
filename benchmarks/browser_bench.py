"""What a reader waits for, measured in a real browser: pan/zoom, marker click, filter change.

    python benchmarks/browser_bench.py --events 1000000 --json

Starts the real app (`streamlit run app.py`, offline basemap) on 127.0.0.1 against synthetic GeoParquet
(benchmarks/synth.py, generated once into the cache dir), drives headless Chromium with Playwright and
times 20 interactions of each kind, from the user's action to what the user is waiting for:

- pan/zoom: a mouse drag or a zoom-button click on the map, until the map shows the markers for the
  new view. If the map fetches the view from the app's endpoint (dashboard/api.py), that is until the
  fetched layer is drawn; if the app reruns (older app code, or no endpoint), until the rerun has finished
  and the new layer is drawn; if the browser already had the data, it is the map's own `moveend`.
  A rerun that starts within `--settle-ms` of `moveend` counts as part of the interaction.
- click: a click on a claim marker (never the one already selected) until its popup with the sentence is
  shown (`click_*`), and until the rerun that shows the "Selected claim" panel below the map has finished
  (`click_panel_*`, reported beside it).
- filter: choosing an outlet in the sidebar until the rerun has finished and the map has drawn the
  new layer.

Prints median (p50) and p95 in milliseconds; `--json` prints one JSON object with pan_zoom_ms_p50,
pan_zoom_ms_p95, click_ms_p50, click_ms_p95, filter_ms_p50, filter_ms_p95 (and the extras).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT / "tests"))

from browser_support import ANY_MAP_IFRAME, Session, launch, start_app
from dashboard_bench import synth_write
from playwright.sync_api import Error as PlaywrightError

APP_IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'
# Page-side probe: remember when the script last started and stopped running.
PROBE = """() => {
  if (window.__caProbe) return;
  const app = document.querySelector('[data-testid="stApp"]');
  window.__caProbe = {started: 0, stopped: Date.now()};
  new MutationObserver(() => {
    const s = app.getAttribute('data-test-script-state');
    if (s === 'running') window.__caProbe.started = Date.now();
    else window.__caProbe.stopped = Date.now();
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
# Frame-side probe: when the map last stopped moving, and every layer draw (wrapping ClaimsAtlas.draw).
FRAME_PROBE = """() => {
  if (window.__caMoves) return;
  window.__caMoves = {moveend: 0, draws: 0, drawnAt: 0};
  window.map.on('moveend', () => { window.__caMoves.moveend = Date.now(); });
  const CA = window.ClaimsAtlas, draw = CA.draw;
  CA.draw = function () { const r = draw.apply(this, arguments); window.__caMoves.draws++; window.__caMoves.drawnAt = Date.now(); return r; };
}"""


def log(name: str, values: list[float]) -> None:
    print(f"{time.strftime('%H:%M:%S')} {name}: {[round(v) for v in values]}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return round(ordered[k], 1)


def summary(name: str, values: list[float]) -> dict[str, float]:
    return {f"{name}_ms_p50": round(statistics.median(values), 1), f"{name}_ms_p95": percentile(values, 95)}


class Bench:
    def __init__(self, session: Session, settle_ms: int) -> None:
        self.s, self.page, self.settle_ms = session, session.page, settle_ms
        self.frame = self._frame()
        self.page.evaluate(PROBE)
        self.frame.evaluate(FRAME_PROBE)

    def _frame(self):
        self.page.wait_for_selector(ANY_MAP_IFRAME, timeout=60000)
        frame = next(f for f in self.page.frames if "st_folium" in f.url)
        frame.wait_for_function("() => window.map && window.ClaimsAtlas && window.ClaimsAtlas.draw", timeout=60000)
        return frame

    def refresh_frame(self) -> None:
        self.frame = self._frame()
        self.frame.evaluate(FRAME_PROBE)

    def _draws(self) -> int:
        return int(self.frame.evaluate("() => window.__caMoves.draws"))

    def _finish(self, t0: float, draws_before: int) -> float:
        """ms from t0 until the map is up to date (rerun finished and layer drawn, or moveend alone)."""
        self.page.wait_for_timeout(self.settle_ms)
        probe = self.page.evaluate("() => window.__caProbe")
        if probe["started"] < t0:  # no rerun: the browser had the data, or fetched it from the map endpoint
            self.frame.wait_for_function("() => !(window.ClaimsAtlas.fetching > 0)", timeout=120000)
            end = self.frame.evaluate("() => window.__caMoves.moveend")
            if self._draws() > draws_before:  # the map fetched the new view and drew it
                end = max(end, self.frame.evaluate("() => window.__caMoves.drawnAt"))
            return max(0.0, end - t0)
        self.page.wait_for_selector(APP_IDLE, timeout=120000)
        self.page.wait_for_timeout(50)
        probe = self.page.evaluate("() => window.__caProbe")
        end = probe["stopped"]
        if self._draws() > draws_before:
            end = max(end, self.frame.evaluate("() => window.__caMoves.drawnAt"))
        return max(0.0, end - t0)

    def pan_or_zoom(self, i: int) -> float:
        box = self.page.locator(ANY_MAP_IFRAME).bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        draws = self._draws()
        if i % 4 == 3:
            button = ".leaflet-control-zoom-in" if i % 8 == 3 else ".leaflet-control-zoom-out"
            t0 = self.page.evaluate("() => Date.now()")
            self.frame.locator(button).click()
        else:
            dx, dy = (160, 0) if i % 2 else (-160, 60)
            self.page.mouse.move(cx, cy)
            self.page.mouse.down()
            self.page.mouse.move(cx + dx / 2, cy + dy / 2, steps=4)
            self.page.mouse.move(cx + dx, cy + dy, steps=4)
            t0 = self.page.evaluate("() => Date.now()")
            self.page.mouse.up()
        return self._finish(t0, draws)

    def _clickable_marker(self, skip: str | None) -> tuple[float, float, str]:
        """Page coordinates and event id of a claim marker that is on top where it is drawn (not under a
        cluster), other than the claim `skip` (already selected: clicking it again starts no rerun)."""
        found = self.frame.evaluate("""(skip) => {
          const ids = new Map();
          window.map.eachLayer(l => { if (l._path && l.feature) ids.set(l._path, l.feature.properties.event_id); });
          for (const el of document.querySelectorAll('path.leaflet-interactive:not(.ca-area)')) {
            const r = el.getBoundingClientRect();
            if (!r.width || !ids.has(el) || ids.get(el) === skip) continue;
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            if (x < 40 || y < 100 || x > innerWidth - 40 || y > innerHeight - 40) continue;
            if (document.elementFromPoint(x, y) === el) return [x, y, ids.get(el)];
          }
          return null;
        }""", skip)
        if found is None:
            raise RuntimeError("no clickable claim marker in view")
        box = self.page.locator(ANY_MAP_IFRAME).bounding_box()
        return box["x"] + found[0], box["y"] + found[1], found[2]

    def click_marker(self) -> tuple[float, float]:
        try:
            return self._click_marker()
        except Exception as exc:  # the map iframe was re-created by a rerun: measure again on the new one
            if "detached" not in str(exc):
                raise
            self.refresh_frame()
            return self._click_marker()

    def _click_marker(self) -> tuple[float, float]:
        """(ms to the popup with the sentence, ms until the rerun that shows the "Selected claim" panel has
        finished). A new selection always reruns the app; its start may lag the click by the map
        component's debounce (250 ms) and more, so the panel is waited for by the claim's id in the URL."""
        self.frame.evaluate("() => window.map.closePopup()")
        self.page.wait_for_selector(APP_IDLE, timeout=120000)
        self.page.wait_for_timeout(300)
        current = (self.s.params().get("event") or [None])[0]
        x, y, event_id = self._clickable_marker(current)
        t0 = self.page.evaluate("() => Date.now()")
        self.page.mouse.click(x, y)
        self.frame.wait_for_selector(".leaflet-popup .ca-sentence", timeout=30000)
        popup = self.page.evaluate("() => Date.now()") - t0
        self.page.wait_for_function(f"() => new URLSearchParams(location.search).get('event') === '{event_id}'",
                                    timeout=120000)
        self.page.wait_for_selector(APP_IDLE, timeout=120000)
        self.page.locator('[data-testid="stVerticalBlock"]', has_text="Selected claim").first.wait_for(timeout=60000)
        return popup, self.page.evaluate("() => window.__caProbe.stopped") - t0

    def filter_change(self, outlet: str | None) -> float:
        """Choose an outlet (typed, then Enter), or with None remove the chosen one (Backspace)."""
        draws = self._draws()
        self.page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').first.locator("input").click()
        if outlet is not None:
            self.page.keyboard.type(outlet)
            try:
                self.page.get_by_role("option", name=outlet, exact=True).wait_for(timeout=3000)
            except PlaywrightError:  # already chosen: time removing the last chosen outlet instead
                for _ in outlet:
                    self.page.keyboard.press("Backspace")
                outlet = None
        t0 = self.page.evaluate("() => Date.now()")
        self.page.keyboard.press("Enter" if outlet is not None else "Backspace")
        self.page.keyboard.press("Escape")
        self.page.wait_for_timeout(self.settle_ms)
        self.page.wait_for_selector(APP_IDLE, timeout=120000)
        end = self.page.evaluate("() => window.__caProbe.stopped")
        try:  # the new layer is drawn after the rerun (unless the map's layer did not change)
            self.frame.wait_for_function(f"() => window.__caMoves.draws > {draws}", timeout=5000)
            end = max(end, self.frame.evaluate("() => window.__caMoves.drawnAt"))
        except PlaywrightError:
            log("filter: no new layer drawn", [end - t0])
        return max(0.0, end - t0)

def marker_town(events_path: Path) -> tuple[float, float]:
    """A town with a few hundred claims (town precision): at zoom 16 the map draws them one by one."""
    import duckdb

    literal = "'" + str(events_path).replace("'", "''") + "'"
    row = duckdb.sql(
        f"SELECT avg(lat), avg(lon), count(*) AS n FROM read_parquet({literal}) WHERE geo_precision = 1 "
        "GROUP BY place_id HAVING n BETWEEN 100 AND 600 ORDER BY n DESC LIMIT 1"
    ).fetchall()[0]
    return round(row[0], 4), round(row[1], 4)


def run(base: str, rounds: int, settle_ms: int, browser, town: tuple[float, float],
        phases: tuple[str, ...] = ("pan_zoom", "click", "filter")) -> dict[str, float]:
    session = Session(browser)
    out: dict[str, float] = {"rounds": rounds}
    try:
        if "pan_zoom" in phases:
            session.open(base + "?lat=35.0&lon=38.0&zoom=7")
            bench = Bench(session, settle_ms)
            pans = [bench.pan_or_zoom(i) for i in range(rounds)]
            log("pan/zoom", pans)
            out.update(summary("pan_zoom", pans))
            out.update(summary("drag", [v for i, v in enumerate(pans) if i % 4 != 3]))  # the two kinds apart
            out.update(summary("zoom_button", [v for i, v in enumerate(pans) if i % 4 == 3]))
        if "click" in phases:
            session.open(base + f"?lat={town[0]}&lon={town[1]}&zoom=16")  # deep enough for single markers
            bench = Bench(session, settle_ms)
            clicks, panels = [], []
            for _ in range(rounds):
                popup, panel = bench.click_marker()
                clicks.append(popup)
                panels.append(panel)
            log("click popup", clicks)
            log("click panel", panels)
            out.update(summary("click", clicks))
            out.update(summary("click_panel", panels))
        if "filter" in phases:
            session.open(base + "?lat=35.0&lon=38.0&zoom=7")
            bench = Bench(session, settle_ms)
            outlets = ("RT", "Reuters", "SANA", "Al Jazeera", "TASS")
            filters = [bench.filter_change(outlets[i // 2 % len(outlets)] if i % 2 == 0 else None)
                       for i in range(rounds)]
            log("filter", filters)
            out.update(summary("filter", filters))
        out["outside_requests"] = len(session.outside)
        return out
    except Exception:
        session.shot("browser_bench_failure")
        raise
    finally:
        session.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Dashboard interactions timed in headless Chromium")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20, help="interactions of each kind")
    parser.add_argument("--settle-ms", type=int, default=400, help="wait for a rerun to start after an action")
    parser.add_argument("--cache", type=Path, default=Path.home() / ".cache" / "claims-atlas" / "synth")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--phases", default="pan_zoom,click,filter", help="comma-separated subset to run")
    parser.add_argument("--app-dir", type=Path, default=ROOT,
                        help="run app.py from this checkout (e.g. an older commit unpacked with git archive)")
    args = parser.parse_args(argv)
    events_path, articles_path = synth_write(args.events, args.cache)
    from playwright.sync_api import sync_playwright

    server = start_app("browser_bench", events_path, articles_path, offline=True, cwd=args.app_dir)
    base = next(server)
    start = time.perf_counter()
    try:
        with sync_playwright() as p:
            browser = launch(p)
            try:
                result = {"events": args.events,
                          **run(base, args.rounds, args.settle_ms, browser, marker_town(events_path),
                                tuple(args.phases.split(",")))}
            finally:
                browser.close()
    finally:
        server.close()
    result["wall_seconds"] = round(time.perf_counter() - start, 1)
    print(json.dumps(result, indent=None if args.json else 2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
