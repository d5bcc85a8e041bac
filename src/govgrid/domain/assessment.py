"""考核指标 from the case history, never from hand-kept counters: what each case was at a period's end, and
the counts and rates of a period (DOMAIN.md §5; the definitions are issue 11's, the weights and statuses
catalog/assessment.yaml's).

- registered: the first 立案; a 12345 order is registered when accepted (受理, its first row).
- closed: the first 结案 (核查通过 or 强制结案); a 12345 order is closed by its 办结反馈, which this loop never
  sends back once given.
- deadline: the handling deadline in force at the period's end — set by the last 派遣/改派 (its row's
  `due_at`), moved by an approved 延期 or a recomputed provisional deadline, cleared by 退单.
- settle time: the earlier of the deadline and the close; a case settles once, so it is due once.
- left out: cancelled (作废) or removed (剔单) by the period's end; parked (挂账) then: not due in it.
- reported, dispatched, extended, supervised: a 上报, a 派遣, an approved 延期, a 督办 (the sweeper's or by
  hand) in the period, each case once; overdue: due and not closed by its deadline; handled: closed in the
  period after a 派遣, with the working hours from its first 派遣 to its close (平均处置时长).
Every time is compared in Beijing days; a period is [first day, last day], both included."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from govgrid.domain.workflow import Loop, Status, Step
from govgrid.domain.worktime import CHINA

SATISFIED, FAIRLY_SATISFIED = "satisfied", "basically_satisfied"  # the keys of workflow.SATISFACTION
COUNTS = (
    "reported",
    "registered",
    "dispatched",
    "due",
    "closed",
    "closed_on_time",
    "overdue",
    "reworked",
    "reworked_few",
    "reworked_thrice",
    "extended",
    "supervised",
    "handled",
    "callbacks",
    "contacted",
    "resolved",
    "satisfied",
)
SUPERVISION_STEPS = {"supervise", "supervise_by_hand"}  # the sweeper's 督办, and 督查督办 by hand
RATES = {  # key → (numerator, denominator)
    "closure_rate": ("closed", "due"),
    "on_time_rate": ("closed_on_time", "due"),
    "rework_rate": ("reworked", "registered"),
    "response_rate": ("contacted", "callbacks"),
    "resolution_rate": ("resolved", "callbacks"),
    "satisfaction_rate": ("satisfaction_points", "callbacks"),
}
LABELS = {
    "reported": "上报数",
    "registered": "立案数",
    "dispatched": "派遣数",
    "due": "应结案数",
    "closed": "结案数",
    "closed_on_time": "按期结案数",
    "overdue": "超期数",
    "reworked": "返工数",
    "reworked_few": "返工一至两次",
    "reworked_thrice": "返工三次及以上",
    "extended": "延期数",
    "supervised": "督办数",
    "handled": "处置完成数",
    "avg_handling_hours": "平均处置时长（工作小时）",
    "callbacks": "有效回访数",
    "contacted": "联系数",
    "resolved": "解决数",
    "satisfied": "满意及基本满意数",
    "closure_rate": "结案率",
    "on_time_rate": "按期结案率",
    "rework_rate": "返工率",
    "response_rate": "响应率",
    "resolution_rate": "解决率",
    "satisfaction_rate": "满意率",
}


@dataclass(frozen=True)
class Terms:
    """What the counts leave out and how 满意 is weighed (catalog/assessment.yaml, with their sources)."""

    fairly_weight: float  # 基本满意 counts as this share of 满意 in the 满意率
    left_out: frozenset[str]  # statuses that count nowhere (作废, 剔单)
    not_due: frozenset[str]  # statuses at the period's end that are not due in it (挂账)


@dataclass(frozen=True)
class Event:
    """One history row as the metrics read it."""

    at: datetime
    step: str
    to_status: str
    detail: dict


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, datetime.min.time(), CHINA)

    @property
    def end(self) -> datetime:
        """The first instant after the period (its last day included)."""
        return datetime.combine(self.last + timedelta(days=1), datetime.min.time(), CHINA)

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


@dataclass(frozen=True)
class Facts:
    """A case as it stood at a moment, read from its history up to then."""

    status: str | None
    registered_at: datetime | None
    closed_at: datetime | None
    deadline: datetime | None
    reworks: int
    unit_id: int | None  # the unit of its last 派遣
    callback: dict | None  # 回访 answers, if any
    reported_at: datetime | None = None
    first_dispatch_at: datetime | None = None
    marks: tuple[tuple[str, datetime], ...] = ()  # (派遣 | 延期 | 督办, when) — what happened when

    @property
    def settles_at(self) -> datetime | None:
        times = [t for t in (self.deadline, self.closed_at) if t is not None]
        return min(times) if times else None


def facts_at(loop: Loop, events: Iterable[Event], until: datetime) -> Facts:
    """What the case was just before `until`, from its history rows (in the order they were written)."""
    status = registered = closed = deadline = callback = reported = dispatched = held = None
    reworks = 0
    unit_id = None
    marks: list[tuple[str, datetime]] = []
    hotline = loop is Loop.HOTLINE
    for event in events:
        if event.at >= until:
            break
        step = event.step
        status = event.to_status
        if reported is None:
            reported = event.at
        if registered is None and (step == _REGISTER or (hotline and step == "report")):
            registered = event.at
        if hotline and status == _HELD:
            held = event.at  # a reply held for review: if it is let stand, it was answered then
        if closed is None and (status == _CLOSED or (hotline and status == _REPLIED)):
            closed = held if step == _RELEASE and held is not None else event.at
        if step in _DEADLINE_STEPS and "due_at" in event.detail:
            value = event.detail["due_at"]
            deadline = datetime.fromisoformat(value) if value else None
        if step == _DISPATCH:
            unit_id = event.detail.get("unit_id")
            dispatched = dispatched or event.at
            marks.append(("dispatched", event.at))
        elif step == "extension_approve":
            marks.append(("extended", event.at))
        elif step in SUPERVISION_STEPS:
            marks.append(("supervised", event.at))
        elif step == _CHECK_FAIL:
            reworks += 1
        elif step == _CALL_BACK and event.detail.get("callback"):
            callback = event.detail["callback"]
    return Facts(
        status, registered, closed, deadline, reworks, unit_id, callback, reported, dispatched, tuple(marks)
    )


_DEADLINE_STEPS = {Step.DISPATCH.value, Step.RETURN.value, "extension_approve", "reschedule"}
# the values read in facts_at's loop, once (an enum member's .value is a descriptor call)
_REGISTER, _DISPATCH, _CHECK_FAIL, _CALL_BACK = (
    Step.REGISTER.value,
    Step.DISPATCH.value,
    Step.CHECK_FAIL.value,
    Step.CALL_BACK.value,
)
_CLOSED, _REPLIED, _HELD = Status.CLOSED.value, Status.REPLIED.value, Status.REPLY_HELD.value
_RELEASE = Step.RELEASE_REPLY.value


def outcomes(
    facts: Facts,
    period: Period,
    terms: Terms,
    work_hours: Callable[[datetime, datetime], float] | None = None,
) -> dict[str, float]:
    """The case's share of each count in the period (0 or 1; 满意 points 1, the weight of 基本满意, or 0;
    `handling_hours` its working hours from first 派遣 to close, when `work_hours` is given)."""
    found: dict[str, float] = {}
    for key, day, since, value in dated_counts(facts, terms, work_hours):
        if period.first <= day <= period.last and (since is None or since < period.first):
            found[key] = found.get(key, 0) + value
    return found


def dated_counts(
    facts: Facts, terms: Terms, work_hours: Callable[[datetime, datetime], float] | None = None
) -> list[tuple[str, date, date | None, float]]:
    """Every count the case can give, with the Beijing day it falls on: (key, day, since, value). A period
    holding `day` counts it — a mark (派遣, 延期, 督办) only if the case's mark of that kind before it (`since`)
    falls before the period, so a case counts once however often it was marked. `outcomes` and the
    rollups (services.assessment.rollups) both read this one list."""
    if facts.status in terms.left_out:
        return []
    found: list[tuple[str, date, date | None, float]] = []
    if facts.reported_at is not None:
        found.append(("reported", local_day(facts.reported_at), None, 1))
    last_mark: dict[str, date] = {}
    for mark, moment in facts.marks:
        day = local_day(moment)
        found.append((mark, day, last_mark.get(mark), 1))
        last_mark[mark] = day
    if facts.registered_at is not None:
        day = local_day(facts.registered_at)
        found.append(("registered", day, None, 1))
        if facts.reworks:
            found.append(("reworked", day, None, 1))
            found.append(("reworked_thrice" if facts.reworks >= 3 else "reworked_few", day, None, 1))
        if facts.callback is not None:
            found.extend((key, day, None, value) for key, value in _callback(facts.callback, terms).items())
    settles = facts.settles_at
    if facts.status not in terms.not_due and settles is not None:
        day = local_day(settles)
        found.append(("due", day, None, 1))
        if facts.closed_at is not None:
            found.append(("closed", day, None, 1))
        on_time = facts.closed_at is not None and (
            facts.deadline is None or facts.closed_at <= facts.deadline
        )
        found.append(("closed_on_time" if on_time else "overdue", day, None, 1))
    if facts.first_dispatch_at is not None and facts.closed_at is not None:
        day = local_day(facts.closed_at)
        found.append(("handled", day, None, 1))
        if work_hours is not None:
            found.append(("handling_hours", day, None, work_hours(facts.first_dispatch_at, facts.closed_at)))
    return found


def local_day(moment: datetime) -> date:
    """The Beijing day of a moment: a period [first, last] holds it when first ≤ day ≤ last."""
    return moment.astimezone(CHINA).date()


def _callback(answers: dict, terms: Terms) -> dict[str, float]:
    weight = {SATISFIED: 1.0, FAIRLY_SATISFIED: terms.fairly_weight}.get(
        str(answers.get("satisfaction")), 0.0
    )
    return {
        "callbacks": 1,
        "contacted": 1 if answers.get("contacted") else 0,
        "resolved": 1 if answers.get("resolved") else 0,
        "satisfaction_points": weight,
        "satisfied": 1 if weight else 0,
    }


def totals(shares: Iterable[dict[str, float]]) -> dict[str, float]:
    summed: dict[str, float] = dict.fromkeys((*COUNTS, "satisfaction_points", "handling_hours"), 0)
    for share in shares:
        for key, value in share.items():
            summed[key] += value
    return summed


def with_rates(counts: dict[str, float]) -> dict[str, float | int | None]:
    """The counts (as integers), every rate (a fraction to 4 places) and the mean handling time (working
    hours to 2 places); None where nothing is counted."""
    result: dict[str, float | int | None] = {key: int(counts.get(key, 0)) for key in COUNTS}
    for key, (top, bottom) in RATES.items():
        denominator = counts.get(bottom, 0)
        # sums of weights like 0.9 differ in their last bits with the order they were added in (SQL or
        # Python): cut to 6 places first, so every path rounds the same number
        result[key] = round(round(counts.get(top, 0), 6) / round(denominator, 6), 4) if denominator else None
    handled = counts.get("handled", 0)
    result["avg_handling_hours"] = (
        round(round(counts.get("handling_hours", 0), 6) / handled, 2) if handled else None
    )
    return result


def matches(share: dict[str, float], metric: str, without: str = "") -> bool:
    """Whether a case counts in `metric` (and not in `without`): a drill-down from a figure to its cases."""
    return share.get(metric, 0) > 0 and not (without and share.get(without, 0) > 0)


MAX_PERIOD_DAYS = 366


def previous_period(period: Period) -> Period:
    """环比: the period just before — the months before for whole calendar months, else as many days."""
    first, last = period.first, period.last
    if first.day == 1 and (last + timedelta(days=1)).day == 1:
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        start = _add_months(first, -months)
        return Period(start, first - timedelta(days=1))
    days = (last - first).days + 1
    return Period(first - timedelta(days=days), first - timedelta(days=1))


def year_before(period: Period) -> Period:
    """同比: the same dates a year before (29 February becomes the 28th)."""
    return Period(_year_back(period.first), _year_back(period.last))


def _year_back(day: date) -> date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def parse_period(first: str, last: str) -> Period:
    """A period as people type it (YYYY-MM-DD, both days included), bounded; errors name from / to."""
    from govgrid.domain.errors import InvalidInput

    days = []
    for text, field in ((first, "from"), (last, "to")):
        try:
            days.append(date.fromisoformat(text.strip()))
        except ValueError:
            raise InvalidInput(f"日期“{text[:16]}”无效（YYYY-MM-DD）", field=field) from None
        if not 2000 <= days[-1].year <= 2099:
            raise InvalidInput(f"日期“{text[:16]}”不在 2000–2099 年之间", field=field)
    if days[0] > days[1]:
        raise InvalidInput("开始日期晚于结束日期", field="from")
    if (days[1] - days[0]).days > MAX_PERIOD_DAYS:
        raise InvalidInput(f"期间不超过 {MAX_PERIOD_DAYS} 天", field="to")
    return Period(days[0], days[1])


def events_of(rows: Sequence[tuple[datetime, str, str, dict | None]]) -> list[Event]:
    return [Event(at, step, to_status, detail or {}) for at, step, to_status, detail in rows]
