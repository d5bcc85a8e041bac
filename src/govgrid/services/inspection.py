"""督导检查·现场评分: the one path for campaigns, scored sheets and their rectification orders — the pages and
the demo call it. A supervisor starts a campaign over the communities of an area on a sheet of
catalog/inspection_sheets.yaml, scores each place on the spot (on a phone, with photos), and any deduction
may raise a rectification order (整改意见): a case filed by the inspector through intake, on the 督导检查
channel, which then runs the normal loop to its close. Every record is audited; a resent form records once."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from shapely import from_wkb
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case
from govgrid.db.inspection_models import InspectionCampaign, InspectionDeduction, InspectionRecord
from govgrid.db.models import Area
from govgrid.domain.areas import AreaLevel
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.errors import InvalidInput, NotFound
from govgrid.domain.inspection import Sheet, rank_places, score
from govgrid.domain.permissions import Action, Actor, authorize, scope_filter
from govgrid.domain.sources import Channel
from govgrid.services import audit, blobs
from govgrid.services.cases import intake
from govgrid.services.geo.locate import LocatorCache

MAX_NAME = 64
BOARD = 3  # 红黑榜: the best and the worst three


@dataclass(frozen=True)
class Ticked:
    """A deduction ticked on the spot: its code, what the inspector saw, a photo, and whether to file it."""

    code: str
    note: str = ""
    photo: blobs.Upload | None = None
    rectify: bool = False


@dataclass(frozen=True)
class Tools:
    """What recording needs besides the session: the rules, the sheets, the locator and the media folder."""

    rules: CaseRules
    sheets: dict[str, Sheet]
    locator: LocatorCache
    media_dir: Path | None  # None: no photos (the demo's synthetic inspections)


def create_campaign(
    session: Session,
    *,
    actor: Actor,
    sheets: dict[str, Sheet],
    name: str,
    sheet_id: str,
    area_code: str,
    now: datetime,
    synthetic: bool = False,
) -> InspectionCampaign:
    """A campaign over the communities under an area in the actor's scope."""
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(f"检查名称须为 1–{MAX_NAME} 个字", field="name")
    if sheet_id not in sheets:
        raise InvalidInput(f"评分表“{sheet_id[:40]}”不存在", field="sheet_id")
    area = session.get(Area, area_code)
    if area is None:
        raise InvalidInput(f"区域“{area_code[:15]}”不存在", field="area_code")
    authorize(actor, Action.INSPECT, area_code=area_code)
    campaign = InspectionCampaign(
        district_code=area_code[:6],
        name=name,
        sheet_id=sheet_id,
        area_code=area_code,
        created_by=actor.name[:64],
        created_at=now,
        is_synthetic=synthetic,
    )
    session.add(campaign)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="inspection.campaign",
        entity_type="inspection_campaign",
        entity_id=str(campaign.id),
        now=now,
        scope_code=area_code,
        detail={"name": name, "sheet": sheet_id},
    )
    session.commit()
    return campaign


def campaigns(session: Session, *, actor: Actor) -> list[InspectionCampaign]:
    """The campaigns over the actor's scope (or within it), newest first."""
    narrowing = scope_filter(actor, Action.READ_INSPECTIONS)
    query = select(InspectionCampaign).order_by(InspectionCampaign.id.desc()).limit(500)
    found = list(session.scalars(query))
    if narrowing.everything:
        return found
    prefix = narrowing.area_prefix or "\0"
    return [c for c in found if c.area_code.startswith(prefix) or prefix.startswith(c.area_code)]


def get_campaign(session: Session, *, actor: Actor, campaign_id: int) -> InspectionCampaign:
    campaign = session.get(InspectionCampaign, campaign_id)
    if campaign is None or campaign not in campaigns(session, actor=actor):
        raise NotFound(f"督导检查 {campaign_id} 不存在", field="campaign_id")
    return campaign


def places_of(session: Session, campaign: InspectionCampaign, actor: Actor | None = None) -> list[Area]:
    """The communities a campaign inspects (those in the actor's scope, when given)."""
    rows = session.scalars(
        select(Area)
        .where(Area.level == AreaLevel.COMMUNITY.value, Area.code.startswith(campaign.area_code))
        .order_by(Area.code)
    )
    if actor is None:
        return list(rows)
    narrowing = scope_filter(actor, Action.READ_INSPECTIONS)
    prefix = "" if narrowing.everything else (narrowing.area_prefix or "\0")
    return [a for a in rows if a.code.startswith(prefix) or prefix.startswith(a.code)]


