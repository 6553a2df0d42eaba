"""Downloads of the filtered claims: CSV (safe to open in a spreadsheet), GeoJSON and GeoParquet.

Every file is named after the view it came from (``claims_RT_2016-01-01_2016-06-30.csv``) and
records the filters and the app version: a ``#`` header comment in CSV, a top-level ``metadata``
member in GeoJSON, a ``claims_atlas`` key in the GeoParquet file metadata (beside ``geo``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import struct
from importlib import metadata
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard import urlstate
from dashboard.query import EventStore, Filters

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def app_version() -> str:
    try:
        return metadata.version("claims-atlas")
    except metadata.PackageNotFoundError:
        return "unknown"


def provenance(filters: Filters) -> dict[str, Any]:
    """What a downloaded file records about where it came from."""
    params = urlstate.to_params(urlstate.ViewState(filters=filters))
    return {
        "app": "Claims Atlas",
        "app_version": app_version(),
        "exported_utc": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "filters": params,
        "filters_query": urlstate.query_string(params),
    }


def _slug(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", value).strip("-")[:30]


def file_stem(filters: Filters) -> str:
    """claims[_outlets][_from_to][_search]: the view in the file name, safe on every file system."""
    parts = ["claims"]
    if filters.outlets:
        parts.append("+".join(_slug(o) for o in filters.outlets) if len(filters.outlets) <= 3 else "several-outlets")
    if filters.date_from or filters.date_to:
        parts.append(f"{filters.date_from or 'start'}_{filters.date_to or 'end'}")
    if filters.text.strip():
        parts.append("search-" + _slug(filters.text))
    if any(getattr(filters, a) for a in ("actors", "actor_groups", "event_types", "sub_event_types", "claim_statuses")):
        parts.append("filtered")
    return "_".join(p for p in parts if p)


def _cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in article text (CSV injection): prefix with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame, about: dict[str, Any] | None = None) -> bytes:
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(_cell)
    header = ""
    if about:
        header = (f"# {about['app']} {about['app_version']}, exported {about['exported_utc']}\n"
                  f"# filters: {about['filters_query'] or '(none: every claim)'}\n")
    return (header + safe.to_csv(index=False)).encode("utf-8")


def _json_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if value is pd.NaT or (not isinstance(value, (str, bytes, list, dict)) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):
        return value.item()
    return value


def geojson_bytes(frame: pd.DataFrame, about: dict[str, Any] | None = None) -> bytes:
    """A FeatureCollection of points; every other column becomes a property."""
    features = []
    props = [c for c in frame.columns if c not in ("lat", "lon")]
    for row in frame.itertuples(index=False):
        record = row._asdict()
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(record["lon"]), float(record["lat"])]},
                "properties": {c: _json_value(record[c]) for c in props},
            }
        )
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if about:
        collection["metadata"] = about
    return json.dumps(collection, ensure_ascii=False).encode("utf-8")


def geoparquet_bytes(frame: pd.DataFrame, about: dict[str, Any] | None = None) -> bytes:
    """GeoParquet 1.1: WKB point geometry (OGC:CRS84), ``geo`` metadata, and the provenance."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    wkb = [struct.pack("<BIdd", 1, 1, float(lon), float(lat)) for lon, lat in zip(frame["lon"], frame["lat"])]
    table = table.append_column("geometry", pa.array(wkb, type=pa.binary()))
    bbox = [float(frame.lon.min()), float(frame.lat.min()), float(frame.lon.max()), float(frame.lat.max())] if len(frame) else []
    geo = {"version": "1.1.0", "primary_column": "geometry",
           "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"], **({"bbox": bbox} if bbox else {})}}}
    meta = dict(table.schema.metadata or {})
    meta[b"geo"] = json.dumps(geo).encode()
    if about:
        meta[b"claims_atlas"] = json.dumps(about).encode()
    sink = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(meta), sink)
    return sink.getvalue()


def _about(filters: Filters, record: bool) -> dict[str, Any] | None:
    return provenance(filters) if record else None


def export_csv(store: EventStore, filters: Filters, record: bool = False) -> bytes:
    """The filtered claims as CSV; ``record=True`` (the app's downloads) adds the provenance header."""
    return csv_bytes(store.export(filters), _about(filters, record))


def export_geojson(store: EventStore, filters: Filters, record: bool = False) -> bytes:
    return geojson_bytes(store.export(filters), _about(filters, record))


def export_geoparquet(store: EventStore, filters: Filters, record: bool = True) -> bytes:
    return geoparquet_bytes(store.export(filters), _about(filters, record))
