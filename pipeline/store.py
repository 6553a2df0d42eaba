"""GeoParquet / Parquet writing and reading, and the one output layout every engine writes.

Output layout (``OUT`` is a local folder or an fsspec URL such as ``s3://bucket/prefix``)::

    OUT/events.parquet/year=2017/outlet_key=sana/part-<batch>.parquet     a batch's claims, written as it finishes
    OUT/events.parquet/year=2017/outlet_key=sana/compact-<token>.parquet  after compaction: one file per partition
    OUT/articles.parquet/part-<batch>.parquet                             a batch's articles: its commit marker
    OUT/articles.parquet/compact-<token>-<i>.parquet                      after compaction
    OUT/run_report.json

``events.parquet`` and ``articles.parquet`` are *folders* (a dataset each), so the paths the dashboard and
other tools open by default still name the data: DuckDB
``read_parquet('OUT/events.parquet/**/*.parquet', hive_partitioning = true)``, geopandas
``read_parquet('OUT/events.parquet')``, pyarrow datasets and :func:`read_table` read each as one table.
The events folder is hive-partitioned by ``year`` (of ``coalesce(event_date, published)``; undated claims
are under ``year=0``) and ``outlet_key`` (:func:`outlet_key`, a
file-name-safe key; the exact outlet name stays in the ``outlet`` column of every file, so each file
is a complete, valid GeoParquet file on its own). Readers see ``year`` and ``outlet_key`` as two
extra columns; :func:`read_table` drops them.

``events`` files are GeoParquet 1.1: ``geometry`` holds WKB points in EPSG:4326 (longitude, latitude),
the ``geo`` file metadata names it as the primary column with its bounding box, and a ``bbox`` struct
column (xmin, ymin, xmax, ymax) is registered as its covering so that readers such as DuckDB can skip
row groups by bounding box. Rows are sorted along a Z-order curve of their coordinates (then by
event_id) so row groups are spatially compact and the output is identical for identical input.

Commit protocol (crash-safe, incremental, the same for every engine):

* A batch's key is a content hash (its articles, the model, the pipeline version). A batch writes its
  events files first, then its articles part, which commits the batch. Every file write is atomic:
  a temporary file renamed into place on a local disk; one PUT on an object store.
* Events ``part-<key>`` files whose articles ``part-<key>`` is missing (a run killed between the writes)
  are removed by the next run (:func:`remove_orphans`); articles whose ``doc_id`` is in a committed
  articles file are skipped: re-running a command adds and rewrites nothing.
* At the end of a run the parts are compacted (``pipeline.run.compact``, also ``python -m pipeline
  compact OUT``), under a journal so that a crash mid-way is rolled back or forward by the next run.
* Output folders of the older one-file layout (``OUT/events.parquet`` a file) are read as they are and
  converted to this layout by the next run that writes (:func:`migrate_single_files`).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.errors import OutputError
from pipeline.schema import ADDED_IN_0_2, ARTICLE_COLUMNS, EVENT_COLUMNS, PIPELINE_VERSION, Article, Event, stable_hash

ROW_GROUP_SIZE = 50_000
EVENTS = "events.parquet"  # a folder: the events dataset
ARTICLES = "articles.parquet"  # a folder: the articles dataset
REPORT = "run_report.json"
PART, COMPACT = "part-", "compact-"
CORRUPT = ".corrupt"  # unreadable parts are moved here (dot-named: no reader's glob picks it up)
UNDATED_YEAR = 0  # the year partition of undated claims (hive's NULL partition breaks pyarrow's pandas conversion)
_PART_NAME = re.compile(r"^(part|compact)-([0-9a-z-]+)\.parquet$")
GEOPARQUET_VERSION = "1.1.0"

_TYPES = {
    "str": pa.string(),
    "str | None": pa.string(),
    "int": pa.int64(),
    "int | None": pa.int64(),
    "float": pa.float64(),
    "dt.date | None": pa.date32(),
}
BBOX_TYPE = pa.struct([(k, pa.float64()) for k in ("xmin", "ymin", "xmax", "ymax")])


def arrow_schema(record_type: type) -> pa.Schema:
    """The Arrow schema of a record dataclass, columns in field order."""
    return pa.schema([pa.field(f.name, _TYPES[str(f.type)], nullable="None" in str(f.type)) for f in dataclasses.fields(record_type)])


ARTICLE_SCHEMA = arrow_schema(Article)
EVENT_BASE_SCHEMA = arrow_schema(Event)
EVENT_SCHEMA = EVENT_BASE_SCHEMA.append(pa.field("geometry", pa.binary())).append(pa.field("bbox", BBOX_TYPE))


def _records_table(records: Sequence, schema: pa.Schema, columns: list[str]) -> pa.Table:
    data = {c: [getattr(r, c) for r in records] for c in columns}
    return pa.table(data, schema=schema)


def articles_table(articles: Sequence[Article]) -> pa.Table:
    return _records_table(articles, ARTICLE_SCHEMA, ARTICLE_COLUMNS)


def point_wkb(lon: np.ndarray, lat: np.ndarray) -> list[bytes]:
    """Little-endian WKB points: byte order, type 1, x, y."""
    buf = np.zeros(len(lon), dtype=[("order", "u1"), ("type", "<u4"), ("x", "<f8"), ("y", "<f8")])
    buf["order"], buf["type"], buf["x"], buf["y"] = 1, 1, lon, lat
    raw = buf.tobytes()
    return [raw[i * 21 : (i + 1) * 21] for i in range(len(lon))]


def events_table(events: Sequence[Event]) -> pa.Table:
    """Events as an Arrow table with geometry and bbox columns (no file metadata yet)."""
    base = _records_table(events, EVENT_BASE_SCHEMA, EVENT_COLUMNS)
    return add_geometry(base)


def add_geometry(base: pa.Table) -> pa.Table:
    lon = base.column("lon").to_numpy(zero_copy_only=False).astype("float64")
    lat = base.column("lat").to_numpy(zero_copy_only=False).astype("float64")
    geometry = pa.array(point_wkb(lon, lat), type=pa.binary())
    bbox = pa.StructArray.from_arrays([pa.array(lon), pa.array(lat), pa.array(lon), pa.array(lat)], fields=list(BBOX_TYPE))
    return base.append_column("geometry", geometry).append_column("bbox", bbox)


def _zorder(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Interleaved bits of 16-bit quantised longitude and latitude."""
    x = np.clip((lon + 180.0) / 360.0 * 65535, 0, 65535).astype(np.uint64)
    y = np.clip((lat + 90.0) / 180.0 * 65535, 0, 65535).astype(np.uint64)

    def spread(v: np.ndarray) -> np.ndarray:
        v = (v | (v << 8)) & 0x00FF00FF
        v = (v | (v << 4)) & 0x0F0F0F0F
        v = (v | (v << 2)) & 0x33333333
        return (v | (v << 1)) & 0x55555555

    return spread(x) | (spread(y) << np.uint64(1))


