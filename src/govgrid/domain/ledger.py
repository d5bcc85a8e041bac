"""Key-work supervision ledgers (督办台账): quantified targets, progress roll-up, 序时进度 and warning lights.

Pure rules; storage and services come on top. A parent's progress is the weighted sum of its children's
(a plain average when no weights are given), as in Decidim's accountability results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from govgrid.domain.errors import InvalidInput
from govgrid.domain.response_rules import ResponseTemplate
from govgrid.domain.worktime import WorkCalendar


class Direction(StrEnum):
    INCREASE = "increase"  # 新增、达到、建成: more is better
    DECREASE = "decrease"  # 压减、控制在以内: less is better


DIRECTION_LABEL = {Direction.INCREASE: "增长", Direction.DECREASE: "下降"}


@dataclass(frozen=True)
class Target:
    """A quantified target: subject, unit, baseline, target value, direction, qualifier (以上, 以内 …)."""

    subject: str
    unit: str
    value: float
    baseline: float = 0.0
    direction: Direction = Direction.INCREASE
    qualifier: str = ""

    def completion(self, reached: float) -> float:
        """Share of the target reached, 0..1 (a decrease target counts the way down from the baseline)."""
        span = (
            self.value - self.baseline if self.direction is Direction.INCREASE else self.baseline - self.value
        )
        if span <= 0:
            raise InvalidInput(f"指标“{self.subject}”的目标值与基数不构成{self._verb()}", field="target")
        return completion(
            reached, value=self.value, baseline=self.baseline, decreasing=self.direction is Direction.DECREASE
        )

    def _verb(self) -> str:
        return "增长" if self.direction is Direction.INCREASE else "下降"


def completion(reached: float, *, value: float, baseline: float, decreasing: bool) -> float:
    """Target.completion without building a Target (a recompute of 50,000 tasks); an impossible target
    (no span between baseline and value) counts as not started."""
    span = baseline - value if decreasing else value - baseline
    if span <= 0:
        return 0.0
    done = baseline - reached if decreasing else reached - baseline
    return min(max(done / span, 0.0), 1.0)


def rollup(children: Sequence[tuple[float, float | None]]) -> float:
    """A parent's progress from (progress, weight) of its children: weighted sum, or plain average when
    no child has a weight. Mixed weighted and unweighted children are refused (the sum would be ambiguous)."""
    if not children:
        return 0.0
    weights = [w for _, w in children]
    if all(w is None for w in weights):
        return sum(p for p, _ in children) / len(children)
    if any(w is None for w in weights):
        raise InvalidInput("同一上级下的任务要么都设权重，要么都不设", field="weight")
    total = sum(w for w in weights if w is not None)
    if total <= 0:
        raise InvalidInput("权重之和须大于 0", field="weight")
    return sum(p * (w or 0.0) for p, w in children) / total


def expected_progress(start: datetime, deadline: datetime, now: datetime) -> float:
    """序时进度: the share of the time window that has passed, 0..1."""
    if deadline <= start:
        return 1.0
    return min(max((now - start) / (deadline - start), 0.0), 1.0)


class Light(StrEnum):
    GREEN = "green"  # 正常
    BLUE = "blue"  # 临期
    YELLOW = "yellow"  # 滞后于序时进度，或未按回应规则回音
    RED = "red"  # 超期
    GREY = "grey"  # 已销号


LIGHT_LABEL = {
    Light.GREEN: "绿灯",
    Light.BLUE: "蓝灯",
    Light.YELLOW: "黄灯",
    Light.RED: "红灯",
    Light.GREY: "已销号",
}


@dataclass(frozen=True)
class LightThresholds:
    near_days: float = 7.0  # 蓝: the deadline is this close (calendar days)
    behind_by: float = 0.10  # 黄: progress behind 序时进度 by more than this share


def light(
    *,
    progress: float,
    start: datetime,
    deadline: datetime,
    now: datetime,
    is_closed: bool,
    missed_response: bool,
    thresholds: LightThresholds = LightThresholds(),
    next_milestone: datetime | None = None,
) -> Light:
    """The warning colour of a task. Red outranks yellow outranks blue; a closed task is grey. Blue when
    the deadline, or the next unmet 时间节点, is near."""
    if is_closed:
        return Light.GREY
    if progress >= 1.0:  # the target is reached: green until 销号 (a late answer stays in the history)
        return Light.GREEN
    if now > deadline:
        return Light.RED
    if missed_response or progress + thresholds.behind_by < expected_progress(start, deadline, now):
        return Light.YELLOW
    near = thresholds.near_days * 86400
    if progress < 1.0 and (
        (deadline - now).total_seconds() <= near
        or (next_milestone is not None and 0 <= (next_milestone - now).total_seconds() <= near)
    ):
        return Light.BLUE
    return Light.GREEN


class Rung(StrEnum):
    """The escalation ladder, in order."""

    REMIND = "remind"  # 提醒
    URGE = "urge"  # 催办
    SUPERVISE = "supervise"  # 督办
    BULLETIN = "bulletin"  # 通报
    INTERVIEW = "interview"  # 约谈
    ACCOUNTABILITY = "accountability"  # 问责


RUNG_LABEL = {
    Rung.REMIND: "提醒",
    Rung.URGE: "催办",
    Rung.SUPERVISE: "督办",
    Rung.BULLETIN: "通报",
    Rung.INTERVIEW: "约谈",
    Rung.ACCOUNTABILITY: "问责",
}
LADDER = list(Rung)


def next_rung(current: Rung | None) -> Rung | None:
    """The next step up the ladder (None past 问责)."""
    if current is None:
        return LADDER[0]
    index = LADDER.index(current)
    return LADDER[index + 1] if index + 1 < len(LADDER) else None


@dataclass(frozen=True)
class LadderPolicy:
    """How far the sweeper climbs by itself; 约谈 and 问责 are taken by supervisors, never automatically."""

    red_workdays_to_supervise: int = 3
    red_workdays_to_bulletin: int = 5


def due_rung(shown: Light, red_workdays: int, policy: LadderPolicy = LadderPolicy()) -> Rung | None:
    """The rung a task's light warrants: 黄 → 提醒; 红 → 催办, then 督办 and 通报 as red days pass."""
    if shown is Light.YELLOW:
        return Rung.REMIND
    if shown is not Light.RED:
        return None
    if red_workdays >= policy.red_workdays_to_bulletin:
        return Rung.BULLETIN
    if red_workdays >= policy.red_workdays_to_supervise:
        return Rung.SUPERVISE
    return Rung.URGE


def is_higher(rung: Rung, than: Rung | None) -> bool:
    return than is None or LADDER.index(rung) > LADDER.index(than)


@dataclass(frozen=True)
class LedgerRules:
    """What the ledger is run by, loaded once from the catalogues (catalog/ledger.py) and injected: the
    working calendar, the response rules (SLA templates), the light thresholds and the ladder's policy."""

    calendar: WorkCalendar
    templates: dict[str, ResponseTemplate]
    thresholds: LightThresholds = field(default_factory=LightThresholds)
    ladder: LadderPolicy = field(default_factory=LadderPolicy)
