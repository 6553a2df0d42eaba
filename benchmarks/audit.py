"""The blind map-row audit: draw map rows at random, have them judged blind, score the judgments.

Protocol and rubric: ../shared/eval/AUDIT.md. Commands (all with .venv/bin/python):

    benchmarks/audit.py sheet [--corpus CSV | --run-dir DIR] --out SHEETDIR --n 120 --seed S
        Runs the pipeline on the corpus into SHEETDIR/run (or reuses DIR), draws n rows with
        random.Random(S) over the rows sorted by event_id, and writes
          SHEETDIR/sheet.jsonl, SHEETDIR/sheet.md   what the blind judge reads (no geo_reason, no event_id)
          SHEETDIR/JUDGING.md                        the rubric and the exact judgments format
          SHEETDIR/key.jsonl                         private: row -> event_id, doc_id, geo_reason, geo_precision,
                                                     place_source ("sentence" | "document focus")
          SHEETDIR/meta.json                         seed, n, run folder, corpus
    benchmarks/audit.py score --sheet SHEETDIR --judgments FILE [--json]
        Every rubric rate with counts, broken down by geo_precision and by place_source; exit 2 on a bad file.
    benchmarks/audit.py proxies [--corpus CSV | --run-dir DIR] [--json]
        Automatic proxies over a whole run (duplicate rows, dots per article, country rows beside town rows...).
    benchmarks/audit.py --n 120 --seed S --out DIR      sheet, then print the proxies
    benchmarks/audit.py --json                          pipeline on the default corpus (temp dir), proxies as JSON

The run folder may hold ``events.parquet`` / ``articles.parquet`` as files or as folders of parts (or the
Dask engine's ``events/`` and ``articles/`` folders); columns beyond those used here are ignored.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import random
import subprocess
import sys
import tempfile
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
CORPUS_REL = Path("fakes_syria") / "fakes_dev.csv"

CONTEXT_CHARS = 600
OTHER_SENTENCE_CHARS = 100
PRECISION_MEANING = {1: "town/exact", 2: "near/part of place", 3: "region only", 4: "country only"}
FOCUS_SOURCE, SENTENCE_SOURCE = "document focus", "sentence"

JUDGED_FIELDS = {
    "event_real": ("yes", "no"),
    "place_ok": ("yes", "no", "unknowable"),
    "type_ok": ("yes", "no"),
    "actor_ok": ("yes", "no"),
    "source_ok": ("yes", "no"),
    "duplicate": ("yes", "no"),
}

# Columns read from the run (only those present are read; the rest of the code copes with their absence).
EVENT_COLUMNS = (
    "event_id", "doc_id", "outlet", "published", "event_date", "date_precision", "date_text", "event_type",
    "sub_event_type", "trigger", "actor", "actor_text", "actor_group", "target", "target_text", "claim_source",
    "claim_status", "fatalities", "place_text", "place_name", "place_id", "admin1", "country_code",
    "geo_precision", "geo_reason", "lat", "lon", "sentence", "sentence_index", "char_start", "char_end",
    "title", "url",
)
ARTICLE_COLUMNS = ("doc_id", "outlet", "published", "title", "url", "text")


class AuditError(Exception):
    """A problem reported to the user as one line, exit code 2."""


# ---- reading a run -------------------------------------------------------------------------------------------


def _parquet_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    return sorted(p for p in path.rglob("*.parquet") if p.is_file() and not p.name.startswith((".", "_")))


def read_parquet_any(path: Path, columns: tuple[str, ...]) -> pa.Table:
    """A Parquet file or a folder of parts as one table, reading only the wanted columns that exist.

    Parts may differ in their columns (a column added later); missing ones come back null."""
    tables = []
    for f in _parquet_files(path):
        names = set(pq.read_schema(f).names)
        tables.append(pq.read_table(f, columns=[c for c in columns if c in names]))
    if not tables:
        raise AuditError(f"no Parquet data in {path}")
    return pa.concat_tables(tables, promote_options="permissive")


def _locate(run_dir: Path, kind: str) -> Path:
    for cand in (run_dir / f"{kind}.parquet", run_dir / kind):
        if cand.exists():
            return cand
    raise AuditError(f"{run_dir} holds no {kind}.parquet (file or folder) nor {kind}/ parts")


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    return table.to_pylist()


def load_run(run_dir: Path) -> tuple[list[dict], dict[str, dict], int]:
    """(events, articles by doc_id, rows dropped). Events whose article is missing (a batch killed before its
    articles were committed) are dropped, as the pipeline itself treats them as not done."""
    run_dir = Path(run_dir)
    events = _rows(read_parquet_any(_locate(run_dir, "events"), EVENT_COLUMNS))
    articles: dict[str, dict] = {}
    for a in _rows(read_parquet_any(_locate(run_dir, "articles"), ARTICLE_COLUMNS)):
        articles.setdefault(a["doc_id"], a)
    kept = [e for e in events if e.get("doc_id") in articles]
    return kept, articles, len(events) - len(kept)


def _sort_key(e: dict) -> tuple:
    return (str(e.get("event_id") or ""), str(e.get("doc_id") or ""), e.get("char_start") or 0,
            str(e.get("place_id") or ""))


def draw_sample(events: list[dict], n: int, seed: int) -> list[dict]:
    """n rows drawn with random.Random(seed) from the rows sorted by event_id (all rows if fewer)."""
    ordered = sorted(events, key=_sort_key)
    return random.Random(seed).sample(ordered, min(n, len(ordered)))


def place_source(geo_reason: str | None) -> str:
    """The place source: "document focus" when the place was inherited from the article rather than named in the sentence.

    The extraction marks such places with a reason starting "document focus"; the geocoder prepends that
    reason to its own (which can itself mention e.g. "SY document focus 60%" for a place the sentence names,
    so a bare substring test would misfile those)."""
    r = (geo_reason or "").strip().lower()
    if r.startswith("document focus") or "document's place stands in" in r:
        return FOCUS_SOURCE
    return SENTENCE_SOURCE


# ---- the sheet -----------------------------------------------------------------------------------------------


def _iso(v: Any) -> Any:
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _context(article: dict | None, e: dict) -> str:
    sentence = e.get("sentence") or ""
    text = (article or {}).get("text") or ""
    start, end = e.get("char_start"), e.get("char_end")
    if not text or start is None or end is None or text[start:end] != sentence:
        pos = text.find(sentence) if text and sentence else -1
        if pos < 0:
            return f">>>{sentence}<<<"
        start, end = pos, pos + len(sentence)
    lo, hi = max(0, start - CONTEXT_CHARS), min(len(text), end + CONTEXT_CHARS)
    before, after = text[lo:start], text[end:hi]
    return ("…" if lo > 0 else "") + before + ">>>" + text[start:end] + "<<<" + after + ("…" if hi < len(text) else "")


def _short(s: str | None, k: int = OTHER_SENTENCE_CHARS) -> str:
    s = " ".join((s or "").split())
    return s if len(s) <= k else s[: k - 1] + "…"


def _other_dots(e: dict, by_doc: dict[str, list[dict]]) -> list[dict]:
    others = [o for o in by_doc.get(e["doc_id"], []) if o is not e]
    others.sort(key=lambda o: (o.get("sentence_index") if o.get("sentence_index") is not None else -1,
                               o.get("char_start") or 0, str(o.get("place_name") or ""), str(o.get("event_type"))))
    return [{"sentence_index": o.get("sentence_index"), "sentence": _short(o.get("sentence")),
             "event_type": o.get("event_type"), "place_name": o.get("place_name"),
             "geo_precision": o.get("geo_precision")} for o in others]


def sheet_row(i: int, e: dict, article: dict | None, by_doc: dict[str, list[dict]]) -> dict:
    """What the blind judge sees about one row: nothing about how the pipeline chose it."""
    a = article or {}
    prec = e.get("geo_precision")
    return {
        "row": i,
        "outlet": e.get("outlet") or a.get("outlet"),
        "title": e.get("title") or a.get("title"),
        "published": _iso(e.get("published") or a.get("published")),
        "sentence_index": e.get("sentence_index"),
        "sentence": e.get("sentence"),
        "context": _context(article, e),
        "event_type": e.get("event_type"),
        "sub_event_type": e.get("sub_event_type"),
        "trigger": e.get("trigger"),
        "actor": e.get("actor"),
        "actor_text": e.get("actor_text"),
        "actor_group": e.get("actor_group"),
        "target": e.get("target"),
        "target_text": e.get("target_text"),
        "claim_source": e.get("claim_source"),
        "claim_status": e.get("claim_status"),
        "fatalities": e.get("fatalities"),
        "event_date": _iso(e.get("event_date")),
        "date_precision": e.get("date_precision"),
        "place_text": e.get("place_text"),
        "place_name": e.get("place_name"),
        "admin1": e.get("admin1"),
        "country_code": e.get("country_code"),
        "geo_precision": prec,
        "geo_precision_meaning": PRECISION_MEANING.get(prec, "unknown"),
        "lat": _iso(e.get("lat")),
        "lon": _iso(e.get("lon")),
        "other_dots": _other_dots(e, by_doc),
    }


def key_row(i: int, e: dict) -> dict:
    return {"row": i, "event_id": e.get("event_id"), "doc_id": e.get("doc_id"), "geo_reason": e.get("geo_reason"),
            "geo_precision": e.get("geo_precision"), "place_source": place_source(e.get("geo_reason"))}


def _v(x: Any) -> str:
    return "—" if x is None or x == "" else str(x)


def _coord(x: Any) -> str:
    return "—" if x is None else f"{x:.4f}"


def _quote(text: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in (text or "").splitlines() or [""])


def sheet_markdown(rows: list[dict], seed: int) -> str:
    out = [f"# Map-row audit sheet ({len(rows)} rows, seed {seed})", "",
           "Judge each row with the rubric in JUDGING.md. The sentence is marked >>> like this <<< in its context.", ""]
    for r in rows:
        out += [
            f"## Row {r['row']}", "",
            f"- **outlet**: {_v(r['outlet'])} · **published**: {_v(r['published'])}",
            f"- **title**: {_v(r['title'])}",
            f"- **event_type**: {_v(r['event_type'])} / {_v(r['sub_event_type'])} · **trigger**: {_v(r['trigger'])}",
            f"- **actor**: {_v(r['actor'])} (text: {_v(r['actor_text'])}) · **actor_group**: {_v(r['actor_group'])}",
            f"- **target**: {_v(r['target'])} (text: {_v(r['target_text'])})",
            f"- **claim_source**: {_v(r['claim_source'])} · **claim_status**: {_v(r['claim_status'])}",
            f"- **fatalities**: {_v(r['fatalities'])}",
            f"- **event_date**: {_v(r['event_date'])} (precision: {_v(r['date_precision'])})",
            (f"- **place_text**: {_v(r['place_text'])} → **place_name**: {_v(r['place_name'])}, "
             f"**admin1**: {_v(r['admin1'])}, **country_code**: {_v(r['country_code'])}"),
            (f"- **geo_precision**: {_v(r['geo_precision'])} ({r['geo_precision_meaning']}) · "
             f"**lat/lon**: {_coord(r['lat'])}, {_coord(r['lon'])}"),
            "",
            f"**Sentence** (sentence {_v(r['sentence_index'])} of the article):", "",
            _quote(r["sentence"] or ""), "",
            "**Article text around it**:", "",
            _quote(r["context"]), "",
        ]
        if r["other_dots"]:
            out.append("**Other dots from this article** (sentence · start of sentence · event_type · place · precision):")
            out.append("")
            for o in r["other_dots"]:
                out.append(f"- s{_v(o['sentence_index'])} · \"{o['sentence']}\" · {_v(o['event_type'])} · "
                           f"{_v(o['place_name'])} · {_v(o['geo_precision'])}")
        else:
            out.append("**Other dots from this article**: none.")
        out.append("")
    return "\n".join(out)


def rubric_text(eval_dir: Path) -> str:
    """The rubric and duplicate-dot paragraphs of AUDIT.md, verbatim."""
    text = (eval_dir / "AUDIT.md").read_text(encoding="utf-8")
    marker = "## Rubric"
    i = text.find(marker)
    return (text[i:] if i >= 0 else text).strip()


def judging_markdown(rubric: str, n: int) -> str:
    allowed = ", ".join(f'"{k}": ' + "|".join(f'"{v}"' for v in vals) for k, vals in JUDGED_FIELDS.items())
    return f"""# Judging the map-row audit sheet

