"""The scripted end-to-end scenario of issue 3, on a simulated clock:

1. a grid worker reports 暴露垃圾 by a GCJ-02 point; the grid is found; the command center verifies,
   registers and dispatches it to the unit the responsibility list names (4 工作时); the unit signs and
   reports back; the check fails (返工); the unit reports back again; the check passes: 结案 正常.
2. another case dispatched on a Friday afternoon goes overdue over the weekend; the sweeper urges it
   (催办) on Monday and supervises it (督办) five working days later."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.catalog.bundle import Catalogs
from govgrid.db.case_models import Case, CaseTransition
from govgrid.db.models import ResponsibilityGrid, UnitGrid, User
from govgrid.domain.history import history_label
from govgrid.domain.workflow import CLOSURE_LABEL, STATUS_LABEL, ClosureType, Status, Step
from govgrid.domain.worktime import CHINA
from govgrid.services.cases import intake, steps
from govgrid.services.cases.sweeper import sweep
from govgrid.services.geo.locate import LocatorCache
from govgrid.services.people.accounts import actor_for

WEDNESDAY = datetime(2026, 11, 18, 9, 0, tzinfo=CHINA)
FRIDAY = datetime(2026, 11, 20, 14, 0, tzinfo=CHINA)


@dataclass(frozen=True)
class ScenarioResult:
    closed_case_id: int
    supervised_case_id: int


def run_scenario(
    session: Session,
    *,
    catalogs: Catalogs,
    locator: LocatorCache,
    say: Callable[[str], None] = print,
    worker: str = "grid_worker",
    dispatcher: str = "dispatcher",
    officer: str = "dept_officer",
) -> ScenarioResult:
    rules = catalogs.case_rules
    people = {
        name: actor_for(session.scalars(select(User).where(User.username == name)).one())
        for name in (worker, dispatcher, officer)
    }
    lng, lat = _point_of(session, people[worker].user_id)

    def act(who: str, case: Case, step: Step, when: datetime, note: str = "") -> Case:
        return steps.transition(
            session, actor=people[who], rules=rules, case_id=case.id, step=step, now=when, note=note
        )

    def new_case(when: datetime) -> Case:
        data = intake.Report(
            channel="patrol",
            class_code="E0102",
            title="人行道旁暴露垃圾",
            lng=lng,
            lat=lat,
            external_id=str(uuid.uuid4()),
            description="网格员巡查发现，已拍照",
        )
        return intake.report(
            session, actor=people[worker], rules=rules, locator=locator, data=data, now=when
        )[0]

    first = new_case(WEDNESDAY)
    t = WEDNESDAY
    for who, step, minutes, note in [
        (dispatcher, Step.VERIFY, 5, ""),
        (dispatcher, Step.REGISTER, 10, ""),
        (dispatcher, Step.DISPATCH, 15, ""),
        (officer, Step.SIGN, 30, ""),
        (officer, Step.FEED_BACK, 120, "已清运"),
        (worker, Step.CHECK_FAIL, 150, "现场仍有残留"),
        (officer, Step.FEED_BACK, 200, "已二次清理"),
        (worker, Step.CHECK_PASS, 230, "现场整洁"),
    ]:
        first = act(who, first, step, t + timedelta(minutes=minutes), note)
    _print(session, first, say)

    second = new_case(FRIDAY)
    for step in (Step.VERIFY, Step.REGISTER, Step.DISPATCH):
        second = act(dispatcher, second, step, FRIDAY)
    second = act(officer, second, Step.SIGN, FRIDAY + timedelta(minutes=30))
    moment = FRIDAY
    while moment < FRIDAY + timedelta(days=14):
        sweep(session, rules=rules, policy=catalogs.policy, now=moment)
        moment += timedelta(hours=1)
    session.refresh(second)
    _print(session, second, say)
    return ScenarioResult(first.id, second.id)


def _point_of(session: Session, worker_id: int | None) -> tuple[float, float]:
    """A point in the first unit grid of the worker's responsibility grid."""
    grid = session.scalars(
        select(UnitGrid)
        .join(ResponsibilityGrid, UnitGrid.responsibility_grid_code == ResponsibilityGrid.code)
        .where(ResponsibilityGrid.worker_id == worker_id)
        .order_by(UnitGrid.code)
    ).first()
    if grid is None:
        raise ValueError("该网格员没有责任网格，无法演示")
    return grid.center_lng, grid.center_lat


def _print(session: Session, case: Case, say: Callable[[str], None]) -> None:
    closure = CLOSURE_LABEL[ClosureType(case.closure_type)] if case.closure_type else "—"
    say(f"案件 {case.code}（{STATUS_LABEL[Status(case.status)]}，网格 {case.grid_code}，结案类型 {closure}）")
    for row in session.scalars(
        select(CaseTransition).where(CaseTransition.case_id == case.id).order_by(CaseTransition.id)
    ):
        say(
            f"  {row.at.astimezone(CHINA):%Y-%m-%d %H:%M}  {row.actor_name:<16} {history_label(row.step):<6}  {row.note}"
        )
