"""Compare outlets: one real-world event, many outlets' accounts, and where they disagree.

The pipeline's link stage (``pipeline.link``) gives claims from different articles that report the
same event one ``event_group`` id; a claim no other article reports has none. Nothing here merges
claims: a group is a view, each outlet keeps its own sentence, actor, toll, source and status.

- :func:`groups` lists the groups that two or more outlets report under the current filters, the most
  disagreement first (different actors blamed, a denial, tolls far apart, different statuses).
- :func:`group_outlets` gives one row per outlet for one group, with the differences flagged, and
  :func:`comparison_html` renders it with every article-derived string escaped.
- :func:`empty_reason` says why there is nothing to compare.
- :func:`other_outlets` / :func:`other_outlet_counts`: for a marker's popup, how many other outlets
  report the same event ("N other outlets report this event"; link to ``?view=compare&event=<id>``).
- :func:`outlet_profiles`: per outlet, claims, shares by actor group blamed and by claim status, the
  most blamed actor, and the median toll it reports for events other outlets report too (exportable).

The open group follows the selected event (``event=`` in the URL), so a comparison is shared by URL.
"""

from __future__ import annotations

import html

import pandas as pd

from dashboard.query import DATE_EXPR, NOT_STATED, EventStore, Filters, where_clause

ACTOR_GROUPS = ("state forces", "rebel groups", "political militias", "identity militias", "external forces",
                "civilians", "protesters", "unidentified")
CLAIM_STATUSES = ("asserted", "reported", "alleged", "denied")
STATUS_STRENGTH = {"denied": 3, "alleged": 2, "reported": 1, "asserted": 0}


def toll_tolerance(reference: float) -> float:
    """How far two death tolls may differ before the difference is flagged: 3, or a quarter of the larger."""
    return max(3.0, 0.25 * reference)


def linked(store: EventStore) -> bool:
    """Whether the events carry ``event_group`` (files written by pipeline 0.2.0 and later)."""
    return "event_group" in store.optional


def groups(store: EventStore, filters: Filters, limit: int = 200) -> pd.DataFrame:
    """One row per event group reported by two or more outlets under the filters, most disagreement first.

    ``disagreement`` adds 2 when outlets blame different actors, 2 when one denies, 1 when tolls differ
    by more than :func:`toll_tolerance`, 1 when statuses differ."""
    if not linked(store):
        return pd.DataFrame()
    where, params = where_clause(filters)
    sql = f"""
    WITH c AS (SELECT *, outlet || ': ' || coalesce(actor, ?) || ' (' || claim_status || ')' AS label
               FROM events WHERE {where} AND event_group IS NOT NULL),
    g AS (
        SELECT event_group, min(event_id) AS event_id, mode(place_name) AS place, min({DATE_EXPR}) AS first_date,
               max({DATE_EXPR}) AS last_date, count(DISTINCT outlet) AS outlets, count(*) AS claims,
               count(DISTINCT CASE WHEN coalesce(actor_group, '') <> 'unidentified' THEN actor END) AS actors,
               count(DISTINCT claim_status) AS statuses, bool_or(claim_status = 'denied') AS denied,
               min(fatalities) AS toll_low, max(fatalities) AS toll_high,
               string_agg(DISTINCT label, ' | ' ORDER BY label) AS who_says_what
        FROM c GROUP BY event_group HAVING count(DISTINCT outlet) > 1
    )
    SELECT *, (2 * (actors > 1)::INT + 2 * denied::INT + (statuses > 1)::INT
               + coalesce(toll_high - toll_low > greatest(3, 0.25 * toll_high), false)::INT) AS disagreement
    FROM g ORDER BY disagreement DESC, outlets DESC, claims DESC, first_date, event_group LIMIT ?
    """
    return store.df(sql, [NOT_STATED] + params + [limit])


