"""Crash tests that really kill a process (SIGKILL, `kill -9`) in the middle of its work, on the engine the
suite runs on: after a restart nothing acknowledged is lost, nothing is written twice, every hash chain
verifies and (SQLite) `PRAGMA integrity_check` is ok."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2 as httpx
import pytest
from sqlalchemy import func, select, text

from govgrid.db.case_models import Case
from govgrid.db.engine import make_engine, make_session_factory
from govgrid.db.migrate import upgrade
from govgrid.services.chain_verify import verify
from govgrid.services.import_batches import ABANDONED_AFTER, drop_abandoned_once
from tests.crash.ports import free_port
from tests.databases import fresh_database
from tests.factories import STREET_A, build_district
from tests.services.cases.test_cases import point_in

GOVGRID = Path(sys.executable).parent / "govgrid"


@pytest.fixture
def district_db(tmp_path):
    with fresh_database(tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        with make_session_factory(engine)() as session:
            district = build_district(session)
        yield url, district, make_session_factory(engine)
        engine.dispose()


def env_for(url, tmp_path):
    return {
        **os.environ,
        "GOVGRID_DATABASE_URL": url,
        "GOVGRID_MEDIA_DIR": str(tmp_path / "media"),
        "GOVGRID_SECRET_KEY": "crash-test-" + "k" * 32,
        "GOVGRID_EMBEDDED_WORKER": "false",
        "GOVGRID_REPORTS_PER_MINUTE": "100000",
        "PYTHONUNBUFFERED": "1",
    }


def after_restart_all_is_whole(sessions, url):
    with sessions() as session:
        assert all(c.broken == 0 for c in verify(session)), "a hash chain broke"
        if url.startswith("sqlite"):
            assert session.execute(text("PRAGMA integrity_check")).scalar() == "ok"


def test_a_bulk_case_import_killed_midway_leaves_whole_chunks_and_a_rerun_adds_each_case_once(
    district_db, tmp_path
):
    url, district, sessions = district_db
    point, _ = point_in(district, f"{STREET_A}001")
    sheet = tmp_path / "历史案件.csv"
    rows = 12_000
    with sheet.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["案件编号", "来源", "问题分类", "标题", "经度", "纬度", "上报时间", "当前状态"])
        for n in range(rows):
            writer.writerow(
                [f"K9-{n}", "巡查", "E0102", "路边暴露垃圾", point.x, point.y, "2025-03-03 09:00", "待立案"]
            )
    command = [str(GOVGRID), "cases", "import", str(sheet), "--source", "crash"]
    importer = subprocess.Popen(
        command, env=env_for(url, tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    for line in importer.stderr:  # type: ignore[union-attr]
        if "已写入" in line:  # the first chunk is committed: kill it in the middle of the next
            importer.send_signal(signal.SIGKILL)
            break
    importer.wait(timeout=60)
    assert importer.returncode == -signal.SIGKILL, "the import ended before it could be killed"
    with sessions() as session:
        written = session.scalar(select(func.count()).select_from(Case).where(Case.source == "crash"))
    assert 0 < written < rows
    after_restart_all_is_whole(sessions, url)
    again = subprocess.run(command, env=env_for(url, tmp_path), capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    with sessions() as session:
        ids = session.scalars(select(Case.external_id).where(Case.source == "crash")).all()
    assert len(ids) == len(set(ids)) == rows  # every case once: none lost, none twice
    after_restart_all_is_whole(sessions, url)


def serve(url, tmp_path, port):
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "govgrid.web.app:create_app",
        "--port",
        str(port),
    ]
    server = subprocess.Popen([*command, "--log-level", "warning"], env=env_for(url, tmp_path))
    for _ in range(200):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.1)
    server.kill()
    raise AssertionError("the server did not start")


def test_the_server_killed_under_write_load_loses_no_acknowledged_case_and_a_retry_makes_none_twice(
    district_db, tmp_path
):
    from govgrid.db.models import User
    from govgrid.services.people.accounts import actor_for, issue_token
    from tests.factories import NOW

    url, district, sessions = district_db
    with sessions() as session:
        user = session.scalars(select(User).where(User.username == "dispatcher")).one()
        token = issue_token(session, actor=actor_for(user), name="crash", now=NOW)
    point, _ = point_in(district, f"{STREET_A}001")
    client_ids = [str(uuid.uuid4()) for _ in range(400)]
    acknowledged: list[str] = []
    headers = {"Authorization": f"Bearer {token}"}
    body = {"class_code": "E0102", "title": "压测案件", "lng": point.x, "lat": point.y, "channel": "phone"}

    port = free_port()
    server = serve(url, tmp_path, port)

    def write(start: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
            for cid in client_ids[start::4]:
                try:
                    if (
                        client.post(
                            "/api/v1/cases", headers=headers, json={**body, "client_id": cid}
                        ).status_code
                        == 201
                    ):
                        acknowledged.append(cid)
                except httpx.TransportError:
                    return

    writers = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for writer in writers:
        writer.start()
    while len(acknowledged) < 40:
        time.sleep(0.05)
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=30)
    for writer in writers:
        writer.join(timeout=30)
    assert 40 <= len(acknowledged) < len(client_ids)
    with sessions() as session:
        stored = set(session.scalars(select(Case.external_id).where(Case.external_id.in_(client_ids))))
    assert set(acknowledged) <= stored  # nothing acknowledged is lost
    after_restart_all_is_whole(sessions, url)
    server = serve(url, tmp_path, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=10) as client:
            for cid in client_ids:  # every sender retries what it sent, answered or not
                answer = client.post("/api/v1/cases", headers=headers, json={**body, "client_id": cid})
                assert answer.status_code in (200, 201), answer.text
    finally:
        server.terminate()
        server.wait(timeout=30)
    with sessions() as session:
        stored_ids = session.scalars(select(Case.external_id).where(Case.external_id.in_(client_ids))).all()
    assert sorted(stored_ids) == sorted(client_ids)  # each exactly once
    after_restart_all_is_whole(sessions, url)


def test_a_killed_ledger_import_shows_nothing_is_dropped_by_the_worker_and_a_rerun_writes_each_item_once(
    district_db, tmp_path
):
    from govgrid.db.ledger_models import LedgerItem

    url, _, sessions = district_db
    sheet = tmp_path / "台账.csv"
    with sheet.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["序号", "上级序号", "层级", "工作内容", "牵头单位", "完成时限"])
        writer.writerow(["K9", "", "行动", "断电检查行动", "", ""])
        writer.writerows(
            [str(n), "K9", "任务", f"断电检查任务{n}", "LX-CGJ", "2026-12-31"] for n in range(1, 4001)
        )
    command = [str(GOVGRID), "ledger", "import", str(sheet)]
    importer = subprocess.Popen(
        command, env=env_for(url, tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    for line in importer.stderr:  # type: ignore[union-attr]
        if "写入事项" in line and not line.strip().endswith(" 1/4,001"):  # well into the writing
            importer.send_signal(signal.SIGKILL)
            break
    importer.wait(timeout=60)
    assert importer.returncode == -signal.SIGKILL, "the import ended before it could be killed"

    def items(*, staged: bool = False) -> list[str]:
        where = LedgerItem.batch_id.is_not(None) if staged else LedgerItem.batch_id.is_(None)
        with sessions() as session:
            query = select(LedgerItem.content).where(LedgerItem.content.startswith("断电检查"), where)
            return list(session.scalars(query))

    assert items() == [] and len(items(staged=True)) > 0  # written in chunks, staged: no reader sees them
    after_restart_all_is_whole(sessions, url)
    with sessions() as session:  # the worker's round, once the dead importer has been silent long enough
        assert drop_abandoned_once(session, now=datetime.now(UTC) + ABANDONED_AFTER + timedelta(minutes=1))
    assert items(staged=True) == []
    after_restart_all_is_whole(sessions, url)
    again = subprocess.run(command, env=env_for(url, tmp_path), capture_output=True, text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    written = items()
    assert len(written) == len(set(written)) == 4001
    after_restart_all_is_whole(sessions, url)


def test_the_worker_killed_in_its_sweep_applies_each_mark_once_when_it_runs_again(district_db, tmp_path):
    from govgrid.db.case_models import CaseTransition
    from govgrid.domain.workflow import Step
    from govgrid.domain.worktime import CHINA
    from tests.services.cases.test_cases import patrol, step

    url, district, sessions = district_db
    start = datetime(2026, 10, 12, 10, tzinfo=CHINA)  # weeks before today: every mark is due
    with sessions() as session:
        for n in range(150):
            case = patrol(session, district, when=start + timedelta(minutes=n))
            for action in (Step.VERIFY, Step.REGISTER, Step.DISPATCH):
                case = step(session, "dispatcher", case, action, start + timedelta(minutes=n + 1))

    def marks() -> list[tuple[int, str]]:
        with sessions() as session:
            rows = session.execute(
                select(CaseTransition.case_id, CaseTransition.step).where(
                    CaseTransition.actor_name == "system:sweeper"
                )
            )
            return [tuple(r) for r in rows]

    worker = subprocess.Popen(
        [str(GOVGRID), "worker", "--once"], env=env_for(url, tmp_path), stdout=subprocess.DEVNULL
    )
    while not marks() and worker.poll() is None:
        time.sleep(0.02)
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=60)
    assert worker.returncode == -signal.SIGKILL, "the sweep ended before it could be killed"
    first = marks()
    after_restart_all_is_whole(sessions, url)
    again = subprocess.run(
        [str(GOVGRID), "worker", "--once"], env=env_for(url, tmp_path), capture_output=True, timeout=600
    )
    assert again.returncode == 0, again.stderr
    done = marks()
    assert len(first) < len(done) and len(done) == len(set(done))  # it went on, and no mark came twice
    assert {case_id for case_id, _ in done} >= {case_id for case_id, _ in first}
    after_restart_all_is_whole(sessions, url)


def test_a_push_killed_in_flight_resumes_from_its_cursor_and_every_bulletin_arrives(district_db, tmp_path):
    """A robot cannot tell a retry from a new message, so delivery is at least once: after a kill, every
    bulletin arrives, and only the one in flight when the worker died may arrive twice."""
    from govgrid.db.push_models import BulletinIssue, PushDestination
    from govgrid.domain.bulletins import Kind
    from govgrid.services.pushes.destinations import add_destination, issue
    from tests.services.cases.test_cases import RULES, who
    from tests.services.test_pushes import HOSTS, MONDAY_8, Receiver

    url, _, sessions = district_db
    robot = Receiver()
    answer = robot.check

    def slowly(path, query, body):  # type: ignore[no-untyped-def]
        time.sleep(0.4)  # a slow robot: the worker is killed while one message is on the wire
        return answer(path, query, body)

    robot.check = slowly  # type: ignore[method-assign]
    try:
        with sessions() as session:
            target = add_destination(
                session, actor=who(session, "admin"), name="指挥中心群", platform="wecom", url=f"{robot.url}/wecom",
                secret="", now=MONDAY_8, hosts=HOSTS,
            )  # fmt: skip
            for day in range(6):
                issue(
                    session,
                    rules=RULES,
                    kind=Kind.DAILY,
                    day=(MONDAY_8 + timedelta(days=day)).date(),
                    now=MONDAY_8,
                )
        env = {**env_for(url, tmp_path), "GOVGRID_PUSH_HOSTS": "127.0.0.1"}
        worker = subprocess.Popen([str(GOVGRID), "worker", "--once"], env=env, stdout=subprocess.DEVNULL)
        while len(robot.received) < 2 and worker.poll() is None:
            time.sleep(0.02)
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=60)
        assert worker.returncode == -signal.SIGKILL, "the pushes ended before the worker could be killed"
        after_restart_all_is_whole(sessions, url)
        again = subprocess.run([str(GOVGRID), "worker", "--once"], env=env, capture_output=True, timeout=600)
        assert again.returncode == 0, again.stderr
        with sessions() as session:
            issued = session.scalars(select(BulletinIssue).order_by(BulletinIssue.id)).all()
            cursor = session.get(PushDestination, target.id).bulletin_cursor
        sent = [body["markdown"]["content"] for _, _, body in robot.received]
        for bulletin in issued:  # every one arrived
            assert any(bulletin.summary in content for content in sent), bulletin.summary
        assert len(sent) <= len(issued) + 1  # at most the one in flight came twice
        assert cursor == issued[-1].id  # the cursor went on from where it stood
        after_restart_all_is_whole(sessions, url)
    finally:
        robot.server.shutdown()
