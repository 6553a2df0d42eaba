"""Stand-alone geoparser: find toponyms in texts (or take given spans) and resolve them.

``python -m pipeline geoparse IN.jsonl --out OUT.jsonl`` calls :func:`geoparse_file`.
Input lines: ``{"id": ..., "text": ..., "spans": [[start, end], ...]}`` (spans optional).
Output lines: ``{"id": ..., "toponyms": [{start, end, text, name, geonameid, lat, lon,
feature_code, country_code, precision, reason}, ...]}`` with nulls when a toponym is unresolved.
Without spans, toponyms are spaCy GPE/LOC/FAC entities plus NORP demonyms that stand for a
country, with an entity ruler built from ``Geocoder.place_names()`` ahead of the NER.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pipeline.errors import UsageError
from pipeline.geocode.resolver import Geocoder
from pipeline.schema import GeoMatch, PlaceMention
from pipeline.settings import Settings

PLACE_LABELS = ("GPE", "LOC", "FAC")


@dataclass(frozen=True)
class GeoDoc:
    """One input document; ``spans`` None means: find the toponyms."""

    doc_id: Any
    text: str
    spans: tuple[tuple[int, int], ...] | None = None


@dataclass(frozen=True)
class Toponym:
    """One output toponym (geonameid etc. None when unresolved)."""

    start: int
    end: int
    text: str
    name: str | None = None
    geonameid: str | None = None
    lat: float | None = None
    lon: float | None = None
    feature_code: str | None = None
    country_code: str | None = None
    precision: int | None = None
    reason: str | None = None

    @classmethod
    def of(cls, mention: PlaceMention, match: GeoMatch | None) -> Toponym:
        if match is None:
            return cls(mention.start, mention.end, mention.text)
        return cls(mention.start, mention.end, mention.text, match.place_name, match.place_id, match.lat, match.lon,
                   match.feature_code, match.country_code, match.geo_precision, match.geo_reason)


@dataclass(frozen=True)
class GeoparseResult:
    doc_id: Any
    toponyms: tuple[Toponym, ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.doc_id, "toponyms": [dataclasses.asdict(t) for t in self.toponyms]}


@dataclass
class GeoparseStats:
    """What a geoparse run did; rejected input lines are listed with their reason."""

    docs: int = 0
    toponyms: int = 0
    resolved: int = 0
    unresolved: Counter = field(default_factory=Counter)
    rejected: list[tuple[int, str]] = field(default_factory=list)


def build_toponym_nlp(settings: Settings, geocoder: Geocoder):
    """spaCy pipeline for finding toponyms: the model's NER with a gazetteer entity ruler in front."""
    from pipeline.extract.nlp import load_model

    nlp = load_model(settings.spacy_model)
    ruler = nlp.add_pipe("entity_ruler", before="ner", config={"overwrite_ents": False})
    with nlp.select_pipes(enable=[]):
        ruler.add_patterns([{"label": label, "pattern": name} for name, label in geocoder.place_names()])
    return nlp


def find_mentions(nlp, geocoder: Geocoder, text: str) -> list[PlaceMention]:
    """Toponyms in the text: place entities, and demonyms that name a country (NORP)."""
    doc = nlp(text)
    out = []
    for ent in doc.ents:
        if ent.label_ in PLACE_LABELS:
            out.append(PlaceMention(ent.text, ent.start_char, ent.end_char, f"{ent.label_} entity", label=ent.label_))
        elif ent.label_ == "NORP" and any(c.form == "demonym" for c in geocoder.lookup(ent.text)):
            out.append(PlaceMention(ent.text, ent.start_char, ent.end_char, "demonym", kind="country", label="NORP"))
    return out


def given_mentions(doc: GeoDoc) -> list[PlaceMention]:
    return [PlaceMention(doc.text[s:e], s, e, "given span") for s, e in doc.spans or ()]


def geoparse_docs(docs: Iterable[GeoDoc], geocoder: Geocoder, nlp=None) -> Iterator[GeoparseResult]:
    """Resolve each document's toponyms (given spans, else found with ``nlp``) using its own focus."""
    for doc in docs:
        if doc.spans is not None:
            mentions = given_mentions(doc)
        elif nlp is None:
            raise UsageError(f"Document {doc.doc_id!r} has no spans and no spaCy pipeline was given to find them.")
        else:
            mentions = find_mentions(nlp, geocoder, doc.text)
        focus = geocoder.focus(mentions, doc.text)
        yield GeoparseResult(doc.doc_id, tuple(Toponym.of(m, geocoder.resolve(m, focus)) for m in mentions))


def parse_line(line: str, lineno: int) -> GeoDoc:
    """One input JSONL line -> GeoDoc; raises ValueError with the reason."""
    obj = json.loads(line)
    if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
        raise ValueError('expected an object with a string "text"')
    spans = obj.get("spans")
    if spans is not None:
        text_len = len(obj["text"])
        spans = tuple((int(s), int(e)) for s, e in spans)
        if any(not 0 <= s < e <= text_len for s, e in spans):
            raise ValueError(f"a span is outside the text (length {text_len})")
    return GeoDoc(obj.get("id", lineno), obj["text"], spans)


def _read_docs(path: Path, stats: GeoparseStats) -> Iterator[GeoDoc]:
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                yield parse_line(line, lineno)
            except (ValueError, TypeError) as exc:
                stats.rejected.append((lineno, str(exc)))
                print(f"{path}:{lineno}: skipped: {exc}", file=sys.stderr)


def geoparse_file(in_path: Path | str, out_path: Path | str, settings: Settings) -> GeoparseStats:
    """Geoparse a JSONL file into another; the spaCy pipeline is loaded only if a line has no spans."""
    in_path, out_path = Path(in_path), Path(out_path)
    if not in_path.exists():
        raise UsageError(f"{in_path}: no such file; pass a JSONL file of {{\"id\", \"text\"}} lines.")
    geocoder = Geocoder.load(settings)
    stats = GeoparseStats()
    nlp = None
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open(out_path, "w", encoding="utf-8") as out:
        for doc in _read_docs(in_path, stats):
            if doc.spans is None and nlp is None:
                nlp = build_toponym_nlp(settings, geocoder)
            for result in geoparse_docs([doc], geocoder, nlp):
                out.write(json.dumps(result.to_json(), ensure_ascii=False) + "\n")
                _count(stats, result)
    return stats


def _count(stats: GeoparseStats, result: GeoparseResult) -> None:
    stats.docs += 1
    for t in result.toponyms:
        stats.toponyms += 1
        if t.geonameid is None:
            stats.unresolved[t.text] += 1
        else:
            stats.resolved += 1
