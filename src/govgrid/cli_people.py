"""`govgrid users …`: accounts and tokens from the console (audited as the operator)."""

from __future__ import annotations

import click
from sqlalchemy import select

from govgrid.db.models import User
from govgrid.domain.errors import DomainError
from govgrid.domain.roles import PERSON_ROLES, ROLE_LABEL, Role


def _cli():
    from govgrid import cli

    return cli


@click.group()
def users() -> None:
    """账号管理。"""


@users.command("list")
@click.option("--role", type=click.Choice([r.value for r in PERSON_ROLES]), default=None)
@click.pass_obj
def list_users(obj, role: str | None) -> None:
    """List accounts (username, role, scope, name)."""
    with obj.migrated_sessions()() as session:
        query = select(User).order_by(User.username)
        if role:
            query = query.where(User.role == role)
        for user in session.scalars(query):
            click.echo(f"{user.username:<16} {ROLE_LABEL[Role(user.role)]:<10} {user.scope_code or '-':<15} {user.display_name}")


@users.command("create")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="姓名")
@click.option("--role", type=click.Choice([r.value for r in PERSON_ROLES]), required=True)
@click.option("--scope", "scope_code", default=None, help="数据范围（区划代码：6/9/12 位）")
@click.option("--unit", "unit_code", default=None, help="单位代码")
@click.option("--phone", default="")
@click.password_option(help="登录密码（至少 8 位）")
@click.pass_obj
def create(obj, username, display_name, role, scope_code, unit_code, phone, password) -> None:
    """Create an account."""
    from govgrid.services.people.accounts import create_user

    cli = _cli()
    with obj.migrated_sessions()() as session:
        try:
            user = create_user(session, actor=cli._operator(), username=username, display_name=display_name,
                               role=Role(role), scope_code=scope_code, unit_code=unit_code, phone=phone,
                               password=password, now=cli._now())  # fmt: skip
        except DomainError as exc:
            cli._fail(exc)
    click.echo(f"已创建账号 {user.username}（{ROLE_LABEL[Role(role)]}）")


@users.command("set-password")
@click.argument("username")
@click.password_option()
@click.pass_obj
def set_password(obj, username: str, password: str) -> None:
    """Reset a password."""
    from govgrid.services.people.accounts import set_password as reset

    cli = _cli()
    with obj.migrated_sessions()() as session:
        try:
            reset(session, actor=cli._operator(), username=username, password=password, now=cli._now())
        except DomainError as exc:
            cli._fail(exc)
    click.echo(f"已重置 {username} 的密码；其所有登录会话和接口令牌已失效")


@users.command("token")
@click.argument("username")
@click.option("--name", default="integration", help="令牌用途")
@click.option("--days", type=int, default=None, help="有效天数（缺省取 GOVGRID_TOKEN_DAYS）")
@click.pass_obj
def token(obj, username: str, name: str, days: int | None) -> None:
    """Issue an API token for an account (printed once, as the last line)."""
    from govgrid.services.people.accounts import actor_for, issue_token

    cli = _cli()
    with obj.migrated_sessions()() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            click.echo(f"错误：用户“{username}”不存在", err=True)
            raise SystemExit(2)
        try:
            secret = issue_token(session, actor=actor_for(user), name=name, now=cli._now(),
                                 days=days or obj.settings.token_days)  # fmt: skip
        except DomainError as exc:
            cli._fail(exc)
        click.echo(secret)


def _switch(obj, username: str, active: bool) -> None:
    from govgrid.services.people.accounts import set_active

    cli = _cli()
    with obj.migrated_sessions()() as session:
        try:
            set_active(session, actor=cli._operator(), username=username, active=active, now=cli._now())
        except DomainError as exc:
            cli._fail(exc)


@users.command("disable")
@click.argument("username")
@click.pass_obj
def disable(obj, username: str) -> None:
    """Disable an account: every session and token of it ends at once."""
    _switch(obj, username, False)
    click.echo(f"已停用 {username}；其所有登录会话和接口令牌已失效")


@users.command("enable")
@click.argument("username")
@click.pass_obj
def enable(obj, username: str) -> None:
    """Enable a disabled account again (it logs in afresh)."""
    _switch(obj, username, True)
    click.echo(f"已启用 {username}")


@users.command("unlock")
@click.argument("username")
@click.pass_obj
def unlock(obj, username: str) -> None:
    """Lift the lock that repeated wrong passwords put on an account."""
    from govgrid.services.people.throttle import unlock as lift

    cli = _cli()
    with obj.migrated_sessions()() as session:
        user = session.scalar(select(User).where(User.username == username))
        try:
            was = lift(session, actor=cli._operator(), username=username, now=cli._now(),
                       scope_code=user.scope_code if user else None)  # fmt: skip
        except DomainError as exc:
            cli._fail(exc)
    click.echo(f"已解除 {username} 的登录锁定" if was else f"{username} 未被锁定；失败计数已清零")
