"""The dashboard and the pipeline's data contract (pipeline/schema.py) agree."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard import mapview, query, views
from pipeline import schema

REPO = Path(__file__).resolve().parents[1]


def test_dashboard_contract_vocabularies_come_from_the_schema():
    assert tuple(mapview.ACTOR_GROUP_COLORS) == schema.ACTOR_GROUPS
    assert tuple(mapview.EVENT_TYPE_COLORS) == tuple(schema.EVENT_TYPES)
    assert mapview.PRECISION_LABELS == schema.GEO_PRECISION_LABELS
    assert set(views.STATUS_MEANINGS) == set(schema.CLAIM_STATUSES)
    assert set(query.FILTER_COLUMNS.values()) <= set(schema.EVENT_COLUMNS)


def test_dashboard_contract_every_queried_column_is_in_the_schema():
    assert set(query.MARKER_FIELDS) <= set(schema.EVENT_COLUMNS)
    assert set(query.SEARCH_FIELDS) <= set(schema.EVENT_COLUMNS)
    sql = re.sub(r"'[^']*'", "", query.DATE_EXPR)
    assert set(re.findall(r"[a-z_]+(?=[,)])", sql)) <= set(schema.EVENT_COLUMNS)


def test_dashboard_contract_legend_colours_are_distinct():
    for palette in (mapview.ACTOR_GROUP_COLORS, mapview.EVENT_TYPE_COLORS):
        colours = [c.lower() for c in palette.values()] + [mapview.OTHER_COLOR.lower()]
        assert len(colours) == len(set(colours))


@pytest.mark.parametrize("module", ["dashboard.mapview", "dashboard.query", "dashboard.views"])
def test_dashboard_contract_schema_import_stays_light(module):
    code = f"import sys, {module}; heavy = [m for m in ('spacy', 'geopandas', 'sklearn') if m in sys.modules]; print(heavy)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
