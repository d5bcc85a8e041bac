"""Checking an imported ledger row by row with the rules a person's 交办 and 填报 go through: each row of
督办台账 becomes a NewItem checked by domain.ledger_items.check_item, each 进展记录 row a NewReport checked by
check_report (so a report on a measure is refused here as on the page), each 时间节点 by check_milestone.
What only a spreadsheet has — labels for codes, paths for parents, units by name — is read here first.
Every problem is named by sheet, row, column and value."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger import RUNG_LABEL, LedgerRules, Rung
from govgrid.domain.ledger_items import (
    PATH_SEP,
    ItemContext,
    NewItem,
    NewReport,
    Parent,
    ReportContext,
    check_item,
    check_report,
    inherit,
    weights_agree,
)
from govgrid.domain.ledger_schedule import check_milestone
from govgrid.domain.ledger_states import ItemKind, ItemStatus
from govgrid.domain.moments import day_end, day_start
from govgrid.excel import ledger_sheet as ls
from govgrid.excel.ledger_read import RowError, SheetRows
from govgrid.services.ledger.items import live_campaign_numbers, unit_directory

MAX_REPORTED = 500  # a file with 240,000 bad rows gets the first 500 named and the total counted
UNIT_SPLIT = re.compile(r"[、，,；;\s]+")
# a command's field → the sheet's column
COLUMN_OF = {
    "parent_id": "parent",
    "lead_unit_code": "lead_unit",
    "co_unit_codes": "co_units",
    "item_id": "path",
}


@dataclass
class PlannedItem:
    row: int
    path: str
    parent: str | None  # the parent's path
    data: NewItem
    status: ItemStatus
    rung: Rung | None


@dataclass
class Plan:
    items: list[PlannedItem] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(
        default_factory=list
    )  # row, path, report (NewReport), at, by, milestone
    milestones: list[dict[str, Any]] = field(default_factory=list)
    investment: list[dict[str, Any]] = field(default_factory=list)


class Checker:
    """One import's check: every problem found is counted; the first MAX_REPORTED are kept (one a cell)."""

    def __init__(self, session: Session, rules: LedgerRules, now: datetime, area_code: str) -> None:
        self.now = now
        self.area_code = area_code
        self.errors: list[RowError] = []
        self.count = 0
        self.seen: set[tuple[str, int, str]] = set()
        self.units = unit_directory(session, by_name=True)
        self.templates = {code: code for code in rules.templates} | {
            t.name: code for code, t in rules.templates.items()
        }
        self.existing = set(session.scalars(live_campaign_numbers()))

    def fail(self, sheet: ls.Sheet, row: int, key: str, value: object, message: str) -> None:
        key = COLUMN_OF.get(key, key)
        if (sheet.name, row, key) in self.seen:
            return  # one problem a cell: the first says what to fix
        self.seen.add((sheet.name, row, key))
        self.count += 1
        if len(self.errors) < MAX_REPORTED:
            header = next((c.header for c in sheet.columns if c.key == key), "")
            shown = "" if value is None else str(value)[:60]
            self.errors.append(RowError(sheet.name, row, header, shown, message))

    def add(self, errors: list[RowError]) -> None:
        self.count += len(errors)
        self.errors.extend(errors[: max(0, MAX_REPORTED - len(self.errors))])

    def cells(self, sheet: ls.Sheet, row: int, raw: dict[str, object]) -> tuple[dict[str, Any], bool]:
        """The row's values (a cell that cannot be read is None and reported); and whether all were read."""
        values: dict[str, Any] = {}
        start = self.count
        for column in sheet.columns:
            values[column.key] = None
            if column.key in raw:
                try:
                    values[column.key] = _checked(column, ls.read_cell(column, raw[column.key]))
                except InvalidInput as exc:
                    self.fail(sheet, row, column.key, raw[column.key], exc.message)
        for column in sheet.columns:
            optional = sheet is ls.ITEMS and column.key in ("lead_unit", "deadline_at")  # check_item decides
            if column.required and column.kind != "computed" and values[column.key] is None and not optional:
                self.fail(sheet, row, column.key, None, f"“{column.header}”不能为空")
        return values, self.count == start


def _checked(column: ls.Column, value: Any) -> Any:
    """Limits a cell must keep beyond its type: the column's length; no negative amounts or weights."""
    limit = ls.LENGTHS.get(column.key)
    if limit is not None and isinstance(value, str) and len(value) > limit:
        raise InvalidInput(f"超过 {limit} 个字符", field=column.header)
    if column.kind == "number" and isinstance(value, float) and value < 0 and column.key != "value_reached":
        raise InvalidInput("不能为负数", field=column.header)
    return value


