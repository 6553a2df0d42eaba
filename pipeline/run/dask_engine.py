"""`pipeline run --scheduler tcp://HOST:PORT`: the same stages on a Dask distributed cluster.

Output is a partitioned dataset, one part per batch, named by the batch's content hash::

    OUT/events/part-<key>.parquet     GeoParquet 1.1 (each part valid on its own)
    OUT/articles/part-<key>.parquet   plain Parquet; the commit marker of the batch
    OUT/run_report.json

DuckDB (``read_parquet('OUT/events/*.parquet')``), geopandas (``read_parquet('OUT/events')``),
pyarrow datasets and ``pipeline.store.read_table`` read each folder as one table.

Protocol, and why a lost worker costs only time:

* A batch's key is a hash of the pipeline version, the model and its articles' ids, so the
  same batch always has the same key and the same part file names (its Dask task key adds the
  output folder and the resubmission number: :func:`task_key`).
* Workers process a batch and write its two parts themselves (OUT must be on storage every
  worker can write: the local disk for a LocalCluster, a shared file system otherwise),
  events first, then articles, each atomically (temporary file + rename). Re-running a
  task therefore overwrites a part with identical content: retries cannot duplicate rows.
* When a worker dies, the scheduler reschedules its tasks; a task that still fails is
  resubmitted under the same key up to ``MAX_RESUBMITS`` times.
* On start, events parts without their articles part (a run killed between the two writes)
  are removed, and articles whose ``doc_id`` is in a committed articles part are skipped:
  re-running the same command does nothing new; adding inputs processes only the new ones.

Each worker process loads the spaCy pipeline and the gazetteer once (:func:`worker_state`)
and keeps them for every later batch.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from pipeline import store
from pipeline.errors import PipelineError
from pipeline.run.worker import BatchResult, Worker
from pipeline.run.orchestrator import RunRequest, batches, collect_articles, progress_bar
from pipeline.schema import PIPELINE_VERSION, Article, RunReport, stable_hash
from pipeline.settings import Settings

EVENTS_DIR = "events"
ARTICLES_DIR = "articles"
PART_PREFIX = "part-"
TASK_PREFIX = "claims-atlas-batch-"
TASK_RETRIES = 2  # retries of a task that raised (Dask's own `retries=`)
MAX_RESUBMITS = 3  # resubmissions of a task that lost its worker too often (KilledWorker)
CONNECT_TIMEOUT = "20s"


@dataclass(frozen=True)
class PartSummary:
    """What a worker reports back for one written batch: counts only, the rows stay in the parts."""

    key: str
    articles: int
    events: int
    events_without_place: int
    ungeocoded: tuple[tuple[str, int], ...]
    worker_pid: int


def batch_key(batch: Sequence[Article], settings: Settings) -> str:
    """Content hash of a batch: same articles, model and pipeline version -> same key."""
    return stable_hash(PIPELINE_VERSION, settings.spacy_model, *sorted(a.doc_id for a in batch), length=20)


def part_path(out_dir: Path, kind: str, key: str) -> Path:
    return Path(out_dir) / kind / f"{PART_PREFIX}{key}.parquet"


def part_keys(out_dir: Path, kind: str) -> set[str]:
    folder = Path(out_dir) / kind
    return {p.stem[len(PART_PREFIX) :] for p in folder.glob(f"{PART_PREFIX}*.parquet")} if folder.is_dir() else set()


def remove_orphan_parts(out_dir: Path) -> list[Path]:
    """Delete what a killed run leaves: events parts without their articles part (the commit marker) and
    temporary files of interrupted writes. Returns what was removed."""
    committed = part_keys(out_dir, ARTICLES_DIR)
    removed = [part_path(out_dir, EVENTS_DIR, k) for k in sorted(part_keys(out_dir, EVENTS_DIR) - committed)]
    removed += [p for kind in (EVENTS_DIR, ARTICLES_DIR) for p in sorted((Path(out_dir) / kind).glob(f".{PART_PREFIX}*.tmp"))]
    for path in removed:
        path.unlink()
    return removed


def committed_doc_ids(out_dir: Path) -> set[str]:
    """doc_id of every article in a committed articles part."""
    folder = Path(out_dir) / ARTICLES_DIR
    ids: set[str] = set()
    for path in sorted(folder.glob(f"{PART_PREFIX}*.parquet")) if folder.is_dir() else []:
        ids.update(pq.read_table(path, columns=["doc_id"]).column("doc_id").to_pylist())
    return ids


def dataset_rows(out_dir: Path, kind: str) -> int:
    """Rows in a part folder, from the Parquet footers (no data read)."""
    folder = Path(out_dir) / kind
    return sum(pq.ParquetFile(p).metadata.num_rows for p in folder.glob(f"{PART_PREFIX}*.parquet")) if folder.is_dir() else 0


# ---- worker side -------------------------------------------------------------------------------

_STATE: dict[Settings, Worker] = {}
_STATE_LOCK = threading.Lock()


def worker_state(settings: Settings) -> Worker:
    """The model and gazetteer of this process, loaded on first use and kept for every later batch."""
    with _STATE_LOCK:
        if settings not in _STATE:
            _STATE[settings] = Worker(settings)
        return _STATE[settings]


def write_parts(out_dir: Path, key: str, articles: Sequence[Article], result: BatchResult) -> None:
    """Events part first, then the articles part that commits the batch; each write is atomic."""
    store.write_events(result.events, part_path(out_dir, EVENTS_DIR, key))
    store.write_articles(articles, part_path(out_dir, ARTICLES_DIR, key))


def process_batch(articles: Sequence[Article], key: str, out_dir: str, settings: Settings) -> PartSummary:
    """The Dask task: extract, geocode and write one batch's parts. Idempotent for a given key."""
    result = worker_state(settings).process(articles)
    write_parts(Path(out_dir), key, articles, result)
    return PartSummary(
        key=key,
        articles=len(articles),
        events=len(result.events),
        events_without_place=result.events_without_place,
        ungeocoded=tuple(sorted(result.ungeocoded.items())),
        worker_pid=os.getpid(),
    )


