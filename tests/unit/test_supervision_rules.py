"""The escalation ladder as a pure decision: warn, overdue, 催办 the next working day, 督办 five later."""

from datetime import datetime

from govgrid.catalog.calendars import load_calendar
from govgrid.domain.supervision import Clock, Mark, Policy, next_mark
from govgrid.domain.workflow import Status
from govgrid.domain.worktime import CHINA

CAL, POLICY = load_calendar(), Policy()
FRIDAY_10 = datetime(2026, 11, 20, 10, 0, tzinfo=CHINA)
DUE = datetime(2026, 11, 20, 15, 30, tzinfo=CHINA)  # 4 工作时 after Friday 10:00


def facts(**kw):
    base = dict(
        status=Status.SIGNED,
        dispatched_at=FRIDAY_10,
        due_at=DUE,
        warned_at=None,
        is_overdue=False,
        supervision_level=0,
    )
    return Clock(**{**base, **kw})


def at(day, hour=9, minute=0):
    return datetime(2026, 11, day, hour, minute, tzinfo=CHINA)


def test_nothing_is_due_early_in_the_window():
    assert next_mark(facts(), at(20, 11), CAL, POLICY) is None


def test_a_warning_comes_when_a_quarter_of_the_window_is_left():
    assert next_mark(facts(), at(20, 14, 30), CAL, POLICY) is Mark.WARN


def test_past_the_deadline_the_case_is_marked_overdue():
    assert next_mark(facts(warned_at=at(20, 14, 30)), at(20, 16), CAL, POLICY) is Mark.OVERDUE


def test_the_urge_waits_over_the_weekend_for_the_next_working_day():
    overdue = facts(is_overdue=True)
    assert next_mark(overdue, at(21, 12), CAL, POLICY) is None  # Saturday
    assert next_mark(overdue, at(22, 12), CAL, POLICY) is None  # Sunday
    assert next_mark(overdue, at(23, 9), CAL, POLICY) is Mark.URGE  # Monday


def test_supervision_follows_five_working_days_after_the_urge():
    urged = facts(is_overdue=True, supervision_level=1)
    assert next_mark(urged, at(27, 18), CAL, POLICY) is None  # Friday of the same week
    assert next_mark(urged, at(30, 9), CAL, POLICY) is Mark.SUPERVISE  # the Monday after


def test_closed_and_parked_cases_are_left_alone():
    assert next_mark(facts(status=Status.CLOSED, is_overdue=True), at(30), CAL, POLICY) is None
    assert next_mark(facts(status=Status.PARKED), at(30), CAL, POLICY) is None
