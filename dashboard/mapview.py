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
from pipeline import schema

PRECISION_LABELS = dict(schema.GEO_PRECISION_LABELS)

# Okabe-Ito: eight colours told apart with every common colour-vision deficiency; "other" is a light grey
OKABE_ITO = ("#0072B2", "#D55E00", "#CC79A7", "#E69F00", "#F0E442", "#009E73", "#56B4E9", "#000000")
OTHER_COLOR = "#BBBBBB"
ACTOR_GROUP_COLORS = dict(zip(schema.ACTOR_GROUPS, OKABE_ITO, strict=True))
EVENT_TYPE_COLORS = dict(zip(schema.EVENT_TYPES, ("#D55E00", "#E69F00", "#CC79A7", "#009E73", "#56B4E9", "#0072B2")))
COLOR_MODES = {"group": ("actor_group", "Actor group", ACTOR_GROUP_COLORS), "type": ("event_type", "Event type", EVENT_TYPE_COLORS)}

STREET_TILES = {
    "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    "attribution": '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
}
SATELLITE_TILES = {
    "url": "https://server.arcgisonline.com/ArcGIS/rest/services/World_Imagery/MapServer/tile/{z}/{y}/{x}",
    "attribution": "Imagery &copy; Esri, Maxar, Earthstar Geographics, and the GIS User Community",
}

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
        window.ClaimsAtlas.setup({{ this._parent.get_name() }}, {{ this.options_json }});
        {% endmacro %}"""
    )

    def __init__(self, options: dict[str, Any]) -> None:
        super().__init__()
        self._name = "Basemap"
        self.options_json = safe_json(options)


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


def basemap_options(static_url: str, offline: bool, tiles: str | None = None) -> dict[str, Any]:
    """What CA.setup needs: the offline outlines and labels, and (online only) the tile layers."""
    options: dict[str, Any] = {
        "offline": offline,
        "outlines": f"{static_url}/basemap/countries.geojson",
        "labels": f"{static_url}/basemap/labels.json",
    }
    if not offline:
        street = dict(STREET_TILES)
        if tiles and "{z}" in tiles:
            street = {"url": tiles, "attribution": "Map tiles as configured (CLAIMS_ATLAS_TILES)"}
        options["street"], options["satellite"] = street, SATELLITE_TILES
    return options


def base_map(
    static_url: str,
    tiles: str | None = None,
    center: tuple[float, float] = (20.0, 20.0),
    zoom: int = 2,
    offline: bool = True,
) -> folium.Map:
    """The session's stable map: opening view, basemap switch (street, satellite, offline outlines and towns)."""
    m = OfflineMap(
        static_url,
        location=list(center),
        zoom_start=zoom,
        tiles=None,
        prefer_canvas=False,
        control_scale=True,
        world_copy_jump=True,
        scroll_wheel_zoom=False,
        marker_zoom_animation=False,  # claims hide during a zoom's animation and come back redrawn for the new view
        max_zoom=18,
        min_zoom=2,
    )
    m.options["max_zoom"] = 18  # markercluster needs it on the map itself when there is no tile layer
    _Basemap(basemap_options(static_url, offline, tiles)).add_to(m)
    return m


def highlight_spans(sentence: str, trigger: str | None, place_text: str | None) -> list[list[Any]]:
    """Non-overlapping [start, end, kind] spans of the trigger and the place, found by searching the sentence."""
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


def _offset(row: pd.Series, column: str) -> int | None:
    value = row.get(column)
    if value is None or pd.isna(value):
        return None
    return int(value)


def exact_spans(row: pd.Series, sentence: str) -> list[list[Any]] | None:
    """Spans from the within-sentence offsets rows carry (trigger_start/_end, place_start/_end); None if absent."""
    spans: list[list[Any]] = []
    for prefix, kind in (("trigger", "trigger"), ("place", "place")):
        start, end = _offset(row, f"{prefix}_start"), _offset(row, f"{prefix}_end")
        if start is None or end is None:
            return None
        if not 0 <= start < end <= len(sentence):
            return None
        if all(end <= s or start >= e for s, e, _ in spans):
            spans.append([start, end, kind])
    return sorted(spans)


