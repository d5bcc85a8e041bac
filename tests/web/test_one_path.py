"""One path per rule (issue 9): what the JSON API and the pages do through the same service gives the same
result — the same stored row, the same refusal, the same forms offered as the service would accept."""

import re
from datetime import timedelta

from sqlalchemy import select

from govgrid.db.case_models import Case
from govgrid.db.ledger_models import LedgerItem
from govgrid.domain.ledger_items import NewItem
from govgrid.web.api.ledgers import LedgerItemCreate
from tests.factories import NOW

COMPARED = [
    c.key for c in LedgerItem.__table__.columns if c.key not in ("id", "number", "version", "assigned_at")
]


def csrf(client, path="/ledger"):  # type: ignore[no-untyped-def]
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_assigning_a_child_through_the_page_and_the_api_stores_the_same_row(as_user, demo_ledger, session):
    client = as_user("supervisor")
    parent = client.post(
        "/api/v1/ledger/items",
        json={
            "kind": "campaign",
            "content": "交办一致性检查",
            "number": "ONE-PATH",
            "source": "区委交办",
            "sla_code": "3-7",
            "deadline_at": "2026-12-31T17:30:00+08:00",
        },
    ).json()
    same = {"kind": "task", "content": "同一项任务", "lead_unit_code": "LX-CGJ", "parent_id": parent["id"]}
    by_api = client.post("/api/v1/ledger/items", json={**same, "number": "A"})
    by_page = client.post(
        "/ledger/items",
        data={**same, "parent_id": str(parent["id"]), "number": "P", "csrf_token": csrf(client)},
        follow_redirects=False,
    )
    assert by_api.status_code == 201 and by_page.status_code == 303, (by_api.text, by_page.text)
    rows = session.scalars(
        select(LedgerItem).where(LedgerItem.parent_id == parent["id"]).order_by(LedgerItem.number)
    ).all()
    api_row, page_row = ({k: getattr(r, k) for k in COMPARED} for r in rows)
    assert api_row == page_row
    assert (
        api_row["sla_code"] == "3-7"
        and api_row["source"] == "区委交办"
        and api_row["deadline_at"] is not None
    )


def test_the_api_body_for_assigning_is_the_domain_command_field_for_field():
    assert set(LedgerItemCreate.model_fields) == set(NewItem.__dataclass_fields__)
    number = LedgerItemCreate.model_json_schema()["properties"]["number"]
    assert number["maxLength"] == LedgerItem.__table__.c.number.type.length


def test_the_page_and_the_api_refuse_a_task_without_a_lead_unit_with_the_same_words(as_user, demo_ledger):
    client = as_user("supervisor")
    campaign = client.post("/api/v1/ledger/items", json={"kind": "campaign", "content": "无人牵头"}).json()
    body = {"kind": "task", "content": "没有牵头单位的任务", "parent_id": campaign["id"]}
    by_api = client.post("/api/v1/ledger/items", json={**body, "deadline_at": "2026-12-31T17:30:00+08:00"})
    by_page = client.post(
        "/ledger/items",
        data={**body, "parent_id": str(campaign["id"]), "deadline": "2026-12-31", "csrf_token": csrf(client)},
    )
    message = by_api.json()["error"]["message"]
    assert (
        by_api.status_code == by_page.status_code == 422 and "牵头单位" in message and message in by_page.text
    )


