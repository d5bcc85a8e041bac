"""The assessment's terms on the worked examples of the issue: each case is read from its history as it
stood at the period's end, settles once (the earlier of its deadline and its close), and is due once."""

from dataclasses import replace
from datetime import date, datetime

from govgrid.domain.assessment import (
    Event,
    Period,
    facts_at,
    matches,
    outcomes,
    previous_period,
    totals,
    with_rates,
    year_before,
)
from govgrid.domain.workflow import Loop
from govgrid.domain.worktime import CHINA
from tests.catalogs import CATALOGS

TERMS = CATALOGS.case_rules.assessment.terms  # the shipped catalog/assessment.yaml
CORE = {"registered", "due", "closed", "closed_on_time", "reworked", "callbacks", "contacted", "resolved"}

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
APRIL = Period(date(2026, 4, 1), date(2026, 4, 30))


def at(month, day, hour=10):
    return datetime(2026, month, day, hour, tzinfo=CHINA)


def urban(*, registered, due, closed=None, extended=None, reworks=0, parked=None):
    rows = [
        Event(registered, "report", "reported", {}),
        Event(registered, "verify", "verified", {}),
        Event(registered, "register", "registered", {}),
        Event(registered, "dispatch", "dispatched", {"due_at": due.isoformat(), "unit_id": 7}),
    ]
    if extended:
        approved_on, until = extended
        rows.append(Event(approved_on, "extension_approve", "dispatched", {"due_at": until.isoformat()}))
    if parked:
        rows.append(Event(parked, "park", "parked", {}))
    for n in range(reworks):
        rows.append(Event(registered, "check_fail", "handling", {"rework_count": n + 1}))
    if closed:
        rows.append(Event(closed, "check_pass", "closed", {"closed_at": closed.isoformat()}))
    return sorted(rows, key=lambda e: e.at)


def counted(rows, period, loop=Loop.URBAN):
    """The case's share of the issue's core terms (the worked examples name only those)."""
    share = everything(rows, period, loop)
    return {key: value for key, value in share.items() if key in CORE or key == "satisfaction_points"}


def everything(rows, period, loop=Loop.URBAN, terms=TERMS, work_hours=None):
    return outcomes(facts_at(loop, rows, period.end), period, terms, work_hours)


def test_registered_in_march_with_an_april_deadline_closed_late_is_due_in_april_not_on_time():
    rows = urban(registered=at(3, 20), due=at(4, 17, 17), closed=at(4, 30))
    assert counted(rows, MARCH) == {"registered": 1}
    assert counted(rows, APRIL) == {"due": 1, "closed": 1}


def test_a_deadline_in_march_closed_in_april_is_due_in_march_only():
    rows = urban(registered=at(3, 2), due=at(3, 20, 17), closed=at(4, 5))
    assert counted(rows, MARCH) == {"registered": 1, "due": 1}
    assert counted(rows, APRIL) == {}


def test_closed_before_an_april_deadline_is_due_in_march_and_on_time():
    rows = urban(registered=at(3, 2), due=at(4, 2, 17), closed=at(3, 25))
    assert counted(rows, MARCH) == {"registered": 1, "due": 1, "closed": 1, "closed_on_time": 1}


def test_an_extension_approved_before_the_deadline_moves_it():
    rows = urban(
        registered=at(3, 2), due=at(3, 20, 17), extended=(at(3, 18), at(3, 27, 17)), closed=at(3, 26)
    )
    assert counted(rows, MARCH)["closed_on_time"] == 1


def test_a_case_parked_at_the_periods_end_is_not_due_in_it():
    rows = urban(registered=at(3, 2), due=at(3, 20, 17), parked=at(3, 10))
    assert "due" not in counted(rows, MARCH)


def test_a_cancelled_case_counts_nowhere_and_a_reworked_one_counts_once():
    cancelled = [Event(at(3, 2), "report", "reported", {}), Event(at(3, 3), "cancel", "cancelled", {})]
    assert counted(cancelled, MARCH) == {}
    reworked = urban(registered=at(3, 2), due=at(3, 20, 17), reworks=2, closed=at(3, 15))
    assert counted(reworked, MARCH)["reworked"] == 1


def test_a_12345_callback_counts_in_the_month_the_order_was_accepted():
    order = [
        Event(at(3, 30), "report", "accepted", {}),
        Event(at(3, 30), "dispatch", "assigned", {"due_at": at(4, 3, 17).isoformat(), "unit_id": 3}),
        Event(at(4, 1), "feed_back", "replied", {}),
        Event(
            at(4, 2),
            "call_back",
            "called_back",
            {"callback": {"contacted": True, "resolved": False, "satisfaction": "basically_satisfied"}},
        ),
    ]
    march, april = counted(order, MARCH, Loop.HOTLINE), counted(order, APRIL, Loop.HOTLINE)
    assert march == {"registered": 1}  # the callback came after March ended
    assert april == {"due": 1, "closed": 1, "closed_on_time": 1}
    whole = Period(date(2026, 3, 1), date(2026, 4, 30))
    share = counted(order, whole, Loop.HOTLINE)
    assert share["callbacks"] == 1 and share["contacted"] == 1 and share["resolved"] == 0
    assert share["satisfaction_points"] == 0.9


