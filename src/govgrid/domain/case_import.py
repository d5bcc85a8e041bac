"""A case from an incumbent system's sheet, as its history in this system's steps (issue 11).

Each row says where the case stands (当前状态) and when its steps happened (上报, 立案 or 受理, 派遣, 反馈,
结案, 返工次数). Its history here is laid out from those times through the loop's own steps — 上报 → 核实 →
立案 → 派遣 → 签收 → 反馈 → (返工 → 反馈) × n → 结案 for 数字城管, 受理 → 派单 → 签收 → 先行联系 → 反馈 →
回访 → 考评 for 12345 — and the old system's deadlines are kept as they were. Steps the sheet has no time
for (核实, 签收, 先行联系, 处置) are placed at the time of the step they go with and marked as filled in by the
import. Every problem names its column (the caller adds the sheet and row)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from govgrid.domain.errors import InvalidInput
from govgrid.domain.workflow import Loop, Step

FILLED_IN = "历史导入：原系统未记录此环节，按相邻环节时间补记"
MAX_REWORKS = 20


class OldStatus(StrEnum):
    """当前状态 as incumbent systems name it."""

    TO_REGISTER = "待立案"
    TO_DISPATCH = "待派遣"
    IN_HAND = "处置中"
    TO_CHECK = "待核查"
    CLOSED = "已结案"
    PARKED = "挂账"
    CANCELLED = "作废"


STATUS_ALIASES = {
    "已办结": "已结案",
    "办结": "已结案",
    "结案": "已结案",
    "已作废": "作废",
    "办理中": "处置中",
}
YES, NO = ("是", "已联系", "已解决", "1", "true", "y"), ("否", "未联系", "未解决", "0", "false", "n")
SATISFACTION = {"满意": "satisfied", "基本满意": "basically_satisfied", "不满意": "dissatisfied"}


@dataclass(frozen=True)
class OldCase:
    """One row, read and checked cell by cell (names resolved by the caller: class and unit codes)."""

    number: str
    loop: Loop
    status: OldStatus
    reported_at: datetime
    registered_at: datetime | None = None
    dispatched_at: datetime | None = None
    unit_code: str | None = None
    due_at: datetime | None = None
    extended_due_at: datetime | None = None
    fed_back_at: datetime | None = None
    closed_at: datetime | None = None
    reworks: int = 0
    callback: dict[str, object] | None = None


class By(StrEnum):
    """Who took a step in the old system: the center (立案, 派遣, 核查, 回访), or the unit handling it."""

    CENTER = "center"
    UNIT = "unit"


@dataclass(frozen=True)
class OldStep:
    step: Step
    at: datetime
    by: By
    filled_in: bool = False  # a step the sheet has no time for
    unit_code: str | None = None  # 派遣 to
    due_at: datetime | None = None  # 派遣: the old system's deadline
    answers: dict[str, object] | None = None  # 回访


@dataclass(frozen=True)
class OldExtension:
    """An extension the old system approved: the deadline it moved to (recorded at the dispatch)."""

    at: datetime
    until: datetime


def parse_status(text: str) -> OldStatus:
    value = STATUS_ALIASES.get(text.strip(), text.strip())
    try:
        return OldStatus(value)
    except ValueError:
        names = "、".join(s.value for s in OldStatus)
        raise InvalidInput(f"当前状态须为 {names} 之一", field="status") from None


def parse_callback(contacted: str, resolved: str, satisfaction: str) -> dict[str, object] | None:
    """回访联系, 回访解决, 满意度: all three or none."""
    given = [v.strip() for v in (contacted, resolved, satisfaction)]
    if not any(given):
        return None
    if not all(given):
        raise InvalidInput("回访联系、回访解决、满意度须同时填写", field="callback_contacted")
    answers: dict[str, object] = {}
    for key, text, field in (
        ("contacted", given[0], "callback_contacted"),
        ("resolved", given[1], "callback_resolved"),
    ):
        if text.lower() in YES:
            answers[key] = True
        elif text.lower() in NO:
            answers[key] = False
        else:
            raise InvalidInput("须填“是”或“否”", field=field)
    if given[2] not in SATISFACTION:
        raise InvalidInput("满意度须为 满意、基本满意、不满意 之一", field="satisfaction")
    answers["satisfaction"] = SATISFACTION[given[2]]
    return answers


def history_of(case: OldCase) -> list[OldStep | OldExtension]:
    """The case's steps after 上报 (or 受理), in time order; InvalidInput names the column at fault."""
    _check_order(case)
    if case.loop is Loop.HOTLINE:
        return _hotline(case)
    return _urban(case)


