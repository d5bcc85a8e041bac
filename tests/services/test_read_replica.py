"""GOVGRID_READ_DATABASE_URL against a real streaming replica: a throwaway primary and replica started here
as the postgres user (initdb, pg_basebackup -R) on spare ports. With the replica's replay paused, a case just
reported is on its page (the primary) but not yet in the case list (the replica); once replay resumes, the
list has it — so the list reads the replica. The metrics answer from the replica without writing to it.
Runs in the PostgreSQL pass of the suite."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from govgrid.db.engine import make_engine, make_session_factory
from govgrid.db.migrate import upgrade
from govgrid.settings import load_settings
from govgrid.web.app import create_app
from tests.conftest import login
from tests.crash.ports import free_port
from tests.databases import postgres_base
from tests.factories import NOW, STREET_A, build_district
from tests.services.cases.test_cases import point_in

VERSIONS = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
pytestmark = pytest.mark.skipif(
    postgres_base() is None or not VERSIONS or shutil.which("runuser") is None,
    reason="the replica test runs in the PostgreSQL pass (GOVGRID_TEST_DATABASE_URL) with the server's tools",
)


def as_postgres(*command: str) -> None:
    subprocess.run(
        ["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True, timeout=120
    )


@pytest.fixture(scope="module")
def primary_and_replica():
    bin_dir = VERSIONS[-1].parent
    folder = Path(tempfile.mkdtemp(prefix="gg-replica-"))
    shutil.chown(folder, "postgres", "postgres")
    primary, replica = folder / "primary", folder / "replica"
    ports = free_port(), free_port()
    options = "-c listen_addresses=127.0.0.1 -c fsync=off -k " + str(folder)
    try:
        as_postgres(str(bin_dir / "initdb"), "-D", str(primary), "-A", "trust", "-U", "postgres", "--no-sync")
        as_postgres(
            str(bin_dir / "pg_ctl"),
            "-D",
            str(primary),
            "-o",
            f"-p {ports[0]} {options}",
            "-l",
            str(folder / "p.log"),
            "-w",
            "start",
        )
        as_postgres(
            str(bin_dir / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(ports[0]),
            "-U",
            "postgres",
            "-D",
            str(replica),
            "-R",
            "-X",
            "stream",
        )
        as_postgres(
            str(bin_dir / "pg_ctl"),
            "-D",
            str(replica),
            "-o",
            f"-p {ports[1]} {options}",
            "-l",
            str(folder / "r.log"),
            "-w",
            "start",
        )
        yield tuple(f"postgresql://postgres@127.0.0.1:{port}/postgres" for port in ports)
    finally:
        for data in (replica, primary):
            if data.exists():
                subprocess.run(
                    [
                        "runuser",
                        "-u",
                        "postgres",
                        "--",
                        str(bin_dir / "pg_ctl"),
                        "-D",
                        str(data),
                        "-m",
                        "immediate",
                        "stop",
                    ],
                    capture_output=True,
                    check=False,
                )
        shutil.rmtree(folder, ignore_errors=True)


def until(check, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


def test_lists_and_metrics_are_read_from_the_streaming_replica(primary_and_replica, tmp_path):
    primary_url, replica_url = primary_and_replica
    engine = make_engine(primary_url)
    upgrade(engine)
    with make_session_factory(engine)() as session:
        district = build_district(session)
    replica = make_engine(replica_url, isolation_level="AUTOCOMMIT")
    with replica.connect() as connection:
        assert connection.scalar(text("SELECT pg_is_in_recovery()")) is True
        assert until(lambda: connection.scalar(text("SELECT count(*) FROM app_user")) > 0)
        connection.execute(text("SELECT pg_wal_replay_pause()"))
        settings = load_settings(
            database_url=primary_url, read_database_url=replica_url, secret_key="replica-test-key-long-enough",
            media_dir=tmp_path / "media", reports_per_minute=100_000,
        )  # fmt: skip
        app = create_app(settings, clock=lambda: NOW)
        point, _ = point_in(district, f"{STREET_A}001")
        title = f"副本检查 {uuid.uuid4().hex[:6]}"
        with TestClient(app) as client:
            login(client, "dispatcher")
            body = {"class_code": "E0102", "title": title, "lng": point.x, "lat": point.y, "channel": "phone"}
            made = client.post("/api/v1/cases", json={**body, "client_id": str(uuid.uuid4())})
            assert made.status_code == 201, made.text
            assert client.get(f"/api/v1/cases/{made.json()['id']}").status_code == 200  # the primary has it

            def listed() -> bool:
                return any(
                    c["title"] == title
                    for c in client.get("/api/v1/cases", params={"q": title}).json()["items"]
                )

            assert not listed()  # the replica, paused, has not replayed it yet
            connection.execute(text("SELECT pg_wal_replay_resume()"))
            assert until(listed)  # replayed: the list, read from the replica, has it now
            metrics = client.get(
                "/api/v1/assessment/metrics", params={"from": "2026-11-01", "to": "2026-11-30"}
            )
            assert metrics.status_code == 200, metrics.text  # answered without writing to the replica
    replica.dispose()
    engine.dispose()
