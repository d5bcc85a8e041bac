"""Pages: login and logout, the menu each role sees, pages that need a login."""

import re

import pytest

from tests.conftest import login

EXPECTED_MENU = {
    "security_admin": ["工作台", "指挥地图", "人员名录"],  # 三员分立: accounts only
    "auditor": ["工作台", "指挥地图", "人员名录", "操作日志"],  # the whole audit log, nothing else
    "admin": [
        "工作台",
        "今日概览",
        "大屏",
        "案件",
        "上报",
        "督办台账",
        "督办看板",
        "考核",
        "热点",
        "答复审核",
        "基础台账",
        "一表通",
        "通报",
        "督导检查",
        "指挥地图",
        "人员名录",
        "单位",
        "责任网格",
        "连接器",
        "工作日历",
        "历史案件导入",
        "接口文档",
    ],
    "dispatcher": [
        "工作台",
        "大屏",
        "案件",
        "上报",
        "督办台账",
        "督办看板",
        "考核",
        "热点",
        "答复审核",
        "通报",
        "督导检查",
        "指挥地图",
        "人员名录",
        "操作日志",
    ],
    "supervisor": [
        "工作台",
        "大屏",
        "案件",
        "上报",  # rectification orders and problems seen on an inspection
        "督办台账",
        "督办看板",
        "考核",
        "热点",
        "答复审核",
        "基础台账",
        "一表通",
        "通报",
        "督导检查",
        "指挥地图",
        "人员名录",
        "操作日志",
    ],
    "leader": [
        "工作台",
        "今日概览",
        "大屏",
        "案件",
        "督办台账",
        "督办看板",
        "考核",
        "热点",
        "基础台账",
        "一表通",
        "通报",
        "督导检查",
        "指挥地图",
        "人员名录",
        "操作日志",
    ],
    "street_officer": [
        "工作台",
        "大屏",
        "案件",
        "上报",
        "督办台账",
        "考核",
        "热点",
        "基础台账",
        "一表通",
        "督导检查",
        "指挥地图",
        "人员名录",
        "操作日志",
    ],
    "dept_officer": ["工作台", "大屏", "案件", "督办台账", "考核", "一表通", "指挥地图"],
    "grid_worker": ["工作台", "案件", "上报", "基础台账", "一表通", "指挥地图"],
    "citizen": ["工作台", "案件", "上报"],
}


def menu_of(html: str) -> list[str]:
    nav = html.split('aria-label="主导航">', 1)[1].split("</nav>", 1)[0]
    return re.findall(r">([^<>]+)</a>", nav)


@pytest.mark.parametrize("username", sorted(EXPECTED_MENU))
def test_each_role_sees_its_own_menu(as_user, username):
    assert menu_of(as_user(username).get("/").text) == EXPECTED_MENU[username]


