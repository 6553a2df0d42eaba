"""Event groups over a whole events table: ``link_events(events) -> events``.

A group is a view over claims: no row is merged, dropped or changed except
its ``event_group`` and ``link_reason``. The function is pure (no file
access) and depends only on the rows' contents, never on their order, so the
in-process, process-pool and Dask engines, which all call it once on the
committed table, give the same groups.

How:
1. ``claims_frame``: the rows that can be linked (an event type, a date, a
   place with coordinates), sorted by ``event_id``, with their effective day
   (the text's own event date, else the published date) and date window (see ``rules``).
2. ``blocking.candidate_pairs``: pairs that share a place cell or region and
   a date bucket (no all-pairs comparison).
3. ``rules.evaluate``: the pairs whose place, date, type and actors agree,
   with their evidence points.
4. Groups from those links, strongest first (more evidence points, then town
   before region before country, fewer days, fewer km, then event ids). Two
   groups join only when at least ``min_link_share`` of the pairs of their
   claims from different articles are links themselves: at 1 (the default,
   complete linkage) every pair, so daily reports from a city at war cannot
   chain A-B-C when A and C disagree; at 0 any one link (single linkage).
   Either way a chaining guard holds: a
   link that would make a group span more than ``max_span_days`` days, or
   spread its town-level claims over more than ``max_span_km``, is not made.

``event_group`` is ``stable_hash("event_group", <earliest member's event_id>)``,
the earliest member being the one with the smallest (day, event_id): the same
input gives the same ids on every run and engine, and an incremental run that
adds later reports keeps a group's id. A claim that no other article reports
(a singleton) gets ``event_group`` null and ``link_reason`` null: null means
"only this article reports it", so counting outlets per group never counts
singletons. ``link_reason`` is the strongest link that brought the claim into
its group ("with Reuters claim 82ca...: same place Douma; event dates same
day; both Explosions/Remote violence (...); actor disputed (... vs ...)").
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.link.blocking import candidate_pairs, iter_candidate_pairs
from pipeline.link.rules import LinkRules, evaluate, haversine_km, reason
from pipeline.schema import stable_hash

_USED = ["event_id", "doc_id", "outlet", "published", "event_date", "date_precision", "date_text", "event_type", "sub_event_type",
         "actor", "actor_group", "target", "fatalities", "place_name", "place_id", "admin1", "country_code", "geo_precision", "geo_reason", "lat", "lon"]


DATELINE_CHARS = 12  # a dateline's date starts within this many characters of its sentence ("Wednesday ", "Published ")
_YEAR = re.compile(r"\b(19|20)\d\d\b")
_REASON_COLUMNS = ["event_id", "outlet", "event_type", "sub_event_type", "actor", "actor_group", "fatalities",
                   "place_name", "place_id", "admin1", "country_code", "date_kind"]


DEFAULT_RULES = LinkRules()


def link_events(events: pa.Table, rules: LinkRules = DEFAULT_RULES) -> pa.Table:
    """``events`` with ``event_group`` and ``link_reason`` filled for every linked claim (null otherwise)."""
    claims = claims_frame(events, rules)
    found = [evaluate(claims, pairs, rules) for pairs in iter_candidate_pairs(claims, rules)]
    links = pd.concat(found, ignore_index=True) if found else evaluate(claims, candidate_pairs(claims, rules), rules)
    group_of, why = _union(claims, links, rules)
    groups = np.full(events.num_rows, None, dtype=object)
    reasons = np.full(events.num_rows, None, dtype=object)
    rows = claims["row"].to_numpy(dtype=np.int64)
    groups[rows], reasons[rows] = group_of, why
    return _set_column(_set_column(events, "event_group", groups), "link_reason", reasons)


def claims_frame(events: pa.Table, rules: LinkRules = DEFAULT_RULES) -> pd.DataFrame:
    """The linkable rows as a frame sorted by event_id; ``row`` is the position in ``events``."""
    if events.num_rows == 0:
        return pd.DataFrame(columns=_USED + ["row", "day", "date_kind", "window", "named"])
    frame = events.select(_USED).drop_columns(["published", "event_date"]).to_pandas()
    text = [c for c in frame.columns if pa.types.is_string(events.schema.field(c).type)]
    frame = frame.astype({c: object for c in text})  # plain objects: row takes on Arrow strings are slow
    event_day, published_day = _days(events["event_date"]), _days(events["published"])
    precision = frame["date_precision"].to_numpy()
    # the text's own date, not the article date standing in, nor the dateline ("Sun 16 Apr 2017 Death toll ...")
    dateline = _datelines(events) if rules.datelines else np.zeros(events.num_rows, dtype=bool)
    own_words = frame["date_text"].notna().to_numpy() & ~dateline
    after = event_day > published_day + 1  # a date after publication is a misreading: the article date stands in
    use_event = ~np.isnan(event_day) & np.isin(precision, ["day", "week"]) & own_words & ~after
    frame["row"] = np.arange(events.num_rows)
    frame["day"] = np.where(use_event, event_day, np.where(_elsewhen(events, precision, own_words), np.nan, published_day))
    frame["date_kind"] = np.where(use_event, "event", "published")
    frame["named"] = ~frame["geo_reason"].fillna("").str.startswith("document focus").to_numpy()
    frame["window"] = np.where(use_event, np.where(precision == "week", rules.week_window, rules.day_window), rules.published_window)
    linkable = (frame["day"].notna() & frame["event_type"].notna() & frame["lat"].notna() & frame["lon"].notna()
                & frame["geo_precision"].between(1, 4))
    frame = frame[linkable].astype({"day": "int64"})
    return frame.sort_values(["event_id", "row"], kind="stable", ignore_index=True)


def _datelines(events: pa.Table) -> np.ndarray:
    """Claims whose date words are the article's dateline: a full date (with its year) that opens the sentence,
    after at most a weekday or "Published"/"Posted on" ("Sun 16 Apr 2017 Death toll from ...", "Published June 12
    2016 At least 39 ..."). That is when the article was written, not when the event happened."""
    if "sentence" not in events.column_names:
        return np.zeros(events.num_rows, dtype=bool)
    texts, sentences = events["date_text"].to_pylist(), events["sentence"].to_pylist()
    return np.array([bool(d and s and _YEAR.search(d) and -1 < s.find(d) <= DATELINE_CHARS) for d, s in zip(texts, sentences)], dtype=bool)


def _elsewhen(events: pa.Table, precision: np.ndarray, own_words: np.ndarray) -> np.ndarray:
    """Claims whose text dates them only to a month or year other than the article's ("In May, ...",
    "last year"): the article date does not stand in for them, so they stay unlinked."""
    event, published = events["event_date"], events["published"]
    month = pc.fill_null(pc.not_equal(pc.strftime(pc.cast(event, pa.timestamp("s")), "%Y-%m"),
                                      pc.strftime(pc.cast(published, pa.timestamp("s")), "%Y-%m")), False)
    year = pc.fill_null(pc.not_equal(pc.year(event), pc.year(published)), False)
    differs = np.where(precision == "year", year.to_numpy(zero_copy_only=False), month.to_numpy(zero_copy_only=False))
    return own_words & np.isin(precision, ["month", "year"]) & differs.astype(bool)


def _days(column: pa.ChunkedArray) -> np.ndarray:
    """Days since 1970-01-01 as floats (NaN for null)."""
    days = pc.cast(pc.cast(column, pa.date32()), pa.int32())
    return days.to_numpy(zero_copy_only=False).astype("float64")


class _Groups:
    """Union-find whose roots carry their group's date span and town-level extent (the chaining guard) and,
    for complete linkage, their members and the links found between claims."""

    def __init__(self, claims: pd.DataFrame, links: set[tuple[int, int]] | None = None, share: float = 0.0):
        self.parent = np.arange(len(claims))
        self.doc = claims["doc_id"].to_numpy()
        self.links = links  # None: single linkage
        self.share = share
        self.members: dict[int, list[int]] = {}
        town = claims["geo_precision"].to_numpy() <= 2
        lat, lon = claims["lat"].to_numpy(), claims["lon"].to_numpy()
        day = claims["day"].to_numpy()
        self.span = {i: (day[i], day[i], *((lat[i], lat[i], lon[i], lon[i]) if town[i] else (None,) * 4)) for i in range(len(claims))}

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return int(i)

    def union_if_compact(self, a: int, b: int, rules: LinkRules) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        merged = _merge_span(self.span[ra], self.span[rb])
        if merged[1] - merged[0] > rules.max_span_days or _extent_km(merged) > rules.max_span_km:
            return False
        if self.links is not None and not self._linked_enough(ra, rb):
            return False
        root, child = min(ra, rb), max(ra, rb)
        self.parent[child] = root
        self.span[root] = merged
        del self.span[child]
        if self.links is not None:
            self.members[root] = self.members.pop(ra, [ra]) + self.members.pop(rb, [rb])
        return True

    def _linked_enough(self, ra: int, rb: int) -> bool:
        """At least ``share`` of the pairs across the two groups from different articles are links."""
        pairs = [(min(x, y), max(x, y)) for x in self.members.get(ra, [ra]) for y in self.members.get(rb, [rb])
                 if self.doc[x] != self.doc[y]]
        return sum(p in self.links for p in pairs) >= self.share * len(pairs)


def _merge_span(x: tuple, y: tuple) -> tuple:
    return (min(x[0], y[0]), max(x[1], y[1]), _either(min, x[2], y[2]), _either(max, x[3], y[3]),
            _either(min, x[4], y[4]), _either(max, x[5], y[5]))


def _either(pick, u, v):
    """``pick`` of two values of which either may be None (a group with no town-level claim yet)."""
    return v if u is None else u if v is None else pick(u, v)


def _extent_km(span: tuple) -> float:
    if span[2] is None:
        return 0.0
    return float(haversine_km(span[2], span[4], span[3], span[5]))


def _union(claims: pd.DataFrame, links: pd.DataFrame, rules: LinkRules) -> tuple[np.ndarray, np.ndarray]:
    """Group id and link reason per claim (None for claims left alone)."""
    pairs = set(zip(links["a"].tolist(), links["b"].tolist())) if rules.min_link_share > 0 else None
    groups = _Groups(claims, pairs, rules.min_link_share)
    ordered = links.assign(km_rounded=links["km"].round(3), weaker=-links["evidence"]).sort_values(
        ["weaker", "tier", "days", "km_rounded", "a", "b"], kind="stable")
    first: dict[int, tuple] = {}  # claim -> its strongest accepted link (partner, tier, days, km, bits, points)
    columns = ["a", "b", "tier", "days", "km", "evidence_bits", "evidence"]
    for a, b, *evidence in ordered[columns].itertuples(index=False):
        if groups.union_if_compact(a, b, rules):
            first.setdefault(a, (b, *evidence))
            first.setdefault(b, (a, *evidence))
    why = np.full(len(claims), None, dtype=object)
    if first:
        mine, partners = list(first), [v[0] for v in first.values()]
        for x, left, right, (_, *evidence) in zip(mine, _records(claims, mine), _records(claims, partners), first.values()):
            why[x] = reason(left, right, *evidence)
    return _group_ids(claims, groups, why), why


def _records(claims: pd.DataFrame, positions: list[int]) -> list[dict]:
    """Rows as plain dicts, None for missing values (one bulk take, not a lookup per row)."""
    rows = claims.iloc[positions][_REASON_COLUMNS].astype(object)
    return rows.where(rows.notna(), None).to_dict("records")


def _group_ids(claims: pd.DataFrame, groups: _Groups, why: np.ndarray) -> np.ndarray:
    roots = np.array([groups.find(i) for i in range(len(claims))], dtype=np.int64)
    linked = np.array([w is not None for w in why], dtype=bool)
    frame = pd.DataFrame({"root": roots, "day": claims["day"].to_numpy(), "event_id": claims["event_id"].to_numpy()})[linked]
    earliest = frame.sort_values(["day", "event_id"]).groupby("root")["event_id"].first()
    ids = {root: stable_hash("event_group", event_id) for root, event_id in earliest.items()}
    return np.array([ids.get(r) if ok else None for r, ok in zip(roots, linked)], dtype=object)


def _set_column(table: pa.Table, name: str, values: np.ndarray) -> pa.Table:
    column = pa.array(values.tolist(), type=pa.string())
    index = table.schema.get_field_index(name)
    if index < 0:
        return table.append_column(pa.field(name, pa.string()), column)
    return table.set_column(index, pa.field(name, pa.string()), column)
