"""GeoParquet and Parquet writing and reading: atomic and incremental.

``events.parquet`` is GeoParquet 1.1: ``geometry`` holds WKB points in
EPSG:4326 (longitude, latitude), the ``geo`` file metadata names it as the
primary column with its bounding box, and a ``bbox`` struct column
(xmin, ymin, xmax, ymax) is registered as its covering so that readers such
as DuckDB can skip row groups by bounding box. Rows are sorted along a
Z-order curve of their coordinates (then by event_id) so row groups are
spatially compact and the output is identical for identical input.

Writes go to a temporary file in the same folder and are renamed into place.
A local run commits events first and articles second: ``articles.parquet``
is the record of which documents are done, so events whose article is not
there (a run killed between the two renames) are ignored and redone.
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.schema import ADDED_IN_0_2, ARTICLE_COLUMNS, EVENT_COLUMNS, PIPELINE_VERSION, Article, Event

ROW_GROUP_SIZE = 50_000
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


def _umask_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _atomic_write(table: pa.Table, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.fchmod(fd, _umask_mode())  # mkstemp makes 0600; the result is read by the app, maybe as another user
    os.close(fd)
    try:
        pq.write_table(table, tmp, row_group_size=ROW_GROUP_SIZE, compression="zstd")
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_events_table(table: pa.Table, path: Path) -> None:
    """Sort, attach GeoParquet metadata and write atomically."""
    table = sort_events(table.cast(EVENT_SCHEMA))
    meta = dict(table.schema.metadata or {})
    meta[b"geo"] = json.dumps(geo_metadata(table)).encode()
    meta[b"claims_atlas"] = json.dumps({"pipeline_version": PIPELINE_VERSION}).encode()
    _atomic_write(table.replace_schema_metadata(meta), Path(path))


def write_articles_table(table: pa.Table, path: Path) -> None:
    table = table.cast(ARTICLE_SCHEMA).sort_by([("doc_id", "ascending")])
    _atomic_write(table, Path(path))


def write_events(events: Sequence[Event], path: Path) -> None:
    write_events_table(events_table(events), path)


def write_articles(articles: Sequence[Article], path: Path) -> None:
    write_articles_table(articles_table(articles), path)


def read_table(path: Path, schema: pa.Schema) -> pa.Table:
    """A Parquet file or a folder of Parquet parts, cast to the contract's schema."""
    path = Path(path)
    if path.is_dir():
        parts = sorted(path.glob("*.parquet"))
        tables = [pq.read_table(p) for p in parts]
        if not tables:
            return schema.empty_table()
        return pa.concat_tables([_conform(t, schema) for t in tables])
    return _conform(pq.read_table(path), schema)


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The contract's columns in order; columns added since the file was written get their defaults
    (``schema.ADDED_IN_0_2``), so output folders of older versions keep working."""
    for name, default in ADDED_IN_0_2.items():
        if name in schema.names and name not in table.column_names:
            table = table.append_column(name, pa.array([default] * table.num_rows, schema.field(name).type))
    return table.select(schema.names).cast(schema)


def load_existing(out_dir: Path) -> tuple[pa.Table, pa.Table]:
    """(articles, events) already committed in out_dir; events without a committed article are dropped."""
    a_path, e_path = Path(out_dir) / "articles.parquet", Path(out_dir) / "events.parquet"
    articles = read_table(a_path, ARTICLE_SCHEMA) if a_path.exists() else ARTICLE_SCHEMA.empty_table()
    events = read_table(e_path, EVENT_SCHEMA) if e_path.exists() else EVENT_SCHEMA.empty_table()
    if events.num_rows:
        events = events.filter(pc.is_in(events.column("doc_id"), value_set=articles.column("doc_id")))
    return articles, events


def commit(out_dir: Path, articles: pa.Table, events: pa.Table) -> None:
    """Write events, then articles (the commit marker), each atomically."""
    write_events_table(events, Path(out_dir) / "events.parquet")
    write_articles_table(articles, Path(out_dir) / "articles.parquet")


def write_report(report: dict, path: Path) -> None:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.fchmod(fd, _umask_mode())
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(report, fh, indent=2, ensure_ascii=False, default=str)
    os.replace(tmp, path)
