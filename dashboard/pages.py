"""The main-area views of the app: map, timeline, table & downloads, compare outlets, article reader."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboard import api, compare, export, mapview, reader, urlstate, views
from dashboard.config import DashboardSettings
from dashboard.query import Bounds, EventStore, Filters

MAP_HEIGHT = 560
# While the server fetches the next view the map keeps what it shows: no greying of the map during a rerun.
KEEP_MAP_LIT = ('<style>[data-stale="true"]:has(iframe[src*="st_folium"]) '
                "{opacity: 1 !important; transition: none !important;}</style>")
RETURNED = ["bounds", "zoom", "center", "last_active_drawing"]


def _bounds(returned: Mapping[str, Any] | None) -> Bounds | None:
    b = (returned or {}).get("bounds") or {}
    sw, ne = b.get("_southWest") or {}, b.get("_northEast") or {}
    try:
        return Bounds(float(sw["lat"]), float(sw["lng"]), float(ne["lat"]), float(ne["lng"]))
    except (KeyError, TypeError, ValueError):
        return None


def _approx_bounds(lat: float, lon: float, zoom: int) -> Bounds:
    """Roughly what a ~1000x560 px map shows at this centre and zoom (until the browser reports)."""
    half_lon = 360.0 / 2**zoom * 2.2
    half_lat = min(85.0, half_lon * 0.7)
    return Bounds(max(-90, lat - half_lat), lon - half_lon, min(90, lat + half_lat), lon + half_lon)


def initial_view(store: EventStore) -> tuple[tuple[float, float], int]:
    lat, lon, zoom = st.session_state.get("ca_initial_view") or (None, None, None)
    if lat is not None and lon is not None:
        return (lat, lon), zoom or 6
    extent = store.extent()
    if extent is None:
        return (20.0, 20.0), zoom or 2
    center, fit_zoom = mapview.view_for_bounds(extent.south, extent.west, extent.north, extent.east)
    st.session_state.ca_initial_view = (center[0], center[1], zoom or fit_zoom)  # fixed for the session
    return center, zoom or fit_zoom


def _take_map_return(returned: Mapping[str, Any] | None) -> None:
    """Remember the map's centre/zoom and a newly clicked event (for the URL)."""
    if not returned:
        return
    center, zoom = returned.get("center") or {}, returned.get("zoom")
    if center.get("lat") is not None and zoom is not None:
        lat, lon = round(float(center["lat"]), 4), round(((float(center["lng"]) + 180) % 360) - 180, 4)
        st.session_state.ca_map_view = (max(-85.0, min(85.0, lat)), lon, int(zoom))
    drawing = returned.get("last_active_drawing") or {}
    event_id = str((drawing.get("properties") or {}).get("event_id") or "")
    if urlstate.EVENT_ID_RE.match(event_id) and event_id != st.session_state.get("ca_last_click"):
        st.session_state.ca_last_click = event_id
        st.session_state.ca_event = event_id


def no_match(what: str = "claim") -> None:
    """The empty state: say why nothing shows and offer the way back."""
    st.info(f"No {what} matches these filters. Widen the dates, clear the search or remove an outlet or actor — "
            "or reset every filter.", icon=":material/filter_alt_off:")
    st.button("Reset filters", on_click=views.reset_filters, key="reset_empty", type="primary")


def view_token() -> str:
    """The session's random id for the map endpoint (dashboard/api.py), made on first use."""
    if not st.session_state.get("ca_view_token"):
        st.session_state.ca_view_token = secrets.token_urlsafe(18)
    return st.session_state.ca_view_token


def take_client_view() -> None:
    """The map view the browser reported to the endpoint since the last run becomes the session's,
    so this run writes the same lat/lon/zoom into the URL as the browser already shows."""
    view = api.last_view(st.session_state.get("ca_view_token"))
    if view is not None:
        st.session_state.ca_map_view = view


def _layer_view(filters: Filters, color_by: str, center: tuple[float, float], zoom: int) -> tuple[Bounds, int]:
    """With the endpoint, the page's layer is drawn for the view at the last filter or colour change and kept
    as it is across reruns (a click's rerun does not redraw the map); the browser fetches every later view."""
    key = (filters, color_by, st.session_state.get("ca_initial_event"))
    if st.session_state.get("ca_layer_key") != key:
        lat, lon, z = st.session_state.get("ca_map_view") or (None, None, None)
        st.session_state.ca_layer_key = key
        st.session_state.ca_layer_view = (lat, lon, z or zoom) if lat is not None else (center[0], center[1], zoom)
    lat, lon, z = st.session_state.ca_layer_view
    return _approx_bounds(lat, lon, int(z)), int(z)