def group_of(store: EventStore, event_id: str | None) -> str | None:
    """The event group of one claim, or None (no such claim, a singleton, or unlinked data)."""
    if not event_id or not linked(store):
        return None
    rows = store.df("SELECT event_group FROM events WHERE event_id = ? AND event_group IS NOT NULL LIMIT 1", [event_id])
    return None if rows.empty else str(rows.event_group.iloc[0])


def claims_of_group(store: EventStore, filters: Filters, event_group: str) -> pd.DataFrame:
    """Every claim of one group under the filters, one row per claim."""
    where, params = where_clause(filters)
    sql = f"""
    SELECT event_id, outlet, published, {DATE_EXPR} AS date, sentence, sentence_index, actor, actor_text, actor_group,
           target, target_text, fatalities, claim_source, claim_status, event_type, sub_event_type, place_name,
           {'mentions' if 'mentions' in store.optional else '1 AS mentions'}, link_reason, url
    FROM events WHERE {where} AND event_group = ? ORDER BY outlet, sentence_index, event_id
    """
    return store.df(sql, params + [event_group])


def group_outlets(store: EventStore, filters: Filters, event_group: str) -> pd.DataFrame:
    """One row per outlet for one group: its leading claim, and flags for what differs from the others.

    An outlet's leading claim is the one its article repeats most (``mentions``), then the earliest.
    ``actor_differs``: outlets blame different actors and this one names another than the one most of
    them name (every named actor when no actor has a majority). ``toll_differs``: its
    toll is further than :func:`toll_tolerance` from the median toll. ``denies``: any of its claims is denied."""
    claims = claims_of_group(store, filters, event_group)
    if claims.empty:
        return claims
    claims["strength"] = claims.claim_status.map(STATUS_STRENGTH).fillna(0)
    lead = claims.sort_values(["outlet", "mentions", "sentence_index", "event_id"], ascending=[True, False, True, True])
    rows = lead.groupby("outlet", sort=True).head(1).set_index("outlet")
    per = claims.groupby("outlet")
    rows["claims"] = per.size()
    rows["fatalities"] = per.fatalities.max()
    rows["denies"] = per.claim_status.apply(lambda s: (s == "denied").any())
    rows["claim_status"] = per.apply(lambda g: g.sort_values("strength", ascending=False).claim_status.iloc[0], include_groups=False)
    return _flag(rows.reset_index())


def _flag(rows: pd.DataFrame) -> pd.DataFrame:
    named = rows.actor.where(rows.actor_group.fillna("") != "unidentified")
    counts = named.dropna().value_counts()
    top = counts[counts == counts.max()].index if not counts.empty else []
    common = top[0] if len(top) == 1 else None  # a tie has no majority: every named actor is disputed
    rows["actor_differs"] = (named.notna() & (named != common)) if len(counts) > 1 else False
    tolls = rows.fatalities.dropna()
    rows["toll_differs"] = False
    if len(tolls) > 1:
        median = float(tolls.median())
        rows["toll_differs"] = ((rows.fatalities - median).abs() > toll_tolerance(median)).fillna(False).astype(bool)
    cols = ["outlet", "published", "date", "sentence", "actor", "actor_text", "actor_group", "target", "fatalities", "claim_source",
            "claim_status", "claims", "url", "event_id", "link_reason", "actor_differs", "toll_differs", "denies"]
    return rows[cols]


def other_outlet_counts(store: EventStore, event_ids: list[str]) -> dict[str, int]:
    """For each event id, how many other outlets report its event (0 for singletons and unlinked data)."""
    if not event_ids or not linked(store):
        return {e: 0 for e in event_ids}
    sql = """
    WITH me AS (SELECT event_id, event_group, outlet FROM events WHERE list_contains(?, event_id))
    SELECT me.event_id, count(DISTINCT e.outlet) FILTER (WHERE e.outlet <> me.outlet) AS n
    FROM me LEFT JOIN events e ON e.event_group = me.event_group GROUP BY me.event_id
    """
    found = store.df(sql, [list(event_ids)])
    counts = dict(zip(found.event_id, found.n.astype(int)))
    return {e: counts.get(e, 0) for e in event_ids}


