"""Outlet from metadata, URL or text signatures; publication dates from metadata or datelines."""

from __future__ import annotations

import datetime as dt

import pytest

from pipeline.ingest import metadata
from pipeline.clean.boilerplate import clean_text
from tests.conftest import SEEDS_DIR

OUTLETS = metadata.load_outlets()


@pytest.mark.parametrize(
    "meta, url, text, expected",
    [
        ("reuters", None, "", ("Reuters", "metadata")),
        ("ALALARABY".replace("ALAL", "al"), None, "", ("The New Arab (Al-Araby Al-Jadeed)", "metadata")),
        ("Some Local Blog", None, "", ("Some Local Blog", "metadata")),
        (None, "https://www.rt.com/news/402-syria/", "", ("RT", "url")),
        (None, "https://english.alarabiya.net/x", "", ("Al Arabiya", "url")),
        (None, "https://unknown.example.org/a", "21st Century Wire says… ISIS", ("21st Century Wire", "text")),
        (None, None, "Latest developmentsMiddle EastSyria Truths ExclusiveWorld News\nText.", ("Syria Truths", "text")),
        (None, None, "One man, speaking to Al Jazeera, said...", ("unknown", "unknown")),
        (None, None, "BEIRUT, April 16 (Reuters) - Shelling hit...", ("Reuters", "text")),
    ],
)
def test_metadata_resolve_outlet(meta, url, text, expected):
    assert metadata.resolve_outlet(meta, url, text, OUTLETS) == expected


@pytest.mark.parametrize(
    "prefix, outlet",
    [("000", "RT"), ("001", "Syria Truths"), ("002", "unknown"), ("003", "RT"), ("004", "21st Century Wire")],
)
def test_metadata_seed_outlets(prefix, outlet):
    (path,) = SEEDS_DIR.glob(f"{prefix}_*.txt")
    assert metadata.resolve_outlet(None, None, path.read_text(encoding="utf-8"), OUTLETS)[0] == outlet


@pytest.mark.parametrize(
    "value, day_first, expected",
    [
        ("4/16/17", False, dt.date(2017, 4, 16)),
        ("04/05/17", True, dt.date(2017, 5, 4)),
        ("2017-04-16", False, dt.date(2017, 4, 16)),
        ("2017-04-16T10:22:00+03:00", False, dt.date(2017, 4, 16)),
        ("16 Apr 2017", False, dt.date(2017, 4, 16)),
        ("Wed, 19 Apr 2017 10:00:00 GMT", False, dt.date(2017, 4, 19)),
    ],
)
def test_metadata_parse_date(value, day_first, expected):
    assert metadata.parse_date(value, day_first) == expected


@pytest.mark.parametrize("value", ["", "not a date", "32/13/2017", "yesterday-ish", "0000-00-00"])
def test_metadata_parse_date_rejects(value):
    with pytest.raises(metadata.DateParseError):
        metadata.parse_date(value)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Wed 19 Apr 2017 Death toll from Aleppo bomb attack rises.", dt.date(2017, 4, 19)),
        ("Sun 16 Apr 2017 Death toll from Aleppo bomb attack at least 112.", dt.date(2017, 4, 16)),
        ("BEIRUT, April 16, 2017 (Reuters) - Shelling...", dt.date(2017, 4, 16)),
        ("Posted 2016-12-22 by admin. The army...", dt.date(2016, 12, 22)),
        ("September 30 marked the second anniversary of Russia's military operation in Syria.", None),
        ("RT crew has travelled to Syrian Hama province.", None),
        ("x" * 400 + " 16 Apr 2017", None),
    ],
)
def test_metadata_infer_dateline(text, expected):
    assert metadata.infer_date(text) == expected


def test_metadata_seed_000_has_no_dateline():
    (path,) = SEEDS_DIR.glob("000_*.txt")
    assert metadata.infer_date(clean_text(path.read_text(encoding="utf-8"))) is None


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://www.rt.com/a", "https://www.rt.com/a"),
        ("http://sana.sy/en/?p=1", "http://sana.sy/en/?p=1"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("data:text/html,<script>", None),
        ("https://x.org/\"><script>", None),
        ("//rt.com/a", None),
        ("", None),
    ],
)
def test_metadata_safe_url(url, expected):
    assert metadata.safe_url(url) == expected
