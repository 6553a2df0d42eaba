"""Claims Atlas offline pipeline: ingest -> clean -> extract -> geocode -> store.

Nothing heavy is imported here: spaCy and the gazetteer load only inside the
functions that need them.
"""

from pipeline.schema import PIPELINE_VERSION

__all__ = ["PIPELINE_VERSION"]
