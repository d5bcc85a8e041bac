"""`govgrid bench ledger`: a ledger of 50,000 tasks in 500 campaigns; the tree page and a recompute of every
light, each against a baseline measured in the same run (reading the same rows; GET /api/v1/health)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import click

from govgrid.cli.context import Context, pass_context

UNITS = ("LX-CGJ", "LX-ZJJ", "LX-STHJ", "LX-SCJG", "LX-SW", "LX-YL", "LX-JT", "LX-YJ", "LX-WJ", "LX-JY")


def _fill(session, campaigns: int, tasks: int, now: datetime) -> None:
    """campaigns × 5 measures × n tasks with targets and one report each, by bulk insert."""
    import shapely
    from sqlalchemy import insert, select

    from govgrid.db.ledger_models import LedgerItem, ProgressReport
    from govgrid.db.models import Area, OrgUnit

    session.add(
        Area(
            code="370102",
            level="district",
            name="历下区",
            parent_code=None,
            geometry_wkb=shapely.to_wkb(shapely.box(117.0, 36.6, 117.1, 36.7)),
            min_lng=117.0,
            min_lat=36.6,
            max_lng=117.1,
            max_lat=36.7,
            area_m2=1.0e8,
            is_synthetic=True,
        )
    )
    for code in UNITS:
        session.add(OrgUnit(code=code, name=code, kind="department", area_code="370102"))
    session.flush()
    unit_ids = list(session.scalars(select(OrgUnit.id)))
    per_measure = max(1, tasks // (campaigns * 5))
    start = now - timedelta(days=200)
    deadline = now + timedelta(days=60)
    next_id = 1
    items: list[dict] = []
    reports: list[dict] = []
    for c in range(campaigns):
        campaign_id = next_id
        items.append(
            dict(
                id=campaign_id,
                parent_id=None,
                campaign_id=campaign_id,
                kind="campaign",
                number=f"C{c}",
                content=f"专项行动 {c}",
                area_code="370102",
                co_unit_ids=[],
                assigned_at=start,
                deadline_at=deadline,
            )
        )
        next_id += 1
        for m in range(5):
            measure_id = next_id
            items.append(
                dict(
                    id=measure_id,
                    parent_id=campaign_id,
                    campaign_id=campaign_id,
                    kind="measure",
                    number=str(m + 1),
                    content=f"措施 {m + 1}",
                    area_code="370102",
                    co_unit_ids=[],
                    assigned_at=start,
                    deadline_at=deadline,
                    weight=float(m + 1),
                )
            )
            next_id += 1
            for t in range(per_measure):
                task_id = next_id
                items.append(
                    dict(
                        id=task_id,
                        parent_id=measure_id,
                        campaign_id=campaign_id,
                        kind="task",
                        number=f"{m + 1}.{t + 1}",
                        content=f"任务 {c}-{m + 1}-{t + 1}",
                        area_code="370102",
                        lead_unit_id=unit_ids[task_id % len(unit_ids)],
                        co_unit_ids=[],
                        leader="赵峰" if t % 3 == 0 else "李强",
                        assigned_at=start,
                        deadline_at=deadline - timedelta(days=task_id % 90),
                        sla_code="3-7",
                        target_subject="指标",
                        target_unit="个",
                        target_value=100.0,
                    )
                )
                reports.append(
                    dict(
                        item_id=task_id,
                        kind="progress",
                        reported_at=start + timedelta(days=1),
                        reported_by="bench",
                        value_reached=float(task_id % 100),
                        narrative="进展",
                    )
                )
                next_id += 1
    defaults = dict(
        district_code="370102",
        source="",
        leader="",
        officer="",
        consequence="",
        target_subject="",
        target_unit="",
        target_baseline=0.0,
        target_direction="increase",
        target_qualifier="",
        status="open",
        progress=0.0,
        light="green",
        version=1,
        ambassador="",
        weight=None,
        sla_code=None,
        target_value=None,
        lead_unit_id=None,
    )
    session.execute(insert(LedgerItem), [defaults | row for row in items])
    session.execute(
        insert(ProgressReport),
        [dict(district_code="370102", problems="", next_steps="") | r for r in reports],
    )
    session.commit()


@click.command("ledger")
@click.option("--tasks", default=50_000, show_default=True)
@click.option("--campaigns", default=500, show_default=True)
@pass_context
def bench_ledger(obj: Context, tasks: int, campaigns: int) -> None:
    """Tree page and recompute of every light, each with its baseline from the same run."""
    import tempfile
    from pathlib import Path

    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from govgrid.db.engine import make_engine, make_session_factory
    from govgrid.db.ledger_models import LedgerItem
    from govgrid.db.migrate import upgrade
    from govgrid.domain.roles import Role
    from govgrid.services.ledger.lights import COLUMNS, recompute
    from govgrid.services.people.accounts import add_user
    from govgrid.settings import load_settings
    from govgrid.web.app import create_app

    now = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
    rules = obj.catalogs.ledger_rules
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'ledger.db'}"
        engine = make_engine(url)
        upgrade(engine)
        sessions = make_session_factory(engine)
        with sessions() as session:
            _fill(session, campaigns, tasks, now)
            add_user(
                session,
                username="bench",
                display_name="督查室",
                role=Role.SUPERVISOR,
                scope_code="370102",
                unit_code=None,
                phone="",
                password="bench-password-1",
                now=now,
            )
            session.commit()
            count = len(session.scalars(select(LedgerItem.id)).all())
        click.echo(
            f"台账：{campaigns} 项行动、{tasks:,} 项任务（共 {count:,} 个事项，各一条进展）；SQLite 临时库"
        )

        def timed(fn) -> float:
            begin = time.perf_counter()
            fn()
            return time.perf_counter() - begin

        def read_rows() -> None:  # baseline: the rows a recompute needs, straight from the database driver
            with sessions() as s:
                connection = s.connection()
                connection.exec_driver_sql(f"SELECT {', '.join(COLUMNS)} FROM ledger_item").fetchall()
                connection.exec_driver_sql(
                    "SELECT item_id, reported_at, kind, value_reached FROM progress_report "
                    "ORDER BY reported_at, id"
                ).fetchall()

        def recompute_all() -> None:
            with sessions() as s:
                recompute(s, rules=rules, now=now)

        baseline = min(timed(read_rows) for _ in range(3))
        first = timed(recompute_all)  # every light changes from the inserted green: all rows written
        steady = min(timed(recompute_all) for _ in range(3))
        click.echo(
            f"重算全部进度与预警（例行重算，灯无变化）：{steady:.2f} 秒；基线（驱动直接读取重算所需的行与列）{baseline:.2f} 秒；"
            f"倍数 {steady / baseline:.1f}×"
        )
        click.echo(f"首次重算（{count:,} 个事项的灯全部变化，逐行写回并记录预警变化）：{first:.2f} 秒")

        settings = load_settings(
            database_url=url,
            secret_key="bench-secret-key-that-is-long-enough",
            media_dir=Path(folder) / "media",
        )
        app = create_app(settings, clock=lambda: now)
        with TestClient(app) as client:
            client.post(
                "/login",
                data={"username": "bench", "password": "bench-password-1", "csrf_token": _csrf(client)},
            )
            assert client.get("/ledger").status_code == 200
            health = min(timed(lambda: client.get("/api/v1/health")) for _ in range(5))
            tree = min(timed(lambda: client.get("/ledger")) for _ in range(3))
            red = min(timed(lambda: client.get("/ledger?light=red")) for _ in range(3))
        click.echo(
            f"台账树页面（第 1 页，200 行）：{tree:.2f} 秒；按红灯筛选：{red:.2f} 秒；"
            f"基线 GET /api/v1/health {health * 1000:.1f} 毫秒；倍数 {tree / health:.0f}×"
        )
        worst = max(steady, tree, red)
        click.echo(
            f"目标 重算与树页面各 < 1 秒：{'达到' if worst < 1 else '未达到'}（最慢 {worst:.2f} 秒；"
            "本机为共享虚拟机，同一命令多次运行相差可达 30%，以倍数为准）"
        )
        engine.dispose()


def _csrf(client) -> str:
    import re

    match = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    return match.group(1) if match else ""
