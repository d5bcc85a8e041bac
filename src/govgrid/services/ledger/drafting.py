"""拉出单子: a work plan's text, read safely (size and encoding checked) and drafted into rows (the command
`govgrid ledger draft` and the review page both read through here); the rows a reviewer accepts become a
campaign with measures and targets through the ledger's own import, so every rule of 交办 applies."""

from __future__ import annotations

import calendar
import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import LedgerItem
from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger import LedgerRules
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.domain.worktime import CHINA
from govgrid.services.ledger.importing import ImportResult, import_ledger
from govgrid.services.ledger.items import home_area
from govgrid.uploads.text import decode_chinese

_GOVERNMENT = ("人民政府", "政府", "办事处", "街道办事处", "人民政府办公室")
MAX_ROWS = 500  # rows one review imports
MAX_PLAN_BYTES = 2 * 1024 * 1024  # a plan is a few pages of text: 2 MB is generous


class PlanTextError(ValueError):
    pass


def may_draft(session: Session, actor: Actor) -> None:
    """Who may draft a ledger from a plan: those who manage the ledger in their own area (交办's rule)."""
    authorize(actor, Action.MANAGE_LEDGER, area_code=home_area(session, actor))


def read_plan(data: bytes, name: str = "plan") -> str:
    """The text of an uploaded or pasted plan: UTF-8 (with or without BOM) or GB18030, at most 2 MB."""
    if len(data) > MAX_PLAN_BYTES:
        raise PlanTextError(f"{name} 超过 {MAX_PLAN_BYTES // 1024 // 1024} MB，不像一份工作方案的文本")
    text = decode_chinese(data)
    if text is None:
        raise PlanTextError(f"{name} 不是 UTF-8 或 GB18030 编码的文本")
    if "\x00" in text:
        raise PlanTextError(f"{name} 含有二进制内容，请提供纯文本（.txt）")
    if not text.strip():
        raise PlanTextError(f"{name} 是空的")
    return text


@dataclass(frozen=True)
class ReviewedRow:
    """One drafted row as the reviewer accepted it (edited or not)."""

    content: str
    subject: str
    value: float | None
    unit: str
    qualifier: str
    lead_unit: str  # the unit's name, as the ledger sheet names it
    deadline: date | None  # None: the campaign's


def deadline_date(written: str | None, today: date) -> date | None:
    """A deadline as plans write it, as a date: 年内/年底前/今年/全年 → 31 December; 上半年 → 30 June;
    N月底(前) → the month's last day; 明年 → next 31 December; anything else → None (the reviewer sets it)."""
    if not written:
        return None
    if written in ("年内", "年底前", "年底", "今年", "全年", "下半年"):
        return date(today.year, 12, 31)
    if written == "上半年":
        return date(today.year, 6, 30)
    if written == "明年":
        return date(today.year + 1, 12, 31)
    month = re.fullmatch(r"(\d{4}年)?(\d{1,2})月底前?", written)
    if month and 1 <= int(month.group(2)) <= 12:
        year = int(month.group(1)[:4]) if month.group(1) else today.year
        return date(year, int(month.group(2)), calendar.monthrange(year, int(month.group(2)))[1])
    year_end = re.fullmatch(r"(\d{4})年底前?", written)
    return date(int(year_end.group(1)), 12, 31) if year_end else None


def matching_unit(owner: str | None, units: dict[str, str]) -> str | None:
    """The code of the unit a drafted owner names (units: code → name): a place's own government (历下区 →
    历下区人民政府, 某街道 → 某街道办事处), else the unit with the shortest name holding the owner's (or held
    by it); None if no unit fits."""
    if not owner:
        return None
    fits = [
        (name[len(owner) :] not in _GOVERNMENT if name.startswith(owner) else True, len(name), code)
        for code, name in units.items()
        if owner in name or name in owner
    ]
    return min(fits)[2] if fits else None


def draft_sheet(number: str, campaign: str, deadline: date, rows: list[ReviewedRow]) -> bytes:
    """The accepted rows as a 督办台账 sheet (CSV, the import's own format): the campaign, one measure per
    lead unit (…牵头的量化目标), and one task per row with its target."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "序号",
            "上级序号",
            "层级",
            "工作内容",
            "事项来源",
            "指标名称",
            "目标值",
            "计量单位",
            "限定词",
            "牵头单位",
            "完成时限",
        ]
    )
    writer.writerow([number, "", "行动", campaign, "工作方案", "", "", "", "", "", deadline.isoformat()])
    leads = list(dict.fromkeys(row.lead_unit for row in rows))
    for m, lead in enumerate(leads, start=1):
        measure = f"{number}/{m}"
        writer.writerow(
            [str(m), number, "措施", f"{lead}牵头的量化目标", "工作方案", "", "", "", "", lead, ""]
        )
        for t, row in enumerate((r for r in rows if r.lead_unit == lead), start=1):
            writer.writerow(
                [
                    str(t),
                    measure,
                    "任务",
                    row.content,
                    "工作方案",
                    row.subject,
                    "" if row.value is None else f"{row.value:g}",
                    row.unit,
                    row.qualifier,
                    lead,
                    row.deadline.isoformat() if row.deadline else "",
                ]
            )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def import_draft(
    session: Session,
    *,
    actor: Actor,
    rules: LedgerRules,
    campaign: str,
    deadline: date,
    rows: list[ReviewedRow],
    now: datetime,
) -> ImportResult:
    """The accepted rows into the ledger through its own import (every rule of 交办 applies, all or
    nothing), as a new campaign numbered by its day and count (CDYYYYMMDD-n)."""
    if not rows:
        raise InvalidInput("没有接受任何一行：请至少勾选一行再导入", field="accept")
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"一次最多导入 {MAX_ROWS} 行", field="accept")
    day_code = f"CD{now.astimezone(CHINA):%Y%m%d}"
    taken = session.scalar(
        select(func.count()).select_from(LedgerItem).where(LedgerItem.number.like(f"{day_code}-%"))
    )
    number = f"{day_code}-{(taken or 0) + 1}"  # the day's n-th drafted ledger
    data = draft_sheet(number, campaign.strip() or "工作方案量化目标", deadline, rows)
    return import_ledger(session, actor=actor, rules=rules, data=data, filename="拉出单子.csv", now=now)
