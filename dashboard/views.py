"""Streamlit pieces used by app.py: session seeding from the URL, the sidebar filters, URL sync.

Hostile text never goes through Markdown here: article strings are shown with
``st.text``/``st.dataframe`` (plain text), and notices quoting URL values are
Markdown-escaped with :func:`md_escape`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence

import streamlit as st

from dashboard import api, urlstate
from dashboard.query import Filters
from dashboard.urlstate import ViewState
from pipeline import schema

MULTI_WIDGETS = (
    ("outlets", "Outlet", "Which news outlets' claims to show."),
    ("actors", "Claimed actor", "Who the outlet says did it (normalised name)."),
    ("actor_groups", "Actor group", "State forces, rebel groups, external forces..."),
    ("event_types", "Event type", "ACLED event type."),
    ("sub_event_types", "Event sub-type", "ACLED sub-event type."),
    ("claim_statuses", "Claim status", None),
)
STATUS_MEANINGS = {"asserted": "stated as fact", "reported": "attributed to a source", "alleged": "hedged",
                   "denied": "the text denies it"}


def _status_help() -> str:
    """Help for the claim-status filter, in the contract's order (schema.CLAIM_STATUSES)."""
    return "; ".join(f"{s}: {STATUS_MEANINGS.get(s, s)}" for s in schema.CLAIM_STATUSES) + "."
VIEW_LABELS = {
    "map": "Map",
    "timeline": "Timeline",
    "table": "Table & downloads",
    "compare": "Compare outlets",
    "reader": "Article reader",
}
DATE_MIN, DATE_MAX = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


def md_escape(text: str) -> str:
    """Backslash-escape Markdown/HTML punctuation so a string shows literally in st.warning & co."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:&\"'=])", r"\\\1", text)


def query_params_dict() -> dict[str, list[str]]:
    return {key: st.query_params.get_all(key) for key in st.query_params}


def seed_session(options: Mapping[str, Sequence[str]]) -> None:
    """Set every widget's value from the URL (validated) on a session's first run, and again whenever the
    URL is not the one this app last wrote: the browser's Back/Forward went to another view."""
    params = query_params_dict()
    synced = st.session_state.get("ca_synced_params")
    if st.session_state.get("ca_seeded") and params == synced:
        return
    if st.session_state.get("ca_seeded") and synced is not None and _without_view(params) == _without_view(synced):
        _adopt_view(params, options)  # only the map view differs: the map wrote it into the URL, not a navigation
        return
    state, notices = urlstate.parse(params, options)
    f = state.filters
    for attr, _, _ in MULTI_WIDGETS:
        st.session_state[f"f_{attr}"] = list(getattr(f, attr))
    st.session_state.f_from, st.session_state.f_to = f.date_from, f.date_to
    st.session_state.f_undated = f.include_undated
    st.session_state.f_text = f.text
    st.session_state.color_by = state.color_by
    st.session_state.view = state.view
    st.session_state.ca_event = state.event
    st.session_state.ca_initial_event = state.event
    if state.lat is not None or not st.session_state.get("ca_seeded"):
        st.session_state.ca_map_view = (state.lat, state.lon, state.zoom)
        st.session_state.ca_initial_view = (state.lat, state.lon, state.zoom)
    st.session_state.ca_notices = notices
    st.session_state.ca_seeded = True
    api.forget_view(st.session_state.get("ca_view_token"))  # the URL's view wins over an older report


VIEW_PARAMS = ("lat", "lon", "zoom")


def _without_view(params: Mapping[str, Sequence[str]]) -> dict[str, Sequence[str]]:
    return {k: v for k, v in params.items() if k not in VIEW_PARAMS}


def _adopt_view(params: Mapping[str, Sequence[str]], options: Mapping[str, Sequence[str]]) -> None:
    """The map view the browser put into the URL (validated like any link) becomes the session's."""
    state, _ = urlstate.parse({k: v for k, v in params.items() if k in VIEW_PARAMS}, options)
    if state.lat is not None and state.lon is not None:
        zoom = state.zoom or (st.session_state.get("ca_map_view") or (None, None, 6))[2]
        st.session_state.ca_map_view = (state.lat, state.lon, zoom)


def keep_map_state() -> None:
    """Away from the map: the next map opens where this one was left, on the selected claim."""
    lat, lon, zoom = st.session_state.get("ca_map_view") or (None, None, None)
    if lat is not None:
        st.session_state.ca_initial_view = (lat, lon, zoom)
    st.session_state.ca_initial_event = st.session_state.get("ca_event")


