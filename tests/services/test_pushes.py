"""Bulletins and escalations pushed to group robots, against a local HTTP receiver that checks each
platform's JSON and 钉钉's signature and fails when told to: the exact payloads, a failure recorded and
retried later (never lost, never sent twice), at most 20 messages a minute with the rest merged into a
digest, a cursor of its own per destination, and the 08:00 schedule on working days."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from govgrid.db.push_models import PushAttempt, PushDestination
from govgrid.domain.bulletins import Kind
from govgrid.domain.pushes import WECOM_LIMIT, Message, wecom_payload
from govgrid.domain.worktime import CHINA
from govgrid.services.pushes.destinations import add_destination, issue, issue_due
from govgrid.services.pushes.outbox import push_round
from tests.services.cases.test_cases import RULES, who

SECRET = "SEC0123456789abcdef"
MONDAY_8 = datetime(2026, 11, 2, 8, 0, tzinfo=CHINA)
HOSTS = (
    "127.0.0.1",
)  # the local receiver, named as GOVGRID_PUSH_HOSTS would name it  # a working Monday, the first working day of November


class Receiver:
    """A robot on loopback: records every request, answers like the platform, fails `fail` times first."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict, dict]] = []
        self.fail = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                owner.received.append((url.path, query, body))
                if owner.fail:
                    owner.fail -= 1
                    self._answer(500, {"errcode": -1, "errmsg": "系统繁忙"})
                    return
                self._answer(200, owner.check(url.path, query, body))

            def _answer(self, status: int, doc: dict) -> None:
                data = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    @staticmethod
    def check(path: str, query: dict, body: dict) -> dict:
        if body.get("msgtype") != "markdown":
            return {"errcode": 40008, "errmsg": "invalid message type"}
        if path == "/wecom":
            content = body["markdown"]["content"]
            ok = isinstance(content, str) and len(content.encode()) <= WECOM_LIMIT
            return {"errcode": 0} if ok else {"errcode": 40058, "errmsg": "content exceed max length"}
        expected = base64.b64encode(
            hmac.new(SECRET.encode(), f"{query.get('timestamp')}\n{SECRET}".encode(), hashlib.sha256).digest()
        ).decode()
        if query.get("sign") != expected or not body["markdown"].get("title"):  # the query is decoded once
            return {"errcode": 310000, "errmsg": "sign not match"}
        return {"errcode": 0}


@pytest.fixture
def robot():  # type: ignore[no-untyped-def]
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()


def destinations(session, robot):  # type: ignore[no-untyped-def]
    admin = who(session, "admin")
    wecom = add_destination(
        session,
        actor=admin,
        name="指挥中心群",
        platform="wecom",
        url=f"{robot.url}/wecom",
        secret="",
        now=MONDAY_8,
        hosts=HOSTS,
    )
    ding = add_destination(
        session,
        actor=admin,
        name="领导群",
        platform="dingtalk",
        url=f"{robot.url}/ding?access_token=t",
        secret=SECRET,
        now=MONDAY_8,
        hosts=HOSTS,
    )
    return wecom, ding


def test_a_bulletin_goes_to_each_robot_in_its_platforms_exact_json_and_signature(fresh, robot):
    sessions, _ = fresh
    with sessions() as session:
        wecom, ding = destinations(session, robot)
        issued = issue(session, rules=RULES, kind=Kind.DAILY, day=MONDAY_8.date(), now=MONDAY_8)
        assert push_round(session, now=MONDAY_8, base_url="https://govgrid.example") == 2
        attempts = session.scalars(select(PushAttempt).order_by(PushAttempt.id)).all()
        cursors = [session.get(PushDestination, d.id) for d in (wecom, ding)]
    paths = [path for path, _, _ in robot.received]
    assert paths == ["/wecom", "/ding"] and all(a.ok for a in attempts)
    content = robot.received[0][2]["markdown"]["content"]
    assert content.startswith("### 【日通报】2026-11-02") and issued.summary in content
    assert "(https://govgrid.example/bulletins/daily/2026-11-02?district=370102)" in content
    assert robot.received[1][1]["access_token"] == "t" and robot.received[1][2]["markdown"][
        "title"
    ].startswith("【日通报】")
    assert all(c.bulletin_cursor == issued.id for c in cursors)
    with sessions() as session:
        assert push_round(session, now=MONDAY_8 + timedelta(minutes=5)) == 0  # nothing is sent twice