def _urban(case: OldCase) -> list[OldStep | OldExtension]:
    status, S = case.status, OldStatus
    if case.callback is not None:
        raise InvalidInput("回访仅用于 12345 工单", field="callback_contacted")
    _no_reworks_unless(case, status in (S.TO_CHECK, S.CLOSED) and case.dispatched_at is not None)
    if status is S.CANCELLED:
        return [OldStep(Step.CANCEL, _latest(case), By.CENTER)]
    registered = _need(case.registered_at, "registered_at", status) if status is not S.TO_REGISTER else None
    steps: list[OldStep | OldExtension] = [
        OldStep(Step.VERIFY, registered or case.reported_at, By.CENTER, filled_in=True)
    ]
    if status is S.TO_REGISTER:
        return steps
    assert registered is not None
    steps.append(OldStep(Step.REGISTER, registered, By.CENTER))
    if status is S.TO_DISPATCH:
        return steps
    if case.dispatched_at is None and status in (S.CLOSED, S.PARKED):
        closing = Step.FORCE_CLOSE if status is S.CLOSED else Step.PARK
        moment = _need(case.closed_at, "closed_at", status) if status is S.CLOSED else registered
        return [*steps, OldStep(closing, moment, By.CENTER)]
    steps += _dispatched(case, status)
    if status is S.PARKED:
        return [*steps, OldStep(Step.PARK, steps[-1].at, By.CENTER, filled_in=True)]
    if status is S.IN_HAND:
        return [*steps, OldStep(Step.HANDLE, steps[-1].at, By.UNIT, filled_in=True)]
    fed_back = case.fed_back_at or (case.closed_at if status is S.CLOSED else None)
    fed_back = _need(fed_back, "fed_back_at", status)
    steps.append(OldStep(Step.FEED_BACK, fed_back, By.UNIT))
    end = case.closed_at or fed_back
    span, parts = end - fed_back, 2 * case.reworks + 1
    for n in range(1, case.reworks + 1):
        steps.append(OldStep(Step.CHECK_FAIL, fed_back + span * (2 * n - 1) / parts, By.CENTER))
        steps.append(OldStep(Step.FEED_BACK, fed_back + span * (2 * n) / parts, By.UNIT))
    if status is S.CLOSED:
        steps.append(OldStep(Step.CHECK_PASS, end, By.CENTER))
    return steps


def _hotline(case: OldCase) -> list[OldStep | OldExtension]:
    status, S = case.status, OldStatus
    if status in (S.PARKED, S.CANCELLED):
        raise InvalidInput(f"12345 工单没有“{status.value}”状态", field="status")
    if case.reworks:
        raise InvalidInput("12345 工单的返工次数须为 0（重办按退单、重新派单记）", field="reworks")
    if status in (S.TO_REGISTER, S.TO_DISPATCH):
        return []
    steps = [*_dispatched(case, status)]
    steps.append(OldStep(Step.CONTACT, steps[-1].at, By.UNIT, filled_in=True))
    if status is S.IN_HAND:
        return [*steps, OldStep(Step.HANDLE, steps[-1].at, By.UNIT, filled_in=True)]
    fed_back = _need(case.fed_back_at or case.closed_at, "fed_back_at", status)
    steps.append(OldStep(Step.FEED_BACK, fed_back, By.UNIT))
    if case.callback is None:
        return steps
    called = max(case.closed_at or fed_back, fed_back)
    steps.append(OldStep(Step.CALL_BACK, called, By.CENTER, answers=case.callback))
    if status is S.CLOSED:
        steps.append(OldStep(Step.EVALUATE, called, By.CENTER, filled_in=True))
    return steps


def _dispatched(case: OldCase, status: OldStatus) -> list[OldStep | OldExtension]:
    """派遣 with its unit and deadline, 签收 with it, and the approved extension if there is one."""
    at = _need(case.dispatched_at, "dispatched_at", status)
    if not case.unit_code:
        raise InvalidInput(f"“{status.value}”的案件须有处置单位", field="unit")
    due = _need(case.due_at, "due_at", status)
    if due <= at:
        raise InvalidInput("处置时限须晚于派遣时间", field="due_at")
    steps: list[OldStep | OldExtension] = [
        OldStep(Step.DISPATCH, at, By.CENTER, unit_code=case.unit_code, due_at=due)
    ]
    if case.extended_due_at is not None:
        if case.extended_due_at <= due:
            raise InvalidInput("延期后时限须晚于处置时限", field="extended_due_at")
        steps.append(OldExtension(at, case.extended_due_at))
    steps.append(OldStep(Step.SIGN, at, By.UNIT, filled_in=True))
    return steps


def _need(moment: datetime | None, field: str, status: OldStatus) -> datetime:
    if moment is None:
        raise InvalidInput(f"“{status.value}”的案件须填此时间", field=field)
    return moment


def _no_reworks_unless(case: OldCase, allowed: bool) -> None:
    """返工 happens between a 反馈 and a 核查: only a case fed back (待核查, 已结案) after a 派遣 has them."""
    if case.reworks and not allowed:
        raise InvalidInput(f"“{case.status.value}”（无派遣与反馈）的案件不应有返工", field="reworks")


def _latest(case: OldCase) -> datetime:
    times = [case.reported_at, case.registered_at, case.closed_at]
    return max(t for t in times if t is not None)


ORDER = (
    ("reported_at", "registered_at"),
    ("registered_at", "dispatched_at"),
    ("reported_at", "dispatched_at"),
    ("dispatched_at", "fed_back_at"),
    ("fed_back_at", "closed_at"),
    ("dispatched_at", "closed_at"),
    ("registered_at", "closed_at"),
)


def _check_order(case: OldCase) -> None:
    """Each time at or after the one before it (an export with times out of order is refused)."""
    if not 0 <= case.reworks <= MAX_REWORKS:
        raise InvalidInput(f"返工次数须在 0–{MAX_REWORKS} 之间", field="reworks")
    for before, after in ORDER:
        first, then = getattr(case, before), getattr(case, after)
        if first is not None and then is not None and then < first:
            raise InvalidInput(f"早于{LABELS[before]}（{first:%Y-%m-%d %H:%M}）", field=after)


LABELS = {
    "reported_at": "上报时间",
    "registered_at": "立案时间",
    "dispatched_at": "派遣时间",
    "fed_back_at": "反馈时间",
    "closed_at": "结案时间",
}
