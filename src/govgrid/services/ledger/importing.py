"""Importing a ledger from .xlsx (or .csv) as offices keep it: a title row above the headers, merged cells,
blank rows, dates as text or Excel dates, numbers with 万/亿. Every row is read before anything is written;
one bad cell anywhere rejects the whole file with a report naming each sheet, row, column and value."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import (
    LedgerItem,
)
from govgrid.db.models import OrgUnit
from govgrid.domain import ledger_sheet as ls
from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger import RUNG_LABEL
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.domain.quantity import Quantity
from govgrid.services.ledger.import_write import write_staged
from govgrid.services.ledger.items import LedgerRules, serves
from govgrid.uploads.limits import SheetLimits
from govgrid.uploads.sheets import read_csv, read_xlsx

MAX_ROWS = SheetLimits().max_rows
MAX_BYTES = (
    SheetLimits().max_bytes
)  # callers read at most one byte more, so a larger file is refused, never cut
UNIT_SPLIT = re.compile(r"[、，,；;\s]+")


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int  # as Excel numbers it
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet} 第{self.row}行" + (f"“{self.column}”" if self.column else "")
        return f"{where}{('（' + self.value + '）') if self.value else ''}：{self.message}"


MAX_REPORTED = 500  # a file with 240,000 bad rows gets the first 500 named and the total counted


class LedgerRejected(InvalidInput):
    """The file was not imported: the reasons, row by row (the first MAX_REPORTED), and how many in all."""

    def __init__(self, errors: list[RowError], total: int | None = None) -> None:
        self.total = len(errors) if total is None else total
        shown = "；".join(str(e) for e in errors[:5]) + ("……" if self.total > 5 else "")
        super().__init__(f"台账未导入，共 {self.total} 处问题：{shown}", field="file")
        self.errors = errors[:MAX_REPORTED]


@dataclass
class ImportResult:
    campaigns: list[str]
    items: int
    reports: int
    milestones: int
    investment_months: int


@dataclass
class _Rows:
    """The cells of one sheet under its header row: (Excel row number, column key → raw value)."""

    sheet: ls.Sheet
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)


# ---------------------------------------------------------------- reading the file


def read_file(
    data: bytes, filename: str, limits: SheetLimits = SheetLimits()
) -> tuple[dict[str, _Rows], list[RowError]]:
    """Every sheet the ledger uses, under its header row; the file is checked within `limits` before any
    cell is read (uploads.sheets), and refused whole with the reason."""
    try:
        if filename.lower().endswith(".csv"):
            sheets = [read_csv(data, limits, ls.ITEMS.name)]
        elif not data.startswith(b"PK\x03\x04"):
            raise InvalidInput("不是 .xlsx 工作簿，也不是 .csv 文件", field="file")
        else:
            sheets = read_xlsx(data, limits)
    except InvalidInput as exc:
        raise LedgerRejected([RowError("文件", 0, "", filename[:60], exc.message)]) from None
    by_name = {sheet.name: sheet for sheet in sheets}
    found: dict[str, _Rows] = {}
    errors: list[RowError] = []
    for sheet in ls.SHEETS:
        grid = by_name.get(sheet.name)
        if grid is None and sheet is ls.ITEMS:
            if len(sheets) == 1:  # an office's single-sheet ledger under its own sheet name
                grid = sheets[0]
            else:
                errors.append(RowError(sheet.name, 0, "", "", f"工作簿中没有“{sheet.name}”工作表"))
        if grid is None:
            continue
        rows, problems = _under_header(sheet, grid.rows)
        found[sheet.name] = rows
        errors.extend(problems)
    return found, errors


def _under_header(sheet: ls.Sheet, grid: list[list[object]]) -> tuple[_Rows, list[RowError]]:
    best: tuple[int, dict[str, int], list[str]] | None = None
    for number, row in enumerate(grid[:10], start=1):
        columns, missing = ls.header_map(sheet, list(row))
        if best is None or len(columns) > len(best[1]):
            best = (number, columns, missing)
    if best is None or not best[1]:
        return _Rows(sheet), [
            RowError(sheet.name, 1, "", "", "找不到表头行（前 10 行中没有“序号”“工作内容”等列名）")
        ]
    header_row, columns, missing = best
    if missing:
        return _Rows(sheet), [
            RowError(sheet.name, header_row, name, "", f"缺少必填列“{name}”") for name in missing
        ]
    rows = _Rows(sheet)
    for number, row in enumerate(grid[header_row:], start=header_row + 1):
        cells = {key: row[pos] if pos < len(row) else None for key, pos in columns.items()}
        if all(ls.is_blank(v) for v in cells.values()):
            continue  # blank rows between groups are common
        rows.rows.append((number, cells))
    return rows, []


# ---------------------------------------------------------------- checking every row


@dataclass
class _Plan:
    items: list[dict[str, Any]] = field(default_factory=list)
    reports: list[dict[str, Any]] = field(default_factory=list)
    milestones: list[dict[str, Any]] = field(default_factory=list)
    investment: list[dict[str, Any]] = field(default_factory=list)


def _checked(column: ls.Column, value: Any) -> Any:
    """Limits a cell must keep beyond its type: the column's length; no negative amounts or weights."""
    limit = ls.LENGTHS.get(column.key)
    if limit is not None and isinstance(value, str) and len(value) > limit:
        raise InvalidInput(f"超过 {limit} 个字符", field=column.header)
    if column.kind == "number" and isinstance(value, float) and value < 0 and column.key != "value_reached":
        raise InvalidInput("不能为负数", field=column.header)
    return value


