"""转办: a city's 12345 center hands its order to a district, which dispatches on within it. The city's order
(in the city's own partition, district_code 370100) and the district's case are two linked rows, so no row
ever changes its district:

- `forward` files the district's case (through intake's own rules: who may report there, the columns of a
  new case, its 派单 deadline) and moves the city's order to 已转办, in one transaction; a retry returns the
  case already filed;
- `relayed` names, after every step steps.transition takes, the step it makes on the other row: the
  district's reply up to the city's order (反馈 → 已反馈), the city's 回访 and 考评 down to the district's
  case; transition writes it through the same writer. A relayed step relays nothing, so nothing loops.

The assessment counts the district's case, never the city's order (services.assessment: a city's partition
is not counted), so a complaint counts once across the city."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case, CaseForward
from govgrid.db.models import Area
from govgrid.domain.areas import is_city_scope
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.errors import InvalidInput
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.domain.roles import Role
from govgrid.domain.text import check_chars
from govgrid.domain.workflow import Loop, Status, Step, next_status
from govgrid.services.cases import intake, reply_review
from govgrid.services.cases.history import compare_and_set, record_history
from govgrid.services.cases.queries import get_case
from govgrid.services.geo.geography import district_for

RELAY = Actor(None, "system:forward", Role.ADMIN, display_name="系统（转办回传）")
UP = {Step.FEED_BACK, Step.RELEASE_REPLY}  # the district's reply (straight, or once let through) answers
DOWN = {Step.CALL_BACK, Step.EVALUATE}  # the city's 回访 and 考评 are the district's too


@dataclass(frozen=True)
class Linked:
    """The other row of a forwarded order, as a case page shows it."""

    label: str  # 转办至 | 来自市级工单
    case_id: int
    code: str
    district: str  # the district's name (转办至), or the city's code (来自市级工单)


def forward(
    session: Session,
    *,
    actor: Actor,
    rules: CaseRules,
    case_id: int,
    district: str,
    now: datetime,
    note: str = "",
) -> Case:
    """Hand a city's 12345 order to one of the actor's districts (the one its point lies in, unless named);
    returns the district's case."""
    order = get_case(session, actor=actor, case_id=case_id)
    authorize(actor, Action.DISPATCH_CASE, area_code=order.scope_code)
    if Loop(order.loop) is not Loop.HOTLINE or not is_city_scope(order.district_code):
        raise InvalidInput("只有市级 12345 工单可以转办区县", field="case_id")
    earlier = session.scalar(select(CaseForward).where(CaseForward.case_id == order.id))
    if earlier is not None:  # a retry: the case it was handed to
        return session.get_one(Case, earlier.to_case_id)
    after = next_status(Loop.HOTLINE, Status(order.status), Step.FORWARD)
    code, name = district_for(session, actor, district.strip() or (order.grid_code or "")[:6])
    check_chars(note, "note")
    case = _file(session, actor=actor, rules=rules, order=order, district=code, now=now)
    session.add(
        CaseForward(
            district_code=order.district_code, case_id=order.id, to_district=code, to_case_id=case.id, at=now,
            actor_name=actor.name[:64],
        )
    )  # fmt: skip
    before = order.status
    compare_and_set(session, order, None, status=after.value)
    record_history(
        session, order, actor=actor, step=Step.FORWARD.value, from_status=before, now=now,
        note=note.strip() or f"转办{name}", detail={"district": code, "case_id": case.id, "case_code": case.code},
    )  # fmt: skip
    session.commit()
    return case


def _file(
    session: Session, *, actor: Actor, rules: CaseRules, order: Case, district: str, now: datetime
) -> Case:
    """The district's case: the order's content, at its point when that lies in the district."""
    inside = bool(order.grid_code) and (order.grid_code or "").startswith(district)
    data = intake.Report(
        channel=order.channel, class_code=order.class_code, title=order.title, description=order.description,
        address=order.address, reporter_name=order.reporter_name, reporter_phone=order.reporter_phone,
        urgency=order.urgency, loop=Loop.HOTLINE,
    )  # fmt: skip
    place = intake.Place(
        order.grid_code if inside else None,
        order.lng if inside else None,
        order.lat if inside else None,
        (order.grid_code if inside else None) or district,
    )
    intake.admit(rules, actor, data, place)  # the city's dispatcher may file there, as anyone taking a report
    row = intake.case_row(
        rules, actor, data, place, source=f"forward:{order.district_code}", key=str(order.id), now=now
    )
    case = Case(**{**row, "reporter_id": order.reporter_id, "is_synthetic": order.is_synthetic})
    session.add(case)
    session.flush()
    record_history(
        session, case, actor=actor, step="report", from_status=None, now=now,
        note=f"市 12345 工单 {order.code} 转办", detail={"from_case": order.id, "from_code": order.code},
    )  # fmt: skip
    return case


@dataclass(frozen=True)
class Relayed:
    """The step a step on one row of a forwarded order makes on the other (steps.transition takes it)."""

    case_id: int
    step: Step
    note: str
    answers: dict[str, Any] | None


def relayed(
    session: Session, *, case: Case, step: Step, note: str, answers: dict[str, Any] | None
) -> Relayed | None:
    """After a step on one row of a forwarded order, the step it makes on the other (see the module)."""
    if step in UP:
        link = session.scalar(
            select(CaseForward).where(
                CaseForward.to_district == case.district_code, CaseForward.to_case_id == case.id
            )
        )
        if link is None or Status(case.status) is not Status.REPLIED:  # held for review: not yet an answer
            return None
        reply = note if step is Step.FEED_BACK else reply_review.released_public_note(session, case.id)
        return Relayed(link.case_id, Step.FEED_BACK, reply, None)
    if step in DOWN and is_city_scope(case.district_code):
        down = session.scalar(select(CaseForward).where(CaseForward.case_id == case.id))
        return Relayed(down.to_case_id, step, note, answers) if down is not None else None
    return None


def linked(session: Session, case: Case) -> Linked | None:
    """The other row of a forwarded order (the caller may see `case`; the other row's code is all it shows)."""
    if is_city_scope(case.district_code):
        down = session.scalar(select(CaseForward).where(CaseForward.case_id == case.id))
        if down is None:
            return None
        other = session.get_one(Case, down.to_case_id)
        named = session.scalar(select(Area.name).where(Area.code == down.to_district)) or down.to_district
        return Linked("转办至", other.id, other.code, named)
    up = session.scalar(
        select(CaseForward).where(
            CaseForward.to_district == case.district_code, CaseForward.to_case_id == case.id
        )
    )
    if up is None:
        return None
    other = session.get_one(Case, up.case_id)
    return Linked("来自市级 12345 工单", other.id, other.code, up.district_code)
