"""Engines: how batches are executed. Each runs :func:`pipeline.run.worker.process_batch` (extract,
geocode, write the batch's parts) on every batch and yields its summary as the batch is committed.

* :class:`InProcess`: in this process, one batch after the other.
* :class:`ProcessPool`: N spawned processes on this machine, each loading the model once.
* ``pipeline.run.dask_engine.Dask``: the workers of a Dask distributed cluster.

An engine reads its work from an iterator and keeps a bounded number of batches in flight, so a run
never holds more than a few batches of articles in memory whatever the size of its inputs.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain, islice
from typing import Protocol

from pipeline.errors import PipelineError
from pipeline.run import worker
from pipeline.settings import Settings

Work = worker.Work  # (batch key, batch); defined beside the unit of work so engines import no engine


class Engine(Protocol):
    name: str

    def run(self, work: Work, out: str, settings: Settings) -> Iterator[worker.PartSummary]: ...


class InProcess:
    name = "in-process"

    def run(self, work: Work, out: str, settings: Settings) -> Iterator[worker.PartSummary]:
        for key, batch in work:
            yield worker.process_batch(batch, key, out, settings)


class ProcessPool:
    """A pool of spawned processes; with fewer than two batches of work it runs in this process."""

    name = "process pool"

    def __init__(self, workers: int):
        self.workers = workers

    def run(self, work: Work, out: str, settings: Settings) -> Iterator[worker.PartSummary]:
        first = list(islice(work, 2))
        if len(first) < 2:
            yield from InProcess().run(iter(first), out, settings)
            return
        yield from self._pool(chain(first, work), out, settings)

    def _pool(self, work: Work, out: str, settings: Settings) -> Iterator[worker.PartSummary]:
        import multiprocessing
        from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
        from concurrent.futures.process import BrokenProcessPool

        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=worker.init_worker, initargs=(settings,)) as pool:
            pending: dict = {}
            for key, batch in islice(work, 2 * self.workers):
                pending[pool.submit(worker.process_batch, batch, key, out, settings)] = batch
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    batch = pending.pop(future)
                    try:
                        yield future.result()
                    except BrokenProcessPool as exc:
                        raise PipelineError(
                            f"a worker process died (killed, or out of memory) during the batch starting at "
                            f"{batch[0].source_path}; finished batches are saved: run the same command again "
                            f"(with fewer --workers or a smaller --batch-size if memory ran out)"
                        ) from exc
                    for key, nxt in islice(work, 1):
                        pending[pool.submit(worker.process_batch, nxt, key, out, settings)] = nxt


def choose(settings: Settings) -> Engine:
    """Dask when a scheduler is given, else a process pool for several workers, else this process."""
    if settings.scheduler:
        from pipeline.run.dask_engine import Dask

        return Dask(settings.scheduler)
    return ProcessPool(settings.workers) if settings.workers > 1 else InProcess()
