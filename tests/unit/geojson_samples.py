"""Small GeoJSON documents for import tests: a district with two streets side by side."""

from __future__ import annotations

import copy
from typing import Any

W, E, S, N, MID = 117.00, 117.02, 36.60, 36.62, 117.01


def square(w: float, s: float, e: float, n: float) -> list[list[list[float]]]:
    return [[[w, s], [e, s], [e, n], [w, n], [w, s]]]


def feature(code: str, name: str, rings: Any, kind: str = "Polygon") -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"code": code, "name": name},
        "geometry": {"type": kind, "coordinates": rings},
    }


def district_doc() -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            feature("370199", "样例区", square(W, S, E, N)),
            feature("370199001", "西街道", square(W, S, MID, N)),
            feature("370199002", "东街道", square(MID, S, E, N)),
        ],
    }


def with_change(doc: dict[str, Any], index: int, **geometry: Any) -> dict[str, Any]:
    changed = copy.deepcopy(doc)
    changed["features"][index]["geometry"].update(geometry)
    return changed
