"""相似案件: link a new case to recent possible repeats; merging (并案) is a separate, explicit action."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case, CaseLink
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.errors import DomainError, InvalidInput
from govgrid.domain.permissions import Actor
from govgrid.domain.similarity import NEARBY_METRES, WINDOW, Sighting, likeness
from govgrid.domain.workflow import Status, Step

MAX_CANDIDATES = 500  # the most recent cases of the street and the nearby box
MAX_LINKS = 20  # enough to show the problem repeats; a flood of repeats must not flood the links
DEGREES_NEARBY = NEARBY_METRES / 80_000  # a generous box at Chinese latitudes before the exact distance


def _sighting(case: Case) -> Sighting:
    return Sighting(
        case.class_code, case.reported_at, case.lng, case.lat, f"{case.title} {case.description}".strip()
    )


def link_similar(session: Session, case: Case, now: datetime) -> list[CaseLink]:
    """Add links (in the caller's transaction) from `case` to recent cases that may be the same problem:
    same class within 50 m, or near-identical text in the same street, within 24 hours."""
    street = (case.grid_code or case.scope_code)[:9]
    same_street = Case.scope_code.startswith(street)
    if case.lng is not None and case.lat is not None:
        near = and_(
            Case.class_code == case.class_code,
            Case.lng.between(case.lng - DEGREES_NEARBY, case.lng + DEGREES_NEARBY),
            Case.lat.between(case.lat - DEGREES_NEARBY, case.lat + DEGREES_NEARBY),
        )
        where = or_(same_street, near)
    else:
        where = same_street
    query = (
        select(Case.id, Case.class_code, Case.reported_at, Case.lng, Case.lat, Case.title, Case.description)
        .where(
            Case.district_code == case.district_code,  # links stay inside a district, as its cases do
            Case.id < case.id,
            Case.status != Status.CANCELLED.value,  # each pair once: by the later case
            Case.reported_at.between(case.reported_at - WINDOW, case.reported_at + WINDOW),
            where,
        )
        .order_by(Case.reported_at.desc())
        .limit(MAX_CANDIDATES)
    )
    links = []
    new = _sighting(case)
    for row in session.execute(query):
        old = Sighting(
            row.class_code, row.reported_at, row.lng, row.lat, f"{row.title} {row.description}".strip()
        )
        found = likeness(new, old)
        if found is not None:
            link = CaseLink(
                district_code=case.district_code,
                case_id=case.id,
                similar_case_id=row.id,
                reason=found[0],
                distance_m=found[1],
                is_merged=False,
                created_at=now,
            )
            session.add(link)
            links.append(link)
            if len(links) >= MAX_LINKS:
                break
    return links


def link_once(session: Session, *, now: datetime) -> bool:
    """Check one new case for possible repeats (the oldest unchecked); False when none is waiting.
    Claimed by compare-and-set on `links_checked`, so several workers can run."""
    case = session.scalars(
        select(Case).where(Case.links_checked.is_(False)).order_by(Case.id).limit(1)
    ).first()
    if case is None:
        return False
    claimed = session.execute(
        update(Case).where(Case.id == case.id, Case.links_checked.is_(False)).values(links_checked=True)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]  # another worker took it
        session.rollback()
        return True
    link_similar(session, case, now)
    session.commit()
    return True


def link_pending(session: Session, *, now: datetime, limit: int = 100_000) -> int:
    """Check every waiting case; how many were checked."""
    count = 0
    while count < limit and link_once(session, now=now):
        count += 1
    return count


SHOWN_LINKS = 50  # a case lists at most this many similar cases, the newest links first


def similar_to(session: Session, case_id: int) -> list[tuple[CaseLink, Case]]:
    """Links in both directions, with the other case (the newest SHOWN_LINKS)."""
    rows = session.scalars(
        select(CaseLink)
        .where(or_(CaseLink.case_id == case_id, CaseLink.similar_case_id == case_id))
        .order_by(CaseLink.id.desc())
        .limit(SHOWN_LINKS)
    ).all()
    result = []
    for link in rows:
        other = session.get(Case, link.similar_case_id if link.case_id == case_id else link.case_id)
        if other is not None:
            result.append((link, other))
    return result


def visible_similar(session: Session, *, actor: Actor, case_id: int) -> list[tuple[CaseLink, Case]]:
    """The links of a case the actor may see, each with the other case — a link never reveals a case
    outside the actor's scope (the API and the case page both list these)."""
    from govgrid.services.cases.queries import get_case

    get_case(session, actor=actor, case_id=case_id)
    visible = []
    for link, other in similar_to(session, case_id):
        try:
            get_case(session, actor=actor, case_id=other.id)
        except DomainError:
            continue
        visible.append((link, other))
    return visible


def merge_into(
    session: Session, *, actor: Actor, rules: CaseRules, case_id: int, into_case_id: int, now: datetime
) -> Case:
    """并案: the repeat is cancelled with a note naming the case it joins; the link records the merge.
    Only a case still awaiting verification or registration can be merged."""
    from govgrid.services.cases.queries import get_case
    from govgrid.services.cases.steps import transition

    target = get_case(session, actor=actor, case_id=into_case_id)
    repeat = get_case(session, actor=actor, case_id=case_id)
    if repeat.id == target.id:
        raise InvalidInput("不能与自身并案", field="into")
    if repeat.district_code != target.district_code:
        raise InvalidInput("不能与其他区县的案件并案", field="into")
    if repeat.status not in (Status.REPORTED.value, Status.VERIFIED.value):
        raise InvalidInput("只有待核实、待立案的案件可以并案", field="status")
    link = session.scalar(
        select(CaseLink).where(
            or_(
                (CaseLink.case_id == repeat.id) & (CaseLink.similar_case_id == target.id),
                (CaseLink.case_id == target.id) & (CaseLink.similar_case_id == repeat.id),
            )
        )
    )
    if link is None:
        link = CaseLink(
            district_code=repeat.district_code,
            case_id=repeat.id,
            similar_case_id=target.id,
            reason="manual",
            distance_m=None,
            created_at=now,
        )
        session.add(link)
    link.is_merged = True
    return transition(
        session,
        actor=actor,
        rules=rules,
        case_id=repeat.id,
        step=Step.CANCEL,
        now=now,
        note=f"并案至 {target.code}",
    )