class _Checker:
    def __init__(self, session: Session, rules: LedgerRules, now: datetime, area_code: str) -> None:
        self.now = now
        self.area_code = area_code
        self.errors: list[RowError] = []
        self.count = 0  # every problem found; only the first MAX_REPORTED are kept
        self.unreadable: set[tuple[str, int, str]] = set()
        units = list(session.scalars(select(OrgUnit)))
        self.units = {u.code: u for u in units} | {u.name: u for u in units}
        self.templates = {code: code for code in rules.templates} | {
            t.name: code for code, t in rules.templates.items()
        }
        self.existing = set(
            session.scalars(
                select(LedgerItem.number).where(LedgerItem.parent_id.is_(None), LedgerItem.batch_id.is_(None))
            )
        )

    def fail(self, sheet: ls.Sheet, row: int, key: str, value: object, message: str) -> None:
        self.count += 1
        if len(self.errors) < MAX_REPORTED:
            header = next((c.header for c in sheet.columns if c.key == key), key)
            self.errors.append(
                RowError(sheet.name, row, header, "" if value is None else str(value)[:60], message)
            )

    def cells(self, sheet: ls.Sheet, row: int, raw: dict[str, object]) -> tuple[dict[str, Any], bool]:
        """The row's values (a cell that cannot be read is None and reported); and whether all were read."""
        values: dict[str, Any] = {}
        ok = True
        for column in sheet.columns:
            if column.key not in raw:
                values[column.key] = None
                continue
            try:
                values[column.key] = _checked(column, ls.read_cell(column, raw[column.key]))
            except InvalidInput as exc:
                self.fail(sheet, row, column.key, raw[column.key], exc.message)
                self.unreadable.add((sheet.name, row, column.key))
                values[column.key] = None
                ok = False
        for column in sheet.columns:
            if column.required and column.kind != "computed" and values.get(column.key) is None:
                if (sheet.name, row, column.key) in self.unreadable:
                    continue
                if sheet is ls.ITEMS and column.key in ("lead_unit", "deadline_at"):
                    continue  # required as columns; campaigns and measures may leave them empty
                self.fail(sheet, row, column.key, None, f"“{column.header}”不能为空")
                ok = False
        return values, ok

    def unit(self, row: int, key: str, name: str) -> OrgUnit | None:
        unit = self.units.get(name)
        if unit is None:
            self.fail(ls.ITEMS, row, key, name, f"单位“{name}”不在单位名录中")
        elif not serves(unit, self.area_code):
            self.fail(ls.ITEMS, row, key, name, f"单位“{name}”不在本台账的区域（{self.area_code}）内")
            return None
        return unit


def _check_items(checker: _Checker, rows: _Rows, plan: _Plan) -> dict[str, dict[str, Any]]:
    by_path: dict[str, dict[str, Any]] = {}
    for row, raw in rows.rows:
        start = checker.count
        values, ok = checker.cells(ls.ITEMS, row, raw)
        if values["kind"] is None or values["number"] is None:
            continue
        item = _item(checker, row, values, by_path)
        if item is not None and ok and checker.count == start:
            by_path[item["path"]] = item
            plan.items.append(item)
    siblings: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for item in plan.items:
        siblings[item["parent"]].append(item)
    for group in siblings.values():
        weighted = [i for i in group if i["weight"] is not None]
        if weighted and len(weighted) != len(group):
            for item in group:
                if item["weight"] is None:
                    checker.fail(
                        ls.ITEMS, item["row"], "weight", None, "同一上级下的事项要么都设权重，要么都不设"
                    )
    return by_path


