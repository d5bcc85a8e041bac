"""The two work-order loops as transition tables — the only place that says which step follows which.

数字城管 (7 steps, supervision separated from handling):
  上报 → 核实 → 立案 | 作废 → 派遣 → 签收 → 处置 → 反馈 → 核查 → 结案 | 返工
  branches: 回退 (back to the center) and 改派 (dispatch again), 挂账 (parked) and 解除挂账, 强制结案.
  延期 and 督办 do not move a case: they are recorded on it (see services) and in its history.
12345 (接诉即办):
  受理 → 派单 → 签收 → 先行联系 → 办理 → 反馈 → 回访 → 考评; 退单 returns an order to 受理; 剔单 removes
  a closed order from assessment after an approved appeal. A weak reply (答复质量) is held at 答复待审 for
  the supervisor: 答复放行 (with a reason) or 返工 (back to 办理)."""

from __future__ import annotations

from enum import StrEnum

from govgrid.domain.errors import Conflict


class Loop(StrEnum):
    URBAN = "urban"  # 数字城管
    HOTLINE = "hotline"  # 12345


class Status(StrEnum):
    # 数字城管
    REPORTED = "reported"
    VERIFIED = "verified"
    CANCELLED = "cancelled"
    REGISTERED = "registered"
    DISPATCHED = "dispatched"
    SIGNED = "signed"
    HANDLING = "handling"
    FED_BACK = "fed_back"
    PARKED = "parked"
    CLOSED = "closed"
    # 12345
    ACCEPTED = "accepted"
    ASSIGNED = "assigned"
    CONTACTED = "contacted"
    REPLIED = "replied"
    CALLED_BACK = "called_back"
    EVALUATED = "evaluated"
    EXCLUDED = "excluded"
    REPLY_HELD = "reply_held"  # 答复待审: a weak reply waits for the supervisor
    FORWARDED = "forwarded"  # 已转办: a city's 12345 order handed to a district, whose own case answers it


class Step(StrEnum):
    VERIFY = "verify"  # 核实
    REGISTER = "register"  # 立案
    CANCEL = "cancel"  # 作废
    DISPATCH = "dispatch"  # 派遣 / 派单 / 改派
    SIGN = "sign"  # 签收
    HANDLE = "handle"  # 处置 / 办理
    FEED_BACK = "feed_back"  # 反馈
    CHECK_PASS = "check_pass"  # 核查通过 → 结案
    CHECK_FAIL = "check_fail"  # 核查不通过 → 返工
    RETURN = "return"  # 回退 / 退单
    PARK = "park"  # 挂账
    UNPARK = "unpark"  # 解除挂账
    FORCE_CLOSE = "force_close"  # 强制结案 / 特殊结案
    CONTACT = "contact"  # 先行联系
    CALL_BACK = "call_back"  # 回访
    EVALUATE = "evaluate"  # 考评
    EXCLUDE = "exclude"  # 剔单
    RELEASE_REPLY = "release_reply"  # 答复放行: the supervisor lets a held reply stand, with a reason
    FORWARD = (
        "forward"  # 转办: the city's 12345 center hands its order to a district (services.cases.forwarding)
    )


STATUS_LABEL = {
    Status.REPORTED: "待核实",
    Status.VERIFIED: "待立案",
    Status.CANCELLED: "已作废",
    Status.REGISTERED: "待派遣",
    Status.DISPATCHED: "待签收",
    Status.SIGNED: "已签收",
    Status.HANDLING: "处置中",
    Status.FED_BACK: "待核查",
    Status.PARKED: "挂账",
    Status.CLOSED: "已结案",
    Status.ACCEPTED: "已受理",
    Status.ASSIGNED: "已派单",
    Status.CONTACTED: "已联系",
    Status.REPLIED: "已反馈",
    Status.CALLED_BACK: "已回访",
    Status.EVALUATED: "已考评",
    Status.EXCLUDED: "已剔除",
    Status.REPLY_HELD: "答复待审",
    Status.FORWARDED: "已转办区县",
}
STEP_LABEL = {
    Step.VERIFY: "核实",
    Step.REGISTER: "立案",
    Step.CANCEL: "作废",
    Step.DISPATCH: "派遣",
    Step.SIGN: "签收",
    Step.HANDLE: "处置",
    Step.FEED_BACK: "反馈",
    Step.CHECK_PASS: "核查通过",
    Step.CHECK_FAIL: "返工",
    Step.RETURN: "回退",
    Step.PARK: "挂账",
    Step.UNPARK: "解除挂账",
    Step.FORCE_CLOSE: "强制结案",
    Step.CONTACT: "先行联系",
    Step.CALL_BACK: "回访",
    Step.EVALUATE: "考评",
    Step.EXCLUDE: "剔单",
    Step.RELEASE_REPLY: "答复放行",
    Step.FORWARD: "转办区县",
}


