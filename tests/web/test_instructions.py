"""领导批示: a leader writes an instruction on a case or a ledger item in their area; it is on the case's
timeline and in the 提醒 of the unit handling it, in the item's 督办记录 and in its lead unit's workspace,
audited; nobody else may write one, and an empty one is refused."""

import uuid

from sqlalchemy import func, select

from govgrid.db.ledger_models import LedgerEvent, LedgerItem
from govgrid.db.models import AuditEvent, OrgUnit
from govgrid.domain.workflow import Step
from tests.factories import STREET_A
from tests.web.test_pages import csrf_of
from tests.web.test_workspace_todo import step


def dispatched_case(as_user, district, session, title):
    point = district.grid(f"{STREET_A}001").geometry.representative_point()
    body = {
        "class_code": "E0102",
        "title": title,
        "lng": point.x,
        "lat": point.y,
        "client_id": str(uuid.uuid4()),
    }
    case = as_user("grid_worker").post("/api/v1/cases", json=body).json()["id"]
    for name in (Step.VERIFY, Step.REGISTER):
        step(session, "dispatcher", case, name)
    step(session, "dispatcher", case, Step.DISPATCH, unit_code="LX-CGJ")
    return case


def test_a_leaders_instruction_is_on_the_timeline_and_in_the_units_reminders(as_user, district, session):
    case = dispatched_case(as_user, district, session, "批示：案件")
    leader = as_user("leader")
    page = leader.get(f"/cases/{case}").text
    assert 'id="instruction-form"' in page
    answer = leader.post(
        f"/cases/{case}/instruction", data={"csrf_token": csrf_of(page), "note": "请三日内处置到位并回复"}
    )
    assert answer.status_code == 200
    entry = leader.get(f"/api/v1/cases/{case}/timeline").json()[-1]
    assert entry["step"] == "instruct" and entry["actor_name"] == "leader" and "三日内" in entry["note"]
    code = leader.get(f"/api/v1/cases/{case}").json()["code"]
    home = as_user("dept_officer").get("/").text
    reminders = home.split('id="reminders"', 1)[1].split("</section>", 1)[0]
    assert "领导批示" in reminders and "请三日内处置到位并回复" in reminders
    assert (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "case.instruct", AuditEvent.entity_id == code)
        )
        == 1
    )


def test_only_a_leader_instructs_and_an_empty_instruction_is_refused(as_user, district, session):
    case = dispatched_case(as_user, district, session, "批示：无权")
    for username in ("dispatcher", "supervisor", "dept_officer", "grid_worker"):
        client = as_user(username)
        assert 'id="instruction-form"' not in client.get(f"/cases/{case}").text
        answer = client.post(f"/api/v1/cases/{case}/instruction", json={"note": "越权批示"})
        assert answer.status_code in (403, 404), (username, answer.status_code)
    empty = as_user("leader").post(f"/api/v1/cases/{case}/instruction", json={"note": "  "})
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "note"


def test_a_leaders_instruction_on_a_ledger_item_reaches_its_lead_unit(as_user, demo_ledger, session):
    officers = {"LX-CGJ": "dept_officer", "LX-SW": "water_officer", STREET_A: "street_officer"}
    task, unit = session.execute(
        select(LedgerItem, OrgUnit)
        .join(OrgUnit, OrgUnit.id == LedgerItem.lead_unit_id)
        .where(LedgerItem.kind == "task", OrgUnit.code.in_(list(officers)))
        .order_by(LedgerItem.id)
        .limit(1)
    ).one()
    leader = as_user("leader")
    page = leader.get(f"/ledger/items/{task.id}").text
    assert 'id="instruction-form"' in page
    note = f"批示：{task.number} 月底前完成"
    answer = leader.post(
        f"/ledger/items/{task.id}/instruction", data={"csrf_token": csrf_of(page), "note": note}
    )
    assert answer.status_code == 200
    assert (
        session.scalar(
            select(func.count())
            .select_from(LedgerEvent)
            .where(LedgerEvent.item_id == task.id, LedgerEvent.action == "instruct", LedgerEvent.note == note)
        )
        == 1
    )
    assert note in leader.get(f"/ledger/items/{task.id}").text
    assert as_user("supervisor").post(
        f"/api/v1/ledger/items/{task.id}/instruction", json={"note": "督查不能批示"}
    ).status_code in (403, 404)
    home = as_user(officers[unit.code]).get("/").text  # the lead unit's own officer, in the workspace
    assert note in home.split('id="ledger-attention"', 1)[1]


def test_the_instruction_forms_refuse_everyone_but_a_leader(as_user, district, session, demo_ledger):
    case = dispatched_case(as_user, district, session, "批示：页面无权")
    item = session.scalar(select(LedgerItem).order_by(LedgerItem.id).limit(1))
    for username in ("dispatcher", "supervisor", "dept_officer"):
        client = as_user(username)
        token = csrf_of(client.get("/").text)
        for path in (f"/cases/{case}/instruction", f"/ledger/items/{item.id}/instruction"):
            answer = client.post(path, data={"csrf_token": token, "note": "越权批示"}, follow_redirects=False)
            assert answer.status_code in (403, 404), (username, path, answer.status_code)
    assert (
        session.scalar(select(func.count()).select_from(LedgerEvent).where(LedgerEvent.note == "越权批示"))
        == 0
    )
