"""The administrator's pages: accounts made (a refused one comes back with what was typed), disabled and
enabled, passwords reset, units added, grid workers named to responsibility grids, connector keys issued
(shown once) and revoked — each by the administrator only, each audited."""

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from govgrid.db.models import AuditEvent, ConnectorKey, OrgUnit, ResponsibilityGrid, User
from tests.conftest import login
from tests.factories import DISTRICT, STREET_A, STREET_B
from tests.web.test_pages import csrf_of


def post(client, path, form_page, **data):
    token = csrf_of(client.get(form_page).text)
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def audited(session, action, entity):
    session.expire_all()
    return session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == action, AuditEvent.entity_id == entity)
    )


def test_an_administrator_makes_an_account_and_its_owner_logs_in(as_user, app, session):
    name = f"u_{uuid.uuid4().hex[:6]}"
    answer = post(
        as_user("security_admin"),
        "/people",
        "/people",
        username=name,
        display_name="王芳",
        role="dispatcher",
        unit_code="LX-ZHZX",
        scope_code=DISTRICT,
        phone="0531-1234567",
        password="first-pass-1",
    )
    assert answer.status_code == 303
    user = session.scalar(select(User).where(User.username == name))
    assert (
        user.display_name == "王芳"
        and user.role == "dispatcher"
        and audited(session, "user.create", name) == 1
    )
    with TestClient(app) as client:
        login(client, name, "first-pass-1")


def test_a_refused_account_comes_back_with_what_was_typed(as_user, session):
    name = f"u_{uuid.uuid4().hex[:6]}"
    answer = post(
        as_user("security_admin"),
        "/people",
        "/people",
        username=name,
        display_name="李强",
        role="grid_worker",
        scope_code="",
        password="first-pass-1",
    )
    assert answer.status_code == 422 and "须指定数据范围" in answer.text
    assert f'value="{name}"' in answer.text and 'value="李强"' in answer.text
    assert session.scalar(select(User.id).where(User.username == name)) is None


def test_disabling_an_account_ends_its_logins_and_enabling_restores_them(as_user, app, new_account, session):
    from govgrid.domain.roles import Role

    name = new_account(Role.DISPATCHER, DISTRICT)
    uid = session.scalar(select(User.id).where(User.username == name))
    admin = as_user("security_admin")
    assert post(admin, f"/people/{uid}/active", "/people", active="false").status_code == 303
    with TestClient(app) as client:
        page = client.get("/login").text
        refused = client.post(
            "/login", data={"csrf_token": csrf_of(page), "username": name, "password": "persona-pass-1"}
        )
        assert refused.status_code == 401
    assert post(admin, f"/people/{uid}/active", "/people", active="true").status_code == 303
    assert post(admin, f"/people/{uid}/password", "/people", password="reset-pass-22").status_code == 303
    with TestClient(app) as client:
        login(client, name, "reset-pass-22")
    assert audited(session, "user.disable", name) == 1 and audited(session, "user.password", name) == 1


def test_an_administrator_cannot_disable_their_own_account(as_user, session):
    admin = as_user("security_admin")
    uid = session.scalar(select(User.id).where(User.username == "security_admin"))
    answer = post(admin, f"/people/{uid}/active", "/people", active="false")
    assert answer.status_code == 422 and "不能停用自己的账号" in answer.text
    session.expire_all()
    assert session.get(User, uid).is_active


@pytest.mark.parametrize(
    "path",
    [
        "/people",
        "/units",
        "/people/1/active",
        "/people/1/password",
        "/people/1/unlock",
        "/responsibility/370102001001-01/worker",
        "/connectors/keys",
        "/connectors/keys/1/revoke",
    ],
)
def test_nobody_but_the_administrator_manages_people_or_units(as_user, path):
    for username in ("dispatcher", "leader", "street_officer"):
        client = as_user(username)
        answer = post(
            client,
            path,
            "/",
            active="false",
            password="x" * 10,
            code="X-1",
            name="x",
            kind="department",
            area_code=DISTRICT,
            username="x",
            role="admin",
            scope_code=DISTRICT,
        )
        assert answer.status_code in (403, 404), (username, path, answer.status_code)


def test_an_administrator_adds_a_unit_once(as_user, session):
    code = f"T-{uuid.uuid4().hex[:5]}"
    admin = as_user("admin")
    assert (
        post(
            admin, "/units", "/units", code=code, name="测试局", kind="department", area_code=DISTRICT
        ).status_code
        == 303
    )
    assert session.scalar(select(OrgUnit).where(OrgUnit.code == code)).name == "测试局"
    again = post(admin, "/units", "/units", code=code, name="又一个", kind="department", area_code=DISTRICT)
    assert (
        again.status_code == 422
        and f"单位编码“{code}”已存在" in again.text
        and 'value="又一个"' in again.text
    )
    unknown = post(
        admin, "/units", "/units", code=code + "x", name="x", kind="department", area_code="999999"
    )
    assert unknown.status_code == 422 and "区划代码“999999”不存在" in unknown.text


