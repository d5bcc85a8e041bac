"""推送目标 (group robots) as an administrator keeps them — added with their platform, URL and 钉钉 secret,
paused and resumed, audited — each with its recent attempts and failures for the 通报 page; and issuing a
bulletin (the worker's 08:00 daily bulletin on working days, or on demand) into the outbox they read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from govgrid.db.form_models import FormEvent
from govgrid.db.models import OrgUnit
from govgrid.db.push_models import BulletinIssue, PushAttempt, PushDestination
from govgrid.domain.bulletins import Kind
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.errors import InvalidInput, NotFound
from govgrid.domain.permissions import SYSTEM, Action, Actor, authorize
from govgrid.domain.pushes import Platform, allowed_url, recipients
from govgrid.domain.text import check_chars, required
from govgrid.domain.worktime import CHINA
from govgrid.services import audit
from govgrid.services.cases import feed
from govgrid.services.geo.geography import district_for, districts_for

ROBOT_HOSTS = (
    "qyapi.weixin.qq.com",
    "oapi.dingtalk.com",
)  # 企业微信 and 钉钉 (GOVGRID_PUSH_HOSTS adds others)
ISSUE_AT = time(8, 0)  # the daily bulletin goes out at 08:00 on working days


@dataclass(frozen=True)
class Shown:
    destination: PushDestination
    attempts: list[PushAttempt]


def add_destination(
    session: Session,
    *,
    actor: Actor,
    name: str,
    platform: str,
    url: str,
    secret: str,
    now: datetime,
    hosts: tuple[str, ...] = ROBOT_HOSTS,
    form_unit_code: str = "",
    district: str = "",
) -> PushDestination:
    """A group robot or mailbox for a district's news and bulletins (the actor's district, or the one of
    theirs they chose); with `form_unit_code`, a department's group that also gets its 一表通 forms as
    communities submit them."""
    authorize(actor, Action.MANAGE_PUSHES, area_code=actor.scope_code)
    form_unit = None
    if form_unit_code:
        form_unit = session.scalar(
            select(OrgUnit).where(OrgUnit.code == form_unit_code[:32], OrgUnit.kind == "department")
        )
        if form_unit is None:
            raise InvalidInput(f"部门“{form_unit_code[:32]}”不存在", field="form_unit")
    name = required(check_chars(name, "name"), "name", "名称")[:64]
    try:
        chosen = Platform(platform)
    except ValueError:
        raise InvalidInput(
            "平台须为 wecom（企业微信）、dingtalk（钉钉）或 email（电子邮件）", field="platform"
        ) from None
    url = url.strip()
    if chosen is Platform.EMAIL:
        if len(url) > 1000:
            raise InvalidInput("邮箱地址过多或过长", field="url")
        url = ", ".join(recipients(url))
    elif len(url) > 1000 or not allowed_url(url, hosts):
        raise InvalidInput(f"机器人地址须为 https:// 开头、主机为 {'、'.join(hosts)} 之一的网址", field="url")
    if chosen is Platform.DINGTALK and not secret.strip():
        raise InvalidInput("钉钉机器人须填加签密钥（SEC 开头）", field="secret")
    district, _ = district_for(session, actor, district)
    start = feed.head(session)  # from now on, no flood of old rows
    destination = PushDestination(
        district_code=district,
        name=name,
        platform=chosen.value,
        url=url,
        secret=check_chars(secret.strip(), "secret")[:128],
        active=True,
        case_txid=start.txid,
        case_cursor=start.id,
        bulletin_cursor=session.scalar(select(func.max(BulletinIssue.id))) or 0,
        form_unit_id=form_unit.id if form_unit is not None else None,
        form_cursor=session.scalar(select(func.max(FormEvent.id))) or 0,
        failures=0,
        created_at=now,
    )
    session.add(destination)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="push.add",
        entity_type="push_destination",
        entity_id=str(destination.id),
        now=now,
        scope_code=district,
        detail={"name": name, "platform": chosen.value},
    )
    session.commit()
    return destination


def set_active(session: Session, *, actor: Actor, destination_id: int, active: bool, now: datetime) -> None:
    authorize(actor, Action.MANAGE_PUSHES, area_code=actor.scope_code)
    destination = session.scalar(select(PushDestination).where(PushDestination.id == destination_id))
    theirs = {code for code, _ in districts_for(session, actor)}
    if destination is None or destination.district_code not in theirs:  # another district's group
        raise NotFound("推送目标不存在", field="destination_id")
    destination.active, destination.retry_at, destination.failures = active, None, 0
    audit.record(
        session,
        actor=actor,
        action="push.resume" if active else "push.pause",
        entity_type="push_destination",
        entity_id=str(destination_id),
        now=now,
        scope_code=destination.district_code,
    )
    session.commit()


def shown(session: Session, *, actor: Actor, district: str, attempts: int = 10) -> list[Shown]:
    """The groups of one district of the actor's, each with its latest attempts."""
    authorize(actor, Action.MANAGE_PUSHES, area_code=actor.scope_code)
    district, _ = district_for(session, actor, district)
    found = []
    groups = select(PushDestination).where(PushDestination.district_code == district)
    for destination in session.scalars(groups.order_by(PushDestination.id)):
        recent = session.scalars(
            select(PushAttempt)
            .where(PushAttempt.destination_id == destination.id)
            .order_by(PushAttempt.id.desc())
            .limit(attempts)
        ).all()
        found.append(Shown(destination, list(recent)))
    return found


