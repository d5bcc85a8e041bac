"""通报 pages: everyone with the assessment reads and downloads bulletins; only the administrator sees and
keeps the group robots (a bad address comes back on the form with what was typed), pauses one, and issues
a bulletin on demand; bad kinds and dates are refused, naming them."""

from __future__ import annotations

import re

import pytest

from tests.web.test_pages import csrf_of


def post(client, path: str, **data: str):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/bulletins").text)
    return client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def test_the_administrator_adds_a_robot_pauses_it_and_issues_a_bulletin_on_demand(as_user):
    admin = as_user("admin")
    refused = post(admin, "/bulletins/pushes", name="指挥中心群", platform="wecom", url="ftp://nowhere")
    assert (
        refused.status_code == 422
        and "机器人地址须为" in refused.text
        and 'value="指挥中心群"' in refused.text
    )
    internal = post(admin, "/bulletins/pushes", name="内网", platform="wecom", url="https://10.1.2.3/hook")
    assert internal.status_code == 422 and "qyapi.weixin.qq.com" in internal.text  # not any host
    added = post(
        admin,
        "/bulletins/pushes",
        name="页面测试群",
        platform="wecom",
        url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=t",
    )
    assert added.status_code == 303
    page = admin.get("/bulletins").text
    row = re.search(r'<tr data-id="(\d+)"><td>页面测试群</td>', page)
    assert row, page
    paused = post(admin, f"/bulletins/pushes/{row.group(1)}/active", active="false")
    assert paused.status_code == 303 and "已暂停" in admin.get("/bulletins").text
    issued = post(admin, "/bulletins/issue", kind="daily")
    assert issued.status_code == 303


@pytest.mark.parametrize("username", ["dispatcher", "leader", "supervisor"])
def test_nobody_but_the_administrator_keeps_robots_or_issues_on_demand(as_user, username):
    client = as_user(username)
    page = client.get("/bulletins")
    assert page.status_code == 200 and 'id="pushes"' not in page.text
    for path, data in (
        ("/bulletins/pushes", {"name": "x", "platform": "wecom", "url": "https://x.example/"}),
        ("/bulletins/pushes/1/active", {"active": "true"}),
        ("/bulletins/issue", {"kind": "daily"}),
    ):
        assert post(client, path, **data).status_code in (403, 404), (username, path)


def test_bulletins_are_for_the_districts_own_readers_and_bad_kinds_or_dates_are_refused(as_user):
    """A bulletin ranks every street and lists the ledger's red items: a street's or a department's officer
    (whose scope is their own) gets it as circulated to the groups, not from here."""
    for username in ("citizen", "street_officer", "dept_officer"):
        assert as_user(username).get("/bulletins").status_code in (403, 404), username
        assert as_user(username).get("/bulletins/daily/2026-11-19.pdf").status_code in (403, 404), username
    assert as_user("grid_worker").get("/bulletins/daily/2026-11-19.docx").status_code in (403, 404)
    dispatcher = as_user("dispatcher")
    assert dispatcher.get("/bulletins/hourly/2026-11-19").status_code == 422
    assert dispatcher.get("/bulletins/daily/2026-13-01").status_code == 422
    assert dispatcher.get("/bulletins/daily/2027-01-01.pdf").status_code == 422  # after today
    docx = dispatcher.get("/bulletins/weekly/2026-11-16.docx")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert "filename*=UTF-8''" in docx.headers["content-disposition"]
