"""Recipe for the golden files of the invented linking fixture (tests/data/linking_fixture, see its README.md).

Regenerate with::

    .venv/bin/python tests/data/linking_fixture_built/build.py

It runs the pipeline on the invented articles, applies ``pipeline.link.link_events`` to the events
(a no-op change when the run linked them already) and writes ``events.parquet`` and ``articles.parquet``
beside this file. The dashboard's Compare tests and its browser test read these files; they describe
an invented event, not news.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CORPUS = ROOT / "tests" / "data" / "linking_fixture"
sys.path.insert(0, str(ROOT))

from pipeline import store
from pipeline.link.groups import link_events


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="linking_fixture_") as tmp:
        cmd = [sys.executable, "-m", "pipeline", "run", str(CORPUS), "--out", tmp, "--workers", "1", "--no-progress"]
        proc = subprocess.run(cmd, cwd=ROOT, check=False)
        if proc.returncode != 0:
            print(f"pipeline run failed ({proc.returncode})", file=sys.stderr)
            return 1
        articles, events = store.read_articles(tmp), store.read_events(tmp)
    store.write_events_table(link_events(events), HERE / "events.parquet")
    store.write_articles_table(articles, HERE / "articles.parquet")
    print(f"{events.num_rows} events, {articles.num_rows} articles written to {HERE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
