"""Work-order use cases. Every status change goes through `transition`, which checks the permission
table, applies the loop's transition table, compares and sets the case version (of two concurrent steps
one wins, the other gets a Conflict) and writes exactly one append-only history row."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select, true, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from govgrid.db.case_models import Attachment, Case, CaseTransition
from govgrid.db.models import Area, OrgUnit
from govgrid.domain.areas import AreaLevel
from govgrid.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from govgrid.domain.follow import new_secret as new_follow_secret
from govgrid.domain.follow import normalized
from govgrid.domain.permissions import Action, Actor, Reach, authorize, reach, scope_filter
from govgrid.domain.public_note import check_public_note
from govgrid.domain.roles import Role
from govgrid.domain.similarity import metres_between
from govgrid.domain.sources import Channel, client_id, source_of
from govgrid.domain.text import check_chars, required
from govgrid.domain.workflow import FINAL, START, Loop, Status, Step, callback_answers, next_status
from govgrid.domain.worktime import Deadline
from govgrid.geo.crs import Crs
from govgrid.services import blobs
from govgrid.services.case_rules import CaseRules
from govgrid.services.locate import LocatorCache

STEP_ACTION = {
    Step.VERIFY: Action.VERIFY_CASE, Step.REGISTER: Action.REGISTER_CASE, Step.CANCEL: Action.REGISTER_CASE,
    Step.DISPATCH: Action.DISPATCH_CASE, Step.SIGN: Action.HANDLE_CASE, Step.HANDLE: Action.HANDLE_CASE,
    Step.FEED_BACK: Action.HANDLE_CASE, Step.RETURN: Action.HANDLE_CASE, Step.CONTACT: Action.HANDLE_CASE,
    Step.CHECK_PASS: Action.CHECK_CASE, Step.CHECK_FAIL: Action.CHECK_CASE, Step.PARK: Action.MANAGE_CASE,
    Step.UNPARK: Action.MANAGE_CASE, Step.FORCE_CLOSE: Action.MANAGE_CASE, Step.CALL_BACK: Action.DISPATCH_CASE,
    Step.EVALUATE: Action.MANAGE_CASE, Step.EXCLUDE: Action.MANAGE_CASE,
}  # fmt: skip
MAX_TEXT = 4000
log = logging.getLogger("govgrid.cases")


@dataclass(frozen=True)
class Report:
    """What an intake channel hands in. Location by point (any CRS) or by address text."""

    channel: str
    class_code: str
    title: str
    description: str = ""
    external_id: str | None = None  # the sender's own key: a connector's order number, a person's client_id
    lng: float | None = None
    lat: float | None = None
    crs: Crs = Crs.GCJ02
    address: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    urgency: str = "general"
    loop: Loop = Loop.URBAN


def report(session: Session, *, actor: Actor, rules: CaseRules, locator: LocatorCache, data: Report,
           now: datetime, photos: Sequence[blobs.Upload] = (), media_dir: Path | None = None) -> tuple[Case, bool]:  # fmt: skip
    """Take a report in, with its checked photos, in one transaction: nothing is written unless all is
    valid. A retry — the same sender with the same external id (a connector's order number, a person's
    client_id) — returns the first case unchanged, and only to that sender as far as it may still see it;
    nobody else can reach or pre-empt a sender's numbers. Returns (case, is_new)."""
    source, key = retry_key(rules, actor, data)
    if key is not None and (earlier := _by_source_key(session, source, key)) is not None:
        return _replay(session, actor, earlier), False
    case = _new_case(session, actor=actor, rules=rules, locator=locator, data=data, now=now, source=source,
                     key=key)  # fmt: skip
    try:
        session.flush()
    except IntegrityError:  # the unique (source, external id): the same sender's retry won a race
        session.rollback()
        earlier = _by_source_key(session, source, key or "")
        if earlier is None:
            raise
        return _replay(session, actor, earlier), False
    record_history(session, case, actor=actor, step="report", from_status=None, now=now, note=data.title)
    for photo in photos:
        if media_dir is None:
            raise ValueError("photos need a media folder")
        add_photo(session, case, actor=actor, photo=photo, media_dir=media_dir, now=now)
    session.commit()  # possible repeats are linked by the worker (services.similar.link_once), off this path
    return case, True