def render_map(store: EventStore, settings: DashboardSettings, filters: Filters, reader_query: str,
               total: int) -> None:
    if total == 0:
        no_match()
        return
    center, zoom = initial_view(store)
    color_by = st.session_state.get("color_by", "group")
    endpoint = api.install()
    if endpoint:
        bounds, current_zoom = _layer_view(filters, color_by, center, zoom)
        returned, fetch = ["last_active_drawing"], {"url": settings.api_url, "token": view_token()}
    else:  # no endpoint (AppTest, another server): the map reports its view and the app reruns
        previous = st.session_state.get("ca_map")
        bounds = _bounds(previous) or _approx_bounds(center[0], center[1], zoom)
        current_zoom = int((previous or {}).get("zoom") or zoom)
        returned, fetch = RETURNED, None
    # only the event named in the opening link is opened by the map; later clicks must not redraw the layer
    data = api.build_layer(store, filters, color_by, bounds, current_zoom, settings.max_markers,
                           st.session_state.get("ca_initial_event"), fetch)
    data["query"] = reader_query
    st.caption(f"{total:,} claim{'s match' if total != 1 else ' matches'} the filters; the box at the top left of the "
               "map counts those in view. Click a point for the sentence it comes from; white numbered circles group "
               "nearby claims. Where too many are in view to draw one by one, coloured numbers count the claims per "
               "area: zoom in or filter to see them.")
    st.html(KEEP_MAP_LIT)
    returned = st_folium(
        mapview.base_map(settings.static_url, settings.tiles, center, zoom, settings.offline), key="ca_map",
        center=center, zoom=zoom,
        feature_group_to_add=mapview.event_layer(data), returned_objects=returned, height=MAP_HEIGHT,
        use_container_width=True,
    )
    _take_map_return(returned)
    _selected_panel(store)


def _open_reader() -> None:
    st.session_state.view = "reader"


def _selected_panel(store: EventStore) -> None:
    event_id = st.session_state.get("ca_event")
    row = store.event(event_id) if event_id else None
    if row is None:
        return
    with st.container(border=True):
        st.markdown("**Selected claim**")
        st.text(f"{row.outlet} · {row.place_name} · {row.claim_status}")
        st.text(str(row.sentence))
        st.button("Open in the article reader", on_click=_open_reader, key="open_reader")


def _select_event(event_id: str) -> None:
    st.session_state.ca_event = event_id
    st.session_state.ca_initial_event = event_id  # the map opens on it when the reader is left


def render_reader(store: EventStore) -> None:
    event_id = st.session_state.get("ca_event")
    row = store.event(event_id) if event_id else None
    if row is None:
        st.info("Select a claim on the map (or follow a claim's reader link) to read it in its article.")
        return
    article = store.article(row.doc_id)
    if article is None:
        st.warning("The article text is not available (no articles file was found); showing the sentence only.")
        st.text(str(row.sentence))
        return
    published = None if pd.isna(article.published) else str(pd.Timestamp(article.published).date())
    text, start, end = str(article.text), int(row.char_start), int(row.char_end)
    st.html(reader.header_html(title=article.title, outlet=str(article.outlet), published=published, url=article.url))
    main, side = st.columns([3, 2])
    with main:
        st.caption("The highlighted sentence is the claim you selected, with the text around it.")
        st.html(reader.excerpt_html(text, start, end))
        with st.expander("The whole article"):
            st.html(reader.article_html(text, start, end))
    with side:
        _reader_claims(store, row.doc_id, str(event_id))


def _reader_event(r: pd.Series) -> reader.ReaderEvent:
    return reader.ReaderEvent(str(r.event_id), int(r.char_start), int(r.char_end), str(r.trigger),
                              str(r.place_name), None if pd.isna(r.actor) else str(r.actor), str(r.event_type),
                              str(r.claim_status))


def _reader_claims(store: EventStore, doc_id: str, current: str) -> None:
    """The article's claims as buttons: choosing one stays on this page and updates the link."""
    listed = [_reader_event(r) for _, r in store.article_events(doc_id).iterrows()]
    st.markdown(f"**Claims found in this article** ({len(listed)})")
    for ev in listed:
        if ev.event_id == current:
            with st.container(border=True, key=f"reader_current_{ev.event_id}"):
                st.markdown(f"**Shown: {views.md_escape(ev.label())}**")
        else:
            st.button(views.md_escape(ev.label()), key=f"reader_{ev.event_id}", on_click=_select_event,
                      args=(ev.event_id,), width="stretch")


