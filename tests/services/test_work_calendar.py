"""The working calendar never runs out: a year not yet announced is provisional, deadlines in it are
computed and marked, and entering the State Council's notice makes the year official (audited)."""

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from govgrid.catalog.calendars import load_calendar
from govgrid.db.case_models import CaseTransition
from govgrid.db.models import AuditEvent
from govgrid.domain.calendar_notice import NoticeRejected
from govgrid.domain.errors import DomainError
from govgrid.domain.workflow import Step
from govgrid.domain.worktime import CHINA, TimeUnit
from govgrid.services import work_calendar
from govgrid.services.cases import steps
from govgrid.services.cases.sweeper import sweep
from tests.catalogs import CATALOGS
from tests.services.cases.test_cases import patrol, who

MONDAY_28 = datetime(2026, 12, 28, 10, 0, tzinfo=CHINA)
NOTICE_2027 = """
year: 2027
source: 国办发明电〔2026〕（测试）
holidays: [2027-01-01..2027-01-03, 2027-02-05..2027-02-12, 2027-04-03..2027-04-05, 2027-05-01..2027-05-05,
           2027-06-09, 2027-09-15..2027-09-17, 2027-10-01..2027-10-07]
workdays: [2027-02-20, 2027-05-08, 2027-09-19, 2027-10-09]
"""


@pytest.fixture
def rules():
    """Rules with a calendar of their own, so an entered year does not leak into other tests."""
    return replace(CATALOGS.case_rules, calendar=load_calendar())


def dispatched(session, district, rules, when, class_code="E0101"):
    case = patrol(session, district, class_code=class_code, when=when)
    for action in (Step.VERIFY, Step.REGISTER, Step.DISPATCH):
        case = steps.transition(
            session, actor=who(session, "dispatcher"), rules=rules, case_id=case.id, step=action, now=when
        )
    return case


def test_a_dispatch_on_2026_12_28_with_a_20_workday_limit_gets_a_provisional_deadline(
    session, district, rules, caplog
):
    case = dispatched(session, district, rules, MONDAY_28)  # 私搭乱建: 20 工作日
    assert case.due_at.astimezone(CHINA).date() == date(2027, 1, 26) and case.due_is_provisional
    dispatch = session.scalars(
        select(CaseTransition).where(CaseTransition.case_id == case.id, CaseTransition.step == "dispatch")
    ).one()
    assert dispatch.detail["due_is_provisional"] is True
    assert "暂定" in caplog.text


def test_the_sweeper_warns_and_marks_overdue_through_a_provisional_january(session, district, rules):
    case = dispatched(session, district, rules, MONDAY_28)
    moment = MONDAY_28
    while moment < datetime(2027, 2, 3, tzinfo=CHINA):
        sweep(session, rules=rules, policy=CATALOGS.policy, now=moment)
        moment += timedelta(hours=12)
    marks = [
        r.step
        for r in session.scalars(
            select(CaseTransition).where(
                CaseTransition.case_id == case.id, CaseTransition.actor_name == "system:sweeper"
            )
        )
    ]
    assert marks[:3] == ["warn", "overdue", "urge"]


def test_entering_the_notice_makes_the_year_official_audits_it_and_reschedules_open_cases(
    session, district, rules
):
    case = dispatched(session, district, rules, datetime(2027, 2, 3, 10, 0, tzinfo=CHINA))  # before 春节
    provisional = case.due_at
    notice = work_calendar.parse_notice(NOTICE_2027, 2027)
    admin = who(session, "admin")
    done = work_calendar.set_year(
        session,
        actor=admin,
        calendar=rules.calendar,
        notice=notice,
        now=MONDAY_28,
        reschedule=lambda s, _y: steps.reschedule_provisional(s, actor=admin, rules=rules, now=MONDAY_28),
    )
    assert not rules.calendar.is_provisional(2027) and rules.calendar.is_workday(date(2027, 2, 20))
    session.refresh(case)
    assert (
        done.rescheduled >= 1 and not case.due_is_provisional and case.due_at > provisional
    )  # 春节 is longer
    assert session.scalars(
        select(CaseTransition).where(CaseTransition.case_id == case.id, CaseTransition.step == "reschedule")
    ).one()
    row = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "calendar.set_year").order_by(AuditEvent.id.desc())
    ).first()
    assert row.entity_id == "2027" and "2027-02-20" in row.detail["workdays"]
    other = load_calendar()
    work_calendar.CalendarSync(other).refresh(session, force=True)  # another process sees it too
    assert not other.is_provisional(2027)
    session.delete(
        session.get(work_calendar.CalendarYear, (work_calendar.deployment_district(session), 2027))
    )
    session.commit()


@pytest.mark.parametrize(
    "text,problem",
    [
        ("holidays: [2027-01-01]\nworkdays: []", "2027-02-05 是法定节假日（农历除夕）"),
        ("holidays: [2027-01-01..2027-12-31]", "超过 31 天"),
        ("holidays: [2027-01-01..2027-01-31, 2027-02-01..2027-02-28]", "放假日共 59 天"),
        ("holidays: [2027-13-01]", "“2027-13-01”不是日期"),
        ("year: 2028\nholidays: [2028-01-01]", "与命令中的 2027 不一致"),
        ("holidays: [2026-01-01]", "2026-01-01 不在 2027 年内"),
        ("holidays: [2027-01-01]\nworkdays: [2027-02-17]", "本就是工作日"),
        ("holidays: [2027-01-01]\nworkdays: [2027-01-01]", "既列为放假又列为上班"),
        ("holiday: [2027-01-01]", "未知的项 holiday"),
        ("- 2027-01-01", "须含 holidays"),
    ],
)
def test_a_malformed_notice_is_refused_naming_the_date_and_the_problem(text, problem):
    with pytest.raises(NoticeRejected) as caught:
        work_calendar.parse_notice(text, 2027)
    assert any(problem in p for p in caught.value.problems), caught.value.problems


def test_only_an_administrator_enters_a_year(session, rules):
    notice = work_calendar.parse_notice(NOTICE_2027, 2027)
    with pytest.raises(DomainError):  # refused (the role has no calendar rights)
        work_calendar.set_year(
            session, actor=who(session, "dispatcher"), calendar=rules.calendar, notice=notice, now=MONDAY_28
        )
    assert rules.calendar.is_provisional(2027)


def test_the_admin_is_warned_sixty_days_before_the_last_official_day(rules):
    assert work_calendar.calendar_warning(rules.calendar, date(2026, 10, 1)) is None
    warning = work_calendar.calendar_warning(rules.calendar, date(2026, 12, 1))
    assert "2026-12-31" in warning and "30 天" in warning and "set-year 2027" in warning
    assert "暂定" in work_calendar.calendar_warning(rules.calendar, date(2027, 1, 5))


def test_ledger_response_rules_hold_in_december_again(rules):
    from govgrid.domain.response_rules import deadlines
    from tests.catalogs import CATALOGS

    ledger = replace(CATALOGS.ledger_rules, calendar=rules.calendar)
    assigned = datetime(2026, 12, 20, 10, 0, tzinfo=CHINA)
    assert rules.calendar.knows(assigned)
    steps = deadlines(ledger.templates["3-7"], assigned, rules.calendar)
    assert [due.astimezone(CHINA).date() for _, due in steps] == [date(2026, 12, 23), date(2026, 12, 29)]


def test_due_counts_like_the_case_clock(rules):
    deadline = rules.calendar.due(MONDAY_28, 20, TimeUnit.WORKDAYS)
    assert deadline.at.date() == date(2027, 1, 26) and deadline.is_provisional
