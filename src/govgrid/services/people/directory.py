"""The administrator's directory work: units (单位) and who walks each responsibility grid (责任网格的网格员).
Each change is checked (a code once, a unit's area that exists, a grid worker whose data scope covers the
grid) and audited; a grid handed to another worker is theirs at once (their 待办 and the map)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from govgrid.db.models import Area, OrgUnit, ResponsibilityGrid, User
from govgrid.db.paging import fetch_page
from govgrid.domain.areas import AreaLevel, is_within
from govgrid.domain.errors import Conflict, InvalidInput, NotFound
from govgrid.domain.paging import Paged, Paging
from govgrid.domain.permissions import Action, Actor, authorize
from govgrid.domain.roles import Role
from govgrid.domain.text import check_chars, required
from govgrid.domain.units import UnitKind
from govgrid.services import audit


def create_unit(
    session: Session, *, actor: Actor, code: str, name: str, kind: str, area_code: str, now: datetime
) -> OrgUnit:
    authorize(actor, Action.MANAGE_DIRECTORY)
    code = required(code, "code", "单位编码")
    if len(code) > 32 or not code.isascii() or not all(c.isalnum() or c in "-_" for c in code):
        raise InvalidInput(f"单位编码“{code[:32]}”只能由字母、数字、- 和 _ 组成（至多 32 位）", field="code")
    name = required(name, "name", "单位名称")
    if len(name) > 64:
        raise InvalidInput("单位名称不超过 64 个字", field="name")
    if kind not in {k.value for k in UnitKind}:
        raise InvalidInput(f"单位类别“{kind[:24]}”不存在", field="kind")
    if session.get(Area, area_code) is None:
        raise InvalidInput(f"区划代码“{check_chars(area_code, 'area_code')[:15]}”不存在", field="area_code")
    if session.scalar(select(OrgUnit.id).where(OrgUnit.code == code)) is not None:
        raise Conflict(f"单位编码“{code}”已存在", field="code")
    unit = OrgUnit(code=code, name=name, kind=kind, area_code=area_code)
    session.add(unit)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="unit.create",
        entity_type="org_unit",
        entity_id=code,
        now=now,
        scope_code=area_code,
        detail={"name": name, "kind": kind},
    )
    session.commit()
    return unit


def assign_worker(
    session: Session, *, actor: Actor, grid_code: str, username: str, now: datetime
) -> ResponsibilityGrid:
    """Bind a responsibility grid to a grid worker (an empty name: nobody, until one is named)."""
    authorize(actor, Action.MANAGE_DIRECTORY)
    grid = session.get(ResponsibilityGrid, grid_code)
    if grid is None:
        raise NotFound(f"责任网格 {grid_code[:20]} 不存在", field="grid_code")
    worker: User | None = None
    if username.strip():
        worker = session.scalar(select(User).where(User.username == username.strip()))
        if worker is None or worker.role != Role.GRID_WORKER.value or not worker.is_active:
            raise InvalidInput(f"“{username.strip()[:64]}”不是在岗的网格员账号", field="username")
        if not is_within(grid.community_code, worker.scope_code or "\x00"):
            raise InvalidInput(
                f"网格员 {worker.display_name} 的数据范围（{worker.scope_code}）不含该责任网格所在社区"
                f"（{grid.community_code}）：请先调整其数据范围",
                field="username",
            )
    before = grid.worker_id
    grid.worker_id = worker.id if worker else None
    audit.record(
        session,
        actor=actor,
        action="responsibility.assign",
        entity_type="responsibility_grid",
        entity_id=grid.code,
        now=now,
        scope_code=grid.community_code,
        detail={"from": before, "to": grid.worker_id},
    )
    session.commit()
    return grid


def responsibility_grids(
    session: Session, *, actor: Actor, text: str, paging: Paging
) -> Paged[tuple[ResponsibilityGrid, User | None]]:
    """A page of responsibility grids with their worker, those whose code, name or worker match `text`."""
    authorize(actor, Action.MANAGE_DIRECTORY)
    text = " ".join(text.split())[:64]
    query = select(ResponsibilityGrid, User).outerjoin(User, User.id == ResponsibilityGrid.worker_id)
    if text:
        query = query.where(
            or_(
                ResponsibilityGrid.code.startswith(text, autoescape=True),
                ResponsibilityGrid.name.icontains(text, autoescape=True),
                User.display_name.icontains(text, autoescape=True),
                User.username.icontains(text, autoescape=True),
            )
        )
    return fetch_page(session, query.order_by(ResponsibilityGrid.code), paging, scalars=False)


def active_grid_workers(session: Session, *, actor: Actor) -> list[Any]:
    """(username, display name, scope) of every grid worker in post: who a grid may be given to."""
    authorize(actor, Action.MANAGE_DIRECTORY)
    return list(
        session.execute(
            select(User.username, User.display_name, User.scope_code)
            .where(User.role == Role.GRID_WORKER.value, User.is_active.is_(True))
            .order_by(User.scope_code, User.username)
        ).all()
    )


def staff_by_unit(session: Session) -> dict[int, int]:
    """How many accounts each unit has (the directory is readable by all staff; counts are no personal data)."""
    rows = session.execute(
        select(User.unit_id, func.count()).where(User.unit_id.is_not(None)).group_by(User.unit_id)
    )
    return {unit_id: count for unit_id, count in rows if unit_id is not None}


def unit_areas(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the district and streets a unit may belong to, in code order."""
    rows = session.execute(
        select(Area.code, Area.name).where(Area.level.in_([AreaLevel.DISTRICT.value, AreaLevel.STREET.value]))
    )
    return sorted((code, name) for code, name in rows)
