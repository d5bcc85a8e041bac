"""`govgrid users …`: accounts and tokens from the console (audited as the operator)."""

from __future__ import annotations

import click
from sqlalchemy import select

from govgrid.cli.context import Context, pass_context
from govgrid.db.models import User
from govgrid.domain.errors import DomainError
from govgrid.domain.roles import PERSON_ROLES, ROLE_LABEL, Role


@click.group()
def users() -> None:
    """账号管理。"""


@users.command("list")
@click.option("--role", type=click.Choice([r.value for r in PERSON_ROLES]), default=None)
@pass_context
def list_users(obj: Context, role: str | None) -> None:
    """List accounts (username, role, scope, name)."""
    with obj.migrated_sessions()() as session:
        query = select(User).order_by(User.username)
        if role:
            query = query.where(User.role == role)
        for user in session.scalars(query):
            click.echo(
                f"{user.username:<16} {ROLE_LABEL[Role(user.role)]:<10} {user.scope_code or '-':<15} {user.display_name}"
            )


@users.command("create")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="姓名")
@click.option("--role", type=click.Choice([r.value for r in PERSON_ROLES]), required=True)
@click.option("--scope", "scope_code", default=None, help="数据范围（区划代码：6/9/12 位）")
@click.option("--unit", "unit_code", default=None, help="单位代码")
@click.option("--phone", default="")
@click.password_option(help="登录密码（至少 8 位）")
@pass_context
def create(obj: Context, username, display_name, role, scope_code, unit_code, phone, password) -> None:
    """Create an account."""
    from govgrid.services.people.accounts import create_user

    with obj.migrated_sessions()() as session:
        try:
            user = create_user(
                session,
                actor=obj.operator(Role.SECURITY_ADMIN),
                username=username,
                display_name=display_name,
                role=Role(role),
                scope_code=scope_code,
                unit_code=unit_code,
                phone=phone,
                password=password,
                now=obj.now(),
            )
        except DomainError as exc:
            obj.fail(exc)
    click.echo(f"已创建账号 {user.username}（{ROLE_LABEL[Role(role)]}）")


@users.command("set-password")
@click.argument("username")
@click.password_option()
@pass_context
def set_password(obj: Context, username: str, password: str) -> None:
    """Reset a password."""
    from govgrid.services.people.accounts import set_password as reset

    with obj.migrated_sessions()() as session:
        try:
            reset(
                session,
                actor=obj.operator(Role.SECURITY_ADMIN),
                username=username,
                password=password,
                now=obj.now(),
            )
        except DomainError as exc:
            obj.fail(exc)
    click.echo(f"已重置 {username} 的密码；其所有登录会话和接口令牌已失效")


@users.command("token")
@click.argument("username")
@click.option("--name", default="integration", help="令牌用途")
@click.option("--days", type=int, default=None, help="有效天数（缺省取 GOVGRID_TOKEN_DAYS）")
@pass_context
def token(obj: Context, username: str, name: str, days: int | None) -> None:
    """Issue an API token for an account (printed once, as the last line)."""
    from govgrid.services.people.accounts import actor_for, issue_token

    with obj.migrated_sessions()() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            click.echo(f"错误：用户“{username}”不存在", err=True)
            raise SystemExit(2)
        try:
            secret = issue_token(
                session, actor=actor_for(user), name=name, now=obj.now(), days=days or obj.settings.token_days
            )
        except DomainError as exc:
            obj.fail(exc)
        click.echo(secret)


def _switch(obj: Context, username: str, active: bool) -> None:
    from govgrid.services.people.accounts import set_active

    with obj.migrated_sessions()() as session:
        try:
            set_active(
                session,
                actor=obj.operator(Role.SECURITY_ADMIN),
                username=username,
                active=active,
                now=obj.now(),
            )
        except DomainError as exc:
            obj.fail(exc)


@users.command("disable")
@click.argument("username")
@pass_context
def disable(obj: Context, username: str) -> None:
    """Disable an account: every session and token of it ends at once."""
    _switch(obj, username, False)
    click.echo(f"已停用 {username}；其所有登录会话和接口令牌已失效")


@users.command("enable")
@click.argument("username")
@pass_context
def enable(obj: Context, username: str) -> None:
    """Enable a disabled account again (it logs in afresh)."""
    _switch(obj, username, True)
    click.echo(f"已启用 {username}")


@users.command("unlock")
@click.argument("username")
@pass_context
def unlock(obj: Context, username: str) -> None:
    """Lift the lock that repeated wrong passwords put on an account."""
    from govgrid.services.people.throttle import unlock as lift

    with obj.migrated_sessions()() as session:
        user = session.scalar(select(User).where(User.username == username))
        try:
            was = lift(
                session,
                actor=obj.operator(Role.SECURITY_ADMIN),
                username=username,
                now=obj.now(),
                scope_code=user.scope_code if user else None,
            )
        except DomainError as exc:
            obj.fail(exc)
    click.echo(f"已解除 {username} 的登录锁定" if was else f"{username} 未被锁定；失败计数已清零")
