"""`govgrid bench api`: p50/p99 of single-case POSTs at a fixed rate against GET /health at the same rate."""

from __future__ import annotations

import time
import uuid

import click

from govgrid.cli.bench import common
from govgrid.cli.context import Context, pass_context


@click.command("api")
@click.option("--rate", default=200, show_default=True, help="每秒请求数")
@click.option("--seconds", default=10.0, show_default=True, help="每项持续秒数")
@pass_context
def bench_api(obj: Context, rate: int, seconds: float) -> None:
    """p50/p99 of a single-case POST at a fixed rate on loopback, against GET /health at the same rate."""
    import os
    import socket
    import tempfile

    import httpx2 as httpx  # the HTTP client the project depends on (also behind Starlette's TestClient)

    from govgrid.domain.roles import Role
    from govgrid.services.people.accounts import actor_for, add_user, issue_token

    areas, grids = common.geography_rows(obj)
    with tempfile.TemporaryDirectory() as folder:
        sessions = common.bench_database(folder, "api", areas, grids)
        from datetime import UTC, datetime

        with sessions() as session:
            user = add_user(
                session,
                username="bench",
                display_name="压测",
                role=Role.DISPATCHER,
                unit_code=None,
                scope_code=areas[0]["code"][:6],
                phone="",
                password=None,
                now=datetime.now(UTC),
            )
            session.commit()
            token = issue_token(session, actor=actor_for(user), name="bench", now=datetime.now(UTC))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {
            **os.environ,
            "GOVGRID_DATABASE_URL": f"sqlite:///{folder}/api.db",
            "GOVGRID_SECRET_KEY": "bench-" + token,
            "GOVGRID_MEDIA_DIR": f"{folder}/media",
            # the load this benchmark means to drive, not an attacker's: the per-person limit is lifted
            "GOVGRID_REPORTS_PER_MINUTE": str(max(rate * 120, 1000)),
        }
        server = common.uvicorn(port, env)
        try:
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=10, limits=httpx.Limits(max_connections=64)) as client:
                for _ in range(100):
                    try:
                        if client.get("/api/v1/health").status_code == 200:
                            break
                    except httpx.TransportError:
                        time.sleep(0.1)
                headers = {"Authorization": f"Bearer {token}"}
                failures: list[int] = []

                def health(i: int) -> None:
                    if client.get("/api/v1/health").status_code != 200:
                        failures.append(i)

                def post(i: int) -> None:
                    grid = grids[(i * 7919) % len(grids)]
                    answer = client.post(
                        "/api/v1/cases",
                        headers=headers,
                        json={
                            "class_code": "E0102",
                            "title": f"压测案件 {i}",
                            "lng": grid["center_lng"],
                            "lat": grid["center_lat"],
                            "client_id": str(uuid.UUID(int=i + 1)),
                            "channel": "phone",
                        },
                    )
                    if answer.status_code != 201:
                        failures.append(i)

                for i in range(50):  # warm-up (first requests compile statements), not measured
                    health(i)
                    post(1_000_000 + i)
                baseline = common.open_loop(health, rate, seconds)
                posts = common.open_loop(post, rate, seconds)
        finally:
            server.terminate()
            server.wait(timeout=10)
    click.echo(
        f"负载：{rate} 次/秒，各 {seconds:g} 秒（先各预热 50 次，不计入），服务在独立进程（uvicorn，SQLite）"
    )
    for name, values in (("GET /api/v1/health（基线）", baseline), ("POST /api/v1/cases", posts)):
        click.echo(
            f"{name}：p50 {common.percentile(values, 0.5):.1f} ms，p99 {common.percentile(values, 0.99):.1f} ms，"
            f"{len(values)} 次"
        )
    ratio = common.percentile(posts, 0.99) / max(common.percentile(baseline, 0.99), 0.001)
    median = common.percentile(posts, 0.5) / max(common.percentile(baseline, 0.5), 0.001)
    click.echo(
        f"倍数（上报/健康检查）：p50 {median:.1f}×，p99 {ratio:.1f}×；目标 上报 p99 < 50 ms：{'达到' if common.percentile(posts, 0.99) < 50 else '未达到'}；失败 {len(failures)} 次"
    )
    if failures:
        raise SystemExit(1)
