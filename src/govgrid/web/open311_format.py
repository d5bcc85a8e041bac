"""Open311 GeoReport v2 representations: case → request, status mapping, JSON/XML rendering, errors."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime
from typing import Any

from fastapi.responses import JSONResponse, Response

from govgrid.db.case_models import Case, CaseTransition
from govgrid.domain.workflow import FINAL, STATUS_LABEL, Status
from govgrid.domain.worktime import CHINA
from govgrid.geo.crs import Crs, from_stored

# FixMyStreet's richer statuses for servicerequestupdates; GeoReport itself has open | closed.
FMS_STATUS = {
    Status.REPORTED: "open",
    Status.VERIFIED: "open",
    Status.REGISTERED: "open",
    Status.ACCEPTED: "open",
    Status.DISPATCHED: "action_scheduled",
    Status.ASSIGNED: "action_scheduled",
    Status.FORWARDED: "action_scheduled",
    Status.SIGNED: "investigating",
    Status.CONTACTED: "investigating",
    Status.HANDLING: "in_progress",
    Status.FED_BACK: "in_progress",
    Status.REPLIED: "in_progress",
    Status.REPLY_HELD: "in_progress",
    Status.PARKED: "planned",
    Status.CLOSED: "fixed",
    Status.CALLED_BACK: "fixed",
    Status.EVALUATED: "fixed",
    Status.EXCLUDED: "closed",
    Status.CANCELLED: "closed",
}


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    try:
        return moment.astimezone(CHINA).isoformat(timespec="seconds")
    except OverflowError:  # only a moment stored before inputs were bounded
        return moment.isoformat(timespec="seconds")


def georeport_status(case: Case) -> str:
    return "closed" if Status(case.status) in FINAL else "open"


def request_view(
    case: Case, *, class_name: str, unit_name: str | None, community: str | None, is_public: bool, notice: str
) -> dict[str, Any]:
    """One service request. The public view (no api_key) leaves out the description and rounds the
    location to about 100 m; the address is the community."""
    lng, lat = (
        from_stored(case.lng, case.lat, Crs.WGS84)
        if case.lng is not None and case.lat is not None
        else (None, None)
    )
    digits = 3 if is_public else 6
    return {
        "service_request_id": str(case.id),
        "status": georeport_status(case),
        "status_notes": STATUS_LABEL[Status(case.status)],
        "service_name": class_name,
        "service_code": case.class_code,
        "description": None if is_public else case.description or case.title,
        "agency_responsible": unit_name,
        "service_notice": notice,
        "requested_datetime": iso(case.reported_at),
        "updated_datetime": iso(case.closed_at or case.dispatched_at or case.reported_at),
        "expected_datetime": iso(case.due_at),
        "address": community if is_public else (case.address or community),
        "address_id": case.grid_code,
        "zipcode": None,
        "lat": round(lat, digits) if lat is not None else None,
        "long": round(lng, digits) if lng is not None else None,
        "media_url": None,
    }


def update_view(row: CaseTransition, label: str, *, is_public: bool) -> dict[str, Any]:
    """One step of a request. The public view says the step and what staff chose to publish, never their
    note (which may name the caller, their phone or their home)."""
    note = row.public_note if is_public else (row.note or row.public_note)
    return {
        "update_id": str(row.id),
        "service_request_id": str(row.case_id),
        "status": FMS_STATUS[Status(row.to_status)],
        "updated_datetime": iso(row.at),
        "description": f"{label}{('：' + note) if note else ''}",
        "media_url": None,
    }


def render(
    fmt: str, root: str, item: str, rows: list[dict[str, Any]] | dict[str, Any], status: int = 200
) -> Response:
    """JSON (a list, or one object) or XML (<root><item>…</item></root>) per the spec's conventions."""
    if fmt == "json":
        return JSONResponse(rows, status_code=status)
    top = ET.Element(root)
    items: list[dict[str, Any]] = rows if isinstance(rows, list) else [rows]
    for row in items:
        _fill(ET.SubElement(top, item), row)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(
        top, encoding="utf-8", xml_declaration=False
    )
    return Response(body, status_code=status, media_type="text/xml; charset=utf-8")


def _fill(element: ET.Element, row: dict[str, Any]) -> None:
    for key, value in row.items():
        child = ET.SubElement(element, key)
        if isinstance(value, list):  # a service definition's attributes
            for entry in value:
                _fill(ET.SubElement(child, "attribute"), entry)
        elif value is not None:
            child.text = str(value).lower() if isinstance(value, bool) else str(value)


def error(fmt: str, status: int, description: str) -> Response:
    """The spec's error format: a list of {code, description}."""
    return render(fmt, "errors", "error", [{"code": status, "description": description}], status=status)
