"""Fixtures for the geocoding tests (import them into a test module; conftest.py is the lead's)."""

from __future__ import annotations

import pytest

from pipeline.schema import PlaceMention


@pytest.fixture(scope="session")
def geocoder(settings):
    """The real Geocoder over the real embedded gazetteer (built once into the session's cache dir)."""
    from pipeline.geocode.resolver import Geocoder

    return Geocoder.load(settings)


def mention(text: str, reason: str = "test", **kw) -> PlaceMention:
    """A mention whose offsets do not matter to the geocoder."""
    return PlaceMention(text=text, start=0, end=len(text), reason=reason, **kw)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    import math

    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(a)))