def check_items(checker: Checker, rows: SheetRows, plan: Plan) -> dict[str, PlannedItem]:
    """Each row of 督办台账 as a checked item; path → item."""
    by_path: dict[str, PlannedItem] = {}
    for row, raw in rows.rows:
        start = checker.count
        values, _ = checker.cells(ls.ITEMS, row, raw)
        planned = _item(checker, row, values, by_path) if values["kind"] and values["number"] else None
        if planned is not None and checker.count == start:
            by_path[planned.path] = planned
            plan.items.append(planned)
    siblings: dict[str | None, list[PlannedItem]] = defaultdict(list)
    for planned in plan.items:
        siblings[planned.parent].append(planned)
    for group in siblings.values():
        if not weights_agree([p.data.weight for p in group]):
            for planned in (p for p in group if p.data.weight is None):
                checker.fail(
                    ls.ITEMS, planned.row, "weight", None, "同一上级下的事项要么都设权重，要么都不设"
                )
    return by_path


def _item(
    checker: Checker, row: int, v: dict[str, Any], by_path: dict[str, PlannedItem]
) -> PlannedItem | None:
    fail = lambda key, value, message: checker.fail(ls.ITEMS, row, key, value, message)  # noqa: E731
    codes = _codes(checker, row, v)
    if codes is None:
        return None
    kind, status, direction, rung = codes
    number, parent_path = v["number"], v["parent"] if kind != ItemKind.CAMPAIGN else None
    parent = by_path.get(parent_path) if parent_path else None
    if kind == ItemKind.CAMPAIGN and v["parent"]:
        fail("parent", v["parent"], "行动（台账）不能有上级序号")
    if parent_path and parent is None:
        fail("parent", parent_path, f"上级序号“{parent_path}”未在本表此行之前出现")
    path = f"{parent_path}{PATH_SEP}{number}" if parent_path else number
    if path in by_path:
        fail("number", number, f"序号“{path}”重复")
    data = inherit(_command(checker, row, v, kind, direction), _parent(parent), checker.now)
    context = ItemContext(
        area_code=checker.area_code,
        units=checker.units,
        templates=tuple(checker.templates.values()),
        parent=_parent(parent),
        campaign_numbers=checker.existing,
    )
    for problem in check_item(data, context):
        value = getattr(data, problem.field, None) if problem.field in NewItem.__dataclass_fields__ else None
        fail(
            problem.field,
            value if not isinstance(value, datetime) else value.date().isoformat(),
            problem.message,
        )
    return PlannedItem(row, path, parent_path, data, status, rung)


def _parent(parent: PlannedItem | None) -> Parent | None:
    if parent is None:
        return None
    data = parent.data
    return Parent(ItemKind(data.kind), parent.status, data.deadline_at, data.sla_code, data.source)


def _codes(
    checker: Checker, row: int, v: dict[str, Any]
) -> tuple[ItemKind, ItemStatus, str, Rung | None] | None:
    """The spreadsheet's labels as codes: 层级, 状态, 指标方向, 督办级别."""
    fail = lambda key, value, message: checker.fail(ls.ITEMS, row, key, value, message)  # noqa: E731
    try:
        kind = ItemKind(ls.label_to_code(ls.KIND_LABELS, v["kind"], field="层级", aliases=ls.KIND_ALIASES))
    except InvalidInput as exc:
        fail("kind", v["kind"], exc.message)
        return None
    chosen = {"target_direction": "increase", "status": ItemStatus.OPEN.value}
    for key, labels in (("target_direction", ls.DIRECTION_LABELS), ("status", ls.STATUS_LABELS)):
        if v[key]:
            try:
                chosen[key] = ls.label_to_code(labels, v[key], field=key)
            except InvalidInput as exc:
                fail(key, v[key], exc.message)
    rung = None
    if v["rung"]:
        rung = next((r for r, label in RUNG_LABEL.items() if v["rung"] in (label, r.value)), None)
        if rung is None:
            fail("rung", v["rung"], f"督办级别须为 {'、'.join(RUNG_LABEL.values())} 之一")
    return kind, ItemStatus(chosen["status"]), chosen["target_direction"], rung


def _command(checker: Checker, row: int, v: dict[str, Any], kind: ItemKind, direction: str) -> NewItem:
    """The row as the command a person's 交办 would give (units by name or code; the SLA by name or code)."""
    sla = v["sla_code"]
    if sla and sla in checker.templates:
        sla = checker.templates[sla]
    unit = ""
    if v["target_value"] is not None:
        try:
            unit = ls.target_unit(v["target_value"], v["target_unit"])
        except InvalidInput as exc:
            checker.fail(ls.ITEMS, row, "target_unit", v["target_unit"], exc.message)
        if not v["target_subject"]:
            checker.fail(ls.ITEMS, row, "target_subject", None, "有目标值时须写明指标名称")
    return NewItem(
        kind=kind.value,
        content=v["content"] or "",
        number=v["number"],
        source=v["source"] or "",
        lead_unit_code=v["lead_unit"] or None,
        co_unit_codes=tuple(name for name in UNIT_SPLIT.split(v["co_units"] or "") if name),
        leader=v["leader"] or "",
        officer=v["officer"] or "",
        ambassador=v["ambassador"] or "",
        assigned_at=day_start(v["assigned_at"]) if v["assigned_at"] else None,
        deadline_at=day_end(v["deadline_at"]) if v["deadline_at"] else None,
        consequence=v["consequence"] or "",
        weight=v["weight"],
        sla_code=sla or None,
        target_subject=v["target_subject"] or "",
        target_value=v["target_value"].value if v["target_value"] is not None else None,
        target_unit=unit or (v["target_unit"] or ""),
        target_baseline=v["target_baseline"] or 0.0,
        target_direction=direction,
        target_qualifier=v["target_qualifier"] or "",
    )