def test_a_closure_step_through_the_page_is_the_same_step_as_through_the_api(as_user, demo_ledger, session):
    officer, supervisor = as_user("dept_officer"), as_user("supervisor")
    unit = officer.get("/api/v1/me").json()["unit_id"]
    mine = [
        i
        for i in officer.get("/api/v1/ledger/items", params={"page_size": 500}).json()["items"]
        if i["matched"] and i["kind"] == "task" and i["status"] == "open" and i["lead_unit_id"] == unit
    ]
    page_task, api_task = mine[0], mine[1]
    applied = officer.post(
        f"/ledger/items/{page_task['id']}/closure",
        data={
            "step": "apply",
            "note": "已完成",
            "csrf_token": csrf(officer, f"/ledger/items/{page_task['id']}"),
        },
        follow_redirects=False,
    )
    assert applied.status_code == 303
    via_api = officer.post(
        f"/api/v1/ledger/items/{api_task['id']}/closure", json={"step": "apply", "note": "已完成"}
    )
    assert via_api.json()["status"] == "closing"
    assert session.get(LedgerItem, page_task["id"]).status == "closing"
    page = supervisor.get(f"/ledger/items/{page_task['id']}").text
    assert 'id="decide-closure"' in page and 'id="apply-closure"' not in page  # the forms the table allows
    stale = supervisor.post(
        f"/ledger/items/{page_task['id']}/closure",
        data={"step": "approve", "version": str(page_task["version"]), "csrf_token": csrf(supervisor)},
    )
    assert stale.status_code == 409  # the page's form carried the version it was drawn at


def test_a_page_offers_the_extension_form_exactly_when_the_service_would_take_it(as_user, district, session):
    from govgrid.services.cases import side_actions
    from tests.catalogs import CATALOGS
    from tests.services.cases.test_cases import who

    case = session.scalar(select(Case).where(Case.status == "dispatched", Case.due_at.is_not(None)))
    if case is None:
        point = district.grid("370102001").geometry.representative_point()
        dispatcher = as_user("dispatcher")
        made = dispatcher.post(
            "/api/v1/cases",
            json={
                "channel": "patrol",
                "class_code": "E0102",
                "title": "延期检查",
                "lng": point.x,
                "lat": point.y,
            },
        ).json()
        for step in ("verify", "register", "dispatch"):
            dispatcher.post(f"/api/v1/cases/{made['id']}/steps", json={"step": step})
        case = session.get(Case, made["id"])
    session.refresh(case)
    officer = who(session, "dept_officer")
    for moment in (NOW, case.due_at + timedelta(minutes=1)):
        offered = side_actions.open_to(officer, CATALOGS.case_rules, case, moment)["extend"]
        refused = side_actions.extension_refusal(CATALOGS.case_rules, case, moment)
        assert offered == (refused is None)


def routes_of(app):  # type: ignore[no-untyped-def]
    from fastapi.routing import APIRoute

    def walk(routes):  # type: ignore[no-untyped-def]
        for route in routes:
            if isinstance(route, APIRoute):
                yield route
            elif hasattr(route, "original_router"):
                yield from walk(route.original_router.routes)

    return list(walk(app.routes))


def test_no_route_takes_eight_parameters_or_reads_more_than_four_inputs_of_its_own(app):
    """Many fields come in as a form model, a query model or a command dataclass, not as loose arguments."""
    import inspect

    routes = routes_of(app)
    assert len(routes) > 80
    for route in routes:
        signature = inspect.signature(route.endpoint).parameters
        own = route.dependant.path_params + route.dependant.query_params + route.dependant.body_params
        assert len(signature) < 8, f"{route.path}: {len(signature)} parameters"
        assert len(own) <= 4, f"{route.path} reads {[p.name for p in own]}"


def test_the_ledger_tree_its_page_and_its_export_read_one_filter(as_user, demo_ledger):
    client = as_user("supervisor")
    for path in ("/api/v1/ledger/items", "/ledger", "/api/v1/ledger/export"):
        refused = client.get(f"{path}?light=purple")
        assert refused.status_code == 422 and "预警颜色" in refused.text, path
        assert client.get(f"{path}?campaign_id=x1").status_code == 422, path
    red = client.get("/api/v1/ledger/items?light=red&page_size=500").json()
    assert red["counts"].keys() <= {"red"}
    rows = client.get("/api/v1/ledger/export?light=red&format=csv").text.strip().splitlines()
    assert len(rows) - 1 == red["total"]  # a header, then the same rows as the tree
