"""The demo's 一表通 at work — SYNTHETIC, deterministic (seeded), through the same services as live work:
the district health bureau sends its daily forms (新增人员表, 随访记录表, 返乡人员表) down to the first
communities of the demo grid worker's street; for each past day each community's grid worker enters the
day's returning residents once (on 新增人员表: they are registered and on every form that picks them),
takes each follow-up's temperature, and 报送 each form, some of them late. Today's forms stay open for the
first visitor to fill."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.models import Area, UnitGrid, User
from govgrid.domain.areas import AreaLevel
from govgrid.domain.forms import FormCatalog
from govgrid.domain.roles import Role
from govgrid.domain.worktime import CHINA, WorkCalendar
from govgrid.services.demo.register import GIVEN, SURNAMES
from govgrid.services.forms import returns, tasks
from govgrid.services.people.accounts import actor_for

DEPARTMENT = "health_officer"  # the demo login of the district health bureau
FORMS = ("new_residents", "follow_ups", "returnees")
COMMUNITIES = 3
CAME_FROM = ("北京市", "上海市", "武汉市", "广州市", "青岛市", "临沂市", "天津市")
MODES = ("火车", "自驾", "飞机", "长途客车")


def build_demo_forms(
    session: Session,
    *,
    catalog: FormCatalog,
    calendar: WorkCalendar,
    street_code: str,
    now: datetime,
    key: bytes,
    days: int = 14,
) -> int:
    """The forms of the last `days` days, issued, filled and submitted; the number of returns submitted."""
    officer = session.scalar(select(User).where(User.username == DEPARTMENT))
    if officer is None:
        return 0
    communities = session.scalars(
        select(Area.code)
        .where(Area.level == AreaLevel.COMMUNITY.value, Area.code.startswith(street_code))
        .order_by(Area.code)
        .limit(COMMUNITIES)
    ).all()
    workers = {
        u.scope_code: actor_for(u)
        for u in session.scalars(select(User).where(User.role == Role.GRID_WORKER.value).order_by(User.id))
    }
    today = now.astimezone(CHINA).date()
    first = today - timedelta(days=days)
    issued = [
        task
        for form in FORMS
        if form in catalog.templates
        for task in tasks.issue(
            session,
            actor=actor_for(officer),
            catalog=catalog,
            template_code=form,
            community_codes=list(communities),
            starts_on=first,
            ends_on=None,
            due_workdays=1,
            now=datetime.combine(first, time(8, 30), CHINA),
        )
    ]
    rng = random.Random(f"forms-{street_code}")
    submitted = 0
    for offset in range(days):
        day = first + timedelta(days=offset)
        for community in communities:
            worker = workers.get(community)
            if worker is None:
                continue
            mine = {t.template_code: t for t in issued if t.community_code == community}
            moment = datetime.combine(day, time(9, 0), CHINA)
            grids = session.scalars(
                select(UnitGrid.code).where(UnitGrid.community_code == community).order_by(UnitGrid.code)
            ).all()
            for _ in range(rng.choice((0, 1, 1, 2))):
                returns.add_row(
                    session, actor=worker, catalog=catalog, calendar=calendar, task_id=mine["new_residents"].id,
                    period=day, grid_code=rng.choice(grids), values=_arrival(rng, day), now=moment, key=key,
                    synthetic=True,
                )  # fmt: skip
            follow_ups = mine["follow_ups"]
            sheet = returns.sheet(
                session, actor=worker, catalog=catalog, calendar=calendar, task_id=follow_ups.id, period=day
            )
            for row in sheet.rows:
                returns.save_row(
                    session, actor=worker, catalog=catalog, calendar=calendar, task_id=follow_ups.id,
                    period=day, entry_id=row.entry_id, values=_visit(rng), now=moment, key=key,
                )  # fmt: skip
            late = rng.random() < 0.08
            done_at = datetime.combine(day, time(16, 30), CHINA) + (
                timedelta(hours=18) if late else timedelta()
            )
            for form in FORMS:
                returns.submit(
                    session, actor=worker, catalog=catalog, calendar=calendar, task_id=mine[form].id,
                    period=day, now=done_at,
                )  # fmt: skip
                submitted += 1
    return submitted


def _arrival(rng: random.Random, day: object) -> dict[str, str]:
    return {
        "person.name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
        "person.gender": rng.choice(("男", "女")),
        "person.phone": f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
        "person.came_from": rng.choice(CAME_FROM),
        "person.arrived_on": str(day),
        "person.travel_mode": rng.choice(MODES),
        "person.health_status": "正常",
        "remark": "合成演示数据",
    }


def _visit(rng: random.Random) -> dict[str, str]:
    return {
        "event.temperature": f"{rng.choice((36.2, 36.4, 36.5, 36.6, 36.8, 37.0)):.1f}",
        "event.symptoms": "无",
        "visit_mode": rng.choice(("电话", "上门", "上门")),
    }
