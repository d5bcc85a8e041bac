"""The 督办台账 API and pages over HTTP: the filtered tree, a unit's report, the ladder by hand, the Excel
round trip with its row-by-row refusal."""

import io
import uuid

from openpyxl import Workbook, load_workbook


def all_items(client, **params):
    """Every item of the tree (the API pages by campaign)."""
    first = client.get("/api/v1/ledger/items", params=params).json()
    items = list(first["items"])
    for page in range(2, first["pages"] + 1):
        items += client.get("/api/v1/ledger/items", params={**params, "page": page}).json()["items"]
    return items


def test_a_supervisor_filters_the_tree_by_colour_and_campaign(as_user, demo_ledger):
    client = as_user("supervisor")
    red = client.get("/api/v1/ledger/items", params={"light": "red"}).json()
    assert (
        red["items"]
        and {i["light"] for i in red["items"]} == {"red"}
        and red["counts"] == {"red": red["counts"]["red"]}
    )
    campaign = next(i for i in all_items(client) if i["depth"] == 0)
    one = client.get("/api/v1/ledger/items", params={"campaign_id": campaign["id"]}).json()
    assert {i["campaign_id"] for i in one["items"]} == {campaign["id"]}


def test_a_bad_colour_is_refused_naming_the_field(as_user, demo_ledger):
    answer = as_user("supervisor").get("/api/v1/ledger/items", params={"light": "purple"})
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "light"


def test_a_department_officer_sees_only_its_units_items_and_reports_on_them(as_user, demo_ledger):
    client = as_user("dept_officer")
    items = all_items(client)
    tasks = [i for i in items if i["kind"] in ("task", "project") and i["matched"]]
    officer_unit = client.get("/api/v1/me").json()["unit_id"]
    assert tasks and all(t["lead_unit_id"] == officer_unit or officer_unit in t["co_unit_ids"] for t in tasks)
    parents = {i["parent_id"] for i in items}
    assert all(i["id"] in parents for i in items if not i["matched"])  # context rows are only ancestors
    task = next(t for t in tasks if t["status"] == "open")
    answer = client.post(
        f"/api/v1/ledger/items/{task['id']}/reports", json={"narrative": "本周完成清运", "value_reached": 1}
    )
    assert answer.status_code == 201, answer.text
    detail = client.get(f"/api/v1/ledger/items/{task['id']}").json()
    assert detail["reports"][-1]["narrative"] == "本周完成清运"


def test_a_unit_cannot_escalate_and_a_supervisor_records_an_interview(as_user, demo_ledger):
    task = next(
        i
        for i in all_items(as_user("supervisor"), light="red")
        if i["kind"] == "task" and i["rung"] not in ("interview", "accountability")
    )
    assert as_user("dept_officer").post(
        f"/api/v1/ledger/items/{task['id']}/rungs", json={"rung": "interview"}
    ).status_code in (403, 404)
    answer = as_user("supervisor").post(
        f"/api/v1/ledger/items/{task['id']}/rungs", json={"rung": "interview", "note": "约谈"}
    )
    assert answer.status_code == 200 and answer.json()["rung"] == "interview"


def test_the_export_is_an_xlsx_filtered_as_asked(as_user, demo_ledger):
    answer = as_user("supervisor").get("/api/v1/ledger/export", params={"light": "yellow"})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith(
        "application/vnd.openxmlformats"
    )
    sheet = load_workbook(io.BytesIO(answer.content))["督办台账"]
    col = [c.value for c in sheet[2]].index("预警") + 1
    assert {sheet.cell(r, col).value for r in range(3, sheet.max_row + 1)} == {"黄灯"}


