"""Downloads of the filtered claims: CSV (safe to open in a spreadsheet) and GeoJSON."""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd

from dashboard.query import EventStore, Filters

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in article text (CSV injection): prefix with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(_cell)
    return safe.to_csv(index=False).encode("utf-8")


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


def geojson_bytes(frame: pd.DataFrame) -> bytes:
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
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode("utf-8")


def export_csv(store: EventStore, filters: Filters) -> bytes:
    return csv_bytes(store.export(filters))


def export_geojson(store: EventStore, filters: Filters) -> bytes:
    return geojson_bytes(store.export(filters))