def show_notices() -> None:
    notices = st.session_state.get("ca_notices") or []
    if notices:
        body = "\n".join(f"- {md_escape(n)}" for n in notices)
        st.warning("Some parts of the link could not be used and were dropped:\n\n" + body, icon="⚠️")


def _period_changed(lo: dt.date, hi: dt.date) -> None:
    """Slider callback: the chosen period becomes the From/To filter (an end at the data's edge = open)."""
    start, end = st.session_state.f_period
    st.session_state.f_from = None if start <= lo else start
    st.session_state.f_to = None if end >= hi else end


def period_slider(extent: tuple[dt.date | None, dt.date | None]) -> None:
    """A date-range slider over the data's dates, kept in step with the From/To boxes."""
    lo, hi = extent
    if lo is None or hi is None or lo >= hi:
        return
    def clamp(d: dt.date | None, default: dt.date) -> dt.date:
        return min(max(d, lo), hi) if d else default

    st.session_state.f_period = (clamp(st.session_state.get("f_from"), lo), clamp(st.session_state.get("f_to"), hi))
    st.sidebar.slider("Period", min_value=lo, max_value=hi, key="f_period", on_change=_period_changed, args=(lo, hi),
                      format="YYYY-MM-DD", help="Drag either end to narrow the map, timeline and table to a period.")


def sidebar_filters(options: Mapping[str, Sequence[str]],
                    extent: tuple[dt.date | None, dt.date | None] = (None, None)) -> Filters:
    """The filter widgets (values seeded from the URL) and the Filters they select."""
    sb = st.sidebar
    values = {}
    for attr, label, help_text in MULTI_WIDGETS:
        values[attr] = tuple(sb.multiselect(label, list(options.get(attr, ())), key=f"f_{attr}", help=help_text or _status_help(),
                                            placeholder="All"))
    col1, col2 = sb.columns(2)
    date_from = col1.date_input("From", key="f_from", min_value=DATE_MIN, max_value=DATE_MAX, format="YYYY-MM-DD")
    date_to = col2.date_input("To", key="f_to", min_value=DATE_MIN, max_value=DATE_MAX, format="YYYY-MM-DD")
    period_slider(extent)
    undated = sb.checkbox("Include claims with no date", key="f_undated",
                          help="Dates are the event's own date when the text gives one, else the article's date.")
    text = sb.text_input("Search", key="f_text", max_chars=urlstate.MAX_TEXT, placeholder="e.g. Palmyra, Aleppo, liberated",
                         help="Looks in the claim's sentence, the article title, the place as written and the "
                              "gazetteer's name for it (Palmyra finds claims placed at Tadmur).")
    sb.button("Reset filters", on_click=reset_filters, key="reset_filters", icon=":material/filter_alt_off:")
    if date_from and date_to and date_from > date_to:
        sb.error("'From' is after 'To': the date range is ignored.")
        date_from = date_to = None
    return Filters(**values, date_from=date_from, date_to=date_to, include_undated=undated, text=text.strip())


def reset_filters() -> None:
    """Button callback: every filter back to "all" (the view, colours and map position stay)."""
    for attr, _, _ in MULTI_WIDGETS:
        st.session_state[f"f_{attr}"] = []
    st.session_state.f_from = st.session_state.f_to = None
    st.session_state.f_undated = True
    st.session_state.f_text = ""


def current_state(filters: Filters) -> ViewState:
    lat, lon, zoom = st.session_state.get("ca_map_view") or (None, None, None)
    return ViewState(filters=filters, color_by=st.session_state.get("color_by", "group"),
                     view=st.session_state.get("view", "map"), event=st.session_state.get("ca_event"),
                     lat=lat, lon=lon, zoom=zoom)


def sync_url(state: ViewState) -> dict[str, list[str]]:
    """Write the view to the URL when it changed; returns the parameters."""
    params = urlstate.to_params(state)
    if params != query_params_dict():
        st.query_params.from_dict(params)
    st.session_state.ca_synced_params = params
    return params


def share_link(params: Mapping[str, Sequence[str]]) -> None:
    """A copy-link control: the full URL of this view in a code box (which has a copy button)."""
    base = (st.context.url or "").split("?")[0]
    query = urlstate.query_string(params)
    with st.popover("Share this view", icon=":material/link:"):
        st.caption("Anyone opening this link sees the same filters, map position and selected claim.")
        st.code(base + ("?" + query if query else ""), language=None, wrap_lines=True)