def _item(
    checker: _Checker, row: int, v: dict[str, Any], by_path: dict[str, dict[str, Any]]
) -> dict[str, Any] | None:
    start = checker.count
    fail = lambda key, value, message: checker.fail(ls.ITEMS, row, key, value, message)  # noqa: E731
    number, parent = v["number"], v["parent"]
    if ls.PATH_SEP in number:
        fail("number", number, f"序号中不能含“{ls.PATH_SEP}”")
    try:
        kind = ls.label_to_code(ls.KIND_LABELS, v["kind"], field="层级", aliases=ls.KIND_ALIASES)
    except InvalidInput as exc:
        fail("kind", v["kind"], exc.message)
        return None
    if kind == "campaign":
        if parent:
            fail("parent", parent, "行动（台账）不能有上级序号")
        if number in checker.existing:
            fail("number", number, f"台账“{number}”已存在，不能重复导入")
        path = number
    else:
        if not parent:
            fail("parent", None, "措施、任务和项目须写明上级序号")
        elif parent not in by_path:
            fail("parent", parent, f"上级序号“{parent}”未在本表此行之前出现")
        path = f"{parent}{ls.PATH_SEP}{number}"
    if path in by_path:
        fail("number", number, f"序号“{path}”重复")
    if (
        kind in ("task", "project")
        and v["deadline_at"] is None
        and (ls.ITEMS.name, row, "deadline_at") not in checker.unreadable
    ):
        fail("deadline_at", None, "任务和项目须有完成时限")
    if (
        kind in ("task", "project")
        and not v["lead_unit"]
        and (ls.ITEMS.name, row, "lead_unit") not in checker.unreadable
    ):
        fail("lead_unit", None, "任务和项目须有牵头单位（否则无人能填报进展）")
    if v["weight"] is not None and v["weight"] <= 0:
        fail("weight", v["weight"], "权重须大于 0")
    lead = checker.unit(row, "lead_unit", v["lead_unit"]) if v["lead_unit"] else None
    co_units = [checker.unit(row, "co_units", name) for name in UNIT_SPLIT.split(v["co_units"] or "") if name]
    sla = None
    if v["sla_code"]:
        sla = checker.templates.get(v["sla_code"])
        if sla is None:
            fail(
                "sla_code",
                v["sla_code"],
                f"回应规则“{v['sla_code']}”不存在（可选：{'、'.join(checker.templates)}）",
            )
    target = _target(checker, row, v)
    codes = {"target_direction": (ls.DIRECTION_LABELS, "increase"), "status": (ls.STATUS_LABELS, "open")}
    chosen: dict[str, str] = {}
    for key, (labels, default) in codes.items():
        try:
            chosen[key] = ls.label_to_code(labels, v[key], field=key) if v[key] else default
        except InvalidInput as exc:
            fail(key, v[key], exc.message)
    rung = None
    if v["rung"]:
        rung = next((r.value for r, label in RUNG_LABEL.items() if v["rung"] in (label, r.value)), None)
        if rung is None:
            fail("rung", v["rung"], f"督办级别须为 {'、'.join(RUNG_LABEL.values())} 之一")
    assigned, deadline = v["assigned_at"], v["deadline_at"]
    if assigned and deadline and ls.day_end(deadline) <= ls.day_start(assigned):
        fail("deadline_at", deadline.date().isoformat(), "完成时限早于交办日期")
    if checker.count > start:
        return None
    return {
        "row": row,
        "path": path,
        "parent": parent if kind != "campaign" else None,
        "kind": kind,
        "number": number,
        "content": v["content"],
        "source": v["source"] or "",
        "lead_unit_id": lead.id if lead else None,
        "co_unit_ids": [u.id for u in co_units if u is not None],
        "leader": v["leader"] or "",
        "officer": v["officer"] or "",
        "ambassador": v["ambassador"] or "",
        "assigned_at": ls.day_start(assigned) if assigned else None,
        "deadline_at": ls.day_end(deadline) if deadline else None,
        "consequence": v["consequence"] or "",
        "weight": v["weight"],
        "sla_code": sla,
        "status": chosen["status"],
        "rung": rung,
        "direction": chosen["target_direction"],
        **target,
    }


def _target(checker: _Checker, row: int, v: dict[str, Any]) -> dict[str, Any]:
    value: Quantity | None = v["target_value"]
    if value is None:
        return {
            "target_subject": v["target_subject"] or "",
            "target_unit": v["target_unit"] or "",
            "target_value": None,
            "target_baseline": v["target_baseline"] or 0.0,
            "target_qualifier": v["target_qualifier"] or "",
        }
    unit = ""
    try:
        unit = ls.target_unit(value, v["target_unit"])
    except InvalidInput as exc:
        checker.fail(ls.ITEMS, row, "target_unit", v["target_unit"], exc.message)
    if not v["target_subject"]:
        checker.fail(ls.ITEMS, row, "target_subject", None, "有目标值时须写明指标名称")
    direction = v["target_direction"] or ls.DIRECTION_LABELS["increase"]
    decreasing = direction in ("decrease", ls.DIRECTION_LABELS["decrease"])
    baseline = v["target_baseline"] or 0.0
    if (baseline - value.value if decreasing else value.value - baseline) <= 0:
        checker.fail(
            ls.ITEMS,
            row,
            "target_value",
            value.value,
            f"目标值与基数 {baseline:g} 不构成{'下降' if decreasing else '增长'}（{'下降' if decreasing else '增长'}指标须写明基数）",
        )
    return {
        "target_subject": v["target_subject"] or "",
        "target_unit": unit,
        "target_value": value.value,
        "target_baseline": v["target_baseline"] or 0.0,
        "target_qualifier": v["target_qualifier"] or "",
    }


