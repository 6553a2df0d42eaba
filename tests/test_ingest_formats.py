"""Every input format and every kind of bad input, through ingest + clean + metadata (no model needed)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.ingest import readers as ingest
from pipeline.run import orchestrator as run
from pipeline.schema import RunReport

BODY = (
    "Syrian government forces shelled the town of Douma on Tuesday, killing six people, "
    "activists said. The army denied targeting civilians."
)


def collect(paths, settings, **kw):
    report = RunReport()
    request = run.RunRequest(tuple(Path(p) for p in paths), Path("/nonexistent-out"), **kw)
    return run.collect_articles(request, settings, set(), report), report


def test_ingest_folder_recursive_text_markdown_html(tmp_path, settings):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.txt").write_text(BODY)
    (tmp_path / "a" / "b").mkdir()
    (tmp_path / "a" / "b" / "two.md").write_text("# Heading\n\n" + BODY.replace("Douma", "Harasta"))
    html = f"<html><head><title>Shelling in Zamalka</title></head><body><nav>Home | World</nav><article><h1>Shelling in Zamalka</h1><p>{BODY.replace('Douma', 'Zamalka')}</p><p>{BODY}</p></article></body></html>"
    (tmp_path / "three.html").write_text(html)
    articles, report = collect([tmp_path], settings)
    assert not report.rejects
    assert len(articles) == 3
    by_name = {Path(a.source_path).name: a for a in articles}
    assert "Zamalka" in by_name["three.html"].text and "<p>" not in by_name["three.html"].text
    assert by_name["three.html"].title == "Shelling in Zamalka"
    assert "Home | World" not in by_name["three.html"].text


@pytest.mark.parametrize(
    "header, row, mapping, expected_outlet",
    [
        (["article_content", "source", "date", "article_title"], [BODY, "reuters", "4/16/17", "T"], {}, "Reuters"),
        (["text", "outlet", "published", "url"], [BODY, "SANA", "2017-04-16", "https://sana.sy/en/?p=1"], {}, "SANA"),
        (["body", "site", "pubdate"], [BODY, "tass", "16 Apr 2017"], {}, "TASS"),
        (["story", "who", "when"], [BODY, "Al Jazeera", "April 16, 2017"], {"text": "story", "outlet": "who", "date": "when"}, "Al Jazeera"),
        (["content", "link", "date"], [BODY, "https://www.rt.com/news/1-x/", "2017-04-16T10:00:00Z"], {}, "RT"),
    ],
)
def test_ingest_csv_column_mapping(tmp_path, settings, header, row, mapping, expected_outlet):
    path = tmp_path / "export.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, row])
    articles, report = collect([path], settings, mapping=ingest.ColumnMapping(**mapping))
    assert not report.rejects, report.rejects
    (article,) = articles
    assert article.outlet == expected_outlet
    assert article.published == dt.date(2017, 4, 16)
    assert article.published_source == "metadata"


def test_ingest_jsonl_and_parquet(tmp_path, settings):
    rows = [{"text": BODY, "source": "reuters", "date": "2017-04-16", "url": "https://www.reuters.com/a"},
            {"text": BODY.replace("Douma", "Arbin"), "source": "sana", "date": "2017-04-17"}]
    (tmp_path / "a.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    pq.write_table(pa.Table.from_pylist([{**r, "text": r["text"].replace("six", "seven")} for r in rows]), tmp_path / "b.parquet")
    articles, report = collect([tmp_path], settings)
    assert not report.rejects
    assert sorted((a.outlet, str(a.published)) for a in articles) == [
        ("Reuters", "2017-04-16"), ("Reuters", "2017-04-16"), ("SANA", "2017-04-17"), ("SANA", "2017-04-17")]


def test_ingest_manifest_maps_files_to_metadata(tmp_path, settings):
    (tmp_path / "x.txt").write_text(BODY)
    (tmp_path / "manifest.csv").write_text("file,url,outlet,date\nx.txt,https://sana.sy/en/?p=9,,2016-12-22\n")
    (article,), report = collect([tmp_path], settings)
    assert not report.rejects
    assert (article.outlet, article.outlet_source, article.url, article.published) == (
        "SANA", "url", "https://sana.sy/en/?p=9", dt.date(2016, 12, 22))


@pytest.mark.parametrize(
    "data, expected",
    [
        ("Caf\u00e9 in Aleppo \u2019quoted\u2019".encode("cp1252"), "Caf\u00e9 in Aleppo \u2019quoted\u2019"),
        ("Caf\u00e9 \u2014 Homs".encode("utf-8"), "Caf\u00e9 \u2014 Homs"),
        (b"\xef\xbb\xbfBOM text", "BOM text"),
        ("UTF-16 text \u00e9".encode("utf-16"), "UTF-16 text \u00e9"),
        (b"undefined cp1252 byte \x81 kept", "undefined cp1252 byte \x81 kept"),
    ],
)
def test_ingest_decode_bytes(data, expected):
    assert ingest.decode_bytes(data)[0] == expected


def test_ingest_fakes_cp1252_all_rows_accounted(settings, eval_dir):
    """Every one of the 396 FA-KES rows comes out as an article with its outlet and date,
    or as a reported duplicate of an identical row of the same outlet and date."""
    path = eval_dir / "fakes_syria" / "fakes_dev.csv"
    text = path.read_bytes().decode("cp1252", errors="replace")
    gold = list(csv.DictReader(io.StringIO(text)))
    articles, report = collect([path], settings)
    by_row = {int(a.source_path.rsplit("=", 1)[1]): a for a in articles}
    dupes = {int(r.where.rsplit("=", 1)[1]): r.reason for r in report.rejects if r.stage == "dedupe"}
    assert len(gold) == 396
    assert len(by_row) + len(dupes) == 396, [r for r in report.rejects if r.stage != "dedupe"]
    canon = {"reuters": "Reuters", "sana": "SANA", "tass": "TASS", "trt": "TRT World", "ahram": "Al-Ahram"}
    for i, row in enumerate(gold, start=1):
        if i in dupes:
            original = by_row[int(dupes[i].rsplit("=", 1)[1])]
            assert original.outlet_source == "metadata"
            continue
        article = by_row[i]
        month, day, year = (int(x) for x in row["date"].split("/"))
        assert article.published == dt.date(2000 + year, month, day)
        assert article.outlet_source == "metadata"
        if row["source"] in canon:
            assert article.outlet == canon[row["source"]]
    assert len({a.outlet for a in articles}) == 15
    assert "\ufffd" not in "".join(a.text for a in articles)


def _bad_corpus(root: Path) -> dict[str, str]:
    """A corpus of bad inputs beside good ones; returns file name -> expected reason fragment."""
    (root / "good.txt").write_text(BODY)
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.md").write_text("   \n\n  ")
    (root / "binary.txt").write_bytes(bytes(range(256)) * 40)
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    (root / "truncated.html").write_text("<html><body><div><p>Syrian for")
    (root / "invalid_utf8.txt").write_bytes(BODY.replace("Douma", "Kafr Batna").encode() + b" \xff\xfe broken \xc3")
    (root / "missing_cols.csv").write_text("headline,when\nSomething happened,2017-01-01\n")
    (root / "bad_dates.csv").write_text(f'text,source,date\n"{BODY.replace("Douma", "Jobar")}",reuters,not a date\n')
    (root / "zz_dup.txt").write_text(BODY)
    (root / "ragged.csv").write_text(f'text,source\n"{BODY.replace("Douma", "Saqba")}",reuters\n"x",a,b,c\n')
    (root / "bad.jsonl").write_text(json.dumps({"text": BODY.replace("Douma", "Hamouria")}) + "\n{not json\n[1,2]\n")
    with (root / "huge.txt").open("wb") as fh:
        fh.write((BODY + "\n").encode() * (51_000_000 // len(BODY)))
    return {
        "empty.txt": "empty file",
        "blank.md": "only whitespace",
        "binary.txt": "binary",
        "image.png": "unsupported file type",
        "truncated.html": "characters of text",
        "missing_cols.csv": "no article text column",
        "zz_dup.txt": "duplicate article",
        "ragged.csv#row=2": "fields",
        "bad.jsonl#row=2": "invalid JSON",
        "bad.jsonl#row=3": "not an object",
        "huge.txt": "MB limit",
    }


def test_ingest_bad_inputs_reported_good_inputs_kept(tmp_path, settings):
    expected = _bad_corpus(tmp_path)
    articles, report = collect([tmp_path, tmp_path / "does-not-exist"], settings)
    reasons = {Path(r.where).name: r.reason for r in report.rejects}
    for name, fragment in expected.items():
        assert fragment in reasons.get(name, ""), (name, reasons)
    assert "does not exist" in reasons["does-not-exist"]
    kept = {Path(a.source_path).name for a in articles}
    assert kept == {"good.txt", "invalid_utf8.txt", "bad_dates.csv#row=1", "ragged.csv#row=1", "bad.jsonl#row=1"}
    assert {Path(w.where).name for w in report.warnings} == {"bad_dates.csv#row=1"}
    bad_date = next(a for a in articles if a.source_path.endswith("bad_dates.csv#row=1"))
    assert bad_date.published is None and bad_date.outlet == "Reuters"
    assert len(report.rejects) == len(expected) + 1


def test_ingest_duplicates_reported_on_every_run(tmp_path, settings):
    """A duplicate within the inputs is a reject on the first run and on every re-run alike."""
    (tmp_path / "a.txt").write_text(BODY)
    (tmp_path / "b.txt").write_text(BODY)
    request = run.RunRequest((tmp_path,), Path("/nonexistent-out"))
    first = RunReport()
    (article,) = run.collect_articles(request, settings, set(), first)
    second = RunReport()
    assert run.collect_articles(request, settings, {article.doc_id}, second) == []
    assert second.articles_skipped_existing == 1
    assert [(Path(r.where).name, r.stage) for r in first.rejects] == [(Path(r.where).name, r.stage) for r in second.rejects] == [("b.txt", "dedupe")]