You are judging {n} rows of an automatically built event map, given in `sheet.md` (the same rows are in
`sheet.jsonl`). Each row is one dot on the map: an event that some news outlet reported, the place it was
pinned to, and what was read out of the sentence (type, actor, target, who said it, fatalities, date).
Judge each row only from the sentence, the article text shown around it and the rubric below.

**Be strict.** Do not guess in the map's favour: when the text does not support a field, answer "no". Use
"unknowable" for place_ok only where the article never says where the event happened.

{rubric}

## Notes on the fields shown

- geo_precision: 1 = town/exact, 2 = near/part of a place, 3 = region only, 4 = country only.
- "Other dots from this article" lists the article's other rows (sentence number, start of the sentence,
  event_type, place, geo_precision). Answer **duplicate = "yes"** when another dot in that list maps the same
  real event as this row (the headline, lead and body repeating it; the same sentence giving a town dot and a
  country dot; one event typed twice); otherwise "no". For a row that is not a real event, answer "no".

## Output format (exact)

Write a JSONL file (UTF-8), one JSON object per line, exactly one line for each row 1..{n}:

```
{{"row": 1, "event_real": "yes", "place_ok": "yes", "type_ok": "yes", "actor_ok": "no", "source_ok": "yes", "duplicate": "no", "note": "short reason"}}
```

