"""The records that flow between pipeline stages, and the output contract.

This module is the single source of truth for what the pipeline writes.

``articles.parquet`` (plain Parquet, one row per article)
    The columns of :class:`Article`, in field order. ``text`` is the *cleaned*
    article text: every event's ``char_start``/``char_end`` index into it, so
    ``text[char_start:char_end] == sentence`` holds for every event row.

``events.parquet`` (GeoParquet 1.1, one row per (claim, place))
    The columns of :class:`Event`, in field order, plus ``geometry`` (WKB
    points, EPSG:4326, with ``geo`` file metadata) and ``bbox`` (a struct of
    xmin/ymin/xmax/ymax registered as the geometry's covering column).
    An event row is a *claim* by one outlet, never a verified fact:
    ``actor_text`` keeps the outlet's own words, ``claim_source`` who it cites,
    ``claim_status`` whether it asserts, attributes, hedges or denies.

``run_report.json``
    :class:`RunReport`: every rejected input (path or row, and the reason),
    counts, and the place names that could not be geocoded.

Records are frozen dataclasses; stages pass these, never dicts.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

PIPELINE_VERSION = "0.2.0"

# Columns added in 0.2.0 and their value in files written before (``store.read_table`` fills them in, so an
# output folder of 0.1.0 keeps working and an incremental run over it just adds the new columns).
ADDED_IN_0_2 = {"trigger_start": None, "trigger_end": None, "place_start": None, "place_end": None,
                "mentions": 1, "other_mentions": None, "event_group": None, "link_reason": None}

CLAIM_STATUSES = ("asserted", "reported", "alleged", "denied")
PUBLISHED_SOURCES = ("metadata", "inferred", None)
DATE_PRECISIONS = ("day", "week", "month", "year")
GEO_PRECISION_LABELS = {1: "town or exact place", 2: "near or part of a known place", 3: "region only", 4: "country only"}

EVENT_TYPES = {
    "Battles": ("Armed clash", "Government regains territory", "Non-state actor overtakes territory"),
    "Explosions/Remote violence": (
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
    ),
    "Violence against civilians": ("Sexual violence", "Attack", "Abduction/forced disappearance"),
    "Protests": ("Peaceful protest", "Protest with intervention", "Excessive force against protesters"),
    "Riots": ("Violent demonstration", "Mob violence"),
    "Strategic developments": (
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    ),
}

ACTOR_GROUPS = (
    "state forces",
    "rebel groups",
    "political militias",
    "identity militias",
    "external forces",
    "civilians",
    "protesters",
    "unidentified",
)


def stable_hash(*parts: object, length: int = 16) -> str:
    """Hex digest of the parts, joined unambiguously. Same input -> same id, on every machine."""
    h = hashlib.sha256()
    for part in parts:
        h.update(str(part).encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:length]


@dataclass(frozen=True)
class Article:
    """One cleaned article. ``doc_id`` is the hash of ``text`` and ``outlet``: the same wire copy
    run by two outlets stays two articles (two outlets' claims are never merged)."""

    doc_id: str
    outlet: str
    published: dt.date | None
    published_source: str | None  # metadata | inferred | None
    title: str | None
    url: str | None  # http(s) only, else None
    source_path: str  # file path, with "#row=N" for rows of a table
    text: str
    outlet_source: str = "unknown"  # metadata | url | text | unknown

    @staticmethod
    def make_id(text: str, outlet: str) -> str:
        return stable_hash(outlet, text)


@dataclass(frozen=True)
class PlaceMention:
    """A place as written in an article, with why it was attached to an event.

    ``start``/``end`` are offsets in the cleaned article text. ``modifier``
    says when the text places the event near or in part of the place
    ("outskirts", "north of", "eastern", "neighbourhood of"), which caps the
    precision at 2. ``kind`` is a hint from the text: "region" for
    "X province", "country" for a demonym standing for a country.
    """

    text: str
    start: int
    end: int
    reason: str
    modifier: str | None = None
    kind: str | None = None
    label: str | None = None  # spaCy entity label as tagged


@dataclass(frozen=True)
class EventCandidate:
    """An event found in one sentence, before geocoding."""

    sentence_index: int
    char_start: int
    char_end: int
    sentence: str
    trigger: str
    trigger_start: int
    event_type: str
    sub_event_type: str
    actor: str | None = None
    actor_text: str | None = None
    actor_group: str | None = None
    target: str | None = None
    target_text: str | None = None
    claim_source: str | None = None
    claim_status: str = "asserted"
    fatalities: int | None = None
    date_text: str | None = None
    event_date: dt.date | None = None
    date_precision: str | None = None
    places: tuple[PlaceMention, ...] = ()


@dataclass(frozen=True)
class Extraction:
    """What extraction found in one article: event candidates and every toponym (for document focus)."""

    events: tuple[EventCandidate, ...]
    toponyms: tuple[PlaceMention, ...] = ()


@dataclass(frozen=True)
class GeoMatch:
    """A gazetteer match for one place mention."""

    place_name: str
    place_id: str
    admin1: str | None
    country_code: str | None
    lat: float
    lon: float
    geo_precision: int  # 1 town/exact, 2 near/part of, 3 region, 4 country
    geo_reason: str
    feature_code: str | None = None


@dataclass(frozen=True)
class Event:
    """One output row: one outlet's claim at one place. Field order is the column order."""

    event_id: str
    doc_id: str
    outlet: str
    published: dt.date | None
    published_source: str | None
    event_date: dt.date | None
    date_precision: str | None
    date_text: str | None
    event_type: str
    sub_event_type: str
    trigger: str
    actor: str | None
    actor_text: str | None
    actor_group: str | None
    target: str | None
    target_text: str | None
    claim_source: str | None
    claim_status: str
    fatalities: int | None
    place_text: str
    place_name: str
    place_id: str
    admin1: str | None
    country_code: str | None
    geo_precision: int
    geo_reason: str
    lat: float
    lon: float
    sentence: str
    sentence_index: int
    char_start: int
    char_end: int
    title: str | None
    url: str | None
    pipeline_version: str
    # 0.2.0: exact highlights, merged mentions, cross-article groups (see ADDED_IN_0_2)
    trigger_start: int | None = None  # offsets of the trigger word within ``sentence``
    trigger_end: int | None = None
    place_start: int | None = None  # offsets of ``place_text`` within ``sentence``; null when it is not in it
    place_end: int | None = None
    mentions: int = 1  # sentences of the article reporting this claim (headline, lead, body merged)
    other_mentions: str | None = None  # "start-end;start-end" article offsets of the other sentences
    event_group: str | None = None  # shared by claims of different articles that report the same event
    link_reason: str | None = None  # why this claim is in its event_group

    @staticmethod
    def make_id(doc_id: str, char_start: int, trigger_start: int, place: PlaceMention) -> str:
        return stable_hash(doc_id, char_start, trigger_start, place.start, place.end, place.text)

    @classmethod
    def build(cls, article: Article, cand: EventCandidate, place: PlaceMention, match: GeoMatch) -> Event:
        return cls(
            event_id=cls.make_id(article.doc_id, cand.char_start, cand.trigger_start, place),
            doc_id=article.doc_id,
            outlet=article.outlet,
            published=article.published,
            published_source=article.published_source,
            event_date=cand.event_date,
            date_precision=cand.date_precision,
            date_text=cand.date_text,
            event_type=cand.event_type,
            sub_event_type=cand.sub_event_type,
            trigger=cand.trigger,
            actor=cand.actor,
            actor_text=cand.actor_text,
            actor_group=cand.actor_group,
            target=cand.target,
            target_text=cand.target_text,
            claim_source=cand.claim_source,
            claim_status=cand.claim_status,
            fatalities=cand.fatalities,
            place_text=place.text,
            place_name=match.place_name,
            place_id=match.place_id,
            admin1=match.admin1,
            country_code=match.country_code,
            geo_precision=match.geo_precision,
            geo_reason=match.geo_reason,
            lat=match.lat,
            lon=match.lon,
            sentence=cand.sentence,
            sentence_index=cand.sentence_index,
            char_start=cand.char_start,
            char_end=cand.char_end,
            title=article.title,
            url=article.url,
            pipeline_version=PIPELINE_VERSION,
            trigger_start=cand.trigger_start - cand.char_start,
            trigger_end=cand.trigger_start - cand.char_start + len(cand.trigger),
            place_start=place.start - cand.char_start if cand.char_start <= place.start < cand.char_end else None,
            place_end=place.end - cand.char_start if cand.char_start <= place.start < cand.char_end else None,
        )


@dataclass(frozen=True)
class Reject:
    """An input that did not come through, and why. ``where`` is a path, or ``path#row=N``."""

    where: str
    reason: str
    stage: str = "ingest"


@dataclass
class RunReport:
    """Everything a run must account for; written as ``run_report.json``."""

    inputs_seen: int = 0
    articles_new: int = 0
    articles_skipped_existing: int = 0
    articles_total: int = 0
    events_new: int = 0
    events_total: int = 0
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[Reject] = field(default_factory=list)
    ungeocoded: dict[str, int] = field(default_factory=dict)
    events_without_place: int = 0
    seconds: float = 0.0
    pipeline_version: str = PIPELINE_VERSION

    def reject(self, where: str, reason: str, stage: str = "ingest") -> None:
        self.rejects.append(Reject(where, reason, stage))

    def count_ungeocoded(self, text: str) -> None:
        self.ungeocoded[text] = self.ungeocoded.get(text, 0) + 1

    def to_json(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["rejects"] = sorted(d["rejects"], key=lambda r: (r["where"], r["reason"]))
        d["warnings"] = sorted(d["warnings"], key=lambda r: (r["where"], r["reason"]))
        d["ungeocoded"] = dict(sorted(self.ungeocoded.items(), key=lambda kv: (-kv[1], kv[0])))
        d["rejects_count"] = len(self.rejects)
        return d


def field_names(record_type: type) -> list[str]:
    return [f.name for f in dataclasses.fields(record_type)]


ARTICLE_COLUMNS = field_names(Article)
EVENT_COLUMNS = field_names(Event)
