"""The audit log records every case step, reads in Chinese with people by name and Beijing time, and can be
filtered by person, action, object and date; the case timeline shows statuses in Chinese and names."""

from __future__ import annotations

import re
import uuid

from govgrid.domain.roles import Role
from tests.conftest import login
from tests.factories import DISTRICT, STREET_A


def a_dispatcher_named(app, new_account):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient
    from sqlalchemy import update

    from govgrid.db.models import OrgUnit, User

    username = new_account(Role.DISPATCHER, DISTRICT)
    name = f"王敏{uuid.uuid4().hex[:4]}"
    with app.state.session_factory() as session:
        unit = session.query(OrgUnit).filter_by(code="LX-ZHZX").one()
        session.execute(
            update(User).where(User.username == username).values(display_name=name, unit_id=unit.id)
        )
        session.commit()
    return login(TestClient(app), username), name


def test_a_dispatch_is_in_the_audit_log_by_name_in_chinese(app, as_user, district, new_account):
    dispatcher, name = a_dispatcher_named(app, new_account)
    point = district.grid(STREET_A).geometry.representative_point()
    case = (
        as_user("grid_worker")
        .post("/api/v1/cases", json={"class_code": "E0102", "title": "审计", "lng": point.x, "lat": point.y})
        .json()
    )
    for step in ("verify", "register", "dispatch"):
        answer = dispatcher.post(f"/api/v1/cases/{case['id']}/steps", json={"step": step})
        assert answer.status_code == 200, answer.text
    admin = as_user("auditor")
    rows = admin.get(f"/api/v1/audit?entity_type=case&entity_id={case['code']}").json()["items"]
    assert [r["action"] for r in rows] == ["case.dispatch", "case.register", "case.verify", "case.report"]
    assert {r["actor_name"] for r in rows[:3]} == {name}
    html = admin.get(f"/audit?who={name}").text
    listed = html.split('id="audit-list"', 1)[1]
    assert "案件·派遣" in listed and "案件·核实" in listed and name in listed
    assert "case.dispatch" not in re.sub(r'data-action="[^"]*"', "", listed)  # shown in Chinese
    areas = re.findall(r'<td class="area" title="(\d*)">([^<]*)</td>', listed)
    assert areas and all(
        name.strip() and code not in name for code, name in areas if code
    )  # names, not codes
    assert any("第1街道" in name for _, name in areas)
    timeline = dispatcher.get(f"/cases/{case['id']}").text.split('id="timeline"', 1)[1]
    assert "待签收" in timeline and "dispatched" not in timeline and name in timeline


def test_the_audit_log_filters_by_action_kind_and_by_date(as_user):
    admin = as_user("auditor")
    logins = admin.get("/api/v1/audit?action=session&page_size=500").json()["items"]
    assert logins and all(r["action"].startswith("session.") for r in logins)
    assert admin.get("/api/v1/audit?day_to=2001-01-01").json()["total"] == 0
    refused = admin.get("/api/v1/audit?day_from=2026-12-02&day_to=2026-12-01")
    assert refused.status_code == 422 and refused.json()["error"]["field"] == "day_from"


def test_the_audit_page_shows_beijing_time(as_user):
    from datetime import UTC, datetime

    from govgrid.domain.worktime import CHINA

    admin = as_user("auditor")
    newest = admin.get("/api/v1/audit?page_size=1").json()["items"][0]
    at = datetime.fromisoformat(newest["at"])
    at = at if at.tzinfo else at.replace(tzinfo=UTC)  # the API's naive times are UTC
    html = admin.get("/audit").text.split('id="audit-list"', 1)[1]
    assert at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M:%S") in html
