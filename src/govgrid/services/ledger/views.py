"""What people see of the ledgers: the tree with its filters (campaign, unit, colour, leader) as on screen
and in exports, and an item with its history (the boards of what is late are in boards.py).

Who sees what follows the permission table: supervisors and leaders their area; a unit officer the items
their unit leads or helps with, shown under their campaign and measure for context."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import literal_column, select
from sqlalchemy.orm import Session

from govgrid.db.bulk import raw_rows
from govgrid.db.ledger_models import (
    LedgerEvent,
    LedgerInvestment,
    LedgerItem,
    LedgerMilestone,
    ProgressReport,
    ReportEvidence,
)
from govgrid.db.models import OrgUnit
from govgrid.domain.areas import is_within
from govgrid.domain.errors import InvalidInput, NotFound
from govgrid.domain.ledger import Light
from govgrid.domain.paging import Paged, Paging, page_of
from govgrid.domain.permissions import Action, Actor, Reach, reach, scope_filter
from govgrid.services.ledger.items import item_for

LIGHTS = tuple(light.value for light in Light)


@dataclass(frozen=True)
class LedgerFilter:
    campaign_id: int | None = None
    unit_id: int | None = None
    light: str | None = None
    leader: str = ""
    tasks_only: bool = False  # only the tasks (items with no children), not the measures above them

    def __post_init__(self) -> None:
        object.__setattr__(self, "light", self.light or None)  # a form's empty choice is no filter
        object.__setattr__(self, "leader", (self.leader or "").strip())
        if self.light is not None and self.light not in LIGHTS:
            raise InvalidInput(f"预警颜色须为 {'、'.join(LIGHTS)} 之一", field="light")


def target_text(item: LedgerItem) -> str:
    """The quantified target as offices write it: 重点项目 54个以上."""
    if item.target_value is None:
        return ""
    return f"{item.target_subject} {item.target_value:g}{item.target_unit}{item.target_qualifier}"


class _Row(NamedTuple):
    id: int
    parent_id: int | None
    campaign_id: int | None
    area_code: str
    lead_unit_id: int | None
    co_unit_ids: list[int]
    light: str
    leader: str


@dataclass
class TreeRow:
    item: LedgerItem
    depth: int
    matched: bool  # False when shown only as the context of a matching descendant


@dataclass
class TreePage:
    rows: list[TreeRow]
    page: int
    pages: int
    page_size: int
    campaigns: int  # campaigns with something to show under the filter
    counts: dict[str, int] = field(default_factory=dict)  # matching items by light
    campaign_ids: list[int] = field(default_factory=list)  # every campaign the actor has something in
    total: int = 0  # rows over all pages (matching items and the ancestors shown for context)


def _sees(actor: Actor, granted: Reach, row: _Row) -> bool:
    if granted is Reach.ALL:
        return True
    if granted is Reach.UNIT:
        return actor.unit_id is not None and (
            row.lead_unit_id == actor.unit_id or actor.unit_id in row.co_unit_ids
        )
    return actor.scope_code is not None and is_within(row.area_code, actor.scope_code)


def _matches(row: _Row, wanted: LedgerFilter) -> bool:
    if wanted.campaign_id is not None and row.campaign_id != wanted.campaign_id:
        return False
    if (
        wanted.unit_id is not None
        and row.lead_unit_id != wanted.unit_id
        and wanted.unit_id not in row.co_unit_ids
    ):
        return False
    if wanted.light is not None and row.light != wanted.light:
        return False
    return not wanted.leader or wanted.leader in row.leader


def _index(session: Session, with_co_units: bool) -> dict[int, _Row]:
    """Every item as a light row, straight from the driver. 配合单位 are read only when the question needs
    them (a JSON column: text on SQLite, a list on PostgreSQL)."""
    co_units = LedgerItem.co_unit_ids if with_co_units else literal_column("NULL")
    columns = (
        LedgerItem.id,
        LedgerItem.parent_id,
        LedgerItem.campaign_id,
        LedgerItem.area_code,
        LedgerItem.lead_unit_id,
        co_units,
        LedgerItem.light,
        LedgerItem.leader,
    )
    rows = raw_rows(
        session, select(*columns).where(LedgerItem.batch_id.is_(None))
    )  # staged imports are unseen
    if not with_co_units:
        return {r[0]: _Row(r[0], r[1], r[2], r[3], r[4], [], r[6], r[7]) for r in rows}
    return {r[0]: _Row(r[0], r[1], r[2], r[3], r[4], _units(r[5]), r[6], r[7]) for r in rows}


def _units(value: Any) -> list[int]:
    if not value:
        return []
    return list(json.loads(value)) if isinstance(value, str) else list(value)


@dataclass
class Shown:
    rows: dict[int, _Row]
    visible: set[int]  # everything the actor may see
    matched: set[int]  # …that the filter keeps
    context: set[int]  # ancestors of matched items, shown for context


def visible_rows(session: Session, actor: Actor, wanted: LedgerFilter) -> Shown:
    scope_filter(actor, Action.READ_LEDGER)  # refuses roles without the ledger
    granted = reach(actor, Action.READ_LEDGER)
    rows = _index(session, with_co_units=granted is Reach.UNIT or wanted.unit_id is not None)
    visible = {i for i, row in rows.items() if _sees(actor, granted, row)}
    matched = {i for i in visible if _matches(rows[i], wanted)}
    if wanted.tasks_only:
        matched -= {row.parent_id for row in rows.values() if row.parent_id is not None}
    context: set[int] = set()
    for item_id in matched:
        parent = rows[item_id].parent_id
        while parent is not None and parent not in context and parent not in matched:
            context.add(parent)
            parent = rows[parent].parent_id
    return Shown(rows, visible, matched, context)


def shown_ids(session: Session, *, actor: Actor, wanted: LedgerFilter) -> tuple[set[int], set[int]]:
    """(matching items the actor may see, their ancestors shown for context)."""
    shown = visible_rows(session, actor, wanted)
    return shown.matched, shown.context


PAGE_SIZE = 200  # the ledger page's rows a page: a campaign and its measures at a glance
TREE_PAGE = Paging(1, PAGE_SIZE)


def tree(
    session: Session, *, actor: Actor, wanted: LedgerFilter, paging: Paging | None = TREE_PAGE
) -> TreePage:
    """The filtered tree, depth first, a page of rows (paging None: every row, for exports) — a campaign of
    99,000 tasks is paged like any list. A page that starts inside a campaign first repeats the ancestors of
    its first row, as context. Only the page's items are loaded in full."""
    found = visible_rows(session, actor, wanted)
    rows, matched = found.rows, found.matched
    shown = matched | found.context
    counts: dict[str, int] = defaultdict(int)
    for item_id in matched:
        counts[rows[item_id].light] += 1
    children: dict[int | None, list[int]] = defaultdict(list)
    for item_id in sorted(shown):
        parent = rows[item_id].parent_id
        children[parent if parent in shown else None].append(item_id)
    roots = children[None]
    order: list[tuple[int, int]] = []
    stack = [(root, 0) for root in reversed(roots)]
    while stack:
        item_id, depth = stack.pop()
        order.append((item_id, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(item_id, [])))
    cut = page_of(order, paging) if paging else Paged(order, len(order), 1, max(len(order), 1))
    chosen = cut.items
    lead = _ancestors(rows, shown, chosen[0]) if chosen and chosen[0][1] > 0 else []
    items = (
        {i.id: i for i in load_items(session, {item_id for item_id, _ in lead + chosen})} if chosen else {}
    )
    campaigns = sorted({c for c in (rows[i].campaign_id for i in found.visible) if c is not None})
    return TreePage(
        rows=[TreeRow(items[i], depth, False) for i, depth in lead]
        + [TreeRow(items[i], depth, i in matched) for i, depth in chosen],
        page=cut.page,
        pages=cut.pages,
        page_size=cut.page_size,
        campaigns=len(roots),
        counts=dict(counts),
        campaign_ids=campaigns,
        total=len(order),
    )


