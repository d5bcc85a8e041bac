"""Sessions end: logout, a new password and disabling a user end every session and token of that user;
tokens expire; the cookie is an opaque random token; it is Secure behind HTTPS."""

import base64
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from govgrid.db.models import LoginSession, User
from govgrid.services.people import accounts as people
from tests.conftest import login
from tests.factories import NOW, PASSWORD, SECURITY_CONSOLE


def csrf_of(client: TestClient) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)


@pytest.fixture
def person(new_account):  # type: ignore[no-untyped-def]
    return new_account(people.Role.STREET_OFFICER, "370102001")


def test_the_cookie_is_an_opaque_token_that_reveals_neither_the_user_nor_the_csrf_token(app, person):
    with TestClient(app) as client:
        login(client, person)
        cookie = client.cookies["govgrid_session"]
        csrf = client.headers["X-CSRF-Token"]
        decoded = base64.urlsafe_b64decode(cookie + "=" * (-len(cookie) % 4))
        assert csrf not in cookie and b"user_id" not in decoded and csrf.encode() not in decoded
        assert len(cookie) >= 40


def test_an_old_cookie_is_dead_after_logout_on_this_and_every_other_device(app, person):
    with TestClient(app) as phone, TestClient(app) as desk:
        login(phone, person)
        login(desk, person)
        stolen = phone.cookies["govgrid_session"]
        assert (
            phone.post("/logout", data={"csrf_token": csrf_of(phone)}, follow_redirects=False).status_code
            == 303
        )
        assert desk.get("/api/v1/me").status_code == 401
    with TestClient(app, cookies={"govgrid_session": stolen}) as thief:
        assert thief.get("/api/v1/me").status_code == 401
        assert thief.get("/", follow_redirects=False).status_code == 303


def test_a_password_reset_ends_every_session_and_every_token_even_one_minted_from_the_session(
    app, person, district_sessions
):
    with TestClient(app) as client:
        login(client, person)
        token = client.post("/api/v1/tokens", json={"name": "minted"}).json()["token"]
        with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as tool:
            assert tool.get("/api/v1/me").status_code == 200
            with district_sessions() as session:
                people.set_password(
                    session, actor=SECURITY_CONSOLE, username=person, password="a-new-pass-9", now=NOW
                )
            assert tool.get("/api/v1/me").status_code == 401
        assert client.get("/api/v1/me").status_code == 401


def test_disabling_a_user_ends_their_sessions_and_they_cannot_log_in(app, person, district_sessions):
    with TestClient(app) as client:
        login(client, person)
        with district_sessions() as session:
            people.set_active(session, actor=SECURITY_CONSOLE, username=person, active=False, now=NOW)
        assert client.get("/api/v1/me").status_code == 401
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        refused = client.post("/login", data={"username": person, "password": PASSWORD, "csrf_token": token})
        assert refused.status_code == 401, refused.text[:3000]


def test_a_token_expires_and_a_session_ends_after_idling(app, person, district_sessions):
    with district_sessions() as session:
        user = session.scalars(select(User).where(User.username == person)).one()
        old = people.issue_token(
            session, actor=people.actor_for(user), name="old", now=NOW - timedelta(days=2), days=1
        )
    with TestClient(app, headers={"Authorization": f"Bearer {old}"}) as tool:
        answer = tool.get("/api/v1/me")
        assert answer.status_code == 401 and "过期" in answer.json()["error"]["message"]
    with TestClient(app) as client:
        login(client, person)
        assert client.get("/api/v1/me").status_code == 200
        with district_sessions() as session:
            session.execute(
                update(LoginSession)
                .where(LoginSession.user_id == user.id)
                .values(last_seen_at=NOW - timedelta(minutes=121))
            )
            session.commit()
        assert client.get("/api/v1/me").status_code == 401


def test_the_cookie_is_secure_and_hsts_is_sent_behind_https(district_url, district, tmp_path):
    from govgrid.settings import load_settings
    from govgrid.web.app import create_app

    settings = load_settings(
        database_url=district_url,
        secret_key="test-secret-key-that-is-long-enough",
        media_dir=tmp_path,
        https=True,
    )
    with TestClient(create_app(settings, clock=lambda: NOW), base_url="https://testserver") as client:
        form = client.get("/login")
        assert "secure" in form.headers["set-cookie"].lower()
        assert "max-age" in form.headers["strict-transport-security"]
        login(client, "street_officer")
        assert client.get("/api/v1/me").status_code == 200


def test_a_connector_key_is_refused_as_a_persons_token(app, connector_client):
    client = connector_client()
    assert client.get("/api/v1/me").status_code == 401
