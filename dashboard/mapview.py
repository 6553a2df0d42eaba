"""Folium map building: a stable offline base map and a bounded, escaped event layer.

The base map never changes during a session (streamlit-folium keys the
component on its script), so pans and filter changes only swap the event
layer (``feature_group_to_add``) inside the same iframe.

Safety: no article string is put into HTML or into a JavaScript template.
Events travel as one JSON document in which ``<``, ``>``, ``&`` and the line
separators are \\u-escaped, and ``static/claims_atlas.js`` renders every string
with ``textContent``. Folium's ``Popup`` and ``Tooltip`` are never used.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import folium
import pandas as pd
from branca.element import MacroElement
from jinja2 import Template

from dashboard.query import MapPayload

PRECISION_LABELS = {1: "town or exact place", 2: "near or part of a place", 3: "region only", 4: "country only"}

ACTOR_GROUP_COLORS = {
    "state forces": "#1f5fa8",
    "rebel groups": "#c0392b",
    "political militias": "#8e44ad",
    "identity militias": "#8d5524",
    "external forces": "#e67e22",
    "civilians": "#27ae60",
    "protesters": "#d35fa6",
    "unidentified": "#7f8c8d",
}
EVENT_TYPE_COLORS = {
    "Battles": "#c0392b",
    "Explosions/Remote violence": "#e67e22",
    "Violence against civilians": "#8e44ad",
    "Protests": "#27ae60",
    "Riots": "#d35fa6",
    "Strategic developments": "#1f5fa8",
}
OTHER_COLOR = "#7f8c8d"
COLOR_MODES = {"group": ("actor_group", "Actor group", ACTOR_GROUP_COLORS), "type": ("event_type", "Event type", EVENT_TYPE_COLORS)}

_JS_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def safe_json(value: Any) -> str:
    """JSON that is inert inside <script>, an HTML attribute or a JS eval: no <, >, & or line separators."""
    text = json.dumps(value, ensure_ascii=True, separators=(",", ":"), default=str)
    return re.sub(r"[<>&\u2028\u2029]", lambda m: _JS_ESCAPES[m.group()], text)


class OfflineMap(folium.Map):
    """A folium Map that loads Leaflet and plugins from the app's static folder, not from CDNs."""

    def __init__(self, static_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.default_js = [
            ("leaflet", f"{static_url}/leaflet/leaflet.js"),
            ("markercluster", f"{static_url}/markercluster/leaflet.markercluster.js"),
            ("claims_atlas", f"{static_url}/claims_atlas.js"),
        ]
        self.default_css = [
            ("leaflet_css", f"{static_url}/leaflet/leaflet.css"),
            ("markercluster_css", f"{static_url}/markercluster/MarkerCluster.css"),
            ("markercluster_default_css", f"{static_url}/markercluster/MarkerCluster.Default.css"),
            ("claims_atlas_css", f"{static_url}/claims_atlas.css"),
        ]


class _Basemap(MacroElement):
    _template = Template(
        """{% macro script(this, kwargs) %}
        window.ClaimsAtlas.basemap({{ this._parent.get_name() }}, {{ this.url_json }});
        {% endmacro %}"""
    )

    def __init__(self, url: str) -> None:
        super().__init__()
        self._name = "Basemap"
        self.url_json = safe_json(url)


class _EventData(MacroElement):
    _template = Template(
        """{% macro script(this, kwargs) %}
        window.ClaimsAtlas.draw({{ this._parent._parent.get_name() }}, {{ this._parent.get_name() }}, {{ this.data_json }});
        {% endmacro %}"""
    )

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__()
        self._name = "EventData"
        self.data_json = safe_json(data)


def base_map(
    static_url: str, tiles: str | None = None, center: tuple[float, float] = (20.0, 20.0), zoom: int = 2
) -> folium.Map:
    """The session's stable map (opening view, country outlines from static/, tiles only if configured)."""
    m = OfflineMap(
        static_url,
        location=list(center),
        zoom_start=zoom,
        tiles=None,
        prefer_canvas=False,
        control_scale=True,
        world_copy_jump=True,
        max_zoom=18,
        min_zoom=2,
    )
    m.options["max_zoom"] = 18  # markercluster needs it on the map itself when there is no tile layer
    _Basemap(f"{static_url}/basemap/countries.geojson").add_to(m)
    if tiles:
        folium.TileLayer(tiles).add_to(m)
    return m


def highlight_spans(sentence: str, trigger: str | None, place_text: str | None) -> list[list[Any]]:
    """Non-overlapping [start, end, kind] spans of the trigger and the place in the sentence."""
    spans: list[list[Any]] = []
    lower = sentence.lower()
    for word, kind in ((trigger, "trigger"), (place_text, "place")):
        if not word:
            continue
        at = lower.find(word.lower())
        if at < 0:
            continue
        end = at + len(word)
        if all(end <= s or at >= e for s, e, _ in spans):
            spans.append([at, end, kind])
    return sorted(spans)


def _text(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    return str(value)


def _date_label(row: pd.Series) -> str:
    if _text(row.get("event_date")):
        return _text(row["event_date"]) or ""
    if _text(row.get("published")):
        return f"not stated (article published {_text(row['published'])})"
    return "not stated"


def event_record(row: pd.Series, color: str) -> dict[str, Any]:
    """One marker's JSON record; all strings are data, rendered with textContent in the browser."""
    sentence = _text(row["sentence"]) or ""
    precision = int(row["geo_precision"])
    return {
        "id": row["event_id"],
        "lat": round(float(row["lat"]), 5),
        "lon": round(float(row["lon"]), 5),
        "p": precision,
        "color": color,
        "sentence": sentence,
        "spans": highlight_spans(sentence, _text(row["trigger"]), _text(row["place_text"])),
        "outlet": _text(row["outlet"]),
        "date": _date_label(row),
        "place": _text(row["place_name"]),
        "precision": PRECISION_LABELS.get(precision, str(precision)),
        "actor": _text(row["actor"]) or "not stated",
        "actor_text": _text(row["actor_text"]),
        "type": " / ".join(v for v in (_text(row["event_type"]), _text(row["sub_event_type"])) if v),
        "source": _text(row["claim_source"]),
        "status": _text(row["claim_status"]),
        "fatalities": _text(row["fatalities"]),
        "title": _text(row["title"]),
        "url": _text(row["url"]),
    }


def layer_data(payload: MapPayload, color_by: str, query: str, selected: str | None) -> dict[str, Any]:
    """The JSON document the browser draws (markers or grid cells, legend, reader link query)."""
    column, title, palette = COLOR_MODES.get(color_by, COLOR_MODES["group"])
    data: dict[str, Any] = {
        "mode": payload.mode,
        "query": query,
        "selected": selected,
        "legend_title": f"Colour: {title}",
        "legend": [[name, color] for name, color in palette.items()] + [["other / not stated", OTHER_COLOR]],
    }
    if payload.mode == "cells":
        top = "top_group" if column == "actor_group" else "top_type"
        data["cells"] = [
            {
                "n": int(r.n),
                "lat": round(float(r.lat), 4),
                "lon": round(float(r.lon), 4),
                "outlets": int(r.outlets),
                "color": palette.get(_text(getattr(r, top)) or "", OTHER_COLOR),
            }
            for r in payload.cells.itertuples(index=False)
        ]
        return data
    data["events"] = [
        event_record(row, palette.get(_text(row[column]) or "", OTHER_COLOR)) for _, row in payload.markers.iterrows()
    ]
    return data


def event_layer(payload: MapPayload, color_by: str, query: str, selected: str | None) -> folium.FeatureGroup:
    """The feature group handed to st_folium(feature_group_to_add=...)."""
    group = folium.FeatureGroup(name="Claims", control=False)
    _EventData(layer_data(payload, color_by, query, selected)).add_to(group)
    return group


def view_for_bounds(south: float, west: float, north: float, east: float) -> tuple[tuple[float, float], int]:
    """A centre and zoom that shows the bounds on a ~900x560 px map."""
    span = max(north - south, (east - west) * 0.6, 0.05)
    zoom = int(max(2, min(12, math.floor(math.log2(180.0 / span)))))
    return ((south + north) / 2, (west + east) / 2), zoom
