"""Taking a report in: who may report through which channel, the sender's own retry key, what a report must
be and where it may be filed (`admit`), the case built from it (`case_row`: class, text, place, deadline,
查询码) and its first history row. The one builder of a new case for every path — pages, the API, Open311,
connectors, bulk intake and a replayed history (services.cases.replay)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, func, select, union
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case
from govgrid.db.models import Area
from govgrid.domain.areas import AreaLevel, home_of, is_city_scope
from govgrid.domain.case_fields import LABELS, LENGTHS, is_phone
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.errors import Conflict, Forbidden, InvalidInput, NotFound
from govgrid.domain.follow import new_secret as new_follow_secret
from govgrid.domain.permissions import Action, Actor, Reach, authorize, reach
from govgrid.domain.roles import Role
from govgrid.domain.sources import Channel, client_id, source_of
from govgrid.domain.text import check_chars, required
from govgrid.domain.workflow import START, Loop
from govgrid.domain.worktime import Deadline
from govgrid.geo.crs import Crs, to_stored
from govgrid.geo.index import NOWHERE
from govgrid.services import blobs
from govgrid.services.cases.history import record_history
from govgrid.services.cases.photos import add_photo
from govgrid.services.cases.queries import get_case
from govgrid.services.geo.locate import LocatorCache

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
    must_place: bool = False  # the report pages: an address the gazetteer does not know is refused, not
    # left at district scope for the center (a person at the place can tap the map or use their position)


def report(
    session: Session,
    *,
    actor: Actor,
    rules: CaseRules,
    locator: LocatorCache,
    data: Report,
    now: datetime,
    photos: Sequence[blobs.Upload] = (),
    media_dir: Path | None = None,
) -> tuple[Case, bool]:
    """Take a report in, with its checked photos, in one transaction: nothing is written unless all is
    valid. A retry — the same sender with the same external id (a connector's order number, a person's
    client_id) — returns the first case unchanged, and only to that sender as far as it may still see it;
    nobody else can reach or pre-empt a sender's numbers. Returns (case, is_new)."""
    source, key = retry_key(rules, actor, data)
    if key is not None and (earlier := _by_source_key(session, source, key)) is not None:
        return _replay(session, actor, earlier), False
    case = _new_case(
        session, actor=actor, rules=rules, locator=locator, data=data, now=now, source=source, key=key
    )
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
            raise InvalidInput(
                f"渠道“{channel}”只接收“{owner.name}”用其连接器密钥推送的工单", field="channel"
            )
        return
    if actor.role is Role.CONNECTOR:
        raise InvalidInput("外部系统只能在自己的渠道上推送", field="channel")
    check_known_channel(rules, channel)
    if actor.role is Role.CITIZEN and channel not in (Channel.CITIZEN.value, Channel.OPEN311.value):
        raise InvalidInput("市民上报的渠道只能是 citizen", field="channel")


def check_known_channel(rules: CaseRules, channel: str) -> None:
    """A channel of this deployment: a person channel or a connector's."""
    if rules.channel_owner(channel) is None and channel not in {c.value for c in Channel}:
        raise InvalidInput(f"渠道“{channel[:24]}”不存在", field="channel")


def _by_source_key(session: Session, source: str, key: str) -> Case | None:
    return session.scalar(select(Case).where(*by_retry_key(source, [key])))


def by_retry_key(source: str, keys: Sequence[str]) -> tuple[ColumnElement[bool], ...]:
    """The cases under a sender's keys, through the unique index (district_code, source, external_id): the
    district column leads the index, so it is named (every district of the deployment) or the lookup
    would read the whole table."""
    districts = select(Area.code).where(Area.level == AreaLevel.DISTRICT.value)
    cities = select(func.substr(Area.code, 1, 4).concat("00")).where(Area.level == AreaLevel.DISTRICT.value)
    homes = union(districts, cities)  # and the cities' own partitions (their 12345 centers' orders)
    return (Case.district_code.in_(homes), Case.source == source, Case.external_id.in_(keys))


