"""`govgrid bench report`: the monthly ranking and one month's metrics over a large history, read from the
rollups, against the same answer read from the history itself (the plain path), in the same run.

The history is synthetic (bench data in a temporary SQLite database, never the demo's): about 1,370 cases a
day, each with its steps as the loop writes them — 上报, 核实, 立案, 派遣 (with the unit and the deadline),
签收, 反馈, sometimes 返工, 结案; some late, some cancelled, the last fortnight's partly open. The database is
filled to a quarter of `--cases` (the last year), measured, then to `--cases` (the years before), measured
again: the month measured is the same, so flat figures mean the rollups do not slow down as history grows."""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from govgrid.cli.bench import common
from govgrid.cli.context import Context, pass_context

PER_DAY = 1_370  # 0.5 M cases a year
UNITS = ("LX-CGJ", "LX-ZJJ", "LX-STHJ", "LX-SCJG", "LX-SW", "LX-YL", "LX-JT", "LX-YJ", "LX-WJ", "LX-JY")
CHANNELS = ("patrol", "patrol", "patrol", "phone", "citizen", "open311")
NOW = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)  # 09:00 Beijing on 1 December: November is the last month
CHUNK = 20_000


@click.command("report")
@click.option("--cases", "count", default=2_000_000, show_default=True, help="历史案件总数")
@click.option("--seed", default=1, show_default=True)
@pass_context
def bench_report(obj: Context, count: int, seed: int) -> None:
    """One month's metrics and ranking from the rollups vs. the plain path, at a quarter of the cases and at all."""
    from govgrid.domain.assessment import Period
    from govgrid.domain.permissions import Actor, Role

    areas, grids = common.geography_rows(obj)
    rules = obj.catalogs.case_rules
    admin = Actor(user_id=None, username="bench", role=Role.ADMIN)
    month = Period(datetime(2026, 11, 1).date(), datetime(2026, 11, 30).date())
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as folder:
        sessions = common.bench_database(folder, "report", areas, grids)
        with sessions() as session:
            units = common.bench_units(session, areas, UNITS)
            places = [(g["code"], g["center_lng"], g["center_lat"]) for g in grids]
            classes = sorted(rules.classes)
            first = max(1, count // 4)
            sizes = [(first, 0)] + ([(count, first)] if count > first else [])
            click.echo(f"单元网格 {len(grids)} 个；合成历史（基准数据）每日约 {PER_DAY:,} 件；SQLite 临时库")
            for size, before in sizes:
                started = time.perf_counter()
                fill(session, rng, before, size - before, places, classes, units)
                filled = time.perf_counter() - started
                started = time.perf_counter()
                from govgrid.services.assessment.rollups import catch_up

                catch_up(session, rules=rules, district_code=common.district_of(areas), now=NOW)
                rolled = time.perf_counter() - started
                click.echo(f"{size:,} 件：写入历史 {filled:.1f} s，汇总 {rolled:.1f} s")
                _measure(session, rules, admin, month, size)


def _measure(session: Any, rules: Any, admin: Any, month: Any, size: int) -> None:
    from govgrid.services.assessment.metrics import Slice, metrics
    from govgrid.services.assessment.ranking import ranking

    def timed(plain: bool) -> tuple[float, float, Any]:
        started = time.perf_counter()
        figures = metrics(
            session, actor=admin, rules=rules, period=month, by=Slice.STREET, compare=False, plain=plain
        )
        middle = time.perf_counter()
        found = metrics(
            session, actor=admin, rules=rules, period=month, by=Slice.DEPARTMENT, compare=False, plain=plain
        )
        board = ranking(
            session, actor=admin, rules=rules, period=month, by=Slice.DEPARTMENT, scheme_id="", found=found
        )
        return middle - started, time.perf_counter() - middle, (figures, board)

    timed(False)  # warm: the rollups caught up, the pages of the month in the cache
    fast_metrics, fast_rank, fast = timed(False)
    slow_metrics, slow_rank, slow = timed(True)
    same = fast[0] == slow[0] and fast[1] == slow[1]
    total = fast[0]["total"]
    click.echo(
        f"  2026年11月：立案 {total['registered']:,}，应结案 {total['due']:,}，按期结案率 {total['on_time_rate']}；"
        f"两种算法结果{'一致' if same else '不一致！'}"
    )
    click.echo(
        f"  月度指标（按街道）：汇总 {fast_metrics * 1000:.0f} ms，直接读历史 {slow_metrics * 1000:.0f} ms，"
        f"快 {slow_metrics / fast_metrics:.0f} 倍"
    )
    click.echo(
        f"  月度排名（部门）：汇总 {fast_rank * 1000:.0f} ms，直接读历史 {slow_rank * 1000:.0f} ms，"
        f"快 {slow_rank / fast_rank:.0f} 倍"
    )
    if not same:
        raise click.ClickException(f"{size:,} 件时汇总与直接读历史的结果不同")


def fill(
    session: Any,
    rng: random.Random,
    first_id: int,
    count: int,
    grids: list[tuple[str, float, float]],
    classes: list[str],
    units: list[int],
) -> None:
    """`count` cases ending where the history written so far begins (the newest first, going back), each
    in one of the grids (code, centre) and placed near its centre."""
    from sqlalchemy import insert

    from govgrid.db.case_models import Case
    from govgrid.services.cases.history import record_histories

    district = grids[0][0][:6]
    offset = first_id  # cases already there: these go further back
    made = 0
    next_row = _next_row(session)
    while made < count:
        cases: list[dict] = []
        rows: list[dict] = []
        for _ in range(min(CHUNK, count - made)):
            number = offset + made
            made += 1
            reported = NOW - timedelta(days=number // PER_DAY, minutes=rng.randrange(60, 10 * 60))
            case, history = _case(rng, number + 1, district, reported, grids, classes, units)
            cases.append(case)
            for row in history:
                next_row += 1
                rows.append({"id": next_row, "district_code": district, "case_id": case["id"], **row})
        session.execute(insert(Case), cases)
        record_histories(session, rows)  # the history's one writer
        session.commit()
        click.echo(f"  已写入 {made:,}/{count:,} 件", err=True)


def _next_row(session: Any) -> int:
    from sqlalchemy import func, select

    from govgrid.db.case_models import CaseTransition

    return int(session.scalar(select(func.max(CaseTransition.id))) or 0)


def _case(
    rng: random.Random,
    case_id: int,
    district: str,
    reported: datetime,
    grids: list[tuple[str, float, float]],
    classes: list[str],
    units: list[int],
) -> tuple[dict, list[dict]]:
    grid, lng, lat = rng.choice(grids)
    class_code = classes[int(rng.paretovariate(1.2)) % len(classes)]
    unit = units[classes.index(class_code) % len(units)]
    due = reported + timedelta(days=3)
    steps: list[tuple[str, str, datetime, dict]] = [
        ("report", "reported", reported, {}),
        ("verify", "verified", reported + timedelta(minutes=20), {}),
    ]
    fate = rng.random()
    recent = NOW - reported < timedelta(days=14)
    if fate < 0.03:
        steps.append(("cancel", "cancelled", reported + timedelta(minutes=30), {}))
    else:
        steps += [
            ("register", "registered", reported + timedelta(minutes=40), {}),
            (
                "dispatch",
                "dispatched",
                reported + timedelta(hours=1),
                {"unit_id": unit, "due_at": due.isoformat()},
            ),
            ("sign", "signed", reported + timedelta(hours=2), {}),
        ]
        if not (recent and fate > 0.7):
            late = fate > 0.85
            done = reported + timedelta(days=rng.uniform(3.5, 8) if late else rng.uniform(0.2, 2.5))
            steps.append(("feed_back", "fed_back", done - timedelta(hours=2), {}))
            if rng.random() < 0.1:
                steps.append(("check_fail", "handling", done - timedelta(hours=1, minutes=30), {}))
                steps.append(("feed_back", "fed_back", done - timedelta(hours=1), {}))
            steps.append(("check_pass", "closed", done, {}))
    status = steps[-1][1]
    previous: str | None = None
    history = []
    for step, to_status, at, detail in steps:
        history.append(
            {
                "at": at,
                "actor_id": None,
                "actor_name": "基准数据",
                "step": step,
                "from_status": previous,
                "to_status": to_status,
                "note": "",
                "public_note": "",
                "detail": detail,
            }
        )
        previous = to_status
    case = {
        "id": case_id,
        "district_code": district,
        "loop": "urban",
        "status": status,
        "version": len(steps),
        "channel": rng.choice(CHANNELS),
        "source": "bench",
        "external_id": str(case_id),
        "class_code": class_code,
        "title": "基准数据",
        "description": "",
        "address": "",
        "grid_code": grid,
        "scope_code": grid,
        "lng": round(lng + rng.uniform(-0.0004, 0.0004), 6),
        "lat": round(lat + rng.uniform(-0.0003, 0.0003), 6),
        "unit_id": unit if len(steps) > 3 else None,
        "reporter_name": "",
        "reporter_phone": "",
        "urgency": "general",
        "is_synthetic": True,
        "reported_at": reported,
        "due_at": due,
        "due_is_provisional": False,
        "closed_at": steps[-1][2] if status == "closed" else None,
        "rework_count": sum(1 for s in steps if s[0] == "check_fail"),
        "is_overdue": False,
        "supervision_level": 0,
        "links_checked": True,
    }
    return case, history
