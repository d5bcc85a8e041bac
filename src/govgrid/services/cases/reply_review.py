"""答复质量 before a 12345 order counts as answered: the unit's reply on 反馈 is scored (nlp.reply_quality,
with the cues of catalog/reply_rubric.yaml), its scores kept in that step's history row, and a weak reply
held at 答复待审 for the supervisor (workflow.HELD). The supervisor's queue reads the held orders back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.case_models import Case, CaseTransition
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.domain.workflow import Loop, Status, Step
from govgrid.domain.worktime import CHINA
from govgrid.nlp.reply_quality import score_reply
from govgrid.services.cases.reach import may

QUEUE_LIMIT = 200


def review(rules: CaseRules, case: Case, step: Step, reply: str, now: datetime) -> dict[str, Any] | None:
    """The scores of a 12345 反馈's reply (None for other steps, loops, or without the reply rules)."""
    if rules.replies is None or step is not Step.FEED_BACK or case.loop != Loop.HOTLINE.value:
        return None
    score = score_reply(rules.replies, case.title, case.description, reply)
    found = score.as_dict()
    found["timely"], found["workdays"], found["reasons"]["timeliness"] = _timely(rules, case, now)
    return found


def _timely(rules: CaseRules, case: Case, now: datetime) -> tuple[bool, int, str]:
    """及时性 in the app: by the order's own deadline (派单 → 反馈), else the rubric's limit in working days."""
    assert rules.replies is not None
    start = case.dispatched_at or case.reported_at
    days = rules.calendar.workdays_between(start, now)
    if case.due_at is not None:
        on_time = now <= case.due_at
        limit = f"办理时限 {case.due_at.astimezone(CHINA):%Y-%m-%d %H:%M}"
    else:
        on_time = now <= rules.calendar.add_workdays(start, rules.replies.limit_workdays)
        limit = f"时限 {rules.replies.limit_workdays} 个工作日"
    return on_time, days, f"派单后第 {days} 个工作日答复，{limit}：{'及时' if on_time else '超时'}"


def kept(
    after: Status, review: dict[str, Any] | None, published: str, detail: dict[str, Any]
) -> tuple[str, dict[str, Any]]:
    """The public note and the detail a step's history row keeps: the reply's scores with it, and a held
    reply's public note kept back (in the detail) until the supervisor lets the reply stand."""
    if review is not None:
        detail = {**detail, "reply_review": review}
    if after is Status.REPLY_HELD and published:
        return "", {**detail, "held_public_note": published}
    return published, detail


def released_public_note(session: Session, case_id: int) -> str:
    """The public note a held reply came with, published when the supervisor lets it stand."""
    row = _latest_replies(session, [case_id]).get(case_id)
    return str((row.detail or {}).get("held_public_note") or "") if row is not None else ""


@dataclass(frozen=True)
class Held:
    """An order waiting at 答复待审: its latest reply as the unit wrote it, and that reply's scores."""

    case: Case
    reply: str
    review: dict[str, Any]


def held_queue(session: Session, *, actor: Actor) -> list[Held]:
    """The orders whose reply waits for review among those the caller may manage (答复放行 and 返工 are
    theirs), oldest first, at most QUEUE_LIMIT."""
    authorize(actor, Action.MANAGE_CASE, area_code=actor.scope_code)
    query = (
        select(Case)
        .where(may(actor, Action.MANAGE_CASE), Case.status == Status.REPLY_HELD.value)
        .order_by(Case.id)
        .limit(QUEUE_LIMIT)
    )
    cases = list(session.scalars(query))
    latest = _latest_replies(session, [case.id for case in cases])
    found = []
    for case in cases:
        row = latest.get(case.id)
        reply = (row.public_note or row.note) if row is not None else ""
        review = dict((row.detail or {}).get("reply_review") or {}) if row is not None else {}
        found.append(Held(case, reply, review))
    return found


def latest_review(session: Session, case_id: int) -> dict[str, Any]:
    """The scores kept with the case's latest 反馈 ({} when it has none); the caller has read the case."""
    row = _latest_replies(session, [case_id]).get(case_id)
    return dict((row.detail or {}).get("reply_review") or {}) if row is not None else {}


def _latest_replies(session: Session, case_ids: list[int]) -> dict[int, CaseTransition]:
    if not case_ids:
        return {}
    rows = session.scalars(
        select(CaseTransition)
        .where(CaseTransition.case_id.in_(case_ids), CaseTransition.step == Step.FEED_BACK.value)
        .order_by(CaseTransition.id)
    )
    return {row.case_id: row for row in rows}  # the last 反馈 of each wins
