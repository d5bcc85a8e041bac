"""The big screen's KPI tiles: today's intake, cases open and overdue now, and this month's 按期结案率,
结案率, 返工率 and the 12345 三率 — each with the link to the list behind it. Counted through the case
list's own filter (queries.conditions) and the assessment's metrics, in the caller's data scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlencode

from sqlalchemy.orm import Session

from govgrid.domain.assessment import Period
from govgrid.domain.case_filter import CaseFilter
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.permissions import Actor
from govgrid.domain.worktime import CHINA
from govgrid.services.assessment.metrics import Slice, metrics
from govgrid.services.cases import queries


@dataclass(frozen=True)
class Tile:
    key: str
    label: str
    value: int | float | None  # a count, or a rate as a fraction (None: nothing to divide by yet)
    is_rate: bool
    href: str  # the filtered list (or the drill-down) behind the number

    def shown(self) -> str:
        if self.value is None:
            return "—"
        return f"{self.value * 100:.2f}%" if self.is_rate else f"{int(self.value):,}"

    def as_json(self) -> dict[str, object]:
        return {
            "key": self.key,
            "label": self.label,
            "value": self.value,
            "shown": self.shown(),
            "href": self.href,
        }


RATES = (
    ("on_time_rate", "本月按期结案率", "due", "closed_on_time"),
    ("closure_rate", "本月结案率", "due", "closed"),
    ("rework_rate", "本月返工率", "reworked", ""),
    ("response_rate", "12345 响应率", "callbacks", ""),
    ("resolution_rate", "12345 解决率", "callbacks", ""),
    ("satisfaction_rate", "12345 满意率", "callbacks", ""),
)


def tiles(session: Session, *, actor: Actor, rules: CaseRules, now: datetime) -> list[Tile]:
    today = now.astimezone(CHINA).date()
    month = Period(today.replace(day=1), today)

    def count(wanted: CaseFilter) -> int:
        return queries.count_cases(session, actor=actor, wanted=wanted)

    found = [
        Tile(
            "intake",
            "今日受理",
            count(CaseFilter(reported_from=today, reported_to=today)),
            False,
            _list(reported_from=today, reported_to=today),
        ),
        Tile("open", "在办案件", count(CaseFilter(open=True)), False, _list(open="true")),
        Tile(
            "overdue",
            "超期未办结",
            count(CaseFilter(open=True, overdue=True)),
            False,
            _list(open="true", overdue="true"),
        ),
    ]
    total = metrics(session, actor=actor, rules=rules, period=month, by=Slice.DISTRICT, compare=False)[
        "total"
    ]
    for key, label, metric, without in RATES:
        found.append(Tile(key, label, total.get(key), True, _drill(month, metric, without)))
    return found


def _list(**wanted: object) -> str:
    return "/cases?" + urlencode({k: v.isoformat() if isinstance(v, date) else v for k, v in wanted.items()})


def _drill(period: Period, metric: str, without: str) -> str:
    """The cases counted in the rate's denominator (and, with `without`, not in its numerator)."""
    wanted = {"metric": metric, "period_from": period.first.isoformat(), "period_to": period.last.isoformat()}
    if without:
        wanted["without"] = without
    return "/cases?" + urlencode(wanted)
