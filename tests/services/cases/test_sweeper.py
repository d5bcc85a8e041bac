"""The sweeper over simulated time: a case goes overdue across a weekend, is urged, then supervised."""

from datetime import datetime, timedelta

from sqlalchemy import select

from govgrid.db.case_models import CaseTransition
from govgrid.domain.workflow import Step
from govgrid.domain.worktime import CHINA
from govgrid.services.cases.sweeper import sweep, sweep_once
from tests.catalogs import CATALOGS
from tests.services.cases.test_cases import RULES, patrol, step

FRIDAY_10 = datetime(2026, 11, 20, 10, 0, tzinfo=CHINA)


def dispatched_on_friday(session, district):
    case = patrol(session, district, when=FRIDAY_10)
    for action in (Step.VERIFY, Step.REGISTER, Step.DISPATCH):
        case = step(session, "dispatcher", case, action, FRIDAY_10)
    return step(session, "dept_officer", case, Step.SIGN, FRIDAY_10 + timedelta(minutes=20))


def sweep_through(session, start, *, days, every=timedelta(hours=1)):
    """Run the sweeper at every step of simulated time (a month takes about a second)."""
    moment = start
    while moment < start + timedelta(days=days):
        sweep(session, rules=RULES, policy=CATALOGS.policy, now=moment)
        moment += every


def marks_of(session, case_id):
    rows = session.scalars(
        select(CaseTransition)
        .where(CaseTransition.case_id == case_id, CaseTransition.actor_name == "system:sweeper")
        .order_by(CaseTransition.id)
    )
    return [(r.step, r.at.astimezone(CHINA).date().isoformat()) for r in rows]


def test_a_month_of_sweeps_warns_marks_overdue_then_urges_and_supervises_on_working_days(session, district):
    case = dispatched_on_friday(session, district)
    sweep_through(session, FRIDAY_10, days=30)
    assert marks_of(session, case.id) == [
        ("warn", "2026-11-20"),
        ("overdue", "2026-11-20"),
        ("urge", "2026-11-23"),
        ("supervise", "2026-11-30"),
    ]
    session.refresh(case)
    assert case.is_overdue and case.supervision_level == 2 and case.status == "signed"


def test_two_sweepers_never_apply_the_same_mark_twice(session, district, district_sessions):
    case = dispatched_on_friday(session, district)
    late = FRIDAY_10 + timedelta(hours=7)
    with district_sessions() as second:
        while sweep_once(session, rules=RULES, policy=CATALOGS.policy, now=late) | sweep_once(
            second, rules=RULES, policy=CATALOGS.policy, now=late
        ):
            pass
    # first swept after its deadline: straight to 超期 (a warning would come too late), and only once
    assert [m for m, _ in marks_of(session, case.id)] == ["overdue"]


def test_a_case_closed_in_time_gets_no_marks(session, district):
    case = dispatched_on_friday(session, district)
    step(session, "dept_officer", case, Step.FEED_BACK, FRIDAY_10 + timedelta(hours=1))
    step(session, "grid_worker", case, Step.CHECK_PASS, FRIDAY_10 + timedelta(hours=2))
    sweep(session, rules=RULES, policy=CATALOGS.policy, now=FRIDAY_10 + timedelta(days=10))
    assert marks_of(session, case.id) == []


def test_a_case_whose_dates_fall_outside_every_calendar_is_skipped_with_a_warning_not_a_crash(
    session, district, caplog
):
    from govgrid.db.case_models import Case

    case = dispatched_on_friday(session, district)
    session.get(Case, case.id).due_at = datetime(2099, 12, 31, 17, 0, tzinfo=CHINA)  # 催办 would fall in 2100
    session.get(Case, case.id).is_overdue = True
    session.commit()
    sweep(session, rules=RULES, policy=CATALOGS.policy, now=datetime(2100, 1, 1, 20, 0, tzinfo=CHINA))
    assert "2100" in caplog.text and marks_of(session, case.id) == []


def test_the_handling_unit_is_reminded_of_the_urge_and_the_supervision(session, district):
    from govgrid.domain.paging import Paging
    from govgrid.services.cases.reminders import reminders
    from tests.services.cases.test_cases import who

    case = dispatched_on_friday(session, district)
    sweep_through(session, FRIDAY_10, days=12, every=timedelta(hours=6))
    mine = [
        (row.step, c.id)
        for row, c in reminders(session, actor=who(session, "dept_officer"), paging=Paging(1, 500)).items
    ]
    assert ("urge", case.id) in mine and ("supervise", case.id) in mine
    water = [
        c.id for _, c in reminders(session, actor=who(session, "water_officer"), paging=Paging(1, 500)).items
    ]
    assert case.id not in water


def test_the_marks_a_replayed_history_records_are_the_ones_the_sweeper_gives(session, district):
    from govgrid.domain.supervision import marks_between
    from govgrid.services.cases.sweeper import clock_of

    case = dispatched_on_friday(session, district)
    end = FRIDAY_10 + timedelta(days=30)
    replayed = marks_between(clock_of(RULES, case), FRIDAY_10, end, RULES.calendar, CATALOGS.policy)
    tick = timedelta(minutes=30)
    sweep_through(session, FRIDAY_10, days=30, every=tick)
    swept = session.scalars(
        select(CaseTransition)
        .where(CaseTransition.case_id == case.id, CaseTransition.actor_name == "system:sweeper")
        .where(CaseTransition.step != "warn")
        .order_by(CaseTransition.id)
    ).all()
    assert [m.value for m, _ in replayed] == [r.step for r in swept] == ["overdue", "urge", "supervise"]
    for (_, at), row in zip(replayed, swept, strict=True):
        assert at <= row.at < at + tick  # the sweeper gives each at its first tick after the threshold