def issue(
    session: Session,
    *,
    rules: CaseRules,
    kind: Kind,
    day: date,
    now: datetime,
    district: str = "",
    actor: Actor = SYSTEM,
) -> BulletinIssue | None:
    """Put a district's bulletin in the outbox (once per kind and day); None when it was issued already.
    The district: the one given, else the actor's first (the deployment's first for the system)."""
    from govgrid.services.bulletins.content import compose

    district, _ = district_for(session, actor, district)
    if session.scalar(
        select(BulletinIssue.id).where(
            BulletinIssue.district_code == district,
            BulletinIssue.kind == kind.value,
            BulletinIssue.issued_on == day.isoformat(),
        )
    ):
        return None
    bulletin = compose(session, rules=rules, kind=kind, issued_on=day, district=district)
    row = BulletinIssue(
        district_code=district,
        kind=kind.value,
        issued_on=day.isoformat(),
        issued_at=now,
        summary=bulletin.summary,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="bulletin.issue",
        entity_type="bulletin",
        entity_id=f"{kind.value}/{day.isoformat()}",
        now=now,
        scope_code=district,
    )
    session.commit()
    return row


def issue_due(session: Session, *, rules: CaseRules, now: datetime) -> list[BulletinIssue]:
    """The worker's schedule: at or after 08:00 on a working day, that day's daily bulletin; on the first
    working day of a week its weekly one, and of a month its monthly one."""
    local = now.astimezone(CHINA)
    today, calendar = local.date(), rules.calendar
    if local.time() < ISSUE_AT or not calendar.is_workday(today):
        return []
    kinds = [Kind.DAILY]
    if not any(
        calendar.is_workday(today.fromordinal(today.toordinal() - n)) for n in range(1, today.weekday() + 1)
    ):
        kinds.append(Kind.WEEKLY)
    if not any(calendar.is_workday(today.replace(day=d)) for d in range(1, today.day)):
        kinds.append(Kind.MONTHLY)
    return [
        row
        for district, _ in districts_for(session, SYSTEM)  # each district's own, to its own groups
        for kind in kinds
        if (row := issue(session, rules=rules, kind=kind, day=today, now=now, district=district))
    ]


def departments(session: Session) -> list[tuple[str, str]]:
    """The departments a group may belong to (for their 一表通 forms), by code."""
    return [(code, name) for code, name in session.execute(
        select(OrgUnit.code, OrgUnit.name).where(OrgUnit.kind == "department").order_by(OrgUnit.code)
    )]  # fmt: skip
