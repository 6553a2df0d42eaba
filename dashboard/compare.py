"""Compare outlets: where different outlets' claims about the same place and days disagree.

Claims are grouped by gazetteer place and a date window (the claim's date,
else the article's, cut into windows of N days). A group is a disagreement
when more than one outlet reports there and the outlets name different actors
or give the claim a different status (one asserts, another denies). The
claims stay separate rows; the group only puts them side by side.
"""

from __future__ import annotations

import pandas as pd

from dashboard.query import DATE_EXPR, NOT_STATED, EventStore, Filters, where_clause


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
    """The individual claims behind one disagreement row, one row per claim."""
    where, params = where_clause(filters)
    sql = f"""
    SELECT {DATE_EXPR} AS date, outlet, actor, actor_text, claim_source, claim_status, event_type, sub_event_type,
           fatalities, sentence, event_id
    FROM events WHERE {where} AND place_id = ? AND {DATE_EXPR} BETWEEN ? AND ? + to_days(? - 1)
    ORDER BY outlet, date, event_id
    """
    return store.df(sql, params + [place_id, window_start, window_start, window_days])
