"""The assessment's terms on the worked examples of the issue: each case is read from its history as it
stood at the period's end, settles once (the earlier of its deadline and its close), and is due once."""

from datetime import date, datetime

from govgrid.domain.assessment import Event, Period, facts_at, matches, outcomes, totals, with_rates
from govgrid.domain.workflow import Loop
from govgrid.domain.worktime import CHINA

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
    return outcomes(facts_at(loop, rows, period.end), period)


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
