"""Claims Atlas dashboard: page layout and widgets. The work happens in dashboard/.

Run with `streamlit run app.py`. Data: data/events.parquet and data/articles.parquet,
or EVENTS_PATH / ARTICLES_PATH (a file or a partitioned dataset directory).
"""

from __future__ import annotations

import streamlit as st

from dashboard import api, pages, views
from dashboard.config import DashboardSettings, data_version
from dashboard.query import DataMissingError, EventStore


@st.cache_resource(show_spinner=False)
def open_store(events_path: str, articles_path: str, _mtime: float) -> EventStore:
    return EventStore(events_path, articles_path)


@st.cache_data(show_spinner=False)
def filter_options(events_path: str, articles_path: str, mtime: float) -> dict[str, list[str]]:
    return open_store(events_path, articles_path, mtime).options()


@st.cache_data(show_spinner=False)
def date_extent(events_path: str, articles_path: str, mtime: float) -> tuple:
    return open_store(events_path, articles_path, mtime).date_extent()


def main() -> None:
    st.set_page_config(page_title="Claims Atlas", page_icon="🗺️", layout="wide")
    settings = DashboardSettings.from_env()
    paths = (str(settings.events_path), str(settings.articles_path))
    try:
        mtime = data_version(settings.events_path)
        store = open_store(*paths, mtime)
    except (DataMissingError, FileNotFoundError) as exc:
        st.error(f"No event data to show. {exc}")
        st.stop()
    options = filter_options(*paths, mtime)
    api.publish(store, options, settings.max_markers)  # the map's own endpoint answers from the same store
    views.seed_session(options)

    st.title("Claims Atlas")
    st.caption("Where the news says what happened. Every point is one outlet's claim, in its own words — "
               "not a verified fact.")
    views.show_notices()
    filters = views.sidebar_filters(options, date_extent(*paths, mtime))
    events, articles = store.counts(filters)
    st.sidebar.metric("Claims matching", f"{events:,}")
    st.sidebar.metric("Articles they come from", f"{articles:,}")

    top = st.columns([3, 2])
    top[0].radio("View", list(views.VIEW_LABELS), key="view", horizontal=True,
                 format_func=views.VIEW_LABELS.get, label_visibility="collapsed")
    top[1].radio("Colour points by", ["group", "type"], key="color_by", horizontal=True,
                 format_func={"group": "actor group", "type": "event type"}.get)

    pages.take_client_view()
    params = views.sync_url(views.current_state(filters))
    pages.render_view(st.session_state.view, store, settings, filters, events, params)
    params = views.sync_url(views.current_state(filters))
    with st.sidebar:
        views.share_link(params)


main()
