"""The dashboard view <-> URL query parameters, with validation.

Every filter, the colour mode, the open view, the selected event and the map
centre and zoom are kept in the URL so a link reproduces the view. Values are
checked against the data's options and sane ranges; anything unknown or
malformed is dropped and reported in a notice (never an exception).

Query parameter names (repeated names carry multiple values)::

    outlet actor group type subtype status   multi-selects
    from to                                  ISO dates (YYYY-MM-DD)
    undated                                  1/0: include claims with no date
    q                                        free text searched in sentences
    color                                    group | type
    view                                     map | timeline | table | compare | reader
    event                                    selected event id (16 hex)
    lat lon zoom                             map centre and zoom
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from dashboard.query import Filters

MULTI_PARAMS = {
    "outlet": "outlets",
    "actor": "actors",
    "group": "actor_groups",
    "type": "event_types",
    "subtype": "sub_event_types",
    "status": "claim_statuses",
}
VIEWS = ("map", "timeline", "table", "compare", "reader")
COLOR_BYS = ("group", "type")
KNOWN_PARAMS = set(MULTI_PARAMS) | {"from", "to", "undated", "q", "color", "view", "event", "lat", "lon", "zoom"}
EVENT_ID_RE = re.compile(r"^[0-9a-f]{8,64}$")
MAX_TEXT = 200
MAX_VALUES = 200


@dataclass(frozen=True)
class ViewState:
    filters: Filters = field(default_factory=Filters)
    color_by: str = "group"
    view: str = "map"
    event: str | None = None
    lat: float | None = None
    lon: float | None = None
    zoom: int | None = None


def _multi(name: str, values: Sequence[str], allowed: Sequence[str], notices: list[str]) -> tuple[str, ...]:
    allowed_set = set(allowed)
    kept: list[str] = []
    for v in values[:MAX_VALUES]:
        if v in allowed_set and v not in kept:
            kept.append(v)
        elif v not in allowed_set:
            notices.append(f"Ignored {name}={_show(v)}: no such value in the data.")
    return tuple(kept)


def _show(value: str) -> str:
    """A short, quoted rendering of a raw URL value for a notice (plain text only)."""
    short = value if len(value) <= 40 else value[:37] + "..."
    return repr(short)


def _date(name: str, raw: str | None, notices: list[str]) -> dt.date | None:
    if raw is None or raw == "":
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        notices.append(f"Ignored {name}={_show(raw)}: dates are written YYYY-MM-DD.")
        return None


def _number(name: str, raw: str | None, lo: float, hi: float, notices: list[str]) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not lo <= value <= hi:
        notices.append(f"Ignored {name}={_show(raw)}: expected a number from {lo:g} to {hi:g}.")
        return None
    return value


def _choice(name: str, raw: str | None, allowed: Sequence[str], default: str, notices: list[str]) -> str:
    if raw is None:
        return default
    if raw in allowed:
        return raw
    notices.append(f"Ignored {name}={_show(raw)}: expected one of {', '.join(allowed)}.")
    return default


def _filters(params: Mapping[str, Sequence[str]], options: Mapping[str, Sequence[str]], notices: list[str]) -> Filters:
    def first(key: str) -> str | None:
        values = params.get(key) or []
        return values[-1] if values else None

    multi = {attr: _multi(key, list(params.get(key) or []), options.get(attr, ()), notices) for key, attr in MULTI_PARAMS.items()}
    date_from, date_to = _date("from", first("from"), notices), _date("to", first("to"), notices)
    if date_from and date_to and date_from > date_to:
        notices.append("Ignored the date range: 'from' is after 'to'.")
        date_from = date_to = None
    undated = _choice("undated", first("undated"), ("1", "0"), "1", notices) == "1"
    text = first("q") or ""
    if len(text) > MAX_TEXT:
        notices.append(f"Shortened the search text to {MAX_TEXT} characters.")
        text = text[:MAX_TEXT]
    return Filters(**multi, date_from=date_from, date_to=date_to, include_undated=undated, text=text)


def parse(params: Mapping[str, Sequence[str]], options: Mapping[str, Sequence[str]]) -> tuple[ViewState, list[str]]:
    """Validated view state from query parameters, and a notice for every value dropped."""
    notices: list[str] = [f"Ignored unknown link parameter {_show(k)}." for k in params if k not in KNOWN_PARAMS]

    def first(key: str) -> str | None:
        values = params.get(key) or []
        return values[-1] if values else None

    filters = _filters(params, options, notices)
    event = first("event")
    if event is not None and not EVENT_ID_RE.match(event):
        notices.append(f"Ignored event={_show(event)}: not an event id.")
        event = None
    lat = _number("lat", first("lat"), -85, 85, notices)
    lon = _number("lon", first("lon"), -180, 180, notices)
    zoom = _number("zoom", first("zoom"), 1, 18, notices)
    if (lat is None) != (lon is None):
        notices.append("Ignored the map centre: it needs both lat and lon.")
        lat = lon = None
    view = _choice("view", first("view"), VIEWS, "map", notices)
    if view == "reader" and event is None:
        view = "map"
    state = ViewState(
        filters=filters,
        color_by=_choice("color", first("color"), COLOR_BYS, "group", notices),
        view=view,
        event=event,
        lat=lat,
        lon=lon,
        zoom=None if zoom is None else int(round(zoom)),
    )
    return state, notices


def to_params(state: ViewState) -> dict[str, list[str]]:
    """Query parameters for a view state, defaults left out so links stay short."""
    f = state.filters
    out: dict[str, list[str]] = {key: list(getattr(f, attr)) for key, attr in MULTI_PARAMS.items() if getattr(f, attr)}
    if f.date_from:
        out["from"] = [f.date_from.isoformat()]
    if f.date_to:
        out["to"] = [f.date_to.isoformat()]
    if not f.include_undated:
        out["undated"] = ["0"]
    if f.text:
        out["q"] = [f.text]
    if state.color_by != "group":
        out["color"] = [state.color_by]
    if state.view != "map":
        out["view"] = [state.view]
    if state.event:
        out["event"] = [state.event]
    if state.lat is not None and state.lon is not None:
        out["lat"], out["lon"] = [f"{state.lat:.4f}"], [f"{state.lon:.4f}"]
    if state.zoom is not None:
        out["zoom"] = [str(state.zoom)]
    return out


def query_string(params: Mapping[str, Sequence[str]]) -> str:
    from urllib.parse import urlencode

    return urlencode([(k, v) for k, values in params.items() for v in values])


def replace(state: ViewState, **changes: object) -> ViewState:
    return dataclasses.replace(state, **changes)
