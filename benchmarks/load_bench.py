"""Concurrent viewers: the real Streamlit server on N simultaneous websocket sessions.

    python benchmarks/load_bench.py --events 1000000 --sessions 10 --json
    python benchmarks/load_bench.py --events 100000 --sessions 1 --json     # quick form

Starts `streamlit run app.py` on 127.0.0.1 (a free port, headless) over ``--events`` synthetic claims
(benchmarks/synth.py, cached outside the repository), then opens N websocket sessions at once with a
protocol-level client (the ``websockets`` package speaking Streamlit's own protobuf messages, the way the
browser does: a BackMsg ``rerun_script`` with the page's query string, then every ForwardMsg until
``script_finished``). Each session does the same realistic sequence, which the app keeps in the URL:

    open (the default map) -> filter (one outlet) -> pan/zoom (a closer view) -> click a claim -> open the reader

After its five steps each session pans ``--endpoint-pans`` times the way the map does since issue 13: an HTTP
GET of the app's map endpoint (``/ca-api/map``, dashboard/api.py), no rerun; those are reported apart
(``endpoint_pan_p50_ms``, ``endpoint_pan_p95_ms``) so p50/p95 stay over the same five rerun steps as before.

Response time of a step = from sending the rerun to the server's ``script_finished`` for it. Printed
(one JSON object with ``--json``): ``sessions``, ``p50_ms``, ``p95_ms``, ``max_ms``, ``errors`` (script
errors, exceptions shown in the page, timeouts, refused connections), ``starved`` (sessions that did not
finish their sequence), ``server_rss_mb`` (peak resident set of the server process, sampled every 0.2 s).
Bounded: at most ``--max-sessions`` sessions, and every step times out after ``--step-timeout`` seconds.
Nothing but loopback is used.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

MAX_SESSIONS = 100
SYNTH_CACHE = Path.home() / ".cache" / "claims-atlas" / "synth"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def synth_data(n: int) -> tuple[Path, Path]:
    """The dashboard benchmark's synthetic claims (the same cached files: benchmarks/synth.py, with the
    contract's 0.2 columns added by dashboard_bench.synth_write)."""
    from dashboard_bench import synth_write

    return synth_write(n, SYNTH_CACHE)


def sample(events_path: Path) -> tuple[str, float, float, str]:
    """A real outlet (the commonest), and the place and id of one of its town-level claims."""
    import duckdb

    source = str(events_path / "**" / "*.parquet") if events_path.is_dir() else str(events_path)
    row = duckdb.sql(
        "SELECT outlet, lat, lon, event_id FROM read_parquet(?) WHERE outlet = "
        "(SELECT mode(outlet) FROM read_parquet(?)) AND geo_precision = 1 ORDER BY event_id LIMIT 1",
        params=[source, source],
    ).fetchall()
    return row[0]


def endpoint_pans(events_path: Path, n: int) -> list[str]:
    """Query strings of n pans eastward (a third of a zoom-9 view each) as the map asks the app's endpoint
    (dashboard/api.py) for them: no rerun, one HTTP GET per view."""
    outlet, lat, lon, _ = sample(events_path)
    half_lat, half_lon = 0.6, 1.1
    return [f"outlet={outlet}&south={lat - half_lat:.5f}&west={lon - half_lon + 0.7 * i:.5f}&north={lat + half_lat:.5f}"
            f"&east={lon + half_lon + 0.7 * i:.5f}&zoom=9" for i in range(1, n + 1)]


def steps_for(events_path: Path) -> list[tuple[str, str]]:
    """(step, query string) of one viewer's sequence, on a real outlet, place and claim of the data."""
    outlet, lat, lon, event = sample(events_path)
    near = f"outlet={outlet}&lat={lat:.4f}&lon={lon:.4f}&zoom=9"
    return [
        ("open", ""),
        ("filter", f"outlet={outlet}"),
        ("pan", near),
        ("click", f"{near}&event={event}"),
        ("reader", f"{near}&event={event}&view=reader"),
    ]


