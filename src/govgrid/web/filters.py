"""List filters read from a query string once, for the API and the pages alike: the same names, the same
bounds, the same errors naming the parameter."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from govgrid.domain.case_filter import CaseFilter
from govgrid.domain.moments import read_date_text
from govgrid.domain.workflow import STATUS_LABEL, Status
from govgrid.domain.worktime import CHINA
from govgrid.services.audit import AuditFilter
from govgrid.services.ledger.views import LedgerFilter
from govgrid.web.forms import identifier, parse_choice


def ledger_filter(
    campaign_id: Annotated[str, Query(max_length=12, description="专项行动编号")] = "",
    unit_id: Annotated[str, Query(max_length=12, description="牵头或配合单位编号")] = "",
    light: Annotated[str, Query(max_length=8, description="预警颜色：red、yellow、green、blue")] = "",
    leader: Annotated[str, Query(max_length=64, description="责任领导（姓名）")] = "",
    tasks: Annotated[bool, Query(description="只看任务（末级事项，不含其上的措施和专项）")] = False,
) -> LedgerFilter:
    """The ledger's filter: the tree, its page and its exports choose rows the same way."""
    return LedgerFilter(
        campaign_id=identifier(campaign_id, "campaign_id"),
        unit_id=identifier(unit_id, "unit_id"),
        light=light,
        leader=leader,
        tasks_only=tasks,
    )


LedgerFilterDep = Annotated[LedgerFilter, Depends(ledger_filter)]


def case_filter(
    q: Annotated[str, Query(max_length=64, description="搜索：案件编号、标题、地址、报告人")] = "",
    status: Annotated[str, Query(max_length=16, description="状态")] = "",
    class_code: Annotated[str, Query(max_length=8, description="分类（E0102）或大类（E01）")] = "",
    area: Annotated[str, Query(max_length=15, description="街道、社区或网格代码")] = "",
    unit_id: Annotated[str, Query(max_length=12, description="责任单位编号")] = "",
    channel: Annotated[str, Query(max_length=24, description="来源渠道")] = "",
    overdue: Annotated[bool, Query(description="只看超期")] = False,
    open: Annotated[bool, Query(description="只看未办结")] = False,
    supervised: Annotated[bool, Query(description="只看催办、督办")] = False,
    reworked: Annotated[bool, Query(description="只看返工")] = False,
    reported_from: Annotated[
        str, Query(max_length=16, description="上报日期起（YYYY-MM-DD，北京时间）")
    ] = "",
    reported_to: Annotated[str, Query(max_length=16, description="上报日期止（含）")] = "",
    sort: Annotated[
        str,
        Query(max_length=16, description="排序：reported、due、closed、status、class、rework；前加 - 为倒序"),
    ] = "-reported",
    metric: Annotated[str, Query(max_length=24, description="钻取：指标，如 due（应结案）")] = "",
    without: Annotated[str, Query(max_length=24, description="钻取：不含该指标，如 closed_on_time")] = "",
    period_from: Annotated[str, Query(max_length=16, description="钻取期间起（YYYY-MM-DD）")] = "",
    period_to: Annotated[str, Query(max_length=16, description="钻取期间止（含）")] = "",
) -> CaseFilter:
    """The case list's filter: the API, the list page and its export choose cases the same way."""
    return CaseFilter(
        text=q,
        status=parse_choice(Status, status, "status", STATUS_LABEL),
        class_code=class_code,
        area_code=area,
        unit_id=identifier(unit_id, "unit_id"),
        channel=channel,
        overdue=overdue,
        open=open,
        supervised=supervised,
        reworked=reworked,
        reported_from=_day(reported_from, "reported_from"),
        reported_to=_day(reported_to, "reported_to"),
        sort=sort,
        metric=metric.strip(),
        without=without.strip(),
        period_from=_day(period_from, "period_from"),
        period_to=_day(period_to, "period_to"),
    )


def _day(text: str, field: str) -> date | None:
    return read_date_text(text, field).astimezone(CHINA).date() if text.strip() else None


CaseFilterDep = Annotated[CaseFilter, Depends(case_filter)]


def audit_filter(
    who: Annotated[str, Query(max_length=64, description="操作人（姓名或账号，部分即可）")] = "",
    action: Annotated[str, Query(max_length=64, description="操作，如 case.dispatch，或其类别 case")] = "",
    entity_type: Annotated[str, Query(max_length=32, description="对象类别：case、ledger_item、user …")] = "",
    entity_id: Annotated[str, Query(max_length=64, description="对象编号")] = "",
    day_from: Annotated[str, Query(max_length=16, description="日期起（北京时间）")] = "",
    day_to: Annotated[str, Query(max_length=16, description="日期止（含）")] = "",
) -> AuditFilter:
    return AuditFilter(
        who=who,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        day_from=_day(day_from, "day_from"),
        day_to=_day(day_to, "day_to"),
    )


AuditFilterDep = Annotated[AuditFilter, Depends(audit_filter)]