def record(
    session: Session,
    *,
    actor: Actor,
    tools: Tools,
    campaign_id: int,
    place_code: str,
    ticked: list[Ticked],
    note: str,
    client_id: str,
    now: datetime,
    point: tuple[float, float] | None = None,
) -> InspectionRecord:
    """Score a place on the campaign's sheet and file the rectification orders asked for. Everything is
    checked before anything is written; the form's client id makes a resend return the first record."""
    campaign = get_campaign(session, actor=actor, campaign_id=campaign_id)
    place = next((a for a in places_of(session, campaign) if a.code == place_code), None)
    if place is None:
        raise InvalidInput(f"“{place_code[:15]}”不是本次检查的社区（村）", field="place_code")
    authorize(actor, Action.INSPECT, area_code=place.code)
    client_id = client_id.strip()[:36]
    if not client_id:
        raise InvalidInput("表单缺少编号，请刷新后重试", field="client_id")
    where = point or _inside(place)
    earlier = _earlier(session, actor, campaign, client_id)
    if earlier is not None:  # a resend: the first record, with any rectification it could not file then
        return _file_missing(session, actor, tools, campaign, place, earlier, where, now)
    if len(note) > 2000 or any(len(t.note) > 500 for t in ticked):
        raise InvalidInput("说明过长（总说明至多 2000 字，每项至多 500 字）", field="note")
    sheet = sheet_of(tools.sheets, campaign)
    total, _ = score(sheet, [t.code for t in ticked])
    if any(t.rectify for t in ticked):  # where its cases will be filed is checked before anything is written
        probe = intake.Report(
            channel=Channel.INSPECTION.value, class_code="", title="", lng=where[0], lat=where[1]
        )
        intake.place_of(session, tools.locator, probe)
    saved = InspectionRecord(
        district_code=campaign.district_code,
        campaign_id=campaign.id,
        place_code=place.code,
        inspector_id=actor.user_id,
        inspector_name=actor.name[:64],
        inspected_at=now,
        score=total,
        note=note.strip(),
        client_id=client_id,
    )
    session.add(saved)
    session.flush()
    rows = []
    for tick in ticked:
        item, deduction = sheet.deduction(tick.code)
        photo = None
        if tick.photo is not None:
            if tools.media_dir is None:
                raise ValueError("photos need a media folder")
            photo = blobs.save_upload(tools.media_dir, tick.photo, actor_name=actor.name, now=now)
        row = InspectionDeduction(
            district_code=campaign.district_code,
            record_id=saved.id,
            item_code=item.code,
            deduction_code=deduction.code,
            points=deduction.points,
            note=tick.note.strip(),
            photo=_json(photo),
            rectify=tick.rectify,
        )
        session.add(row)
        rows.append((row, tick))
    try:
        session.flush()
    except IntegrityError:  # the same form sent twice at once: the other one recorded it
        session.rollback()
        again = _earlier(session, actor, campaign, client_id)
        if again is None:
            raise
        return _file_missing(session, actor, tools, campaign, place, again, where, now)
    audit.record(
        session,
        actor=actor,
        action="inspection.record",
        entity_type="inspection_record",
        entity_id=str(saved.id),
        now=now,
        scope_code=place.code,
        detail={"campaign": campaign.id, "score": total, "deductions": [t.code for t in ticked]},
    )
    session.commit()
    for row, tick in rows:
        if tick.rectify:
            row.case_id = _rectify(session, actor, tools, campaign, place, row, tick, where, now).id
            session.commit()
    return saved


def sheet_of(sheets: dict[str, Sheet], campaign: InspectionCampaign) -> Sheet:
    sheet = sheets.get(campaign.sheet_id)
    if sheet is None:
        raise NotFound(f"评分表“{campaign.sheet_id}”已不在目录中", field="sheet_id")
    return sheet


def _earlier(
    session: Session, actor: Actor, campaign: InspectionCampaign, client_id: str
) -> InspectionRecord | None:
    """The record this form already made; a form id another inspector or campaign used is refused."""
    found = session.scalar(
        select(InspectionRecord).where(
            InspectionRecord.district_code == campaign.district_code, InspectionRecord.client_id == client_id
        )
    )
    if found is not None and (found.inspector_id != actor.user_id or found.campaign_id != campaign.id):
        raise InvalidInput("表单编号已被使用，请刷新后重试", field="client_id")
    return found


