"""Toponym resolution accuracy, speed and memory on GeoWebNews and LGL.

    python benchmarks/geocode_bench.py [--sets gwn lgl] [--limit N] [--end-to-end] [--cache-dir DIR]

Gold toponyms are those with a GeoNames id. "gold spans": our resolver on the gold spans.
"end to end": toponyms found by the spaCy pipeline + entity ruler, matched to gold spans that
overlap; a gold toponym not found counts as a miss (error = inf). Prints JSON with, per set and
mode: exact GeoNames id rate, acc@161km, acc@25km, mean/median error km, and the same figures
restricted to gold ids present in the embedded gazetteer (the recall lost to places absent from
cities500 is the difference). Also: index load seconds and peak RSS.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
EVAL = ROOT.parent / "shared" / "eval"
SETS = {"gwn": EVAL / "geowebnews" / "GWN.xml", "lgl": EVAL / "lgl" / "lgl.xml"}


@dataclass(frozen=True)
class Gold:
    start: int
    end: int
    text: str
    gid: str
    lat: float
    lon: float


@dataclass(frozen=True)
class GoldDoc:
    doc_id: str
    text: str
    gold: tuple[Gold, ...]


def _gold_gwn(t: ET.Element) -> Gold | None:
    gid = (t.findtext("geonamesID") or "").strip()
    if not gid:
        return None
    return Gold(int(t.findtext("start")), int(t.findtext("end")), t.findtext("extractedName") or "", gid,
                float(t.findtext("latitude")), float(t.findtext("longitude")))


def _gold_lgl(t: ET.Element) -> Gold | None:
    tag = t.find("gaztag")
    if tag is None or not tag.get("geonameid"):
        return None
    return Gold(int(t.findtext("start")), int(t.findtext("end")), t.findtext("phrase") or "", tag.get("geonameid"),
                float(tag.findtext("lat")), float(tag.findtext("lon")))


def read_set(name: str, limit: int | None) -> list[GoldDoc]:
    root = ET.parse(SETS[name]).getroot()
    reader = _gold_gwn if name == "gwn" else _gold_lgl
    docs = []
    for i, art in enumerate(root.iter("article")):
        gold = tuple(g for g in (reader(t) for t in art.iter("toponym")) if g is not None)
        docs.append(GoldDoc(art.get("file") or art.get("docid") or str(i), art.findtext("text") or "", gold))
        if limit and len(docs) >= limit:
            break
    return docs


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))


def summarise(rows: list[tuple[bool, float]]) -> dict:
    """rows: (exact id, error km or inf)."""
    n = len(rows)
    if not n:
        return {"n": 0}
    errs = [e for _, e in rows]
    finite = [e for e in errs if math.isfinite(e)]
    return {
        "n": n,
        "exact_id": round(sum(x for x, _ in rows) / n, 4),
        "acc@161km": round(sum(e <= 161 for e in errs) / n, 4),
        "acc@25km": round(sum(e <= 25 for e in errs) / n, 4),
        "resolved": round(len(finite) / n, 4),
        "mean_err_km_resolved": round(statistics.fmean(finite), 1) if finite else None,
        "median_err_km_resolved": round(statistics.median(finite), 1) if finite else None,
        "median_err_km_all": round(statistics.median(errs), 1) if errs else None,
    }


def score(docs: list[GoldDoc], predictions: list[dict[tuple[int, int], tuple]], known: set[str]) -> dict:
    rows_all, rows_known, misses = [], [], []
    for doc, pred in zip(docs, predictions, strict=True):
        for g in doc.gold:
            hit = _overlap(pred, g)
            if hit is None or hit[0] is None:
                row = (False, math.inf)
                misses.append(g.text)
            else:
                row = (hit[0] == g.gid, haversine_km(g.lat, g.lon, hit[1], hit[2]))
            rows_all.append(row)
            if g.gid in known:
                rows_known.append(row)
    result = {"all": summarise(rows_all), "gold_id_in_embedded_gazetteer": summarise(rows_known)}
    result["share_gold_in_embedded_gazetteer"] = round(len(rows_known) / max(1, len(rows_all)), 4)
    return result


def _overlap(pred: dict[tuple[int, int], tuple], g: Gold) -> tuple | None:
    if (g.start, g.end) in pred:
        return pred[(g.start, g.end)]
    for (s, e), value in pred.items():
        if s < g.end and g.start < e:
            return value
    return None


def run_set(name: str, geocoder, nlp, limit: int | None, known: set[str]) -> dict:
    from pipeline.geocode.geoparse import GeoDoc, geoparse_docs

    docs = read_set(name, limit)
    out = {"docs": len(docs)}
    modes = {"gold_spans": [GeoDoc(d.doc_id, d.text, tuple((g.start, g.end) for g in d.gold)) for d in docs]}
    if nlp is not None:
        modes["end_to_end"] = [GeoDoc(d.doc_id, d.text, None) for d in docs]
    for mode, inputs in modes.items():
        started = time.perf_counter()
        preds = [{(t.start, t.end): (t.geonameid, t.lat, t.lon) for t in r.toponyms}
                 for r in geoparse_docs(inputs, geocoder, nlp)]
        out[mode] = score(docs, preds, known)
        out[mode]["seconds"] = round(time.perf_counter() - started, 2)
    return out


def known_ids(geocoder) -> set[str]:
    return {r[0] for r in geocoder.index.rows("SELECT gid FROM places")}


def _build_in_subprocess(settings) -> None:
    import subprocess

    code = ("import sys; from pathlib import Path; sys.path.insert(0, %r)\n"
            "from pipeline.settings import Settings; from pipeline.geocode.resolver import Geocoder\n"
            "Geocoder.load(Settings(cache_dir=Path(%r)))" % (str(ROOT), str(settings.cache_dir)))
    subprocess.run([sys.executable, "-c", code], check=True)


LOOKUP_NAMES = ("Raqqa", "Deir Ezzor", "Springfield", "Paris", "Homs", "Sednaya", "Kyiv", "Khartoum",
                "al-Husseiniyeh", "Poznikhir")


def _lookup_times(geocoder, rounds: int = 50) -> dict:
    """Per-name lookup time: the first pass (index pages still on disk) and the median once warm. The last two
    names miss the exact key and fall back to the (slower) spelling-skeleton match."""
    started = time.perf_counter()
    for name in LOOKUP_NAMES:
        geocoder.lookup(name)
    cold = (time.perf_counter() - started) / len(LOOKUP_NAMES)
    warm = {}
    for name in LOOKUP_NAMES:
        times = []
        for _ in range(rounds):
            t = time.perf_counter()
            geocoder.lookup(name)
            times.append(time.perf_counter() - t)
        warm[name] = round(statistics.median(times) * 1e6, 1)
    return {"lookup_us_first_pass_mean": round(cold * 1e6, 1),
            "lookup_us_warm_median": round(statistics.median(warm.values()), 1),
            "lookup_us_warm_by_name": warm}


def main(argv: list[str] | None = None) -> int:
    from pipeline.geocode.resolver import Geocoder
    from pipeline.settings import Settings

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", nargs="+", default=["gwn", "lgl"], choices=sorted(SETS))
    ap.add_argument("--limit", type=int, default=None, help="first N articles of each set")
    ap.add_argument("--end-to-end", action="store_true", help="also find toponyms with spaCy (slower)")
    ap.add_argument("--cache-dir", type=Path, default=None)
    args = ap.parse_args(argv)
    settings = Settings.from_env().replace(cache_dir=args.cache_dir)
    _build_in_subprocess(settings)  # build the index if needed, outside the timing and this process's RSS
    started = time.perf_counter()
    geocoder = Geocoder.load(settings)
    geocoder.lookup("Aleppo")
    report = {"index_load_seconds": round(time.perf_counter() - started, 3),
              "rss_after_load_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}
    report.update(_lookup_times(geocoder))
    nlp = None
    if args.end_to_end:
        from pipeline.geocode.geoparse import build_toponym_nlp

        started = time.perf_counter()
        nlp = build_toponym_nlp(settings, geocoder)
        report["nlp_build_seconds"] = round(time.perf_counter() - started, 2)
    known = known_ids(geocoder)
    for name in args.sets:
        report[name] = run_set(name, geocoder, nlp, args.limit, known)
    report["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
