"""`govgrid bench import`: a synthetic case history sheet (bench data: 巡查 and 12345 rows over the demo's
grids, most closed, some late, some reworked, some open) imported through the same service as
`govgrid cases import`, into a temporary SQLite database holding the demo geography. The baseline in the
same run: reading the same file with the csv module and nothing else."""

from __future__ import annotations

import csv
import io
import random
import tempfile
import time
from datetime import datetime, timedelta
from typing import Any

import click

from govgrid.cli.bench import common
from govgrid.cli.bench.report import UNITS
from govgrid.cli.context import Context, pass_context
from govgrid.domain.worktime import CHINA

HEADERS = [
    "案件编号",
    "来源",
    "问题分类",
    "标题",
    "地址",
    "经度",
    "纬度",
    "上报时间",
    "立案时间",
    "派遣时间",
    "处置单位",
    "处置时限",
    "反馈时间",
    "结案时间",
    "返工次数",
    "当前状态",
    "回访联系",
    "回访解决",
    "满意度",
]
START = datetime(2025, 12, 1, 8, 0, tzinfo=CHINA)


@click.command("import")
@click.option("--rows", default=100_000, show_default=True, help="表格行数")
@click.option("--seed", default=1, show_default=True)
@pass_context
def bench_import(obj: Context, rows: int, seed: int) -> None:
    """Import a synthetic history sheet of --rows rows, against reading the same file alone."""
    from shapely import from_wkb

    from govgrid.domain.permissions import Actor, Role
    from govgrid.services.cases.history_import import import_cases
    from govgrid.services.geo.locate import LocatorCache

    areas, grids = common.geography_rows(obj)
    points = [_inside(from_wkb(g["geometry_wkb"])) for g in grids[:: max(1, len(grids) // 2_000)]]
    classes = sorted(obj.catalogs.case_rules.classes)
    data = _sheet(random.Random(seed), rows, points, classes)
    started = time.perf_counter()
    read = sum(1 for _ in csv.DictReader(io.StringIO(data.decode("utf-8"))))
    baseline = time.perf_counter() - started
    admin = Actor(user_id=None, username="bench", role=Role.ADMIN)
    with tempfile.TemporaryDirectory() as folder:
        sessions = common.bench_database(folder, "import", areas, grids)
        with sessions() as session:
            common.bench_units(session, areas, UNITS)
            started = time.perf_counter()
            result = import_cases(
                session,
                actor=admin,
                rules=obj.catalogs.case_rules,
                locator=LocatorCache(),
                data=data,
                filename="bench.csv",
                now=datetime(2026, 12, 1, 9, 0, tzinfo=CHINA),
                source="bench",
                progress=lambda message: click.echo(
                    f"  {time.perf_counter() - started:6.1f} s  {message}", err=True
                ),
                pause_gc=True,
            )
            took = time.perf_counter() - started
    click.echo(
        f"合成历史表格（基准数据）{read:,} 行，{len(data) / 1e6:.1f} MB；区 {common.district_of(areas)}；SQLite 临时库"
    )
    click.echo(f"  导入：{took:.1f} s（新建 {result.created:,} 件，{result.rows / took:,.0f} 行/秒）")
    click.echo(f"  基线（只用 csv 模块读同一文件）：{baseline:.2f} s；导入是它的 {took / baseline:.0f} 倍")


def _inside(polygon: Any) -> tuple[float, float]:
    point = polygon.representative_point()
    return round(point.x, 6), round(point.y, 6)


def _sheet(rng: random.Random, rows: int, points: list[tuple[float, float]], classes: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
    minute = timedelta(minutes=1)
    for number in range(rows):
        reported = START + timedelta(minutes=number * 525_600 // max(rows, 1) % 525_600)
        lng, lat = rng.choice(points)
        hotline = rng.random() < 0.3
        registered, dispatched = reported + 20 * minute, reported + 60 * minute
        due = dispatched + timedelta(days=3)
        fate = rng.random()
        closed = dispatched + timedelta(days=rng.uniform(4, 8) if fate > 0.85 else rng.uniform(0.3, 2.5))
        is_open = fate < 0.05
        fed_back = closed - 2 * minute * 60
        writer.writerow(
            [
                f"B{number + 1:08d}",
                "12345" if hotline else "巡查",
                rng.choice(classes),
                "基准数据",
                "",
                lng,
                lat,
                _at(reported),
                _at(registered),
                _at(dispatched),
                UNITS[number % len(UNITS)],
                _at(due),
                "" if is_open else _at(fed_back),
                "" if is_open else _at(closed),
                1 if rng.random() < 0.08 and not (is_open or hotline) else 0,
                "处置中" if is_open else "已结案",
                "是" if hotline and not is_open else "",
                ("是" if rng.random() < 0.9 else "否") if hotline and not is_open else "",
                rng.choice(("满意", "基本满意", "不满意")) if hotline and not is_open else "",
            ]
        )
    return out.getvalue().encode("utf-8")


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")
