"""Exporting the ledger as on screen (same filters) to .xlsx — the headers the importer reads, the warning
colours on each row, 上级序号 merged over siblings — or to .csv (the 督办台账 sheet, UTF-8 with BOM)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import LedgerInvestment, LedgerItem, LedgerMilestone, ProgressReport
from govgrid.db.models import OrgUnit
from govgrid.domain.ledger import LIGHT_LABEL, RUNG_LABEL, Light, Rung
from govgrid.domain.ledger_items import PATH_SEP
from govgrid.domain.ledger_states import ItemKind
from govgrid.domain.permissions import Actor
from govgrid.domain.worktime import CHINA
from govgrid.excel import ledger_sheet as ls
from govgrid.excel.cells import append_inert, inert
from govgrid.services.ledger.views import LedgerFilter, tree

LIGHT_FILL = {
    "red": "FFF5222D",
    "yellow": "FFFAAD14",
    "blue": "FF1677FF",
    "green": "FF52C41A",
    "grey": "FFBFBFBF",
}
HEADER_FILL = PatternFill("solid", fgColor="FFD9E1F2")


def _local(moment: datetime | None) -> datetime | None:
    """Excel has no time zones: local China time without tzinfo."""
    return moment.astimezone(CHINA).replace(tzinfo=None) if moment else None


def _rows(
    session: Session, actor: Actor, wanted: LedgerFilter
) -> tuple[list[LedgerItem], dict[int, str], list[int]]:
    """The items as on screen, their paths, and the ids the filter matched: an item shown only as the context
    of a matching one (a unit officer's measure above its tasks) carries no reports, milestones or
    investment into the export, exactly as its page shows none."""
    rows = tree(session, actor=actor, wanted=wanted, paging=None).rows
    shown = [row.item for row in rows]
    paths: dict[int, str] = {}
    for item in shown:  # depth first: a parent's path is known before its children's
        own = item.number or str(item.id)
        paths[item.id] = f"{paths[item.parent_id]}{PATH_SEP}{own}" if item.parent_id in paths else own
    return shown, paths, [row.item.id for row in rows if row.matched]


def item_values(item: LedgerItem, paths: dict[int, str], units: dict[int, str]) -> dict[str, object]:
    return {
        "number": item.number or str(item.id),
        "parent": paths.get(item.parent_id or 0, ""),
        "kind": ls.KIND_LABELS[item.kind],
        "content": item.content,
        "source": item.source,
        "target_subject": item.target_subject,
        "target_baseline": item.target_baseline if item.target_value is not None else None,
        "target_value": item.target_value,
        "target_unit": item.target_unit,
        "target_direction": ls.DIRECTION_LABELS[item.target_direction]
        if item.target_value is not None
        else "",
        "target_qualifier": item.target_qualifier,
        "lead_unit": units.get(item.lead_unit_id or 0, ""),
        "co_units": "、".join(units[u] for u in item.co_unit_ids if u in units),
        "leader": item.leader,
        "officer": item.officer,
        "ambassador": item.ambassador,
        "assigned_at": _local(item.assigned_at),
        "deadline_at": _local(item.deadline_at),
        "consequence": item.consequence,
        "weight": item.weight,
        "sla_code": item.sla_code or "",
        "status": ls.STATUS_LABELS[item.status],
        "rung": RUNG_LABEL[Rung(item.rung)] if item.rung else "",
        "progress": round(item.progress, 4),
        "light": LIGHT_LABEL[Light(item.light)],
    }


def export_xlsx(
    session: Session, *, actor: Actor, wanted: LedgerFilter, now: datetime, title: str = "督办台账"
) -> bytes:
    items, paths, matched = _rows(session, actor, wanted)
    units = {k: v for k, v in session.execute(select(OrgUnit.id, OrgUnit.name))}
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = ls.ITEMS.name
    columns = ls.ITEMS.columns
    sheet.append([f"{title}（导出时间 {now.astimezone(CHINA):%Y-%m-%d %H:%M}，共 {len(items)} 项）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet["A1"].font = Font(bold=True, size=14)
    _header(sheet, columns, 2)
    light_col = [c.key for c in columns].index("light") + 1
    for item in items:
        values = item_values(item, paths, units)
        row = append_inert(sheet, [values[c.key] for c in columns])
        sheet.cell(row, light_col).fill = PatternFill("solid", fgColor=LIGHT_FILL[item.light])
        if item.kind in (ItemKind.CAMPAIGN, ItemKind.MEASURE):
            for col in range(1, len(columns) + 1):
                sheet.cell(row, col).font = Font(bold=True)
    _formats(sheet, columns, first_row=3)
    _merge_runs(sheet, [c.key for c in columns].index("parent") + 1, first_row=3)
    _children(book, session, matched, paths)
    sheet.freeze_panes = "C3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _header(sheet: object, columns: Iterable[ls.Column], row: int) -> None:
    for col, column in enumerate(columns, start=1):
        cell = sheet.cell(row, col, column.header)  # type: ignore[attr-defined]
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(col)].width = column.width * 1.6  # type: ignore[attr-defined]


def _formats(sheet: object, columns: tuple[ls.Column, ...], first_row: int) -> None:
    formats = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "month": "@"}
    for col, column in enumerate(columns, start=1):
        number_format = "0.0%" if column.key == "progress" else formats.get(column.kind)
        if number_format is None:
            continue
        for row in range(first_row, sheet.max_row + 1):  # type: ignore[attr-defined]
            sheet.cell(row, col).number_format = number_format  # type: ignore[attr-defined]


def _merge_runs(sheet: object, col: int, first_row: int) -> None:
    """Merge runs of the same 上级序号 down the column, as offices lay out a measure's tasks."""
    start = first_row
    last = sheet.max_row  # type: ignore[attr-defined]
    for row in range(first_row + 1, last + 2):
        same = row <= last and sheet.cell(row, col).value == sheet.cell(start, col).value  # type: ignore[attr-defined]
        if same:
            continue
        if row - 1 > start and sheet.cell(start, col).value:  # type: ignore[attr-defined]
            sheet.merge_cells(start_row=start, start_column=col, end_row=row - 1, end_column=col)  # type: ignore[attr-defined]
            sheet.cell(start, col).alignment = Alignment(vertical="center")  # type: ignore[attr-defined]
        start = row


def _children(book: Workbook, session: Session, ids: list[int], paths: dict[int, str]) -> None:
    reports: list[ProgressReport] = []
    milestones: list[LedgerMilestone] = []
    investment: list[LedgerInvestment] = []
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        milestones += session.scalars(select(LedgerMilestone).where(LedgerMilestone.item_id.in_(chunk)))
        reports += session.scalars(select(ProgressReport).where(ProgressReport.item_id.in_(chunk)))
        investment += session.scalars(select(LedgerInvestment).where(LedgerInvestment.item_id.in_(chunk)))
    milestones.sort(key=lambda m: (ids.index(m.item_id), m.due_at, m.id)) if len(
        milestones
    ) < 5000 else milestones.sort(key=lambda m: m.id)
    labels = {m.id: m.label for m in milestones}
    reports.sort(key=lambda r: (r.item_id, r.reported_at, r.id))
    investment.sort(key=lambda i: (i.item_id, i.month))
    tables = (
        (
            ls.MILESTONES,
            [
                {
                    "path": paths[m.item_id],
                    "label": m.label,
                    "kind": ls.MILESTONE_KIND_LABELS[m.kind],
                    "due_at": _local(m.due_at),
                    "done_at": _local(m.done_at),
                }
                for m in milestones
            ],
        ),
        (
            ls.REPORTS,
            [
                {
                    "path": paths[r.item_id],
                    "reported_at": _local(r.reported_at),
                    "reported_by": r.reported_by,
                    "kind": ls.REPORT_KIND_LABELS.get(r.kind, r.kind),
                    "value_reached": r.value_reached,
                    "narrative": r.narrative,
                    "problems": r.problems,
                    "next_steps": r.next_steps,
                    "funds_used": r.funds_used,
                    "milestone": labels.get(r.milestone_id or 0, ""),
                }
                for r in reports
            ],
        ),
        (
            ls.INVESTMENT,
            [
                {"path": paths[i.item_id], "month": i.month, "planned": i.planned, "completed": i.completed}
                for i in investment
            ],
        ),
    )
    for spec, rows in tables:
        sheet = book.create_sheet(spec.name)
        _header(sheet, spec.columns, 1)
        for values in rows:
            append_inert(sheet, [values[c.key] for c in spec.columns])
        _formats(sheet, spec.columns, first_row=2)
        sheet.freeze_panes = "A2"


def export_csv(session: Session, *, actor: Actor, wanted: LedgerFilter) -> bytes:
    """The 督办台账 sheet as CSV (UTF-8 with BOM, so Excel on Windows opens it in Chinese)."""
    items, paths, _ = _rows(session, actor, wanted)
    units = {k: v for k, v in session.execute(select(OrgUnit.id, OrgUnit.name))}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header for c in ls.ITEMS.columns])
    for item in items:
        values = item_values(item, paths, units)
        writer.writerow(
            [
                inert(_text(values[c.key], c)) if c.kind in ("text", "computed") else _text(values[c.key], c)
                for c in ls.ITEMS.columns
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _text(value: object, column: ls.Column) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d}" if column.kind == "date" else f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, float):
        return f"{value:g}" if column.key != "progress" else f"{value:.4f}"
    return str(value)
