"""The rule and vocabulary files of the pipeline (YAML/JSON beside this module), and their one loader.

Users extend the rules by editing these files or by pointing a loader at another directory. Every file is
read through :func:`load`, which names the file in its errors; :func:`need` checks one key's type and names
the file and key when it is wrong, so a bad edit says exactly what to fix.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError

RESOURCES_DIR = Path(__file__).resolve().parent


class ResourceError(PipelineError):
    """A rules file is missing or malformed; the message names the file (and key) and the fix."""


def resource_path(name: str, directory: str | Path | None = None) -> Path:
    return Path(directory or RESOURCES_DIR) / name


@functools.lru_cache(maxsize=None)
def load(name: str, directory: str | None = None) -> Any:
    """Parsed YAML/JSON resource ``name`` (e.g. "outlets.yaml"), read once per process."""
    import yaml

    path = resource_path(name, directory)
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh) if path.suffix == ".json" else yaml.safe_load(fh)
    except FileNotFoundError as exc:
        raise ResourceError(f"{path}: resource file missing; restore it from the repository") from exc
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise ResourceError(f"{path}: not valid {path.suffix[1:].upper()} ({exc}); fix the file") from exc


def load_mapping(name: str, directory: str | None = None) -> dict:
    """A resource whose top level must be a mapping."""
    data = load(name, directory)
    if not isinstance(data, dict):
        raise ResourceError(f"{resource_path(name, directory)}: expected a mapping at the top level")
    return data


def need(data: dict, key: str, kind: type | tuple[type, ...], name: str, default: Any = ...) -> Any:
    """``data[key]`` checked to be of ``kind``; the error names the resource file ``name`` and the key."""
    if key not in data or data[key] is None:
        if default is not ...:
            return default
        raise ResourceError(f"{name}: key {key!r} is missing")
    value = data[key]
    if not isinstance(value, kind):
        want = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ResourceError(f"{name}: key {key!r} must be a {want}, not {type(value).__name__}")
    return value


def word_list(name: str, key: str, directory: str | None = None) -> tuple[str, ...]:
    """A list of strings under ``key`` of resource ``name`` (lower-cased words or phrases)."""
    values = need(load_mapping(name, directory), key, list, name)
    bad = [v for v in values if not isinstance(v, str)]
    if bad:
        raise ResourceError(f"{name}: key {key!r} must hold strings only; fix {bad[0]!r}")
    return tuple(values)


@functools.lru_cache(maxsize=None)
def word_set(key: str, name: str = "words.yaml") -> frozenset[str]:
    """The word list ``key`` of ``words.yaml`` (the extraction rules' vocabulary) as a frozenset."""
    return frozenset(word_list(name, key))