def test_rates_are_fractions_to_four_places_or_none_and_reproduce_the_tianmen_figures():
    counts = {"registered": 996, "due": 972, "closed": 911, "closed_on_time": 737}
    rates = with_rates(counts)
    assert rates["closure_rate"] == 0.9372 and rates["on_time_rate"] == 0.7582  # 93.72%, 75.82%
    assert rates["response_rate"] is None  # no callbacks: no rate, not 0
    assert with_rates(totals([{"due": 1}, {"due": 1, "closed": 1}]))["closure_rate"] == 0.5


def test_a_drill_down_names_the_cases_behind_a_figure():
    late = urban(registered=at(3, 2), due=at(3, 20, 17), closed=at(3, 25))
    share = counted(late, MARCH)
    assert matches(share, "due", without="closed_on_time") and not matches(share, "closed_on_time")


def test_reported_dispatched_extended_and_supervised_count_in_the_period_they_happened():
    rows = urban(
        registered=at(3, 30), due=at(4, 10, 17), extended=(at(4, 2), at(4, 20, 17)), closed=at(4, 15)
    )
    rows.insert(-1, Event(at(4, 12), "supervise_by_hand", "dispatched", {}))
    march, april = everything(rows, MARCH), everything(rows, APRIL)
    assert {k: march.get(k, 0) for k in ("reported", "dispatched", "extended", "supervised")} == {
        "reported": 1,
        "dispatched": 1,
        "extended": 0,
        "supervised": 0,
    }
    assert {k: april.get(k, 0) for k in ("reported", "dispatched", "extended", "supervised")} == {
        "reported": 0,
        "dispatched": 0,
        "extended": 1,
        "supervised": 1,
    }
    assert april["closed_on_time"] == 1 and "overdue" not in april  # on time by its extended deadline


def test_a_due_case_not_closed_by_its_deadline_is_overdue_whether_closed_late_or_still_open():
    late = urban(registered=at(3, 2), due=at(3, 20, 17), closed=at(3, 25))
    still_open = urban(registered=at(3, 2), due=at(3, 20, 17))
    assert everything(late, MARCH)["overdue"] == 1 and everything(still_open, MARCH)["overdue"] == 1
    assert matches(everything(late, MARCH), "overdue") and not matches(
        everything(late, MARCH), "closed_on_time"
    )


def test_the_handling_time_runs_from_the_first_dispatch_to_the_close_in_the_working_hours_given():
    rows = urban(registered=at(3, 2, 9), due=at(3, 20, 17), closed=at(3, 3, 15))
    hours = everything(rows, MARCH, work_hours=lambda start, end: (end - start).total_seconds() / 3600)
    assert hours["handled"] == 1 and hours["handling_hours"] == 30.0
    summed = with_rates(totals([hours, {"handled": 1, "handling_hours": 10.0}]))
    assert summed["avg_handling_hours"] == 20.0
    assert with_rates(totals([]))["avg_handling_hours"] is None


def test_reworks_are_told_apart_as_once_or_twice_and_three_times_or_more():
    twice = urban(registered=at(3, 2), due=at(3, 20, 17), reworks=2, closed=at(3, 15))
    thrice = urban(registered=at(3, 2), due=at(3, 20, 17), reworks=3, closed=at(3, 15))
    assert everything(twice, MARCH).get("reworked_few") == 1 and "reworked_thrice" not in everything(
        twice, MARCH
    )
    assert everything(thrice, MARCH).get("reworked_thrice") == 1


def test_the_weight_of_basically_satisfied_and_the_statuses_left_out_are_the_catalogues():
    order = [
        Event(at(3, 3), "report", "accepted", {}),
        Event(
            at(3, 4),
            "call_back",
            "called_back",
            {"callback": {"contacted": True, "resolved": True, "satisfaction": "basically_satisfied"}},
        ),
    ]
    assert TERMS.fairly_weight == 0.9
    assert everything(order, MARCH, Loop.HOTLINE)["satisfaction_points"] == 0.9
    assert (
        everything(order, MARCH, Loop.HOTLINE, replace(TERMS, fairly_weight=0.8))["satisfaction_points"]
        == 0.8
    )
    parked = urban(registered=at(3, 2), due=at(3, 20, 17), parked=at(3, 10))
    assert "due" in everything(parked, MARCH, terms=replace(TERMS, not_due=frozenset()))


def test_month_on_month_is_the_month_before_and_year_on_year_the_same_dates_a_year_before():
    from datetime import date

    assert previous_period(MARCH) == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert previous_period(Period(date(2026, 1, 1), date(2026, 3, 31))) == Period(
        date(2025, 10, 1), date(2025, 12, 31)
    )
    assert previous_period(Period(date(2026, 3, 10), date(2026, 3, 16))) == Period(
        date(2026, 3, 3), date(2026, 3, 9)
    )
    assert year_before(Period(date(2028, 2, 1), date(2028, 2, 29))) == Period(
        date(2027, 2, 1), date(2027, 2, 28)
    )
