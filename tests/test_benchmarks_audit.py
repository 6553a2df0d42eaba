"""benchmarks/audit.py: sampling, the blind sheet, scoring and proxies, on a tiny hand-built run.

Needs neither ../shared nor spaCy: the run folder and the rubric file are made here."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load_audit():
    spec = importlib.util.spec_from_file_location("benchmarks_audit", ROOT / "benchmarks" / "audit.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


audit = _load_audit()

FOCUS_REASON = "document focus (no place in sentence; last place: trigger); SY document focus 100%"
SENTENCE_REASON = "trigger: prep-object 'in'; SY document focus 80%, population 1M; only candidate"

# doc -> sentences; each event row points at one sentence by index.
DOCS = {
    "a": ["Rebels clashed with troops in Town1 on Monday.", "Fighting went on there.", "Analysts expect more."],
    "b": ["A car bomb exploded in Town2 killing 2000.", "Civilians were attacked in Syria.",
          "Shelling hit the Region3 countryside."],
    "c": ["Protesters marched in Town4.", "Police dispersed the crowd."],
}
# (event_id, doc, sentence index, event_type, place_id, place_name, geo_precision, geo_reason, fatalities)
ROWS = [
    ("e1", "a", 0, "Battles", "P1", "Town1", 1, SENTENCE_REASON, None),
    ("e2", "a", 0, "Battles", "SY", "Syria", 4, SENTENCE_REASON, None),  # same sentence: country dot
    ("e3", "a", 1, "Battles", "P1", "Town1", 2, FOCUS_REASON, None),  # repeats e1's (doc, type, place)
    ("e4", "b", 0, "Explosions/Remote violence", "P2", "Town2", 1, SENTENCE_REASON, 2000),
    ("e5", "b", 1, "Violence against civilians", "SY", "Syria", 4, SENTENCE_REASON, None),
    ("e6", "b", 2, "Explosions/Remote violence", "P3", "Region3", 3, SENTENCE_REASON, None),
    ("e7", "c", 0, "Protests", "P4", "Town4", 1, SENTENCE_REASON, 1000),
    ("e8", "c", 1, "Protests", "P5", "Town4", 2, FOCUS_REASON, None),
]


def _texts() -> dict[str, tuple[str, list[tuple[int, int]]]]:
    out = {}
    for doc, sents in DOCS.items():
        text, spans = "", []
        for s in sents:
            if text:
                text += " "
            spans.append((len(text), len(text) + len(s)))
            text += s
        out[doc] = (text, spans)
    return out


def _events_table(extra_column: bool = False) -> pa.Table:
    texts = _texts()
    recs = []
    for eid, doc, si, etype, pid, pname, prec, reason, fat in ROWS:
        text, spans = texts[doc]
        cs, ce = spans[si]
        recs.append({
            "event_id": eid, "doc_id": doc, "outlet": f"Outlet {doc.upper()}", "published": dt.date(2016, 1, 2),
            "event_date": dt.date(2016, 1, 1), "date_precision": "day", "date_text": "Monday",
            "event_type": etype, "sub_event_type": "Armed clash", "trigger": "clashed",
            "actor": "Rebels", "actor_text": "Rebels", "actor_group": "rebel groups", "target": None,
            "target_text": None, "claim_source": None, "claim_status": "asserted", "fatalities": fat,
            "place_text": pname, "place_name": pname, "place_id": pid, "admin1": "Aleppo", "country_code": "SY",
            "geo_precision": prec, "geo_reason": reason, "lat": 36.2, "lon": 37.1, "sentence": text[cs:ce],
            "sentence_index": si, "char_start": cs, "char_end": ce, "title": f"Title {doc}", "url": None,
            "pipeline_version": "0.1.0",
        })
    table = pa.Table.from_pylist(recs)
    if extra_column:
        table = table.append_column("mentions", pa.array([1] * table.num_rows, pa.int64()))
    return table


def _articles_table() -> pa.Table:
    return pa.Table.from_pylist([
        {"doc_id": doc, "outlet": f"Outlet {doc.upper()}", "published": dt.date(2016, 1, 2), "title": f"Title {doc}",
         "url": None, "source_path": f"x.csv#row={i}", "text": text}
        for i, (doc, (text, _)) in enumerate(_texts().items())
    ])


@pytest.fixture
def run_dir(tmp_path) -> Path:
    d = tmp_path / "run"
    d.mkdir()
    pq.write_table(_events_table(), d / "events.parquet")
    pq.write_table(_articles_table(), d / "articles.parquet")
    return d


@pytest.fixture
def eval_dir(tmp_path) -> Path:
    d = tmp_path / "eval"
    d.mkdir()
    (d / "AUDIT.md").write_text("# Audit\n\n## Protocol\nsecret protocol\n\n## Rubric (each yes / no)\n"
                                "- **event_real**: RUBRIC-MARKER a concrete event.\n", encoding="utf-8")
    return d


def _sheet(run_dir: Path, eval_dir: Path, out: Path, n: int, seed: int) -> int:
    return audit.main(["sheet", "--run-dir", str(run_dir), "--out", str(out), "--n", str(n), "--seed", str(seed),
                       "--eval-dir", str(eval_dir)])


def _key_ids(out: Path) -> list[str]:
    return [json.loads(line)["event_id"] for line in (out / "key.jsonl").read_text().splitlines()]


def test_sampling_is_deterministic_per_seed_and_differs_across_seeds(run_dir, eval_dir, tmp_path):
    events, _, _ = audit.load_run(run_dir)
    assert [e["event_id"] for e in audit.draw_sample(events, 4, 7)] == \
        [e["event_id"] for e in audit.draw_sample(list(reversed(events)), 4, 7)]  # input order does not matter
    assert _sheet(run_dir, eval_dir, tmp_path / "s1", 4, 1) == 0
    assert _sheet(run_dir, eval_dir, tmp_path / "s1b", 4, 1) == 0
    assert _sheet(run_dir, eval_dir, tmp_path / "s2", 4, 2) == 0
    assert _key_ids(tmp_path / "s1") == _key_ids(tmp_path / "s1b")
    assert _key_ids(tmp_path / "s1") != _key_ids(tmp_path / "s2")
    assert len(set(_key_ids(tmp_path / "s1"))) == 4
    # n larger than the run: every row once
    assert _sheet(run_dir, eval_dir, tmp_path / "all", 50, 3) == 0
    assert sorted(_key_ids(tmp_path / "all")) == [r[0] for r in ROWS]


def test_sheet_is_blind_and_complete(run_dir, eval_dir, tmp_path):
    out = tmp_path / "sheet"
    assert _sheet(run_dir, eval_dir, out, 8, 5) == 0
    for name in ("sheet.jsonl", "sheet.md", "JUDGING.md"):
        text = (out / name).read_text(encoding="utf-8")
        assert "geo_reason" not in text and "event_id" not in text, name
        assert "document focus" not in text and "prep-object" not in text, name
        for eid, *_ in ROWS:
            assert f'"{eid}"' not in text, (name, eid)
    rows = [json.loads(line) for line in (out / "sheet.jsonl").read_text().splitlines()]
    assert [r["row"] for r in rows] == list(range(1, 9))
    for r in rows:
        assert "geo_reason" not in r and "event_id" not in r and "doc_id" not in r
        assert ">>>" + r["sentence"] + "<<<" in r["context"]
        assert r["geo_precision_meaning"] == audit.PRECISION_MEANING[r["geo_precision"]]
        for k in ("outlet", "title", "published", "event_type", "sub_event_type", "trigger", "actor", "actor_text",
                  "actor_group", "target", "target_text", "claim_source", "claim_status", "fatalities", "event_date",
                  "date_precision", "place_text", "place_name", "admin1", "country_code", "lat", "lon"):
            assert k in r
    # other dots: the rest of the article's rows, not the row itself
    keys = {k["row"]: k for k in map(json.loads, (out / "key.jsonl").read_text().splitlines())}
    by_id = {r[0]: r for r in ROWS}
    for r in rows:
        doc = keys[r["row"]]["doc_id"]
        assert len(r["other_dots"]) == sum(1 for x in ROWS if x[1] == doc) - 1
    # the private key
    for k in keys.values():
        assert k["geo_reason"] == by_id[k["event_id"]][7]
        assert k["place_source"] == ("document focus" if k["event_id"] in ("e3", "e8") else "sentence")
    judging = (out / "JUDGING.md").read_text()
    assert "RUBRIC-MARKER" in judging and "secret protocol" not in judging
    assert '"duplicate"' in judging and "strict" in judging.lower()
    assert json.loads((out / "meta.json").read_text())["seed"] == 5


# Hand-written judgments per event (mapped to rows through key.jsonl).
FIELDS = ("event_real", "place_ok", "type_ok", "actor_ok", "source_ok", "duplicate")
J = {eid: dict(zip(FIELDS, vals.split(), strict=True)) for eid, vals in {
    #      real place      type actor source dup
    "e1": "yes  yes        yes  yes   yes    yes",
    "e2": "yes  no         yes  yes   no     yes",
    "e3": "yes  yes        yes  no    yes    no",
    "e4": "yes  yes        yes  yes   yes    no",
    "e5": "no   unknowable no   no    yes    no",
    "e6": "yes  unknowable yes  yes   yes    no",
    "e7": "yes  no         yes  yes   no     no",
    "e8": "no   yes        yes  yes   yes    no",
}.items()}


def _judgments(out: Path, path: Path, drop_row: int | None = None, patch: dict | None = None) -> Path:
    lines = []
    for line in (out / "key.jsonl").read_text().splitlines():
        k = json.loads(line)
        if k["row"] == drop_row:
            continue
        j = {"row": k["row"], **J[k["event_id"]], "note": "x"}
        if patch and k["row"] in patch:
            j.update(patch[k["row"]])
        lines.append(json.dumps(j))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_score_exact_rates(run_dir, eval_dir, tmp_path, capsys):
    out = tmp_path / "sheet"
    assert _sheet(run_dir, eval_dir, out, 8, 11) == 0
    jpath = _judgments(out, tmp_path / "j.jsonl")
    capsys.readouterr()
    assert audit.main(["score", "--sheet", str(out), "--judgments", str(jpath), "--json"]) == 0
    s = json.loads(capsys.readouterr().out)
    rt = s["rates"]
    assert s["n"] == 8 and s["seed"] == 11
    assert (rt["event_real"]["count"], rt["event_real"]["rate"]) == (6, 0.75)
    assert (rt["place_ok"]["count"], rt["place_ok"]["rate"]) == (6, 0.75)
    assert (rt["place_ok"]["yes"], rt["place_ok"]["no"], rt["place_ok"]["unknowable"]) == (4, 2, 2)
    assert (rt["place_ok_knowable"]["count"], rt["place_ok_knowable"]["n"], rt["place_ok_knowable"]["rate"]) == \
        (4, 6, 0.6667)
    assert (rt["type_ok"]["count"], rt["type_ok"]["rate"]) == (7, 0.875)
    assert (rt["actor_ok"]["count"], rt["actor_ok"]["rate"]) == (6, 0.75)
    assert (rt["source_ok"]["count"], rt["source_ok"]["rate"]) == (6, 0.75)
    assert (rt["row_ok"]["count"], rt["row_ok"]["rate"]) == (3, 0.375)
    assert (rt["duplicate_dot"]["count"], rt["duplicate_dot"]["n"], rt["duplicate_dot"]["rate"]) == (2, 6, 0.3333)
    bp = s["by_geo_precision"]
    assert {g: (b["n"], b["row_ok"]["count"], b["place_ok"]["count"]) for g, b in bp.items()} == \
        {"1": (3, 2, 2), "2": (2, 0, 2), "3": (1, 1, 1), "4": (2, 0, 1)}
    bs = s["by_place_source"]
    assert {g: (b["n"], b["row_ok"]["count"], b["place_ok"]["count"]) for g, b in bs.items()} == \
        {"document focus": (2, 0, 2), "sentence": (6, 3, 4)}
    # the Markdown table
    assert audit.main(["score", "--sheet", str(out), "--judgments", str(jpath)]) == 0
    md = capsys.readouterr().out
    assert "| **row_ok**" in md and "37.5%" in md and "| document focus | 2 | 0 (0.0%) | 2 (100.0%) |" in md


def test_bad_judgments_exit_2_naming_row_and_field(run_dir, eval_dir, tmp_path, capsys):
    out = tmp_path / "sheet"
    assert _sheet(run_dir, eval_dir, out, 8, 11) == 0
    capsys.readouterr()
    missing = _judgments(out, tmp_path / "missing.jsonl", drop_row=5)
    assert audit.main(["score", "--sheet", str(out), "--judgments", str(missing)]) == 2
    assert "row 5" in capsys.readouterr().err
    bad = _judgments(out, tmp_path / "bad.jsonl", patch={3: {"place_ok": "maybe"}})
    assert audit.main(["score", "--sheet", str(out), "--judgments", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "row 3" in err and "place_ok" in err
    absent = _judgments(out, tmp_path / "absent.jsonl")
    lines = absent.read_text().splitlines()
    j = json.loads(lines[1])
    del j["type_ok"]
    lines[1] = json.dumps(j)
    absent.write_text("\n".join(lines) + "\n")
    assert audit.main(["score", "--sheet", str(out), "--judgments", str(absent)]) == 2
    err = capsys.readouterr().err
    assert f"row {j['row']}" in err and "type_ok" in err
    twice = _judgments(out, tmp_path / "twice.jsonl")
    twice.write_text(twice.read_text() + twice.read_text().splitlines()[0] + "\n")
    assert audit.main(["score", "--sheet", str(out), "--judgments", str(twice)]) == 2
    assert "more than once" in capsys.readouterr().err


def test_proxies_exact(run_dir, capsys):
    p = audit.proxies(run_dir)
    assert p["rows"] == 8 and p["articles"] == 3
    assert p["duplicate_row_share"] == 0.125  # e3 repeats e1's (doc, type, place)
    assert p["same_sentence_share"] == 0.25  # e1 and e2 share a sentence
    assert p["dots_per_article"] == 2.6667
    assert p["fatalities_over_1000"] == 1  # 2000 yes, 1000 no
    assert p["country_rows"] == 2 and p["country_rows_with_town_share"] == 0.5  # e2 yes (e1), e5 no
    assert p["document_focus_share"] == 0.25
    assert audit.main(["proxies", "--run-dir", str(run_dir), "--json"]) == 0
    j = json.loads(capsys.readouterr().out)
    for k in ("rows", "articles", "duplicate_row_share", "dots_per_article", "fatalities_over_1000"):
        assert j[k] == p[k]


def test_reads_folder_of_parts_with_added_columns(tmp_path, run_dir):
    d = tmp_path / "parts"
    (d / "events.parquet").mkdir(parents=True)
    (d / "articles").mkdir()
    ev = _events_table()
    pq.write_table(ev.slice(0, 3), d / "events.parquet" / "part-0.parquet")
    pq.write_table(_events_table(extra_column=True).slice(3), d / "events.parquet" / "part-1.parquet")
    pq.write_table(_articles_table(), d / "articles" / "part-0.parquet")
    assert audit.proxies(d) | {"run_dir": ""} == audit.proxies(run_dir) | {"run_dir": ""}


def test_missing_eval_dir_exits_2_naming_path(run_dir, tmp_path, capsys):
    gone = tmp_path / "no_such_eval"
    assert audit.main(["sheet", "--run-dir", str(run_dir), "--out", str(tmp_path / "s"), "--seed", "1",
                       "--eval-dir", str(gone)]) == 2
    err = capsys.readouterr().err.strip()
    assert str(gone) in err and len(err.splitlines()) == 1
