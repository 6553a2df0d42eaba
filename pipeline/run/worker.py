"""Extraction + geocoding of a batch of articles -> Event rows (no file access).

A :class:`Worker` holds the spaCy pipeline and the gazetteer, loaded once per
process (or per Dask worker); :func:`process_batch` is the unit of work every
engine runs, so single-process, multi-process and Dask runs give the same
events.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.schema import Article, Event, Extraction
from pipeline.settings import Settings


@dataclass
class BatchResult:
    events: list[Event] = field(default_factory=list)
    ungeocoded: dict[str, int] = field(default_factory=dict)
    events_without_place: int = 0

    def merge(self, other: BatchResult) -> None:
        self.events.extend(other.events)
        for text, n in other.ungeocoded.items():
            self.ungeocoded[text] = self.ungeocoded.get(text, 0) + n
        self.events_without_place += other.events_without_place


class Worker:
    """The loaded NLP pipeline and gazetteer of one process."""

    def __init__(self, settings: Settings):
        from pipeline.extract import events as extract
        from pipeline.geocode.resolver import Geocoder

        self.settings = settings
        self.geocoder = Geocoder.load(settings)
        self.nlp = extract.build_nlp(settings, self.geocoder)

    def process(self, articles: Sequence[Article]) -> BatchResult:
        from pipeline.extract import events as extract

        result = BatchResult()
        for article, extraction in extract.extract_many(self.nlp, articles):
            result.merge(events_for(article, extraction, self.geocoder))
        return result


def events_for(article: Article, extraction: Extraction, geocoder) -> BatchResult:
    """One Event per (candidate, resolved place); unresolved places are counted by their text."""
    result = BatchResult()
    focus = geocoder.focus(extraction.toponyms, article.text)
    seen: set[str] = set()
    for cand in extraction.events:
        if not cand.places:
            result.events_without_place += 1
            continue
        for place in cand.places:
            match = geocoder.resolve(place, focus)
            if match is None:
                result.ungeocoded[place.text] = result.ungeocoded.get(place.text, 0) + 1
                continue
            event = Event.build(article, cand, place, match)
            if event.event_id not in seen:
                seen.add(event.event_id)
                result.events.append(event)
    return result


_WORKER: Worker | None = None


def init_worker(settings: Settings) -> None:
    """Process-pool initializer: load the model and gazetteer once in this process, with one BLAS thread
    (N processes on N cores each starting several math threads only fight over the cores)."""
    global _WORKER
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    _WORKER = Worker(settings)


def process_in_worker(articles: Sequence[Article]) -> BatchResult:
    if _WORKER is None:
        raise RuntimeError("init_worker was not called in this process")
    return _WORKER.process(articles)
