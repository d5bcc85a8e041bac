"""`govgrid bench locate`: point→grid lookups per second, the STRtree index against a naive loop, in one run."""

from __future__ import annotations

import time

import click
import numpy as np

from govgrid.cli.bench import common
from govgrid.cli.context import Context, pass_context


@click.command("locate")
@click.option("--points", default=1_000_000, show_default=True, help="索引定位的随机点数")
@click.option("--sample", default=300, show_default=True, help="朴素逐个多边形比对的抽样点数")
@click.option("--seed", default=1, show_default=True)
@pass_context
def bench_locate(obj: Context, points: int, sample: int, seed: int) -> None:
    """Point→grid lookup: the STRtree index vs. a naive loop over every polygon, on one core."""
    from govgrid.geo.index import NOWHERE, GridIndex, naive_locate

    codes, polygons = common.grids(obj)
    started = time.perf_counter()
    index = GridIndex(codes, polygons)
    build = time.perf_counter() - started
    minx = min(p.bounds[0] for p in polygons)
    miny = min(p.bounds[1] for p in polygons)
    maxx = max(p.bounds[2] for p in polygons)
    maxy = max(p.bounds[3] for p in polygons)
    rng = np.random.default_rng(seed)
    lngs, lats = rng.uniform(minx, maxx, points), rng.uniform(miny, maxy, points)
    click.echo(
        f"单元网格 {len(index)} 个；索引构建 {build:.2f} 秒；随机点 {points} 个（外包矩形内，含区外点）"
    )

    started = time.perf_counter()
    found = np.concatenate(
        [index.locate_many(lngs[i : i + 200_000], lats[i : i + 200_000]) for i in range(0, points, 200_000)]
    )
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