def others_of_markers(store: EventStore, markers: pd.DataFrame) -> dict[str, int]:
    """For the map's markers (rows with ``event_id``, ``outlet``, ``event_group``): how many other outlets
    report each one's event, as :func:`other_outlet_counts` counts it, in one query over their groups."""
    if markers.empty or "event_group" not in markers.columns or not linked(store):
        return {}
    groups = sorted({str(g) for g in markers.event_group.dropna()})
    if not groups:
        return {}
    rows = store.df("SELECT event_group, list(DISTINCT outlet) AS outlets FROM events "
                    "WHERE event_group IN (SELECT unnest(?)) GROUP BY event_group", [groups])
    outlets = {str(g): set(o) for g, o in zip(rows.event_group, rows.outlets, strict=True)}
    return {str(e): len(outlets.get(str(g), set()) - {o}) for e, g, o in
            zip(markers.event_id, markers.event_group, markers.outlet, strict=True) if isinstance(g, str)}


def other_outlets(store: EventStore, event_id: str) -> int:
    """How many other outlets report the event of this claim ("N other outlets report this event")."""
    return other_outlet_counts(store, [event_id])[event_id]


def empty_reason(store: EventStore, filters: Filters) -> str:
    """Why :func:`groups` is empty, in one sentence for the reader."""
    if not linked(store):
        return ("These events were built before cross-outlet linking: re-run the pipeline "
                "(`python -m pipeline run ...`) to group claims that report the same event.")
    where, params = where_clause(filters)
    row = store.df(f"SELECT count(*) AS n, count(DISTINCT outlet) AS outlets, min(outlet) AS outlet FROM events WHERE {where}", params).iloc[0]
    if row.n == 0:
        return "No claims match the current filters."
    if row.outlets == 1:
        return f"Only one outlet ({row.outlet}) matches the current filters: a comparison needs two."
    return "No two outlets share an event under the current filters."


def outlet_profiles(store: EventStore, filters: Filters) -> pd.DataFrame:
    """Per outlet under the filters: claims, articles, shares by actor group and claim status, most blamed
    actor, and the median toll it reports for events that other outlets report too."""
    where, params = where_clause(filters)
    shared = ("event_group IN (SELECT event_group FROM c WHERE event_group IS NOT NULL "
              "GROUP BY event_group HAVING count(DISTINCT outlet) > 1)") if linked(store) else "false"
    group_cols = ", ".join(f"round(avg((coalesce(actor_group, '') = '{g}')::INT), 3) AS \"blames {g}\"" for g in ACTOR_GROUPS)
    status_cols = ", ".join(f"round(avg((claim_status = '{s}')::INT), 3) AS \"{s}\"" for s in CLAIM_STATUSES)
    sql = f"""
    WITH c AS (SELECT * FROM events WHERE {where})
    SELECT outlet, count(*) AS claims, count(DISTINCT doc_id) AS articles,
           count(*) FILTER (WHERE {shared}) AS claims_on_shared_events,
           round(avg((actor IS NULL)::INT), 3) AS "no actor named", {group_cols},
           mode(actor) AS most_blamed_actor, round(avg((actor = (SELECT mode(actor) FROM c c2 WHERE c2.outlet = c.outlet))::INT), 3)
               AS most_blamed_share,
           {status_cols},
           median(fatalities) FILTER (WHERE {shared}) AS median_toll_on_shared_events
    FROM c GROUP BY outlet ORDER BY claims DESC, outlet
    """
    return store.df(sql, params)


STYLE = """<style>
.ca-compare {border-collapse: collapse; width: 100%; font-size: 0.9rem;}
.ca-compare th, .ca-compare td {border: 1px solid #d0d4da; padding: 6px 8px; vertical-align: top; text-align: left;}
.ca-compare th {background: #f3f4f6;}
.ca-compare .ca-diff {background: #fde9c8; font-weight: 600;}
.ca-compare .ca-deny {background: #f9d0d0; font-weight: 600;}
.ca-compare .ca-own {color: #555; font-style: italic;}
.ca-compare .ca-nowrap {white-space: nowrap;}
</style>"""
_HEADERS = ("Outlet", "Published", "The claim, as written", "Blames", "Target", "Killed", "Source cited", "Status")


