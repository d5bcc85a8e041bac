"""`govgrid serve` (also `govgrid` alone) and `govgrid worker`."""

from __future__ import annotations

import click

from govgrid.cli.context import Context, pass_context
from govgrid.services.pushes.mail import Mail
from govgrid.services.worker import run_round, start_embedded
from govgrid.settings import Settings


@click.command()
@click.option("--host", default=None, help="监听地址（默认取 GOVGRID_HOST，127.0.0.1）")
@click.option("--port", default=None, type=int, help="端口（默认取 GOVGRID_PORT，8000）")
@pass_context
def serve(obj: Context, host: str | None, port: int | None) -> None:
    """Migrate the database to the newest schema, then serve the app."""
    import uvicorn

    from govgrid.web.app import create_app

    sessions = obj.migrated_sessions()
    settings = obj.settings
    app = create_app(settings)
    if settings.embedded_worker:  # the app's own catalogues and calendar
        start_embedded(
            sessions,
            app.state.catalogs,
            interval=5,
            public_url=settings.public_url,
            mail=mailer(settings),
            audit_days=settings.audit_retention_days,
        )
    click.echo(
        f"govgrid 服务地址：http://{host or settings.host}:{port or settings.port}/  数据库：{settings.database_url}"
    )
    # proxy_headers off: the client's address is decided by GOVGRID_TRUSTED_PROXIES (web/deps.client_address)
    uvicorn.run(
        app,
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
        proxy_headers=False,
    )


def mailer(settings: Settings) -> Mail | None:
    """The email destinations' sender through GOVGRID_SMTP_URL (None when no relay is configured)."""
    from govgrid.services.pushes.mail import smtp_sender

    return smtp_sender(settings.smtp_url, settings.mail_from) if settings.smtp_url else None


@click.command()
@click.option("--once", is_flag=True, help="扫描一轮后退出")
@click.option("--interval", default=60, show_default=True, help="两轮扫描间隔（秒）")
@pass_context
def worker(obj: Context, once: bool, interval: int) -> None:
    """The supervision sweeper: 预警, 超期, 催办, 督办 (safe to run several copies)."""
    import time

    sessions = obj.migrated_sessions()
    while True:
        settings = obj.settings
        applied, linked = run_round(
            sessions, obj.catalogs, settings.public_url, mailer(settings), settings.audit_retention_days
        )
        if applied or linked:
            click.echo(f"{obj.now():%Y-%m-%d %H:%M:%S} 督办扫描：处理 {applied} 项；相似案件检查 {linked} 件")
        if once:
            return
        time.sleep(interval)
