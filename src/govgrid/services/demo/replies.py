"""The departments' 12345 replies in the demo year (catalog/demo_replies.yaml, synthetic): written for each
order, scored by the same reply scorer as live replies, and — when the scorer holds one — let stand or sent
back by the supervisor, as a district's supervisor would. Planned here; taken by services.cases.replay."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from govgrid.catalog import CatalogError, CatalogSource
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.permissions import Actor
from govgrid.domain.workflow import Step
from govgrid.domain.worktime import CHINA
from govgrid.nlp.reply_quality import score_reply
from govgrid.services.demo.year_steps import Steps

CATALOG = "demo_replies.yaml"
_LISTS = ("good", "measures", "results", "basis", "weak", "release_reasons", "return_reasons")


@dataclass(frozen=True)
class ReplySpec:
    weak_share: float
    release_share: float
    texts: dict[str, tuple[str, ...]]


def load_reply_spec(source: CatalogSource) -> ReplySpec:
    doc = source.load(CATALOG)
    try:
        spec = ReplySpec(
            float(doc["weak_share"]),
            float(doc["release_share"]),
            {name: tuple(str(line) for line in doc[name]) for name in _LISTS},
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"catalog/{CATALOG} 字段缺失或无效：{exc}", field=str(exc)) from None
    if not all(spec.texts.values()) or not (0 <= spec.weak_share <= 1 and 0 <= spec.release_share <= 1):
        raise CatalogError(f"catalog/{CATALOG}：每个列表须非空，比例须在 0 到 1 之间", field="weak_share")
    return spec


def compose(spec: ReplySpec, rng: random.Random, *, title: str, place: str, unit: str, at: datetime) -> str:
    """One reply: weak at `weak_share`, else one that says what was found, done and decided, and why."""
    if rng.random() < spec.weak_share:
        return rng.choice(spec.texts["weak"])
    return good_reply(spec, rng, title=title, place=place, unit=unit, at=at)


def good_reply(
    spec: ReplySpec, rng: random.Random, *, title: str, place: str, unit: str, at: datetime
) -> str:
    local = at.astimezone(CHINA)
    return rng.choice(spec.texts["good"]).format(
        title=title,
        place=place,
        unit=unit,
        date=f"{local.month}月{local.day}日",
        measure=rng.choice(spec.texts["measures"]),
        result=rng.choice(spec.texts["results"]),
        basis=rng.choice(spec.texts["basis"]).format(unit=unit),
    )


@dataclass(frozen=True)
class Order:
    """What the supervisor's decision needs to know about the order just answered."""

    title: str
    description: str
    place: str
    unit: str
    handler: Actor
    supervisor: Actor


def answer(
    spec: ReplySpec, rules: CaseRules, rng: random.Random, steps: Steps, order: Order, at: datetime
) -> bool:
    """The unit's 反馈 at `at` with its reply, then the supervisor's decision if the reply is held."""
    text = compose(spec, rng, title=order.title, place=order.place, unit=order.unit, at=at)
    if not steps.take_at(Step.FEED_BACK, order.handler, at, note=text):
        return False
    settle(spec, rules, rng, steps, order)
    return True


def settle(spec: ReplySpec, rules: CaseRules, rng: random.Random, steps: Steps, order: Order) -> None:
    """After the 反馈 just planned: a reply the scorer holds is let stand with a reason (答复放行) or sent
    back (返工) and answered again, within 4–16 office hours (so the last days' held replies still wait)."""
    if rules.replies is None or steps.stopped or not steps.taken:
        return
    answered = steps.taken[-1]
    text = getattr(answered, "public_note", "") or getattr(answered, "note", "")
    if not score_reply(rules.replies, order.title, order.description, text).weak:
        return
    if rng.random() < spec.release_share:
        reason = rng.choice(spec.texts["release_reasons"])
        steps.take(Step.RELEASE_REPLY, order.supervisor, rng.uniform(4, 16), note=reason)
        return
    reason = rng.choice(spec.texts["return_reasons"])
    if steps.take(Step.CHECK_FAIL, order.supervisor, rng.uniform(4, 16), note=reason):
        again = good_reply(spec, rng, title=order.title, place=order.place, unit=order.unit, at=steps.at)
        steps.take(Step.FEED_BACK, order.handler, rng.uniform(2, 16), note=again)
