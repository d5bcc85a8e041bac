"""The demo's fictitious people beyond the one login per role: a handler for every unit that takes cases
or ledger tasks (its demo login where there is one, else a liaison without a password), and the citizens
who report on the web. All are made through people.add_user, so they are audited like any account."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from govgrid.db.models import OrgUnit, User
from govgrid.domain.permissions import Actor
from govgrid.domain.roles import Role
from govgrid.services.people.accounts import actor_for, add_user

LIAISONS = (
    "张伟",
    "王芳",
    "刘洋",
    "陈静",
    "杨帆",
    "黄丽",
    "周强",
    "吴敏",
    "徐杰",
    "孙婷",
    "马超",
    "朱琳",
    "胡军",
    "郭颖",
)


def unit_handlers(
    session: Session, units: Sequence[OrgUnit], area_code: str, now: datetime
) -> dict[str, Actor]:
    """Who acts for each unit: a demo login of the unit with a password, else its fictitious liaison."""
    found: dict[str, Actor] = {}
    for number, unit in enumerate(sorted(units, key=lambda u: u.code)):
        user = session.scalars(
            select(User)
            .where(
                User.unit_id == unit.id,
                User.role.in_([Role.DEPARTMENT_OFFICER.value, Role.STREET_OFFICER.value]),
            )
            .order_by(User.password_hash.is_(None), User.id)
        ).first()
        if user is None:
            is_street = unit.kind == "street"
            user = add_user(
                session,
                username=f"liaison-{unit.code.lower()}",
                display_name=f"{LIAISONS[number % len(LIAISONS)]}（{unit.name}联络员）",
                role=Role.STREET_OFFICER if is_street else Role.DEPARTMENT_OFFICER,
                unit_code=unit.code,
                scope_code=unit.code if is_street else area_code,
                phone="",
                password=None,
                now=now,
            )
        found[unit.code] = actor_for(user)
    session.commit()
    return found


def demo_citizens(
    session: Session, count: int, surnames: Sequence[str], rng: random.Random, now: datetime
) -> list[Actor]:
    """`count` fictitious citizens (市民), made once: a second build finds them."""
    made = list(session.scalars(select(User).where(User.username.like("demo-citizen-%")).order_by(User.id)))
    for number in range(len(made) + 1, count + 1):
        title = "先生" if rng.random() < 0.5 else "女士"
        made.append(
            add_user(
                session,
                username=f"demo-citizen-{number:04d}",
                display_name=f"{rng.choice(list(surnames))}{title}（演示市民）",
                role=Role.CITIZEN,
                unit_code=None,
                scope_code=None,
                phone="",
                password=None,
                now=now,
            )
        )
    session.commit()
    return [actor_for(user) for user in made[:count]]