def test_an_import_with_bad_rows_answers_422_with_every_row(as_user, demo_ledger):
    book = Workbook()
    sheet = book.active
    sheet.title = "督办台账"
    sheet.append(["序号", "上级序号", "层级", "工作内容", "牵头单位", "完成时限"])
    sheet.append(["API-1", None, "行动", "接口导入", None, None])
    sheet.append(["1", "API-1", "任务", "一项任务", "不存在的局", "下个月"])
    out = io.BytesIO()
    book.save(out)
    answer = as_user("supervisor").post(
        "/api/v1/ledger/import", files={"file": ("台账.xlsx", out.getvalue())}
    )
    assert answer.status_code == 422
    rows = answer.json()["error"]["rows"]
    assert {(r["row"], r["column"]) for r in rows} == {(3, "牵头单位"), (3, "完成时限")}
    assert as_user("supervisor").get("/api/v1/ledger/items").text.count("接口导入") == 0


def test_the_import_page_shows_the_row_report(as_user, demo_ledger):
    import re

    client = as_user("supervisor")
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/ledger").text).group(1)
    answer = client.post(
        "/ledger/import",
        data={"csrf_token": token},
        files={"file": ("台账.csv", "序号,层级,工作内容,牵头单位\n1,任务,x,y".encode())},
    )
    assert answer.status_code == 422 and "缺少必填列“完成时限”" in answer.text


def test_a_supervisor_plans_a_key_project_backwards_and_by_month(as_user, demo_ledger):
    client = as_user("supervisor")
    project = next(i for i in all_items(client) if i["kind"] == "project" and i["status"] == "open")
    made = client.post(
        f"/api/v1/ledger/items/{project['id']}/schedule",
        json={
            "phases": [
                {"label": "前期手续", "workdays": 10},
                {"label": "开工", "workdays": 2, "kind": "start"},
                {"label": "竣工验收", "workdays": 5, "kind": "finish"},
            ]
        },
    )
    assert made.status_code == 201, made.text
    assert [m["kind"] for m in made.json()] == ["step", "start", "finish"]
    assert made.json()[-1]["due_at"][:10] == project["deadline_at"][:10]
    plan = client.put(
        f"/api/v1/ledger/items/{project['id']}/investment",
        json={"planned": {"2026-11": 300, "2026-12": 500}, "ambassador": "刘洋"},
    )
    assert plan.status_code == 200 and [m["month"] for m in plan.json()][-2:] == ["2026-11", "2026-12"]
    bad = client.put(f"/api/v1/ledger/items/{project['id']}/investment", json={"planned": {"十一月": 300}})
    assert bad.status_code == 422 and "十一月" in bad.json()["error"]["message"]
    detail = client.get(f"/api/v1/ledger/items/{project['id']}").json()
    assert {m["label"] for m in detail["milestones"]} >= {"前期手续", "开工", "竣工验收"}


def test_a_milestone_after_the_deadline_is_refused(as_user, demo_ledger):
    client = as_user("supervisor")
    task = next(i for i in all_items(client) if i["kind"] == "task")
    answer = client.post(
        f"/api/v1/ledger/items/{task['id']}/milestones",
        json={"label": "太晚的节点", "due_at": "2099-01-01T17:00:00+08:00"},
    )
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "due_at"