def _missing(value: object) -> bool:
    return value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value)))


def _cell(value: object, css: str | None = None, own_words: object = None) -> str:
    text = "" if _missing(value) else f"{value:.0f}" if isinstance(value, float) else str(value)
    extra = ""
    if not _missing(own_words) and str(own_words) != text:
        extra = f' <span class="ca-own">“{html.escape(str(own_words))}”</span>'
    cls = f' class="{css}"' if css else ""
    return f"<td{cls}>{html.escape(text) or '—'}{extra}</td>"


def comparison_html(rows: pd.DataFrame) -> str:
    """The per-outlet comparison as an HTML table; every value from the articles is escaped."""
    head = "".join(f"<th>{h}</th>" for h in _HEADERS)
    body = []
    for r in rows.itertuples(index=False):
        published = "" if _missing(r.published) else pd.Timestamp(r.published).date().isoformat()
        status = f"{r.claim_status} (denies)" if r.denies and r.claim_status != "denied" else r.claim_status
        body.append("<tr>" + "".join((
            _cell(r.outlet), _cell(published, "ca-nowrap"), _cell(r.sentence),
            _cell(r.actor, "ca-diff" if r.actor_differs else None, own_words=r.actor_text), _cell(r.target),
            _cell(r.fatalities, "ca-diff" if r.toll_differs else None), _cell(r.claim_source),
            _cell(status, "ca-deny" if r.denies else None),
        )) + "</tr>")
    return f'{STYLE}<table class="ca-compare"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def differences(rows: pd.DataFrame) -> list[str]:
    """Plain-text summary of what differs (for a caption): actors, tolls, denials."""
    out = []
    actors = sorted({a for a, g in zip(rows.actor, rows.actor_group) if isinstance(a, str) and g != "unidentified"})
    if rows.actor_differs.any():
        out.append("outlets blame different actors: " + ", ".join(actors))
    tolls = rows.fatalities.dropna()
    if rows.toll_differs.any():
        out.append(f"tolls range from {tolls.min():.0f} to {tolls.max():.0f}")
    deniers = rows.outlet[rows.denies].tolist()
    if deniers:
        out.append("denied by " + ", ".join(deniers))
    return out


def render(store: EventStore, filters: Filters) -> None:
    """The Compare outlets view (Streamlit): shared events with the most disagreement, one event's accounts
    side by side, and the outlet profiles. The open event follows ``st.session_state.ca_event`` (the URL)."""
    import streamlit as st

    st.caption("The same event as different outlets report it: who each blames, how many dead each counts, who "
               "each cites, who denies it. Each outlet's claim stays its own row; nothing here is a verified fact.")
    shared, profiles = st.tabs(["Shared events", "Outlet profiles"])
    with shared:
        _render_shared(st, store, filters)
    with profiles:
        _render_profiles(st, store, filters)