def sort_events(table: pa.Table) -> pa.Table:
    """Spatially compact, deterministic order: Z-order of the point, then event_id."""
    lon = table.column("lon").to_numpy(zero_copy_only=False)
    lat = table.column("lat").to_numpy(zero_copy_only=False)
    keyed = table.append_column("_z", pa.array(_zorder(lon, lat)))
    return keyed.sort_by([("_z", "ascending"), ("event_id", "ascending")]).drop_columns(["_z"])


def geo_metadata(table: pa.Table) -> dict:
    """The GeoParquet 1.1 ``geo`` metadata for a table of points."""
    from pyproj import CRS

    column: dict = {
        "encoding": "WKB",
        "geometry_types": ["Point"] if table.num_rows else [],
        "crs": CRS.from_epsg(4326).to_json_dict(),
        "covering": {"bbox": {k: ["bbox", k] for k in ("xmin", "ymin", "xmax", "ymax")}},
    }
    if table.num_rows:
        lon, lat = table.column("lon"), table.column("lat")
        column["bbox"] = [pc.min(lon).as_py(), pc.min(lat).as_py(), pc.max(lon).as_py(), pc.max(lat).as_py()]
    return {"version": GEOPARQUET_VERSION, "primary_column": "geometry", "columns": {"geometry": column}}


def events_for_file(table: pa.Table) -> pa.Table:
    """Events in the contract's schema, sorted, with GeoParquet and pipeline metadata attached."""
    table = sort_events(_conform(table, EVENT_SCHEMA))
    meta = dict(table.schema.metadata or {})
    meta[b"geo"] = json.dumps(geo_metadata(table)).encode()
    meta[b"claims_atlas"] = json.dumps({"pipeline_version": PIPELINE_VERSION}).encode()
    return table.replace_schema_metadata(meta)


