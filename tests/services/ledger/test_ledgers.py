"""Ledgers through the service: the tree, progress reports from the owning unit, roll-up and lights."""

from datetime import datetime

import pytest
from sqlalchemy import select

from govgrid.db.ledger_models import LedgerEvent
from govgrid.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from govgrid.domain.ledger_items import NewItem, NewReport
from govgrid.domain.ledger_states import ClosureStep, IllegalClosure
from govgrid.domain.worktime import CHINA
from govgrid.services.ledger import closure as ledger_closure
from govgrid.services.ledger import items as ledgers
from govgrid.services.ledger.lights import recompute
from govgrid.services.ledger.reports import report_progress
from tests.catalogs import CATALOGS
from tests.services.cases.test_cases import who

RULES = CATALOGS.ledger_rules
ASSIGNED = datetime(2026, 9, 25, 10, tzinfo=CHINA)  # 中秋, the Friday before National Day
DEADLINE = datetime(2026, 12, 31, 17, tzinfo=CHINA)


def add(session, **kw):
    fields = {"kind": "task", "content": "任务", "deadline_at": DEADLINE, "lead_unit_code": "LX-CGJ", **kw}
    if fields["kind"] == "campaign":
        fields["lead_unit_code"] = kw.get("lead_unit_code")
    data = NewItem(**fields)
    return ledgers.assign(session, actor=who(session, "supervisor"), rules=RULES, data=data, now=ASSIGNED)


def campaign_with_two_tasks(session):
    campaign = add(session, kind="campaign", content="九大攻坚行动（测试）")
    roads = add(
        session,
        parent_id=campaign.id,
        content="环卫保洁一级标准道路",
        lead_unit_code="LX-CGJ",
        weight=3,
        target_subject="环卫保洁一级标准道路",
        target_unit="条",
        target_value=100,
        sla_code="3-7",
    )
    towers = add(
        session,
        parent_id=campaign.id,
        content="亿元楼",
        lead_unit_code="LX-ZJJ",
        weight=1,
        target_subject="亿元楼",
        target_unit="座",
        target_value=38,
    )
    return campaign, roads, towers


def report(session, item, value, when, username="dept_officer", kind="progress"):
    data = NewReport(narrative="按计划推进", kind=kind, value_reached=value)
    return report_progress(
        session, actor=who(session, username), rules=RULES, item_id=item.id, data=data, now=when
    )


def test_a_parents_progress_is_the_weighted_sum_of_its_childrens(session, district):
    campaign, roads, towers = campaign_with_two_tasks(session)
    report(session, roads, 50, datetime(2026, 9, 28, 10, tzinfo=CHINA))
    session.refresh(campaign)
    session.refresh(roads)
    assert roads.progress == pytest.approx(0.5) and towers.progress == 0
    assert campaign.progress == pytest.approx((0.5 * 3 + 0 * 1) / 4)


def test_without_an_answer_in_three_working_days_the_light_turns_yellow_on_the_first_holiday(
    session, district
):
    campaign, roads, _ = campaign_with_two_tasks(session)
    recompute(session, rules=RULES, now=datetime(2026, 9, 30, 20, tzinfo=CHINA), campaign_id=campaign.id)
    session.refresh(roads)
    assert roads.light == "green"
    recompute(session, rules=RULES, now=datetime(2026, 10, 1, 9, tzinfo=CHINA), campaign_id=campaign.id)
    session.refresh(roads)
    session.refresh(campaign)
    assert roads.light == "yellow" and campaign.light == "yellow"  # a parent shows its worst child
    changes = session.scalars(
        select(LedgerEvent).where(LedgerEvent.item_id == roads.id, LedgerEvent.action == "light")
    ).all()
    assert [
        (c.detail["from"], c.detail["to"], c.at.astimezone(CHINA).date().isoformat()) for c in changes
    ] == [("green", "yellow", "2026-10-01")]


def test_an_answer_and_a_staged_result_in_time_keep_the_light_green(session, district):
    campaign, roads, _ = campaign_with_two_tasks(session)
    report(session, roads, 10, datetime(2026, 9, 29, 10, tzinfo=CHINA))
    report(session, roads, 30, datetime(2026, 10, 9, 10, tzinfo=CHINA), kind="staged_result")
    recompute(session, rules=RULES, now=datetime(2026, 10, 13, 9, tzinfo=CHINA), campaign_id=campaign.id)
    session.refresh(roads)
    assert roads.light == "green"


