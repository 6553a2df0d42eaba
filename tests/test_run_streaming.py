"""The orchestrator hands articles to the engine a batch at a time: it never reads an input ahead of the
batches being processed, so a run's memory does not grow with the size of its input."""

from __future__ import annotations

import csv
from pathlib import Path

from pipeline import store
from pipeline.run import orchestrator as run
from pipeline.run import worker
from pipeline.run.engines import InProcess


def test_run_streams_batches_without_reading_ahead(tmp_path, settings, monkeypatch):
    path = tmp_path / "export.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        rows = [[f"Report {i}: government forces shelled the town of Douma on Tuesday, activists said.", "SANA"] for i in range(200)]
        csv.writer(fh).writerows([["text", "source"], *rows])
    converted: list[int] = []
    real_to_article = run.documents.to_article
    monkeypatch.setattr(run.documents, "to_article", lambda *a, **k: converted.append(1) or real_to_article(*a, **k))
    read_when_processed: list[int] = []

    def no_model(batch, key, out, settings):  # the unit of work without the model: commit the articles alone
        read_when_processed.append(len(converted))
        store.write_batch(store.Storage(out), key, store.articles_table(batch), store.events_table([]))
        return worker.PartSummary(key, len(batch), 0, 0, (), 0)

    monkeypatch.setattr(worker, "process_batch", no_model)
    report = run.run(run.RunRequest((path,), tmp_path / "out"), settings.replace(batch_size=10), engine=InProcess())
    assert report.articles_new == report.articles_total == 200
    assert read_when_processed == [10 * (k + 1) for k in range(20)]


def test_run_limit_stops_reading(tmp_path, settings, monkeypatch):
    path = tmp_path / "export.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["text", "source"], *[[f"Report {i}: rebels shelled Douma on Tuesday, activists said.", "SANA"] for i in range(500)]])
    report = run.ingest_only(run.RunRequest((Path(path),), tmp_path / "out", limit=7), settings)
    assert report.articles_new == 7 and not (tmp_path / "out").exists()
