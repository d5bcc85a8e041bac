"""Throttles: logins per account and per client address (a growing delay, then a lock an administrator
lifts, every failure audited), the public follow page per address, and writes per API key."""

import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from govgrid.db.models import AuditEvent, ThrottleCounter
from govgrid.domain.errors import TooManyAttempts
from govgrid.services.people import accounts as people
from govgrid.services.people import throttle
from tests.conftest import login
from tests.factories import NOW, PASSWORD, SECURITY_CONSOLE


@pytest.fixture(autouse=True)
def fresh_counters(district_sessions):
    """Counters are shared by the whole test district (its clock stands still): each test starts clean."""
    yield
    with district_sessions() as session:
        session.execute(delete(ThrottleCounter))
        session.commit()


@pytest.fixture
def person(new_account):  # type: ignore[no-untyped-def]
    return new_account(people.Role.GRID_WORKER, "370102001001")


def try_login(client: TestClient, username: str, password: str):  # type: ignore[no-untyped-def]
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def test_thirty_wrong_passwords_are_not_followed_by_an_immediate_login_and_every_failure_is_audited(
    app, person, session
):
    with TestClient(app) as client:
        answers = [try_login(client, person, f"wrong-{n}").status_code for n in range(30)]
        assert answers[:3] == [401, 401, 401] and set(answers[3:]) == {429}
        right = try_login(client, person, PASSWORD)
        assert (
            right.status_code == 429 and "秒后再试" in right.text and int(right.headers["retry-after"]) >= 1
        )
    audited = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "session.login_failed", AuditEvent.entity_id == person)
    )
    assert audited == 3  # each password that was checked and failed; refused attempts were never checked
    row = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == person)).first()
    assert row.detail["address"] == "testclient"


def test_the_wait_doubles_then_the_account_locks_until_an_administrator_lifts_it(session, person):
    policy = throttle.LoginPolicy(free_failures=3, delay_seconds=2, lock_failures=6, lock_minutes=0)
    moment = NOW
    for _ in range(3):
        throttle.check_login(session, username=person, address="10.0.0.1", now=moment, policy=policy)
        throttle.record_login_failure(session, username=person, address="10.0.0.1", now=moment, policy=policy)
    waits = []
    for _ in range(3):
        with pytest.raises(TooManyAttempts) as caught:
            throttle.check_login(session, username=person, address="10.0.0.1", now=moment, policy=policy)
        waits.append(caught.value.retry_after)
        moment += timedelta(seconds=caught.value.retry_after)
        throttle.check_login(session, username=person, address="10.0.0.1", now=moment, policy=policy)
        throttle.record_login_failure(session, username=person, address="10.0.0.1", now=moment, policy=policy)
    assert waits == [2, 4, 8]
    with pytest.raises(TooManyAttempts, match="联系系统管理员"):
        throttle.check_login(
            session, username=person, address="10.0.0.1", now=moment + timedelta(days=30), policy=policy
        )
    assert throttle.unlock(session, actor=SECURITY_CONSOLE, username=person, now=moment, scope_code=None)
    throttle.check_login(session, username=person, address="10.0.0.1", now=moment, policy=policy)


def test_a_timed_lock_opens_by_itself(session, person):
    policy = throttle.LoginPolicy(free_failures=1, delay_seconds=1, lock_failures=2, lock_minutes=30)
    for n in range(2):
        throttle.record_login_failure(
            session, username=person, address="10.0.0.2", now=NOW + timedelta(seconds=n), policy=policy
        )
    with pytest.raises(TooManyAttempts):
        throttle.check_login(
            session, username=person, address="10.0.0.2", now=NOW + timedelta(minutes=29), policy=policy
        )
    throttle.check_login(
        session, username=person, address="10.0.0.2", now=NOW + timedelta(minutes=31), policy=policy
    )


def test_one_client_address_guessing_many_accounts_is_stopped(session):
    policy = throttle.LoginPolicy(address_failures=5)
    for n in range(5):
        throttle.record_login_failure(
            session, username=f"guess{n}", address="10.9.9.9", now=NOW, policy=policy
        )
    with pytest.raises(TooManyAttempts, match="此地址"):
        throttle.check_login(session, username="someone_else", address="10.9.9.9", now=NOW, policy=policy)
    throttle.check_login(session, username="someone_else", address="10.9.9.8", now=NOW, policy=policy)


