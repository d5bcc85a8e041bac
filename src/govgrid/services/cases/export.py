"""Exporting a case list as filtered on screen (the same CaseFilter and permission as the list) to .xlsx or
.csv. The columns are the Chinese headers of the case-history import (案件编号 … 满意度), so an export
imports back; a few columns for people follow them (街道, 社区, 单元网格, 结案类型, 超期), which an import
ignores. Times are Beijing time; units, streets and communities by name. A list larger than MAX_ROWS is
refused naming its size — narrow the filter — never cut silently."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case, CaseTransition
from govgrid.db.models import Area, OrgUnit
from govgrid.domain.case_filter import CaseFilter
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.errors import InvalidInput
from govgrid.domain.permissions import Actor
from govgrid.domain.workflow import (
    CLOSURE_LABEL,
    SATISFACTION,
    STATUS_LABEL,
    ClosureType,
    Decision,
    Status,
    Step,
)
from govgrid.domain.worktime import CHINA
from govgrid.excel.cells import append_inert, inert
from govgrid.services.cases.queries import conditions, ordering

MAX_ROWS = 50_000
HEADERS = (  # the import's, in its order
    "案件编号",
    "来源",
    "问题分类",
    "标题",
    "问题描述",
    "地址",
    "经度",
    "纬度",
    "坐标系",
    "上报时间",
    "立案时间",
    "派遣时间",
    "处置单位",
    "处置时限",
    "延期后时限",
    "反馈时间",
    "结案时间",
    "返工次数",
    "当前状态",
    "回访联系",
    "回访解决",
    "满意度",
)
EXTRA = ("分类名称", "街道", "社区", "单元网格", "结案类型", "超期")
WIDTHS = (
    16,
    10,
    9,
    30,
    40,
    30,
    11,
    11,
    7,
    17,
    17,
    17,
    22,
    17,
    17,
    17,
    17,
    8,
    9,
    8,
    8,
    9,
    14,
    12,
    14,
    17,
    9,
    6,
)
TIMES = {
    Step.REGISTER.value: "registered",
    Step.FEED_BACK.value: "fed_back",
    Step.CALL_BACK.value: "called_back",
}


def case_rows(
    session: Session, *, actor: Actor, rules: CaseRules, wanted: CaseFilter, channels: dict[str, str]
) -> list[list[object]]:
    """The rows of the list, newest first, as people read them."""
    query = select(Case).where(*conditions(session, actor, wanted, rules)).order_by(*ordering(wanted))
    found = list(session.scalars(query.limit(MAX_ROWS + 1)))
    if len(found) > MAX_ROWS:
        raise InvalidInput(f"符合条件的案件超过 {MAX_ROWS} 件，请缩小筛选范围后再导出", field="q")
    units = {unit_id: name for unit_id, name in session.execute(select(OrgUnit.id, OrgUnit.name))}
    areas = {
        code: name
        for code, name in session.execute(select(Area.code, Area.name).where(Area.level != "district"))
    }
    steps = _steps(session, [case.id for case in found])
    return [_row(case, rules, channels, units, areas, steps.get(case.id, {})) for case in found]


def _row(
    case: Case,
    rules: CaseRules,
    channels: dict[str, str],
    units: dict[int, str],
    areas: dict[str, str],
    steps: dict[str, Any],
) -> list[object]:
    callback = steps.get("callback") or {}
    grid = case.grid_code or ""
    extended = case.extension_until if case.extension_state == Decision.APPROVED else None
    return [
        case.code,
        channels.get(case.channel, case.channel),
        case.class_code,
        case.title,
        case.description,
        case.address,
        case.lng,
        case.lat,
        "gcj02" if case.lng is not None else "",
        _local(case.reported_at),
        _local(steps.get("registered") or (case.reported_at if case.loop == "hotline" else None)),
        _local(case.dispatched_at),
        units.get(case.unit_id, "") if case.unit_id else "",
        _local(case.due_at),
        _local(extended),
        _local(steps.get("fed_back")),
        _local(case.closed_at),
        case.rework_count,
        STATUS_LABEL[Status(case.status)],
        _yes_no(callback.get("contacted")),
        _yes_no(callback.get("resolved")),
        SATISFACTION.get(str(callback.get("satisfaction")), "") if callback else "",
        rules.classes[case.class_code].name if case.class_code in rules.classes else "",
        areas.get(grid[:9], ""),
        areas.get(grid[:12], ""),
        grid,
        CLOSURE_LABEL[ClosureType(case.closure_type)] if case.closure_type else "",
        "是" if case.is_overdue or case.closure_type == ClosureType.OVERDUE else "",
    ]


def _steps(session: Session, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """Per case: when it was registered and last fed back, and its callback answers — from its history."""
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), 5000):
        rows = session.execute(
            select(CaseTransition.case_id, CaseTransition.step, CaseTransition.at, CaseTransition.detail)
            .where(
                CaseTransition.case_id.in_(ids[start : start + 5000]), CaseTransition.step.in_(list(TIMES))
            )
            .order_by(CaseTransition.id)
        )
        for case_id, step, at, detail in rows:
            mine = found.setdefault(case_id, {})
            mine[TIMES[step]] = at
            if step == Step.CALL_BACK.value:
                mine["callback"] = (detail or {}).get("callback")
    return found


def _yes_no(value: object) -> str:
    return "" if value is None else ("是" if value else "否")


def to_xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet: Any = book.active
    sheet.title = "案件"
    sheet.append([*HEADERS, *EXTRA])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_inert(sheet, row)
    for number, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=number).column_letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(rows: list[list[object]]) -> bytes:
    """UTF-8 with BOM, so Excel on Windows opens it in Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*HEADERS, *EXTRA])
    for row in rows:
        writer.writerow([_text(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _local(moment: datetime | None) -> datetime | None:
    """Excel has no time zones: Beijing time without tzinfo."""
    return moment.astimezone(CHINA).replace(tzinfo=None) if moment else None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    return inert(str(value))