def add_photo(session: Session, case: Case, *, actor: Actor, photo: blobs.Upload, media_dir: Path,
              now: datetime) -> Attachment:  # fmt: skip
    """The one writer of a case photo (the caller commits): permission, the file by its hash, its row and
    a history row. A closed or cancelled case takes no more photos."""
    authorize(actor, Action.ATTACH_PHOTO, area_code=case.scope_code, owner_id=case.reporter_id,
              unit_id=case.unit_id)  # fmt: skip
    if Status(case.status) in FINAL:
        raise InvalidInput("案件已办结，不能再添加照片", field="photo")
    saved = Attachment(case_id=case.id, uploaded_by=actor.username, uploaded_at=now, filename=photo.filename,
                       content_type=photo.content_type, size=len(photo.data), sha256=blobs.store(media_dir, photo.data))  # fmt: skip
    session.add(saved)
    session.flush()
    record_history(session, case, actor=actor, step="photo", from_status=case.status, now=now,
                   note=f"上传照片 {photo.filename}", detail={"attachment_id": saved.id})  # fmt: skip
    return saved


def retry_key(rules: CaseRules, actor: Actor, data: Report) -> tuple[str, str | None]:
    """(the sender's namespace, its key for this report), after checking that the sender may use the
    channel: a connector's channel is its own; people report through the person channels only."""
    check_channel(rules, actor, data.channel)
    if actor.role is Role.CONNECTOR:
        return source_of(actor), check_chars(data.external_id or "", "external_id") or None
    return source_of(actor), client_id(data.external_id)


def check_channel(rules: CaseRules, actor: Actor, channel: str) -> None:
    owner = rules.channel_owner(channel)
    if owner is not None:
        if actor.role is not Role.CONNECTOR or actor.source != owner.id:
            raise InvalidInput(f"渠道“{channel}”只接收“{owner.name}”用其连接器密钥推送的工单", field="channel")
        return
    if actor.role is Role.CONNECTOR:
        raise InvalidInput("外部系统只能在自己的渠道上推送", field="channel")
    if channel not in {c.value for c in Channel}:
        raise InvalidInput(f"渠道“{channel[:24]}”不存在", field="channel")
    if actor.role is Role.CITIZEN and channel not in (Channel.CITIZEN.value, Channel.OPEN311.value):
        raise InvalidInput("市民上报的渠道只能是 citizen", field="channel")


def _by_source_key(session: Session, source: str, key: str) -> Case | None:
    return session.scalar(select(Case).where(Case.source == source, Case.external_id == key))


def _replay(session: Session, actor: Actor, case: Case) -> Case:
    """The first case of a retry, for its own sender; a person who may no longer see it learns nothing."""
    if actor.role is Role.CONNECTOR:
        return case  # the connector's own order: it gets the receipt
    try:
        return get_case(session, actor=actor, case_id=case.id)
    except (NotFound, Forbidden):
        raise Conflict("该 client_id 已经用过，请为新的上报生成新的 client_id", field="client_id") from None


def _new_case(session: Session, *, actor: Actor, rules: CaseRules, locator: LocatorCache, data: Report,
              now: datetime, source: str, key: str | None) -> Case:  # fmt: skip
    case_class = rules.case_class(data.class_code)
    check_text(data)
    grid_code, lng, lat = _place(session, locator, data)
    scope = grid_code or _district_code(session)
    # A citizen (reach "own") reports anywhere, as themselves; staff report only inside their area —
    # being the reporter must not count as being "in scope" for them.
    is_own_reach = reach(actor, Action.REPORT_CASE) is Reach.OWN
    authorize(actor, Action.REPORT_CASE, area_code=scope, owner_id=actor.user_id if is_own_reach else None)
    case = Case(
        loop=data.loop.value,
        status=START[data.loop].value, version=1, channel=data.channel, source=source, external_id=key,
        class_code=case_class.code, title=data.title.strip(), description=data.description, address=data.address,
        lng=lng, lat=lat, grid_code=grid_code, scope_code=scope, reporter_id=actor.user_id,
        reporter_name=data.reporter_name, reporter_phone=data.reporter_phone, urgency=data.urgency,
        follow_secret=new_follow_secret(), reported_at=now, rework_count=0, is_overdue=False, supervision_level=0,
        **deadline_columns(acceptance_deadline(rules, data, now)),
    )  # fmt: skip
    session.add(case)
    return case


