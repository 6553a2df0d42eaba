"""dashboard.urlstate: URL <-> view state, round trips and malformed values dropped with notices."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.query import Filters
from dashboard.urlstate import ViewState, parse, to_params

OPTIONS = {
    "outlets": ["RT", "Reuters", "SANA"],
    "actors": ["(not stated)", "Syrian Arab Army"],
    "actor_groups": ["state forces", "rebel groups"],
    "event_types": ["Battles"],
    "sub_event_types": ["Armed clash"],
    "claim_statuses": ["asserted", "denied"],
}


@pytest.mark.parametrize(
    ("params", "expected", "notices"),
    [
        ({}, ViewState(), 0),
        ({"outlet": ["RT", "SANA"]}, ViewState(filters=Filters(outlets=("RT", "SANA"))), 0),
        ({"outlet": ["RT", "Fox"]}, ViewState(filters=Filters(outlets=("RT",))), 1),
        ({"outlet": ["RT", "RT"]}, ViewState(filters=Filters(outlets=("RT",))), 0),
        ({"from": ["2018-04-01"], "to": ["2018-04-30"]},
         ViewState(filters=Filters(date_from=dt.date(2018, 4, 1), date_to=dt.date(2018, 4, 30))), 0),
        ({"from": ["yesterday"]}, ViewState(), 1),
        ({"from": ["2018-05-01"], "to": ["2018-04-01"]}, ViewState(), 1),
        ({"undated": ["0"]}, ViewState(filters=Filters(include_undated=False)), 0),
        ({"undated": ["maybe"]}, ViewState(), 1),
        ({"q": ["x" * 500]}, ViewState(filters=Filters(text="x" * 200)), 1),
        ({"color": ["type"]}, ViewState(color_by="type"), 0),
        ({"color": ["<script>"]}, ViewState(), 1),
        ({"view": ["reader"], "event": ["8d693ba6722ef7bd"]}, ViewState(view="reader", event="8d693ba6722ef7bd"), 0),
        ({"view": ["reader"]}, ViewState(), 0),  # nothing to read: back to the map
        ({"event": ["javascript:alert(1)"]}, ViewState(), 1),
        ({"lat": ["36.2"], "lon": ["37.1"], "zoom": ["9"]}, ViewState(lat=36.2, lon=37.1, zoom=9), 0),
        ({"lat": ["nan"], "lon": ["37.1"]}, ViewState(), 2),
        ({"lat": ["95"], "lon": ["37.1"], "zoom": ["99"]}, ViewState(), 3),
        ({"utm_source": ["x"]}, ViewState(), 1),
    ],
)
def test_dashboard_urlstate_parse_table(params, expected, notices):
    state, messages = parse(params, OPTIONS)
    assert state == expected
    assert len(messages) == notices, messages


def test_dashboard_urlstate_notice_quotes_the_dropped_value():
    _, messages = parse({"outlet": ["<img src=x onerror=alert(1)>"]}, OPTIONS)
    assert "outlet=" in messages[0] and "no such value" in messages[0]


def _states():
    sub = lambda key: st.lists(st.sampled_from(OPTIONS[key]), unique=True).map(tuple)  # noqa: E731
    dates = st.one_of(st.none(), st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)))
    filters = st.builds(
        Filters, outlets=sub("outlets"), actors=sub("actors"), actor_groups=sub("actor_groups"),
        event_types=sub("event_types"), sub_event_types=sub("sub_event_types"),
        claim_statuses=sub("claim_statuses"), date_from=dates, date_to=st.none(), include_undated=st.booleans(),
        text=st.text(max_size=50).map(str.strip),
    )
    coords = st.one_of(st.none(), st.tuples(st.floats(-85, 85), st.floats(-180, 180)))
    return st.builds(
        lambda f, c, color, zoom, ev: ViewState(
            filters=f, color_by=color, zoom=zoom, event=ev,
            lat=None if c is None else round(c[0], 4), lon=None if c is None else round(c[1], 4),
        ),
        filters, coords, st.sampled_from(["group", "type"]), st.one_of(st.none(), st.integers(1, 18)),
        st.one_of(st.none(), st.from_regex(r"[0-9a-f]{16}", fullmatch=True)),
    )


@settings(max_examples=150, deadline=None)
@given(_states())
def test_dashboard_urlstate_round_trip(state):
    parsed, notices = parse(to_params(state), OPTIONS)
    assert notices == []
    assert parsed == state


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=8), st.lists(st.text(max_size=30), max_size=3), max_size=6))
def test_dashboard_urlstate_never_raises_on_garbage(params):
    state, notices = parse(params, OPTIONS)
    assert isinstance(state, ViewState)
    assert all(isinstance(n, str) for n in notices)


def test_dashboard_settings_keep_urls_and_key_caches_on_the_run_report(tmp_path):
    """EVENTS_PATH may be an fsspec URL (kept as written, never made a local path); the cache key of a local run
    is its run_report.json, which every run and compaction rewrites (a dataset folder's mtime may not change)."""
    import os

    from dashboard.config import DashboardSettings, data_version

    s = DashboardSettings.from_env({"EVENTS_PATH": "s3://bucket/run/events.parquet", "ARTICLES_PATH": "rel/a.parquet"})
    assert s.events_path == "s3://bucket/run/events.parquet" and data_version(s.events_path) == 0.0
    assert s.articles_path.is_absolute()
    events = tmp_path / "events.parquet"
    events.mkdir()
    assert data_version(events) == events.stat().st_mtime
    report = tmp_path / "run_report.json"
    report.write_text("{}")
    os.utime(report, (events.stat().st_mtime + 60,) * 2)
    assert data_version(events) == report.stat().st_mtime