class Server:
    """`streamlit run app.py` on loopback, with its peak RSS sampled in a thread."""

    def __init__(self, events: Path, articles: Path, extra: list[str], app_dir: Path = ROOT):
        self.port = free_port()
        env = {**os.environ, "EVENTS_PATH": str(events), "ARTICLES_PATH": str(articles), "CLAIMS_ATLAS_OFFLINE": "1"}
        args = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "127.0.0.1",
                "--server.port", str(self.port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
                "--server.fileWatcherType", "none", *extra]  # other work in the tree must not reload the app
        self.proc = subprocess.Popen(args, cwd=app_dir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.peak_rss = 0.0
        self._stop = threading.Event()
        self._sampler = threading.Thread(target=self._sample, daemon=True)

    def wait_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"streamlit exited: {self.proc.stderr.read()[-2000:]}")
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    self._sampler.start()
                    return
            time.sleep(0.2)
        raise SystemExit("streamlit did not start listening in time")

    def _sample(self) -> None:
        import psutil

        proc = psutil.Process(self.proc.pid)
        while not self._stop.is_set():
            try:
                rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
            except psutil.Error:
                break
            self.peak_rss = max(self.peak_rss, rss / 1e6)
            time.sleep(0.2)

    def stop(self) -> None:
        self._stop.set()
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def one_rerun(ws, query: str, timeout: float) -> tuple[float, str | None, int, str]:
    """Send a rerun with this query string; (milliseconds until script_finished, error or None, bytes
    received, the page's text sample: markdown bodies, to check that the step showed what it asked for)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    msg = BackMsg()
    msg.rerun_script.query_string = query
    msg.rerun_script.page_script_hash = ""
    started = time.perf_counter()
    await ws.send(msg.SerializeToString())
    error, received, texts = None, 0, []
    async with asyncio.timeout(timeout):
        while True:
            data = await ws.recv()
            received += len(data)
            fwd = ForwardMsg()
            fwd.ParseFromString(data)
            kind = fwd.WhichOneof("type")
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element" and fwd.delta.new_element.WhichOneof("type") == "markdown":
                texts.append(fwd.delta.new_element.markdown.body[:80])
            if kind == "delta" and fwd.delta.WhichOneof("type") == "new_element" and fwd.delta.new_element.WhichOneof("type") == "exception":
                error = f"exception in the page: {fwd.delta.new_element.exception.message[:200]}"
            if kind == "script_finished":
                if fwd.script_finished not in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY):
                    error = error or f"script finished with status {fwd.script_finished}"
                return (time.perf_counter() - started) * 1000, error, received, " | ".join(texts)[:300]


def fetch_view(port: int, query: str, timeout: float) -> tuple[float, str | None]:
    """One GET of the map endpoint: (milliseconds until the whole answer is read, error or None)."""
    import urllib.error
    import urllib.request

    started = time.perf_counter()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ca-api/map?{query}", timeout=timeout) as r:
            body = r.read()
        error = None if body.startswith(b'{"mode"') else f"not a map answer: {body[:80]!r}"
    except (urllib.error.URLError, OSError) as exc:
        error = f"endpoint: {exc}"
    return (time.perf_counter() - started) * 1000, error


async def session(port: int, steps: list[tuple[str, str]], timeout: float, start: asyncio.Event,
                  pans: list[str] = ()) -> dict:
    import websockets

    await start.wait()
    result = {"times": {}, "errors": [], "bytes": {}, "texts": {}, "pans": []}
    try:
        async with websockets.connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                                      origin=f"http://127.0.0.1:{port}", max_size=64 * 2**20, open_timeout=timeout,
                                      ping_interval=None) as ws:  # as a browser: no client-side ping deadline
            for name, query in steps:
                ms, error, received, text = await one_rerun(ws, query, timeout)
                result["times"][name], result["bytes"][name], result["texts"][name] = ms, received, text
                if error:
                    result["errors"].append(f"{name}: {error}")
            for query in pans:  # the map's own pans, while the session stays open
                ms, error = await asyncio.to_thread(fetch_view, port, query, timeout)
                result["pans"].append(ms)
                if error:
                    result["errors"].append(error)
    except (TimeoutError, OSError, Exception) as exc:  # every failure is counted, none stops the others
        result["errors"].append(f"{type(exc).__name__}: {exc}")
    return result


async def drive(port: int, steps: list[tuple[str, str]], n: int, timeout: float, pans: list[str] = ()) -> list[dict]:
    start = asyncio.Event()
    tasks = [asyncio.create_task(session(port, steps, timeout, start, pans)) for _ in range(n)]
    start.set()
    return await asyncio.gather(*tasks)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def run_bench(n_events: int, sessions: int, timeout: float, extra: list[str], data: tuple[Path, Path] | None = None,
              app_dir: Path = ROOT, pans: int = 0) -> dict:
    """``data``: (events, articles) paths to serve instead of the cached synthetic files of n_events;
    ``app_dir``: run app.py from this checkout (e.g. an older commit unpacked with git archive)."""
    events, articles = data or synth_data(n_events)
    steps = steps_for(events)
    server = Server(events, articles, extra, app_dir)
    try:
        server.wait_ready()
        warm = asyncio.run(drive(server.port, steps[:1], 1, timeout))  # first load: DuckDB views, caches, imports
        started = time.perf_counter()
        results = asyncio.run(drive(server.port, steps, sessions, timeout, endpoint_pans(events, pans)))
        wall = time.perf_counter() - started
    finally:
        server.stop()
    times = [ms for r in results for ms in r["times"].values()]
    pan_times = [ms for r in results for ms in r["pans"]]
    per_step = {name: round(statistics.median([r["times"][name] for r in results if name in r["times"]] or [float("nan")]), 1)
                for name, _ in steps}
    return {
        "events": n_events,
        "sessions": sessions,
        "p50_ms": round(percentile(times, 0.5), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
        "max_ms": round(max(times), 1) if times else None,
        "errors": sum(len(r["errors"]) for r in results),
        "starved": sum(len(r["times"]) < len(steps) for r in results),
        "server_rss_mb": round(server.peak_rss, 1),
        "median_ms_per_step": per_step,
        "median_kb_per_step": {name: round(statistics.median([r["bytes"][name] for r in results if name in r["bytes"]] or [0]) / 1e3, 1)
                               for name, _ in steps},
        "endpoint_pans": len(pan_times),
        "endpoint_pan_p50_ms": round(percentile(pan_times, 0.5), 1) if pan_times else None,
        "endpoint_pan_p95_ms": round(percentile(pan_times, 0.95), 1) if pan_times else None,
        "first_load_ms": round(warm[0]["times"].get("open", float("nan")), 1),
        "wall_s": round(wall, 1),
        "error_samples": sorted({e for r in results for e in r["errors"]})[:5],
        "server_args": extra,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--step-timeout", type=float, default=120.0, help="seconds before a step counts as an error")
    parser.add_argument("--max-sessions", type=int, default=MAX_SESSIONS)
    parser.add_argument("--server-arg", action="append", default=[], help="extra `streamlit run` option, e.g. --server-arg=--runner.fastReruns=false")
    parser.add_argument("--endpoint-pans", type=int, default=3,
                        help="after its five steps, each session pans this many times through the map endpoint "
                             "(HTTP, no rerun; reported apart from p50/p95 of the steps); 0 for an app without it")
    parser.add_argument("--app-dir", type=Path, default=ROOT,
                        help="run app.py from this checkout (e.g. an older commit unpacked with git archive)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if not 1 <= args.sessions <= args.max_sessions:
        raise SystemExit(f"--sessions must be between 1 and {args.max_sessions}")
    result = run_bench(args.events, args.sessions, args.step_timeout, args.server_arg, app_dir=args.app_dir,
                       pans=max(0, args.endpoint_pans))
    print(json.dumps(result) if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
