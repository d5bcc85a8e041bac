"""Pushing to group robots and by email: each destination reads the outboxes (the case history's escalations, new orders
and 批示; the bulletins issued) from its own cursors, posts each platform's exact JSON to its URL, and moves
its cursors only after the robot said yes — at least once, never lost. The case history is read in commit
order (services.cases.feed), so on PostgreSQL a row whose id was drawn early but committed late still goes. It keeps to the robot's limit (20 a
minute), merging what waits into one digest; a failure is recorded with the robot's answer and retried
later (1, 5, 15, 60 minutes), and is shown on the 通报 page."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case, CaseTransition
from govgrid.db.models import OrgUnit
from govgrid.db.push_models import BulletinIssue, PushAttempt, PushDestination
from govgrid.domain.bulletins import KIND_LABEL, Kind
from govgrid.domain.history import history_label
from govgrid.domain.pushes import (
    Message,
    Platform,
    digest,
    dingtalk_payload,
    email_text,
    recipients,
    retry_delay,
    room,
    signed_url,
    wecom_payload,
)
from govgrid.domain.worktime import CHINA
from govgrid.services.cases import feed
from govgrid.services.forms.tasks import submitted_forms
from govgrid.services.pushes.mail import Mail

# escalations, a new order and a leader's instruction
PUSHED = ("overdue", "urge", "supervise", "supervise_by_hand", "dispatch", "instruct")
MAX_DIGEST = 100  # messages merged into one digest at most (the rest wait for the next round)
NEWS = timedelta(hours=24)  # a history row older than this is not news (a replayed or imported history)
Post = Callable[[str, dict[str, object]], tuple[int, str]]


def message(session: Session, row: CaseTransition) -> tuple[str, str]:
    """A pushed history row as (title, body): the step, the case's number, title, grid, unit and deadline."""
    case = session.get_one(Case, row.case_id)
    unit = session.get(OrgUnit, case.unit_id) if case.unit_id else None
    due = f"，期限 {case.due_at.astimezone(CHINA):%m-%d %H:%M}" if case.due_at else ""
    title = f"【{history_label(row.step)}】案件 {case.code}"
    body = f"{case.title}（网格 {case.grid_code or '未定位'}，责任单位 {unit.name if unit else '未派遣'}{due}）{row.note}"
    return title, body


def http_post(url: str, payload: dict[str, object]) -> tuple[int, str]:
    """POST the JSON; (status, body), or (0, the error) when nothing answered."""
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (a configured robot URL)
            return answer.status, answer.read(4096).decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(4096).decode("utf-8", errors="replace")
    except OSError as exc:
        return 0, str(exc)[:200]


@dataclass(frozen=True)
class Waiting:
    case_row: feed.Position | None  # the case_transition's position in commit order, or
    issue: int | None  # the bulletin_issue id
    message: Message
    form_event: int | None = None  # or a 一表通 form submitted (its form_event id)


def waiting(session: Session, destination: PushDestination, base_url: str, now: datetime) -> list[Waiting]:
    """What the destination has not had yet: the pushed steps of the last day (an imported or replayed
    history's old rows are history, not news), then the bulletins issued."""
    later, order = feed.beyond(session, feed.Position(destination.case_txid, destination.case_cursor))
    rows = session.scalars(
        select(CaseTransition)
        .where(
            CaseTransition.district_code == destination.district_code,
            later,
            CaseTransition.step.in_(PUSHED),
            CaseTransition.at >= now - NEWS,
        )
        .order_by(*order)
        .limit(MAX_DIGEST)
    ).all()
    found = []
    for row in rows:
        title, body = message(session, row)
        found.append(Waiting(feed.position_of(session, row.txid, row.id), None, Message(title, (body,))))
    for issue in session.scalars(
        select(BulletinIssue)
        .where(
            BulletinIssue.district_code == destination.district_code,
            BulletinIssue.id > destination.bulletin_cursor,
        )
        .order_by(BulletinIssue.id)
    ):
        label = KIND_LABEL[Kind(issue.kind)]
        link = (  # the bulletin of the group's own district
            f"{base_url.rstrip('/')}/bulletins/{issue.kind}/{issue.issued_on}?district={issue.district_code}"
            if base_url
            else ""
        )
        found.append(
            Waiting(None, issue.id, Message(f"【{label}】{issue.issued_on}", (issue.summary,), link))
        )
    if destination.form_unit_id is not None:
        found.extend(
            Waiting(
                None,
                None,
                Message(title, (body,), f"{base_url.rstrip('/')}{path}" if base_url else ""),
                event,
            )
            for event, title, body, path in submitted_forms(
                session, destination.form_unit_id, destination.form_cursor, MAX_DIGEST, now
            )
        )
    return found


