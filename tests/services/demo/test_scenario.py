"""The scripted scenario of issue 3 runs end to end and its timelines show every step, actor and time."""

from sqlalchemy import select

from govgrid.db.case_models import Case, CaseTransition
from govgrid.db.models import User
from govgrid.services.demo.scenario import run_scenario
from govgrid.services.geo.locate import LocatorCache
from tests.catalogs import CATALOGS


def test_the_scenario_closes_one_case_normally_and_escalates_the_other(session, district):
    lines: list[str] = []
    result = run_scenario(session, catalogs=CATALOGS, locator=LocatorCache(), say=lines.append)
    closed = session.get(Case, result.closed_case_id)
    supervised = session.get(Case, result.supervised_case_id)
    assert closed.status == "closed" and closed.closure_type == "normal" and closed.rework_count == 1
    assert closed.grid_code and len(closed.grid_code) == 15
    assert supervised.is_overdue and supervised.supervision_level == 2
    steps = [
        (r.step, r.actor_name)
        for r in session.scalars(
            select(CaseTransition).where(CaseTransition.case_id == closed.id).order_by(CaseTransition.id)
        )
    ]
    worker = session.scalar(select(User.display_name).where(User.username == "grid_worker"))
    assert steps == [
        ("report", worker),
        ("verify", "dispatcher"),
        ("register", "dispatcher"),
        ("dispatch", "dispatcher"),
        ("sign", "dept_officer"),
        ("feed_back", "dept_officer"),
        ("check_fail", worker),
        ("feed_back", "dept_officer"),
        ("check_pass", worker),
    ]
    printed = "\n".join(lines)
    assert "返工" in printed and "催办" in printed and "督办" in printed and "2026-11-23" in printed