def test_only_the_lead_or_a_co_unit_reports_progress(session, district):
    _, roads, _ = campaign_with_two_tasks(session)
    with pytest.raises(NotFound):
        report(session, roads, 10, datetime(2026, 9, 29, tzinfo=CHINA), username="water_officer")


def test_only_a_supervisor_adds_items(session, district):
    with pytest.raises(Forbidden):
        ledgers.assign(
            session,
            actor=who(session, "street_officer"),
            rules=RULES,
            data=NewItem(kind="campaign", content="x"),
            now=ASSIGNED,
        )


def test_a_report_without_words_or_of_an_unknown_kind_is_refused(session, district):
    _, roads, _ = campaign_with_two_tasks(session)
    with pytest.raises(InvalidInput) as caught:
        report_progress(
            session,
            actor=who(session, "dept_officer"),
            rules=RULES,
            item_id=roads.id,
            data=NewReport(narrative=" ", value_reached=1),
            now=ASSIGNED,
        )
    assert caught.value.field == "narrative"
    with pytest.raises(InvalidInput) as caught:
        report(session, roads, 1, ASSIGNED, kind="gossip")
    assert caught.value.field == "kind"


def step(session, item, username, closure_step, note="", when=None, version=None):
    return ledger_closure.take_closure_step(
        session,
        actor=who(session, username),
        rules=RULES,
        item_id=item.id,
        step=closure_step,
        note=note,
        now=when or datetime(2026, 11, 3, tzinfo=CHINA),
        expected_version=version,
    )


def test_closure_needs_the_supervisors_approval_and_can_be_reopened(session, district):
    campaign, roads, _ = campaign_with_two_tasks(session)
    report(session, roads, 100, datetime(2026, 11, 2, tzinfo=CHINA), kind="resolved")
    roads = step(session, roads, "dept_officer", ClosureStep.APPLY, "100 条道路已达一级标准")
    assert roads.status == "closing"
    with pytest.raises(Forbidden):
        step(session, roads, "dept_officer", ClosureStep.APPROVE)
    roads = step(session, roads, "supervisor", ClosureStep.APPROVE, "同意销号")
    assert roads.status == "closed" and roads.light == "grey"
    roads = step(session, roads, "supervisor", ClosureStep.REOPEN, "群众反映部分路段反弹")
    assert roads.status == "open" and roads.light != "grey"
    actions = [
        e.action
        for e in session.scalars(
            select(LedgerEvent).where(LedgerEvent.item_id == roads.id).order_by(LedgerEvent.id)
        )
    ]
    assert [a for a in actions if a.startswith(("close", "reopen"))] == [
        "close_request",
        "close_approve",
        "reopen",
    ]


def test_a_closure_step_the_status_does_not_allow_is_refused_naming_the_steps_it_does(session, district):
    _, roads, _ = campaign_with_two_tasks(session)
    with pytest.raises(IllegalClosure) as caught:
        step(session, roads, "supervisor", ClosureStep.APPROVE, "同意")
    assert "申请销号" in caught.value.message and caught.value.field == "status"
    with pytest.raises(InvalidInput) as caught:
        step(session, roads, "dept_officer", ClosureStep.APPLY, "  ")
    assert caught.value.field == "note"


def test_of_two_supervisors_deciding_the_same_application_one_wins_and_the_other_gets_a_conflict(
    session, district
):
    _, roads, _ = campaign_with_two_tasks(session)
    roads = step(session, roads, "dept_officer", ClosureStep.APPLY, "已完成")
    seen = roads.version
    step(session, roads, "supervisor", ClosureStep.APPROVE, "同意", version=seen)
    with pytest.raises(Conflict):
        step(session, roads, "supervisor", ClosureStep.REFUSE, "不同意", version=seen)
    session.refresh(roads)
    assert roads.status == "closed"
    events = session.scalars(select(LedgerEvent).where(LedgerEvent.item_id == roads.id)).all()
    assert [e.action for e in events].count("close_approve") == 1 and "close_refuse" not in [
        e.action for e in events
    ]
