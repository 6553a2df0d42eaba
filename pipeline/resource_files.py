"""Load the data files in pipeline/resources/ (YAML), cached; users extend them by editing the files
or by passing another directory."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

RESOURCES_DIR = Path(__file__).resolve().parent / "resources"


@functools.lru_cache(maxsize=None)
def load(name: str, directory: str | None = None) -> Any:
    """Parsed YAML/JSON resource ``name`` (e.g. "outlets.yaml")."""
    import yaml

    path = Path(directory or RESOURCES_DIR) / name
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)
