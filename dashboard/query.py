"""DuckDB over the events GeoParquet and the articles Parquet.

Every user value reaches SQL as a bound parameter (``?``); the SQL text is
assembled only from fixed fragments (the datasette ``build_where_clauses``
habit). The file paths come from settings, never from the URL.

Results are pandas DataFrames (DuckDB's native hand-off); the map layer gets a
:class:`MapPayload` that is bounded whatever the number of events in view.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

NOT_STATED = "(not stated)"  # filter option standing for a NULL actor / group
PAYLOAD_CACHE = 64  # map payloads remembered per store (each at most max_markers rows or one grid)
LOOKUP_CACHE = 256  # claims and articles looked up by id, remembered per store
CLOSE_VIEW_FACTOR = 4  # a padded view with up to this many times max_markers claims: try the view alone

# The date a claim is filed under: the event's own date, else the article's.
DATE_EXPR = "coalesce(event_date, published)"

# The contract columns the dashboard reads (each is in pipeline.schema.EVENT_COLUMNS; a test checks it).
MARKER_FIELDS = (
    "event_id", "doc_id", "outlet", "event_date", "published", "date_precision", "event_type", "sub_event_type",
    "trigger", "actor", "actor_text", "actor_group", "target_text", "claim_source", "claim_status", "fatalities",
    "place_text", "place_name", "admin1", "country_code", "geo_precision", "lat", "lon", "sentence", "title",
)
SAFE_URL = "CASE WHEN regexp_matches(url, '^https?://[^\\s]+$') THEN url END AS url"
# Columns newer files carry (exact highlights, merged mentions, cross-outlet groups); read only when present.
OPTIONAL_FIELDS = ("trigger_start", "trigger_end", "place_start", "place_end", "mentions", "event_group")
MARKER_COLUMNS = ", ".join(MARKER_FIELDS) + ", " + SAFE_URL
# Free-text search looks in the sentence, the article title, the place as written and the gazetteer's name.
SEARCH_FIELDS = ("sentence", "title", "place_text", "place_name")

FILTER_COLUMNS = {
    "outlets": "outlet",
    "actors": "actor",
    "actor_groups": "actor_group",
    "event_types": "event_type",
    "sub_event_types": "sub_event_type",
    "claim_statuses": "claim_status",
}


class DataMissingError(FileNotFoundError):
    """The events or articles file the dashboard was pointed at does not exist."""


@dataclass(frozen=True)
class Filters:
    """What the sidebar selects. Empty tuples mean "no restriction"."""

    outlets: tuple[str, ...] = ()
    actors: tuple[str, ...] = ()
    actor_groups: tuple[str, ...] = ()
    event_types: tuple[str, ...] = ()
    sub_event_types: tuple[str, ...] = ()
    claim_statuses: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    include_undated: bool = True
    text: str = ""


@dataclass(frozen=True)
class Bounds:
    south: float
    west: float
    north: float
    east: float

    @classmethod
    def world(cls) -> Bounds:
        return cls(-90.0, -180.0, 90.0, 180.0)


@dataclass(frozen=True)
class MapPayload:
    """What the map draws: individual events when few are in view, grid cells when many."""

    mode: str  # "markers" | "cells"
    in_view: int
    total: int = 0  # every claim matching the filters, in view or not
    markers: pd.DataFrame = field(default_factory=pd.DataFrame)
    cells: pd.DataFrame = field(default_factory=pd.DataFrame)
    cell_degrees: float = 0.0
    covers: Bounds | None = None  # the area the payload is complete for (None: the whole world)
    zoom: int = 0  # the zoom the grid cells were sized for (cells mode)


def _in_list(column: str, values: tuple[str, ...]) -> tuple[str, list[object]]:
    named = [v for v in values if v != NOT_STATED]
    parts = []
    if named:
        parts.append(f"{column} IN ({', '.join('?' for _ in named)})")
    if NOT_STATED in values:
        parts.append(f"{column} IS NULL")
    return "(" + " OR ".join(parts) + ")", list(named)


def _date_clause(f: Filters) -> tuple[str, list[object]]:
    if f.date_from is None and f.date_to is None:
        return ("TRUE", []) if f.include_undated else (f"{DATE_EXPR} IS NOT NULL", [])
    lo = f.date_from or dt.date(1, 1, 1)
    hi = f.date_to or dt.date(9999, 12, 31)
    undated = f" OR {DATE_EXPR} IS NULL" if f.include_undated else ""
    return f"({DATE_EXPR} BETWEEN ? AND ?{undated})", [lo, hi]


def _bounds_clause(b: Bounds) -> tuple[str, list[object]]:
    clause, params = "lat BETWEEN ? AND ?", [b.south, b.north]
    if b.east - b.west >= 360:
        return clause, params
    west, east = ((b.west + 180) % 360) - 180, ((b.east + 180) % 360) - 180
    if west <= east:
        return clause + " AND lon BETWEEN ? AND ?", params + [west, east]
    return clause + " AND (lon >= ? OR lon <= ?)", params + [west, east]


def where_clause(f: Filters, bounds: Bounds | None = None) -> tuple[str, list[object]]:
    """SQL WHERE text (fixed fragments and ``?`` only) and its parameters."""
    clauses: list[str] = []
    params: list[object] = []
    for attr, column in FILTER_COLUMNS.items():
        values = getattr(f, attr)
        if values:
            sql, p = _in_list(column, values)
            clauses.append(sql)
            params += p
    sql, p = _date_clause(f)
    clauses.append(sql)
    params += p
    if f.text.strip():
        clauses.append("(" + " OR ".join(f"contains(lower(coalesce({c}, '')), lower(?))" for c in SEARCH_FIELDS) + ")")
        params += [f.text.strip()] * len(SEARCH_FIELDS)
    if bounds is not None:
        sql, p = _bounds_clause(bounds)
        clauses.append(sql)
        params += p
    return " AND ".join(clauses), params


def _is_url(path: Path | str) -> bool:
    """An fsspec URL (s3://bucket/run/events.parquet, gs://..., memory://...) rather than a local path."""
    return "://" in str(path)


def _exists(path: Path | str) -> bool:
    if not _is_url(path):
        return Path(path).exists()
    import fsspec

    fs, root = fsspec.core.url_to_fs(str(path))
    return fs.exists(root)


def _source(path: Path | str, con: duckdb.DuckDBPyConnection) -> str:
    """A read_parquet() call for a file or a partitioned dataset directory, path quoted as a literal.
    For a URL the fsspec file system (s3fs, gcsfs, ...) is registered with the connection, so DuckDB
    reads objects through it (no DuckDB extension download)."""
    if not _exists(path):
        raise DataMissingError(
            f"{path} does not exist. Build it with `python -m pipeline run data --out data`, "
            "or point EVENTS_PATH / ARTICLES_PATH at an existing file or dataset directory."
        )
    if _is_url(path):
        import fsspec

        fs, root = fsspec.core.url_to_fs(str(path))
        if not con.filesystem_is_registered(fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]):
            con.register_filesystem(fs)
        target = str(path).rstrip("/") + "/**/*.parquet" if fs.isdir(root) else str(path)
    else:
        target = str(Path(path) / "**" / "*.parquet") if Path(path).is_dir() else str(path)
    literal = "'" + target.replace("'", "''") + "'"
    return f"read_parquet({literal}, hive_partitioning = true, union_by_name = true)"