def _can_write(out_dir: str) -> bool:
    path = Path(out_dir)
    return path.is_dir() and os.access(path, os.W_OK)


# ---- client side -------------------------------------------------------------------------------


def connect(address: str, timeout: str = CONNECT_TIMEOUT):
    """A dask.distributed Client for the scheduler, or PipelineError saying what to check."""
    from distributed import Client

    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise PipelineError(
            f"cannot reach the Dask scheduler at {address} ({exc}); start one with `dask scheduler` "
            "and workers with `dask worker ADDRESS`, or drop --scheduler to run locally"
        ) from exc


def check_shared_output(client, out_dir: Path) -> None:
    """Every worker must be able to write OUT (workers write the parts themselves)."""
    answers = client.run(_can_write, str(out_dir))
    blind = sorted(w for w, ok in answers.items() if not ok)
    if blind:
        raise PipelineError(
            f"Dask workers {', '.join(blind)} cannot write to {out_dir}: give --out a folder on storage "
            "shared by every worker (the same path on each machine)"
        )


def submit_all(client, work: Sequence[tuple[str, list[Article]]], out_dir: Path, settings: Settings) -> Iterator[PartSummary]:
    """Submit batches with a bounded number in flight; yield each summary as its batch is committed."""
    from distributed import as_completed

    window = max(2, 2 * sum(client.nthreads().values()))
    todo = iter(work)
    batch_of: dict[str, tuple[str, list[Article]]] = {}  # task key -> (batch key, batch)
    resubmits: dict[str, int] = {}
    pool = as_completed()

    def submit(key: str, batch: list[Article]) -> None:
        future = _submit(client, task_key(key, out_dir, resubmits.get(key, 0)), key, batch, out_dir, settings)
        batch_of[future.key] = (key, batch)
        pool.add(future)

    for key, batch in _take(todo, window):
        submit(key, batch)
    for future in pool:
        key, batch = batch_of.pop(future.key)
        if _lost_worker(future) and resubmits.get(key, 0) < MAX_RESUBMITS:
            resubmits[key] = resubmits.get(key, 0) + 1
            future.release()
            submit(key, batch)
            continue
        summary = _result(future, batch)
        future.release()
        yield summary
        for key, batch in _take(todo, 1):
            submit(key, batch)


