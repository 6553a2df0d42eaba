"""Build the offline country-outlines basemap shipped in ``static/basemap/``.

The map must be usable with no tile server, so the app draws country outlines
from a small GeoJSON served by Streamlit's static serving. The outlines come
from the npm package ``world-atlas@2.0.2`` (Natural Earth 1:50m admin-0, public
domain; package ISC licence), which ships TopoJSON; this module decodes it to
plain GeoJSON with rounded coordinates. Recipe (run once, output committed)::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python -m dashboard.basemap package/countries-50m.json static/basemap/countries.geojson

Nothing here runs at import time and nothing here is used by the running app.
"""

from __future__ import annotations

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


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m dashboard.basemap TOPOJSON_IN GEOJSON_OUT", file=sys.stderr)
        return 2
    topology = json.loads(Path(args[0]).read_text(encoding="utf-8"))
    collection = topojson_to_geojson(topology)
    Path(args[1]).write_text(json.dumps(collection, separators=(",", ":")), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
