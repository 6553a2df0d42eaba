"""`pipeline run`: the one orchestrator. Ingest every input as a stream, process new articles in batches
on an engine (in-process, process pool or Dask: ``pipeline.run.engines``), commit each batch as it
finishes, compact, and write one run report.

Every engine writes the same output layout (``pipeline.store``). Re-running over the same inputs adds
and rewrites nothing; new inputs are added; a run killed at any point and re-run gives exactly what an
uninterrupted run gives. Articles are read, cleaned and handed out a batch at a time, so memory does
not grow with the size of the inputs (only the set of seen ``doc_id`` does).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from pipeline import store
from pipeline.clean import articles as documents
from pipeline.ingest import readers as ingest
from pipeline.link.groups import link_events
from pipeline.run import compact
from pipeline.run.engines import Engine, Work, choose
from pipeline.run.worker import PartSummary
from pipeline.schema import Article, Reject, RunReport
from pipeline.settings import Settings

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_SOME_REJECTED = 3


@dataclass(frozen=True)
class RunRequest:
    inputs: tuple[Path, ...]
    out_dir: str | os.PathLike  # a local folder or an fsspec URL (s3://bucket/prefix)
    mapping: ingest.ColumnMapping = ingest.ColumnMapping()
    manifest: Path | None = None
    day_first: bool = False
    limit: int | None = None  # at most this many new articles (trials on the head of a big export)


def run(request: RunRequest, settings: Settings, engine: Engine | None = None, on_part=None) -> RunReport:
    """Process every new article of the request into request.out_dir; returns the run report (also written).

    ``engine`` defaults to :func:`engines.choose` (Dask for a scheduler, a pool for several workers);
    ``on_part`` is called with each committed batch's summary (progress hooks, tests)."""
    started = time.monotonic()
    storage = store.Storage(request.out_dir)
    report = RunReport()
    for rel, error in prepare_output(storage):
        report.warnings.append(Reject(storage.where(rel), f"unreadable part ({error}): moved to {store.CORRUPT}/, its batch is done again", "store"))
    new = new_articles(request, settings, store.committed_doc_ids(storage), report)
    work = keyed_batches(new, settings, report)
    for summary in _progress((engine or choose(settings)).run(work, storage.url, settings), settings):
        _count(report, summary)
        if on_part is not None:
            on_part(summary)
    if store.has_parts(storage):
        commit_final_events(storage, settings)
    report.articles_total = store.dataset_rows(storage, store.ARTICLES)
    report.events_total = store.dataset_rows(storage, store.EVENTS)
    report.seconds = round(time.monotonic() - started, 3)
    store.write_report(report.to_json(), storage)
    return report


def prepare_output(storage: store.Storage) -> list[tuple[str, str]]:
    """Finish what a crash left (an interrupted compaction, uncommitted or unreadable parts) and convert the
    one-file layout. Returns the unreadable parts set aside, with why."""
    compact.recover(storage)
    store.migrate_single_files(storage)
    moved = store.set_aside_unreadable(storage)
    store.remove_orphans(storage)
    return moved


def commit_final_events(storage: store.Storage, settings: Settings) -> compact.CompactSummary | None:
    """The one place where a run's whole events table is committed, after every batch is written: the
    parts are compacted into one file per (year, outlet) partition, and cross-article linking
    (``pipeline.link.groups.link_events``) runs once over the whole events table as compact's
    ``transform``, so every engine gets the same event groups."""
    if not settings.compact:
        return None
    return compact.compact(storage, transform=link_events)


def ingest_only(request: RunRequest, settings: Settings) -> RunReport:
    """Read, decode, clean and deduplicate every input without processing or writing anything: the
    ingest stage alone (``pipeline run --ingest-only``)."""
    started = time.monotonic()
    report = RunReport()
    for _ in new_articles(request, settings, set(), report):
        report.articles_new += 1
    report.seconds = round(time.monotonic() - started, 3)
    return report


def keyed_batches(articles: Iterator[Article], settings: Settings, report: RunReport) -> Work:
    """(batch key, batch) of at most batch_size articles, drawn lazily; counts articles_new."""
    while batch := list(islice(articles, settings.batch_size)):
        report.articles_new += len(batch)
        yield store.batch_key(batch, settings.spacy_model), batch