class ClosureType(StrEnum):
    """How a case was closed (结案类型): counted differently by the assessment."""

    NORMAL = "normal"  # 按期结案
    OVERDUE = "overdue"  # 超期结案
    SPECIAL = "special"  # 特殊结案 (强制结案, the default)
    ERROR = "error"  # 差错结案 (强制结案: the case should not have been registered)


FORCED_CLOSURES = frozenset({ClosureType.SPECIAL, ClosureType.ERROR})
CLOSURE_LABEL = {
    ClosureType.NORMAL: "正常",
    ClosureType.OVERDUE: "超时",
    ClosureType.ERROR: "差错",
    ClosureType.SPECIAL: "特殊",
}
REPORT_LABEL = "上报"

U, H, S, A = Loop.URBAN, Loop.HOTLINE, Status, Step
TRANSITIONS: dict[tuple[Loop, Status, Step], Status] = {
    (U, S.REPORTED, A.VERIFY): S.VERIFIED,
    (U, S.REPORTED, A.CANCEL): S.CANCELLED,
    (U, S.VERIFIED, A.REGISTER): S.REGISTERED,
    (U, S.VERIFIED, A.CANCEL): S.CANCELLED,
    (U, S.REGISTERED, A.DISPATCH): S.DISPATCHED,
    (U, S.DISPATCHED, A.SIGN): S.SIGNED,
    (U, S.DISPATCHED, A.RETURN): S.REGISTERED,
    (U, S.SIGNED, A.HANDLE): S.HANDLING,
    (U, S.SIGNED, A.RETURN): S.REGISTERED,
    (U, S.SIGNED, A.FEED_BACK): S.FED_BACK,
    (U, S.HANDLING, A.FEED_BACK): S.FED_BACK,
    (U, S.FED_BACK, A.CHECK_PASS): S.CLOSED,
    (U, S.FED_BACK, A.CHECK_FAIL): S.HANDLING,
    (U, S.REGISTERED, A.PARK): S.PARKED,
    (U, S.SIGNED, A.PARK): S.PARKED,
    (U, S.HANDLING, A.PARK): S.PARKED,
    (U, S.PARKED, A.UNPARK): S.REGISTERED,
    **{
        (U, s, A.FORCE_CLOSE): S.CLOSED
        for s in (S.REGISTERED, S.DISPATCHED, S.SIGNED, S.HANDLING, S.FED_BACK, S.PARKED)
    },
    (H, S.ACCEPTED, A.DISPATCH): S.ASSIGNED,
    (H, S.ASSIGNED, A.SIGN): S.SIGNED,
    (H, S.ASSIGNED, A.RETURN): S.ACCEPTED,
    (H, S.SIGNED, A.RETURN): S.ACCEPTED,
    (H, S.SIGNED, A.CONTACT): S.CONTACTED,
    (H, S.CONTACTED, A.HANDLE): S.HANDLING,
    (H, S.CONTACTED, A.FEED_BACK): S.REPLIED,
    (H, S.HANDLING, A.FEED_BACK): S.REPLIED,
    (H, S.REPLIED, A.CALL_BACK): S.CALLED_BACK,
    (H, S.CALLED_BACK, A.EVALUATE): S.EVALUATED,
    (H, S.EVALUATED, A.EXCLUDE): S.EXCLUDED,
    (H, S.REPLY_HELD, A.RELEASE_REPLY): S.REPLIED,
    (H, S.REPLY_HELD, A.CHECK_FAIL): S.HANDLING,
    # a city's order: handed to a district, answered when the district's own case is (their reply comes up)
    (H, S.ACCEPTED, A.FORWARD): S.FORWARDED,
    (H, S.FORWARDED, A.FEED_BACK): S.REPLIED,
}
# Where a step lands instead when what it carries is held for review: a 12345 反馈 whose reply the scorer
# finds weak (services.cases.reply_review) waits at 答复待审 rather than counting as answered.
HELD: dict[tuple[Loop, Step], Status] = {(H, A.FEED_BACK): S.REPLY_HELD}
START = {Loop.URBAN: Status.REPORTED, Loop.HOTLINE: Status.ACCEPTED}
FINAL = frozenset({Status.CANCELLED, Status.CLOSED, Status.EVALUATED, Status.EXCLUDED})
OPEN = frozenset(Status) - FINAL  # 未办结: named by value in queries, so an index on status serves them
# with a unit, its clock running: 延期 may be asked for
IN_HAND = frozenset({Status.DISPATCHED, Status.SIGNED, Status.HANDLING, Status.ASSIGNED, Status.CONTACTED})
CLOCK_STARTS = frozenset({Step.DISPATCH})  # 派遣: the handling clock starts here (and again on 改派)


