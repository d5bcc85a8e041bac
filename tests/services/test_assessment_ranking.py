"""The monthly ranking of departments on a scheme, from a month imported with known outcomes: the order and
every score as computed by hand, a unit with too few cases listed but not ranked, the 红黑榜, each line's
cases behind it; 环比 and 同比 are the same metrics for the month before and the year before."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from govgrid.db.models import OrgUnit
from govgrid.domain.assessment import Period
from govgrid.domain.worktime import CHINA
from govgrid.services.assessment.metrics import Slice, drill, metrics
from govgrid.services.assessment.ranking import ranking
from tests.services.cases.test_cases import RULES, who
from tests.services.cases.test_history_import import case_row, run, sheet

MARCH = Period(date(2025, 3, 1), date(2025, 3, 31))


def closed_case(number: str, point, unit: str, *, on_time: bool, reworks: int = 0, day: int = 3):  # type: ignore[no-untyped-def]
    start = datetime(2025, 3, day, 9, tzinfo=CHINA)
    closed = start + timedelta(days=1 if on_time else 4)
    return case_row(
        number,
        point,
        处置单位=unit,
        上报时间=start - timedelta(minutes=20),
        立案时间=start - timedelta(minutes=10),
        派遣时间=start,
        处置时限=start + timedelta(days=3),
        反馈时间=closed - timedelta(hours=2),
        结案时间=closed,
        返工次数=reworks,
        当前状态="已结案",
    )


@pytest.fixture
def month(fresh):  # type: ignore[no-untyped-def]
    """城管局 25 due (20 on time, 2 reworked), 水务局 30 due (15 on time), 园林局 3 due (all on time);
    a year before, 城管局 had 20 due, all on time; in February, 水务局 had 20 due, 10 on time."""
    sessions, point = fresh
    rows = [
        closed_case(f"C{n}", point, "LX-CGJ", on_time=n < 20, reworks=1 if n < 2 else 0) for n in range(25)
    ]
    rows += [closed_case(f"S{n}", point, "LX-SW", on_time=n < 15) for n in range(30)]
    rows += [closed_case(f"Y{n}", point, "LX-YL", on_time=True) for n in range(3)]
    for n in range(20):
        row = closed_case(f"L{n}", point, "LX-CGJ", on_time=True)
        rows.append({k: v.replace(year=2024) if isinstance(v, datetime) else v for k, v in row.items()})
    for n in range(20):
        row = closed_case(f"F{n}", point, "LX-SW", on_time=n < 10, day=3)
        rows.append({k: v.replace(month=2) if isinstance(v, datetime) else v for k, v in row.items()})
    with sessions() as session:
        run(session, sheet(rows))
    return sessions


def test_departments_are_ranked_on_the_composite_as_computed_by_hand(month):
    with month() as session:
        board = ranking(
            session,
            actor=who(session, "dispatcher"),
            rules=RULES,
            period=MARCH,
            by=Slice.DEPARTMENT,
            scheme_id="composite",
        )
        names = {str(u.id): u.code for u in session.scalars(select(OrgUnit))}
    order = [(e["place"], names[e["code"]], e["score"]) for e in board["ranked"]]
    # 城管局: 50 × 20/25 + 30 × 1 + 10 × (1 − 2/25) + 10 = 40 + 30 + 9.2 + 10; 水务局: 25 + 30 + 10 + 10
    assert order == [(1, "LX-CGJ", 89.2), (2, "LX-SW", 75.0)]
    assert [names[e["code"]] for e in board["unranked"]] == ["LX-YL"]  # 3 due: a perfect score, not ranked
    assert board["unranked"][0]["score"] == 100.0
    assert [names[e["code"]] for e in board["red"]] == ["LX-CGJ", "LX-SW"] and board["black"] == []
    first = board["ranked"][0]["lines"][0]
    assert first["text"] == "按期结案率 80.00% × 50 = 40.00 分"
    assert first["drill"] == {"metric": "due", "without": "closed_on_time"}


def test_the_cases_behind_a_lost_point_are_exactly_those_the_line_names(month):
    with month() as session:
        dispatcher = who(session, "dispatcher")
        late = drill(
            session, actor=dispatcher, rules=RULES, period=MARCH, metric="due", without="closed_on_time"
        )
        reworked = drill(session, actor=dispatcher, rules=RULES, period=MARCH, metric="reworked")
    assert len(late) == 5 + 15 and len(reworked) == 2


def test_month_on_month_and_year_on_year_are_the_same_metrics_for_their_periods(month):
    with month() as session:
        found = metrics(
            session, actor=who(session, "dispatcher"), rules=RULES, period=MARCH, by=Slice.DEPARTMENT
        )
    assert (found["mom"]["from"], found["mom"]["to"]) == ("2025-02-01", "2025-02-28")
    assert (found["yoy"]["from"], found["yoy"]["to"]) == ("2024-03-01", "2024-03-31")
    assert (found["total"]["due"], found["mom"]["total"]["due"], found["yoy"]["total"]["due"]) == (58, 20, 20)
    assert (found["mom"]["total"]["on_time_rate"], found["yoy"]["total"]["on_time_rate"]) == (0.5, 1.0)
    assert found["total"]["avg_handling_hours"] is not None and found["total"]["handled"] == 58


def test_an_unknown_scheme_is_refused_naming_it(month):
    from govgrid.domain.errors import InvalidInput

    with month() as session, pytest.raises(InvalidInput) as refused:
        ranking(
            session,
            actor=who(session, "dispatcher"),
            rules=RULES,
            period=MARCH,
            by=Slice.STREET,
            scheme_id="guess",
        )
    assert refused.value.field == "scheme" and "composite" in refused.value.message