def test_an_administrator_names_a_grid_worker_only_inside_their_scope(as_user, session):
    grid = session.scalar(
        select(ResponsibilityGrid)
        .where(ResponsibilityGrid.community_code.startswith(STREET_A))
        .order_by(ResponsibilityGrid.code)
    )
    admin = as_user("admin")
    page = admin.get(f"/responsibility?q={grid.code}")
    assert page.status_code == 200 and grid.code in page.text
    outsider = session.scalar(
        select(User).where(User.role == "grid_worker", User.scope_code.startswith(STREET_B)).limit(1)
    )
    refused = post(
        admin, f"/responsibility/{grid.code}/worker", "/responsibility", username=outsider.username
    )
    assert refused.status_code == 422 and "不含该责任网格所在社区" in refused.text
    keeper = session.scalar(select(User).where(User.id == grid.worker_id)) if grid.worker_id else None
    insider = session.scalar(
        select(User).where(User.role == "grid_worker", User.scope_code == grid.community_code).limit(1)
    )
    assert (
        post(
            admin, f"/responsibility/{grid.code}/worker", "/responsibility", username=insider.username
        ).status_code
        == 303
    )
    session.expire_all()
    assert session.get(ResponsibilityGrid, grid.code).worker_id == insider.id
    assert audited(session, "responsibility.assign", grid.code) >= 1
    if keeper is not None:  # leave the shared district as it was
        post(admin, f"/responsibility/{grid.code}/worker", "/responsibility", username=keeper.username)
    assert as_user("dispatcher").get("/responsibility").status_code in (403, 404)


def test_an_administrator_issues_a_connector_key_shown_once_and_revokes_it(as_user, session):
    admin = as_user("admin")
    issued = post(
        admin, "/connectors/keys", "/connectors", connector_id="hotline12345", name="页面签发", days="30"
    )
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
    secret = issued.text.split('<code id="new-key">', 1)[1].split("</code>", 1)[0]
    assert secret.startswith("ggc_") and secret not in admin.get("/connectors").text
    key = session.scalar(
        select(ConnectorKey).where(ConnectorKey.name == "页面签发").order_by(ConnectorKey.id.desc())
    )
    assert post(admin, f"/connectors/keys/{key.id}/revoke", "/connectors").status_code == 303
    session.expire_all()
    assert session.get(ConnectorKey, key.id).revoked_at is not None
    bad = post(admin, "/connectors/keys", "/connectors", connector_id="nope", days="30")
    assert bad.status_code == 422 and "连接器“nope”不存在" in bad.text
    assert as_user("dispatcher").get("/connectors").status_code in (403, 404)


def test_nobody_sets_their_own_password_through_the_administrators_form(as_user, session):
    for username in ("citizen", "grid_worker", "dispatcher"):
        client = as_user(username)
        own = session.scalar(select(User.id).where(User.username == username))
        answer = post(client, f"/people/{own}/password", "/account", password="taken-over-1")
        assert answer.status_code in (403, 404), (username, answer.status_code)
    assert as_user("citizen").get("/").status_code == 200  # the old password still logs in (as_user did)


def test_the_three_administrators_are_kept_apart(as_user, session):
    """三员分立: the system administrator neither makes accounts nor reads the audit log, the security
    administrator does accounts only, the auditor reads the whole log and changes nothing."""
    system, security, auditor = as_user("admin"), as_user("security_admin"), as_user("auditor")
    assert system.get("/api/v1/audit").status_code in (403, 404)
    made = {"username": f"x_{uuid.uuid4().hex[:6]}", "display_name": "某人", "role": "dispatcher"}
    assert system.post("/api/v1/people", json={**made, "scope_code": DISTRICT}).status_code == 403
    assert security.get("/api/v1/audit").status_code in (403, 404)
    assert security.get("/api/v1/cases").status_code in (403, 404)
    assert auditor.get("/api/v1/audit?page_size=5").json()["total"] > 0
    assert auditor.post("/api/v1/people", json={**made, "scope_code": DISTRICT}).status_code == 403
    assert post(
        auditor, "/units", "/", code="T-AUD", name="x", kind="department", area_code=DISTRICT
    ).status_code in (403, 404)


@pytest.mark.parametrize("role", ["admin", "security_admin", "auditor"])
def test_no_administrator_account_is_made_or_reset_from_the_web_not_even_by_the_security_administrator(
    as_user, session, role
):
    security = as_user("security_admin")
    made = {
        "username": f"a_{uuid.uuid4().hex[:6]}",
        "display_name": "某人",
        "role": role,
        "scope_code": DISTRICT,
    }
    answer = security.post("/api/v1/people", json={**made, "password": "long-enough-pass-1"})
    assert answer.status_code == 403 and "控制台" in answer.text
    target = session.scalar(select(User.id).where(User.role == role).limit(1))
    reset = post(security, f"/people/{target}/password", "/people", password="taken-over-pass-1")
    assert reset.status_code == 403


def test_the_people_page_offers_no_web_reset_of_an_administrators_account(as_user, session):
    page = as_user("security_admin").get("/people?page_size=500").text
    auditor = session.scalar(select(User.id).where(User.username == "auditor"))
    dispatcher = session.scalar(select(User.id).where(User.username == "dispatcher"))
    assert (
        f'action="/people/{auditor}/password"' not in page
        and f'action="/people/{auditor}/active"' not in page
    )
    assert f'action="/people/{dispatcher}/password"' in page and "仅限服务器控制台" in page
    roles = page.split('id="account-form"', 1)[1].split('name="role"', 1)[1].split("</select>", 1)[0]
    assert 'value="auditor"' not in roles and 'value="dispatcher"' in roles