def known_keys(session: Session, source: str, keys: Sequence[str]) -> set[str]:
    """Which of a sender's keys already name a case (900 keys to a query)."""
    found: set[str] = set()
    for start in range(0, len(keys), 900):
        found.update(
            key
            for key in session.scalars(
                select(Case.external_id).where(*by_retry_key(source, keys[start : start + 900]))
            )
            if key
        )
    return found


def _replay(session: Session, actor: Actor, case: Case) -> Case:
    """The first case of a retry, for its own sender; a person who may no longer see it learns nothing."""
    if actor.role is Role.CONNECTOR:
        return case  # the connector's own order: it gets the receipt
    try:
        return get_case(session, actor=actor, case_id=case.id)
    except (NotFound, Forbidden):
        raise Conflict("该 client_id 已经用过，请为新的上报生成新的 client_id", field="client_id") from None


@dataclass(frozen=True)
class Place:
    """Where a report is filed: its grid and point (GCJ-02), or none yet (kept at district scope)."""

    grid_code: str | None
    lng: float | None
    lat: float | None
    scope_code: str


def admit(rules: CaseRules, actor: Actor, data: Report, place: Place) -> None:
    """What every new case must pass, however it comes in: a class of the catalogue, text within its
    columns, and a sender who may report there — a citizen (reach "own") anywhere, as themselves; staff
    only inside their area (being the reporter must not count as being "in scope" for them)."""
    check_report(rules, data)
    is_own_reach = reach(actor, Action.REPORT_CASE) is Reach.OWN
    authorize(
        actor,
        Action.REPORT_CASE,
        area_code=place.scope_code,
        owner_id=actor.user_id if is_own_reach else None,
    )


def case_row(
    rules: CaseRules, actor: Actor, data: Report, place: Place, *, source: str, key: str | None, now: datetime
) -> dict[str, Any]:
    """The columns of a new case from an admitted report (its id is the database's)."""
    return {
        "district_code": home_of(place.scope_code),
        "loop": data.loop.value,
        "status": START[data.loop].value,
        "version": 1,
        "channel": data.channel,
        "source": source,
        "external_id": key,
        "class_code": rules.case_class(data.class_code).code,
        "title": data.title.strip(),
        "description": data.description,
        "address": data.address,
        "lng": place.lng,
        "lat": place.lat,
        "grid_code": place.grid_code,
        "scope_code": place.scope_code,
        "reporter_id": actor.user_id,
        "reporter_name": data.reporter_name,
        "reporter_phone": data.reporter_phone,
        "urgency": data.urgency,
        "follow_secret": new_follow_secret(),
        "reported_at": now,
        "rework_count": 0,
        "is_overdue": False,
        "supervision_level": 0,
        "links_checked": False,
        **deadline_columns(acceptance_deadline(rules, data, now)),
    }


def _new_case(
    session: Session,
    *,
    actor: Actor,
    rules: CaseRules,
    locator: LocatorCache,
    data: Report,
    now: datetime,
    source: str,
    key: str | None,
) -> Case:
    check_report(rules, data)  # what the report says is checked before where it is looked up
    if data.loop is Loop.HOTLINE and is_city_scope(actor.scope_code):
        place = city_order_place(session, locator, data, actor.scope_code or "")
    else:
        place = place_of(session, locator, data, taker=actor.scope_code)
    admit(rules, actor, data, place)
    case = Case(**case_row(rules, actor, data, place, source=source, key=key, now=now))
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


def _district_code(session: Session, taker: str | None = None) -> str:
    """Where a case without a point belongs until it is located: the whole district of whoever took it (the
    first six digits of their scope) — in a city's deployment never "the first district"; with no scope (a
    citizen) the deployment's district when it has only one, else the report must name its place."""
    districts = list(
        session.scalars(select(Area.code).where(Area.level == AreaLevel.DISTRICT.value).order_by(Area.code))
    )
    if not districts:
        raise InvalidInput("尚未导入区县边界，无法受理案件", field="lng")
    if taker and taker[:6] in districts:
        return taker[:6]
    if len(districts) == 1:
        return districts[0]
    raise InvalidInput("本平台含多个区县，未找到该地址：请在地图上点选位置", field="address")


