"""`govgrid bench …`: speed measured against a baseline in the same run (ratios, never timed tests)."""

from __future__ import annotations

import time

import click
import numpy as np


@click.group()
def bench() -> None:
    """性能基准：与同一次运行中测得的基线对比。"""


def _grids(obj) -> tuple[list[str], list]:
    """Unit grids from the database; when it has none, the demo partition drawn in memory."""
    from sqlalchemy import select

    from govgrid.db.models import UnitGrid
    from govgrid.geo.shapes import from_wkb

    with obj.migrated_sessions()() as session:
        rows = session.execute(select(UnitGrid.code, UnitGrid.geometry_wkb)).all()
    if rows:
        return [r[0] for r in rows], [from_wkb(r[1]) for r in rows]
    click.echo("数据库中没有单元网格，按演示区在内存中划分…")
    return _demo_grids(obj)


def _demo_grids(obj) -> tuple[list[str], list]:
    import json

    import shapely

    from govgrid.geo.partition import partition_district
    from govgrid.services.reference import reference_file

    path = reference_file(obj.settings.shared_dir, "data/geo/370102.geojson")
    doc = json.loads(path.read_text(encoding="utf-8"))
    district = shapely.union_all([shapely.geometry.shape(f["geometry"]) for f in doc["features"]])
    codes, polygons = [], []
    for s, street in enumerate(partition_district(district, streets=13, communities=100), start=1):
        for c, community in enumerate(street.communities, start=1):
            for g, grid in enumerate(community.grids, start=1):
                codes.append(f"370102{s:03d}{c:03d}{g:03d}")
                polygons.append(grid)
    return codes, polygons


@bench.command("locate")
@click.option("--points", default=1_000_000, show_default=True, help="索引定位的随机点数")
@click.option("--sample", default=300, show_default=True, help="朴素逐个多边形比对的抽样点数")
@click.option("--seed", default=1, show_default=True)
@click.pass_obj
def bench_locate(obj, points: int, sample: int, seed: int) -> None:
    """Point→grid lookup: the STRtree index vs. a naive loop over every polygon, on one core."""
    from govgrid.geo.index import NOWHERE, GridIndex, naive_locate

    codes, polygons = _grids(obj)
    started = time.perf_counter()
    index = GridIndex(codes, polygons)
    build = time.perf_counter() - started
    minx = min(p.bounds[0] for p in polygons)
    miny = min(p.bounds[1] for p in polygons)
    maxx = max(p.bounds[2] for p in polygons)
    maxy = max(p.bounds[3] for p in polygons)
    rng = np.random.default_rng(seed)
    lngs, lats = rng.uniform(minx, maxx, points), rng.uniform(miny, maxy, points)
    click.echo(f"单元网格 {len(index)} 个；索引构建 {build:.2f} 秒；随机点 {points} 个（外包矩形内，含区外点）")

    started = time.perf_counter()
    found = np.concatenate([index.locate_many(lngs[i : i + 200_000], lats[i : i + 200_000])
                            for i in range(0, points, 200_000)])  # fmt: skip
    indexed = points / (time.perf_counter() - started)

    started = time.perf_counter()
    naive = [naive_locate(polygons, codes, float(lngs[i]), float(lats[i])) for i in range(sample)]
    baseline = sample / (time.perf_counter() - started)

    expected = [None if found[i] == NOWHERE else index.codes[found[i]] for i in range(sample)]
    disagree = sum(a != b for a, b in zip(naive, expected, strict=True))
    click.echo(f"索引定位：{indexed:,.0f} 点/秒（落入网格 {int((found != NOWHERE).sum()):,} 个）")
    click.echo(f"朴素循环：{baseline:,.1f} 点/秒（抽样 {sample} 点）")
    click.echo(f"倍数：{indexed / baseline:,.0f}×；抽样结果不一致 {disagree} 个")
    click.echo(f"目标 ≥ 500,000 点/秒：{'达到' if indexed >= 500_000 else '未达到'}")
    if disagree:
        raise SystemExit(1)
