"""The linked systems' log: every push is kept as received, a refused one with why; each connector's health
counts them; an administrator replays a rejected message once its mapping is fixed, and however often it
is replayed it files exactly one case, each replay audited; no one else may replay or see the log."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import func, select

from govgrid.db.case_models import Case
from govgrid.db.models import AuditEvent
from govgrid.domain.errors import Forbidden
from govgrid.services.cases import connector_log
from govgrid.services.geo.locate import LocatorCache
from tests.catalogs import CATALOGS
from tests.factories import NOW
from tests.services.cases.test_cases import who
from tests.web.test_connectors import hotline_order


def renamed(order: dict) -> dict:
    """The 12345 platform renamed its title field: the shipped mapping no longer finds it."""
    changed = dict(order)
    changed["subject"] = changed.pop("title")
    return changed


def fixed_rules():  # type: ignore[no-untyped-def]
    rules = CATALOGS.case_rules
    hotline = rules.connectors["hotline12345"]
    mapped = dataclasses.replace(hotline, fields={**hotline.fields, "title": "subject"})
    return dataclasses.replace(rules, connectors={**rules.connectors, "hotline12345": mapped})


def test_a_refused_push_is_kept_with_why_and_counted_in_the_health(
    connector_client, district, session, as_user
):
    order = renamed(hotline_order(district))
    answer = connector_client().post("/api/v1/connectors/hotline12345/events", json=order)
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "title"
    kept = connector_log.waiting(session, connector_id="hotline12345")[0]
    assert kept.payload == order and kept.reason == "缺少 title" and kept.field == "title"
    taken = connector_client().post("/api/v1/connectors/hotline12345/events", json=hotline_order(district))
    assert taken.status_code == 201
    admin = who(session, "admin")
    health = {
        h.connector_id: h
        for h in connector_log.health(session, actor=admin, rules=CATALOGS.case_rules, now=NOW)
    }
    hotline = health["hotline12345"]
    assert hotline.today >= 2 and hotline.rejected_today >= 1 and hotline.waiting >= 1
    assert hotline.millis_p50 is not None and hotline.last_at is not None
    page = as_user("admin").get("/connectors").text
    assert f'data-id="{kept.id}"' in page and "缺少 title" in page and "subject" in page


def test_a_fixed_mapping_replays_a_rejected_message_into_exactly_one_case(
    connector_client, district, session
):
    order = renamed(hotline_order(district))
    connector_client().post("/api/v1/connectors/hotline12345/events", json=order)
    message = connector_log.waiting(session, connector_id="hotline12345")[0]
    admin = who(session, "admin")
    replay = dict(actor=admin, message_id=message.id, locator=LocatorCache(), now=NOW)
    still = connector_log.replay(session, rules=CATALOGS.case_rules, **replay)  # not fixed yet
    assert still.outcome == "rejected" and still.reason == "缺少 title"
    first = connector_log.replay(session, rules=fixed_rules(), **replay)
    again = connector_log.replay(session, rules=fixed_rules(), **replay)
    assert first.outcome == "taken" and again.outcome == "duplicate" and again.case_id == first.case_id
    count = session.scalar(
        select(func.count()).select_from(Case).where(Case.external_id == order["order_no"])
    )
    assert count == 1
    assert message.id not in [m.id for m in connector_log.waiting(session)]
    audited = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "connector.replay", AuditEvent.entity_id == str(message.id)
        )
    ).all()
    assert len(audited) == 3 and {e.detail["outcome"] for e in audited} == {"rejected", "taken", "duplicate"}


def test_only_an_administrator_reads_the_log_or_replays(connector_client, district, session, as_user):
    connector_client().post("/api/v1/connectors/hotline12345/events", json=renamed(hotline_order(district)))
    message = connector_log.waiting(session)[0]
    with pytest.raises(Forbidden):
        connector_log.replay(
            session,
            actor=who(session, "dispatcher"),
            message_id=message.id,
            rules=CATALOGS.case_rules,
            locator=LocatorCache(),
            now=NOW,
        )
    dispatcher = as_user("dispatcher")
    assert dispatcher.get("/connectors").status_code in (403, 404)
    page = dispatcher.get("/").text
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    refused = dispatcher.post(f"/connectors/messages/{message.id}/replay", data={"csrf_token": token})
    assert refused.status_code in (403, 404)
    assert message.id in [m.id for m in connector_log.waiting(session)]
