"""Scoring helpers for event extraction, shared by benchmarks/extract_bench.py and the small-sample tests.

The evaluation sets live beside the repository (../shared/eval, never copied in). Mappings used for FA-KES:

  actor class <- canonical actor: see FAKES_ACTOR; anything else -> "unknown".
  cause_of_death <- event type: shelling <- Shelling/artillery/missile attack or Air/drone strike (FA-KES coders
  lump air strikes with shelling); explosion <- Remote explosive/landmine/IED, Suicide bomb, Grenade; chemical and
  toxic gases <- Chemical weapon; execution <- Violence against civilians whose trigger is an execution word;
  shooting <- Armed clash or Violence against civilians/Attack whose trigger names fighting or gunfire (clashes,
  fighting, shot, sniper, gunmen, assault...); a bare "killed"/"attack"/"died" says nothing of the means -> unknown;
  unknown <- anything else / no event.
  governorate <- the geocoded event place's GeoNames admin1 (SY.*); "damascus" accepts Dimashq and Rif Dimashq.

Per article (one answer per field, see lead_answer): the first informative event of the lead -- the headline and
the first sentences, which is the event the article is about -- else the class with the highest weight over all
its events (events reporting fatalities weigh 3, others 1; Strategic developments are not counted).
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import json
import re
from collections import Counter
from pathlib import Path
from typing import Callable, Iterable

from pipeline.schema import Article, EventCandidate

EVAL = Path(__file__).resolve().parents[1].parent / "shared" / "eval"
SEEDS = Path(__file__).resolve().parents[1].parent / "shared" / "seeds"

FAKES_ACTOR = {
    "Syrian Arab Army": "syrian government or russian troops",
    "Russian armed forces": "syrian government or russian troops",
    "Syrian or Russian forces": "syrian government or russian troops",
    "Iranian armed forces": "syrian government or russian troops",
    "Hezbollah": "syrian government or russian troops",
    "Islamic State": "the organization of the islamic state in iraq and the levant - isis",
    "Syrian opposition armed groups": "armed opposition groups",
    "US-led coalition": "international coalition forces",
    "United States armed forces": "international coalition forces",
    "Turkish armed forces": "international coalition forces",  # FA-KES coders file Turkish strikes here
    "Jordanian armed forces": "international coalition forces",
    "Hayat Tahrir al-Sham": "al-nusra front",
    "Syrian Democratic Forces": "self administration forces",
}
GOVERNORATES = {
    "aleppo": {"SY.09"}, "damascus": {"SY.13", "SY.08"}, "idlib": {"SY.12"}, "deir ezzor": {"SY.07"},
    "homs": {"SY.11"}, "hasakeh": {"SY.01"}, "raqqa": {"SY.04"}, "hama": {"SY.10"}, "daraa": {"SY.06"},
    "lattakia": {"SY.02"}, "quneitra": {"SY.03"}, "tartous": {"SY.14"}, "sweida": {"SY.05"},
}
EXECUTION = re.compile(r"execut|behead|massacre|slaughter", re.I)
LEAD = 3  # sentences 0..2: FA-KES texts open with date + headline, then the lead paragraph


def load_geocoder(settings):
    from pipeline.geocode.resolver import Geocoder

    return Geocoder.load(settings)


# ---- event_location -------------------------------------------------------------------------------------------

def event_location_rows(limit: int | None = None) -> list[dict]:
    rows = []
    with gzip.open(EVAL / "event_location" / "event_location_dev.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            verbs = [s for s in r["spans"] if s["label"] == "VERB"]
            if len(verbs) != 1:
                continue
            # zero-length LOCATION spans are annotation debris: they count as "no location"
            locs = sorted((s["start"], s["end"]) for s in r["spans"] if s["label"] == "LOCATION" and s["end"] > s["start"])
            rows.append({"text": r["text"], "verb": (verbs[0]["start"], verbs[0]["end"]), "locations": locs})
            if limit and len(rows) >= limit:
                break
    return rows


def _overlap_match(pred: list[tuple[int, int]], gold: list[tuple[int, int]]) -> bool:
    def hit(a, spans):
        return any(a[0] < b[1] and b[0] < a[1] for b in spans)

    return all(hit(p, gold) for p in pred) and all(hit(g, pred) for g in gold)


def event_location_accuracy(nlp, limit: int | None, locate: Callable) -> dict:
    rows = event_location_rows(limit)
    strict = overlap = none_gold = none_right = with_gold = with_right = 0
    for r in rows:
        pred = sorted(set(locate(nlp, r["text"], *r["verb"])))
        gold = r["locations"]
        strict += pred == gold
        ok = _overlap_match(pred, gold)
        overlap += ok
        if gold:
            with_gold += 1
            with_right += ok
        else:
            none_gold += 1
            none_right += ok
    n = max(1, len(rows))
    return {"n": len(rows), "accuracy_overlap": round(overlap / n, 4), "accuracy_strict": round(strict / n, 4),
            "no_location_gold": none_gold, "no_location_right": round(none_right / max(1, none_gold), 4),
            "with_location_gold": with_gold, "with_location_right": round(with_right / max(1, with_gold), 4)}


# ---- FA-KES ----------------------------------------------------------------------------------------------------

def fakes_rows(limit: int | None = None) -> list[dict]:
    with open(EVAL / "fakes_syria" / "fakes_dev.csv", encoding="cp1252", errors="replace", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return rows[:limit] if limit else rows


def _fakes_date(raw: str) -> dt.date | None:
    try:
        return dt.datetime.strptime(raw.strip(), "%m/%d/%y").date()
    except ValueError:
        return None


def fakes_articles(limit: int | None = None) -> list[Article]:
    out = []
    for r in fakes_rows(limit):
        text = r["article_content"]
        out.append(Article(Article.make_id(text, r["source"]), r["source"], _fakes_date(r["date"]), "metadata",
                           r["article_title"], None, f"fakes_dev.csv#row={r['unit_id']}", text))
    return out


def seed_articles() -> list[Article]:
    out = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out.append(Article(Article.make_id(text, "unknown"), "unknown", None, None, None, None, str(path), text))
    return out


SHOOTING = re.compile(r"clash|fight|battl|shoot|shot|gun|sniper|snip|fire|skirmish|ambush|firefight|assault|"
                      r"offensive|combat|counterattack", re.I)


def cause_of(ev: EventCandidate) -> str:
    sub = ev.sub_event_type
    if sub in ("Shelling/artillery/missile attack", "Air/drone strike"):
        return "shelling"
    if sub in ("Remote explosive/landmine/IED", "Suicide bomb", "Grenade"):
        return "explosion"
    if sub == "Chemical weapon":
        return "chemical and toxic gases"
    if ev.event_type == "Violence against civilians" and EXECUTION.search(ev.trigger):
        return "execution"
    if sub in ("Armed clash", "Attack") and SHOOTING.search(ev.trigger):
        return "shooting"
    return "unknown"  # a bare "killed", "attack", "died": no evidence of the means


def _weight(ev: EventCandidate) -> int:
    return 0 if ev.event_type == "Strategic developments" else (3 if ev.fatalities else 1)


def _vote(pairs: Iterable[tuple[str, int]], default: str = "unknown") -> str:
    score: Counter = Counter()
    for key, w in pairs:
        if w > 0 and key != default:
            score[key] += w
    return score.most_common(1)[0][0] if score else default


def lead_answer(events: list[EventCandidate], key: Callable[[EventCandidate], str], lead_sentences: int = LEAD) -> str:
    """The article's answer for one field: the first informative event of the lead (headline + first sentences,
    sentence_index < lead_sentences), else the weighted vote over all its events, else "unknown"."""
    for ev in sorted(events, key=lambda e: (e.sentence_index, e.trigger_start)):
        if ev.sentence_index < lead_sentences and _weight(ev) > 0 and key(ev) != "unknown":
            return key(ev)
    return _vote((key(e), _weight(e)) for e in events)


def fakes_actor(ev: EventCandidate) -> str:
    return FAKES_ACTOR.get(ev.actor or "", "unknown")


def fakes_agreement(nlp, geocoder, limit: int | None) -> dict:
    from pipeline.extract.events import extract_many

    rows = fakes_rows(limit)
    arts = fakes_articles(limit)
    gov_any = gov_main = actor_ok = cause_ok = row_any = row_main = 0
    for r, (art, ex) in zip(rows, extract_many(nlp, arts)):
        evs = list(ex.events)
        actor = lead_answer(evs, fakes_actor)
        cause = lead_answer(evs, cause_of)
        actor_ok += actor == r["actor"]
        cause_ok += cause == r["cause_of_death"]
        if geocoder is not None:
            govs = _governorates(geocoder, art, ex)
            gold = GOVERNORATES.get(r["location"].strip().lower(), set())
            gov_any += bool(gold & {g for g, _ in govs})
            gov_main += _vote(govs, "") in gold
            on_map = _row_governorates(geocoder, art, ex)
            row_any += bool(gold & {g for g, _ in on_map})
            row_main += _vote(on_map, "") in gold
    n = max(1, len(rows))
    out = {"n": len(rows), "actor_class_agreement": round(actor_ok / n, 4), "cause_agreement": round(cause_ok / n, 4)}
    if geocoder is not None:
        out.update({"governorate_any_event": round(gov_any / n, 4), "governorate_main": round(gov_main / n, 4),
                    "governorate_any_row": round(row_any / n, 4), "governorate_main_row": round(row_main / n, 4)})
    return out


def admin1_names() -> dict[str, str]:
    """GeoNames admin1 code ("SY.09") -> ASCII name ("Aleppo"), for evaluation only."""
    out = {}
    path = EVAL / "geonames_admin" / "admin1CodesASCII.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) >= 3:
            out[parts[0]] = parts[2]
    return out


def _admin1_code(cc: str, admin1: str, names: dict[str, str]) -> str:
    """The geocoder may give the admin1 code ("09") or its name ("Aleppo"); normalise to "SY.09"."""
    code = f"{cc}.{admin1}"
    if code in names:
        return code
    folded = admin1.lower().replace("-", " ")
    for key, name in names.items():
        if key.startswith(cc + ".") and name.lower().replace("-", " ") == folded:
            return key
    return code


def _governorates(geocoder, art: Article, ex) -> list[tuple[str, int]]:
    names = _ADMIN1.setdefault("names", admin1_names())
    focus = geocoder.focus(ex.toponyms, art.text)
    out = []
    for ev in ex.events:
        for place in ev.places:
            m = geocoder.resolve(place, focus)
            if m is not None and m.admin1 and m.country_code:
                w = _weight(ev) if not place.reason.startswith("document focus") else 0.5 * _weight(ev)
                out.append((_admin1_code(m.country_code, m.admin1, names), w))
    return out


def _row_governorates(geocoder, art: Article, ex) -> list[tuple[str, int]]:
    """The governorates of the map rows the pipeline writes for the article (``run.worker.events_for``: the
    claim-level place rules, merging, the fallback of an unknown village to its province), weighted like
    :func:`_governorates`. ``_governorates`` resolves each raw place mention instead, so it never sees what a
    reader of the map sees."""
    from pipeline.run.worker import events_for

    names = _ADMIN1.setdefault("names", admin1_names())
    weight = {"Strategic developments": 0}
    return [(_admin1_code(e.country_code, e.admin1, names), weight.get(e.event_type, 3 if e.fatalities else 1))
            for e in events_for(art, ex, geocoder).events if e.admin1 and e.country_code]


_ADMIN1: dict[str, dict[str, str]] = {}


# ---- CAMEO actor roles ---------------------------------------------------------------------------------------

def cameo_sentences(limit: int | None = None) -> list[tuple[str, list[tuple[int, int, str]]]]:
    """(text, [(start, end, 'S'|'T')]) from the BIO file; tokens joined by single spaces."""
    out, toks, tags = [], [], []
    path = EVAL / "cameo_actors_conflibert" / "cameo_ner" / "test.txt"
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        parts = line.split()
        if len(parts) >= 2:
            toks.append(parts[0])
            tags.append(parts[-1])
            continue
        if toks:
            out.append(_bio_spans(toks, tags))
            toks, tags = [], []
        if limit and len(out) >= limit:
            break
    return out


def _bio_spans(toks: list[str], tags: list[str]) -> tuple[str, list[tuple[int, int, str]]]:
    text, spans, pos, cur = "", [], 0, None
    for tok, tag in zip(toks, tags):
        start = len(text) + (1 if text else 0)
        text = f"{text} {tok}" if text else tok
        if tag.startswith("B-") or (tag.startswith("I-") and (cur is None or cur[2] != tag[2:])):
            if cur:
                spans.append(tuple(cur))
            cur = [start, len(text), tag[2:]]
        elif tag.startswith("I-") and cur:
            cur[1] = len(text)
        else:
            if cur:
                spans.append(tuple(cur))
            cur = None
    if cur:
        spans.append(tuple(cur))
    return text, spans


def cameo_roles(nlp, limit: int | None) -> dict:
    from pipeline.extract.events import extract_many

    sents = cameo_sentences(limit)
    arts = [Article(str(i), "unknown", None, None, None, None, f"cameo#{i}", t) for i, (t, _) in enumerate(sents)]
    judged = right = gold_s = found_s = 0
    for (text, spans), (_, ex) in zip(sents, extract_many(nlp, arts)):
        gold_s += sum(1 for s in spans if s[2] == "S")
        seen_s = set()
        for ev in ex.events:
            for role, words in (("S", ev.actor_text), ("T", ev.target_text)):
                if not words or words.lower() in ("who", "which", "that"):
                    continue
                at = text.find(words)
                hits = [s for s in spans if at >= 0 and at < s[1] and s[0] < at + len(words)]
                if not hits:
                    continue
                judged += 1
                right += any(s[2] == role for s in hits)
                seen_s.update(s for s in hits if s[2] == role == "S")
        found_s += len(seen_s)
    return {"sentences": len(sents), "roles_judged": judged, "role_accuracy": round(right / max(1, judged), 4),
            "gold_source_actors": gold_s, "source_actor_recall": round(found_s / max(1, gold_s), 4)}


# ---- hand gold ---------------------------------------------------------------------------------------------------

def load_gold(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


GOLD_FIELDS = ("event_type", "sub_event_type", "actor", "actor_text", "target_text", "claim_source",
               "claim_status", "fatalities", "date_text", "places")


def gold_predictions(nlp, gold: list[dict]) -> list[list[EventCandidate]]:
    from pipeline.extract.events import extract_many

    arts = []
    for i, g in enumerate(gold):
        pub = dt.date.fromisoformat(g["published"]) if g.get("published") else None
        arts.append(Article(f"g{i}", g.get("outlet", "unknown"), pub, "metadata", None, None, f"gold#{i}", g["text"]))
    return [list(ex.events) for _, ex in extract_many(nlp, arts)]


PLACE_AFFIX = re.compile(r"^(?:the|al|el|ad|ar|as|ash|at|az)[-\s]+|\s+(?:province|governorate|city|town|village|"
                         r"neighbou?rhood|quarter|district|countryside|region|area)$", re.I)


def place_key(text: str) -> str:
    """The toponym's core for matching a predicted place against the gold: "Hama province" ~ "Hama",
    "al-Sukhnah" ~ "Sukhnah", "Raqqa city" ~ "Raqqa" (the marker is the same); "Salah" is not "Salah al-Din"."""
    prev, cur = None, text.strip()
    while prev != cur:
        prev, cur = cur, PLACE_AFFIX.sub("", cur).strip()
    return cur.lower()


def _value(ev, field: str):
    if isinstance(ev, dict):
        v = ev.get(field)
        return tuple(sorted({place_key(x) for x in v})) if field == "places" and v is not None else v
    if field == "places":
        return tuple(sorted({place_key(p.text) for p in ev.places if not p.reason.startswith("document focus")}))
    return getattr(ev, field)


def gold_scores(nlp, gold: list[dict], geocoder=None) -> dict:
    """Events matched by trigger; per field, precision over predicted non-null values and recall over gold non-null
    values (a value counts when equal; places compare by place_key). Map rows = (event, explicit place) pairs; a row
    is right when the gold has an event of the same event_type with that place (same place_key)."""
    preds = gold_predictions(nlp, gold)
    stats = {f: [0, 0, 0] for f in GOLD_FIELDS}  # right, predicted, gold
    ev_tp = ev_pred = ev_gold = rows_ok = rows = 0
    for g, evs in zip(gold, preds):
        gevs = g.get("events", [])
        ev_pred += len(evs)
        ev_gold += len(gevs)
        for ge in gevs:
            for f in GOLD_FIELDS:
                gv = _value(ge, f)
                stats[f][2] += gv is not None and gv != ()
        for ev in evs:
            match = next((ge for ge in gevs if ev.trigger.lower() in [t.lower() for t in ge["triggers"]]), None)
            for place in (p for p in ev.places if not p.reason.startswith("document focus")):
                rows += 1
                rows_ok += any(ge["event_type"] == ev.event_type
                               and place_key(place.text) in {place_key(x) for x in ge.get("places") or []}
                               for ge in gevs)
            if match is None:
                continue
            ev_tp += 1
            for f in GOLD_FIELDS:
                pv, gv = _value(ev, f), _value(match, f)
                stats[f][0] += pv is not None and pv != () and pv == gv
                stats[f][1] += pv is not None and pv != ()
    fields = {f: {"precision": round(r / max(1, p), 3), "recall": round(r / max(1, gn), 3)}
              for f, (r, p, gn) in stats.items()}
    return {"sentences": len(gold), "events_gold": ev_gold, "events_predicted": ev_pred,
            "event_precision": round(ev_tp / max(1, ev_pred), 3), "event_recall": round(ev_tp / max(1, ev_gold), 3),
            "fields_on_matched_events": fields, "map_rows": rows,
            "map_row_precision": round(rows_ok / max(1, rows), 3)}