def _ancestors(rows: dict[int, _Row], shown: set[int], first: tuple[int, int]) -> list[tuple[int, int]]:
    """The shown ancestors of a page's first row, top first, with their depths."""
    chain: list[int] = []
    parent = rows[first[0]].parent_id
    while parent is not None and parent in shown:
        chain.insert(0, parent)
        parent = rows[parent].parent_id
    return [(item_id, depth) for depth, item_id in enumerate(chain)]


def campaign_choices(session: Session, campaign_ids: list[int]) -> list[tuple[int, str]]:
    """(id, "number content") of these campaigns, for the filter (TreePage.campaign_ids)."""
    found = {
        i: f"{n} {c}"
        for i, n, c in session.execute(
            select(LedgerItem.id, LedgerItem.number, LedgerItem.content).where(
                LedgerItem.parent_id.is_(None), LedgerItem.batch_id.is_(None)
            )
        )
    }
    return [(i, found[i]) for i in campaign_ids if i in found]


def load_items(session: Session, ids: set[int]) -> list[LedgerItem]:
    found: list[LedgerItem] = []
    ordered = sorted(ids)
    for start in range(0, len(ordered), 5000):  # keep each IN list within every engine's parameter limit
        found.extend(
            session.scalars(select(LedgerItem).where(LedgerItem.id.in_(ordered[start : start + 5000])))
        )
    return found


