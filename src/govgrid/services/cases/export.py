"""Exporting a case list as filtered on screen (the same CaseFilter and permission as the list) to .xlsx or
.csv with Chinese headers and values, people and units by name, times in Beijing time. A list larger than
MAX_ROWS is refused naming its size — narrow the filter — never cut silently."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case
from govgrid.db.models import OrgUnit
from govgrid.domain.case_filter import CaseFilter
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.errors import InvalidInput
from govgrid.domain.permissions import Actor
from govgrid.domain.workflow import CLOSURE_LABEL, STATUS_LABEL, ClosureType, Status
from govgrid.domain.worktime import CHINA
from govgrid.excel.cells import append_inert, inert
from govgrid.services.cases.queries import matching, visible_cases

MAX_ROWS = 50_000
HEADERS = (
    "案件编号",
    "来源渠道",
    "问题分类",
    "标题",
    "地址",
    "单元网格",
    "当前状态",
    "责任单位",
    "上报时间",
    "处置时限",
    "结案时间",
    "结案类型",
    "返工次数",
    "超期",
)


def case_rows(
    session: Session, *, actor: Actor, rules: CaseRules, wanted: CaseFilter, channels: dict[str, str]
) -> list[list[object]]:
    """The rows of the list, newest first, as people read them."""
    query = select(Case).where(visible_cases(actor), *matching(wanted)).order_by(Case.id.desc())
    found = list(session.scalars(query.limit(MAX_ROWS + 1)))
    if len(found) > MAX_ROWS:
        raise InvalidInput(f"符合条件的案件超过 {MAX_ROWS} 件，请缩小筛选范围后再导出", field="q")
    units = {unit_id: name for unit_id, name in session.execute(select(OrgUnit.id, OrgUnit.name))}
    return [
        [
            case.code,
            channels.get(case.channel, case.channel),
            rules.classes[case.class_code].name if case.class_code in rules.classes else case.class_code,
            case.title,
            case.address,
            case.grid_code or "",
            STATUS_LABEL[Status(case.status)],
            units.get(case.unit_id, "") if case.unit_id else "",
            _local(case.reported_at),
            _local(case.due_at),
            _local(case.closed_at),
            CLOSURE_LABEL[ClosureType(case.closure_type)] if case.closure_type else "",
            case.rework_count,
            "是" if case.is_overdue or case.closure_type == ClosureType.OVERDUE else "",
        ]
        for case in found
    ]


def to_xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet: Any = book.active
    sheet.title = "案件"
    sheet.append(list(HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_inert(sheet, row)
    for column, width in zip(
        "ABCDEFGHIJKLMN", (16, 10, 14, 30, 30, 17, 9, 22, 17, 17, 17, 9, 8, 6), strict=True
    ):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(rows: list[list[object]]) -> bytes:
    """UTF-8 with BOM, so Excel on Windows opens it in Chinese."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADERS)
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