def acceptance_deadline(rules: CaseRules, data: Report, now: datetime) -> Deadline | None:
    """12345 orders must be dispatched within a limit from acceptance (派单时限); urban reports have none."""
    if data.loop is not Loop.HOTLINE:
        return None
    amount, unit = rules.limit_for(data.class_code, data.loop.value, data.urgency, at_dispatch=False)
    return rules.calendar.due(now, amount, unit)


def deadline_columns(deadline: Deadline | None) -> dict[str, Any]:
    """A deadline as the case stores it. One counted over a provisional year is marked and logged."""
    if deadline is None:
        return {"due_at": None, "due_is_provisional": False}
    if deadline.is_provisional:
        log.warning("期限 %s 按暂定日历计算（当年节假日安排尚未录入，未含调休）", deadline.at.isoformat())
    return {"due_at": deadline.at, "due_is_provisional": deadline.is_provisional}


def _district_code(session: Session) -> str:
    """Where a case without a point belongs until it is located: the whole district."""
    code = session.scalar(select(Area.code).where(Area.level == AreaLevel.DISTRICT.value).order_by(Area.code))
    if code is None:
        raise InvalidInput("尚未导入区县边界，无法受理案件", field="lng")
    return code


LIMITS = {"title": 200, "description": MAX_TEXT, "address": 200, "external_id": 64, "reporter_name": 64,
          "reporter_phone": 32, "channel": 24}  # fmt: skip


def check_text(data: Report) -> None:
    """Text fields within their column sizes (the same answer on SQLite and PostgreSQL), with no control
    characters, and a title that says something."""
    required(data.title, "title", "标题")
    for field, limit in LIMITS.items():
        value = check_chars(getattr(data, field) or "", field)
        if len(value) > limit:
            raise InvalidInput(f"{field} 过长（{len(value)} 字，上限 {limit}）", field=field)


def _place(
    session: Session, locator: LocatorCache, data: Report
) -> tuple[str | None, float | None, float | None]:
    """The grid of the report's point; a point outside the district is refused, never guessed."""
    if data.lng is None or data.lat is None:
        if not data.address.strip():
            raise InvalidInput("须提供坐标（lng、lat）或地址", field="lng")
        named = locator.get(session).geocode(data.address)
        if named is None or not named.is_inside:  # kept at district scope, for the center to locate
            return None, None, None
        return named.grid_code, named.lng, named.lat
    found = locator.get(session).locate(data.lng, data.lat, data.crs)
    if not found.is_inside:
        raise InvalidInput(found.message, field="lng")
    return found.grid_code, found.lng, found.lat


def record_history(session: Session, case: Case, *, actor: Actor, step: str, from_status: str | None, now: datetime,
             note: str = "", detail: dict[str, Any] | None = None, public_note: str = "") -> None:  # fmt: skip
    """The one writer of a case's history row (the caller commits). `public_note` must have been checked."""
    session.add(CaseTransition(case_id=case.id, at=now, actor_id=actor.user_id, actor_name=actor.username,
                               step=step, from_status=from_status, to_status=case.status, note=note,
                               public_note=public_note, detail=detail or {}))  # fmt: skip


def get_case(session: Session, *, actor: Actor, case_id: int) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"案件 {case_id} 不存在")
    authorize(actor, Action.READ_CASES, area_code=case.scope_code, owner_id=case.reporter_id,
              unit_id=case.unit_id)  # fmt: skip
    return case


