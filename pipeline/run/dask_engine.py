"""The Dask engine: batches run on the workers of a Dask distributed cluster (`--scheduler tcp://HOST:PORT`).

Workers write each batch's parts themselves (``pipeline.store`` layout), so the output must be storage
every worker can write: the local disk for a LocalCluster, a shared file system, or an object store
URL (``s3://bucket/prefix``) for workers on several machines. Only counts travel back to the client.

Why a lost worker costs only time:

* A batch's key is a content hash, so the same batch always writes the same part names and a retried
  task overwrites its parts with identical content: retries cannot duplicate rows. Its Dask task key adds
  the output location and the resubmission number (:func:`task_key`).
* When a worker dies the scheduler reschedules its tasks; a task that still fails with KilledWorker is
  resubmitted under a new task key up to ``MAX_RESUBMITS`` times.
* A run killed outright leaves uncommitted parts that the next run removes (``store.remove_orphans``).
* A scheduler that goes away mid-run (stopped or restarted) ends the run with a PipelineError that says so;
  the batches already committed are kept and the same command, against the restarted scheduler, finishes the
  rest.

Each worker process loads the spaCy pipeline and the gazetteer once (``worker.worker_state``).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from itertools import chain, islice

from pipeline import store
from pipeline.errors import PipelineError
from pipeline.run import worker
from pipeline.run.worker import Work
from pipeline.schema import Article, stable_hash
from pipeline.settings import Settings

TASK_PREFIX = "claims-atlas-batch-"
TASK_RETRIES = 2  # retries of a task that raised (Dask's own `retries=`)
MAX_RESUBMITS = 3  # resubmissions of a task that lost its worker too often (KilledWorker)
CONNECT_TIMEOUT = "20s"


class Dask:
    """Runs batches on a cluster: a given ``client``, or a new Client for ``address``."""

    name = "dask"

    def __init__(self, address: str | None = None, client=None):
        self.address, self.client = address, client

    def run(self, work: Work, out: str, settings: Settings) -> Iterator[worker.PartSummary]:
        first = list(islice(work, 1))
        if not first:
            return
        client = self.client or connect(self.address or "")
        try:
            check_shared_output(client, out)
            yield from submit_all(client, chain(first, work), out, settings)
        except scheduler_lost_errors() as exc:
            where = getattr(client, "scheduler", None)
            address = self.address or getattr(where, "address", None) or "its address"
            raise PipelineError(
                f"lost the Dask scheduler at {address} during the run ({type(exc).__name__}: {exc}); the batches "
                "already written are kept: restart the scheduler and its workers, then run the same command again "
                "to finish (it continues where this run stopped, without duplicating claims)"
            ) from exc
        finally:
            if self.client is None:
                client.close()


def scheduler_lost_errors() -> tuple[type[BaseException], ...]:
    """What the client raises when its scheduler goes away mid-run (stopped, restarted, unreachable)."""
    import asyncio
    from concurrent.futures import CancelledError

    from distributed.client import ClosedClientError
    from distributed.comm.core import CommClosedError

    return (ClosedClientError, CommClosedError, CancelledError, asyncio.CancelledError, OSError, TimeoutError)


def connect(address: str, timeout: str = CONNECT_TIMEOUT):
    """A dask.distributed Client for the scheduler, or PipelineError saying what to check."""
    from distributed import Client

    if not address:
        raise PipelineError("no Dask scheduler address: pass --scheduler tcp://HOST:PORT")
    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise PipelineError(
            f"cannot reach the Dask scheduler at {address} ({exc}); start one with `dask scheduler` "
            "and workers with `dask worker ADDRESS`, or drop --scheduler to run locally"
        ) from exc


def _can_write(out: str) -> bool:
    storage = store.Storage(out)
    probe = f".probe-{os.getpid()}"
    try:
        storage.write_text(probe, "")
        storage.delete([probe])
    except (OSError, PipelineError):
        return False
    return True


def check_shared_output(client, out: str) -> None:
    """Every worker must be able to write OUT (workers write the parts themselves)."""
    answers = client.run(_can_write, out)
    blind = sorted(w for w, ok in answers.items() if not ok)
    if blind:
        raise PipelineError(
            f"Dask workers {', '.join(blind)} cannot write to {out}: give --out a folder on storage "
            "shared by every worker (the same path on each machine) or an object store URL such as s3://bucket/run"
        )


def submit_all(client, work: Work, out: str, settings: Settings) -> Iterator[worker.PartSummary]:
    """Submit batches with a bounded number in flight; yield each summary as its batch is committed."""
    from distributed import as_completed

    window = max(2, 2 * sum(client.nthreads().values()))
    batch_of: dict[str, tuple[str, list[Article]]] = {}  # task key -> (batch key, batch)
    resubmits: dict[str, int] = {}
    pool = as_completed()

    def submit(key: str, batch: list[Article]) -> None:
        task = task_key(key, out, resubmits.get(key, 0))
        future = client.submit(worker.process_batch, batch, key, out, settings, key=task, pure=False, retries=TASK_RETRIES)
        batch_of[future.key] = (key, batch)
        pool.add(future)

    for key, batch in islice(work, window):
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
        for key, batch in islice(work, 1):
            submit(key, batch)


def task_key(key: str, out: str, attempt: int = 0) -> str:
    """The Dask key of a batch's task: the batch key, the output location (the same batch bound for two
    outputs is two tasks) and the resubmission number."""
    return f"{TASK_PREFIX}{key}-{stable_hash(str(out), length=8)}-{attempt}"


def batch_key_of_task(task: str) -> str:
    return str(task)[len(TASK_PREFIX) :].split("-")[0]


def _lost_worker(future) -> bool:
    from distributed.scheduler import KilledWorker

    return future.status == "error" and isinstance(future.exception(), KilledWorker)


def _result(future, batch: list[Article]) -> worker.PartSummary:
    try:
        return future.result()
    except PipelineError:
        raise
    except scheduler_lost_errors():
        raise  # the run's own handler says the scheduler went away
    except Exception as exc:
        raise PipelineError(
            f"batch of {len(batch)} articles starting at {batch[0].source_path} failed on the cluster after "
            f"{TASK_RETRIES} retries: {type(exc).__name__}: {exc}; finished batches are saved: run the same command again"
        ) from exc
