"""Email destinations in the same outbox as the robots, against a local SMTP receiver (a real socket
speaking SMTP): the bulletin arrives with its subject and link at every address, a relay's refusal is
recorded with its code and retried later (sent once), no relay configured is a recorded failure, and a bad
address is refused naming it."""

from __future__ import annotations

import socketserver
import threading
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from sqlalchemy import select

from govgrid.db.push_models import PushAttempt, PushDestination
from govgrid.domain.bulletins import Kind
from govgrid.domain.errors import InvalidInput
from govgrid.services.pushes.destinations import add_destination, issue
from govgrid.services.pushes.mail import smtp_sender
from govgrid.services.pushes.outbox import push_round
from tests.services.cases.test_cases import RULES, who
from tests.services.test_pushes import MONDAY_8


class Relay:
    """An SMTP server on loopback: keeps each message with its envelope; refuses `fail` messages first."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.fail = 0
        owner = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                self.say("220 relay.test ESMTP")
                sender, to = "", []
                while line := self.rfile.readline():
                    verb = line.decode().strip().split(" ", 1)[0].upper()
                    if verb in ("EHLO", "HELO"):
                        self.say("250 relay.test")
                    elif verb == "MAIL":
                        sender, to = line.decode().split(":", 1)[1].strip(), []
                        self.say("250 OK")
                    elif verb == "RCPT":
                        to.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                        self.say("250 OK")
                    elif verb == "DATA":
                        self.say("354 go on")
                        data = b"".join(iter(lambda: self.rfile.readline(), b".\r\n"))
                        if owner.fail:
                            owner.fail -= 1
                            self.say("451 4.3.0 邮件服务器繁忙")
                        else:
                            owner.messages.append((sender, to, data))
                            self.say("250 queued")
                    elif verb == "QUIT":
                        self.say("221 bye")
                        return
                    else:
                        self.say("250 OK")

            def say(self, text: str) -> None:
                self.wfile.write(text.encode() + b"\r\n")

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"smtp://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def relay():  # type: ignore[no-untyped-def]
    server = Relay()
    yield server
    server.server.shutdown()


def mailing_list(session, addresses="zhzx@lixia.gov.cn, 领导 ld@lixia.gov.cn"):  # type: ignore[no-untyped-def]
    return add_destination(
        session,
        actor=who(session, "admin"),
        name="领导邮件",
        platform="email",
        url=addresses.replace("领导 ", ""),
        secret="",
        now=MONDAY_8,
    )


def test_a_bulletin_is_mailed_to_every_address_with_its_subject_and_link(fresh, relay):
    sessions, _ = fresh
    with sessions() as session:
        mailing_list(session)
        issued = issue(session, rules=RULES, kind=Kind.DAILY, day=MONDAY_8.date(), now=MONDAY_8)
        mail = smtp_sender(relay.url, "govgrid@lixia.gov.cn")
        assert push_round(session, now=MONDAY_8, base_url="https://govgrid.example", mail=mail) == 1
        assert push_round(session, now=MONDAY_8 + timedelta(minutes=5), mail=mail) == 0  # not twice
    ((sender, to, data),) = relay.messages
    letter = message_from_bytes(data)
    subject = str(make_header(decode_header(letter["Subject"])))
    body = letter.get_payload(decode=True).decode("utf-8")
    assert sender == "<govgrid@lixia.gov.cn>" and to == ["zhzx@lixia.gov.cn", "ld@lixia.gov.cn"]
    assert subject.startswith("【日通报】2026-11-02") and issued.summary in body
    assert "https://govgrid.example/bulletins/daily/2026-11-02?district=370102" in body


def test_a_relays_refusal_is_recorded_and_retried_later(fresh, relay):
    sessions, _ = fresh
    with sessions() as session:
        mailing_list(session)
        issue(session, rules=RULES, kind=Kind.DAILY, day=MONDAY_8.date(), now=MONDAY_8)
        mail = smtp_sender(relay.url, "govgrid@lixia.gov.cn")
        relay.fail = 1
        assert push_round(session, now=MONDAY_8, mail=mail) == 0
        failed = session.scalars(select(PushAttempt)).one()
        assert (failed.ok, failed.status_code) == (False, 451) and "繁忙" in failed.error
        assert session.scalars(select(PushDestination)).one().retry_at == MONDAY_8 + timedelta(minutes=1)
        assert push_round(session, now=MONDAY_8 + timedelta(minutes=1), mail=mail) == 1
    assert len(relay.messages) == 1


def test_without_a_relay_the_failure_is_recorded_and_a_bad_address_is_refused(fresh):
    sessions, _ = fresh
    with sessions() as session:
        mailing_list(session)
        issue(session, rules=RULES, kind=Kind.DAILY, day=MONDAY_8.date(), now=MONDAY_8)
        assert push_round(session, now=MONDAY_8) == 0
        assert "GOVGRID_SMTP_URL" in session.scalars(select(PushAttempt)).one().error
        with pytest.raises(InvalidInput, match="not-an-address"):
            mailing_list(session, "zhzx@lixia.gov.cn, not-an-address")
    with pytest.raises(InvalidInput, match="GOVGRID_SMTP_URL"):
        smtp_sender("http://relay", "x@y.cn")