def sentence_spans(row: pd.Series, sentence: str) -> list[list[Any]]:
    """Exact spans when the file has offsets, else today's search by the words as written (old files)."""
    exact = exact_spans(row, sentence)
    if exact is not None:
        return exact
    return highlight_spans(sentence, _text(row.get("trigger")), _text(row.get("place_text")))


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


def event_record(row: pd.Series, color: str, others: int = 0) -> dict[str, Any]:
    """One marker's JSON record; all strings are data, rendered with textContent in the browser.
    ``others``: how many other outlets report the claim's event (its ``event_group``)."""
    sentence = _text(row["sentence"]) or ""
    precision = int(row["geo_precision"])
    return {
        "id": row["event_id"],
        "lat": round(float(row["lat"]), 5),
        "lon": round(float(row["lon"]), 5),
        "p": precision,
        "color": color,
        "sentence": sentence,
        "spans": sentence_spans(row, sentence),
        "outlet": _text(row["outlet"]),
        "date": _date_label(row),
        "place": _text(row["place_name"]),
        "precision": PRECISION_LABELS.get(precision, str(precision)),
        "actor": _text(row["actor"]) or "not stated",
        "actor_text": _text(row["actor_text"]),
        "etype": _text(row["event_type"]),
        "type": " / ".join(v for v in (_text(row["event_type"]), _text(row["sub_event_type"])) if v),
        "source": _text(row["claim_source"]),
        "status": _text(row["claim_status"]),
        "fatalities": _text(row["fatalities"]),
        "title": _text(row["title"]),
        "url": _text(row["url"]),
        "mentions": _mentions(row),
        "others": int(others),
    }


def _mentions(row: pd.Series) -> str | None:
    """'3 sentences of the article' when the file counts mentions and there is more than one."""
    value = row.get("mentions")
    if value is None or pd.isna(value) or int(value) <= 1:
        return None
    return f"{int(value)} sentences of the article report it"


def _covers(payload: MapPayload) -> list[float] | None:
    """[south, west, north, east] the payload is complete for; None = everywhere (every match is in it)."""
    b = payload.covers
    return None if b is None else [b.south, b.west, b.north, b.east]


def layer_data(payload: MapPayload, color_by: str, query: str, selected: str | None,
               others: dict[str, int] | None = None, api: dict[str, str] | None = None) -> dict[str, Any]:
    """The JSON document the browser draws (markers or grid cells, legend, reader link query).

    ``others``: per event id, how many other outlets report its event (the popup's Compare link).
    ``api``: where the map fetches the next view itself (``url``, ``token``; see dashboard/api.py), or
    None when the endpoint is not mounted (the map then reports its view and the app reruns)."""
    column, title, palette = COLOR_MODES.get(color_by, COLOR_MODES["group"])
    data: dict[str, Any] = {
        "mode": payload.mode,
        "total": int(payload.total),
        "query": query,
        "selected": selected,
        "covers": _covers(payload),
        "zoom": int(payload.zoom),
        "api": api,
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
                "top": _text(getattr(r, top)),
            }
            for r in payload.cells.itertuples(index=False)
        ]
        return data
    others = others or {}
    data["events"] = [
        event_record(row, palette.get(_text(row[column]) or "", OTHER_COLOR), others.get(str(row["event_id"]), 0))
        for _, row in payload.markers.iterrows()
    ]
    return data


def event_layer(data: dict[str, Any]) -> folium.FeatureGroup:
    """The feature group handed to st_folium(feature_group_to_add=...), drawing :func:`layer_data`'s document."""
    group = folium.FeatureGroup(name="Claims", control=False)
    _EventData(data).add_to(group)
    return group


def view_for_bounds(south: float, west: float, north: float, east: float) -> tuple[tuple[float, float], int]:
    """A centre and zoom that shows the bounds on a ~900x560 px map."""
    span = max(north - south, (east - west) * 0.6, 0.05)
    zoom = int(max(2, min(12, math.floor(math.log2(180.0 / span)))))
    return ((south + north) / 2, (west + east) / 2), zoom
