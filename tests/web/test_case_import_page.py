"""An administrator imports a case history from the page: the import runs off the request, its page shows
progress and then what was added; a bad file shows every bad row and writes nothing; nobody else may start
one or follow another's."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from sqlalchemy import func, select

from govgrid.db.case_models import Case
from govgrid.domain.worktime import CHINA
from tests.services.cases.test_history_import import case_row, sheet
from tests.web.test_pages import csrf_of


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2024, 3, day, hour, tzinfo=CHINA)


def upload(client, data: bytes, source: str = "pagetest", name: str = "history.csv"):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/case-import").text)
    return client.post(
        "/case-import",
        data={"csrf_token": token, "source": source},
        files={"file": (name, data, "text/csv")},
        follow_redirects=False,
    )


def finished(client, location: str) -> str:  # type: ignore[no-untyped-def]
    for _ in range(100):
        text = client.get(location).text
        if 'id="import-running"' not in text:
            return text
        time.sleep(0.1)
    raise AssertionError("the import did not finish")


def point(district):  # type: ignore[no-untyped-def]
    found = district.grid(district.features[1].code).geometry.representative_point()
    return round(found.x, 6), round(found.y, 6)


def test_an_administrator_imports_a_history_and_follows_it_to_the_end(as_user, session, district):
    rows = [
        case_row(
            f"PG-{n}",
            point(district),
            上报时间=at(4, 8),
            立案时间=at(4, 9),
            派遣时间=at(4, 10),
            处置时限=at(6, 10),
            反馈时间=at(5, 10),
            结案时间=at(5, 15),
            当前状态="已结案",
        )
        for n in range(3)
    ]
    admin = as_user("admin")
    answer = upload(admin, sheet(rows))
    assert answer.status_code == 303 and answer.headers["location"].startswith("/case-import/jobs/")
    text = finished(admin, answer.headers["location"])
    assert "已导入 3 行：新建 3 件，已存在 0 件" in text
    assert session.scalar(select(func.count()).select_from(Case).where(Case.source == "pagetest")) == 3
    listing = admin.get("/case-import").text
    assert "history.csv" in listing and "pagetest" in listing  # the import is on record
    again = finished(admin, upload(admin, sheet(rows)).headers["location"])
    assert "新建 0 件，已存在 3 件" in again


def test_a_bad_file_shows_every_bad_row_and_writes_nothing(as_user, session, district):
    rows = [
        case_row("PB-1", point(district), 问题分类="没有这类", 上报时间=at(4, 8), 当前状态="待立案"),
        case_row("PB-2", point(district), 上报时间=at(4, 8), 当前状态="快好了"),
    ]
    admin = as_user("admin")
    text = finished(admin, upload(admin, sheet(rows), source="pagebad").headers["location"])
    assert "未导入：共 2 处问题" in text
    assert "没有这类" in text and "快好了" in text and "当前状态" in text
    assert session.scalar(select(func.count()).select_from(Case).where(Case.source == "pagebad")) == 0


def test_a_bad_source_name_comes_back_on_the_form(as_user):
    answer = upload(as_user("admin"), b"x", source="Bad Name")
    assert answer.status_code == 422 and "来源名须为小写字母开头" in answer.text


@pytest.mark.parametrize("username", ["dispatcher", "supervisor", "leader", "street_officer", "dept_officer"])
def test_nobody_but_the_administrator_opens_or_starts_an_import(as_user, username):
    client = as_user(username)
    assert client.get("/case-import").status_code in (403, 404)
    token = csrf_of(client.get("/").text)
    answer = client.post(
        "/case-import",
        data={"csrf_token": token, "source": "x"},
        files={"file": ("a.csv", b"x", "text/csv")},
        follow_redirects=False,
    )
    assert answer.status_code in (403, 404)
    assert client.get("/case-import/jobs/whatever").status_code in (403, 404)


def test_an_import_is_followed_only_by_the_person_who_started_it(as_user, new_account, district):
    from govgrid.domain.roles import Role
    from tests.factories import DISTRICT

    admin = as_user("admin")
    location = upload(
        admin,
        sheet([case_row("PO-1", point(district), 上报时间=at(4, 8), 当前状态="待立案")]),
        source="pageown",
    ).headers["location"]
    finished(admin, location)
    other = as_user(new_account(Role.ADMIN, DISTRICT))
    assert other.get(location).status_code == 404
    assert "PO-1" not in other.get(location).text