Allowed values: {allowed}; "row" is the row number (an integer) and "note" a short reason (one sentence,
especially for every "no"). No other keys, no comments, no blank lines.
"""


def write_sheet(run_dir: Path, out: Path, n: int, seed: int, eval_dir: Path, corpus: Path | None = None) -> dict:
    events, articles, _ = load_run(run_dir)
    if not events:
        raise AuditError(f"no event rows in {run_dir}")
    sample = draw_sample(events, n, seed)
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for e in events:
        by_doc[e["doc_id"]].append(e)
    rows = [sheet_row(i, e, articles.get(e["doc_id"]), by_doc) for i, e in enumerate(sample, 1)]
    keys = [key_row(i, e) for i, e in enumerate(sample, 1)]
    out.mkdir(parents=True, exist_ok=True)
    _write_jsonl(out / "sheet.jsonl", rows)
    _write_jsonl(out / "key.jsonl", keys)
    (out / "sheet.md").write_text(sheet_markdown(rows, seed), encoding="utf-8")
    (out / "JUDGING.md").write_text(judging_markdown(rubric_text(eval_dir), len(rows)), encoding="utf-8")
    meta = {"seed": seed, "n": len(rows), "n_requested": n, "run_dir": str(run_dir),
            "corpus": str(corpus) if corpus else None, "rows_in_run": len(events), "articles_in_run": len(articles),
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    (out / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return meta


def _write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


# ---- scoring -------------------------------------------------------------------------------------------------


def load_judgments(path: Path, rows: list[int]) -> dict[int, dict]:
    """Judgments by row; AuditError naming the row and field for anything off."""
    if not path.is_file():
        raise AuditError(f"judgments file not found: {path}")
    expected = set(rows)
    got: dict[int, dict] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            j = json.loads(line)
        except json.JSONDecodeError as exc:
            raise AuditError(f"judgments line {lineno}: not valid JSON ({exc.msg})") from None
        if not isinstance(j, dict):
            raise AuditError(f"judgments line {lineno}: not a JSON object")
        row = j.get("row")
        if not isinstance(row, int) or isinstance(row, bool):
            raise AuditError(f"judgments line {lineno}: field 'row' must be an integer, got {row!r}")
        if row not in expected:
            raise AuditError(f"judgments row {row}: not a row of the sheet (rows are {min(rows)}..{max(rows)})")
        if row in got:
            raise AuditError(f"judgments row {row}: judged more than once (line {lineno})")
        for field, allowed in JUDGED_FIELDS.items():
            if j.get(field) not in allowed:
                what = "missing" if field not in j else f"{j[field]!r} is not one of {'/'.join(allowed)}"
                raise AuditError(f"judgments row {row}: field '{field}' {what}")
        got[row] = j
    missing = sorted(expected - set(got))
    if missing:
        more = f" (and {len(missing) - 1} more)" if len(missing) > 1 else ""
        raise AuditError(f"judgments row {missing[0]}: not judged{more}")
    return got


def _rate(k: int, n: int) -> dict:
    return {"count": k, "n": n, "rate": round(k / n, 4) if n else None}


def _row_ok(j: dict) -> bool:
    return (j["event_real"] == "yes" and j["place_ok"] in ("yes", "unknowable")
            and j["type_ok"] == "yes" and j["actor_ok"] == "yes")


def _place_good(j: dict) -> bool:
    return j["place_ok"] in ("yes", "unknowable")


def score(sheet_dir: Path, judgments_path: Path) -> dict:
    key_path = sheet_dir / "key.jsonl"
    if not key_path.is_file():
        raise AuditError(f"no key.jsonl in {sheet_dir}: not a sheet folder written by `audit.py sheet`")
    keys = {k["row"]: k for k in _read_jsonl(key_path)}
    judged = load_judgments(judgments_path, sorted(keys))
    js = [judged[r] for r in sorted(keys)]
    n = len(js)
    place = Counter(j["place_ok"] for j in js)
    knowable = place["yes"] + place["no"]
    real = [j for j in js if j["event_real"] == "yes"]
    result: dict[str, Any] = {"sheet": str(sheet_dir), "judgments": str(judgments_path), "n": n}
    meta_path = sheet_dir / "meta.json"
    if meta_path.is_file():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        result["seed"] = meta.get("seed")
        result["run_dir"] = meta.get("run_dir")
    result["rates"] = {
        "event_real": _rate(len(real), n),
        "place_ok": {**_rate(place["yes"] + place["unknowable"], n), "yes": place["yes"], "no": place["no"],
                     "unknowable": place["unknowable"]},
        "place_ok_knowable": _rate(place["yes"], knowable),
        "type_ok": _rate(sum(j["type_ok"] == "yes" for j in js), n),
        "actor_ok": _rate(sum(j["actor_ok"] == "yes" for j in js), n),
        "source_ok": _rate(sum(j["source_ok"] == "yes" for j in js), n),
        "row_ok": _rate(sum(_row_ok(j) for j in js), n),
        "duplicate_dot": _rate(sum(j["duplicate"] == "yes" for j in real), len(real)),
    }

    def breakdown(group_of) -> dict:
        groups: dict[str, list[dict]] = defaultdict(list)
        for r in sorted(keys):
            groups[str(group_of(keys[r]))].append(judged[r])
        return {g: {"n": len(v), "row_ok": _rate(sum(_row_ok(j) for j in v), len(v)),
                    "place_ok": _rate(sum(_place_good(j) for j in v), len(v))}
                for g, v in sorted(groups.items())}

    result["by_geo_precision"] = breakdown(lambda k: k.get("geo_precision"))
    result["by_place_source"] = breakdown(lambda k: k.get("place_source") or place_source(k.get("geo_reason")))
    return result


def _pct(r: dict) -> str:
    return "—" if r["rate"] is None else f"{100 * r['rate']:.1f}%"


def score_markdown(s: dict) -> str:
    seed = f", seed {s['seed']}" if s.get("seed") is not None else ""
    rt = s["rates"]
    lines = [f"## Map-row audit: {s['n']} rows{seed}", "", "| measure | count | of | rate |", "|---|---:|---:|---:|"]
    labels = [
        ("row_ok", "**row_ok** (real, place ok/unknowable, type ok, actor ok)"),
        ("event_real", "event_real"),
        ("place_ok", f"place_ok (yes + unknowable; {rt['place_ok']['unknowable']} unknowable)"),
        ("place_ok_knowable", "place_ok where knowable (yes / (yes + no))"),
        ("type_ok", "type_ok"),
        ("actor_ok", "actor_ok"),
        ("source_ok", "source_ok"),
        ("duplicate_dot", "duplicate dots: real events with a duplicate"),
    ]
    for k, label in labels:
        r = rt[k]
        lines.append(f"| {label} | {r['count']} | {r['n']} | {_pct(r)} |")
    for title, key in (("geo_precision", "by_geo_precision"), ("place source", "by_place_source")):
        lines += ["", f"### By {title}", "", f"| {title} | rows | row_ok | place_ok |", "|---|---:|---:|---:|"]
        for g, b in s[key].items():
            name = f"{g} ({PRECISION_MEANING[int(g)]})" if key == "by_geo_precision" and g.isdigit() and int(g) in PRECISION_MEANING else g
            lines.append(f"| {name} | {b['n']} | {b['row_ok']['count']} ({_pct(b['row_ok'])}) | "
                         f"{b['place_ok']['count']} ({_pct(b['place_ok'])}) |")
    return "\n".join(lines) + "\n"


# ---- proxies -------------------------------------------------------------------------------------------------


def _share(k: int, n: int) -> float | None:
    return round(k / n, 4) if n else None


def proxies(run_dir: Path) -> dict:
    """Automatic, judge-free signals over the whole run."""
    events, articles, dropped = load_run(run_dir)
    n = len(events)
    key_counts = Counter((e.get("doc_id"), e.get("event_type"), e.get("place_id")) for e in events)
    repeats = sum(c - 1 for c in key_counts.values())  # rows beyond the first with the same key
    sent_counts = Counter((e.get("doc_id"), e.get("char_start")) for e in events)
    same_sentence = sum(c for c in sent_counts.values() if c > 1)  # every row of a shared sentence
    town_types = {(e.get("doc_id"), e.get("event_type")) for e in events if e.get("geo_precision") in (1, 2)}
    country = [e for e in events if e.get("geo_precision") == 4]
    country_with_town = sum((e.get("doc_id"), e.get("event_type")) in town_types for e in country)
    precisions = Counter(e.get("geo_precision") for e in events)
    focus = sum(place_source(e.get("geo_reason")) == FOCUS_SOURCE for e in events)
    return {
        "run_dir": str(run_dir),
        "rows": n,
        "articles": len(articles),
        "articles_with_rows": len({e.get("doc_id") for e in events}),
        "duplicate_row_share": _share(repeats, n),
        "duplicate_rows": repeats,
        "same_sentence_share": _share(same_sentence, n),
        "same_sentence_rows": same_sentence,
        "dots_per_article": round(n / len(articles), 4) if articles else None,
        "fatalities_over_1000": sum((e.get("fatalities") or 0) > 1000 for e in events),
        "country_rows": len(country),
        "country_rows_with_town_share": _share(country_with_town, len(country)),
        "country_rows_with_town": country_with_town,
        "document_focus_share": _share(focus, n),
        "rows_without_article_dropped": dropped,
        "rows_by_geo_precision": {str(k): v for k, v in sorted(precisions.items(), key=lambda kv: str(kv[0]))},
    }


def proxies_markdown(p: dict) -> str:
    lines = ["## Automatic proxies", "", f"Run: `{p['run_dir']}`", "", "| proxy | value |", "|---|---:|"]
    for k, v in p.items():
        if k == "run_dir":
            continue
        lines.append(f"| {k} | {json.dumps(v) if isinstance(v, dict) else v} |")
    return "\n".join(lines) + "\n"


# ---- running the pipeline ------------------------------------------------------------------------------------


def run_pipeline(corpus: Path, out_dir: Path, workers: int = 2) -> Path:
    if not corpus.is_file() and not corpus.is_dir():
        raise AuditError(f"corpus not found: {corpus}")
    out_dir.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pipeline", "run", str(corpus), "--out", str(out_dir), "--workers", str(workers),
           "--no-progress"]
    print(f"running: {' '.join(cmd)}", file=sys.stderr)
    proc = subprocess.run(cmd, check=False, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
        raise AuditError(f"pipeline run failed (exit {proc.returncode}): {tail}")
    return out_dir


def _require_eval(eval_dir: Path) -> None:
    if not eval_dir.is_dir():
        raise AuditError(f"evaluation data not found: expected {eval_dir} (../shared/eval beside the checkout)")
    if not (eval_dir / "AUDIT.md").is_file():
        raise AuditError(f"rubric not found: expected {eval_dir / 'AUDIT.md'}")


def _corpus(args, eval_dir: Path) -> Path:
    if args.corpus is not None:
        return args.corpus
    _require_eval(eval_dir)
    return eval_dir / CORPUS_REL


def _run_dir_for(args, eval_dir: Path, default_out: Path) -> Path:
    if args.run_dir is not None:
        if not args.run_dir.is_dir():
            raise AuditError(f"run folder not found: {args.run_dir}")
        return args.run_dir
    return run_pipeline(_corpus(args, eval_dir), default_out, args.workers)


# ---- command line --------------------------------------------------------------------------------------------

COMMANDS = ("sheet", "score", "proxies")


def _source_args(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--corpus", type=Path, help=f"corpus to run the pipeline on (default: ../shared/eval/{CORPUS_REL})")
    g.add_argument("--run-dir", type=Path, help="reuse a finished run's output folder instead of running the pipeline")
    p.add_argument("--workers", type=int, default=2, help="pipeline workers when running it (default 2)")
    p.add_argument("--eval-dir", type=Path, default=Path(os.environ.get("CLAIMS_ATLAS_EVAL", DEFAULT_EVAL)),
                   help="evaluation folder holding AUDIT.md and the corpus (default ../shared/eval)")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="audit.py", description="The blind map-row audit (see ../shared/eval/AUDIT.md).")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sheet", help="draw a seeded sample and write the blind judging sheet")
    _source_args(s)
    s.add_argument("--out", type=Path, required=True, help="sheet folder")
    s.add_argument("--n", type=int, default=120, help="rows to draw (default 120)")
    s.add_argument("--seed", type=int, required=True, help="sampling seed: change it every round")
    sc = sub.add_parser("score", help="score a judgments JSONL against a sheet")
    sc.add_argument("--sheet", type=Path, required=True, help="sheet folder (holds key.jsonl)")
    sc.add_argument("--judgments", type=Path, required=True, help="the judge's JSONL file")
    sc.add_argument("--json", action="store_true", help="print one JSON object")
    pr = sub.add_parser("proxies", help="automatic proxies over a whole run")
    _source_args(pr)
    pr.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def build_default_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="audit.py", description="With --out: write a sheet and print the proxies. Without: run the pipeline on "
        "the default corpus in a temporary folder and print the proxies. Subcommands: " + ", ".join(COMMANDS))
    _source_args(p)
    p.add_argument("--out", type=Path, help="sheet folder (writes a sheet like `audit.py sheet`)")
    p.add_argument("--n", type=int, default=120)
    p.add_argument("--seed", type=int)
    p.add_argument("--json", action="store_true")
    return p


def _print_proxies(p: dict, as_json: bool) -> None:
    print(json.dumps(p) if as_json else proxies_markdown(p))


def _sheet(args) -> Path:
    if args.n < 1:
        raise AuditError("--n must be at least 1")
    _require_eval(args.eval_dir)  # the judging instructions copy the rubric from AUDIT.md
    run_dir = _run_dir_for(args, args.eval_dir, args.out / "run")
    meta = write_sheet(run_dir, args.out, args.n, args.seed, args.eval_dir,
                       corpus=None if args.run_dir is not None else _corpus(args, args.eval_dir))
    print(f"sheet: {args.out / 'sheet.md'} ({meta['n']} rows of {meta['rows_in_run']}, seed {meta['seed']}); "
          f"judge instructions {args.out / 'JUDGING.md'}; private key {args.out / 'key.jsonl'}", file=sys.stderr)
    return run_dir


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if argv and argv[0] in COMMANDS or argv[:1] in (["-h"], ["--help"]):
            args = build_parser().parse_args(argv)
            if args.cmd == "sheet":
                _sheet(args)
            elif args.cmd == "score":
                s = score(args.sheet, args.judgments)
                print(json.dumps(s) if args.json else score_markdown(s))
            else:
                with tempfile.TemporaryDirectory(prefix="audit-run-") as tmp:
                    run_dir = _run_dir_for(args, args.eval_dir, Path(tmp) / "run")
                    _print_proxies(proxies(run_dir), args.json)
            return 0
        args = build_default_parser().parse_args(argv)
        if args.out is not None:
            if args.seed is None:
                raise AuditError("--seed is required with --out (change it every round)")
            run_dir = _sheet(args)
            _print_proxies(proxies(run_dir), args.json)
            return 0
        with tempfile.TemporaryDirectory(prefix="audit-run-") as tmp:
            run_dir = _run_dir_for(args, args.eval_dir, Path(tmp) / "run")
            _print_proxies(proxies(run_dir), args.json)
        return 0
    except AuditError as exc:
        print(f"audit.py: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