def test_the_follow_page_stops_guessing_even_the_right_code(connector_client, anonymous, district):
    from tests.web.test_connectors import hotline_order

    receipt = (
        connector_client().post("/api/v1/connectors/hotline12345/events", json=hotline_order(district)).json()
    )
    for n in range(20):
        assert anonymous.get(f"/follow?code={receipt['code']}&secret=GUESS{n:07d}").status_code == 200
    blocked = anonymous.get(f"/follow?code={receipt['code']}&secret={receipt['follow_secret']}")
    assert blocked.status_code == 429 and "follow-status" not in blocked.text
    assert len(receipt["follow_secret"].replace("-", "")) == 12  # 31^12 codes: hopeless to guess anyway


def test_reports_are_rate_limited_per_person_across_the_api_the_page_and_every_open311_key(
    as_user, anonymous, district, app, new_account
):
    import uuid

    from govgrid.domain.roles import Role
    from govgrid.geo.crs import Crs, from_stored
    from tests.conftest import login

    name = new_account(Role.GRID_WORKER, "370102001001")
    with TestClient(app) as worker:
        login(worker, name)
        keys = [worker.post("/api/v1/tokens", json={"name": f"k{n}"}).json()["token"] for n in range(2)]
        point = district.grid("370102001001").geometry.representative_point()
        lng, lat = from_stored(point.x, point.y, Crs.WGS84)
        form = {"service_code": "E0102", "lat": str(lat), "long": str(lng), "description": "限流"}
        body = {"class_code": "E0102", "title": "限流", "lng": point.x, "lat": point.y}
        app.state.settings.reports_per_minute = 4
        try:
            first = [
                anonymous.post(
                    "/open311/v2/requests.json", data=form, headers={"X-Api-Key": keys[0]}
                ).status_code
                for _ in range(2)
            ]
            retry_key = str(uuid.uuid4())
            api = [
                worker.post("/api/v1/cases", json={**body, "client_id": retry_key}).status_code
                for _ in range(3)
            ]
            second_key = anonymous.post(
                "/open311/v2/requests.json", data=form, headers={"X-Api-Key": keys[1]}
            )
            more = worker.post("/api/v1/cases", json=body)
        finally:
            app.state.settings.reports_per_minute = 100_000
    assert first == [200, 200] and api == [201, 200, 200]  # a retry of the same client_id is not counted
    assert second_key.status_code == 200  # the fourth new report, whichever key
    assert more.status_code == 429 and "每人每分钟最多 4 件" in more.json()["error"]["message"]


def test_a_connector_key_is_rate_limited(connector_client, district, app):
    from tests.web.test_connectors import hotline_order

    client = connector_client()
    app.state.settings.connector_posts_per_minute = 3
    try:
        statuses = [
            client.post("/api/v1/connectors/hotline12345/events", json=hotline_order(district)).status_code
            for _ in range(5)
        ]
    finally:
        app.state.settings.connector_posts_per_minute = 600
    assert statuses == [201, 201, 201, 429, 429]


class FakeRequest:
    def __init__(self, peer, forwarded="", trusted=""):  # type: ignore[no-untyped-def]
        from types import SimpleNamespace

        from govgrid.web.deps import trusted_networks

        self.client = SimpleNamespace(host=peer)
        self.headers = {"x-forwarded-for": forwarded} if forwarded else {}
        self.app = SimpleNamespace(state=SimpleNamespace(trusted_proxies=trusted_networks(trusted)))


def test_the_client_address_comes_through_trusted_proxies_only():
    from govgrid.web.deps import client_address

    assert (
        client_address(FakeRequest("203.0.113.5", "1.2.3.4")) == "203.0.113.5"
    )  # a forged header is ignored
    behind = FakeRequest("10.0.0.2", "1.2.3.4, 198.51.100.7, 10.0.0.3", trusted="10.0.0.0/24")
    assert client_address(behind) == "198.51.100.7"  # the last hop the trusted proxies saw
    assert client_address(FakeRequest("10.0.0.2", "", trusted="10.0.0.0/24")) == "10.0.0.2"
    with pytest.raises(ValueError, match="not-an-ip"):
        FakeRequest("10.0.0.2", trusted="10.0.0.0/24, not-an-ip")


def test_an_api_key_in_a_url_never_reaches_the_access_log():
    import logging

    from govgrid.web.logs import RedactSecrets

    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        "",
        0,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/open311/v2/requests.json?api_key=ggt_SECRET&status=open", "1.1", 200),
        None,
    )
    RedactSecrets().filter(record)
    line = record.getMessage()
    assert "ggt_SECRET" not in line and "api_key=***" in line and "status=open" in line


def test_a_logged_in_user_can_still_log_in_after_others_failed(app, person):
    with TestClient(app) as client:
        assert try_login(client, person, "wrong").status_code == 401
        login(client, person)
        assert client.get("/api/v1/me").status_code == 200
