"""Relations between areas: each inside its parent, siblings without overlaps, parents without gaps.

Areas are compared in metres (a local projection), with small tolerances so that shared edges
computed independently (floating point) are not reported."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from govgrid.domain.areas import LEVEL_LABEL, AreaLevel, level_of, parent_code
from govgrid.geo.features import AreaFeature, GeoProblem
from govgrid.geo.shapes import LocalProjection

MIN_TOLERANCE_M2 = 1.0
RELATIVE_TOLERANCE = 1e-5


def check_topology(
    features: list[AreaFeature], existing: Mapping[str, BaseGeometry], *, allow_gaps: bool = False
) -> list[GeoProblem]:
    """Problems in how the imported areas fit their parents and each other (existing = stored areas)."""
    if not features:
        return []
    projection = LocalProjection.around(features[0].geometry)
    metric = {f.code: projection.to_metres(f.geometry) for f in features}
    stored = {code: projection.to_metres(g) for code, g in existing.items() if code not in metric}
    problems = _missing_parents(features, metric, stored)
    problems += _outside_parents(features, metric, stored)
    problems += _overlapping_siblings(features, metric, stored)
    if not allow_gaps:
        problems += _gaps(features, metric, stored, projection)
    return problems


def _tolerance(area: float) -> float:
    return max(MIN_TOLERANCE_M2, RELATIVE_TOLERANCE * area)


def _missing_parents(features, metric, stored) -> list[GeoProblem]:
    problems = []
    for f in features:
        parent = parent_code(f.code)
        if parent is not None and parent not in metric and parent not in stored:
            label = LEVEL_LABEL[level_of(parent)]
            problems.append(
                GeoProblem(f"上级{label} {parent} 不存在（文件和数据库中都没有）", f.index, f.code)
            )
    return problems


def _outside_parents(features, metric, stored) -> list[GeoProblem]:
    pairs = [(f, metric.get(p) or stored.get(p)) for f in features if (p := parent_code(f.code))]
    pairs = [(f, parent) for f, parent in pairs if parent is not None]
    if not pairs:
        return []
    children = np.array([metric[f.code] for f, _ in pairs])
    parents = np.array([parent for _, parent in pairs])
    outside = shapely.area(shapely.difference(children, parents))
    problems = []
    for (f, _), excess, child in zip(pairs, outside, children, strict=True):
        if excess > _tolerance(child.area):
            problems.append(
                GeoProblem(
                    f"超出上级区划 {parent_code(f.code)} 的范围（超出 {excess:.1f} 平方米）", f.index, f.code
                )
            )
    return problems


def _overlapping_siblings(features, metric, stored) -> list[GeoProblem]:
    by_level: dict[AreaLevel, list[tuple[str, int | None]]] = defaultdict(list)
    for f in features:
        by_level[f.level].append((f.code, f.index))
    for code in stored:
        by_level[level_of(code)].append((code, None))
    problems = []
    for members in by_level.values():
        geoms = np.array([metric.get(code) or stored[code] for code, _ in members])
        left, right = shapely.STRtree(geoms).query(geoms, predicate="intersects")
        keep = left < right
        left, right = left[keep], right[keep]
        shared = shapely.area(shapely.intersection(geoms[left], geoms[right]))
        for i, j, overlap in zip(left, right, shared, strict=True):
            (a, ia), (b, ib) = members[i], members[j]
            if ia is None and ib is None:  # two stored areas: not this import's doing
                continue
            if overlap <= _tolerance(min(geoms[i].area, geoms[j].area)):
                continue
            index, code, other = (ia, a, b) if ia is not None else (ib, b, a)
            problems.append(GeoProblem(f"与同级区域 {other} 重叠 {overlap:.1f} 平方米", index, code))
    return problems


def _gaps(features, metric, stored, projection) -> list[GeoProblem]:
    children_of: dict[str, list[str]] = defaultdict(list)
    for code in list(metric) + list(stored):
        if (parent := parent_code(code)) is not None:
            children_of[parent].append(code)
    touched = {parent_code(f.code) for f in features} - {None}
    problems = []
    for parent in sorted(p for p in touched if p is not None):
        outline = metric.get(parent) or stored.get(parent)
        if outline is None:
            continue
        union = shapely.union_all([metric.get(c) or stored[c] for c in children_of[parent]])
        gap = shapely.difference(outline, union)
        if gap.area > _tolerance(outline.area) * 10:
            where = projection.to_lnglat(gap.representative_point())
            index = next((f.index for f in features if f.code == parent), None)
            problems.append(
                GeoProblem(
                    f"下级区域之间存在空隙：共 {gap.area:.1f} 平方米未被覆盖，例如 "
                    f"经度 {where.x:.6f}、纬度 {where.y:.6f} 附近",
                    index,
                    parent,
                )
            )
    return problems
