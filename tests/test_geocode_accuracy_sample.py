"""Small-sample accuracy on real evaluation data (the full runs are benchmarks/geocode_bench.py).

Floors sit a few points under the figures measured on these samples (first 25 articles, gold spans):
GeoWebNews exact id 75.7% / acc@161km 74.6%; LGL exact id 67.5% / acc@161km 64.7% (see the report).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from geo_fixtures import geocoder  # noqa: F401  (fixture)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))


@pytest.mark.parametrize(
    ("dataset", "min_exact", "min_acc161", "min_known_exact"),
    [("gwn", 0.70, 0.70, 0.85), ("lgl", 0.62, 0.60, 0.74)],
)
def test_geocode_accuracy_sample(eval_dir, geocoder, dataset, min_exact, min_acc161, min_known_exact):
    import geocode_bench

    result = geocode_bench.run_set(dataset, geocoder, None, 25, geocode_bench.known_ids(geocoder))
    spans = result["gold_spans"]
    assert spans["all"]["n"] > 250
    assert spans["all"]["exact_id"] >= min_exact
    assert spans["all"]["acc@161km"] >= min_acc161
    assert spans["gold_id_in_embedded_gazetteer"]["exact_id"] >= min_known_exact