def timeline_chart(frame: pd.DataFrame) -> alt.Chart:
    """Claims per day (per month over long spans) by outlet; the axis shows dates with the year."""
    frame = frame.assign(date=pd.to_datetime(frame["date"]))
    monthly = (frame["date"].max() - frame["date"].min()).days > 92
    unit, fmt, label = ("yearmonth", "%b %Y", "Month") if monthly else ("yearmonthdate", "%d %b %Y", "Day")
    return (
        alt.Chart(frame)
        .mark_bar(size=14 if not monthly else 18)
        .encode(
            x=alt.X(f"{unit}(date):T", title=label, axis=alt.Axis(format=fmt, labelAngle=-30)),
            y=alt.Y("sum(events):Q", title="Claims"),
            color=alt.Color("outlet:N", title="Outlet"),
            tooltip=[alt.Tooltip(f"{unit}(date):T", title=label, format=fmt),
                     alt.Tooltip("outlet:N", title="Outlet"), alt.Tooltip("sum(events):Q", title="Claims")],
        )
        .properties(height=380)
    )


def undated_note(undated: int, total: int) -> str:
    if not undated:
        return "Every matching claim has a date."
    verb = "has" if undated == 1 else "have"
    return (f"{undated:,} of {total:,} matching claims {verb} no date (neither the text nor the article gives one) "
            "and are left out of the timeline; they are still on the map and in the table.")


def render_timeline(store: EventStore, filters: Filters, total: int) -> None:
    if total == 0:
        no_match()
        return
    frame = store.timeline(filters)
    undated = store.undated(filters)
    if frame.empty:
        st.info(f"None of the {total:,} matching claims has a date, so there is nothing to draw on a timeline. "
                "They are on the map and in the table.")
        return
    st.caption("Claims over time by outlet (the event's own date when the text gives one, else the article's date). "
               + undated_note(undated, total))
    st.altair_chart(timeline_chart(frame), width="stretch")


TABLE_COLUMNS = {  # query column -> heading a reader understands
    "date": "Date", "outlet": "Outlet", "sentence": "The claim, as written", "place_name": "Place",
    "precision": "Place precision", "event_type": "Event type", "sub_event_type": "Sub-type", "actor": "Actor",
    "actor_text": "Actor, as written", "claim_source": "According to", "claim_status": "Claim status",
    "fatalities": "Killed (claimed)", "title": "Article", "url": "Original article", "event_id": "Claim id",
}


def table_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Reader-facing table: human headings, the sentence near the left, blanks instead of None."""
    out = frame.copy()
    out["precision"] = out["geo_precision"].map(lambda p: mapview.PRECISION_LABELS.get(int(p), "") if pd.notna(p) else "")
    out["date"] = out["date"].map(lambda d: "" if pd.isna(d) else pd.Timestamp(d).date().isoformat())
    out["fatalities"] = out["fatalities"].map(lambda n: "" if pd.isna(n) else str(int(n)))
    out = out[[c for c in TABLE_COLUMNS if c != "url"] + ["url"]]
    text = [c for c in out.columns if c != "url"]
    out[text] = out[text].astype(object).where(out[text].notna(), "")
    return out.rename(columns=TABLE_COLUMNS)


def render_table(store: EventStore, filters: Filters, total: int) -> None:
    if total == 0:
        no_match()
        return
    frame = table_frame(store.table(filters, limit=1000))
    st.caption(f"Showing {len(frame):,} of {total:,} matching claims (newest first). Downloads contain all of them, "
               "with the filters and the app version recorded in the file.")
    st.dataframe(frame, hide_index=True, height=420, column_config={
        "Original article": st.column_config.LinkColumn("Original article", display_text="open ↗"),
        "The claim, as written": st.column_config.TextColumn(width="large"),
        "Date": st.column_config.TextColumn(width=90),
    })
    stem = export.file_stem(filters)
    cols = st.columns(3)
    cols[0].download_button("⬇ CSV", data=lambda: export.export_csv(store, filters, record=True),
                            file_name=f"{stem}.csv", mime="text/csv", on_click="ignore")
    cols[1].download_button("⬇ GeoJSON", data=lambda: export.export_geojson(store, filters, record=True),
                            file_name=f"{stem}.geojson", mime="application/geo+json", on_click="ignore")
    cols[2].download_button("⬇ GeoParquet", data=lambda: export.export_geoparquet(store, filters),
                            file_name=f"{stem}.geoparquet", mime="application/vnd.apache.parquet", on_click="ignore")


def render_compare(store: EventStore, filters: Filters) -> None:
    """Compare outlets: event groups, one row per outlet, outlet profiles (dashboard/compare.py)."""
    compare.render(store, filters)


def render_view(view: str, store: EventStore, settings: DashboardSettings, filters: Filters, total: int,
                params: Mapping[str, Sequence[str]]) -> None:
    base = {k: list(v) for k, v in params.items() if k not in ("event", "view", "lat", "lon", "zoom")}
    if view != "map":
        views.keep_map_state()
    if view == "timeline":
        render_timeline(store, filters, total)
    elif view == "table":
        render_table(store, filters, total)
    elif view == "compare":
        render_compare(store, filters)
    elif view == "reader":
        render_reader(store)
    else:
        render_map(store, settings, filters, urlstate.query_string(base), total)
