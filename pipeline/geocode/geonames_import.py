"""Full GeoNames dumps (allCountries.zip, SY.zip, or the .txt) -> ``dump.sqlite`` beside the index.

Runs use the dump whenever it exists (gazetteer.GazetteerIndex attaches it): villages and
neighbourhoods that cities500 lacks, and real GeoNames ids and points for regions (ADM1) and
countries. Importing several files accumulates them; a re-imported file replaces its own rows.

GeoNames dump columns (tab separated, no header): geonameid, name, asciiname, alternatenames,
latitude, longitude, feature class, feature code, country code, cc2, admin1, admin2, admin3, admin4,
population, elevation, dem, timezone, modification date.
"""

from __future__ import annotations

import io
import shutil
import sqlite3
import sys
import urllib.request
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import GazetteerError
from pipeline.geocode.gazetteer import INDEXES, SCHEMA, dump_path, write_rows
from pipeline.geocode.gazetteer_build import PlaceRow, add_name
from pipeline.settings import Settings

GEONAMES_BASE_URL = "https://download.geonames.org/export/dump/"
_KINDS = {"PCLI": "country", "PCLD": "country", "PCLF": "country", "PCLS": "country", "PCLIX": "country",
          "PCL": "country", "ADM1": "admin1"}


@dataclass(frozen=True)
class ImportResult:
    """What one import did."""

    source: str
    places: int
    dump: Path


def _open_text(path: Path) -> Iterator[str]:
    """Lines of a GeoNames .txt, or of the .txt inside a .zip (the one named like the zip)."""
    if path.suffix.lower() == ".zip":
        with zipfile.ZipFile(path) as zf:
            members = [n for n in zf.namelist() if n.endswith(".txt") and not n.lower().startswith("readme")]
            if not members:
                raise GazetteerError(f"{path}: no GeoNames .txt inside the zip; expected e.g. SY.txt or allCountries.txt.")
            wanted = f"{path.stem}.txt"
            member = wanted if wanted in members else members[0]
            with zf.open(member) as raw:
                yield from io.TextIOWrapper(raw, encoding="utf-8")
        return
    with open(path, encoding="utf-8") as fh:
        yield from fh


def parse_line(line: str, where: str) -> PlaceRow | None:
    """One dump line -> PlaceRow (None for blank lines); a malformed line raises with its location."""
    cols = line.rstrip("\n").split("\t")
    if len(cols) == 1 and not cols[0].strip():
        return None
    if len(cols) < 15:
        raise GazetteerError(f"{where}: {len(cols)} columns, a GeoNames dump line has 19. Is this a GeoNames dump?")
    try:
        lat, lon, pop = float(cols[4]), float(cols[5]), int(cols[14] or 0)
    except ValueError as exc:
        raise GazetteerError(f"{where}: bad number ({exc}); expected a GeoNames dump line.") from exc
    fcode = cols[7] or cols[6]
    kind = _KINDS.get(fcode) or ("city" if cols[6] == "P" else "feature")
    row = PlaceRow(cols[0], cols[1], lat, lon, cols[8], cols[10], pop, kind, fcode)
    add_name(row, cols[1], "main")
    add_name(row, cols[2], "alt")
    for alt in cols[3].split(",") if cols[3] else ():
        add_name(row, alt, "alt")
    return row


def _rows(path: Path, report_every: int = 500_000) -> Iterator[PlaceRow]:
    for n, line in enumerate(_open_text(path), start=1):
        row = parse_line(line, f"{path.name}:{n}")
        if row is not None:
            yield row
        if n % report_every == 0:
            print(f"  {path.name}: {n:,} lines", file=sys.stderr)


def gazetteer_import(path: Path | str, settings: Settings) -> ImportResult:
    """Import a GeoNames dump file into the dump index (runs use it from then on)."""
    path = Path(path)
    if not path.exists():
        raise GazetteerError(f"{path}: no such file. Pass allCountries.zip, a country file like SY.zip, or its .txt.")
    target = dump_path(settings)
    target.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(target)
    try:
        con.executescript(SCHEMA + "CREATE TABLE IF NOT EXISTS sources(name TEXT PRIMARY KEY, first INTEGER, last INTEGER);")
        _forget_source(con, path.name)
        first = con.execute("SELECT COALESCE(MAX(pid), 0) FROM places").fetchone()[0] + 1
        count = write_rows(con, _rows(path), f"GeoNames dump {path.name}")
        con.execute("INSERT OR REPLACE INTO sources VALUES(?,?,?)", (path.name, first, first + count - 1))
        _fill_admin1_names(con)
        con.executescript(INDEXES)
        con.commit()
    finally:
        con.close()
    return ImportResult(path.name, count, target)


def _forget_source(con: sqlite3.Connection, name: str) -> None:
    row = con.execute("SELECT first, last FROM sources WHERE name = ?", (name,)).fetchone()
    if row:
        con.execute("DELETE FROM names WHERE pid BETWEEN ? AND ?", row)
        con.execute("DELETE FROM places WHERE pid BETWEEN ? AND ?", row)


def _fill_admin1_names(con: sqlite3.Connection) -> None:
    con.execute(
        "UPDATE places SET admin1_name = (SELECT a.name FROM places a WHERE a.kind = 'admin1' AND a.cc = places.cc "
        "AND a.admin1 = places.admin1 LIMIT 1) WHERE admin1_name = '' OR admin1_name IS NULL"
    )


def _download(url: str, dest: Path) -> Path:
    tmp = dest.with_suffix(dest.suffix + ".part")
    try:
        with urllib.request.urlopen(url, timeout=60) as resp, open(tmp, "wb") as out:
            shutil.copyfileobj(resp, out, length=1 << 20)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise GazetteerError(f"Download of {url} failed ({exc}). Check the connection, or download it yourself "
                             f"and run `python -m pipeline gazetteer import FILE`.") from exc
    tmp.replace(dest)
    return dest


def gazetteer_download(country_codes: Sequence[str], settings: Settings,
                       base_url: str = GEONAMES_BASE_URL) -> list[ImportResult]:
    """Fetch GeoNames country files (or ``ALL`` for allCountries.zip) and import each."""
    if not country_codes:
        raise GazetteerError("Name at least one country code (e.g. SY IQ) or ALL for allCountries.zip.")
    folder = settings.gazetteer_dir() / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    results = []
    for code in country_codes:
        code = code.strip()
        name = "allCountries" if code.upper() == "ALL" else code.upper()
        if name != "allCountries" and (len(name) != 2 or not name.isalpha()):
            raise GazetteerError(f"{code!r} is not a two-letter country code (ISO 3166-1), nor ALL.")
        dest = _download(base_url.rstrip("/") + f"/{name}.zip", folder / f"{name}.zip")
        results.append(gazetteer_import(dest, settings))
    return results
