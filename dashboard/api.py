"""The map's own data endpoint: the Leaflet map fetches the claims for its new view without a Streamlit rerun.

    GET <server>/ca-api/map?<filters as in the page URL>&south=S&west=W&north=N&east=E&zoom=Z&lat=..&lon=..
        [&color=group|type][&token=T][&data=0]

Filter parameters (``outlet``, ``actor``, ``group``, ``type``, ``subtype``, ``status``, ``from``, ``to``,
``undated``, ``q``, ``color``) are validated by the URL-state code (``urlstate.parse``), but strictly: a
value the page would drop with a notice is a 400 here, with the same notice as the reason, and so is any
parameter not listed above (no path, file or SQL is ever taken from a request). Values reach SQL only as
bound parameters (``query.where_clause``). The answer is :func:`mapview.layer_data`'s JSON document
(markers or grid cells for the snapped view, from the same cached ``EventStore.map_payload`` the page
uses), at most MAX_BYTES, with every article string left as data (the browser renders it as text).

``token`` is the page session's random id; ``lat``/``lon``/``zoom`` are the map view the browser wrote
into its URL (``history.replaceState``): the endpoint remembers it per token so the next rerun of that
session writes the same view into the URL. ``data=0`` only records the view (a pan inside the area the
browser already has).

The route is added to the running Streamlit server (Starlette/uvicorn in the Streamlit 1.67 we pin, not Tornado) by :func:`install`,
once per process; deployments that build their own ``st.App`` can pass :func:`routes` instead. Requests
from another site (``Sec-Fetch-Site: cross-site``/``same-site``, or an ``Origin`` that is not this host)
get 403; the answer carries no CORS header, so other origins cannot read it.
"""

from __future__ import annotations

import gc
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from dashboard import compare, mapview, urlstate
from dashboard.query import Bounds, EventStore, Filters, MapPayload

API_PATH = "ca-api/map"
FILTER_KEYS = frozenset(urlstate.MULTI_PARAMS) | {"from", "to", "undated", "q", "color"}
VIEW_KEYS = ("south", "west", "north", "east")
ALLOWED_KEYS = FILTER_KEYS | set(VIEW_KEYS) | {"zoom", "lat", "lon", "token", "data"}
MAX_BYTES = 2_000_000
MAX_PARAM_VALUES = 1000
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
COORD_RE = re.compile(r"^-?\d{1,3}(\.\d{1,4})?$")  # the URL's lat/lon as the page writes them
VIEWS_KEPT = 10_000  # sessions whose last map view is remembered (least recently used dropped)