def check_report(rules: CaseRules, data: Report) -> None:
    """What a report must say, wherever it is filed: a class of the catalogue and its text."""
    if not data.class_code.strip():
        raise InvalidInput("请选择分类", field="class_code")
    rules.case_class(data.class_code)
    check_text(data)


def check_text(data: Report) -> None:
    """Text fields within their column sizes (the same answer on SQLite and PostgreSQL), with no control
    characters, and a title that says something."""
    required(data.title, "title", "标题")
    for field, limit in LENGTHS.items():
        value = check_chars(getattr(data, field) or "", field)
        if len(value) > limit:
            raise InvalidInput(f"{LABELS[field]}过长（{len(value)} 字，上限 {limit}）", field=field)
    if data.reporter_phone and not is_phone(data.reporter_phone):
        raise InvalidInput(
            f"联系电话“{data.reporter_phone[:20]}”无效：只能含数字、空格、+ 和 -", field="reporter_phone"
        )


def places_of(
    session: Session, locator: LocatorCache, reports: Sequence[Report]
) -> list[Place | InvalidInput]:
    """`place_of` for many reports at once (a replayed history): the points located in one vectorised
    query; a report by address, or a point outside, goes through `place_of` itself."""
    located = locator.get(session)
    found: list[Place | InvalidInput | None] = [None] * len(reports)
    pointed: list[tuple[int, float, float]] = []
    for number, data in enumerate(reports):
        if data.lng is None or data.lat is None:
            continue
        try:
            pointed.append((number, *to_stored(data.lng, data.lat, data.crs)))
        except InvalidInput as exc:
            found[number] = exc
    if pointed:
        xy = np.array([(x, y) for _, x, y in pointed], dtype=float)
        hits = located.index.locate_many(xy[:, 0], xy[:, 1])
        for (number, x, y), hit in zip(pointed, hits, strict=True):
            if hit != NOWHERE:
                code = located.index.codes[int(hit)]
                found[number] = Place(code, x, y, code)
    for number, place in enumerate(found):
        if place is None:
            try:
                found[number] = place_of(session, locator, reports[number])
            except InvalidInput as exc:
                found[number] = exc
    return [place for place in found if place is not None]


def place_of(session: Session, locator: LocatorCache, data: Report, taker: str | None = None) -> Place:
    """The grid of the report's point; a point outside the district is refused, never guessed. A report
    by address names its place, or waits at the scope of the district that took it (`taker`: the scope of
    who took it) for the center to locate it."""
    if data.lng is None or data.lat is None:
        if not data.address.strip():
            raise InvalidInput("须提供位置：在地图上点选、使用当前位置，或填写地址", field="address")
        named = locator.get(session).geocode(data.address)
        if named is None or not named.is_inside:
            if data.must_place:
                raise InvalidInput(
                    f"未找到地址“{data.address.strip()[:40]}”：请在地图上点选位置，或使用当前位置",
                    field="address",
                )
            return Place(None, None, None, _district_code(session, taker))
        return Place(named.grid_code, named.lng, named.lat, named.grid_code or _district_code(session, taker))
    found = locator.get(session).locate(data.lng, data.lat, data.crs)
    if not found.is_inside:
        raise InvalidInput(found.message, field="lng")
    return Place(found.grid_code, found.lng, found.lat, found.grid_code or _district_code(session))


def city_order_place(session: Session, locator: LocatorCache, data: Report, city: str) -> Place:
    """A city's 12345 order stays in the city's own partition until its center hands it to a district
    (services.cases.forwarding): its point and grid are kept — where it is, and which district to hand it
    to — its scope is the city's. A point outside every district is refused, an unknown address kept."""
    if data.lng is not None and data.lat is not None:
        found = place_of(session, locator, data)
        return Place(found.grid_code, found.lng, found.lat, city)
    if not data.address.strip():
        raise InvalidInput("须提供位置：在地图上点选、使用当前位置，或填写地址", field="address")
    named = locator.get(session).geocode(data.address)
    if named is None or not named.is_inside or not named.grid_code:
        return Place(None, None, None, city)
    return Place(named.grid_code, named.lng, named.lat, city)
