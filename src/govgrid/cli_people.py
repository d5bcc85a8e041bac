"""`govgrid users …`: accounts and tokens from the console (audited as the operator)."""

from __future__ import annotations

import click
from sqlalchemy import select

from govgrid.db.models import User
from govgrid.domain.errors import DomainError
from govgrid.domain.roles import ROLE_LABEL, Role


def _cli():
    from govgrid import cli

    return cli


@click.group()
def users() -> None:
    """账号管理。"""


@users.command("list")
@click.option("--role", type=click.Choice([r.value for r in Role]), default=None)
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
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--scope", "scope_code", default=None, help="数据范围（区划代码：6/9/12 位）")
@click.option("--unit", "unit_code", default=None, help="单位代码")
@click.option("--phone", default="")
@click.password_option(help="登录密码（至少 8 位）")
@click.pass_obj
def create(obj, username, display_name, role, scope_code, unit_code, phone, password) -> None:
    """Create an account."""
    from govgrid.services.people import create_user

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
    from govgrid.services.people import set_password as reset

    cli = _cli()
    with obj.migrated_sessions()() as session:
        try:
            reset(session, actor=cli._operator(), username=username, password=password, now=cli._now())
        except DomainError as exc:
            cli._fail(exc)
    click.echo(f"已重置 {username} 的密码")


@users.command("token")
@click.argument("username")
@click.option("--name", default="integration", help="令牌用途")
@click.pass_obj
def token(obj, username: str, name: str) -> None:
    """Issue an API token for an account (printed once)."""
    from govgrid.services.people import actor_for, issue_token

    cli = _cli()
    with obj.migrated_sessions()() as session:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            click.echo(f"错误：用户“{username}”不存在", err=True)
            raise SystemExit(2)
        click.echo(issue_token(session, actor=actor_for(user), name=name, now=cli._now()))