def transition(session: Session, *, actor: Actor, rules: CaseRules, case_id: int, step: Step, now: datetime,
               note: str = "", unit_code: str | None = None, expected_version: int | None = None,
               answers: dict[str, object] | None = None, closure_type: str | None = None,
               public_note: str = "") -> Case:  # fmt: skip
    """Take one step on a case (the only way its status changes). 回访 needs the citizen's answers;
    `public_note` is what the public may read about the step (checked for personal data)."""
    case = get_case(session, actor=actor, case_id=case_id)
    authorize(actor, STEP_ACTION[step], area_code=case.scope_code, owner_id=case.reporter_id,
              unit_id=case.unit_id)  # fmt: skip
    check_chars(note, "note")
    published = check_public_note(public_note, reporter_name=case.reporter_name)
    before = Status(case.status)
    after = next_status(Loop(case.loop), before, step)
    changes = _effects(session, rules, case, step, after, now, unit_code)
    if step is Step.FORCE_CLOSE and closure_type is not None:  # 强制结案 as 特殊 (default) or 差错
        if closure_type not in ("special", "error"):
            raise InvalidInput("强制结案的结案类型须为 special（特殊）或 error（差错）", field="closure_type")
        changes["closure_type"] = closure_type
    callback = None
    if step is Step.CALL_BACK:  # checked before anything is written
        given = answers or {}
        callback = callback_answers(given.get("contacted"), given.get("resolved"), given.get("satisfaction"))
    compare_and_set(session, case, expected_version, status=after.value, **changes)
    detail = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in changes.items()}
    if callback is not None:
        detail["callback"] = callback
    record_history(
        session,
        case,
        actor=actor,
        step=step.value,
        from_status=before.value,
        now=now,
        note=note,
        detail=detail,
        public_note=published,
    )
    session.commit()
    return case


def compare_and_set(session: Session, case: Case, expected_version: int | None, **values: Any) -> None:
    """Write `values` only if the case is still at the version the caller saw; else Conflict (409)."""
    version = case.version if expected_version is None else expected_version
    done = session.execute(update(Case).where(Case.id == case.id, Case.version == version)
                           .values(version=version + 1, **values))  # fmt: skip
    if done.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict("案件已被他人处理（状态已变化），请刷新后重试", field="version")
    session.refresh(case)


def _effects(session: Session, rules: CaseRules, case: Case, step: Step, after: Status, now: datetime,
             unit_code: str | None) -> dict[str, Any]:  # fmt: skip
    """What else a step changes besides the status: the unit and the clock, closure, rework."""
    if step is Step.DISPATCH:
        unit = _unit(session, unit_code or suggested_unit(rules, case))
        amount, time_unit = rules.limit_for(case.class_code, case.loop, case.urgency, at_dispatch=True)
        return {"unit_id": unit.id, "dispatched_at": now, "is_overdue": False, "warned_at": None,
                "supervision_level": 0, **deadline_columns(rules.calendar.due(now, amount, time_unit))}  # fmt: skip
    if step is Step.RETURN:
        return {"unit_id": None, **deadline_columns(None)}
    if step is Step.CHECK_FAIL:
        return {"rework_count": case.rework_count + 1}
    if after is Status.CLOSED:
        late = case.due_at is not None and now > case.due_at
        kind = "special" if step is Step.FORCE_CLOSE else ("overdue" if late else "normal")
        return {"closed_at": now, "closure_type": kind}
    return {}