def test_a_page_without_login_sends_you_to_the_login_form(anonymous):
    answer = anonymous.get("/map", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=/map"


def test_a_wrong_password_shows_an_error_on_the_form(anonymous):
    token = re.search(r'name="csrf_token" value="([^"]+)"', anonymous.get("/login").text).group(1)
    answer = anonymous.post(
        "/login", data={"username": "admin", "password": "wrong-one", "csrf_token": token}
    )
    assert answer.status_code == 401 and "用户名或密码错误" in answer.text


def test_a_login_form_without_its_csrf_token_is_refused(anonymous):
    answer = anonymous.post("/login", data={"username": "admin", "password": "persona-pass-1"})
    assert answer.status_code == 403


def test_the_login_never_redirects_to_another_site(anonymous):
    token = re.search(r'name="csrf_token" value="([^"]+)"', anonymous.get("/login").text).group(1)
    answer = anonymous.post(
        "/login",
        data={
            "username": "admin",
            "password": "persona-pass-1",
            "csrf_token": token,
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/"


def test_logging_out_ends_the_session(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as client:
        login(client, "leader")
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/").text).group(1)
        client.post("/logout", data={"csrf_token": token})
        assert client.get("/", follow_redirects=False).status_code == 303


def test_a_citizen_is_refused_the_map_page(as_user):
    answer = as_user("citizen").get("/map")
    assert answer.status_code == 403 and "无权" in answer.text


def test_the_street_officers_map_is_framed_on_their_street(as_user):
    html = as_user("street_officer").get("/map").text
    assert 'data-scope="370102001"' in html and "/static/vendor/leaflet/leaflet.js" in html


def test_the_people_page_lists_only_people_in_scope(as_user):
    html = as_user("street_officer").get("/people").text
    assert "street_officer" in html and "other_street_officer" not in html


def test_pages_load_no_asset_from_another_host(as_user):
    for path in ("/", "/map", "/people", "/audit", "/cases", "/report"):
        html = as_user("admin").get(path).text
        assert not re.search(r'(src|href)="(https?:)?//', html), path


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_extension_and_supervision_through_the_case_page_forms(as_user, district):
    point = district.grid("370102001").geometry.representative_point()
    dispatcher, officer, supervisor = as_user("dispatcher"), as_user("dept_officer"), as_user("supervisor")
    case = dispatcher.post(
        "/api/v1/cases", json={"class_code": "E0101", "title": "违建-页面", "lng": point.x, "lat": point.y}
    ).json()
    for step in ("verify", "register", "dispatch"):
        dispatcher.post(f"/api/v1/cases/{case['id']}/steps", json={"step": step})
    officer.post(f"/api/v1/cases/{case['id']}/steps", json={"step": "sign"})
    page = officer.get(f"/cases/{case['id']}").text
    assert 'id="extension-form"' in page and 'id="decision-form"' not in page
    officer.post(
        f"/cases/{case['id']}/extension",
        data={"csrf_token": csrf_of(page), "until": "2027-03-31", "reason": "需审批"},
    )
    page = dispatcher.get(f"/cases/{case['id']}").text
    assert "延期：待审批" in page and 'id="decision-form"' in page
    dispatcher.post(
        f"/cases/{case['id']}/extension/decision", data={"csrf_token": csrf_of(page), "approve": "1"}
    )
    assert "延期：已批准" in dispatcher.get(f"/cases/{case['id']}").text
    page = supervisor.get(f"/cases/{case['id']}").text
    supervisor.post(
        f"/cases/{case['id']}/supervision", data={"csrf_token": csrf_of(page), "note": "限期办结"}
    )
    assert "督查督办" in supervisor.get(f"/cases/{case['id']}").text


def test_a_bad_extension_date_is_named_on_the_error_page(as_user, district):
    point = district.grid("370102001").geometry.representative_point()
    dispatcher, officer = as_user("dispatcher"), as_user("dept_officer")
    case = dispatcher.post(
        "/api/v1/cases", json={"class_code": "E0101", "title": "坏日期", "lng": point.x, "lat": point.y}
    ).json()
    for step in ("verify", "register", "dispatch"):
        dispatcher.post(f"/api/v1/cases/{case['id']}/steps", json={"step": step})
    page = officer.get(f"/cases/{case['id']}").text
    answer = officer.post(
        f"/cases/{case['id']}/extension",
        data={"csrf_token": csrf_of(page), "until": "明年三月", "reason": "x"},
    )
    assert answer.status_code == 422 and "延期日期“明年三月”无效" in answer.text


def test_a_repeat_report_shows_its_similar_case_and_is_merged_from_the_page(as_user, district, session):
    from govgrid.services.cases.similar import link_pending
    from tests.factories import NOW

    point = district.grid("370102001").geometry.representative_point()
    dispatcher = as_user("dispatcher")
    body = {"class_code": "E0103", "title": "渣土堆积-页面并案", "lng": point.x, "lat": point.y}
    first = dispatcher.post("/api/v1/cases", json=body).json()
    second = dispatcher.post("/api/v1/cases", json=body).json()
    link_pending(session, now=NOW)  # what the worker does in the background
    page = dispatcher.get(f"/cases/{second['id']}").text
    assert 'id="similar"' in page and first["code"] in page and "并入此案" in page
    dispatcher.post(f"/cases/{second['id']}/merge", data={"csrf_token": csrf_of(page), "into": first["id"]})
    page = dispatcher.get(f"/cases/{second['id']}").text
    assert "已作废" in page and f"并案至 {first['code']}" in page and "已并案" in page


def test_anyone_follows_a_case_by_number_and_follow_code_without_logging_in(
    connector_client, anonymous, district
):
    import uuid

    point = district.grid("370102001").geometry.representative_point()
    order = (
        connector_client()
        .post(
            "/api/v1/connectors/hotline12345/events",
            json={
                "order_no": uuid.uuid4().hex,
                "title": "路灯不亮",
                "category": "城乡建设/城市建设和市政管理/基础设施",
                "location": {"lng": point.x, "lat": point.y},
                "caller": {"name": "李先生", "phone": "13912345678"},
            },
        )
        .json()
    )
    secret = order["follow_secret"]
    assert len(secret.replace("-", "")) == 12
    page = anonymous.get(f"/follow?code={order['code']}&secret={secret.lower()}").text
    assert "已受理" in page and "道路破损" in page and "李先生" not in page and "路灯不亮" not in page
    wrong = anonymous.get(f"/follow?code={order['code']}&secret=AAAA-BBBB-CCCC").text
    assert "未找到该案件" in wrong and "follow-status" not in wrong


def test_the_admin_workspace_warns_that_the_official_calendar_ends_this_month(as_user):
    from tests.factories import NOW

    assert NOW.date().isoformat() == "2026-11-20"  # 41 days before 2026-12-31
    page = as_user("admin").get("/").text
    assert 'id="calendar-warning"' in page and "2026-12-31" in page and "set-year 2027" in page
    assert 'id="calendar-warning"' not in as_user("dispatcher").get("/").text


def test_any_staff_member_can_ask_when_something_is_due(as_user):
    page = as_user("dispatcher").get("/calendar?start=2026-12-28T10:00&amount=20&unit=工作日").text
    assert "2027-01-26 23:59" in page and "暂定" in page and 'id="calendar-form"' not in page


def test_an_administrator_enters_a_year_on_the_calendar_page_and_a_bad_one_is_refused_by_date(as_user, app):
    from sqlalchemy import delete

    from govgrid.db.models import CalendarYear

    admin = as_user("admin")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', admin.get("/calendar").text).group(1)
    bad = admin.post("/calendar/years", data={"csrf_token": csrf, "year": "2027", "holidays": "2027-01-01"})
    assert (
        bad.status_code == 422
        and "2027-02-05 是法定节假日（农历除夕）" in bad.text
        and "2027-01-01" in bad.text
    )
    days = (
        "2027-01-01..2027-01-03\n2027-02-05..2027-02-12\n2027-04-03..2027-04-05\n2027-05-01..2027-05-05\n"
        "2027-06-09\n2027-09-15..2027-09-17\n2027-10-01..2027-10-07"
    )
    good = admin.post(
        "/calendar/years",
        data={
            "csrf_token": csrf,
            "year": "2027",
            "holidays": days,
            "workdays": "2027-02-20, 2027-10-09",
            "source": "测试",
        },
        follow_redirects=False,
    )
    try:
        assert good.status_code == 303
        page = admin.get("/calendar").text
        assert 'data-year="2027" data-source="entered"' in page
        due = admin.get("/calendar?start=2026-12-28T10:00&amount=20&unit=工作日").text
        assert "（正式）" in due.split('id="due-result"', 1)[1].split("</p>", 1)[0]
    finally:
        with app.state.session_factory() as session:
            session.execute(delete(CalendarYear).where(CalendarYear.year == 2027))
            session.commit()
            app.state.calendar_sync.refresh(session, force=True)
    assert app.state.case_rules.calendar.is_provisional(2027)


def test_only_an_administrator_may_enter_a_year(as_user):
    officer = as_user("dispatcher")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', officer.get("/calendar").text).group(1)
    answer = officer.post(
        "/calendar/years", data={"csrf_token": csrf, "year": "2027", "holidays": "2027-01-01"}
    )
    assert answer.status_code == 403


def test_every_route_that_takes_a_file_parses_it_off_the_event_loop(app):
    """FastAPI runs plain `def` routes in its thread pool: a slow parse never blocks other requests."""
    import inspect

    from fastapi.routing import APIRoute

    def takes_a_file(route: APIRoute) -> bool:
        hints = inspect.get_annotations(route.endpoint, eval_str=True)
        return any("UploadFile" in str(hint) for hint in hints.values())

    def walk(routes):  # type: ignore[no-untyped-def]
        for route in routes:
            if isinstance(route, APIRoute):
                yield route
            inner = getattr(route, "original_router", None) or getattr(route, "router", None)
            if inner is not None and inner is not route:
                yield from walk(inner.routes)

    takes_files = [r for r in walk(app.routes) if takes_a_file(r)]
    assert len(takes_files) >= 6, [r.path for r in takes_files]
    assert [r.path for r in takes_files if inspect.iscoroutinefunction(r.endpoint)] == []


def test_a_report_with_a_bad_photo_is_refused_and_creates_nothing(as_user, district, session):
    from sqlalchemy import func, select

    from govgrid.db.case_models import Case

    worker = as_user("grid_worker")
    form = worker.get("/report").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    point = district.grid("370102001001").geometry.representative_point()
    before = session.scalar(select(func.count()).select_from(Case))
    answer = worker.post(
        "/report",
        data={
            "csrf_token": csrf,
            "class_code": "E0102",
            "title": "坏照片",
            "lng": str(point.x),
            "lat": str(point.y),
            "crs": "gcj02",
        },
        files={"photo": ("x.jpg", b"GIF89a<html><script>alert(1)</script>", "image/jpeg")},
    )
    assert answer.status_code == 422
    assert session.scalar(select(func.count()).select_from(Case)) == before


def test_the_people_page_searches_by_name_and_shows_scopes_by_name(as_user):
    html = as_user("admin").get("/people?q=street_officer").text
    listed = html.split('id="people-list"', 1)[1].split("</table>", 1)[0]
    assert "street_officer" in listed and "dispatcher" not in listed
    scopes = re.findall(r'<td title="(\d+)">([^<]*)</td>', listed)
    assert scopes and all(name and name != code for code, name in scopes)  # each scope by its name
    assert as_user("admin").get("/people?q=" + "长" * 65).status_code == 422


def test_a_leader_finds_the_late_board_in_the_menu_and_it_opens(as_user, demo_ledger):
    leader = as_user("leader")
    assert 'href="/ledger/board"' in leader.get("/").text
    board = leader.get("/ledger/board")
    assert board.status_code == 200 and "督办看板" in board.text


@pytest.mark.parametrize("username", ["leader", "supervisor", "dispatcher"])
def test_the_workspaces_light_counts_equal_what_their_links_show(as_user, demo_ledger, username):
    client = as_user(username)
    home = client.get("/").text
    links = re.findall(r'<a href="(/ledger\?light=(\w+)&amp;tasks=1)"[^>]*>[^<]* (\d+)</a>', home)
    assert len(links) == 5 and sum(int(count) for _, _, count in links) > 0
    for href, light, count in links:
        listed = client.get(href.replace("&amp;", "&")).text
        shown = re.search(rf'<span class="light light-{light}">[^<]* (\d+)</span>', listed).group(1)
        assert shown == count, (light, count, shown)
        assert "只计末级任务" in listed


@pytest.mark.parametrize(
    ("username", "level", "label"),
    [
        ("dispatcher", "command", "综合指挥"),
        ("leader", "command", "综合指挥"),
        ("street_officer", "grid", "网格运行"),
        ("grid_worker", "grid", "网格运行"),
        ("dept_officer", "service", "服务保障"),
    ],
)
def test_each_role_lands_on_its_level_with_only_the_links_its_menu_allows(as_user, username, level, label):
    import re

    page = as_user(username).get("/").text
    card = page.split('id="level"', 1)[1].split("</section>", 1)[0]
    assert f'data-level="{level}"' in page and label in card
    menu = set(
        re.findall(r'<a href="([^"]+)"', page.split('aria-label="主导航"', 1)[1].split("</nav>", 1)[0])
    )
    links = re.findall(r'<a href="([^"]+)"', card)
    assert links and all(href.split("?", 1)[0] in menu for href in links)


def test_a_citizen_has_no_level():
    from govgrid.domain.levels import landing
    from govgrid.domain.roles import Role

    assert landing(Role.CITIZEN, {"/", "/cases"}, "2026-12-01") is None