class IllegalTransition(Conflict):
    """This step is not allowed from the case's current status."""


def next_status(loop: Loop, status: Status, step: Step, *, held: bool = False) -> Status:
    """The status after `step` (its HELD status when what it carries is held for review), or
    IllegalTransition naming the status and the step in Chinese."""
    try:
        after = TRANSITIONS[(loop, status, step)]
    except KeyError:
        allowed = "、".join(STEP_LABEL[s] for s in allowed_steps(loop, status)) or "无（已办结）"
        raise IllegalTransition(
            f"案件当前为“{STATUS_LABEL[status]}”，不能“{STEP_LABEL[step]}”；可执行：{allowed}", field="step"
        ) from None
    return HELD.get((loop, step), after) if held else after


def allowed_steps(loop: Loop, status: Status) -> list[Step]:
    return [step for (lp, st, step) in TRANSITIONS if lp is loop and st is status]


SATISFACTION = {"satisfied": "满意", "basically_satisfied": "基本满意", "dissatisfied": "不满意"}


def callback_answers(contacted: object, resolved: object, satisfaction: object) -> dict[str, object]:
    """回访 answers (已联系/未联系, 已解决/未解决, 满意/基本满意/不满意), checked, for the 三率."""
    from govgrid.domain.errors import InvalidInput

    if not isinstance(contacted, bool):
        raise InvalidInput("回访须回答是否已联系（contacted: true/false）", field="contacted")
    if not isinstance(resolved, bool):
        raise InvalidInput("回访须回答是否已解决（resolved: true/false）", field="resolved")
    if satisfaction not in SATISFACTION:
        raise InvalidInput(f"满意度须为 {'、'.join(SATISFACTION)} 之一", field="satisfaction")
    return {"contacted": contacted, "resolved": resolved, "satisfaction": satisfaction}


class Decision(StrEnum):
    """Where a request beside the loop stands (延期, 申诉)."""

    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"


# Steps that end or stop a case outside the normal loop (the pages ask twice and show them apart) …
GRAVE = frozenset({Step.CANCEL, Step.FORCE_CLOSE, Step.PARK, Step.EXCLUDE})
# … and the steps that send work back (退单, 核查不通过): each needs its reason written down.
REASON_REQUIRED = GRAVE | {Step.RETURN, Step.CHECK_FAIL, Step.RELEASE_REPLY}


def check_reason(step: Step, note: str) -> None:
    """作废, 强制结案, 挂账, 剔单, 退单, 核查不通过 and 答复放行 are refused without a reason (the note)."""
    from govgrid.domain.errors import InvalidInput

    if step in REASON_REQUIRED and not note.strip():
        raise InvalidInput(f"“{STEP_LABEL[step]}”须写明理由", field="note")