class BadRequest(ValueError):
    """The request's parameters cannot be used; ``problems`` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class MapRequest:
    filters: Filters
    color_by: str
    bounds: Bounds
    zoom: int
    view: tuple[str, str, int] | None  # lat, lon as written in the URL, zoom
    token: str | None
    want_data: bool


@dataclass(frozen=True)
class Published:
    """What the running app hands the endpoint: its store, the filter options, the marker bound."""

    store: EventStore
    options: Mapping[str, Sequence[str]]
    max_markers: int


_lock = threading.Lock()
_published: Published | None = None
_views: OrderedDict[str, tuple[str, str, int]] = OrderedDict()
_others_kept: OrderedDict[int, tuple[MapPayload, dict[str, int]]] = OrderedDict()
_installed: bool | None = None


def _one(params: Mapping[str, Sequence[str]], key: str, problems: list[str]) -> str | None:
    values = list(params.get(key) or [])
    if len(values) > 1:
        problems.append(f"{key} is given {len(values)} times; give it once.")
    return values[-1] if values else None


def _float(params: Mapping[str, Sequence[str]], key: str, lo: float, hi: float, problems: list[str]) -> float:
    raw = _one(params, key, problems)
    try:
        value = float(raw) if raw is not None else math.nan
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and lo <= value <= hi):
        problems.append(f"{key}={'missing' if raw is None else repr(raw[:40])}: expected a number from {lo:g} to {hi:g}.")
        return lo
    return value


def _bounds(params: Mapping[str, Sequence[str]], problems: list[str]) -> Bounds:
    south, north = (_float(params, k, -90, 90, problems) for k in ("south", "north"))
    west, east = (_float(params, k, -720, 720, problems) for k in ("west", "east"))
    if south >= north or west >= east or east - west > 720:
        problems.append("the view must have south < north and west < east (at most 720 degrees wide).")
    return Bounds(south, west, north, east)


def _view(params: Mapping[str, Sequence[str]], zoom: int, problems: list[str]) -> tuple[str, str, int] | None:
    lat, lon = _one(params, "lat", problems), _one(params, "lon", problems)
    if lat is None and lon is None:
        return None
    for key, raw, limit in (("lat", lat, 85), ("lon", lon, 180)):
        if raw is None or not COORD_RE.match(raw) or abs(float(raw)) > limit:
            problems.append(f"{key}: expected a number from {-limit} to {limit} with at most 4 decimals.")
            return None
    return lat, lon, zoom


def parse_request(params: Mapping[str, Sequence[str]], options: Mapping[str, Sequence[str]]) -> MapRequest:
    """The validated request, or :class:`BadRequest` naming every parameter that cannot be used."""
    problems = [f"unknown parameter {k[:40]!r}." for k in params if k not in ALLOWED_KEYS]
    if sum(len(v) for v in params.values()) > MAX_PARAM_VALUES:
        problems.append(f"more than {MAX_PARAM_VALUES} parameter values.")
    for key in ("from", "to", "undated", "q", "color"):
        _one(params, key, problems)
    state, notices = urlstate.parse({k: list(v) for k, v in params.items() if k in FILTER_KEYS}, options)
    problems += notices
    bounds = _bounds(params, problems)
    zoom = int(_float(params, "zoom", 1, 18, problems))
    view = _view(params, zoom, problems)
    token = _one(params, "token", problems)
    if token is not None and not TOKEN_RE.match(token):
        problems.append("token: not a session token.")
    data = _one(params, "data", problems)
    if data not in (None, "0", "1"):
        problems.append("data: expected 0 or 1.")
    if problems:
        raise BadRequest(problems)
    return MapRequest(state.filters, state.color_by, bounds, zoom, view, token, data != "0")


def filter_query(filters: Filters, color_by: str) -> str:
    """The filter part of the page URL (what the reader and Compare links carry)."""
    return urlstate.query_string(urlstate.to_params(urlstate.ViewState(filters=filters, color_by=color_by)))


def build_layer(store: EventStore, filters: Filters, color_by: str, bounds: Bounds, zoom: int, max_markers: int,
                selected: str | None, api: dict[str, str] | None) -> dict[str, Any]:
    """The map layer's JSON document for a view: the page's first draw and every fetch use this."""
    payload = store.map_payload(filters, bounds, zoom, max_markers)
    return mapview.layer_data(payload, color_by, filter_query(filters, color_by), selected, _others(store, payload), api)


def _others(store: EventStore, payload: MapPayload) -> dict[str, int]:
    """Other outlets per marker, remembered with the (cached, shared) payload they were counted for."""
    if payload.mode != "markers":
        return {}
    with _lock:
        kept = _others_kept.get(id(payload))
    if kept is not None and kept[0] is payload:
        return kept[1]
    others = compare.others_of_markers(store, payload.markers)
    with _lock:
        _others_kept[id(payload)] = (payload, others)
        while len(_others_kept) > 64:
            _others_kept.popitem(last=False)
    return others


def publish(store: EventStore, options: Mapping[str, Sequence[str]], max_markers: int) -> None:
    """Called by the app on every run: the endpoint answers from the app's own store and options."""
    global _published
    current = _published
    if current is None or current.store is not store or current.max_markers != max_markers:
        _published = Published(store, options, max_markers)


