"""`govgrid connectors …`: the keys inbound systems push with (issued, listed, revoked by the operator)."""

from __future__ import annotations

import sys

import click

from govgrid.cli.context import Context, pass_context
from govgrid.domain.errors import DomainError
from govgrid.domain.worktime import CHINA


@click.group()
def connectors() -> None:
    """外部系统连接器：签发、查看、吊销推送密钥。"""


@connectors.command("key")
@click.argument("connector_id")
@click.option("--name", default="", help="密钥用途说明，如“市12345平台生产环境”")
@click.option("--days", type=int, default=None, help="有效天数（缺省长期有效，可随时吊销）")
@click.option(
    "--scope",
    default="",
    help="数据范围：区县代码（缺省本平台的区县），或市级代码如 370100（市 12345 平台：工单先入市级，由市中心转办区县）",
)
@pass_context
def issue(obj: Context, connector_id: str, name: str, days: int | None, scope: str) -> None:
    """Issue a key for CONNECTOR_ID; the key is printed once, as the last line."""
    from govgrid.services.cases.connector_keys import issue_key

    with obj.migrated_sessions()() as session:
        try:
            key, secret = issue_key(
                session,
                actor=obj.operator(),
                connectors=obj.catalogs.case_rules.connectors,
                connector_id=connector_id,
                name=name,
                now=obj.now(),
                days=days,
                scope=scope,
            )
        except DomainError as exc:
            click.echo(f"错误：{exc.message}", err=True)
            sys.exit(2)
    until = f"，{key.expires_at.astimezone(CHINA):%Y-%m-%d} 到期" if key.expires_at else ""
    click.echo(
        f"已为连接器 {connector_id} 签发密钥 #{key.id}{until}。推送时放在 Authorization: Bearer 后；只显示这一次："
    )
    click.echo(secret)


@connectors.command("list")
@pass_context
def list_keys(obj: Context) -> None:
    """Every key: id, connector, name, state, last use (never the secret)."""
    from govgrid.services.cases.connector_keys import list_keys as keys

    with obj.migrated_sessions()() as session:
        for key in keys(session, actor=obj.operator()):
            state = (
                "已吊销"
                if key.revoked_at
                else ("已过期" if key.expires_at and key.expires_at <= obj.now() else "有效")
            )
            used = f"{key.last_used_at.astimezone(CHINA):%Y-%m-%d %H:%M}" if key.last_used_at else "从未使用"
            click.echo(f"#{key.id:<4} {key.connector_id:<18} {state:<4} {used:<17} {key.name}")


@connectors.command("revoke")
@click.argument("key_id", type=int)
@pass_context
def revoke(obj: Context, key_id: int) -> None:
    """Revoke a key: it stops working at once."""
    from govgrid.services.cases.connector_keys import revoke_key

    with obj.migrated_sessions()() as session:
        try:
            key = revoke_key(session, actor=obj.operator(), key_id=key_id, now=obj.now())
        except DomainError as exc:
            click.echo(f"错误：{exc.message}", err=True)
            sys.exit(2)
    click.echo(f"已吊销连接器 {key.connector_id} 的密钥 #{key.id}")
