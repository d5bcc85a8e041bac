"""Importing a ledger from .xlsx (or .csv) as offices keep it: a title row above the headers, merged cells,
blank rows, dates as text or Excel dates, numbers with 万/亿. Read (excel.ledger_read), check every row by
the rules a person's 交办 and 填报 go through (import_check), and only if nothing is wrong anywhere write it
as a staged batch (import_write); a bad cell rejects the whole file with a report naming each sheet, row,
column and value."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger import LedgerRules
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.excel import ledger_sheet as ls
from govgrid.excel.ledger_read import RowError, UnreadableFile, read_file
from govgrid.services.ledger.import_check import MAX_REPORTED, Checker, Plan, check_children, check_items
from govgrid.services.ledger.import_write import write_staged
from govgrid.services.ledger.items import home_area
from govgrid.uploads.limits import SheetLimits

MAX_ROWS = SheetLimits().max_rows
MAX_BYTES = SheetLimits().max_bytes  # callers read at most one byte more: a larger file is refused, never cut


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


def import_ledger(
    session: Session,
    *,
    actor: Actor,
    rules: LedgerRules,
    data: bytes,
    filename: str,
    now: datetime,
    area_code: str | None = None,
    progress: Callable[[str], None] = lambda _: None,
    limits: SheetLimits = SheetLimits(),
) -> ImportResult:
    """Read and check the whole file, then write it as a staged batch that goes live in one short step;
    LedgerRejected lists every problem. The ledger applies in `area_code`, by default the actor's area
    (as for a campaign added by hand). `progress` hears how far a long import has come."""
    area_code = area_code or home_area(session, actor)
    authorize(actor, Action.MANAGE_LEDGER, area_code=area_code)
    try:
        found, errors = read_file(data, filename, limits)
    except UnreadableFile as exc:
        raise LedgerRejected([exc.error]) from None
    checker = Checker(session, rules, now, area_code)
    checker.add(errors)
    plan = Plan()
    progress(f"检查 {sum(len(rows.rows) for rows in found.values()):,} 行…")
    by_path = check_items(checker, found[ls.ITEMS.name], plan) if ls.ITEMS.name in found else {}
    check_children(checker, found, by_path, plan)
    if not plan.items and not checker.count:
        checker.add([RowError(ls.ITEMS.name, 0, "", "", "表中没有任何事项")])
    if checker.count:
        raise LedgerRejected(checker.errors, checker.count)
    written = write_staged(
        session,
        actor=actor,
        rules=rules,
        plan=plan,
        units=checker.units,
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
