"""A month of cases with known outcomes, entered live through the transition table, gives the metrics and
their split by department as counted by hand; the API answers the same, within the caller's scope; and
the case list drills from a figure (应结案 but not 按期) to exactly the cases behind it."""

from datetime import date, datetime

from sqlalchemy import select

from govgrid.db.models import OrgUnit
from govgrid.domain.assessment import Period
from govgrid.domain.workflow import Step
from govgrid.domain.worktime import CHINA
from govgrid.services.assessment.metrics import Slice, metrics
from tests.services.cases.test_cases import RULES, patrol, step, who

MAY = Period(date(2025, 5, 1), date(2025, 5, 31))


def at(day, hour=9, minute=0):
    return datetime(2025, 5, day, hour, minute, tzinfo=CHINA)


def dispatched(session, district, day, unit="LX-CGJ"):
    case = patrol(session, district, when=at(day, 8, 30))
    for action in (Step.VERIFY, Step.REGISTER):
        case = step(session, "dispatcher", case, action, at(day, 8, 40))
    return step(session, "dispatcher", case, Step.DISPATCH, at(day, 9), unit_code=unit)


def handled(session, case, day, hour, minute=0, officer="dept_officer"):
    step(session, officer, case, Step.SIGN, at(day, hour, minute))
    return step(session, officer, case, Step.FEED_BACK, at(day, hour, minute + 5))


def build_may_cases(district_sessions, district):  # type: ignore[no-untyped-def]
    with district_sessions() as session:
        on_time = dispatched(session, district, 6)
        handled(session, on_time, 6, 9, 20)
        step(session, "dispatcher", on_time, Step.CHECK_PASS, at(6, 9, 40))
        late = dispatched(session, district, 7)
        handled(session, late, 12, 9)
        step(session, "dispatcher", late, Step.CHECK_PASS, at(12, 10))
        reworked = dispatched(session, district, 8)
        handled(session, reworked, 8, 9, 10)
        step(session, "dispatcher", reworked, Step.CHECK_FAIL, at(8, 9, 30), note="仍有残留")
        step(session, "dept_officer", reworked, Step.FEED_BACK, at(8, 9, 40))
        step(session, "dispatcher", reworked, Step.CHECK_PASS, at(8, 9, 50))
        still_open = dispatched(session, district, 12)
        cancelled = patrol(session, district, when=at(13))
        step(session, "dispatcher", cancelled, Step.CANCEL, at(13, 10), note="重复上报")
        water = dispatched(session, district, 14, unit="LX-SW")
        handled(session, water, 14, 9, 30, officer="water_officer")
        step(session, "dispatcher", water, Step.CHECK_PASS, at(14, 10))
        return {
            "on_time": on_time.id,
            "late": late.id,
            "reworked": reworked.id,
            "open": still_open.id,
            "cancelled": cancelled.id,
            "water": water.id,
        }


def test_a_month_of_known_cases_gives_the_metrics_counted_by_hand(session, may_cases):
    found = metrics(session, actor=who(session, "dispatcher"), rules=RULES, period=MAY, by=Slice.DEPARTMENT)
    total = found["total"]
    assert (
        total["registered"],
        total["due"],
        total["closed"],
        total["closed_on_time"],
        total["reworked"],
    ) == (
        5,
        5,
        4,
        3,
        1,
    )
    assert (total["closure_rate"], total["on_time_rate"], total["rework_rate"]) == (0.8, 0.6, 0.2)
    assert total["satisfaction_rate"] is None  # no 12345 callbacks: no rate
    units = {u.id: u.code for u in session.scalars(select(OrgUnit))}
    rows = {units[int(r["code"])]: r for r in found["rows"] if r["code"]}
    assert (rows["LX-CGJ"]["due"], rows["LX-CGJ"]["closed_on_time"], rows["LX-CGJ"]["on_time_rate"]) == (
        4,
        2,
        0.5,
    )
    assert rows["LX-CGJ"]["name"] == session.scalar(select(OrgUnit.name).where(OrgUnit.code == "LX-CGJ"))
    assert (rows["LX-SW"]["due"], rows["LX-SW"]["on_time_rate"]) == (1, 1.0)
    assert sum(r["due"] for r in found["rows"]) == total["due"]  # the total is the rows' sum


def test_the_api_answers_the_same_and_each_caller_counts_only_its_scope(as_user, may_cases):
    answer = as_user("dispatcher").get("/api/v1/assessment/metrics?from=2025-05-01&to=2025-05-31&by=street")
    assert answer.status_code == 200, answer.text
    assert answer.json()["total"]["due"] == 5 and answer.json()["rows"][0]["name"] == "第1街道"
    water = as_user("water_officer").get("/api/v1/assessment/metrics?from=2025-05-01&to=2025-05-31").json()
    assert water["total"]["due"] == 1  # a department counts its own cases only
    assert (
        as_user("other_street_officer")
        .get("/api/v1/assessment/metrics?from=2025-05-01&to=2025-05-31")
        .json()["total"]["due"]
        == 0
    )
    assert (
        as_user("citizen").get("/api/v1/assessment/metrics?from=2025-05-01&to=2025-05-31").status_code == 403
    )
    refused = as_user("dispatcher").get("/api/v1/assessment/metrics?from=2025-05-31&to=2025-05-01")
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "from"


def test_the_case_list_drills_from_a_figure_to_the_cases_behind_it(as_user, may_cases):
    dispatcher = as_user("dispatcher")
    drill = "period_from=2025-05-01&period_to=2025-05-31&page_size=500"
    late = dispatcher.get(f"/api/v1/cases?metric=due&without=closed_on_time&{drill}").json()["items"]
    assert {c["id"] for c in late} == {may_cases["late"], may_cases["open"]}
    reworked = dispatcher.get(f"/api/v1/cases?metric=reworked&{drill}").json()["items"]
    assert {c["id"] for c in reworked} == {may_cases["reworked"]}
    page = dispatcher.get(f"/cases?metric=due&without=closed_on_time&{drill}")
    assert page.status_code == 200 and str(may_cases["late"]) in page.text
    bad = dispatcher.get("/api/v1/cases?metric=due")
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "period_from"
