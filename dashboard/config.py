"""Dashboard settings: where the data is and how the map is drawn.

Read from the environment only (never from the URL). ``EVENTS_PATH`` and
``ARTICLES_PATH`` may name a Parquet file or a partitioned dataset directory
(``events/*.parquet``); relative paths are resolved against the working directory.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


def _meta(help_text: str) -> dict[str, str]:
    return {"help": help_text}


@dataclass(frozen=True)
class DashboardSettings:
    events_path: Path | str = field(
        default=REPO_ROOT / "data" / "events.parquet",
        metadata=_meta("EVENTS_PATH: events GeoParquet file or partitioned dataset directory."),
    )
    articles_path: Path | str = field(
        default=REPO_ROOT / "data" / "articles.parquet",
        metadata=_meta("ARTICLES_PATH: articles Parquet file or directory (needed by the article reader)."),
    )
    tiles: str | None = field(
        default=None,
        metadata=_meta(
            "CLAIMS_ATLAS_TILES: a tile URL template ({z}/{x}/{y}) for the street layer instead of OpenStreetMap."
        ),
    )
    offline: bool = field(
        default=False,
        metadata=_meta(
            "CLAIMS_ATLAS_OFFLINE: 1 = only the offline basemap (country outlines and towns from static/); "
            "no request leaves the app's own server. Unset = street and satellite tiles, with the offline "
            "basemap chosen automatically when tiles cannot load."
        ),
    )
    static_url: str = field(
        default="../../app/static",
        metadata=_meta(
            "CLAIMS_ATLAS_STATIC_URL: where the map iframe finds static/ (relative to the component iframe)."
        ),
    )
    api_url: str = field(
        default="../../ca-api/map",
        metadata=_meta(
            "CLAIMS_ATLAS_API_URL: where the map iframe fetches the claims for a new view (dashboard/api.py), "
            "relative to the component iframe like the static URL; same origin only."
        ),
    )
    max_markers: int = field(
        default=1000,
        metadata=_meta("CLAIMS_ATLAS_MAX_MARKERS: above this many claims in view the map shows grid counts."),
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> DashboardSettings:
        env = os.environ if environ is None else environ
        changes: dict[str, object] = {}
        for name, key in (("events_path", "EVENTS_PATH"), ("articles_path", "ARTICLES_PATH")):
            if env.get(key):
                changes[name] = _resolve(env[key])
        if env.get("CLAIMS_ATLAS_TILES"):
            changes["tiles"] = env["CLAIMS_ATLAS_TILES"]
        if env.get("CLAIMS_ATLAS_OFFLINE"):
            changes["offline"] = _flag("CLAIMS_ATLAS_OFFLINE", env["CLAIMS_ATLAS_OFFLINE"])
        if env.get("CLAIMS_ATLAS_STATIC_URL"):
            changes["static_url"] = env["CLAIMS_ATLAS_STATIC_URL"].rstrip("/")
        if env.get("CLAIMS_ATLAS_API_URL"):
            changes["api_url"] = env["CLAIMS_ATLAS_API_URL"].rstrip("/")
        if env.get("CLAIMS_ATLAS_MAX_MARKERS"):
            changes["max_markers"] = _positive_int("CLAIMS_ATLAS_MAX_MARKERS", env["CLAIMS_ATLAS_MAX_MARKERS"])
        return dataclasses.replace(cls(), **changes)


def _resolve(raw: str) -> Path | str:
    """A local path made absolute; an fsspec URL (s3://bucket/run/events.parquet) kept as it is."""
    return raw if "://" in raw else Path(raw).expanduser().resolve()


def data_version(events_path: Path | str) -> float:
    """What the cached queries are keyed on: the mtime of the run's ``run_report.json`` (rewritten by every run and
    compaction, unlike the dataset folder's own mtime), else of the events path; 0.0 for a URL, read once."""
    if isinstance(events_path, str) and "://" in events_path:
        return 0.0
    path = Path(events_path)
    report = path.parent / "run_report.json"
    return (report if report.exists() else path).stat().st_mtime


def _flag(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"{name}={raw!r} is not a yes/no value; set it to 1 or 0.")


def _positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError as exc:
        raise ValueError(f"{name}={raw!r} is not a whole number; set it to e.g. 1000.") from exc
    if value < 1:
        raise ValueError(f"{name}={raw!r} must be at least 1.")
    return value
