"""Names of the rows in a case's history: loop steps, sweeper marks and side actions."""

from __future__ import annotations

from enum import StrEnum

from govgrid.domain.supervision import MARK_LABEL, Mark
from govgrid.domain.workflow import REPORT_LABEL, STEP_LABEL, Step


class SideAction(StrEnum):
    """Recorded on a case without changing its status."""

    EXTENSION_REQUEST = "extension_request"  # 申请延期
    EXTENSION_APPROVE = "extension_approve"  # 批准延期
    EXTENSION_REFUSE = "extension_refuse"  # 驳回延期
    SUPERVISE_BY_HAND = "supervise_by_hand"  # 督查督办
    APPEAL_REQUEST = "appeal_request"  # 申诉（请求剔单）
    APPEAL_REFUSE = "appeal_refuse"  # 驳回申诉
    RESCHEDULE = "reschedule"  # 重算期限 (a provisional deadline, once the year's notice is entered)
    INSTRUCT = "instruct"  # 领导批示


SIDE_LABEL = {
    SideAction.EXTENSION_REQUEST: "申请延期",
    SideAction.EXTENSION_APPROVE: "批准延期",
    SideAction.EXTENSION_REFUSE: "驳回延期",
    SideAction.SUPERVISE_BY_HAND: "督查督办",
    SideAction.APPEAL_REQUEST: "申诉",
    SideAction.APPEAL_REFUSE: "驳回申诉",
    SideAction.RESCHEDULE: "重算期限",
    SideAction.INSTRUCT: "领导批示",
}


def history_label(step: str) -> str:
    """The Chinese name of a history row: a loop step, a sweeper mark, a side action, or 上报."""
    for table, kind in ((STEP_LABEL, Step), (MARK_LABEL, Mark), (SIDE_LABEL, SideAction)):
        if step in {member.value for member in kind}:
            return table[kind(step)]  # type: ignore[index]
    return {"report": REPORT_LABEL, "photo": "上传照片"}.get(step, step)
