"""Pushing a new order (派遣: the unit learns a case is theirs) and escalations to the groups people read (企业微信 / 钉钉 / any apprise URL).

The case history is the outbox: a cursor in `meta` remembers the last row pushed. A row is sent first and
the cursor moved after, by compare-and-set — at least once: a crash between the two repeats one message,
never loses one. A new installation starts from the newest row (no flood of old history)."""

from __future__ import annotations

import logging

import apprise
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case, CaseTransition
from govgrid.db.models import Meta, OrgUnit
from govgrid.domain.history import history_label
from govgrid.domain.worktime import CHINA

log = logging.getLogger(__name__)
CURSOR = "notify_cursor"
# escalations, a new order and a leader's instruction
PUSHED = ("overdue", "urge", "supervise", "supervise_by_hand", "dispatch", "instruct")


def _cursor(session: Session) -> int:
    meta = session.get(Meta, CURSOR)
    if meta is None:  # first run: start after what is already there
        newest = session.scalar(select(func.max(CaseTransition.id))) or 0
        session.add(Meta(key=CURSOR, value=str(newest)))
        session.commit()
        return int(newest)
    return int(meta.value)


def message(session: Session, row: CaseTransition) -> tuple[str, str]:
    case = session.get_one(Case, row.case_id)
    unit = session.get(OrgUnit, case.unit_id) if case.unit_id else None
    due = f"，期限 {case.due_at.astimezone(CHINA):%m-%d %H:%M}" if case.due_at else ""
    title = f"【{history_label(row.step)}】案件 {case.code}"
    body = f"{case.title}（网格 {case.grid_code or '未定位'}，责任单位 {unit.name if unit else '未派遣'}{due}）{row.note}"
    return title, body


def notify_once(session: Session, *, urls: list[str]) -> bool:
    """Push the next escalation row; False when nothing is waiting or the push failed (retried later)."""
    if not urls:
        return False
    cursor = _cursor(session)
    row = session.scalars(
        select(CaseTransition)
        .where(CaseTransition.id > cursor, CaseTransition.step.in_(PUSHED))
        .order_by(CaseTransition.id)
        .limit(1)
    ).first()
    if row is None:
        return False
    sender = apprise.Apprise()
    for url in urls:
        sender.add(url)
    title, body = message(session, row)
    if not sender.notify(title=title, body=body):
        log.warning("推送失败（稍后重试）：%s", title)
        return False
    moved = session.execute(
        update(Meta).where(Meta.key == CURSOR, Meta.value == str(cursor)).values(value=str(row.id))
    )
    session.commit()
    return moved.rowcount == 1  # type: ignore[attr-defined]


def notify_pending(session: Session, *, urls: list[str], limit: int = 200) -> int:
    count = 0
    while count < limit and notify_once(session, urls=urls):
        count += 1
    return count
