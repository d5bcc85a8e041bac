"""热点 on the pages: repeated messages about one problem at one place show as a hotspot with its heat and
how it is computed; a supervisor turns it into a 每月一题 ledger task with the messages attached; a message
that joins it later is linked by the worker's round; and nobody attaches cases they may not see."""

from __future__ import annotations

import re
import uuid

import pytest
from sqlalchemy import select

from govgrid.db.intelligence_models import HotspotCase
from govgrid.db.ledger_models import LedgerItem
from govgrid.services.intelligence import hotspots
from tests.factories import NOW
from tests.web.test_case_forms import csrf
from tests.web.test_connectors import hotline_order

COMPLAINTS = [
    "投诉翠柳苑小区旁搅拌站夜间施工噪音扰民",
    "翠柳苑小区附近搅拌站噪音严重影响休息",
    "翠柳苑搅拌站粉尘噪音污染严重",
    "关于翠柳苑小区旁搅拌站扰民的投诉",
]


@pytest.fixture(autouse=True)
def fresh():  # type: ignore[no-untyped-def]
    hotspots.forget()
    yield
    hotspots.forget()


def push(connector_client, district, title):  # type: ignore[no-untyped-def]
    order = hotline_order(district, title=title, content="晚上十点以后还在施工，请尽快处理。")
    order["caller"] = {"name": "市民", "phone": f"139{uuid.uuid4().int % 10**8:08d}"}
    answer = connector_client("hotline12345").post("/api/v1/connectors/hotline12345/events", json=order)
    return answer.json()["case_id"]


def hotspot_of(html: str) -> str:
    return re.search(
        r'<section class="card hotspot" data-place="翠柳苑[^"]*">.*?</section>', html, re.S
    ).group(0)


@pytest.fixture
def complaints(connector_client, district):  # type: ignore[no-untyped-def]
    return [push(connector_client, district, title) for title in COMPLAINTS]


def test_repeated_messages_show_as_one_hotspot_with_its_heat_explained(complaints, as_user):
    html = as_user("dispatcher").get("/hotspots").text
    section = hotspot_of(html)
    assert all(f'href="/cases/{i}"' in section for i in complaints)
    assert "热度" in section and "人数" in section
    assert 'id="heat-formula"' in html and "ln(1+人数)" in html


def test_a_supervisor_turns_a_hotspot_into_a_ledger_task_with_its_messages(
    complaints, as_user, session, connector_client, district
):
    client = as_user("supervisor")
    html = client.get("/hotspots").text
    section = hotspot_of(html)
    ids = re.search(r'name="case_ids" value="([^"]+)"', section).group(1)
    title = re.search(r'name="title" value="([^"]+)"', section).group(1)
    answer = client.post(
        "/hotspots/task",
        data={
            "csrf_token": csrf(html),
            "title": title,
            "case_ids": ids,
            "lead_unit_code": "LX-ZJJ",
            "deadline": "2026-12-20",
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"].startswith("/ledger/items/")
    task_id = int(answer.headers["location"].rsplit("/", 1)[1])
    task = session.get(LedgerItem, task_id)
    assert task.source == hotspots.SOURCE and task.kind == "task"
    linked = set(session.scalars(select(HotspotCase.case_id).where(HotspotCase.item_id == task_id)))
    assert set(complaints) <= linked
    assert f'href="/ledger/items/{task_id}"' in hotspot_of(client.get("/hotspots").text)

    later = push(connector_client, district, "翠柳苑小区旁搅拌站还在夜间施工噪音扰民")
    with type(session)(bind=session.get_bind()) as worker:
        from govgrid.catalog.bundle import load_catalogs

        catalogs = load_catalogs()
        added = hotspots.link_joiners(
            worker, hints=catalogs.dispatch_hints, rules=catalogs.hotspot_rules, now=NOW
        )
    assert added >= 1
    assert session.scalar(select(HotspotCase.item_id).where(HotspotCase.case_id == later)) == task_id


def test_cases_outside_the_callers_reach_are_never_attached(complaints, as_user, new_account):
    from govgrid.domain.roles import Role

    street_b = as_user(new_account(Role.SUPERVISOR, "370102002"))
    html = street_b.get("/").text
    answer = street_b.post(
        "/hotspots/task",
        data={"csrf_token": csrf(html), "title": "越权", "case_ids": ",".join(map(str, complaints)),
              "lead_unit_code": "LX-ZJJ", "deadline": "2026-12-20"},
    )  # fmt: skip
    assert answer.status_code in (403, 422)


def test_bad_case_ids_are_refused_naming_the_field(as_user):
    client = as_user("supervisor")
    html = client.get("/").text
    answer = client.post(
        "/hotspots/task",
        data={
            "csrf_token": csrf(html),
            "title": "x",
            "case_ids": "1,abc",
            "lead_unit_code": "LX-ZJJ",
            "deadline": "2026-12-20",
        },
    )
    assert answer.status_code == 422 and "case_ids" in answer.text


def test_who_may_see_hotspots_and_who_may_make_tasks(complaints, as_user):
    assert as_user("grid_worker").get("/hotspots").status_code in (403, 404)
    assert as_user("citizen").get("/hotspots").status_code in (403, 404)
    leader = as_user("leader").get("/hotspots").text
    assert "翠柳苑" in leader and "/hotspots/task" not in leader  # leaders read; they do not assign


def test_the_big_screen_shows_the_hottest_problems_to_those_who_may_read_them(complaints, as_user):
    screen = as_user("leader").get("/screen").text
    panel = re.search(r'<section class="panel" id="screen-hotspots">.*?</section>', screen, re.S)
    assert panel and "翠柳苑" in panel.group(0) and re.search(r"\d+ 条", panel.group(0))
    assert 'id="screen-hotspots"' not in as_user("dept_officer").get("/screen").text  # its own cases only
