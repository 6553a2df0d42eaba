"""The unit of work every engine runs: extract + geocode one batch, write its parts.

A :class:`Worker` holds the spaCy pipeline and the gazetteer, loaded once per
process (or per Dask worker) by :func:`worker_state`. :func:`process_batch`
processes a batch and writes its parts to the output (``pipeline.store``
layout) itself, so the in-process, process-pool and Dask engines give the
same events and the same files, and only counts travel back.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from pipeline import store
from pipeline.schema import Article, Event, Extraction
from pipeline.settings import Settings

Work = Iterator[tuple[str, list[Article]]]  # what an engine runs: (batch key, batch) pairs


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
    """One Event per (claim, place): candidates placed (pipeline.geocode.event_places), then mentions of one event
    merged (pipeline.extract.merge); unresolved places are counted by their text."""
    from pipeline.extract.merge import merge_mentions
    from pipeline.geocode.event_places import claim_places

    result = BatchResult()
    focus = geocoder.focus(extraction.toponyms, article.text)
    seen: set[str] = set()
    for cand in extraction.events:
        if not cand.places:
            result.events_without_place += 1
            continue
        placed = claim_places(cand, extraction.toponyms, geocoder, focus, result.ungeocoded, article.text)
        if not placed:
            result.events_without_place += 1
        for place, match in placed:
            event = Event.build(article, cand, place, match)
            if event.event_id not in seen:
                seen.add(event.event_id)
                result.events.append(event)
    result.events = merge_mentions(result.events)
    return result


@dataclass(frozen=True)
class PartSummary:
    """What a worker reports back for one written batch: counts only, the rows stay in the parts."""

    key: str
    articles: int
    events: int
    events_without_place: int
    ungeocoded: tuple[tuple[str, int], ...]
    worker_pid: int


_STATE: dict[Settings, Worker] = {}
_STATE_LOCK = threading.Lock()


def worker_state(settings: Settings) -> Worker:
    """The model and gazetteer of this process, loaded on first use and kept for every later batch."""
    with _STATE_LOCK:
        if settings not in _STATE:
            _STATE[settings] = Worker(settings)
        return _STATE[settings]


def init_worker(settings: Settings) -> None:
    """Process-pool initializer: one BLAS thread per process (N processes on N cores each starting
    several math threads only fight over the cores), then the model and gazetteer, once."""
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    worker_state(settings)


def process_batch(articles: Sequence[Article], key: str, out: str, settings: Settings) -> PartSummary:
    """Extract, geocode and write one batch's parts to ``out``. Idempotent for a given key: a retried
    batch rewrites identical files."""
    result = worker_state(settings).process(articles)
    store.write_batch(store.Storage(out), key, store.articles_table(articles), store.events_table(result.events))
    return PartSummary(
        key=key,
        articles=len(articles),
        events=len(result.events),
        events_without_place=result.events_without_place,
        ungeocoded=tuple(sorted(result.ungeocoded.items())),
        worker_pid=os.getpid(),
    )
