"""我的待办 and 今日工作 in the workspace: what waits for a person is what the case pages let them do — a new
report waits for the grid worker's 核实 and the center's, a dispatched case for its unit only, a reported
back case for 核查 (the supervisor's 我的提醒) — and a grid worker sees today's patrol counts, not "0 街道"."""

import uuid

from govgrid.domain.paging import Paging
from govgrid.domain.workflow import Step
from govgrid.services.cases import steps, todo
from govgrid.services.people.accounts import actor_for
from tests.catalogs import CATALOGS
from tests.factories import NOW, STREET_A


def filed(as_user, district, title):
    point = district.grid(f"{STREET_A}001").geometry.representative_point()
    body = {
        "class_code": "E0102",
        "title": title,
        "lng": point.x,
        "lat": point.y,
        "client_id": str(uuid.uuid4()),
    }
    answer = as_user("grid_worker").post("/api/v1/cases", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()


def actor(session, username):
    from sqlalchemy import select

    from govgrid.db.models import User

    return actor_for(session.scalar(select(User).where(User.username == username)))


def step(session, username, case_id, name, **extra):
    return steps.transition(
        session,
        actor=actor(session, username),
        rules=CATALOGS.case_rules,
        case_id=case_id,
        step=name,
        now=NOW,
        **extra,
    )


def waiting_ids(session, username):
    session.expire_all()
    return {c.id for c in todo.waiting(session, actor=actor(session, username), paging=Paging(1, 500)).items}


def test_a_case_waits_for_whoever_takes_its_next_step_and_for_nobody_else(as_user, district, session):
    case = filed(as_user, district, "待办：新上报")["id"]
    assert case in waiting_ids(session, "grid_worker") and case in waiting_ids(session, "dispatcher")
    assert case not in waiting_ids(session, "dept_officer") and case not in waiting_ids(session, "leader")
    step(session, "dispatcher", case, Step.VERIFY)
    step(session, "dispatcher", case, Step.REGISTER)
    assert case not in waiting_ids(session, "grid_worker")
    step(session, "dispatcher", case, Step.DISPATCH, unit_code="LX-CGJ")
    assert case in waiting_ids(session, "dept_officer")
    assert case not in waiting_ids(session, "water_officer")  # another unit's order
    for name in (Step.SIGN, Step.HANDLE, Step.FEED_BACK):
        step(session, "dept_officer", case, name)
    assert case not in waiting_ids(session, "dept_officer")
    assert {case} <= waiting_ids(session, "supervisor") & waiting_ids(session, "grid_worker")  # 核查


def test_every_case_on_a_workspace_list_offers_its_reader_a_step(as_user, district, session):
    filed(as_user, district, "待办：页面一致")
    for username in ("grid_worker", "dispatcher", "supervisor", "dept_officer", "street_officer"):
        client = as_user(username)
        listed = todo.waiting(session, actor=actor(session, username)).items
        for case in listed[:5]:
            page = client.get(f"/cases/{case.id}").text
            assert "data-step=" in page, (username, case.id, case.status)
        home = client.get("/").text
        assert 'id="waiting"' in home


def test_the_department_sees_its_queue_with_deadlines(as_user, district, session):
    case = filed(as_user, district, "待办：部门队列")["id"]
    for name in (Step.VERIFY, Step.REGISTER):
        step(session, "dispatcher", case, name)
    step(session, "dispatcher", case, Step.DISPATCH, unit_code="LX-CGJ")
    assert case in waiting_ids(session, "dept_officer")
    home = as_user("dept_officer").get("/").text
    section = home.split('id="waiting"', 1)[1].split("</section>", 1)[0]
    total = len(waiting_ids(session, "dept_officer"))
    assert (
        f"我的待办（{total}）" in section and "待签收" in section
    )  # the nearest deadlines first, with the count
    reminders = home.split('id="reminders"', 1)[1].split("</section>", 1)[0]
    assert "派遣" in reminders  # the notice that a case is now the unit's


def test_a_grid_worker_sees_todays_patrol_counts_instead_of_an_empty_area_summary(as_user, district, session):
    before = todo.done_today(session, actor=actor(session, "grid_worker"), now=NOW)["上报"]
    filed(as_user, district, "待办：今日上报")
    after = todo.done_today(session, actor=actor(session, "grid_worker"), now=NOW)
    assert after["上报"] == before + 1 and set(after) == {"上报", "核实", "核查", "照片"}
    home = as_user("grid_worker").get("/").text
    assert 'id="today"' in home and f"<b>{after['上报']}</b><span>今日上报</span>" in home
    assert "<span>街道</span>" not in home


def test_a_citizen_has_no_queue(as_user, session):
    assert 'id="waiting"' not in as_user("citizen").get("/").text
    assert todo.waiting(session, actor=actor(session, "citizen")).total == 0


def test_a_street_officers_own_report_dispatched_to_another_unit_does_not_wait_for_them(
    as_user, district, session
):
    point = district.grid(f"{STREET_A}001").geometry.representative_point()
    body = {
        "class_code": "E0102",
        "title": "待办：自报他办",
        "lng": point.x,
        "lat": point.y,
        "client_id": str(uuid.uuid4()),
    }
    answer = as_user("street_officer").post("/api/v1/cases", json=body)
    assert answer.status_code == 201, answer.text
    case = answer.json()["id"]
    for name in (Step.VERIFY, Step.REGISTER):
        step(session, "dispatcher", case, name)
    step(session, "dispatcher", case, Step.DISPATCH, unit_code="LX-CGJ")
    assert case not in waiting_ids(session, "street_officer")  # 签收 is the department's, not the reporter's
    assert case in waiting_ids(session, "dept_officer")
