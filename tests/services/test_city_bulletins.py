"""A city's deployment: the worker issues each district its own bulletin, and each push group gets only its
own district's, through the real outbox to a local receiver."""

from __future__ import annotations

from sqlalchemy import select

from govgrid.db.push_models import BulletinIssue
from govgrid.services.pushes.destinations import add_destination, issue_due
from govgrid.services.pushes.outbox import push_round
from tests.factories import SECOND_DISTRICT
from tests.services.cases.test_cases import RULES, who
from tests.services.test_pushes import HOSTS, MONDAY_8, robot  # noqa: F401  (the local receiver fixture)


def test_each_district_gets_its_own_bulletin_and_each_group_only_its_districts(city_sessions, robot):  # noqa: F811
    with city_sessions() as session:
        for username, path in (("admin", "/wecom"), ("sz_admin", "/wecom-sz")):
            add_destination(
                session, actor=who(session, username), name=f"{username}群", platform="wecom",
                url=f"{robot.url}{path}", secret="", now=MONDAY_8, hosts=HOSTS,
            )  # fmt: skip
        issued = issue_due(session, rules=RULES, now=MONDAY_8)
        assert sorted(row.district_code for row in issued if row.kind == "daily") == [
            "370102",
            SECOND_DISTRICT,
        ]
        assert issue_due(session, rules=RULES, now=MONDAY_8) == []  # once a day each
        assert push_round(session, now=MONDAY_8, base_url="https://govgrid.example") >= 2
        daily = {
            row.district_code: row.id
            for row in session.scalars(select(BulletinIssue).where(BulletinIssue.kind == "daily"))
        }
    received: dict[str, str] = {}
    for path, _, body in robot.received:
        received[path] = received.get(path, "") + body["markdown"]["content"]
    assert set(received) == {"/wecom", "/wecom-sz"}
    assert "?district=370102)" in received["/wecom"] and SECOND_DISTRICT not in received["/wecom"]
    assert f"?district={SECOND_DISTRICT})" in received["/wecom-sz"] and "370102" not in received["/wecom-sz"]
    assert len(daily) == 2