def _file_missing(
    session: Session,
    actor: Actor,
    tools: Tools,
    campaign: InspectionCampaign,
    place: Area,
    saved: InspectionRecord,
    where: tuple[float, float],
    now: datetime,
) -> InspectionRecord:
    """File the rectification cases a record asked for and does not have yet (a failure half-way)."""
    missing = session.scalars(
        select(InspectionDeduction).where(
            InspectionDeduction.district_code == saved.district_code,
            InspectionDeduction.record_id == saved.id,
            InspectionDeduction.rectify.is_(True),
            InspectionDeduction.case_id.is_(None),
        )
    ).all()
    for row in missing:
        tick = Ticked(row.deduction_code, note=row.note, rectify=True)
        row.case_id = _rectify(session, actor, tools, campaign, place, row, tick, where, now).id
        session.commit()
    return saved


def _json(photo: dict[str, Any] | None) -> dict[str, Any] | None:
    if photo is None:
        return None
    return {**photo, "uploaded_at": photo["uploaded_at"].isoformat()}


def _inside(place: Area) -> tuple[float, float]:
    point = from_wkb(place.geometry_wkb).representative_point()
    return round(point.x, 6), round(point.y, 6)


def _rectify(
    session: Session,
    actor: Actor,
    tools: Tools,
    campaign: InspectionCampaign,
    place: Area,
    row: InspectionDeduction,
    tick: Ticked,
    point: tuple[float, float],
    now: datetime,
) -> Case:
    """The rectification order as a case, filed by the inspector through intake (its retry key is the
    deduction's, so a retry files one case)."""
    item, deduction = sheet_of(tools.sheets, campaign).deduction(row.deduction_code)
    seen = f"。现场情况：{tick.note.strip()}" if tick.note.strip() else ""
    if campaign.is_synthetic:
        seen += "。（合成演示数据）"
    data = intake.Report(
        channel=Channel.INSPECTION.value,
        class_code=deduction.class_code,
        title=f"督导检查整改：{place.name}{item.name}"[:60],
        description=f"{campaign.name}，{deduction.text}，扣 {deduction.points:g} 分{seen}",
        external_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"govgrid:inspection:{row.district_code}:{row.id}")),
        lng=point[0],
        lat=point[1],
    )
    case, _ = intake.report(
        session,
        actor=actor,
        rules=tools.rules,
        locator=tools.locator,
        data=data,
        now=now,
        photos=[tick.photo] if tick.photo else (),
        media_dir=tools.media_dir,
    )
    if campaign.is_synthetic and not case.is_synthetic:
        case.is_synthetic = True
    return case


def ranking(session: Session, *, actor: Actor, campaign: InspectionCampaign) -> dict[str, Any]:
    """The places by their mean score (ties share a place; those not inspected listed after), with the
    红黑榜: the best and the worst three."""
    places = places_of(session, campaign, actor)
    codes = {a.code for a in places}
    scores: dict[str, list[float]] = {}
    for code, value in session.execute(
        select(InspectionRecord.place_code, InspectionRecord.score).where(
            InspectionRecord.district_code == campaign.district_code,
            InspectionRecord.campaign_id == campaign.id,
        )
    ):
        if code in codes:
            scores.setdefault(code, []).append(value)
    ranked = rank_places([(a.code, a.name) for a in places], scores)
    scored = [p for p in ranked if p.place is not None]
    return {
        "rows": ranked,
        "red": scored[:BOARD],
        "black": list(reversed(scored[-BOARD:])) if len(scored) > BOARD else [],
        "inspected": len(scored),
        "places": len(places),
    }


def records_of(
    session: Session, *, actor: Actor, campaign: InspectionCampaign, limit: int = 50
) -> list[InspectionRecord]:
    codes = {a.code for a in places_of(session, campaign, actor)}
    rows = session.scalars(
        select(InspectionRecord)
        .where(
            InspectionRecord.district_code == campaign.district_code,
            InspectionRecord.campaign_id == campaign.id,
        )
        .order_by(InspectionRecord.inspected_at.desc(), InspectionRecord.id.desc())
    )
    return [r for r in rows if r.place_code in codes][:limit]


def get_record(
    session: Session, *, actor: Actor, record_id: int
) -> tuple[InspectionRecord, InspectionCampaign, list[InspectionDeduction]]:
    found = session.get(InspectionRecord, record_id)
    if found is None:
        raise NotFound(f"评分记录 {record_id} 不存在", field="record_id")
    campaign = get_campaign(session, actor=actor, campaign_id=found.campaign_id)
    if found.place_code not in {a.code for a in places_of(session, campaign, actor)}:
        raise NotFound(f"评分记录 {record_id} 不存在", field="record_id")
    deductions = list(
        session.scalars(
            select(InspectionDeduction)
            .where(
                InspectionDeduction.district_code == found.district_code,
                InspectionDeduction.record_id == found.id,
            )
            .order_by(InspectionDeduction.id)
        )
    )
    return found, campaign, deductions
