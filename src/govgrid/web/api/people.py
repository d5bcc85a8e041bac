"""People, units and the caller's own tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from govgrid.domain.roles import Role
from govgrid.services import people
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep
from govgrid.web.schemas import TokenCreate, TokenIssued, UnitPublic, UserCreate, UserPublic

router = APIRouter(tags=["people"])


@router.get("/me", response_model=UserPublic, summary="当前登录用户")
def me(session: SessionDep, actor: LoggedInDep) -> Any:
    return people.get_user(session, actor=actor, user_id=actor.user_id or 0)


@router.get("/people", response_model=list[UserPublic], summary="人员列表（按数据范围）")
def list_people(session: SessionDep, actor: LoggedInDep, role: Role | None = None) -> Any:
    return people.list_users(session, actor=actor, role=role)


@router.get("/people/{user_id}", response_model=UserPublic, summary="人员详情")
def get_person(user_id: int, session: SessionDep, actor: LoggedInDep) -> Any:
    return people.get_user(session, actor=actor, user_id=user_id)


@router.post("/people", response_model=UserPublic, status_code=201, summary="新建账号（管理员）")
def create_person(body: UserCreate, session: SessionDep, actor: LoggedInDep, now: NowDep) -> Any:
    return people.create_user(session, actor=actor, now=now, **body.model_dump())


@router.get("/units", response_model=list[UnitPublic], summary="单位名录")
def list_units(session: SessionDep, actor: LoggedInDep) -> Any:
    return people.list_units(session, actor=actor)


@router.post("/tokens", response_model=TokenIssued, status_code=201, summary="为自己签发接口令牌")
def issue_token(body: TokenCreate, session: SessionDep, actor: LoggedInDep, now: NowDep) -> TokenIssued:
    return TokenIssued(token=people.issue_token(session, actor=actor, name=body.name, now=now))


@router.delete("/tokens/{token_id}", status_code=204, summary="吊销自己的接口令牌")
def revoke_token(token_id: int, session: SessionDep, actor: LoggedInDep, now: NowDep) -> None:
    people.revoke_token(session, actor=actor, token_id=token_id, now=now)