def reschedule_provisional(session: Session, *, actor: Actor, rules: CaseRules, now: datetime) -> int:
    """Once a year's notice is entered: recompute every open case's provisional deadline from its clock
    start (派遣, or 受理 for a 12345 order not yet dispatched). Each is a compare-and-set with one history
    row; a deadline moved by an approved 延期 is the date the center granted and stays."""
    from govgrid.domain.history import SideAction

    moved = 0
    waiting = select(Case.id).where(Case.due_is_provisional.is_(True), Case.status.not_in([s.value for s in FINAL]))
    for case_id in session.scalars(waiting).all():
        case = session.get(Case, case_id)
        if case is None or case.due_at is None or case.extension_state == "approved":
            continue
        start = case.dispatched_at or case.reported_at
        amount, unit = rules.limit_for(case.class_code, case.loop, case.urgency,
                                       at_dispatch=case.dispatched_at is not None)  # fmt: skip
        deadline = rules.calendar.due(start, amount, unit)
        before = case.due_at
        try:
            compare_and_set(session, case, None, **deadline_columns(deadline))
        except Conflict:
            continue  # someone moved it meanwhile; its next step recomputes the deadline anyway
        record_history(session, case, actor=actor, step=SideAction.RESCHEDULE.value, from_status=case.status,
                       now=now, note=f"按正式节假日安排重算期限：{before.isoformat()} → {deadline.at.isoformat()}",
                       detail={"due_at": deadline.at.isoformat(), "was": before.isoformat(),
                               "provisional": deadline.is_provisional})  # fmt: skip
        session.commit()
        moved += 1
    return moved


def suggested_unit(rules: CaseRules, case: Case) -> str:
    """The unit the responsibility list names for this class and grid (属地兜底 when none)."""
    unit = rules.responsibility.unit_for(rules.case_class(case.class_code), case.grid_code)
    if unit is None:
        raise InvalidInput("案件没有网格位置，无法按属地确定责任单位：请指定 unit_code", field="unit_code")
    return unit


def _unit(session: Session, code: str) -> OrgUnit:
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        raise InvalidInput(f"责任单位“{code}”不存在", field="unit_code")
    return unit


def visible_cases(actor: Actor) -> Any:
    """The SQL condition for the cases an actor may see: in their area, their unit's, or their own."""
    narrowing = scope_filter(actor, Action.READ_CASES)
    if narrowing.everything:
        return true()
    clauses = [Case.reporter_id == narrowing.owner_id]
    if narrowing.area_prefix:
        clauses.append(Case.scope_code.startswith(narrowing.area_prefix))
    if narrowing.unit_id is not None:
        clauses.append(Case.unit_id == narrowing.unit_id)
    return or_(*clauses)


def list_cases(session: Session, *, actor: Actor, status: Status | None = None, limit: int = 200,
               near: tuple[float, float] | None = None) -> list[Case]:  # fmt: skip
    """Cases the actor may see: in their area, assigned to their unit, or reported by them; nearest first
    when `near` (a stored GCJ-02 point) is given — a grid worker's 核查 tasks near where they stand."""
    query = select(Case).where(visible_cases(actor)).order_by(Case.id.desc()).limit(min(max(limit, 1), 2000))
    if status is not None:
        query = query.where(Case.status == status.value)
    found = list(session.scalars(query))
    if near is not None:
        found.sort(key=lambda c: metres_between(near[0], near[1], c.lng, c.lat) if c.lng is not None
                   and c.lat is not None else float("inf"))  # fmt: skip
    return found


def timeline(session: Session, *, actor: Actor, case_id: int) -> list[CaseTransition]:
    get_case(session, actor=actor, case_id=case_id)
    return list(session.scalars(select(CaseTransition).where(CaseTransition.case_id == case_id)
                                .order_by(CaseTransition.id)))  # fmt: skip


def follow(session: Session, *, code: str, secret: str) -> tuple[Case, list[CaseTransition]]:
    """Anyone follows a case by its number and its 查询码 (given on the receipt). One answer for every
    mismatch, so numbers cannot be probed; the page shows no personal data. The caller throttles failures."""
    import hmac

    from govgrid.db.case_models import case_id_from_code

    missing = NotFound("未找到该案件：请核对案件编号和查询码")
    case_id = case_id_from_code(code.strip())
    if case_id is None:
        raise missing
    case = session.get(Case, case_id)
    if case is None or case.code != code.strip() or not case.follow_secret or \
            not hmac.compare_digest(case.follow_secret, normalized(secret)):  # fmt: skip
        raise missing
    rows = session.scalars(select(CaseTransition).where(CaseTransition.case_id == case.id)
                           .order_by(CaseTransition.id)).all()  # fmt: skip
    return case, list(rows)
