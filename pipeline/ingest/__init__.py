"""Ingest: files, tables (CSV/JSONL/Parquet), HTML, encodings and outlet/date metadata -> raw documents and rejects.

Nothing is imported here: import the module you need."""
