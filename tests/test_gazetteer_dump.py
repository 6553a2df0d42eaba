"""GeoNames dump import (zip or txt) and download, against a local HTTP server serving a fixture zip."""

from __future__ import annotations

import dataclasses
import functools
import http.server
import threading
import zipfile
from pathlib import Path

import pytest
from geo_fixtures import geocoder, mention  # noqa: F401  (fixture)

from pipeline.errors import GazetteerError
from pipeline.geocode.gazetteer import index_path
from pipeline.geocode.resolver import DocFocus, Geocoder
from pipeline.geocode.geonames_import import gazetteer_download, gazetteer_import, parse_line

# Rows in the GeoNames dump format (19 tab-separated columns). Made up for the import test, with points
# near Deir ez-Zor; they exercise parsing, admin1 naming and use by the geocoder, not real coordinates.
FIXTURE_ROWS = [
    ["9000001", "Ḩaţlah", "Hatlah", "Hatla,Hatlah,Ḩaţlah", "35.3700", "40.2100", "P", "PPL", "SY", "", "07"],
    ["9000002", "‘Ayyāsh", "`Ayyash", "Ayash,Ayyash", "35.3000", "40.0200", "P", "PPL", "SY", "", "07"],
    ["9000003", "Muḩāfaz̧at Dayr az Zawr", "Muhafazat Dayr az Zawr", "Deir ez-Zor Governorate,Dayr az Zawr",
     "35.0", "40.5", "A", "ADM1", "SY", "", "07"],
    ["9000004", "Al Jūrah", "Al Jurah", "Al-Jura,Jura", "35.3300", "40.1200", "P", "PPLX", "SY", "", "07"],
]


def _line(cols: list[str]) -> str:
    full = cols + ["", "", "", "1200", "", "200", "Asia/Damascus", "2024-01-01"]
    assert len(full) == 19
    return "\t".join(full) + "\n"


def _write_zip(folder: Path, name: str = "SY") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(f"{name}.txt", "".join(_line(r) for r in FIXTURE_ROWS))
        zf.writestr("readme.txt", "fixture")
    return path


@pytest.fixture()
def dump_settings(tmp_path, settings, geocoder):
    """Settings in a fresh cache dir that reuses the session's built embedded index (symlinked)."""
    fresh = dataclasses.replace(settings, cache_dir=tmp_path / "cache")
    fresh.gazetteer_dir().mkdir(parents=True)
    index_path(fresh).symlink_to(index_path(settings))
    return fresh


SY_FOCUS = DocFocus({"SY": 1.0})


def test_gazetteer_dump_import_zip_makes_villages_resolvable(dump_settings, tmp_path):
    before = Geocoder.load(dump_settings)
    assert before.resolve(mention("Hatla"), SY_FOCUS) is None
    result = gazetteer_import(_write_zip(tmp_path / "in"), dump_settings)
    assert result.places == len(FIXTURE_ROWS)
    after = Geocoder.load(dump_settings)
    match = after.resolve(mention("Hatla", "prep-object of trigger"), SY_FOCUS)
    assert match is not None and match.place_id == "9000001"
    assert match.admin1 == "Muḩāfaz̧at Dayr az Zawr"
    assert match.feature_code == "PPL" and match.geo_precision == 1
    assert after.resolve(mention("Ayash"), SY_FOCUS).place_id == "9000002"


def test_gazetteer_dump_import_txt_and_reimport_replaces(dump_settings, tmp_path):
    txt = tmp_path / "SY.txt"
    txt.write_text("".join(_line(r) for r in FIXTURE_ROWS), encoding="utf-8")
    gazetteer_import(txt, dump_settings)
    gazetteer_import(txt, dump_settings)
    g = Geocoder.load(dump_settings)
    assert [c.gid for c in g.lookup("Hatlah") if c.source == "dump"] == ["9000001"]


def test_gazetteer_dump_region_from_dump_has_real_id(dump_settings, tmp_path):
    gazetteer_import(_write_zip(tmp_path / "in"), dump_settings)
    g = Geocoder.load(dump_settings)
    match = g.resolve(mention("Deir ez-Zor governorate"), SY_FOCUS)
    assert match.geo_precision == 3
    assert match.place_id in {"9000003", "170792"}


@pytest.mark.parametrize(
    ("line", "message"),
    [("just text\n", "columns"), ("\t".join(["x"] * 19) + "\n", "bad number")],
)
def test_gazetteer_dump_bad_line_names_location(line, message):
    with pytest.raises(GazetteerError, match=message):
        parse_line(line, "SY.txt:7")


def test_gazetteer_dump_missing_file(dump_settings, tmp_path):
    with pytest.raises(GazetteerError, match="no such file"):
        gazetteer_import(tmp_path / "nope.zip", dump_settings)


@pytest.fixture()
def local_server(tmp_path):
    """A loopback HTTP server serving a folder with SY.zip; stops at the end of the test."""
    root = tmp_path / "www"
    _write_zip(root)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_gazetteer_download_from_local_server(dump_settings, local_server):
    results = gazetteer_download(["sy"], dump_settings, base_url=local_server)
    assert [r.places for r in results] == [len(FIXTURE_ROWS)]
    assert (dump_settings.gazetteer_dir() / "downloads" / "SY.zip").exists()
    g = Geocoder.load(dump_settings)
    assert g.resolve(mention("Hatla"), SY_FOCUS).place_id == "9000001"


@pytest.mark.parametrize("codes", [["IQ"], ["Syria"]])
def test_gazetteer_download_errors_are_actionable(dump_settings, local_server, codes):
    with pytest.raises(GazetteerError, match="failed|two-letter"):
        gazetteer_download(codes, dump_settings, base_url=local_server)