def push_round(
    session: Session, *, now: datetime, base_url: str = "", post: Post = http_post, mail: Mail | None = None
) -> int:
    """One round over every active destination due; returns the messages delivered. Email destinations go
    through `mail` (services.pushes.mail; None: no relay configured, which is recorded as their failure)."""
    delivered = 0
    destinations = session.scalars(
        select(PushDestination).where(PushDestination.active.is_(True)).order_by(PushDestination.id)
    ).all()
    for destination in destinations:
        if destination.retry_at is not None and destination.retry_at > now:
            continue
        delivered += _push(session, destination, now, base_url, _sender(destination, post, mail))
    return delivered


def _sender(destination: PushDestination, post: Post, mail: Mail | None) -> Post:
    """How a destination's payload is delivered: posted to a robot, or mailed to its addresses."""
    if Platform(destination.platform) is not Platform.EMAIL:
        return post

    def send(addresses: str, payload: dict[str, object]) -> tuple[int, str]:
        if mail is None:
            return 0, "未配置邮件服务器（GOVGRID_SMTP_URL）"
        status, said = mail(recipients(addresses), str(payload["subject"]), str(payload["body"]))
        return (200, '{"errcode": 0}') if status == 250 else (status, said)

    return send


def _push(session: Session, destination: PushDestination, now: datetime, base_url: str, post: Post) -> int:
    sent = session.scalar(
        select(func.count()).where(
            PushAttempt.destination_id == destination.id, PushAttempt.at > now - timedelta(minutes=1)
        )
    )
    space = room(sent or 0)
    items = waiting(session, destination, base_url, now)
    if not items or not space:
        return 0
    batches = [[item] for item in items] if len(items) <= space else [items]  # more than fits: one digest
    delivered = 0
    for batch in batches[:space]:
        if not _send(session, destination, batch, now, post):
            break
        delivered += len(batch)
    return delivered


def _send(
    session: Session, destination: PushDestination, batch: list[Waiting], now: datetime, post: Post
) -> bool:
    merged = digest([item.message for item in batch])
    platform = Platform(destination.platform)
    payload = _payload(platform, merged)
    url = (
        signed_url(destination.url, destination.secret, now)
        if platform is Platform.DINGTALK
        else destination.url
    )
    status, body = post(url, payload)
    ok = status == 200 and _accepted(body)
    session.add(
        PushAttempt(
            district_code=destination.district_code,
            destination_id=destination.id,
            at=now,
            ok=ok,
            items=len(batch),
            status_code=status or None,
            error="" if ok else _reason(status, body)[:500],
            summary=merged.title[:200],
        )
    )
    if ok:
        cases = [i.case_row for i in batch if i.case_row is not None]
        case_at = max([feed.Position(destination.case_txid, destination.case_cursor), *cases])
        issues = [i.issue for i in batch if i.issue is not None]
        session.execute(
            update(PushDestination)
            .where(
                PushDestination.id == destination.id,
                PushDestination.district_code == destination.district_code,
            )
            .values(
                case_txid=case_at.txid,
                case_cursor=case_at.id,
                bulletin_cursor=max([destination.bulletin_cursor, *issues]),
                form_cursor=max([destination.form_cursor, *(i.form_event for i in batch if i.form_event)]),
                failures=0,
                retry_at=None,
            )
        )
    else:
        failures = destination.failures + 1
        session.execute(
            update(PushDestination)
            .where(
                PushDestination.id == destination.id,
                PushDestination.district_code == destination.district_code,
            )
            .values(failures=failures, retry_at=now + retry_delay(failures))
        )
    session.commit()
    session.refresh(destination)
    return ok


def _payload(platform: Platform, merged: Message) -> dict[str, object]:
    if platform is Platform.EMAIL:
        subject, body = email_text(merged)
        return {"subject": subject, "body": body}
    return wecom_payload(merged) if platform is Platform.WECOM else dingtalk_payload(merged)


def _reason(status: int, body: str) -> str:
    """Why a robot refused, as it said it: errcode and errmsg when it answered JSON."""
    try:
        doc = json.loads(body)
        return f"errcode {doc.get('errcode')}：{str(doc.get('errmsg', ''))[:200]}"
    except (ValueError, AttributeError):  # not a robot's answer: its body is not shown
        if status and status < 100:  # unreachable: no code
            return f"无响应：{body[:120]}"
        if 400 <= status < 600 and not body.lstrip().startswith("<"):  # a mail relay's code and words
            return f"{status} {body[:200]}"
        return f"HTTP {status}（应答不是机器人的 JSON）" if status else f"无响应：{body[:120]}"


def _accepted(body: str) -> bool:
    """Both robots answer 200 with {"errcode": 0, …} when they took the message, and an errcode when not."""
    try:
        return json.loads(body).get("errcode", 0) == 0
    except (ValueError, AttributeError):
        return False
