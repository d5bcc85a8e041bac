"""Cross-street probes for the 督办台账 API (registered into tests/web/test_route_permissions.PROBES):
street A's officer attacks a task of street B led by street B's office."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import select

from govgrid.db.ledger_models import LedgerItem, ProgressReport, ReportEvidence
from govgrid.db.models import OrgUnit
from tests.factories import NOW, STREET_B
from tests.web.test_route_permissions import nothing_of_street_b, probe, refused

TASK = "街道B督办任务（探针）"


def street_b_task(session):  # type: ignore[no-untyped-def]
    """A campaign and task of street B, led by street B's office, with a report and an evidence file."""
    task = session.scalar(select(LedgerItem).where(LedgerItem.content == TASK))
    if task is not None:
        return task
    unit = session.scalar(select(OrgUnit).where(OrgUnit.code == STREET_B))
    campaign = LedgerItem(
        district_code="370102",
        kind="campaign",
        number="PROBE-B",
        content="街道B专项行动（探针）",
        area_code=STREET_B,
        co_unit_ids=[],
        status="open",
        progress=0.0,
        light="red",
        version=1,
    )
    session.add(campaign)
    session.flush()
    campaign.campaign_id = campaign.id
    task = LedgerItem(
        district_code="370102",
        kind="task",
        parent_id=campaign.id,
        campaign_id=campaign.id,
        number="1",
        content=TASK,
        area_code=STREET_B,
        lead_unit_id=unit.id,
        co_unit_ids=[],
        status="closing",
        progress=0.2,
        light="red",
        assigned_at=NOW,
        deadline_at=NOW,
        version=1,
    )
    session.add(task)
    session.flush()
    report = ProgressReport(
        district_code="370102",
        item_id=task.id,
        kind="progress",
        reported_at=NOW,
        reported_by="other_street_officer",
        value_reached=20,
        narrative="街道B进展",
    )
    session.add(report)
    session.flush()
    session.add(
        ReportEvidence(
            district_code="370102",
            report_id=report.id,
            uploaded_by="other_street_officer",
            uploaded_at=NOW,
            filename="b.pdf",
            content_type="application/pdf",
            size=5,
            sha256="0" * 64,
        )
    )
    session.commit()
    return task


def evidence_id(session) -> int:  # type: ignore[no-untyped-def]
    task = street_b_task(session)
    report = session.scalar(select(ProgressReport).where(ProgressReport.item_id == task.id))
    return int(session.scalar(select(ReportEvidence.id).where(ReportEvidence.report_id == report.id)))


@probe("GET", "/api/v1/ledger/items")
def _ledger_items(client, district, session):  # type: ignore[no-untyped-def]
    task = street_b_task(session)
    body = client.get("/api/v1/ledger/items", params={"light": "red"}).json()
    assert task.id not in {i["id"] for i in body["items"]} and TASK not in str(body)
    assert TASK not in client.get("/api/v1/ledger/items", params={"campaign_id": task.campaign_id}).text


@probe("POST", "/api/v1/ledger/items")
def _ledger_add(client, district, session):  # type: ignore[no-untyped-def]
    task = street_b_task(session)
    refused(
        client.post(
            "/api/v1/ledger/items", json={"kind": "task", "content": "插入街道B", "parent_id": task.id}
        )
    )


@probe("GET", "/api/v1/ledger/items/{item_id}")
def _ledger_item(client, district, session):  # type: ignore[no-untyped-def]
    refused(client.get(f"/api/v1/ledger/items/{street_b_task(session).id}"))


@probe("POST", "/api/v1/ledger/items/{item_id}/reports")
def _ledger_report(client, district, session):  # type: ignore[no-untyped-def]
    task = street_b_task(session)
    refused(
        client.post(
            f"/api/v1/ledger/items/{task.id}/reports", json={"narrative": "冒名填报", "value_reached": 99}
        )
    )


@probe("POST", "/api/v1/ledger/reports/{report_id}/evidence")
def _ledger_evidence_upload(client, district, session):  # type: ignore[no-untyped-def]
    task = street_b_task(session)
    report = session.scalar(select(ProgressReport.id).where(ProgressReport.item_id == task.id))
    refused(
        client.post(
            f"/api/v1/ledger/reports/{report}/evidence", files={"file": ("a.pdf", b"%PDF-1.4 x\n%%EOF")}
        )
    )


@probe("GET", "/api/v1/ledger/evidence/{evidence_id}")
def _ledger_evidence(client, district, session):  # type: ignore[no-untyped-def]
    refused(client.get(f"/api/v1/ledger/evidence/{evidence_id(session)}"))


@probe("POST", "/api/v1/ledger/items/{item_id}/instruction")
def _ledger_instruction(client, district, session):  # type: ignore[no-untyped-def]
    refused(
        client.post(
            f"/api/v1/ledger/items/{street_b_task(session).id}/instruction", json={"note": "越界批示"}
        )
    )


@probe("POST", "/api/v1/ledger/items/{item_id}/rungs")
def _ledger_rung(client, district, session):  # type: ignore[no-untyped-def]
    refused(
        client.post(f"/api/v1/ledger/items/{street_b_task(session).id}/rungs", json={"rung": "interview"})
    )


@probe("POST", "/api/v1/ledger/items/{item_id}/closure")
def _ledger_closure(client, district, session):  # type: ignore[no-untyped-def]
    task = street_b_task(session)  # waiting for a decision: every step is tried
    for step in ("apply", "approve", "refuse", "reopen"):
        answer = client.post(f"/api/v1/ledger/items/{task.id}/closure", json={"step": step, "note": "探针"})
        refused(answer)


@probe("GET", "/api/v1/ledger/export")
def _ledger_export(client, district, session):  # type: ignore[no-untyped-def]
    task = street_b_task(session)
    answer = client.get("/api/v1/ledger/export", params={"format": "csv", "campaign_id": task.campaign_id})
    nothing_of_street_b(answer)
    assert TASK not in answer.content.decode("utf-8-sig")


@probe("POST", "/api/v1/ledger/import")
def _ledger_import(client, district, session):  # type: ignore[no-untyped-def]
    book = Workbook()
    sheet = book.active
    sheet.title = "督办台账"
    sheet.append(["序号", "上级序号", "层级", "工作内容", "牵头单位", "完成时限"])
    sheet.append(["B-X", None, "行动", "街道B的台账", f"{STREET_B}办事处", None])
    out = io.BytesIO()
    book.save(out)
    refused(client.post("/api/v1/ledger/import", files={"file": ("b.xlsx", out.getvalue())}))


@probe("POST", "/api/v1/ledger/items/{item_id}/milestones")
def _ledger_milestone(client, district, session):  # type: ignore[no-untyped-def]
    task = street_b_task(session)
    refused(
        client.post(
            f"/api/v1/ledger/items/{task.id}/milestones",
            json={"label": "节点", "due_at": "2026-11-30T17:00:00+08:00"},
        )
    )


@probe("POST", "/api/v1/ledger/items/{item_id}/schedule")
def _ledger_schedule(client, district, session):  # type: ignore[no-untyped-def]
    task = street_b_task(session)
    refused(
        client.post(
            f"/api/v1/ledger/items/{task.id}/schedule", json={"phases": [{"label": "施工", "workdays": 5}]}
        )
    )


@probe("PUT", "/api/v1/ledger/items/{item_id}/investment")
def _ledger_investment(client, district, session):  # type: ignore[no-untyped-def]
    task = street_b_task(session)
    refused(client.put(f"/api/v1/ledger/items/{task.id}/investment", json={"planned": {"2026-11": 100}}))