def _check_children(
    checker: _Checker, found: dict[str, _Rows], by_path: dict[str, dict[str, Any]], plan: _Plan
) -> None:
    milestones: set[tuple[str, str]] = set()
    months: set[tuple[str, str]] = set()
    for sheet, target, kinds in (
        (ls.MILESTONES, plan.milestones, ls.MILESTONE_KIND_LABELS),
        (ls.REPORTS, plan.reports, ls.REPORT_KIND_LABELS),
        (ls.INVESTMENT, plan.investment, None),
    ):
        for row, raw in found[sheet.name].rows if sheet.name in found else []:
            values, ok = checker.cells(sheet, row, raw)
            if not ok:
                continue
            if values["path"] not in by_path:
                checker.fail(sheet, row, "path", values["path"], f"事项序号“{values['path']}”不在督办台账中")
                continue
            if kinds is not None:
                try:
                    values["kind"] = (
                        ls.label_to_code(kinds, values["kind"], field="类型")
                        if values["kind"]
                        else next(iter(kinds))
                    )
                except InvalidInput as exc:
                    checker.fail(sheet, row, "kind", values["kind"], exc.message)
                    continue
            if sheet is ls.MILESTONES:
                if (values["path"], values["label"]) in milestones:
                    checker.fail(sheet, row, "label", values["label"], "同一事项的时间节点重名")
                    continue
                milestones.add((values["path"], values["label"]))
            if sheet is ls.INVESTMENT:
                if (values["path"], values["month"]) in months:
                    checker.fail(sheet, row, "month", values["month"], "同一项目的月份重复")
                    continue
                months.add((values["path"], values["month"]))
            if sheet is ls.REPORTS and values["reported_at"] > checker.now + timedelta(days=1):
                checker.fail(
                    sheet, row, "reported_at", values["reported_at"].date().isoformat(), "填报时间晚于今天"
                )
                continue
            if (
                sheet is ls.REPORTS
                and values["milestone"]
                and (values["path"], values["milestone"]) not in milestones
            ):
                checker.fail(sheet, row, "milestone", values["milestone"], "时间节点不在“时间节点”表中")
                continue
            if sheet is ls.INVESTMENT and by_path[values["path"]]["kind"] != "project":
                checker.fail(sheet, row, "path", values["path"], "只有重点项目有投资计划")
                continue
            target.append({"row": row, **values})


# ---------------------------------------------------------------- writing, all or nothing


def import_ledger(
    session: Session,
    *,
    actor: Actor,
    rules: LedgerRules,
    data: bytes,
    filename: str,
    area_code: str,
    now: datetime,
    progress: Callable[[str], None] = lambda _: None,
    limits: SheetLimits = SheetLimits(),
) -> ImportResult:
    """Read and check the whole file, then write it as a staged batch that goes live in one short step
    (services.ledger_import_write); LedgerRejected lists every problem. `progress` hears how far a long
    import has come."""
    authorize(actor, Action.MANAGE_LEDGER, area_code=area_code)
    found, errors = read_file(data, filename, limits)
    checker = _Checker(session, rules, now, area_code)
    checker.errors.extend(errors)
    checker.count += len(errors)
    plan = _Plan()
    progress(f"检查 {sum(len(rows.rows) for rows in found.values()):,} 行…")
    by_path = _check_items(checker, found[ls.ITEMS.name], plan) if ls.ITEMS.name in found else {}
    _check_children(checker, found, by_path, plan)
    if not plan.items and not checker.count:
        checker.errors.append(RowError(ls.ITEMS.name, 0, "", "", "表中没有任何事项"))
        checker.count += 1
    if checker.count:
        raise LedgerRejected(checker.errors, checker.count)
    written = write_staged(
        session,
        actor=actor,
        rules=rules,
        plan=plan,
        area_code=area_code,
        filename=filename,
        now=now,
        progress=progress,
    )
    return ImportResult(
        campaigns=[number for _, number in written.campaigns],
        items=written.items,
        reports=len(plan.reports),
        milestones=len(plan.milestones),
        investment_months=len(plan.investment),
    )
