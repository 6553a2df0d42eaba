"""The compiled index: fast to open, small in memory, rebuilt when its sources change, sane name list."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from geo_fixtures import geocoder  # noqa: F401  (fixture)

from pipeline.gazetteer import GazetteerIndex, fingerprint, index_path, stored_fingerprint
from pipeline.geocode import Geocoder, load_resource

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
        "from pipeline.geocode import Geocoder\n"
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
    from pipeline.gazetteer_sources import package_dir

    with pytest.raises(GazetteerError, match="pip install"):
        package_dir("no_such_package_for_gazetteer")


def test_gazetteer_geocoder_type(geocoder):
    assert isinstance(geocoder, Geocoder)