def test_a_failure_is_recorded_and_retried_later_never_lost(fresh, robot):
    sessions, _ = fresh
    with sessions() as session:
        wecom, _ = destinations(session, robot)
        session.delete(session.get(PushDestination, wecom.id))
        session.commit()
        issue(session, rules=RULES, kind=Kind.DAILY, day=MONDAY_8.date(), now=MONDAY_8)
        robot.fail = 1
        assert push_round(session, now=MONDAY_8) == 0
        failed = session.scalars(select(PushAttempt)).one()
        assert (failed.ok, failed.status_code) == (False, 500) and "系统繁忙" in failed.error
        ding = session.scalars(select(PushDestination)).one()
        assert ding.failures == 1 and ding.retry_at == MONDAY_8 + timedelta(minutes=1)
        assert push_round(session, now=MONDAY_8 + timedelta(seconds=30)) == 0  # not before its retry time
        assert push_round(session, now=MONDAY_8 + timedelta(minutes=1)) == 1
        assert session.scalars(select(PushDestination)).one().failures == 0
    assert len(robot.received) == 2 and robot.received[0][2] == robot.received[1][2]


def test_one_robot_failing_does_not_hold_back_another(fresh, robot):
    sessions, _ = fresh
    with sessions() as session:
        wecom, ding = destinations(session, robot)
        session.get(PushDestination, ding.id).secret = "SECwrong"
        session.commit()
        issue(session, rules=RULES, kind=Kind.DAILY, day=MONDAY_8.date(), now=MONDAY_8)
        assert push_round(session, now=MONDAY_8) == 1
        found = {d.name: d for d in session.scalars(select(PushDestination))}
    assert (
        found["指挥中心群"].bulletin_cursor > 0 and found["领导群"].bulletin_cursor == 0
    )  # each its own cursor
    assert found["领导群"].failures == 1
    rejected = [a for a in _attempts(sessions) if not a.ok]
    assert rejected and "sign not match" in rejected[0].error


def _attempts(sessions):  # type: ignore[no-untyped-def]
    with sessions() as session:
        return session.scalars(select(PushAttempt)).all()


def test_more_than_twenty_waiting_go_as_one_digest_within_the_limit(fresh, robot):
    sessions, _ = fresh
    with sessions() as session:
        wecom, ding = destinations(session, robot)
        session.delete(session.get(PushDestination, ding.id))
        session.commit()
        for n in range(30):
            issue(
                session, rules=RULES, kind=Kind.DAILY, day=date(2026, 10, 1) + timedelta(days=n), now=MONDAY_8
            )
        assert push_round(session, now=MONDAY_8) == 30
    assert len(robot.received) == 1  # one request for thirty messages
    content = robot.received[0][2]["markdown"]["content"]
    assert content.startswith("### 汇总：30 条消息") and len(content.encode()) <= WECOM_LIMIT


def test_a_long_message_is_cut_to_the_wecom_limit_and_says_so():
    payload = wecom_payload(Message("长消息", tuple("一二三四五六七八九十" * 20 for _ in range(40))))
    content = payload["markdown"]["content"]  # type: ignore[index]
    assert len(content.encode()) <= WECOM_LIMIT and content.endswith("请登录平台查看）")


def test_the_daily_bulletin_is_issued_at_eight_on_working_days_once(fresh):
    sessions, _ = fresh
    with sessions() as session:
        assert issue_due(session, rules=RULES, now=MONDAY_8 - timedelta(minutes=1)) == []
        first = issue_due(session, rules=RULES, now=MONDAY_8)
        assert sorted(row.kind for row in first) == ["daily", "monthly", "weekly"]  # Monday, 2 November
        assert issue_due(session, rules=RULES, now=MONDAY_8 + timedelta(hours=2)) == []  # once a day
        tuesday = issue_due(session, rules=RULES, now=MONDAY_8 + timedelta(days=1))
        assert [row.kind for row in tuesday] == ["daily"]
        assert issue_due(session, rules=RULES, now=datetime(2026, 11, 7, 9, tzinfo=CHINA)) == []  # a Saturday