def new_articles(request: RunRequest, settings: Settings, known: set[str], report: RunReport) -> Iterator[Article]:
    """New, distinct articles from every input, one at a time; everything else lands in the report."""
    outputs = _output_files(request)
    manifest = _manifests(request, report)
    seen: dict[str, str] = {}
    yielded = 0
    for item in _reading(ingest.discover(list(request.inputs), exclude=outputs), settings):
        if isinstance(item, Reject):
            report.rejects.append(item)
            continue
        report.inputs_seen += 1
        for raw in ingest.read_file(item, request.mapping, manifest, int(settings.max_file_mb * 1e6)):
            article = _convert(raw, settings, request.day_first, report)
            if article is None:
                continue
            if article.doc_id in seen:  # a duplicate within the inputs, on every run alike
                report.reject(article.source_path, f"duplicate article: same text as {seen[article.doc_id]}", "dedupe")
                continue
            seen[article.doc_id] = article.source_path
            if article.doc_id in known:
                report.articles_skipped_existing += 1
                continue
            if request.limit is not None and yielded >= request.limit:
                return
            yielded += 1
            yield article


def collect_articles(request: RunRequest, settings: Settings, known: set[str], report: RunReport) -> list[Article]:
    """Every new article of the request as a list (small corpora: tests, benchmarks)."""
    articles = list(new_articles(request, settings, known, report))
    report.articles_new = len(articles)
    return articles


def _output_files(request: RunRequest) -> list[Path]:
    out = str(request.out_dir)
    if "://" in out:
        return []
    return [Path(out) / n for n in ingest.OUTPUT_NAMES]


def _convert(raw, settings: Settings, day_first: bool, report: RunReport) -> Article | None:
    if isinstance(raw, Reject):
        report.rejects.append(raw)
        return None
    converted = documents.to_article(raw, settings, day_first)
    report.rejects.extend(converted.rejects)
    report.warnings.extend(converted.warnings)
    return converted.article


def _manifests(request: RunRequest, report: RunReport) -> dict[str, ingest.ManifestEntry]:
    paths = [request.manifest] if request.manifest else []
    paths += [p / name for p in request.inputs if p.is_dir() for name in sorted(ingest.MANIFEST_NAMES) if (p / name).exists()]
    entries: dict[str, ingest.ManifestEntry] = {}
    for path in paths:
        found, rejects = ingest.load_manifest(path)
        entries.update(found)
        report.rejects.extend(rejects)
    return entries


def _count(report: RunReport, summary: PartSummary) -> None:
    report.events_new += summary.events
    report.events_without_place += summary.events_without_place
    for text, n in summary.ungeocoded:
        report.ungeocoded[text] = report.ungeocoded.get(text, 0) + n


def _reading(items: Iterable, settings: Settings) -> Iterable:
    """Input files with a progress counter on stderr when reading takes more than two seconds."""
    if not settings.progress:
        return items
    from tqdm import tqdm

    return tqdm(items, unit="file", desc="Reading inputs", delay=2.0, dynamic_ncols=True, position=1, leave=False)


def _progress(summaries: Iterator[PartSummary], settings: Settings) -> Iterator[PartSummary]:
    """Committed batches, counted in articles on stderr once the work has taken two seconds."""
    if not settings.progress:
        yield from summaries
        return
    from tqdm import tqdm

    with tqdm(unit="article", desc="Extracting events", delay=2.0, dynamic_ncols=True) as bar:
        for summary in summaries:
            bar.update(summary.articles)
            yield summary


def exit_code(report: RunReport) -> int:
    return EXIT_SOME_REJECTED if report.rejects else EXIT_OK


def summary_lines(report: RunReport, out_dir, limit: int = 15) -> Iterable[str]:
    """The end-of-run summary a person reads: counts, then the rejects with reasons."""
    yield (
        f"{report.articles_new} new articles ({report.articles_skipped_existing} already done), "
        f"{report.events_new} new events; {report.articles_total} articles and {report.events_total} events "
        f"in {out_dir} ({report.seconds:.1f} s)"
    )
    if report.ungeocoded:
        top = ", ".join(f"{t!r}×{n}" for t, n in sorted(report.ungeocoded.items(), key=lambda kv: -kv[1])[:5])
        yield f"{sum(report.ungeocoded.values())} place mentions not geocoded (e.g. {top})"
    if report.warnings:
        yield f"{len(report.warnings)} warnings (kept, with a note in run_report.json), e.g. {report.warnings[0].where}: {report.warnings[0].reason}"
    if report.rejects:
        yield f"{len(report.rejects)} inputs rejected:"
        for r in sorted(report.rejects, key=lambda r: r.where)[:limit]:
            yield f"  {r.where}: {r.reason}"
        if len(report.rejects) > limit:
            yield f"  ... and {len(report.rejects) - limit} more in {store.Storage(out_dir).where(store.REPORT)}"
