"""A new order (派遣, naming the unit) and escalations are pushed to a group (here a real HTTP receiver on loopback, through apprise's json://)."""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from govgrid.services.cases.notify import _cursor, notify_pending
from tests.services.cases.test_sweeper import FRIDAY_10, dispatched_on_friday, sweep_through


class Receiver(BaseHTTPRequestHandler):
    received: list[dict] = []
    failures_left = 0

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if Receiver.failures_left > 0:
            Receiver.failures_left -= 1
            self.send_response(500)
        else:
            Receiver.received.append(body)
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    Receiver.received, Receiver.failures_left = [], 0
    yield f"json://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


def test_a_dispatch_and_its_escalations_reach_the_group_once_each_even_when_the_group_fails_once(
    session, district, receiver
):
    _cursor(session)  # a new installation starts after the existing history
    case = dispatched_on_friday(session, district)
    sweep_through(session, FRIDAY_10, days=12, every=timedelta(hours=6))
    Receiver.failures_left = 1
    assert notify_pending(session, urls=[receiver]) == 0  # the group failed: nothing advanced
    notify_pending(session, urls=[receiver])
    mine = [m["title"] for m in Receiver.received if case.code in m["title"]]
    assert mine == [
        f"【派遣】案件 {case.code}",
        f"【超期】案件 {case.code}",
        f"【催办】案件 {case.code}",
        f"【督办】案件 {case.code}",
    ]
    assert notify_pending(session, urls=[receiver]) == 0  # nothing is sent twice


def test_without_urls_nothing_is_pushed(session):
    assert notify_pending(session, urls=[]) == 0