def csrf(client, path="/ledger"):
    import re

    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def test_a_supervisor_assigns_a_campaign_and_a_project_and_plans_it_through_the_pages(as_user, demo_ledger):
    client = as_user("supervisor")
    token = csrf(client)
    made = client.post(
        "/ledger/items",
        data={
            "csrf_token": token,
            "kind": "campaign",
            "number": "PG-1",
            "content": "页面交办的专项行动",
            "sla_code": "3-7",
            "deadline": "2026-12-31",
        },
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    campaign_url = made.headers["location"]
    campaign_id = int(campaign_url.rsplit("/", 1)[1])
    child = client.post(
        "/ledger/items",
        data={
            "csrf_token": token,
            "parent_id": str(campaign_id),
            "kind": "project",
            "number": "1",
            "content": "泉城路片区更新项目",
            "lead_unit_code": "LX-ZJJ",
            "target_subject": "完成投资",
            "target_value": "3000",
            "target_unit": "万元",
        },
        follow_redirects=False,
    )
    assert child.status_code == 303, child.text
    project_url = child.headers["location"]
    project_id = int(project_url.rsplit("/", 1)[1])
    bad = client.post(
        f"/ledger/items/{project_id}/schedule",
        data={"csrf_token": token, "phases": "前期手续, 10\n施工 很久"},
    )
    assert bad.status_code == 422 and "第2行" in bad.text
    good = client.post(
        f"/ledger/items/{project_id}/schedule",
        data={"csrf_token": token, "phases": "前期手续, 10\n开工, 2, 开工\n竣工验收, 5, 竣工"},
        follow_redirects=False,
    )
    assert good.status_code == 303
    money = client.post(
        f"/ledger/items/{project_id}/investment",
        data={"csrf_token": token, "months": "2026-11 800\n2026-12 1200", "ambassador": "刘洋"},
        follow_redirects=False,
    )
    assert money.status_code == 303
    page = client.get(project_url).text
    assert "竣工验收" in page and "2026-12-31" in page and "刘洋" in page and "1200" in page
    detail = client.get(f"/api/v1/ledger/items/{project_id}").json()
    assert detail["item"]["deadline_at"][:10] == "2026-12-31"  # the project inherits its campaign's deadline


def test_a_unit_officer_cannot_assign_work(as_user, demo_ledger):
    client = as_user("dept_officer")
    answer = client.post(
        "/ledger/items",
        data={
            "csrf_token": csrf(client),
            "kind": "campaign",
            "content": "自行立项",
            "deadline": "2026-12-31",
        },
    )
    assert answer.status_code == 403


WORK = {"lead_unit_code": "LX-CGJ", "deadline_at": "2026-12-31T17:30:00+08:00"}


def test_weights_on_some_siblings_only_are_refused_so_the_roll_up_never_breaks(as_user, demo_ledger):
    client = as_user("supervisor")
    campaign = client.post(
        "/api/v1/ledger/items", json={"kind": "campaign", "content": "权重检查", "number": "W-1"}
    ).json()
    first = client.post(
        "/api/v1/ledger/items",
        json={"kind": "task", "content": "甲", "parent_id": campaign["id"], "weight": 2, **WORK},
    )
    assert first.status_code == 201
    second = client.post(
        "/api/v1/ledger/items", json={"kind": "task", "content": "乙", "parent_id": campaign["id"], **WORK}
    )
    assert second.status_code == 422 and second.json()["error"]["field"] == "weight"
    negative = client.post(
        "/api/v1/ledger/items",
        json={"kind": "task", "content": "丙", "parent_id": campaign["id"], "weight": -1, **WORK},
    )
    assert negative.status_code == 422 and "大于 0" in negative.json()["error"]["message"]


def test_a_unit_officer_opens_a_measure_as_context_and_sees_only_its_own_tasks_under_it(as_user, demo_ledger):
    client = as_user("dept_officer")
    officer_unit = client.get("/api/v1/me").json()["unit_id"]
    items = all_items(client)
    context = next(i for i in items if i["kind"] == "measure" and i["lead_unit_id"] != officer_unit)
    detail = client.get(f"/api/v1/ledger/items/{context['id']}")
    assert detail.status_code == 200, detail.text
    body = detail.json()
    assert body["children"] and all(
        c["lead_unit_id"] == officer_unit or officer_unit in c["co_unit_ids"] or c["kind"] == "measure"
        for c in body["children"]
    )
    assert body["reports"] == [] and body["events"] == []
    supervisor_view = as_user("supervisor").get(f"/api/v1/ledger/items/{context['id']}").json()
    assert len(supervisor_view["children"]) >= len(body["children"])


def test_progress_is_reported_on_tasks_not_on_their_measures(as_user, demo_ledger):
    client = as_user("dept_officer")
    officer_unit = client.get("/api/v1/me").json()["unit_id"]
    measure = next(
        i for i in all_items(client) if i["kind"] == "measure" and i["lead_unit_id"] == officer_unit
    )
    answer = client.post(
        f"/api/v1/ledger/items/{measure['id']}/reports", json={"narrative": "汇总", "value_reached": 50}
    )
    assert answer.status_code == 422 and "下级任务" in answer.json()["error"]["message"]


def test_a_unit_signs_for_a_new_task_and_that_is_its_answer(as_user, demo_ledger):
    supervisor = as_user("supervisor")
    campaign = supervisor.post(
        "/api/v1/ledger/items",
        json={"kind": "campaign", "content": "签收检查", "number": "SIGN-1", "sla_code": "3-7"},
    ).json()
    task = supervisor.post(
        "/api/v1/ledger/items",
        json={
            "kind": "task",
            "content": "清理楼道杂物",
            "parent_id": campaign["id"],
            "lead_unit_code": "LX-CGJ",
            "deadline_at": "2026-12-31T17:00:00+08:00",
            "sla_code": "3-7",
        },
    ).json()
    officer = as_user("dept_officer")
    page = officer.get(f"/ledger/items/{task['id']}").text
    assert 'id="sign-form"' in page
    signed = officer.post(
        f"/ledger/items/{task['id']}/report",
        data={"csrf_token": csrf(officer), "kind": "sign", "narrative": "已签收，按要求推进"},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    detail = officer.get(f"/api/v1/ledger/items/{task['id']}").json()
    assert [r["kind"] for r in detail["reports"]] == ["sign"]
    assert 'id="sign-form"' not in officer.get(f"/ledger/items/{task['id']}").text


def test_the_workspace_shows_a_unit_its_own_late_tasks_first(as_user, demo_ledger):
    import re

    client = as_user("dept_officer")
    officer_unit = client.get("/api/v1/me").json()["unit_id"]
    html = client.get("/").text
    card = html.split('id="ledger-attention"', 1)[1].split("</section>", 1)[0]
    card = card.split('id="ledger-instructions"', 1)[0]  # the late tasks, not the 批示 below them
    ids = [int(i) for i in re.findall(r'href="/ledger/items/(\d+)"', card)]
    assert ids, card
    for item_id in ids:
        item = client.get(f"/api/v1/ledger/items/{item_id}").json()["item"]
        assert item["light"] in ("red", "yellow")
        assert item["lead_unit_id"] == officer_unit or officer_unit in item["co_unit_ids"]
    assert 'id="ledger-attention"' not in as_user("citizen").get("/").text


def test_a_large_campaign_is_paged_by_rows_not_by_campaigns(as_user, session, district):
    from sqlalchemy import select

    from govgrid.db.ledger_models import LedgerItem
    from govgrid.services.ledger.importing import import_ledger
    from tests.catalogs import CATALOGS
    from tests.factories import NOW
    from tests.services.cases.test_cases import who
    from tests.services.ledger.test_staged_import import big_csv

    number = f"PG-{uuid.uuid4().hex[:6]}"
    import_ledger(
        session,
        actor=who(session, "supervisor"),
        rules=CATALOGS.ledger_rules,
        data=big_csv(number, 3000),
        filename="大台账.csv",
        area_code="370102",
        now=NOW,
    )
    root = session.scalar(select(LedgerItem.id).where(LedgerItem.number == number))
    client = as_user("supervisor")
    first = client.get(f"/api/v1/ledger/items?campaign_id={root}")
    body = first.json()
    assert (
        body["total"] == 3002
        and body["page_size"] == 50  # the API's one default page size
        and body["pages"] == 61
        and len(body["items"]) == 50
    )
    assert len(first.content) < 200_000
    later = client.get(f"/api/v1/ledger/items?campaign_id={root}&page=5&page_size=500").json()
    assert later["items"][0]["depth"] == 0 and later["items"][1]["depth"] == 1  # its ancestors, as context
    assert len(later["items"]) == 502 and later["pages"] == 7
    assert client.get(f"/api/v1/ledger/items?campaign_id={root}&page_size=5000").status_code == 422
    page = client.get(f"/ledger?campaign_id={root}&page=9").text
    assert "共 3002 行，16 页" in page and page.count("page=") < 20
    assert f'href="/ledger?campaign_id={root}&amp;page=10"' in page  # the filter is kept, the page replaced
