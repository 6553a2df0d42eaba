"""The geoparse command's function: JSONL in, JSONL out, with given spans or spaCy-found toponyms."""

from __future__ import annotations

import json

import pytest
from geo_fixtures import geocoder  # noqa: F401  (fixture)

from pipeline.errors import UsageError
from pipeline.geocode.geoparse import geoparse_file

TEXT = ("Syrian troops liberated al-Sukhnah, 50 km north-east of Palmyra, and pushed on to Deir Ezzor, "
        "while Turkish forces stayed near Afrin.")
KEYS = {"start", "end", "text", "name", "geonameid", "lat", "lon", "feature_code", "country_code", "precision", "reason"}


def _span(text: str, word: str) -> list[int]:
    start = text.index(word)
    return [start, start + len(word)]


def _run(tmp_path, settings, lines: list[str]):
    src, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    stats = geoparse_file(src, out, settings)
    return stats, [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]


def test_geoparse_given_spans(tmp_path, settings, geocoder):
    spans = [_span(TEXT, w) for w in ("al-Sukhnah", "Palmyra", "Deir Ezzor", "Turkish", "Afrin")]
    spans.append([0, 6])  # "Syrian"
    doc = {"id": "a1", "text": TEXT, "spans": spans}
    nowhere = {"id": "a2", "text": "They met in Qqqxzv yesterday.", "spans": [[12, 18]]}
    stats, rows = _run(tmp_path, settings, [json.dumps(doc), json.dumps(nowhere)])
    assert [r["id"] for r in rows] == ["a1", "a2"]
    by_text = {t["text"]: t for t in rows[0]["toponyms"]}
    assert set(by_text["Palmyra"]) == KEYS
    assert by_text["Palmyra"]["geonameid"] == "163808"
    assert by_text["al-Sukhnah"]["geonameid"] == "172425"
    assert by_text["Deir Ezzor"]["geonameid"] == "170794"
    assert by_text["Turkish"]["country_code"] == "TR" and by_text["Turkish"]["precision"] == 4
    assert by_text["Syrian"]["precision"] == 4
    assert by_text["Afrin"]["country_code"] == "SY"
    unresolved = rows[1]["toponyms"][0]
    assert unresolved["text"] == "Qqqxzv" and unresolved["lat"] is None and unresolved["geonameid"] is None
    assert stats.docs == 2 and stats.unresolved == {"Qqqxzv": 1}


def test_geoparse_finds_toponyms_with_spacy(tmp_path, settings, geocoder):
    stats, rows = _run(tmp_path, settings, [json.dumps({"id": 7, "text": TEXT})])
    found = {t["text"]: t for t in rows[0]["toponyms"]}
    for word in ("Palmyra", "Deir Ezzor", "Afrin"):
        assert word in found, found.keys()
        assert found[word]["country_code"] == "SY"
        start, end = found[word]["start"], found[word]["end"]
        assert TEXT[start:end] == word
    assert stats.toponyms >= 3


@pytest.mark.parametrize(
    ("line", "reason"),
    [("not json", "Expecting value"), ('{"id": 1}', "text"), ('{"id": 1, "text": "abc", "spans": [[0, 9]]}', "outside")],
)
def test_geoparse_rejects_bad_lines_with_reason(tmp_path, settings, geocoder, line, reason):
    good = json.dumps({"id": "ok", "text": "Damascus", "spans": [[0, 8]]})
    stats, rows = _run(tmp_path, settings, [line, good])
    assert [r["id"] for r in rows] == ["ok"]
    assert len(stats.rejected) == 1 and stats.rejected[0][0] == 1 and reason in stats.rejected[0][1]


def test_geoparse_missing_input(tmp_path, settings):
    with pytest.raises(UsageError, match="no such file"):
        geoparse_file(tmp_path / "missing.jsonl", tmp_path / "out.jsonl", settings)
