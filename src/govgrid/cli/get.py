"""`govgrid get PATH [--as USER]`: one in-process HTTP GET, for scripts and smoke tests."""

from __future__ import annotations

import sys

import click

from govgrid.cli.context import Context, pass_context


@click.command()
@click.argument("path")
@click.option("--as", "as_user", default=None, help="以该用户身份请求（进程内，不需要密码）")
@pass_context
def get(obj: Context, path: str, as_user: str | None) -> None:
    """Perform one in-process HTTP GET against the app; print the body; exit 1 on a non-2xx status."""
    from fastapi.testclient import TestClient

    from govgrid.web.app import create_app
    from govgrid.web.deps import get_actor

    obj.migrated_sessions()
    app = create_app(obj.settings)
    if as_user:
        actor = obj.actor_named(as_user)
        app.dependency_overrides[get_actor] = lambda: actor
    with TestClient(app) as client:
        response = client.get(path)
    click.echo(response.text)
    if not 200 <= response.status_code < 300:
        click.echo(f"HTTP {response.status_code}", err=True)
        sys.exit(1)