def test_a_robot_address_must_be_a_web_address_and_dingtalk_needs_its_secret(fresh):
    from govgrid.domain.errors import Forbidden, InvalidInput

    sessions, _ = fresh
    with sessions() as session:
        admin = who(session, "admin")
        with pytest.raises(InvalidInput) as bad:
            add_destination(
                session,
                actor=admin,
                name="群",
                platform="wecom",
                url="file:///etc/passwd",
                secret="",
                now=MONDAY_8,
            )
        assert bad.value.field == "url"
        with pytest.raises(InvalidInput) as unsigned:
            add_destination(
                session,
                actor=admin,
                name="群",
                platform="dingtalk",
                url="https://oapi.dingtalk.com/robot/send",
                secret="",
                now=MONDAY_8,
            )
        assert unsigned.value.field == "secret"
        with pytest.raises(InvalidInput) as elsewhere:  # an internal host the setting does not name
            add_destination(
                session,
                actor=admin,
                name="群",
                platform="wecom",
                url="https://10.0.0.5/send",
                secret="",
                now=MONDAY_8,
            )
        assert elsewhere.value.field == "url" and "qyapi.weixin.qq.com" in elsewhere.value.message
        with pytest.raises(InvalidInput):  # plain http only to a loopback receiver
            add_destination(
                session,
                actor=admin,
                name="群",
                platform="wecom",
                url="http://qyapi.weixin.qq.com/x",
                secret="",
                now=MONDAY_8,
            )
        with pytest.raises(Forbidden):
            add_destination(
                session,
                actor=who(session, "dispatcher"),
                name="群",
                platform="wecom",
                url="https://x.example/",
                secret="",
                now=MONDAY_8,
            )


def test_what_people_typed_cannot_mention_everyone_or_add_links_in_a_group_message():
    from govgrid.domain.pushes import markdown

    text = markdown(Message("【督办】案件 1", ("<@all> [点我](http://evil.example) **加粗**",)))
    assert "<@all>" not in text and "](http" not in text and "**" not in text
    assert "＜@all＞" in text


def one_robot_and_old_cases(session, robot, point, numbers: list[str]) -> list:  # type: ignore[no-untyped-def]
    """The WeCom robot alone, and open cases imported from last year's history (their rows not news)."""
    from govgrid.db.case_models import Case
    from tests.services.cases.test_history_import import case_row, run, sheet

    _, ding = destinations(session, robot)
    session.delete(session.get(PushDestination, ding.id))
    session.commit()
    times = {
        "上报时间": datetime(2025, 3, 3, 8, tzinfo=CHINA),
        "立案时间": datetime(2025, 3, 3, 9, tzinfo=CHINA),
        "派遣时间": datetime(2025, 3, 3, 10, tzinfo=CHINA),
        "处置时限": datetime(2025, 3, 5, 10, tzinfo=CHINA),
    }
    run(session, sheet([case_row(number, point, **times, 当前状态="处置中") for number in numbers]))
    return list(session.scalars(select(Case).order_by(Case.id)))


def supervised(case, note: str) -> dict:  # type: ignore[no-untyped-def]
    """A 督办 history row on the case, today."""
    from govgrid.domain.permissions import SYSTEM
    from govgrid.services.cases.history import history_row

    return history_row(
        case.id,
        case.district_code,
        actor=SYSTEM,
        step="supervise",
        from_status=case.status,
        to_status=case.status,
        at=MONDAY_8,
        note=note,
    )


def test_an_old_history_row_is_not_news(fresh, robot):
    """A replayed or imported history's rows (their times long past) are not pushed; today's are."""
    from govgrid.services.cases.history import record_histories

    sessions, point = fresh
    with sessions() as session:
        [case] = one_robot_and_old_cases(session, robot, point, ["OLD-1"])
        assert push_round(session, now=MONDAY_8) == 0 and robot.received == []
        record_histories(session, [supervised(case, "督办")])
        session.commit()
        assert push_round(session, now=MONDAY_8 + timedelta(minutes=1)) == 1
    assert "督办" in robot.received[0][2]["markdown"]["content"]


def test_a_history_row_committed_after_a_later_one_is_still_pushed(fresh, robot):
    """On PostgreSQL a row whose id was drawn first can commit last: the outbox reads in commit order, so
    the robot gets it after all (a cursor of ids alone would have passed it by)."""
    from govgrid.services.cases.history import record_histories

    sessions, point = fresh
    with sessions() as session:
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("SQLite has one writer at a time: its history ids commit in order")
        first, second = one_robot_and_old_cases(session, robot, point, ["LATE-1", "LATE-2"])

    with sessions() as slow, sessions() as quick:
        record_histories(slow, [supervised(first, "先取号后提交")])
        slow.flush()  # its id is drawn, its transaction still open
        record_histories(quick, [supervised(second, "后取号先提交")])
        quick.commit()
        with sessions() as reader:
            push_round(reader, now=MONDAY_8 + timedelta(minutes=1))  # may push nothing yet: one is open
        slow.commit()
    with sessions() as reader:
        push_round(reader, now=MONDAY_8 + timedelta(minutes=2))
    sent = "".join(body["markdown"]["content"] for _, _, body in robot.received)
    assert "先取号后提交" in sent and "后取号先提交" in sent
    assert sent.count("先取号后提交") == 1 and sent.count("后取号先提交") == 1