def task_key(key: str, out_dir: Path, attempt: int = 0) -> str:
    """The Dask key of a batch's task: the batch key, the output folder (the same batch bound for two
    folders is two tasks) and the resubmission number."""
    return f"{TASK_PREFIX}{key}-{stable_hash(str(out_dir), length=8)}-{attempt}"


def batch_key_of_task(task: str) -> str:
    return str(task)[len(TASK_PREFIX) :].split("-")[0]


def _take(items: Iterator, n: int) -> list:
    return [item for _, item in zip(range(n), items)]


def _lost_worker(future) -> bool:
    from distributed.scheduler import KilledWorker

    return future.status == "error" and isinstance(future.exception(), KilledWorker)


def _result(future, batch: list[Article]) -> PartSummary:
    try:
        return future.result()
    except PipelineError:
        raise
    except Exception as exc:
        raise PipelineError(
            f"batch of {len(batch)} articles starting at {batch[0].source_path} failed on the cluster after "
            f"{TASK_RETRIES} retries: {type(exc).__name__}: {exc}"
        ) from exc


def _submit(client, task_key: str, key: str, batch: list[Article], out_dir: Path, settings: Settings):
    return client.submit(process_batch, batch, key, str(out_dir), settings, key=task_key, pure=False, retries=TASK_RETRIES)


def plan(request: RunRequest, settings: Settings, report: RunReport) -> list[tuple[str, list[Article]]]:
    """(key, batch) for every batch of new articles; the rest is counted in the report."""
    out_dir = request.out_dir
    remove_orphan_parts(out_dir)
    exclude = [p for kind in (EVENTS_DIR, ARTICLES_DIR) for p in sorted((out_dir / kind).glob("*.parquet"))]
    new = collect_articles(request, settings, committed_doc_ids(out_dir), report, exclude=exclude)
    report.articles_new = len(new)
    done = part_keys(out_dir, ARTICLES_DIR)
    return [(k, b) for k, b in ((batch_key(b, settings), b) for b in batches(new, settings.batch_size)) if k not in done]


def run(
    request: RunRequest,
    settings: Settings,
    client=None,
    on_part: Callable[[PartSummary], None] | None = None,
) -> RunReport:
    """Process every new article of the request on the Dask cluster into request.out_dir (a part per batch).

    ``client`` defaults to a new Client for ``settings.scheduler``; ``on_part`` is called with each
    committed batch's summary (progress hooks, tests). Returns the run report (also written).
    """
    started = time.monotonic()
    out_dir = request.out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    request = RunRequest(request.inputs, out_dir, request.mapping, request.manifest, request.day_first)
    report = RunReport()
    work = plan(request, settings, report)
    own_client = client is None and bool(work)
    if own_client:
        if not settings.scheduler:
            raise PipelineError("no Dask scheduler address: pass --scheduler tcp://HOST:PORT")
        client = connect(settings.scheduler)
    try:
        if work:
            check_shared_output(client, out_dir)
            _collect(submit_all(client, work, out_dir, settings), report, settings, sum(len(b) for _, b in work), on_part)
    finally:
        if own_client:
            client.close()
    report.articles_total = dataset_rows(out_dir, ARTICLES_DIR)
    report.events_total = dataset_rows(out_dir, EVENTS_DIR)
    report.seconds = round(time.monotonic() - started, 3)
    store.write_report(report.to_json(), out_dir / "run_report.json")
    return report


def _collect(summaries: Iterator[PartSummary], report: RunReport, settings: Settings, total: int, on_part) -> None:
    with progress_bar(total, settings, "Extracting events (Dask)") as bar:
        for summary in summaries:
            report.events_new += summary.events
            report.events_without_place += summary.events_without_place
            for text, n in summary.ungeocoded:
                report.ungeocoded[text] = report.ungeocoded.get(text, 0) + n
            bar.update(summary.articles)
            if on_part is not None:
                on_part(summary)
