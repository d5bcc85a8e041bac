"""Ledgers through the service: the tree, progress reports from the owning unit, roll-up and lights."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from govgrid.db.ledger_models import LedgerEvent
from govgrid.domain.errors import Forbidden, InvalidInput, NotFound
from govgrid.domain.ledger import Target
from govgrid.domain.worktime import CHINA
from govgrid.services.ledger import items as ledgers
from govgrid.services.ledger.items import NewItem, shipped_ledger_rules
from tests.services.cases.test_cases import who

RULES = shipped_ledger_rules()
ASSIGNED = datetime(2026, 9, 25, 10, tzinfo=CHINA)  # 中秋, the Friday before National Day
DEADLINE = datetime(2026, 12, 31, 17, tzinfo=CHINA)


def add(session, **kw):
    data = NewItem(
        **{
            "kind": "task",
            "content": "任务",
            "area_code": "370102",
            "assigned_at": ASSIGNED,
            "deadline_at": DEADLINE,
            **kw,
        }
    )
    return ledgers.add_item(session, actor=who(session, "supervisor"), rules=RULES, data=data, now=ASSIGNED)


def campaign_with_two_tasks(session):
    campaign = add(session, kind="campaign", content="九大攻坚行动（测试）")
    roads = add(
        session,
        parent_id=campaign.id,
        content="环卫保洁一级标准道路",
        lead_unit_code="LX-CGJ",
        weight=3,
        target=Target("环卫保洁一级标准道路", "条", 100),
        sla_code="3-7",
    )
    towers = add(
        session,
        parent_id=campaign.id,
        content="亿元楼",
        lead_unit_code="LX-ZJJ",
        weight=1,
        target=Target("亿元楼", "座", 38),
    )
    return campaign, roads, towers


def report(session, item, value, when, username="dept_officer", kind="progress"):
    return ledgers.report_progress(
        session,
        actor=who(session, username),
        rules=RULES,
        item_id=item.id,
        kind=kind,
        value_reached=value,
        narrative="按计划推进",
        now=when,
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
    ledgers.recompute(
        session, rules=RULES, now=datetime(2026, 9, 30, 20, tzinfo=CHINA), campaign_id=campaign.id
    )
    session.refresh(roads)
    assert roads.light == "green"
    ledgers.recompute(
        session, rules=RULES, now=datetime(2026, 10, 1, 9, tzinfo=CHINA), campaign_id=campaign.id
    )
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
    ledgers.recompute(
        session, rules=RULES, now=datetime(2026, 10, 13, 9, tzinfo=CHINA), campaign_id=campaign.id
    )
    session.refresh(roads)
    assert roads.light == "green"


def test_only_the_lead_or_a_co_unit_reports_progress(session, district):
    _, roads, _ = campaign_with_two_tasks(session)
    with pytest.raises(NotFound):
        report(session, roads, 10, datetime(2026, 9, 29, tzinfo=CHINA), username="water_officer")


def test_only_a_supervisor_adds_items(session, district):
    with pytest.raises(Forbidden):
        ledgers.add_item(
            session,
            actor=who(session, "street_officer"),
            rules=RULES,
            data=NewItem(kind="task", content="x", area_code="370102"),
            now=ASSIGNED,
        )


def test_a_report_without_words_or_of_an_unknown_kind_is_refused(session, district):
    _, roads, _ = campaign_with_two_tasks(session)
    with pytest.raises(InvalidInput) as caught:
        ledgers.report_progress(
            session,
            actor=who(session, "dept_officer"),
            rules=RULES,
            item_id=roads.id,
            kind="progress",
            value_reached=1,
            narrative=" ",
            now=ASSIGNED,
        )
    assert caught.value.field == "narrative"
    with pytest.raises(InvalidInput) as caught:
        report(session, roads, 1, ASSIGNED, kind="gossip")
    assert caught.value.field == "kind"


def test_closure_needs_the_supervisors_approval_and_can_be_reopened(session, district):
    from govgrid.services.ledger import closure as ledger_closure

    campaign, roads, _ = campaign_with_two_tasks(session)
    report(session, roads, 100, datetime(2026, 11, 2, tzinfo=CHINA), kind="resolved")
    when = datetime(2026, 11, 3, tzinfo=CHINA)
    roads = ledger_closure.apply_for_closure(
        session, actor=who(session, "dept_officer"), item_id=roads.id, note="100 条道路已达一级标准", now=when
    )
    assert roads.status == "closing"
    with pytest.raises(Forbidden):
        ledger_closure.decide_closure(
            session,
            actor=who(session, "dept_officer"),
            rules=RULES,
            item_id=roads.id,
            approve=True,
            note="",
            now=when,
        )
    roads = ledger_closure.decide_closure(
        session,
        actor=who(session, "supervisor"),
        rules=RULES,
        item_id=roads.id,
        approve=True,
        note="同意销号",
        now=when,
    )
    assert roads.status == "closed" and roads.light == "grey"
    roads = ledger_closure.reopen(
        session,
        actor=who(session, "supervisor"),
        rules=RULES,
        item_id=roads.id,
        note="群众反映部分路段反弹",
        now=when,
    )
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


def test_a_red_task_climbs_the_ladder_on_working_days_and_a_supervisor_takes_the_interview(session, district):
    from datetime import timedelta

    from govgrid.domain.ledger import Rung
    from govgrid.services.ledger import ladder as ledger_ladder

    campaign = add(session, kind="campaign", content="阶梯测试")
    task = add(
        session,
        parent_id=campaign.id,
        content="逾期任务",
        lead_unit_code="LX-CGJ",
        deadline_at=datetime(2026, 11, 20, 17, tzinfo=CHINA),
    )
    rungs = []
    day = datetime(2026, 11, 19, 9, tzinfo=CHINA)
    while day < datetime(2026, 12, 2, tzinfo=CHINA):
        ledgers.recompute(session, rules=RULES, now=day, campaign_id=campaign.id)
        ledger_ladder.escalate_due(session, rules=RULES, now=day)
        session.refresh(task)
        rungs.append((day.date().isoformat(), task.rung))
        day += timedelta(days=1)
    firsts = {}
    for date, rung in rungs:
        firsts.setdefault(rung, date)
    # 蓝 on the 19th; 红 from Saturday the 21st (催办); 3 working days later 督办 (Wed 25th); 5 → 通报 (Fri 27th)
    assert firsts[Rung.URGE.value] == "2026-11-21"
    assert firsts[Rung.SUPERVISE.value] == "2026-11-25" and firsts[Rung.BULLETIN.value] == "2026-11-27"
    assert Rung.INTERVIEW.value not in firsts  # 约谈 is never automatic
    task = ledger_ladder.take_rung(
        session,
        actor=who(session, "supervisor"),
        item_id=task.id,
        rung=Rung.INTERVIEW,
        note="约谈区城管局分管负责人",
        now=day,
    )
    assert task.rung == Rung.INTERVIEW.value
    with pytest.raises(InvalidInput):
        ledger_ladder.take_rung(
            session, actor=who(session, "supervisor"), item_id=task.id, rung=Rung.URGE, note="降级", now=day
        )


def sweep_daily(session, campaign, task, start, end):
    """Recompute and climb the ladder every morning at 09:00; the first day of each light and each rung."""
    from govgrid.services.ledger import ladder as ledger_ladder

    firsts: dict[str | None, str] = {}
    lights: dict[str, str] = {}
    day = start
    while day < end:
        ledgers.recompute(session, rules=RULES, now=day, campaign_id=campaign.id)
        ledger_ladder.escalate_due(session, rules=RULES, now=day)
        session.refresh(task)
        firsts.setdefault(task.rung, day.date().isoformat())
        lights.setdefault(task.light, day.date().isoformat())
        day += timedelta(days=1)
    return lights, firsts


def test_without_an_answer_over_the_national_day_holiday_the_reminder_comes_on_the_first_holiday(
    session, district
):
    """3/7 rule, assigned Friday 09-25 (中秋): the answer is due by the end of Wednesday 09-30, so the light
    turns yellow and the sweeper reminds on 10-01 — not on the weekend before, and not a week late."""
    from govgrid.domain.ledger import Rung

    campaign = add(session, kind="campaign", content="国庆前交办（测试一）")
    task = add(
        session, parent_id=campaign.id, content="无回音的任务", lead_unit_code="LX-CGJ", sla_code="3-7"
    )
    lights, firsts = sweep_daily(
        session, campaign, task, datetime(2026, 9, 26, 9, tzinfo=CHINA), datetime(2026, 10, 3, tzinfo=CHINA)
    )
    assert lights == {"green": "2026-09-26", "yellow": "2026-10-01"}
    assert firsts[Rung.REMIND.value] == "2026-10-01"


def test_a_task_due_after_national_day_turns_red_and_climbs_on_working_days_counting_the_make_up_saturday(
    session, district
):
    """Deadline Friday 10-09; red from Saturday 10-10, itself a 调休 working day: 催办 at once, 督办 after three
    red working days (10-12, 10-13, 10-14), 通报 after five (10-16)."""
    from govgrid.domain.ledger import Rung

    campaign = add(session, kind="campaign", content="国庆前交办（测试二）")
    task = add(
        session,
        parent_id=campaign.id,
        content="逾期任务",
        lead_unit_code="LX-CGJ",
        sla_code="3-7",
        deadline_at=datetime(2026, 10, 9, 17, 30, tzinfo=CHINA),
    )
    lights, firsts = sweep_daily(
        session, campaign, task, datetime(2026, 9, 26, 9, tzinfo=CHINA), datetime(2026, 10, 20, tzinfo=CHINA)
    )
    assert lights["red"] == "2026-10-10" and firsts[Rung.URGE.value] == "2026-10-10"
    assert firsts[Rung.SUPERVISE.value] == "2026-10-14" and firsts[Rung.BULLETIN.value] == "2026-10-16"