def record_view(token: str, view: tuple[str, str, int]) -> None:
    with _lock:
        _views[token] = view
        _views.move_to_end(token)
        while len(_views) > VIEWS_KEPT:
            _views.popitem(last=False)


def last_view(token: str | None) -> tuple[float, float, int] | None:
    """The map view the session's browser last reported (lat, lon, zoom), or None."""
    with _lock:
        view = _views.get(token or "")
    return None if view is None else (float(view[0]), float(view[1]), int(view[2]))


def forget_view(token: str | None) -> None:
    """The page took its view from the URL (a link, Back/Forward): an older report must not override it."""
    with _lock:
        _views.pop(token or "", None)


def answer(params: Mapping[str, Sequence[str]]) -> tuple[int, dict[str, Any]]:
    """(HTTP status, JSON body) for one request; plain function, no web framework."""
    published = _published
    if published is None:
        return 503, {"error": "The app has not opened its data yet: load the page first."}
    try:
        req = parse_request(params, published.options)
    except BadRequest as exc:
        return 400, {"error": "Bad map request.", "problems": exc.problems}
    if req.token and req.view:
        record_view(req.token, req.view)
    if not req.want_data:
        return 200, {"recorded": bool(req.token and req.view)}
    data = build_layer(published.store, req.filters, req.color_by, req.bounds, req.zoom, published.max_markers,
                       None, None)
    return 200, _bounded(data)


def _bounded(data: dict[str, Any]) -> dict[str, Any]:
    """Drop markers from the end until the JSON is at most MAX_BYTES (never needed at 1,000 markers)."""
    events = data.get("events")
    while events and len(mapview.safe_json(data)) > MAX_BYTES:
        events = events[: len(events) // 2]
        data = {**data, "events": events, "truncated": True, "covers": [0, 0, 0, 0]}  # complete nowhere: refetch
    return data


def _cross_site(headers: Mapping[str, str]) -> bool:
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return True
    origin = headers.get("origin")
    return origin is not None and urlsplit(origin).netloc != headers.get("host", "")


async def endpoint(request: Any) -> Any:
    """The Starlette endpoint: validation and the query run in a worker thread, JSON out."""
    from starlette.concurrency import run_in_threadpool
    from starlette.responses import Response

    if _cross_site(request.headers):
        status, body = 403, {"error": "The map endpoint answers only the app's own pages."}
    else:
        params: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            params.setdefault(key, []).append(value)
        status, body = await run_in_threadpool(answer, params)
    return Response(mapview.safe_json(body), status_code=status, media_type="application/json",
                    headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


def route_path() -> str:
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/{API_PATH}" if base else f"/{API_PATH}"


def routes() -> list[Any]:
    """The endpoint as Starlette routes, for a deployment that builds ``st.App("app.py", routes=...)``."""
    from starlette.routing import Route

    return [Route(route_path(), endpoint, methods=["GET"], name="claims_atlas_map")]


def _streamlit_apps() -> list[Any]:
    from starlette.applications import Starlette

    found = []
    for obj in gc.get_objects():
        if isinstance(obj, Starlette) and any(str(getattr(r, "path", "")).endswith("_stcore/health")
                                              for r in obj.router.routes):
            found.append(obj)
    return found


def install() -> bool:
    """Add the route to the running Streamlit server (first in its route list, before the page's catch-all),
    once per process. False when there is no Starlette server (AppTest, an older Streamlit): the map then
    falls back to reporting its view to the app."""
    global _installed
    with _lock:
        if _installed is None:
            try:
                apps = _streamlit_apps()
            except ImportError:
                apps = []
            for app in apps:
                if not any(getattr(r, "name", None) == "claims_atlas_map" for r in app.router.routes):
                    app.router.routes[0:0] = routes()
            _installed = bool(apps)
        return _installed