def articles_for_file(table: pa.Table) -> pa.Table:
    return _conform(table, ARTICLE_SCHEMA).sort_by([("doc_id", "ascending")])


def write_events_table(table: pa.Table, path: Path) -> None:
    """One events GeoParquet file, written atomically (tests, fixtures, tools; runs write datasets)."""
    Storage(str(Path(path).parent)).write_parquet(events_for_file(table), Path(path).name)


def write_articles_table(table: pa.Table, path: Path) -> None:
    Storage(str(Path(path).parent)).write_parquet(articles_for_file(table), Path(path).name)


def write_events(events: Sequence[Event], path: Path) -> None:
    write_events_table(events_table(events), path)


def write_articles(articles: Sequence[Article], path: Path) -> None:
    write_articles_table(articles_table(articles), path)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The contract's columns in order; columns added since the file was written get their defaults
    (``schema.ADDED_IN_0_2``), so output folders of older versions keep working."""
    for name, default in ADDED_IN_0_2.items():
        if name in schema.names and name not in table.column_names:
            table = table.append_column(name, pa.array([default] * table.num_rows, schema.field(name).type))
    return table.select(schema.names).cast(schema)


# ---- where the files are -----------------------------------------------------------------------


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


class Storage:
    """An output location: a local folder or any fsspec URL (``s3://bucket/run``, ``memory://x``, ...).

    Paths given to its methods are relative to the root. Writes are atomic: a local file is written
    beside its target and renamed into place; an object store writes an object in one PUT."""

    def __init__(self, url: str | os.PathLike):
        import fsspec

        self.url = os.fspath(url)
        self.fs, root = fsspec.core.url_to_fs(self.url)
        self.local = "file" in _protocols(self.fs)
        self.root = str(Path(root).resolve()) if self.local else root.rstrip("/")

    def __repr__(self) -> str:
        return f"Storage({self.url!r})"

    def path(self, rel: str = "") -> str:
        return f"{self.root}/{rel}" if rel else self.root

    def rel(self, path: str) -> str:
        return path[len(self.root) + 1 :]

    def where(self, rel: str) -> str:
        """A path or URL a person can paste (for messages)."""
        return self.path(rel) if self.local else f"{self.url.rstrip('/')}/{rel}"

    def files(self, folder: str) -> list[str]:
        """Relative paths of every file under folder, sorted (empty when it does not exist)."""
        base = self.path(folder)
        self.fs.invalidate_cache()  # an object store's listing may be cached from before other processes wrote
        if not self.fs.isdir(base):
            return []
        return sorted(self.rel(p) for p in self.fs.find(base, withdirs=False))

    def is_file(self, rel: str) -> bool:
        return self.fs.isfile(self.path(rel))

    def exists(self, rel: str) -> bool:
        return self.fs.exists(self.path(rel))

    def delete(self, rels: Iterable[str]) -> None:
        for rel in rels:
            if self.fs.exists(self.path(rel)):
                self.fs.rm(self.path(rel))

    def move(self, src: str, dst: str) -> None:
        if self.local:
            Path(self.path(dst)).parent.mkdir(parents=True, exist_ok=True)
        self.fs.mv(self.path(src), self.path(dst))

    def read_parquet(self, rel: str, columns: list[str] | None = None) -> pa.Table:
        try:
            with self.fs.open(self.path(rel), "rb") as fh:
                return pq.read_table(fh, columns=columns)
        except (pa.ArrowInvalid, OSError) as exc:
            raise OutputError(
                f"{self.where(rel)} is not a readable Parquet file ({exc}); run the same `pipeline run` command "
                f"again: a run sets unreadable parts aside (in {CORRUPT}/) and processes their batch again"
            ) from exc

    def row_count(self, rel: str) -> int:
        with self.fs.open(self.path(rel), "rb") as fh:
            return pq.ParquetFile(fh).metadata.num_rows

    def write_parquet(self, table: pa.Table, rel: str) -> None:
        self._write(rel, lambda fh: pq.write_table(table, fh, row_group_size=ROW_GROUP_SIZE, compression="zstd"))

    def write_text(self, rel: str, text: str) -> None:
        self._write(rel, lambda fh: fh.write(text.encode("utf-8")))

    def read_text(self, rel: str) -> str:
        with self.fs.open(self.path(rel), "rb") as fh:
            return fh.read().decode("utf-8")

    def _write(self, rel: str, write) -> None:
        try:
            if self.local:
                _atomic_local(Path(self.path(rel)), write)
            else:
                with self.fs.open(self.path(rel), "wb") as fh:
                    write(fh)
        except OSError as exc:
            raise OutputError(
                f"cannot write {self.where(rel)}: {exc.strerror or exc}; free space or fix permissions on "
                f"{self.url}, then run the same command again (finished batches are kept)"
            ) from exc


def _protocols(fs) -> tuple[str, ...]:
    proto = fs.protocol
    return (proto,) if isinstance(proto, str) else tuple(proto)


def _atomic_local(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.fchmod(fd, _umask_mode())  # mkstemp makes 0600; the result is read by the app, maybe as another user
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


# ---- the dataset layout ------------------------------------------------------------------------


def outlet_key(outlet: str | None) -> str:
    """A file-name-safe partition key for an outlet: lower-case letters, digits and dashes."""
    key = re.sub(r"[^0-9a-z]+", "-", (outlet or "unknown").lower()).strip("-")
    return key or "x" + stable_hash(outlet, length=8)


def partition_dir(year: int | None, outlet: str | None) -> str:
    return f"{EVENTS}/year={UNDATED_YEAR if year is None else year}/outlet_key={outlet_key(outlet)}"


def split_by_partition(table: pa.Table) -> Iterator[tuple[str, pa.Table]]:
    """(partition folder, its rows) for an events table, folders in sorted order."""
    dated = pc.coalesce(table.column("event_date"), table.column("published"))
    years = pc.year(dated).to_pylist() if table.num_rows else []
    dirs = [partition_dir(y, o) for y, o in zip(years, table.column("outlet").to_pylist())]
    for folder in sorted(set(dirs)):
        mask = pa.array([d == folder for d in dirs])
        yield folder, table.filter(mask)


def file_kind(rel: str) -> tuple[str, str] | None:
    """("part" | "compact", key) for a dataset file name, None for anything else."""
    m = _PART_NAME.match(rel.rsplit("/", 1)[-1])
    return (m.group(1), m.group(2)) if m else None


def event_files(storage: Storage) -> list[str]:
    return [f for f in storage.files(EVENTS) if file_kind(f)]


def article_files(storage: Storage) -> list[str]:
    return [f for f in storage.files(ARTICLES) if file_kind(f)]


def batch_key(batch: Sequence[Article], spacy_model: str) -> str:
    """Content hash of a batch: same articles, model and pipeline version -> same key."""
    return stable_hash(PIPELINE_VERSION, spacy_model, *sorted(a.doc_id for a in batch), length=20)


def write_batch(storage: Storage, key: str, articles: pa.Table, events: pa.Table) -> None:
    """A batch's events files (one per partition), then its articles part: the commit."""
    for folder, rows in split_by_partition(events):
        storage.write_parquet(events_for_file(rows), f"{folder}/{PART}{key}.parquet")
    storage.write_parquet(articles_for_file(articles), f"{ARTICLES}/{PART}{key}.parquet")


def committed_keys(storage: Storage) -> set[str]:
    return {kind[1] for f in article_files(storage) if (kind := file_kind(f)) and kind[0] == "part"}


def remove_orphans(storage: Storage) -> list[str]:
    """Delete what a killed run leaves: events parts whose batch has no articles part (not committed) and
    temporary files of interrupted local writes. Returns what was removed (relative paths)."""
    committed = committed_keys(storage)
    orphans = [f for f in event_files(storage) if (kind := file_kind(f)) and kind[0] == "part" and kind[1] not in committed]
    temps = [f for folder in (EVENTS, ARTICLES) for f in storage.files(folder) if f.rsplit("/", 1)[-1].startswith(".") and f.endswith(".tmp")]
    storage.delete(orphans + temps)
    return orphans + temps


def has_parts(storage: Storage) -> bool:
    """Whether batches were committed since the last compaction."""
    return any(file_kind(f)[0] == "part" for f in article_files(storage))


def committed_doc_ids(storage: Storage) -> set[str]:
    """doc_id of every article in a committed articles file."""
    ids: set[str] = set()
    for rel in article_files(storage):
        ids.update(storage.read_parquet(rel, ["doc_id"]).column("doc_id").to_pylist())
    return ids


def dataset_rows(storage: Storage, folder: str) -> int:
    """Rows in a dataset folder, from the Parquet footers (no data read)."""
    files = event_files(storage) if folder == EVENTS else article_files(storage)
    return sum(storage.row_count(f) for f in files)


def read_dataset(storage: Storage, folder: str, schema: pa.Schema, files: Sequence[str] | None = None) -> pa.Table:
    """Every file of a dataset folder (or the given ones) as one table in the contract's schema."""
    if files is None:
        files = event_files(storage) if folder == EVENTS else article_files(storage)
    tables = [_conform(storage.read_parquet(f), schema) for f in files]
    return pa.concat_tables(tables) if tables else schema.empty_table()


def read_table(path: str | os.PathLike, schema: pa.Schema) -> pa.Table:
    """A Parquet file, or a dataset folder of parts (any depth), as one table in the contract's schema."""
    storage = Storage(path)
    if storage.fs.isdir(storage.root):
        files = [f for f in storage.files("") if f.endswith(".parquet") and not f.rsplit("/", 1)[-1].startswith(".")]
        return read_dataset(storage, "", schema, files)
    return _conform(pq.read_table(storage.root, filesystem=None if storage.local else storage.fs), schema)


def read_events(out: str | os.PathLike) -> pa.Table:
    return read_table(Storage(out).where(EVENTS), EVENT_SCHEMA)


def read_articles(out: str | os.PathLike) -> pa.Table:
    return read_table(Storage(out).where(ARTICLES), ARTICLE_SCHEMA)


def _unreadable(storage: Storage, rel: str) -> str | None:
    """Why a dataset file's footer cannot be read, or None when it can."""
    try:
        storage.row_count(rel)
    except (pa.ArrowInvalid, OSError) as exc:
        return str(exc)
    return None


def set_aside_unreadable(storage: Storage) -> list[tuple[str, str]]:
    """Move parts whose Parquet footer cannot be read (a damaged disk, a copy cut short) into
    ``OUT/.corrupt/`` and take their batch out of the commit record, so the run processes it again.
    Returns (moved file, why). A merged (compact) file cannot be redone alone: OutputError says what to do."""
    moved, uncommitted = [], set()
    for rel in event_files(storage) + article_files(storage):
        error = None if rel in uncommitted else _unreadable(storage, rel)
        if error is None:
            continue
        kind, key = file_kind(rel)
        if kind == "compact":
            raise OutputError(
                f"{storage.where(rel)} is not a readable Parquet file ({error}) and holds the claims of many batches: "
                f"keep a copy if you want it, delete the folders {storage.where(EVENTS)} and {storage.where(ARTICLES)}, and run "
                "the same command again: every article is processed again (a merged file cannot be rebuilt alone)"
            )
        storage.move(rel, f"{CORRUPT}/{rel}")
        if rel.startswith(EVENTS):
            uncommitted.add(f"{ARTICLES}/{PART}{key}.parquet")
            storage.delete(uncommitted)  # the batch is no longer committed: it is done again
        moved.append((rel, error))
    return moved


LEGACY = {EVENTS: ".legacy-events.parquet", ARTICLES: ".legacy-articles.parquet"}


def migrate_single_files(storage: Storage) -> bool:
    """Convert an output folder of the one-file layout (``events.parquet`` and ``articles.parquet`` files)
    into the dataset layout: the files are renamed aside, written as one committed batch, then removed.
    Safe to interrupt: every step is redone or skipped by the next call. Returns True when it converted."""
    for name, aside in LEGACY.items():
        if storage.is_file(name):
            storage.move(name, aside)
    if not storage.exists(LEGACY[ARTICLES]):
        storage.delete([LEGACY[EVENTS]])  # events never committed by their articles: redone by the run
        return False
    articles = _conform(storage.read_parquet(LEGACY[ARTICLES]), ARTICLE_SCHEMA)
    events = _conform(storage.read_parquet(LEGACY[EVENTS]), EVENT_SCHEMA) if storage.exists(LEGACY[EVENTS]) else EVENT_SCHEMA.empty_table()
    events = events.filter(pc.is_in(events.column("doc_id"), value_set=articles.column("doc_id")))
    key = "legacy-" + stable_hash(*sorted(articles.column("doc_id").to_pylist()), length=12)
    write_batch(storage, key, articles, events)
    storage.delete([LEGACY[EVENTS], LEGACY[ARTICLES]])
    return True


def write_report(report: dict, storage: Storage) -> None:
    storage.write_text(REPORT, json.dumps(report, indent=2, ensure_ascii=False, default=str))
