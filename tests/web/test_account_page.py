"""我的账号: everyone reaches their own record from the top bar, changes their own password only by giving
the current one (a wrong one counts like a failed login), is then logged out everywhere, and manages their
own API tokens, whose secret is shown once."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from govgrid.db.models import ApiToken, ThrottleCounter, User
from govgrid.domain.roles import Role
from govgrid.services.people.throttle import account_key
from tests.conftest import login
from tests.factories import DISTRICT, PASSWORD, PERSONAS
from tests.web.test_pages import csrf_of


@pytest.mark.parametrize("username", sorted(PERSONAS))
def test_everyone_opens_their_own_account_from_the_top_bar(as_user, username):
    client = as_user(username)
    assert 'href="/account"' in client.get("/").text
    page = client.get("/account")
    assert page.status_code == 200 and 'id="password-form"' in page.text
    assert f"<td>{username}</td>" in page.text


def change(client, **values):
    form = client.get("/account").text
    return client.post(
        "/account/password", data={"csrf_token": csrf_of(form), **values}, follow_redirects=False
    )


def test_a_person_changes_their_password_and_must_log_in_again_with_the_new_one(app, new_account):
    username = new_account(Role.DISPATCHER, DISTRICT)
    with TestClient(app) as client:
        login(client, username)
        answer = change(client, current=PASSWORD, new="a-brand-new-pass", repeated="a-brand-new-pass")
        assert answer.status_code == 303 and answer.headers["location"] == "/login?changed=1"
        assert client.get("/", follow_redirects=False).status_code == 303  # this session ended too
        assert "密码已修改" in client.get("/login?changed=1").text
    with TestClient(app) as fresh:
        login(fresh, username, "a-brand-new-pass")
        assert fresh.get("/account").status_code == 200


def test_a_wrong_current_password_is_refused_and_counted_like_a_failed_login(app, new_account, session):
    username = new_account(Role.DISPATCHER, DISTRICT)
    with TestClient(app) as client:
        login(client, username)
        answer = change(client, current="not-the-password", new="another-pass-1", repeated="another-pass-1")
        assert answer.status_code == 422 and "当前密码不正确" in answer.text
        session.expire_all()
        assert session.get(ThrottleCounter, account_key(username)).count == 1
        mismatch = change(client, current=PASSWORD, new="another-pass-1", repeated="another-pass-2")
        assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.text
        short = change(client, current=PASSWORD, new="short", repeated="short")
        assert short.status_code == 422 and "密码至少 8 位" in short.text
        assert client.get("/account").status_code == 200  # still logged in: nothing changed


def test_a_new_token_is_shown_once_works_and_can_be_revoked(app, new_account, session):
    username = new_account(Role.DISPATCHER, DISTRICT)
    with TestClient(app) as client:
        login(client, username)
        form = client.get("/account").text
        issued = client.post(
            "/account/tokens", data={"csrf_token": csrf_of(form), "name": "巡查 App", "days": "30"}
        )
        assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
        secret = issued.text.split('<code id="new-token">', 1)[1].split("</code>", 1)[0]
        assert secret.startswith("ggt_") and secret not in client.get("/account").text
        bearer = {"Authorization": f"Bearer {secret}"}
        assert client.get("/api/v1/me", headers=bearer).json()["username"] == username
        user_id = session.scalar(select(User.id).where(User.username == username))
        token = session.scalar(select(ApiToken).where(ApiToken.user_id == user_id))
        revoked = client.post(
            f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_of(form)}, follow_redirects=False
        )
        assert revoked.status_code == 303
    with TestClient(app) as anonymous:
        assert anonymous.get("/api/v1/me", headers=bearer).status_code == 401


def test_nobody_revokes_another_persons_token(as_user, app, new_account, session):
    username = new_account(Role.DISPATCHER, DISTRICT)
    with TestClient(app) as owner:
        login(owner, username)
        form = owner.get("/account").text
        owner.post("/account/tokens", data={"csrf_token": csrf_of(form), "name": "mine", "days": "30"})
    user_id = session.scalar(select(User.id).where(User.username == username))
    token = session.scalar(select(ApiToken).where(ApiToken.user_id == user_id))
    other = as_user("supervisor")
    answer = other.post(
        f"/account/tokens/{token.id}/revoke", data={"csrf_token": csrf_of(other.get("/account").text)}
    )
    assert answer.status_code in (403, 404)  # refused, without saying whose token it is
    session.expire_all()
    assert session.get(ApiToken, token.id).revoked_at is None
