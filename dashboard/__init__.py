"""Claims Atlas dashboard: plain functions behind app.py (query, map, URL state, reader, compare)."""
