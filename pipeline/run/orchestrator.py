"""`pipeline run`: ingest every input, process new articles in batches, commit incrementally.

Re-running over the same inputs adds and rewrites nothing; new inputs are
added; a run killed at any point and re-run gives exactly what an
uninterrupted run gives (see pipeline/store.py for the commit protocol).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from pipeline import store
from pipeline.clean import articles as documents
from pipeline.ingest import readers as ingest
from pipeline.run.worker import BatchResult
from pipeline.schema import Article, Reject, RunReport
from pipeline.settings import Settings

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_SOME_REJECTED = 3


@dataclass(frozen=True)
class RunRequest:
    inputs: tuple[Path, ...]
    out_dir: Path
    mapping: ingest.ColumnMapping = ingest.ColumnMapping()
    manifest: Path | None = None
    day_first: bool = False


def collect_articles(
    request: RunRequest, settings: Settings, known: set[str], report: RunReport, exclude: Iterable[Path] = ()
) -> list[Article]:
    """New, distinct articles from every input; everything else lands in the report.

    ``exclude``: further files never read as inputs (the distributed engine's part files)."""
    outputs = [request.out_dir / n for n in ingest.OUTPUT_NAMES] + list(exclude)
    manifest = _manifests(request, report)
    seen: dict[str, str] = {}
    new: list[Article] = []
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
            else:
                new.append(article)
    return new


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


def batches(articles: Sequence[Article], size: int) -> list[list[Article]]:
    return [list(articles[i : i + size]) for i in range(0, len(articles), size)]


Engine = Callable[[list[list[Article]], Settings], Iterator[BatchResult]]


def local_engine(work: list[list[Article]], settings: Settings) -> Iterator[BatchResult]:
    """Batches in order: in this process for one worker, else a process pool (each loads the model once)."""
    from pipeline.run import worker as process

    if settings.workers <= 1 or len(work) <= 1:
        worker = process.Worker(settings)
        for batch in work:
            yield worker.process(batch)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(min(settings.workers, len(work)), mp_context=ctx, initializer=process.init_worker, initargs=(settings,)) as pool:
        yield from pool.map(process.process_in_worker, work)


def run(request: RunRequest, settings: Settings, engine: Engine | None = None) -> RunReport:
    """Process every new article of the request into request.out_dir; returns the run report (also written)."""
    started = time.monotonic()
    report = RunReport()
    old_articles, old_events = store.load_existing(request.out_dir)
    known = set(old_articles.column("doc_id").to_pylist())
    new = collect_articles(request, settings, known, report)
    report.articles_new = len(new)
    done_articles: list[Article] = []
    done = BatchResult()
    work = batches(new, settings.batch_size)
    last_commit = time.monotonic()
    with progress_bar(len(new), settings) as bar:
        for batch, result in zip(work, (engine or local_engine)(work, settings)):
            done_articles.extend(batch)
            done.merge(result)
            bar.update(len(batch))
            if time.monotonic() - last_commit > settings.checkpoint_seconds:
                _commit(request.out_dir, old_articles, old_events, done_articles, done)
                last_commit = time.monotonic()
    articles, events = _commit(request.out_dir, old_articles, old_events, done_articles, done)
    report.events_new = len(done.events)
    report.ungeocoded = done.ungeocoded
    report.events_without_place = done.events_without_place
    report.articles_total, report.events_total = articles.num_rows, events.num_rows
    report.seconds = round(time.monotonic() - started, 3)
    store.write_report(report.to_json(), request.out_dir / "run_report.json")
    return report


def _commit(out_dir: Path, old_articles: pa.Table, old_events: pa.Table, new_articles: list[Article], done: BatchResult):
    articles = pa.concat_tables([old_articles, store.articles_table(new_articles)])
    events = pa.concat_tables([old_events, store.events_table(done.events)])
    if new_articles or not (out_dir / "articles.parquet").exists():
        store.commit(out_dir, articles, events)
    return articles, events


class _NoBar:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def update(self, n: int) -> None:
        pass


def _reading(items: Iterable, settings: Settings) -> Iterable:
    """Input files with a progress counter on stderr when reading takes more than two seconds."""
    if not settings.progress:
        return items
    from tqdm import tqdm

    return tqdm(items, unit="file", desc="Reading inputs", delay=2.0, dynamic_ncols=True)


def progress_bar(total: int, settings: Settings, desc: str = "Extracting events"):
    """A progress bar on stderr that appears once the work has taken two seconds."""
    if not settings.progress or total == 0:
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="article", desc=desc, delay=2.0, dynamic_ncols=True)


def exit_code(report: RunReport) -> int:
    return EXIT_SOME_REJECTED if report.rejects else EXIT_OK


def summary_lines(report: RunReport, out_dir: Path, limit: int = 15) -> Iterable[str]:
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
            yield f"  ... and {len(report.rejects) - limit} more in {out_dir / 'run_report.json'}"
