"""One client process of `govgrid bench load`: a few threads, each with its own keep-alive connection, drive
the mixed workload against the server for a fixed time, one request in flight per thread (a bounded,
closed loop), and print every request's kind, latency and outcome as one JSON document on stdout.

Run as `python -m govgrid.cli.bench.load_client '{…}'` by the benchmark; not a user command."""

from __future__ import annotations

import json
import random
import sys
import threading
import time
import uuid
from typing import Any

MIX = (  # kind, weight: what a district's day looks like from the server (reads far outnumber writes)
    ("intake", 10),
    ("transition", 15),
    ("list", 18),
    ("case", 17),
    ("dashboard", 10),
    ("metrics", 8),
    ("open311", 12),
    ("ledger", 10),
)
STEPS = ("verify", "register", "dispatch")


def _thread(spec: dict[str, Any], number: int, out: list[tuple[str, float, int]]) -> None:
    import httpx2 as httpx

    rng = random.Random(spec["seed"] * 1000 + number)
    kinds = [k for k, w in MIX for _ in range(w)]
    staff = {"Authorization": f"Bearer {spec['dispatcher']}"}
    leader = {"Authorization": f"Bearer {spec['leader']}"}
    pending: list[tuple[int, int]] = []  # my own cases, and the next step each waits for
    ids: list[int] = list(spec["case_ids"])
    grids = spec["points"]
    deadline = time.monotonic() + spec["seconds"]
    with httpx.Client(base_url=spec["base"], timeout=10) as client:
        while time.monotonic() < deadline:
            kind = rng.choice(kinds)
            if kind == "transition" and not pending:
                kind = "intake"
            started = time.perf_counter()
            try:
                status = _send(client, kind, rng, staff, leader, pending, ids, grids, spec)
            except httpx.HTTPError:
                status = 0
            out.append((kind, (time.perf_counter() - started) * 1000, status))


def _send(client, kind, rng, staff, leader, pending, ids, grids, spec) -> int:
    if kind == "intake":
        lng, lat = rng.choice(grids)
        body = {"class_code": "E0102", "title": "压测案件：路边暴露垃圾", "lng": lng, "lat": lat}
        answer = client.post("/api/v1/cases", headers=staff, json={**body, "client_id": str(uuid.uuid4())})
        if answer.status_code == 201:
            pending.append((answer.json()["id"], 0))
        return answer.status_code
    if kind == "transition":
        case_id, step = pending.pop(rng.randrange(len(pending)))
        answer = client.post(f"/api/v1/cases/{case_id}/steps", headers=staff, json={"step": STEPS[step]})
        if answer.status_code == 200 and step + 1 < len(STEPS):
            pending.append((case_id, step + 1))
        if answer.status_code == 200:
            ids.append(case_id)
        return answer.status_code
    if kind == "list":
        return client.get(
            "/api/v1/cases", headers=staff, params={"page_size": 20, "open": "true"}
        ).status_code
    if kind == "case":
        return client.get(f"/api/v1/cases/{rng.choice(ids)}", headers=staff).status_code
    if kind == "dashboard":
        return client.get(
            "/api/v1/map/cases", headers=staff, params={"bbox": spec["bbox"], "zoom": 13}
        ).status_code
    if kind == "metrics":
        period = {"from": spec["month_from"], "to": spec["month_to"], "by": "street"}
        return client.get("/api/v1/assessment/metrics", headers=leader, params=period).status_code
    if kind == "open311":
        return client.get("/open311/v2/requests.json", params={"status": "open"}).status_code
    return client.get("/api/v1/ledger/items", headers=leader, params={"page_size": 50}).status_code


def _streams(spec: dict[str, Any]) -> dict[str, Any]:
    """Hold `streams` SSE connections open for the whole run; each must stay up and deliver its events."""
    import httpx2 as httpx

    events, failures = [0] * spec["streams"], [0]

    def hold(n: int) -> None:
        headers = {"Authorization": f"Bearer {spec['dispatcher']}"}
        try:
            with (
                httpx.Client(
                    base_url=spec["base"], timeout=httpx.Timeout(10, read=spec["seconds"] + 15)
                ) as client,
                client.stream("GET", "/api/v1/stream", headers=headers) as answer,
            ):
                if answer.status_code != 200:
                    failures[0] += 1
                    return
                deadline = time.monotonic() + spec["seconds"]
                for line in answer.iter_lines():
                    events[n] += line.startswith("event:")
                    if time.monotonic() >= deadline:
                        return
        except httpx.HTTPError:
            failures[0] += 1

    threads = [threading.Thread(target=hold, args=(n,)) for n in range(spec["streams"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"streams": spec["streams"], "events": sum(events), "failures": failures[0]}


def main() -> None:
    spec = json.loads(sys.argv[1])
    if spec.get("role") == "streams":
        print(json.dumps(_streams(spec)))
        return
    results: list[list[tuple[str, float, int]]] = [[] for _ in range(spec["threads"])]
    threads = [threading.Thread(target=_thread, args=(spec, n, results[n])) for n in range(spec["threads"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps([row for part in results for row in part]))


if __name__ == "__main__":
    main()
