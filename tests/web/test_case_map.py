"""The command map's cases: clustered on the server by zoom, every case in exactly one cell, the cells'
counts adding up to the list's count for the same filter, the cases themselves when zoomed in, a bad box
named, and nothing of another street for a street officer."""

from __future__ import annotations

from tests.factories import DISTRICT_OUTLINE, STREET_A, STREET_B

WHOLE = ",".join(str(round(v, 6)) for v in DISTRICT_OUTLINE.buffer(0.001).bounds)


def listed(client, query: str = "") -> int:  # type: ignore[no-untyped-def]
    return int(client.get(f"/api/v1/cases?open=true&page_size=1{query}").json()["total"])


def placed(session, class_code: str = "") -> int:  # type: ignore[no-untyped-def]
    """The open cases with a point inside the box (a case filed without a point is listed, not mapped)."""
    from sqlalchemy import func, select

    from govgrid.db.case_models import Case
    from govgrid.domain.workflow import FINAL

    west, south, east, north = (float(v) for v in WHOLE.split(","))
    query = (
        select(func.count())
        .select_from(Case)
        .where(
            Case.status.not_in([s.value for s in FINAL]),
            Case.lng.between(west, east),
            Case.lat.between(south, north),
            Case.class_code.startswith(class_code),
        )
    )
    return int(session.scalar(query) or 0)


def test_the_cells_hold_every_open_case_once_and_add_up_to_the_list(as_user, session, district):
    from tests.web.test_route_permissions import street_b_case

    for street in (STREET_A, STREET_B, STREET_A):
        street_b_case(session, district, street)
    dispatcher = as_user("dispatcher")
    body = dispatcher.get(f"/api/v1/map/cases?bbox={WHOLE}&zoom=13").json()
    assert body["mode"] == "cells" and body["cells"]
    assert sum(c["count"] for c in body["cells"]) == body["total"] == placed(session)
    assert body["total"] <= listed(dispatcher)
    for cell in body["cells"]:  # each cell's mean point lies inside the cell
        assert cell["west"] <= cell["lng"] < cell["west"] + cell["size"] + 1e-9
        assert cell["south"] <= cell["lat"] < cell["south"] + cell["size"] + 1e-9
    finer = dispatcher.get(f"/api/v1/map/cases?bbox={WHOLE}&zoom=15").json()
    assert len(finer["cells"]) >= len(body["cells"]) and finer["total"] == body["total"]


def test_zoomed_in_the_cases_themselves_are_sent_with_the_filters_applied(as_user, session):
    dispatcher = as_user("dispatcher")
    body = dispatcher.get(f"/api/v1/map/cases?bbox={WHOLE}&zoom=17&class_code=E0102").json()
    assert body["mode"] == "points" and body["points"]
    assert all(p["class_code"] == "E0102" for p in body["points"])
    assert body["total"] == placed(session, "E0102") == len(body["points"])
    assert {"id", "code", "lng", "lat", "status", "overdue"} <= set(body["points"][0])


def test_a_street_officer_sees_only_their_streets_cells(as_user, session):
    from sqlalchemy import select

    from govgrid.db.case_models import Case

    officer = as_user("street_officer")
    body = officer.get(f"/api/v1/map/cases?bbox={WHOLE}&zoom=17").json()
    ids = [p["id"] for p in body["points"]]
    scopes = set(session.scalars(select(Case.scope_code).where(Case.id.in_(ids))))
    assert scopes and all(code.startswith(STREET_A) for code in scopes)


def test_a_bad_box_or_zoom_is_named(as_user):
    dispatcher = as_user("dispatcher")
    for bbox in ("1,2,3", "117,36,116,37", "东,南,西,北"):
        answer = dispatcher.get(f"/api/v1/map/cases?bbox={bbox}")
        assert answer.status_code == 422 and answer.json()["error"]["field"] == "bbox", answer.text
    assert dispatcher.get(f"/api/v1/map/cases?bbox={WHOLE}&zoom=40").status_code == 422


def test_an_anonymous_caller_is_asked_to_log_in(anonymous):
    assert anonymous.get(f"/api/v1/map/cases?bbox={WHOLE}").status_code == 401
    assert anonymous.get("/screen", follow_redirects=False).headers["location"] == "/login?next=/screen"
    assert anonymous.get("/today", follow_redirects=False).headers["location"] == "/login?next=/today"