def check_children(
    checker: Checker, found: dict[str, SheetRows], by_path: dict[str, PlannedItem], plan: Plan
) -> None:
    """进展记录, 时间节点 and 投资计划: each row points at an item of 督办台账 by its path."""
    parents = {p.parent for p in plan.items if p.parent}
    labels: set[tuple[str, str]] = set()
    months: set[tuple[str, str]] = set()
    for sheet in (ls.MILESTONES, ls.REPORTS, ls.INVESTMENT):
        for row, raw in found[sheet.name].rows if sheet.name in found else []:
            values, ok = checker.cells(sheet, row, raw)
            if not ok:
                continue
            item = by_path.get(values["path"])
            if item is None:
                checker.fail(sheet, row, "path", values["path"], f"事项序号“{values['path']}”不在督办台账中")
            elif sheet is ls.MILESTONES:
                _milestone(checker, row, values, item, labels, plan)
            elif sheet is ls.REPORTS:
                _report(checker, row, values, item, item.path in parents, labels, plan)
            elif item.data.kind != ItemKind.PROJECT:
                checker.fail(sheet, row, "path", values["path"], "只有重点项目有投资计划")
            elif (values["path"], values["month"]) in months:
                checker.fail(sheet, row, "month", values["month"], "同一项目的月份重复")
            else:
                months.add((values["path"], values["month"]))
                plan.investment.append({"row": row, **values})


def _kind(
    checker: Checker, sheet: ls.Sheet, row: int, text: str | None, labels: dict[str, str]
) -> str | None:
    try:
        return ls.label_to_code(labels, text, field="类型") if text else next(iter(labels))
    except InvalidInput as exc:
        checker.fail(sheet, row, "kind", text, exc.message)
        return None


def _milestone(
    checker: Checker, row: int, v: dict[str, Any], item: PlannedItem, labels: set, plan: Plan
) -> None:
    kind = _kind(checker, ls.MILESTONES, row, v["kind"], ls.MILESTONE_KIND_LABELS)
    if kind is None:
        return
    if (v["path"], v["label"]) in labels:
        checker.fail(ls.MILESTONES, row, "label", v["label"], "同一事项的时间节点重名")
        return
    due = day_end(v["due_at"])
    problems = check_milestone(v["label"], kind, due, item.data.deadline_at)
    for key, message in problems:
        checker.fail(ls.MILESTONES, row, key, v.get(key if key != "due_at" else "due_at"), message)
    if not problems:
        labels.add((v["path"], v["label"]))
        plan.milestones.append({"row": row, **v, "kind": kind, "due_at": due})


def _report(
    checker: Checker,
    row: int,
    v: dict[str, Any],
    item: PlannedItem,
    has_children: bool,
    labels: set,
    plan: Plan,
) -> None:
    kind = _kind(checker, ls.REPORTS, row, v["kind"], ls.REPORT_KIND_LABELS)
    if kind is None:
        return
    if v["milestone"] and (v["path"], v["milestone"]) not in labels:
        checker.fail(ls.REPORTS, row, "milestone", v["milestone"], "时间节点不在“时间节点”表中")
        return
    report = NewReport(
        narrative=v["narrative"] or "",
        kind=kind,
        value_reached=v["value_reached"],
        problems=v["problems"] or "",
        next_steps=v["next_steps"] or "",
        funds_used=v["funds_used"],
    )
    context = ReportContext(
        item_kind=ItemKind(item.data.kind),
        item_status=ItemStatus.OPEN,  # the file's reports are the item's history, filed before its 销号
        has_children=has_children,
        reported_at=v["reported_at"],
        now=checker.now,
    )
    problems = check_report(report, context)
    for problem in problems:
        shown = (
            v["reported_at"].date().isoformat() if problem.field == "reported_at" else v.get(problem.field)
        )
        checker.fail(ls.REPORTS, row, problem.field, shown, problem.message)
    if not problems:
        plan.reports.append(
            {
                "row": row,
                "path": v["path"],
                "report": report,
                "at": v["reported_at"],
                "by": v["reported_by"],
                "milestone": v["milestone"],
            }
        )