def _render_shared(st, store: EventStore, filters: Filters) -> None:
    if not linked(store):
        st.info(empty_reason(store, filters), icon=":material/info:")
        near = disagreements(store, filters)
        if not near.empty:
            st.caption("Meanwhile, outlets that disagree at the same place within the same 7 days (not checked to be one event):")
            st.dataframe(near.drop(columns=["place_id"]), hide_index=True, height=300)
        return
    found = groups(store, filters)
    if found.empty:
        st.info(empty_reason(store, filters), icon=":material/info:")
        return
    ids = found.event_group.tolist()
    current = group_of(store, st.session_state.get("ca_event"))
    labels = [f"{r.place}, {pd.Timestamp(r.first_date):%Y-%m-%d}: {r.outlets} outlets" for r in found.itertuples()]
    pick = st.selectbox("Compare the outlets on", range(len(ids)), index=ids.index(current) if current in ids else 0,
                        format_func=lambda i: labels[i])
    if group_of(store, st.session_state.get("ca_event")) != ids[pick]:
        st.session_state.ca_event = str(found.event_id.iloc[pick])
    rows = group_outlets(store, filters, ids[pick])
    notes = differences(rows)
    st.markdown("**Where they differ:** " + ("; ".join(html.escape(n) for n in notes) if notes else "they agree on actor, toll and status."))
    st.markdown(comparison_html(rows), unsafe_allow_html=True)
    with st.expander("Why these claims are grouped"):
        st.dataframe(rows[["outlet", "link_reason"]], hide_index=True, use_container_width=True)
    st.subheader("Events with the most disagreement")
    st.dataframe(found[["place", "first_date", "last_date", "outlets", "claims", "disagreement", "who_says_what"]],
                 hide_index=True, height=300)


def _render_profiles(st, store: EventStore, filters: Filters) -> None:
    from dashboard import export

    frame = outlet_profiles(store, filters)
    if frame.empty:
        st.info("No claims match the current filters.", icon=":material/info:")
        return
    st.caption("Shares are of each outlet's claims under the current filters; the median toll counts only events "
               "that other outlets report too.")
    st.dataframe(frame, hide_index=True)
    st.download_button("⬇ Outlet profiles (CSV)", data=export.csv_bytes(frame), file_name="outlet_profiles.csv",
                       mime="text/csv", on_click="ignore")


# The place-and-window view of files written before linking (pipeline < 0.2.0), kept for them.

def disagreements(store: EventStore, filters: Filters, window_days: int = 7, limit: int = 200) -> pd.DataFrame:
    """One row per (place, window) where outlets disagree on who did it or on the claim status."""
    where, params = where_clause(filters)
    sql = f"""
    WITH c AS (
        SELECT place_id, place_name, outlet, coalesce(actor, ?) AS actor, claim_status,
               date_trunc('day', {DATE_EXPR})::DATE AS d
        FROM events WHERE {where} AND {DATE_EXPR} IS NOT NULL
    ), w AS (
        SELECT *, (DATE '1970-01-01' + to_days(CAST(floor(date_diff('day', DATE '1970-01-01', d) / ?) * ? AS INTEGER)))::DATE AS win
        FROM c
    )
    SELECT place_name, place_id, win AS window_start, (win + to_days(? - 1))::DATE AS window_end,
           count(*) AS claims, count(DISTINCT outlet) AS outlets,
           count(DISTINCT actor) AS actors, count(DISTINCT claim_status) AS statuses,
           string_agg(DISTINCT outlet || ': ' || actor || ' (' || claim_status || ')', ' | ' ORDER BY outlet || ': ' || actor || ' (' || claim_status || ')') AS who_says_what
    FROM w GROUP BY place_name, place_id, win
    HAVING count(DISTINCT outlet) > 1 AND (count(DISTINCT actor) > 1 OR count(DISTINCT claim_status) > 1)
    ORDER BY claims DESC, window_start, place_name
    LIMIT ?
    """
    return store.df(sql, [NOT_STATED] + params + [window_days, window_days, window_days, limit])


def group_claims(store: EventStore, filters: Filters, place_id: str, window_start: object, window_days: int = 7) -> pd.DataFrame:
    """The individual claims behind one :func:`disagreements` row, one row per claim."""
    where, params = where_clause(filters)
    sql = f"""
    SELECT {DATE_EXPR} AS date, outlet, actor, actor_text, claim_source, claim_status, event_type, sub_event_type,
           fatalities, sentence, event_id
    FROM events WHERE {where} AND place_id = ? AND {DATE_EXPR} BETWEEN ? AND ? + to_days(? - 1)
    ORDER BY outlet, date, event_id
    """
    return store.df(sql, params + [place_id, window_start, window_start, window_days])