class EventStore:
    """One DuckDB connection with ``events`` and ``articles`` views; thread-safe via per-call cursors."""

    def __init__(self, events_path: Path | str, articles_path: Path | str | None = None) -> None:
        self.events_path = events_path if _is_url(events_path) else Path(events_path)
        self.articles_path = (articles_path if _is_url(articles_path) else Path(articles_path)) if articles_path else None
        self._con = duckdb.connect(":memory:")
        self._con.execute("SET enable_object_cache = true")  # a partitioned dataset's Parquet footers: read once, not per query
        self._lock = threading.Lock()
        self._counts: OrderedDict[Filters, tuple[int, int]] = OrderedDict()  # the files are read-only while open
        self._running: dict[object, threading.Event] = {}  # queries under way, by cache key
        self._lookups: OrderedDict[tuple[str, str], pd.DataFrame] = OrderedDict()
        self._payloads: OrderedDict[tuple, MapPayload] = OrderedDict()  # shared by every session and the map endpoint
        self._extent: tuple[Bounds | None] | None = None
        self._con.execute(f"CREATE VIEW events AS SELECT * FROM {_source(self.events_path, self._con)}")
        self.has_articles = bool(self.articles_path and _exists(self.articles_path))
        if self.has_articles:
            self._con.execute(f"CREATE VIEW articles AS SELECT * FROM {_source(self.articles_path, self._con)}")
        present = set(self.df("SELECT * FROM events LIMIT 0").columns)
        self.optional = tuple(c for c in OPTIONAL_FIELDS if c in present)
        self.marker_columns = ", ".join((*MARKER_FIELDS, *self.optional)) + ", " + SAFE_URL

    def df(self, sql: str, params: list[object] | None = None) -> pd.DataFrame:
        with self._lock:
            cur = self._con.cursor()
        try:
            return cur.execute(sql, params or []).df()
        finally:
            cur.close()

    def options(self) -> dict[str, list[str]]:
        """Distinct values for every multi-select filter (NOT_STATED first when NULLs exist)."""
        out: dict[str, list[str]] = {}
        for attr, column in FILTER_COLUMNS.items():
            rows = self.df(f"SELECT DISTINCT {column} AS v FROM events ORDER BY v NULLS FIRST")
            values = rows["v"].tolist()
            out[attr] = [NOT_STATED if pd.isna(v) else str(v) for v in values]
        return out

    def date_extent(self) -> tuple[dt.date | None, dt.date | None]:
        row = self.df(f"SELECT min({DATE_EXPR}) AS lo, max({DATE_EXPR}) AS hi FROM events").iloc[0]
        return (None if pd.isna(row.lo) else pd.Timestamp(row.lo).date(), None if pd.isna(row.hi) else pd.Timestamp(row.hi).date())

    def extent(self) -> Bounds | None:
        if self._extent is None:
            row = self.df("SELECT min(lat) s, min(lon) w, max(lat) n, max(lon) e FROM events").iloc[0]
            self._extent = (None if pd.isna(row.s) else Bounds(float(row.s), float(row.w), float(row.n), float(row.e)),)
        return self._extent[0]

    def counts(self, f: Filters) -> tuple[int, int]:
        """(events, articles) matching the filters (remembered per filter set: pans do not recount)."""

        def count() -> tuple[int, int]:
            where, params = where_clause(f)
            row = self.df(f"SELECT count(*) AS n, count(DISTINCT doc_id) AS d FROM events WHERE {where}", params).iloc[0]
            return int(row.n), int(row.d)

        return self._remembered(self._counts, f, count, 256)

    def _remembered(self, cache: OrderedDict, key: object, compute, limit: int):
        """``cache[key]``, computed once even when many sessions ask at the same moment (the others wait for
        the first instead of running the same query); least recently used entries beyond ``limit`` dropped."""
        with self._lock:
            if key in cache:
                cache.move_to_end(key)
                return cache[key]
            running = self._running.get(key)
            if running is None:
                self._running[key] = threading.Event()
        if running is not None:
            running.wait()
            with self._lock:
                if key in cache:
                    return cache[key]
            return compute()  # the first one failed: try again here (and raise its error if it recurs)
        try:
            value = compute()
            with self._lock:
                cache[key] = value
                while len(cache) > limit:
                    cache.popitem(last=False)
            return value
        finally:
            with self._lock:
                self._running.pop(key).set()

    def map_payload(self, f: Filters, bounds: Bounds, zoom: int, max_markers: int = 1000) -> MapPayload:
        """Markers for every match when few match; else for the (snapped) view, or grid cells when many.

        Snapping the view outward keeps the payload identical across small pans, so the browser
        is not sent a new layer (and open popups survive) until the view really changes. Payloads are
        remembered per (filters, snapped view, zoom) for every session and the map endpoint alike
        (PAYLOAD_CACHE of them, least recently used dropped): a shared link's first page is queried once.
        When the padded view holds too many claims but not many more (a close view of a busy town), the
        view itself is tried before giving up on single claims: markers for just the view.
        """
        total = self.counts(f)[0]
        snapped = snap_bounds(bounds) if total > max_markers else None
        key = (f, snapped, int(zoom) if snapped else 0, max_markers)
        payload = self._remembered(self._payloads, key,
                                   lambda: self._query_payload(f, snapped, int(zoom), max_markers, total), PAYLOAD_CACHE)
        if payload.mode == "markers" or payload.in_view > CLOSE_VIEW_FACTOR * max_markers:
            return payload
        exact = Bounds(*(round(v, 5) for v in (bounds.south, bounds.west, bounds.north, bounds.east)))
        close = self._remembered(self._payloads, (f, exact, int(zoom), max_markers, "view"),
                                 lambda: self._query_payload(f, exact, int(zoom), max_markers, total), PAYLOAD_CACHE)
        return close if close.mode == "markers" else payload

    def _query_payload(self, f: Filters, snapped: Bounds | None, zoom: int, max_markers: int, total: int) -> MapPayload:
        where, params = where_clause(f, snapped)
        in_view = total
        if snapped is not None:
            in_view = int(self.df(f"SELECT count(*) AS n FROM events WHERE {where}", params).iloc[0].n)
        if in_view <= max_markers:
            sql = f"SELECT {self.marker_columns} FROM events WHERE {where} ORDER BY event_id LIMIT ?"
            return MapPayload("markers", in_view, total, markers=self.df(sql, params + [max_markers]), covers=snapped)
        cell = grid_cell_degrees(zoom)
        sql = (
            "SELECT count(*) AS n, avg(lat) AS lat, avg(lon) AS lon, mode(actor_group) AS top_group, "
            "mode(event_type) AS top_type, count(DISTINCT outlet) AS outlets, min(geo_precision) AS best_precision "
            f"FROM events WHERE {where} GROUP BY floor(lat / ?), floor(lon / ?) ORDER BY n DESC"
        )
        cells = self.df(sql, params + [cell, cell])
        return MapPayload("cells", in_view, total, cells=cells, cell_degrees=cell, covers=snapped, zoom=zoom)

    def event(self, event_id: str) -> pd.Series | None:
        """One claim (remembered: everyone who opens a shared link to a claim asks for the same one)."""
        sql = f"SELECT {self.marker_columns}, char_start, char_end FROM events WHERE event_id = ? LIMIT 1"
        rows = self._remembered(self._lookups, ("event", event_id), lambda: self.df(sql, [event_id]), LOOKUP_CACHE)
        return None if rows.empty else rows.iloc[0].copy()

    def article_events(self, doc_id: str) -> pd.DataFrame:
        sql = f"SELECT {self.marker_columns}, char_start, char_end FROM events WHERE doc_id = ? ORDER BY char_start, event_id"
        return self._remembered(self._lookups, ("article_events", doc_id), lambda: self.df(sql, [doc_id]),
                                LOOKUP_CACHE).copy()

    def article(self, doc_id: str) -> pd.Series | None:
        if not self.has_articles:
            return None
        sql = "SELECT * FROM articles WHERE doc_id = ? LIMIT 1"
        rows = self._remembered(self._lookups, ("article", doc_id), lambda: self.df(sql, [doc_id]), LOOKUP_CACHE)
        return None if rows.empty else rows.iloc[0].copy()

    def timeline(self, f: Filters) -> pd.DataFrame:
        where, params = where_clause(f)
        sql = (
            f"SELECT {DATE_EXPR} AS date, outlet, count(*) AS events FROM events "
            f"WHERE {where} AND {DATE_EXPR} IS NOT NULL GROUP BY ALL ORDER BY date"
        )
        return self.df(sql, params)

    def undated(self, f: Filters) -> int:
        """Matching claims with neither an event date nor an article date (the timeline cannot place them)."""
        where, params = where_clause(f)
        return int(self.df(f"SELECT count(*) AS n FROM events WHERE {where} AND {DATE_EXPR} IS NULL", params).iloc[0].n)

    def table(self, f: Filters, limit: int = 1000, offset: int = 0) -> pd.DataFrame:
        where, params = where_clause(f)
        sql = (
            f"SELECT {DATE_EXPR} AS date, outlet, place_name, geo_precision, event_type, sub_event_type, actor, "
            "actor_text, claim_source, claim_status, fatalities, sentence, title, "
            "CASE WHEN regexp_matches(url, '^https?://[^\\s]+$') THEN url END AS url, event_id "
            f"FROM events WHERE {where} ORDER BY date DESC NULLS LAST, event_id LIMIT ? OFFSET ?"
        )
        return self.df(sql, params + [limit, offset])

    def export(self, f: Filters, limit: int | None = None) -> pd.DataFrame:
        """Every filtered event with all contract columns except geometry/bbox (for downloads)."""
        where, params = where_clause(f)
        cols = self.df("SELECT * FROM events LIMIT 0").columns
        keep = ", ".join(f'"{c}"' for c in cols if c not in ("geometry", "bbox"))
        tail = " LIMIT ?" if limit else ""
        return self.df(f"SELECT {keep} FROM events WHERE {where} ORDER BY event_id{tail}", params + ([limit] if limit else []))


def grid_cell_degrees(zoom: int) -> float:
    """Grid size for server-side clusters: about 48 screen pixels at this zoom."""
    zoom = max(0, min(int(zoom), 20))
    return 360.0 / (2**zoom) / (256 / 48)


def snap_bounds(b: Bounds) -> Bounds:
    """The view padded by half its size and rounded outward to a power-of-two degree grid."""
    span = max(b.north - b.south, b.east - b.west, 1e-6)
    step = 2.0 ** math.ceil(math.log2(span / 2))
    south = max(-90.0, math.floor((b.south - span / 2) / step) * step)
    north = min(90.0, math.ceil((b.north + span / 2) / step) * step)
    west = math.floor((b.west - span / 2) / step) * step
    east = math.ceil((b.east + span / 2) / step) * step
    if east - west >= 360:
        west, east = -180.0, 180.0
    return Bounds(south, west, north, east)
