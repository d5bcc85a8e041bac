"""The live stream against the served app (uvicorn): a case reported through the API reaches an open stream
within 2 s as a `case` event with its point and class, tiles follow as `kpi`, heartbeats come, a street
officer's stream carries only their street's cases, a reconnect with Last-Event-ID gets what it missed,
anonymous callers are refused and one person's open streams are capped."""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid

import pytest
import requests
from sqlalchemy import select

from govgrid.db.models import User
from govgrid.domain.roles import Role
from govgrid.services.people.accounts import actor_for, issue_token
from tests.factories import NOW, STREET_A, STREET_B


@pytest.fixture(scope="module")
def keys(district_sessions, district):
    found = {}
    with district_sessions() as session:
        for name in ("dispatcher", "street_officer", "admin"):
            user = session.scalars(select(User).where(User.username == name)).one()
            found[name] = issue_token(session, actor=actor_for(user), name=f"stream test {name}", now=NOW)
        session.commit()
    return found


def listen(
    base_url: str, key: str, into: queue.Queue, stop: threading.Event, last: str = "", query: str = ""
) -> threading.Thread:
    """Read the stream in a thread, putting each event (kind, id, data) on the queue."""

    def run() -> None:
        headers = {"Authorization": f"Bearer {key}"}
        if last:
            headers["Last-Event-ID"] = last
        with requests.get(
            f"{base_url}/api/v1/stream{query}", headers=headers, stream=True, timeout=30
        ) as answer:
            into.put(("status", answer.status_code, answer.headers.get("content-type", "")))
            kind, event_id, data = "", "", ""
            for line in answer.iter_lines(decode_unicode=True):
                if stop.is_set():
                    return
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("id: "):
                    event_id = line[4:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif line == "" and kind:
                    into.put((kind, event_id, json.loads(data)))
                    kind, event_id, data = "", "", ""

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def report(base_url: str, key: str, district, street: str) -> dict:  # type: ignore[no-untyped-def]
    point = district.grid(f"{street}001").geometry.representative_point()
    answer = requests.post(
        f"{base_url}/api/v1/cases",
        headers={"Authorization": f"Bearer {key}"},
        json={
            "class_code": "E0102",
            "title": f"实时推送测试 {uuid.uuid4().hex[:6]}",
            "lng": point.x,
            "lat": point.y,
            "client_id": str(uuid.uuid4()),
        },
    )
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def next_case(into: queue.Queue, case_id: int, within: float) -> tuple[dict, str, float]:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            kind, event_id, data = into.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        if kind == "case" and data["id"] == case_id:
            return data, event_id, time.monotonic()
    raise AssertionError(f"case {case_id} did not arrive within {within} s")


def opened(into: queue.Queue) -> tuple:
    status = into.get(timeout=10)
    assert status[0] == "status"
    return status


def test_a_reported_case_reaches_an_open_stream_within_two_seconds(base_url, keys, district):
    into: queue.Queue = queue.Queue()
    stop = threading.Event()
    listen(base_url, keys["dispatcher"], into, stop)
    assert opened(into)[1:] == (200, "text/event-stream; charset=utf-8")
    time.sleep(0.5)
    sent = time.monotonic()
    case = report(base_url, keys["admin"], district, STREET_A)
    data, event_id, arrived = next_case(into, case["id"], within=5)
    stop.set()
    assert arrived - sent < 2.0
    assert data["code"] == case["code"] and data["status"] == "reported" and data["class_code"] == "E0102"
    assert isinstance(data["lng"], float) and isinstance(data["lat"], float)
    assert "-" in event_id  # (txid, id): a position in commit order


def test_a_map_on_wgs84_tiles_gets_the_points_converted_on_the_server(base_url, keys, district):
    """天地图 tiles are WGS-84: `crs=wgs84` sends each case's point as the stored one converted, some
    hundred metres off the stored GCJ-02 (geo.crs, the one conversion)."""
    from govgrid.geo.crs import Crs, from_stored

    into: queue.Queue = queue.Queue()
    stop = threading.Event()
    listen(base_url, keys["dispatcher"], into, stop, query="?crs=wgs84")
    opened(into)
    time.sleep(0.5)
    case = report(base_url, keys["admin"], district, STREET_A)
    data, _, _ = next_case(into, case["id"], within=5)
    stop.set()
    point = district.grid(f"{STREET_A}001").geometry.representative_point()
    expected = from_stored(point.x, point.y, Crs.WGS84)
    assert abs(data["lng"] - expected[0]) < 1e-6 and abs(data["lat"] - expected[1]) < 1e-6
    assert abs(data["lng"] - point.x) > 0.001  # the offset is there: hundreds of metres, not none


def test_the_tiles_follow_a_new_case_as_a_kpi_event(base_url, keys, district):
    into: queue.Queue = queue.Queue()
    stop = threading.Event()
    listen(base_url, keys["dispatcher"], into, stop)
    opened(into)
    deadline = time.monotonic() + 10
    tiles = None
    while time.monotonic() < deadline and tiles is None:
        kind, _, data = into.get(timeout=10)
        if kind == "kpi":
            tiles = {t["key"]: t for t in data}
    stop.set()
    assert tiles is not None
    assert tiles["open"]["href"] == "/cases?open=true" and tiles["open"]["value"] >= 1
    assert tiles["on_time_rate"]["label"] == "本月按期结案率"


def test_a_street_officer_is_sent_only_their_streets_cases(base_url, keys, district):
    into: queue.Queue = queue.Queue()
    stop = threading.Event()
    listen(base_url, keys["street_officer"], into, stop)
    opened(into)
    time.sleep(0.5)
    elsewhere = report(base_url, keys["admin"], district, STREET_B)
    theirs = report(base_url, keys["admin"], district, STREET_A)
    next_case(into, theirs["id"], within=5)
    time.sleep(1)
    stop.set()
    seen = []
    while not into.empty():
        kind, _, data = into.get()
        if kind == "case":
            seen.append(data["id"])
    assert elsewhere["id"] not in seen


def test_a_reconnect_with_last_event_id_is_sent_what_it_missed(base_url, keys, district):
    into: queue.Queue = queue.Queue()
    stop = threading.Event()
    listen(base_url, keys["dispatcher"], into, stop)
    opened(into)
    time.sleep(0.5)
    first = report(base_url, keys["admin"], district, STREET_A)
    _, last_id, _ = next_case(into, first["id"], within=5)
    stop.set()
    missed = report(base_url, keys["admin"], district, STREET_B)  # while no stream is open
    again: queue.Queue = queue.Queue()
    stop_again = threading.Event()
    listen(base_url, keys["dispatcher"], again, stop_again, last=last_id)
    opened(again)
    data, _, _ = next_case(again, missed["id"], within=5)
    stop_again.set()
    assert data["code"] == missed["code"]


def test_anonymous_callers_are_refused_and_a_persons_streams_are_capped(
    base_url, app, new_account, district_sessions
):
    assert requests.get(f"{base_url}/api/v1/stream", timeout=10).status_code == 401
    name = new_account(Role.STREET_OFFICER, STREET_A)
    with district_sessions() as session:
        user = session.scalars(select(User).where(User.username == name)).one()
        key = issue_token(session, actor=actor_for(user), name="stream cap", now=NOW)
        session.commit()
    most = app.state.settings.streams_per_user
    stops: list[threading.Event] = []
    for _ in range(most):
        stop, into = threading.Event(), queue.Queue[tuple]()
        listen(base_url, key, into, stop)
        stops.append(stop)
        assert opened(into)[1] == 200
    refused = requests.get(
        f"{base_url}/api/v1/stream", headers={"Authorization": f"Bearer {key}"}, timeout=10
    )
    for stop in stops:
        stop.set()
    assert refused.status_code == 429 and "实时连接过多" in refused.json()["error"]["message"]
