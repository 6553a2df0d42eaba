"""Run: one orchestrator (ingest -> clean -> extract+geocode -> store) and its engines (in-process, process pool, Dask).

Nothing is imported here: import the module you need."""
