"""交办: adding a campaign, measure, task or project to a ledger — the one path for the JSON API, the pages,
the Excel import and the demo. The rules are domain.ledger_items.check_item; `item_row` is the one shape of
a stored item, which `assign` and the staged import both insert. Who may act on an item is here too."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.ledger_models import LedgerItem
from govgrid.db.models import Area, OrgUnit
from govgrid.domain.areas import AreaLevel, district_of
from govgrid.domain.errors import Forbidden, InvalidInput, NotFound
from govgrid.domain.ledger import LedgerRules, Light, Rung
from govgrid.domain.ledger_items import ItemContext, NewItem, Parent, Unit, check_item, inherit, raise_first
from govgrid.domain.ledger_states import EventKind, ItemKind, ItemStatus
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.services.ledger.events import record_event
from govgrid.services.ledger.lights import recompute


def assign(
    session: Session,
    *,
    actor: Actor,
    rules: LedgerRules,
    data: NewItem,
    now: datetime,
    area_code: str | None = None,
) -> LedgerItem:
    """交办: a supervisor adds a campaign in their area, or an item under one they may manage. A child takes
    its parent's deadline, response rule and source unless it names its own; it is assigned now."""
    parent = item_for(session, actor, Action.MANAGE_LEDGER, data.parent_id) if data.parent_id else None
    area = parent.area_code if parent else (area_code or home_area(session, actor))
    authorize(actor, Action.MANAGE_LEDGER, area_code=area)
    data = inherit(data, parent_of(parent) if parent else None, now)
    context = item_context(session, rules, data, area, parent)
    raise_first(check_item(data, context))
    item = LedgerItem(**item_row(data, area_code=area, units=context.units))
    session.add(item)
    session.flush()
    item.campaign_id = parent.campaign_id if parent else item.id
    record_event(session, item, EventKind.CREATE, actor=actor, now=now, note=data.content.strip()[:60])
    recompute(session, rules=rules, now=now, campaign_id=item.campaign_id, commit=False)
    session.commit()
    return item


def parent_of(item: LedgerItem) -> Parent:
    return Parent(
        ItemKind(item.kind), ItemStatus(item.status), item.deadline_at, item.sla_code, item.source or ""
    )


def item_context(
    session: Session, rules: LedgerRules, data: NewItem, area_code: str, parent: LedgerItem | None
) -> ItemContext:
    """What check_item needs, from the database."""
    siblings: tuple[float | None, ...] = ()
    if parent is not None:
        siblings = tuple(session.scalars(select(LedgerItem.weight).where(LedgerItem.parent_id == parent.id)))
    numbers: set[str] = set()
    if data.parent_id is None and data.number:
        numbers = set(session.scalars(live_campaign_numbers().where(LedgerItem.number == data.number)))
    return ItemContext(
        area_code=area_code,
        units=unit_directory(session),
        templates=tuple(rules.templates),
        parent=parent_of(parent) if parent else None,
        sibling_weights=siblings,
        campaign_numbers=numbers,
    )


def unit_directory(session: Session, *, by_name: bool = False) -> dict[str, Unit]:
    """The units by code (and by name too, for an office's spreadsheet)."""
    units = [Unit(u.id, u.code, u.name, u.area_code) for u in session.scalars(select(OrgUnit))]
    found = {u.code: u for u in units}
    if by_name:
        found |= {u.name: u for u in units}
    return found


def live_campaign_numbers() -> Any:
    return select(LedgerItem.number).where(LedgerItem.parent_id.is_(None), LedgerItem.batch_id.is_(None))


def item_row(
    data: NewItem,
    *,
    area_code: str,
    units: Mapping[str, Unit],
    status: ItemStatus = ItemStatus.OPEN,
    rung: Rung | None = None,
    batch_id: int | None = None,
) -> dict[str, Any]:
    """The columns of a new item from a checked command (campaign_id and parent are the caller's)."""
    lead = units[data.lead_unit_code] if data.lead_unit_code else None  # by code, or by name (an import)
    target = data.target()
    return {
        "district_code": district_of(area_code),
        "parent_id": data.parent_id,
        "kind": data.kind,
        "number": data.number.strip(),
        "content": data.content.strip(),
        "source": data.source.strip(),
        "area_code": area_code,
        "lead_unit_id": lead.id if lead else None,
        "co_unit_ids": [units[code].id for code in data.co_unit_codes],
        "leader": data.leader.strip(),
        "officer": data.officer.strip(),
        "ambassador": data.ambassador.strip(),
        "assigned_at": data.assigned_at,
        "deadline_at": data.deadline_at,
        "consequence": data.consequence.strip(),
        "weight": data.weight,
        "sla_code": data.sla_code,
        "target_subject": target.subject if target else data.target_subject.strip(),
        "target_unit": target.unit if target else data.target_unit.strip(),
        "target_value": target.value if target else None,
        "target_baseline": data.target_baseline,
        "target_direction": data.target_direction,
        "target_qualifier": data.target_qualifier.strip(),
        "status": status.value,
        "progress": 0.0,
        "light": Light.GREEN.value,
        "rung": rung.value if rung else None,
        "version": 1,
        "batch_id": batch_id,
    }


def home_area(session: Session, actor: Actor) -> str:
    """Where an actor's new ledgers apply: their scope, or the district for district-wide roles."""
    if actor.scope_code:
        return actor.scope_code
    district = session.scalar(
        select(Area.code).where(Area.level == AreaLevel.DISTRICT.value).order_by(Area.code).limit(1)
    )
    if district is None:
        raise InvalidInput("尚未导入行政区划，无法确定台账所属区域", field="area_code")
    return district


def item_for(
    session: Session, actor: Actor, action: Action, item_id: int, *, lead_only: bool = False
) -> LedgerItem:
    """A ledger item the actor may act on: NotFound when it does not exist or is out of reach. For a unit's
    reach the acting officer's unit must lead the item, or help with it (unless `lead_only`)."""
    item = session.get(LedgerItem, item_id)
    if item is None or item.batch_id is not None:  # an import still staging it: not there yet
        raise NotFound(f"督办事项 {item_id} 不存在", field="item_id")
    authorize_on(actor, action, item, lead_only=lead_only)
    return item


def may(actor: Actor, action: Action, item: LedgerItem, *, lead_only: bool = False) -> bool:
    """Whether authorize_on would let the actor act (the pages show only the forms that would work)."""
    try:
        authorize_on(actor, action, item, lead_only=lead_only)
    except (Forbidden, NotFound):  # the same answer: no form
        return False
    return True


def authorize_on(actor: Actor, action: Action, item: LedgerItem, *, lead_only: bool = False) -> None:
    """The permission table applied to one ledger item: its area, and its lead unit or a co-unit."""
    helping = not lead_only and actor.unit_id is not None and actor.unit_id in item.co_unit_ids
    authorize(
        actor, action, area_code=item.area_code, unit_id=actor.unit_id if helping else item.lead_unit_id
    )
