"""A ledger item's kinds, statuses and history, written once: the 销号 state machine as a transition table
(申请销号 → 批准 or 退回; 重新打开), the kinds of report a unit files, and every kind of event in an item's
append-only history, each with its Chinese label. Pure: services/ledger/closure.py applies the table with
a compare-and-set, services/ledger/events.py writes the history."""

from __future__ import annotations

from enum import StrEnum

from govgrid.domain.errors import Conflict


class ItemKind(StrEnum):
    CAMPAIGN = "campaign"  # 行动 (a ledger's root)
    MEASURE = "measure"  # 措施
    TASK = "task"  # 任务
    PROJECT = "project"  # 重点项目


KIND_LABEL = {
    ItemKind.CAMPAIGN: "行动",
    ItemKind.MEASURE: "措施",
    ItemKind.TASK: "任务",
    ItemKind.PROJECT: "项目",
}
WORK_KINDS = frozenset({ItemKind.TASK, ItemKind.PROJECT})  # the items a unit answers for: lead unit, deadline


class ItemStatus(StrEnum):
    OPEN = "open"  # 进行中
    CLOSING = "closing"  # 申请销号, waiting for a supervisor
    CLOSED = "closed"  # 已销号


STATUS_LABEL = {ItemStatus.OPEN: "进行中", ItemStatus.CLOSING: "申请销号", ItemStatus.CLOSED: "已销号"}


class ClosureStep(StrEnum):
    APPLY = "apply"  # 申请销号: the lead unit states what was achieved
    APPROVE = "approve"  # 批准销号: a supervisor agrees; the item turns grey
    REFUSE = "refuse"  # 退回: back to work
    REOPEN = "reopen"  # 重新打开: the problem came back


STEP_LABEL = {
    ClosureStep.APPLY: "申请销号",
    ClosureStep.APPROVE: "批准销号",
    ClosureStep.REFUSE: "退回",
    ClosureStep.REOPEN: "重新打开",
}
CLOSURE: dict[tuple[ItemStatus, ClosureStep], ItemStatus] = {
    (ItemStatus.OPEN, ClosureStep.APPLY): ItemStatus.CLOSING,
    (ItemStatus.CLOSING, ClosureStep.APPROVE): ItemStatus.CLOSED,
    (ItemStatus.CLOSING, ClosureStep.REFUSE): ItemStatus.OPEN,
    (ItemStatus.CLOSED, ClosureStep.REOPEN): ItemStatus.OPEN,
}
NOTE_REQUIRED = {ClosureStep.APPLY: "申请销号须说明完成情况", ClosureStep.REOPEN: "重新打开须说明原因"}


class IllegalClosure(Conflict):
    """A 销号 step that the item's status does not allow."""


def next_item_status(status: ItemStatus, step: ClosureStep) -> ItemStatus:
    """The status after a 销号 step, or IllegalClosure naming the steps the status allows."""
    try:
        return CLOSURE[(status, step)]
    except KeyError:
        allowed = [STEP_LABEL[s] for (st, s) in CLOSURE if st is status]
        raise IllegalClosure(
            f"“{STATUS_LABEL[status]}”的事项不能{STEP_LABEL[step]}"
            + (f"（可以：{'、'.join(allowed)}）" if allowed else ""),
            field="status",
        ) from None


def closure_steps(status: ItemStatus) -> list[ClosureStep]:
    """The 销号 steps an item's status allows."""
    return [step for (st, step) in CLOSURE if st is status]


class ReportKind(StrEnum):
    SIGN = "sign"  # 签收: the first answer (三天有回音)
    PROGRESS = "progress"  # 进展
    STAGED_RESULT = "staged_result"  # 阶段性成果 (七天有阶段性成果)
    PLAN = "plan"  # 工作计划
    RESOLVED = "resolved"  # 已解决
    RESOLVED_MAJOR = "resolved_major"  # 重大问题已解决


REPORT_LABEL = {
    ReportKind.SIGN: "签收",
    ReportKind.PROGRESS: "进展",
    ReportKind.STAGED_RESULT: "阶段性成果",
    ReportKind.PLAN: "工作计划",
    ReportKind.RESOLVED: "已解决",
    ReportKind.RESOLVED_MAJOR: "重大问题已解决",
}


class EventKind(StrEnum):
    """Every kind of row in an item's history (ledger_event.action)."""

    CREATE = "create"
    IMPORT = "import"
    REPORT = "report"
    EVIDENCE = "evidence"
    LIGHT = "light"
    RUNG = "rung"
    CLOSE_REQUEST = "close_request"
    CLOSE_APPROVE = "close_approve"
    CLOSE_REFUSE = "close_refuse"
    REOPEN = "reopen"
    MILESTONE = "milestone"
    SCHEDULE = "schedule"
    INVESTMENT = "investment"
    INSTRUCT = "instruct"


EVENT_LABEL = {
    EventKind.CREATE: "交办",
    EventKind.IMPORT: "导入",
    EventKind.REPORT: "填报进展",
    EventKind.EVIDENCE: "佐证材料",
    EventKind.LIGHT: "预警变化",
    EventKind.RUNG: "升级督办",
    EventKind.CLOSE_REQUEST: "申请销号",
    EventKind.CLOSE_APPROVE: "同意销号",
    EventKind.CLOSE_REFUSE: "不同意销号",
    EventKind.REOPEN: "重新打开",
    EventKind.MILESTONE: "时间节点",
    EventKind.SCHEDULE: "倒排工期",
    EventKind.INVESTMENT: "投资计划",
    EventKind.INSTRUCT: "领导批示",
}
CLOSURE_EVENT = {
    ClosureStep.APPLY: EventKind.CLOSE_REQUEST,
    ClosureStep.APPROVE: EventKind.CLOSE_APPROVE,
    ClosureStep.REFUSE: EventKind.CLOSE_REFUSE,
    ClosureStep.REOPEN: EventKind.REOPEN,
}