def get_item(session: Session, *, actor: Actor, item_id: int) -> LedgerItem:
    """An item the actor may see (NotFound otherwise, as for anything out of reach). A unit officer may also
    open the campaign and measures above their own items, as context."""
    return _readable(session, actor, item_id)[0]


def _readable(session: Session, actor: Actor, item_id: int) -> tuple[LedgerItem, set[int] | None, bool]:
    """(the item, the ids of its campaign the actor may see — None for all —, whether it is only context)."""
    if reach(actor, Action.READ_LEDGER) is not Reach.UNIT:
        return item_for(session, actor, Action.READ_LEDGER, item_id), None, False
    item = session.get(LedgerItem, item_id)
    if item is None or item.batch_id is not None:
        raise NotFound(f"督办事项 {item_id} 不存在")
    found = visible_rows(session, actor, LedgerFilter(campaign_id=item.campaign_id))
    allowed = found.matched | found.context
    if item.id not in allowed:
        raise NotFound("未找到该记录，或不在您的数据范围内")
    return item, allowed, item.id not in found.matched


@dataclass
class ItemDetail:
    item: LedgerItem
    path: list[LedgerItem]  # the campaign down to the parent
    children: list[LedgerItem]
    reports: list[ProgressReport]
    evidence: dict[int, list[ReportEvidence]]
    events: list[LedgerEvent]
    milestones: list[LedgerMilestone]
    investment: list[LedgerInvestment]
    units: dict[int, OrgUnit]


def detail(session: Session, *, actor: Actor, item_id: int) -> ItemDetail:
    """An item with its history. A unit officer sees only the children that are theirs (or lead to theirs);
    on an item shown only as context, its facts but not its reports, events, milestones or investment."""
    item, allowed, context_only = _readable(session, actor, item_id)
    path: list[LedgerItem] = []
    parent_id = item.parent_id
    while parent_id is not None:
        parent = session.get(LedgerItem, parent_id)
        if parent is None:
            break
        path.insert(0, parent)
        parent_id = parent.parent_id
    reports = list(
        session.scalars(
            select(ProgressReport)
            .where(ProgressReport.item_id == item.id)
            .order_by(ProgressReport.reported_at, ProgressReport.id)
        )
    )
    evidence: dict[int, list[ReportEvidence]] = defaultdict(list)
    for row in session.scalars(
        select(ReportEvidence).where(ReportEvidence.report_id.in_([r.id for r in reports]))
    ):
        evidence[row.report_id].append(row)
    children = list(
        session.scalars(select(LedgerItem).where(LedgerItem.parent_id == item.id).order_by(LedgerItem.id))
    )
    if allowed is not None:
        children = [child for child in children if child.id in allowed]
    if context_only:
        reports, evidence = [], defaultdict(list)
    found = ItemDetail(
        item=item,
        path=path,
        children=children,
        reports=reports,
        evidence=dict(evidence),
        events=list(
            session.scalars(
                select(LedgerEvent).where(LedgerEvent.item_id == item.id).order_by(LedgerEvent.id)
            )
        ),
        milestones=list(
            session.scalars(
                select(LedgerMilestone)
                .where(LedgerMilestone.item_id == item.id)
                .order_by(LedgerMilestone.due_at, LedgerMilestone.id)
            )
        ),
        investment=list(
            session.scalars(
                select(LedgerInvestment)
                .where(LedgerInvestment.item_id == item.id)
                .order_by(LedgerInvestment.month)
            )
        ),
        units={u.id: u for u in session.scalars(select(OrgUnit))},
    )
    if context_only:
        found.events, found.milestones, found.investment = [], [], []
    return found
