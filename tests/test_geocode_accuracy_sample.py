"""Small-sample accuracy on real evaluation data (the full runs are benchmarks/geocode_bench.py).

Floors sit a few points under the figures measured on these samples (first 25 articles, gold spans):
GeoWebNews exact id 77.6% / acc@161km 75.7% / exact id on ids in the embedded gazetteer 92.8%;
LGL 77.4% / 74.6% / 90.9% (benchmarks/geocode_bench.py --limit 25).
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
    [("gwn", 0.74, 0.72, 0.89), ("lgl", 0.73, 0.70, 0.87)],
)
def test_geocode_accuracy_sample(eval_dir, geocoder, dataset, min_exact, min_acc161, min_known_exact):
    import geocode_bench

    result = geocode_bench.run_set(dataset, geocoder, None, 25, geocode_bench.known_ids(geocoder))
    spans = result["gold_spans"]
    assert spans["all"]["n"] > 250
    assert spans["all"]["exact_id"] >= min_exact
    assert spans["all"]["acc@161km"] >= min_acc161
    assert spans["gold_id_in_embedded_gazetteer"]["exact_id"] >= min_known_exact
