"""People, units and the caller's own tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from govgrid.domain.paging import page_of
from govgrid.domain.roles import Role
from govgrid.services.people import accounts as people
from govgrid.services.people import throttle
from govgrid.web.deps import LoggedInDep, NowDep, SessionDep
from govgrid.web.paging import Page, PagingDep, page_body
from govgrid.web.params import IdPath
from govgrid.web.schemas import ActiveIn, TokenCreate, TokenIssued, UnitPublic, UserCreate, UserPublic

router = APIRouter(tags=["people"])


@router.get("/me", response_model=UserPublic, summary="当前登录用户")
def me(session: SessionDep, actor: LoggedInDep) -> Any:
    return people.get_user(session, actor=actor, user_id=actor.user_id or 0)


@router.get("/people", response_model=Page[UserPublic], summary="人员列表（按数据范围；分页，按用户名）")
def list_people(session: SessionDep, actor: LoggedInDep, paging: PagingDep, role: Role | None = None) -> Any:
    return page_body(people.list_users(session, actor=actor, role=role, paging=paging))


@router.get("/people/{user_id}", response_model=UserPublic, summary="人员详情")
def get_person(user_id: IdPath, session: SessionDep, actor: LoggedInDep) -> Any:
    return people.get_user(session, actor=actor, user_id=user_id)


@router.post("/people", response_model=UserPublic, status_code=201, summary="新建账号（管理员）")
def create_person(body: UserCreate, session: SessionDep, actor: LoggedInDep, now: NowDep) -> Any:
    return people.create_user(session, actor=actor, now=now, **body.model_dump())


@router.get("/units", response_model=Page[UnitPublic], summary="单位名录（分页）")
def list_units(session: SessionDep, actor: LoggedInDep, paging: PagingDep) -> Any:
    return page_body(page_of(people.list_units(session, actor=actor), paging))


@router.post(
    "/tokens",
    response_model=TokenIssued,
    status_code=201,
    summary="为自己签发接口令牌（有效期 days 天；退出登录、改密码或停用账号后失效）",
)
def issue_token(
    body: TokenCreate, request: Request, session: SessionDep, actor: LoggedInDep, now: NowDep
) -> TokenIssued:
    days = body.days or request.app.state.settings.token_days
    return TokenIssued(token=people.issue_token(session, actor=actor, name=body.name, now=now, days=days))


@router.post("/people/{user_id}/unlock", status_code=204, summary="解除账号的登录锁定（管理员）")
def unlock_person(user_id: IdPath, session: SessionDep, actor: LoggedInDep, now: NowDep) -> None:
    user = people.get_user(session, actor=actor, user_id=user_id)
    throttle.unlock(session, actor=actor, username=user.username, now=now, scope_code=user.scope_code)


@router.post(
    "/people/{user_id}/active",
    response_model=UserPublic,
    summary="停用或启用账号（管理员；停用即结束其全部会话和令牌）",
)
def set_active(user_id: IdPath, body: ActiveIn, session: SessionDep, actor: LoggedInDep, now: NowDep) -> Any:
    user = people.get_user(session, actor=actor, user_id=user_id)
    return people.set_active(session, actor=actor, username=user.username, active=body.is_active, now=now)


@router.delete("/tokens/{token_id}", status_code=204, summary="吊销自己的接口令牌")
def revoke_token(token_id: IdPath, session: SessionDep, actor: LoggedInDep, now: NowDep) -> None:
    people.revoke_token(session, actor=actor, token_id=token_id, now=now)
