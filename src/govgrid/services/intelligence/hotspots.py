"""每月一题 in the app: the hotspots of the recent citizens' messages (cases of the message channels) the
caller may see, turning one into a ledger task with its cases attached, and linking the messages that join a
hotspot after it became a task (the worker's round)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case
from govgrid.db.intelligence_models import HotspotCase
from govgrid.db.ledger_models import LedgerItem
from govgrid.domain.dispatch_hints import DispatchHints
from govgrid.domain.errors import InvalidInput
from govgrid.domain.ledger import LedgerRules
from govgrid.domain.ledger_items import NewItem
from govgrid.domain.permissions import SYSTEM, Action, Actor, authorize
from govgrid.domain.worktime import CHINA
from govgrid.nlp.hotspots import HeatRules, Hotspot, Message, find_hotspots
from govgrid.services.cases.reach import visible_cases
from govgrid.services.ledger import items as ledger_items
from govgrid.services.ledger.items import home_area

WINDOW_DAYS = 60  # the recent messages a hotspot is looked for in
MAX_MESSAGES = 6000  # the newest this many, at most
MAX_MEMBERS = 500  # cases one task takes at once
SOURCE = "12345热点"
CACHE_SECONDS = 600


@dataclass(frozen=True)
class Found:
    hotspot: Hotspot
    task_id: int | None  # the ledger task it is already under


_cache: dict[tuple[object, ...], tuple[float, list[Hotspot]]] = {}


def _messages(
    session: Session, actor: Actor, hints: DispatchHints, now: datetime, days: int
) -> list[Message]:
    rows = session.execute(
        select(Case.id, Case.reporter_id, Case.reporter_phone, Case.title, Case.description, Case.reported_at)
        .where(visible_cases(actor), Case.channel.in_(sorted(hints.channels)))
        .where(Case.reported_at >= now - timedelta(days=days))
        .order_by(Case.reported_at.desc())
        .limit(MAX_MESSAGES)
    ).all()
    return [
        Message(
            str(r.id),
            str(r.reporter_id or r.reporter_phone or f"case{r.id}"),
            r.title,
            r.description or "",
            r.reported_at,
        )
        for r in rows
    ]


def recent(
    session: Session, *, actor: Actor, hints: DispatchHints, rules: HeatRules, now: datetime,
    days: int = WINDOW_DAYS, top: int = 20,
) -> list[Found]:  # fmt: skip
    """The hottest problems of the last `days` among the cases the actor may see, with the task each is
    already under (computed at most every ten minutes per caller's reach)."""
    key = (actor.role, actor.scope_code, actor.unit_id, actor.user_id, days, top)
    cached = _cache.get(key)
    if cached is None or time.monotonic() - cached[0] > CACHE_SECONDS:
        cached = (
            time.monotonic(),
            find_hotspots(_messages(session, actor, hints, now, days), rules, top=top),
        )
        _cache[key] = cached
    found = cached[1]
    ids = {int(i) for h in found for i in h.members}
    tasks: dict[int, int] = dict(
        session.execute(select(HotspotCase.case_id, HotspotCase.item_id).where(HotspotCase.case_id.in_(ids))).all()
    ) if ids else {}  # fmt: skip
    return [Found(h, next((tasks[int(i)] for i in h.members if int(i) in tasks), None)) for h in found]


def forget() -> None:
    """Drop the computed hotspots (a task was made; tests)."""
    _cache.clear()


def make_task(
    session: Session, *, actor: Actor, rules: LedgerRules, title: str, case_ids: list[int],
    lead_unit_code: str, deadline: datetime, now: datetime,
) -> LedgerItem:  # fmt: skip
    """每月一题: a ledger task (source 12345热点) under this month's measure of the year's 每月一题
    campaign, both made when missing, with the hotspot's cases attached — those the actor may see."""
    authorize(actor, Action.MANAGE_LEDGER, area_code=home_area(session, actor))
    if not case_ids or len(case_ids) > MAX_MEMBERS:
        raise InvalidInput(f"热点须有 1 到 {MAX_MEMBERS} 件留言", field="case_ids")
    seen = session.scalars(select(Case).where(Case.id.in_(case_ids), visible_cases(actor))).all()
    if len(seen) != len(set(case_ids)):
        raise InvalidInput("热点中有您无权查看或已不存在的留言：请刷新热点页", field="case_ids")
    local = now.astimezone(CHINA)
    campaign = _find_or_make(
        session, actor, rules, now, None, f"{local.year}年每月一题（12345热点）", f"MYYT{local.year}"
    )
    measure = _find_or_make(
        session, actor, rules, now, campaign.id, f"{local.year}年{local.month}月热点", f"{local.month}"
    )
    task = ledger_items.assign(
        session,
        actor=actor,
        rules=rules,
        data=NewItem(
            kind="task",
            content=title.strip()[:200] or "12345热点问题",
            parent_id=measure.id,
            source=SOURCE,
            lead_unit_code=lead_unit_code,
            deadline_at=deadline,
        ),
        now=now,
    )
    for case in seen:
        session.add(HotspotCase(district_code=case.district_code, item_id=task.id, case_id=case.id,
                                joined_at=now, joined_by=actor.user_id))  # fmt: skip
    session.commit()
    forget()
    return task


def _find_or_make(session: Session, actor: Actor, rules: LedgerRules, now: datetime, parent_id: int | None,
                  content: str, number: str) -> LedgerItem:  # fmt: skip
    query = select(LedgerItem).where(
        LedgerItem.content == content, LedgerItem.area_code == home_area(session, actor)
    )
    query = query.where(LedgerItem.parent_id == parent_id if parent_id else LedgerItem.parent_id.is_(None))
    found = session.scalar(query.limit(1))
    if found is not None:
        return found
    kind = "measure" if parent_id else "campaign"
    year_end = datetime(now.astimezone(CHINA).year, 12, 31, 17, tzinfo=CHINA)
    return ledger_items.assign(
        session, actor=actor, rules=rules, now=now,
        data=NewItem(kind=kind, content=content, number=number, parent_id=parent_id, source=SOURCE,
                     deadline_at=year_end if not parent_id else None),
    )  # fmt: skip


def link_joiners(session: Session, *, hints: DispatchHints, rules: HeatRules, now: datetime) -> int:
    """New messages of a hotspot already under a task are linked to that task (the worker, as the system;
    nothing is computed while no hotspot is under a task)."""
    if session.scalar(select(HotspotCase.id).limit(1)) is None:
        return 0
    found = find_hotspots(_messages(session, SYSTEM, hints, now, WINDOW_DAYS), rules)
    ids = {int(i) for h in found for i in h.members}
    if not ids:
        return 0
    linked = dict(
        session.execute(
            select(HotspotCase.case_id, HotspotCase.item_id).where(HotspotCase.case_id.in_(ids))
        ).all()
    )
    districts = dict(session.execute(select(Case.id, Case.district_code).where(Case.id.in_(ids))).all())
    added = 0
    for h in found:
        members = [int(i) for i in h.members]
        task = next((linked[i] for i in members if i in linked), None)
        if task is None:
            continue
        for i in members:
            if i not in linked:
                session.add(
                    HotspotCase(
                        district_code=districts[i], item_id=task, case_id=i, joined_at=now, joined_by=None
                    )
                )
                linked[i] = task
                added += 1
    session.commit()
    if added:
        forget()
    return added


def cases_of_task(session: Session, item_id: int) -> list[int]:
    return list(
        session.scalars(
            select(HotspotCase.case_id).where(HotspotCase.item_id == item_id).order_by(HotspotCase.id)
        )
    )
