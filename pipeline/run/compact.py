"""`python -m pipeline compact OUT`: a run's many small parts -> one file per (year, outlet) partition.

Atomic and safe to re-run, on a local folder or an object store alike, through a journal
(``OUT/_compaction.json``) written before anything else:

1. the journal names the files to replace and a token; its state is ``writing``;
2. the merged files are written, each named ``compact-<token>...`` (atomic writes);
3. the journal's state becomes ``written``;
4. the replaced files are deleted, then the journal.

Whatever step a crash interrupts, :func:`recover` (called first by every run and every compaction)
finishes it: in state ``writing`` it deletes the ``compact-<token>`` files (rolled back: the parts
are intact); in state ``written`` it deletes the replaced files still there (rolled forward). No
claim is lost or counted twice once it has run. Readers that open the folder during the few
moments between steps 2 and 4 may see a partition twice; a dashboard should be pointed at a
folder that is not being compacted (or re-read after).

The token is a hash of the ``doc_id`` of the articles being compacted, so compacting the same
articles gives the same file names whatever the engine and batching that wrote the parts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from itertools import groupby

import pyarrow as pa
import pyarrow.compute as pc

from pipeline import store
from pipeline.errors import OutputError
from pipeline.schema import stable_hash

JOURNAL = "_compaction.json"
ARTICLES_PER_FILE = 200_000

Transform = Callable[[pa.Table], pa.Table]


@dataclass(frozen=True)
class CompactSummary:
    replaced: int  # files merged away
    written: int  # files written
    recovered: str | None = None  # "rolled back" | "rolled forward" when a crashed compaction was finished


def recover(storage: store.Storage) -> str | None:
    """Finish a compaction a crash interrupted; returns what was done, or None."""
    if not storage.exists(JOURNAL):
        return None
    try:
        journal = json.loads(storage.read_text(JOURNAL))
        state, token, replaced = journal["state"], journal["token"], journal["replaced"]
    except (ValueError, KeyError) as exc:
        raise OutputError(f"{storage.where(JOURNAL)} is damaged ({exc}); compare the files it lists by hand, "
                          "or delete it if no compaction ran") from exc
    if state == "writing":
        mine = [f for f in store.event_files(storage) + store.article_files(storage) if f"{store.COMPACT}{token}" in f]
        storage.delete(mine)
        done = "rolled back"
    else:
        storage.delete(replaced)
        done = "rolled forward"
    storage.delete([JOURNAL])
    return done


def _events_to_merge(storage: store.Storage) -> list[tuple[str, list[str]]]:
    """(partition folder, its files) for every partition holding more than one file or any part."""
    files = store.event_files(storage)
    groups = [(folder, list(items)) for folder, items in groupby(files, key=lambda f: f.rsplit("/", 1)[0])]
    return [(folder, items) for folder, items in groups if len(items) > 1 or store.file_kind(items[0])[0] == "part"]


def compact(storage: store.Storage, transform: Transform | None = None) -> CompactSummary:
    """Merge the parts of ``storage`` into one file per partition and a few articles files.

    ``transform`` (a function over the whole events table) rewrites every partition through it:
    the place for a stage that needs every claim at once, such as cross-article linking."""
    recovered = recover(storage)
    store.set_aside_unreadable(storage)
    store.remove_orphans(storage)
    article_parts = [f for f in store.article_files(storage) if store.file_kind(f)[0] == "part"]
    merge = _events_to_merge(storage)
    if transform is not None:
        merge = [(folder, list(items)) for folder, items in groupby(store.event_files(storage), key=lambda f: f.rsplit("/", 1)[0])]
    if not article_parts and not merge:
        return CompactSummary(0, 0, recovered)
    token = _token(storage, article_parts, merge)
    replaced = article_parts + [f for _, items in merge for f in items]
    storage.write_text(JOURNAL, json.dumps({"state": "writing", "token": token, "replaced": replaced}, indent=1))
    written = _write_articles(storage, article_parts, token)
    if transform is None:
        written += [_merge_partition(storage, folder, items, token) for folder, items in merge]
    else:
        written += _rewrite_all(storage, merge, token, transform)
    storage.write_text(JOURNAL, json.dumps({"state": "written", "token": token, "replaced": replaced}, indent=1))
    storage.delete([f for f in replaced if f not in written])
    storage.delete([JOURNAL])
    return CompactSummary(len(replaced), len(written), recovered)


def _token(storage: store.Storage, article_parts: list[str], merge: list[tuple[str, list[str]]]) -> str:
    if article_parts:
        ids = sorted(i for f in article_parts for i in storage.read_parquet(f, ["doc_id"]).column("doc_id").to_pylist())
        return stable_hash(*ids, length=16)
    return stable_hash(*(f for _, items in merge for f in items), length=16)


def _merge_partition(storage: store.Storage, folder: str, files: list[str], token: str) -> str:
    table = _unique(store.read_dataset(storage, store.EVENTS, store.EVENT_SCHEMA, files))
    rel = f"{folder}/{store.COMPACT}{token}.parquet"
    storage.write_parquet(store.events_for_file(table), rel)
    return rel


def _unique(table: pa.Table) -> pa.Table:
    """One row per event_id (a claim in two files, e.g. a batch redone after its merged file was lost)."""
    if pc.count_distinct(table.column("event_id")).as_py() == table.num_rows:
        return table
    seen: set[str] = set()
    keep = [not (i in seen or seen.add(i)) for i in table.column("event_id").to_pylist()]
    return table.filter(pa.array(keep))


def _rewrite_all(storage: store.Storage, merge: list[tuple[str, list[str]]], token: str, transform: Transform) -> list[str]:
    table = _unique(store.read_dataset(storage, store.EVENTS, store.EVENT_SCHEMA, [f for _, items in merge for f in items]))
    written = []
    for folder, rows in store.split_by_partition(transform(table) if table.num_rows else table):  # no rows, nothing to transform
        rel = f"{folder}/{store.COMPACT}{token}.parquet"
        storage.write_parquet(store.events_for_file(rows), rel)
        written.append(rel)
    return written


def _write_articles(storage: store.Storage, parts: list[str], token: str) -> list[str]:
    """The articles parts as files of at most ARTICLES_PER_FILE rows, split by doc_id range."""
    if not parts:
        return []
    ids = sorted(i for f in parts for i in storage.read_parquet(f, ["doc_id"]).column("doc_id").to_pylist())
    bounds = ids[::ARTICLES_PER_FILE] + [None]
    written = []
    for i, (lo, hi) in enumerate(zip(bounds, bounds[1:])):
        chunk = [_in_range(storage.read_parquet(f), lo, hi) for f in parts]
        rel = f"{store.ARTICLES}/{store.COMPACT}{token}-{i}.parquet"
        storage.write_parquet(store.articles_for_file(pa.concat_tables(chunk)), rel)
        written.append(rel)
    return written


def _in_range(table: pa.Table, lo: str, hi: str | None) -> pa.Table:
    ids = table.column("doc_id")
    mask = pc.greater_equal(ids, lo) if hi is None else pc.and_(pc.greater_equal(ids, lo), pc.less(ids, hi))
    return table.filter(mask)
