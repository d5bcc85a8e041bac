"""A street officer can neither read nor change another street's data through ANY API route.

Every /api/v1 route must appear in PROBES below — a new route without a probe fails the first test —
and each probe attacks street B's data as the officer of street A."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from govgrid.db.models import ApiToken, ResponsibilityGrid
from govgrid.domain.areas import AreaLevel
from tests.factories import STREET_A, STREET_B, user_id

Probe = Callable[..., None]
PROBES: dict[tuple[str, str], Probe] = {}


def probe(method: str, path: str) -> Callable[[Probe], Probe]:
    def register(fn: Probe) -> Probe:
        PROBES[(method, path)] = fn
        return fn

    return register


def refused(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code in (403, 404), (response.status_code, response.text)
    assert STREET_B not in response.text.replace(f'"{STREET_B}"', "") or "error" in response.json()


def nothing_of_street_b(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    assert STREET_B not in response.text, f"street B data leaked: {response.text[:300]}"


@probe("GET", "/api/v1/health")
def _health(client, district, session):  # type: ignore[no-untyped-def]
    """Public: no area data at all."""
    nothing_of_street_b(client.get("/api/v1/health"))


@probe("GET", "/api/v1/geo/locate")
def _locate(client, district, session):  # type: ignore[no-untyped-def]
    """Public by design (citizens report with it): codes and names of a point, never people."""
    point = district.grid(STREET_B).geometry.representative_point()
    body = client.get(f"/api/v1/geo/locate?lng={point.x}&lat={point.y}").json()
    assert body["grid_code"].startswith(STREET_B) and "worker" not in body and "phone" not in str(body)


@probe("GET", "/api/v1/geo/areas")
def _areas(client, district, session):  # type: ignore[no-untyped-def]
    nothing_of_street_b(client.get("/api/v1/geo/areas"))
    nothing_of_street_b(client.get(f"/api/v1/geo/areas?parent={STREET_B}"))


@probe("GET", "/api/v1/geo/areas/{code}")
def _area(client, district, session):  # type: ignore[no-untyped-def]
    refused(client.get(f"/api/v1/geo/areas/{STREET_B}"))
    refused(client.get(f"/api/v1/geo/areas/{district.codes(AreaLevel.COMMUNITY)[-1]}"))


@probe("GET", "/api/v1/geo/grids")
def _grids(client, district, session):  # type: ignore[no-untyped-def]
    nothing_of_street_b(client.get("/api/v1/geo/grids?bbox=117.0,36.6,117.1,36.7"))


@probe("GET", "/api/v1/geo/grids/{code}")
def _grid(client, district, session):  # type: ignore[no-untyped-def]
    refused(client.get(f"/api/v1/geo/grids/{district.grid(STREET_B).code}"))


@probe("GET", "/api/v1/geo/responsibility-grids")
def _responsibility_grids(client, district, session):  # type: ignore[no-untyped-def]
    nothing_of_street_b(client.get("/api/v1/geo/responsibility-grids"))
    nothing_of_street_b(client.get(f"/api/v1/geo/responsibility-grids?area={STREET_B}"))


@probe("GET", "/api/v1/geo/responsibility-grids/{code}")
def _responsibility_grid(client, district, session):  # type: ignore[no-untyped-def]
    code = session.scalars(
        select(ResponsibilityGrid.code).where(ResponsibilityGrid.community_code.startswith(STREET_B))
    ).first()
    refused(client.get(f"/api/v1/geo/responsibility-grids/{code}"))


@probe("POST", "/api/v1/geo/import")
def _import(client, district, session):  # type: ignore[no-untyped-def]
    grid = district.grid(STREET_B)
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": grid.code},
                "geometry": grid.geometry.__geo_interface__,
            }
        ],
    }
    refused(client.post("/api/v1/geo/import", json=doc))


@probe("GET", "/api/v1/me")
def _me(client, district, session):  # type: ignore[no-untyped-def]
    body = client.get("/api/v1/me").json()
    assert body["username"] == "street_officer" and body["scope_code"] == STREET_A


@probe("GET", "/api/v1/people")
def _people(client, district, session):  # type: ignore[no-untyped-def]
    nothing_of_street_b(client.get("/api/v1/people"))
    nothing_of_street_b(client.get("/api/v1/people?role=grid_worker"))


@probe("GET", "/api/v1/people/{user_id}")
def _person(client, district, session):  # type: ignore[no-untyped-def]
    refused(client.get(f"/api/v1/people/{user_id(session, 'other_street_officer')}"))
    refused(client.get(f"/api/v1/people/{user_id(session, f'gw_{STREET_B}001')}"))


@probe("POST", "/api/v1/people")
def _create_person(client, district, session):  # type: ignore[no-untyped-def]
    refused(
        client.post(
            "/api/v1/people",
            json={
                "username": "intruder",
                "display_name": "x",
                "role": "street_officer",
                "scope_code": STREET_B,
            },
        )
    )


@probe("POST", "/api/v1/people/{user_id}/unlock")
def _unlock_person(client, district, session):  # type: ignore[no-untyped-def]
    refused(client.post(f"/api/v1/people/{user_id(session, 'other_street_officer')}/unlock"))


@probe("POST", "/api/v1/people/{user_id}/active")
def _disable_person(client, district, session):  # type: ignore[no-untyped-def]
    from govgrid.db.models import User

    target = user_id(session, "other_street_officer")
    refused(client.post(f"/api/v1/people/{target}/active", json={"is_active": False}))
    assert session.get(User, target).is_active


@probe("GET", "/api/v1/units")
def _units(client, district, session):  # type: ignore[no-untyped-def]
    """The unit directory (names of departments and street offices) is shared by all staff by design."""
    units = client.get("/api/v1/units").json()["items"]
    assert {"code", "name", "kind", "area_code", "id"} == set(units[0])


@probe("GET", "/api/v1/audit")
def _audit(client, district, session):  # type: ignore[no-untyped-def]
    nothing_of_street_b(client.get("/api/v1/audit?page_size=500"))


@probe("POST", "/api/v1/tokens")
def _issue_token(client, district, session):  # type: ignore[no-untyped-def]
    """Tokens are issued only for oneself: the body has no way to name another user."""
    answer = client.post(
        "/api/v1/tokens", json={"name": "probe", "user_id": user_id(session, "other_street_officer")}
    )
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "user_id"  # no such field
    assert client.post("/api/v1/tokens", json={"name": "probe"}).status_code == 201
    token = session.scalars(select(ApiToken).order_by(ApiToken.id.desc())).first()
    assert token.user_id == user_id(session, "street_officer")


@probe("DELETE", "/api/v1/tokens/{token_id}")
def _revoke_token(client, district, session):  # type: ignore[no-untyped-def]
    from govgrid.services.people.accounts import User as UserModel
    from govgrid.services.people.accounts import actor_for, issue_token

    other = session.get(UserModel, user_id(session, "other_street_officer"))
    issue_token(
        session, actor=actor_for(other), name="street-b-tool", now=__import__("tests.factories").factories.NOW
    )
    token = session.scalars(select(ApiToken).where(ApiToken.name == "street-b-tool")).first()
    refused(client.delete(f"/api/v1/tokens/{token.id}"))
    session.refresh(token)
    assert token.revoked_at is None


def street_b_case(session, district, street: str = STREET_B):  # type: ignore[no-untyped-def]
    """A fresh case in street B (or another), reported by the command center."""
    import uuid

    from govgrid.db.models import User
    from govgrid.services.cases import intake
    from govgrid.services.geo.locate import LocatorCache
    from govgrid.services.people.accounts import actor_for
    from tests.catalogs import CATALOGS
    from tests.factories import NOW

    point = district.grid(street).geometry.representative_point()
    dispatcher = actor_for(session.scalars(select(User).where(User.username == "dispatcher")).one())
    data = intake.Report(
        channel="phone",
        class_code="E0102",
        title="街道B的案件" if street == STREET_B else "本街道的案件",
        lng=point.x,
        lat=point.y,
        external_id=str(uuid.uuid4()),
    )
    case, _ = intake.report(
        session, actor=dispatcher, rules=CATALOGS.case_rules, locator=LocatorCache(), data=data, now=NOW
    )
    return case


@probe("POST", "/api/v1/cases")
def _report_case(client, district, session):  # type: ignore[no-untyped-def]
    point = district.grid(STREET_B).geometry.representative_point()
    refused(
        client.post(
            "/api/v1/cases", json={"class_code": "E0102", "title": "越界上报", "lng": point.x, "lat": point.y}
        )
    )


@probe("GET", "/api/v1/cases")
def _cases(client, district, session):  # type: ignore[no-untyped-def]
    street_b_case(session, district)
    nothing_of_street_b(client.get("/api/v1/cases?page_size=500"))


@probe("GET", "/api/v1/map/cases")
def _map_cases(client, district, session):  # type: ignore[no-untyped-def]
    """The map's cells and points hold only the officer's street, even for a box around street B."""
    theirs = street_b_case(session, district)
    box = district.grid(STREET_B).geometry.buffer(0.002).bounds
    for zoom in (13, 18):
        answer = client.get(f"/api/v1/map/cases?bbox={','.join(str(v) for v in box)}&zoom={zoom}")
        assert answer.status_code == 200 and theirs.code not in answer.text
        assert all(p["id"] != theirs.id for p in answer.json()["points"])


@probe("GET", "/api/v1/stream")
def _stream(client, district, session):  # type: ignore[no-untyped-def]
    """The live stream replays from before a street B and a street A case: only street A's is sent."""
    from govgrid.services.cases import feed

    before = feed.head(session)
    theirs = street_b_case(session, district)
    mine = street_b_case(session, district, STREET_A)
    answer = client.get("/api/v1/stream?seconds=1", headers={"Last-Event-ID": str(before)})
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/event-stream")
    assert mine.code in answer.text and theirs.code not in answer.text


@probe("GET", "/api/v1/cases/export")
def _case_export(client, district, session):  # type: ignore[no-untyped-def]
    """The export is the list: nothing of street B, in either format, with any filter."""
    case = street_b_case(session, district)
    for query in ("format=csv", f"format=csv&area={STREET_B}", f"format=csv&q={case.title}"):
        answer = client.get(f"/api/v1/cases/export?{query}")
        assert answer.status_code == 200 and case.code not in answer.text and STREET_B not in answer.text
    assert client.get("/api/v1/cases/export").status_code == 200


@probe("GET", "/api/v1/cases/{case_id}")
def _case(client, district, session):  # type: ignore[no-untyped-def]
    refused(client.get(f"/api/v1/cases/{street_b_case(session, district).id}"))


@probe("GET", "/api/v1/cases/{case_id}/timeline")
def _case_timeline(client, district, session):  # type: ignore[no-untyped-def]
    refused(client.get(f"/api/v1/cases/{street_b_case(session, district).id}/timeline"))


@probe("POST", "/api/v1/cases/{case_id}/steps")
def _case_step(client, district, session):  # type: ignore[no-untyped-def]
    case = street_b_case(session, district)
    for step in ("verify", "cancel", "check_pass"):
        refused(client.post(f"/api/v1/cases/{case.id}/steps", json={"step": step}))
    session.refresh(case)
    assert case.status == "reported"


@probe("POST", "/api/v1/cases/{case_id}/extension")
def _case_extension(client, district, session):  # type: ignore[no-untyped-def]
    case = street_b_case(session, district)
    refused(
        client.post(
            f"/api/v1/cases/{case.id}/extension",
            json={"until": "2026-12-30T17:00:00+08:00", "reason": "越界"},
        )
    )


@probe("POST", "/api/v1/cases/{case_id}/extension/decision")
def _case_extension_decision(client, district, session):  # type: ignore[no-untyped-def]
    case = street_b_case(session, district)
    refused(client.post(f"/api/v1/cases/{case.id}/extension/decision", json={"approve": True}))


@probe("POST", "/api/v1/cases/{case_id}/supervision")
def _case_supervision(client, district, session):  # type: ignore[no-untyped-def]
    case = street_b_case(session, district)
    refused(client.post(f"/api/v1/cases/{case.id}/supervision", json={"note": "越界督办"}))
    session.refresh(case)
    assert case.supervision_level == 0


@probe("POST", "/api/v1/cases/{case_id}/instruction")
def _case_instruction(client, district, session):  # type: ignore[no-untyped-def]
    case = street_b_case(session, district)
    refused(client.post(f"/api/v1/cases/{case.id}/instruction", json={"note": "越界批示"}))


@probe("GET", "/api/v1/assessment/metrics")
def _assessment_metrics(client, district, session):  # type: ignore[no-untyped-def]
    """Street A's officer counts street A's cases only: street B shows in no row."""
    answer = client.get("/api/v1/assessment/metrics?from=2025-01-01&to=2025-12-31&by=street")
    nothing_of_street_b(answer)


@probe("GET", "/api/v1/assessment/ranking")
def _assessment_ranking(client, district, session):  # type: ignore[no-untyped-def]
    """Street A's officer ranks street A's cases only: street B is in no list."""
    nothing_of_street_b(client.get("/api/v1/assessment/ranking?from=2025-01-01&to=2025-12-31&by=street"))


@probe("GET", "/api/v1/cases/{case_id}/similar")
def _case_similar(client, district, session):  # type: ignore[no-untyped-def]
    refused(client.get(f"/api/v1/cases/{street_b_case(session, district).id}/similar"))


@probe("POST", "/api/v1/cases/{case_id}/merge")
def _case_merge(client, district, session):  # type: ignore[no-untyped-def]
    first, second = street_b_case(session, district), street_b_case(session, district)
    refused(client.post(f"/api/v1/cases/{second.id}/merge", json={"into": first.id}))
    session.refresh(second)
    assert second.status == "reported"


@probe("POST", "/api/v1/cases/{case_id}/forward")
def _case_forward(client, district, session):  # type: ignore[no-untyped-def]
    """转办 is the city's, of the city's own orders: a street officer can neither forward street B's case
    nor learn it exists (the city's case: tests/services/test_city_forwarding.py)."""
    case = street_b_case(session, district)
    refused(
        client.post(
            f"/api/v1/cases/{case.id}/forward", json={"district": district.codes(AreaLevel.DISTRICT)[0]}
        )
    )
    session.refresh(case)
    assert case.status == "reported"


PNG = __import__("tests.samples").samples.png()


def street_b_photo(session, district, tmp_dir):  # type: ignore[no-untyped-def]
    from govgrid.domain.permissions import SYSTEM
    from govgrid.services.cases.photos import attach_photo
    from tests.factories import NOW

    case = street_b_case(session, district)
    from govgrid.services import blobs

    return attach_photo(
        session,
        actor=SYSTEM,
        media_dir=tmp_dir,
        case_id=case.id,
        photo=blobs.photo("b.png", PNG, blobs.FileLimits()),
        now=NOW,
    )


@probe("POST", "/api/v1/cases/{case_id}/photos")
def _photo_upload(client, district, session):  # type: ignore[no-untyped-def]
    case = street_b_case(session, district)
    refused(client.post(f"/api/v1/cases/{case.id}/photos", files={"photo": ("x.png", PNG, "image/png")}))


@probe("GET", "/api/v1/cases/{case_id}/photos")
def _photo_list(client, district, session):  # type: ignore[no-untyped-def]
    refused(client.get(f"/api/v1/cases/{street_b_case(session, district).id}/photos"))


@probe("GET", "/api/v1/photos/{photo_id}")
def _photo_get(client, district, session):  # type: ignore[no-untyped-def]
    import tempfile
    from pathlib import Path

    photo = street_b_photo(session, district, Path(tempfile.mkdtemp()))
    refused(client.get(f"/api/v1/photos/{photo.id}"))


@probe("POST", "/api/v1/connectors/{connector_id}/events")
def _connector_event(client, district, session):  # type: ignore[no-untyped-def]
    """Inbound systems push with their own connector keys: a street officer's session cannot push at all."""
    point = district.grid(STREET_B).geometry.representative_point()
    answer = client.post(
        "/api/v1/connectors/hotline12345/events",
        json={"order_no": "probe-1", "title": "越界推送", "location": {"lng": point.x, "lat": point.y}},
    )
    assert answer.status_code == 401 and "error" in answer.json()


@probe("GET", "/api/v1/geo/geocode")
def _geocode(client, district, session):  # type: ignore[no-untyped-def]
    """Public by design, like locate: codes and names of a place, never people."""
    body = client.get("/api/v1/geo/geocode", params={"address": "2-1社区门口"}).json()
    assert body["grid_code"].startswith(STREET_B) and "worker" not in body


@probe("POST", "/api/v1/cases/{case_id}/appeal")
def _case_appeal(client, district, session):  # type: ignore[no-untyped-def]
    refused(
        client.post(f"/api/v1/cases/{street_b_case(session, district).id}/appeal", json={"reason": "越界"})
    )


@probe("POST", "/api/v1/cases/{case_id}/appeal/decision")
def _case_appeal_decision(client, district, session):  # type: ignore[no-untyped-def]
    refused(
        client.post(
            f"/api/v1/cases/{street_b_case(session, district).id}/appeal/decision", json={"approve": True}
        )
    )


@probe("GET", "/api/v1/reminders")
def _reminders(client, district, session):  # type: ignore[no-untyped-def]
    from govgrid.domain.workflow import Step
    from govgrid.services.cases import steps
    from govgrid.services.people.accounts import User as UserModel
    from govgrid.services.people.accounts import actor_for
    from tests.catalogs import CATALOGS
    from tests.factories import NOW

    case = street_b_case(session, district)
    dispatcher = actor_for(session.scalars(select(UserModel).where(UserModel.username == "dispatcher")).one())
    for step in (Step.VERIFY, Step.REGISTER, Step.DISPATCH):
        steps.transition(
            session, actor=dispatcher, rules=CATALOGS.case_rules, case_id=case.id, step=step, now=NOW
        )
    assert str(case.id) not in {
        str(r["case_id"]) for r in client.get("/api/v1/reminders?page_size=500").json()["items"]
    }


def officer_key(session):  # type: ignore[no-untyped-def]
    """An Open311 api_key for the street A officer (Open311 authenticates by key, not by cookie)."""
    from govgrid.db.models import User
    from govgrid.services.people.accounts import actor_for, issue_token
    from tests.factories import NOW

    officer = session.scalars(select(User).where(User.username == "street_officer")).one()
    return issue_token(session, actor=actor_for(officer), name="open311-probe", now=NOW)


@probe("GET", "/open311/v2/services.{fmt}")
def _o311_services(client, district, session):  # type: ignore[no-untyped-def]
    """The service catalogue: no area data."""
    nothing_of_street_b(client.get("/open311/v2/services.json"))


@probe("GET", "/open311/v2/services/{code}.{fmt}")
def _o311_definition(client, district, session):  # type: ignore[no-untyped-def]
    nothing_of_street_b(client.get("/open311/v2/services/E0102.xml"))


@probe("POST", "/open311/v2/requests.{fmt}")
def _o311_create(client, district, session):  # type: ignore[no-untyped-def]
    from govgrid.geo.crs import Crs, from_stored

    point = district.grid(STREET_B).geometry.representative_point()
    lng, lat = from_stored(point.x, point.y, Crs.WGS84)
    answer = client.post(
        "/open311/v2/requests.json",
        data={"api_key": officer_key(session), "service_code": "E0102", "lat": str(lat), "long": str(lng)},
    )
    assert answer.status_code == 404, answer.text


@probe("GET", "/open311/v2/requests.{fmt}")
def _o311_requests(client, district, session):  # type: ignore[no-untyped-def]
    street_b_case(session, district)
    nothing_of_street_b(client.get("/open311/v2/requests.json", params={"api_key": officer_key(session)}))


@probe("GET", "/open311/v2/requests/{request_id}.{fmt}")
def _o311_request(client, district, session):  # type: ignore[no-untyped-def]
    case = street_b_case(session, district)
    answer = client.get(f"/open311/v2/requests/{case.id}.json", params={"api_key": officer_key(session)})
    assert answer.status_code == 404 and STREET_B not in answer.text


@probe("GET", "/open311/v2/tokens/{token}.{fmt}")
def _o311_token(client, district, session):  # type: ignore[no-untyped-def]
    """Public by the spec: a token answers only with the request id it stands for."""
    case = street_b_case(session, district)
    assert client.get(f"/open311/v2/tokens/{case.id}.json").json() == [
        {"token": str(case.id), "service_request_id": str(case.id)}
    ]


@probe("GET", "/open311/v2/servicerequestupdates.{fmt}")
def _o311_updates(client, district, session):  # type: ignore[no-untyped-def]
    case = street_b_case(session, district)
    updates = client.get(
        "/open311/v2/servicerequestupdates.json",
        params={"api_key": officer_key(session), "start_date": "2026-11-01T00:00:00+08:00"},
    ).json()
    assert str(case.id) not in {u["service_request_id"] for u in updates}


from tests.web import ledger_probes  # noqa: E402,F401  (registers the ledger probes)


def api_routes(app) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Every API operation, from the published OpenAPI document (the API's own list of itself)."""
    paths = app.openapi()["paths"]
    return {(method.upper(), path) for path, operations in paths.items() for method in operations}


def test_every_api_route_has_a_cross_street_probe(app):
    assert api_routes(app) == set(PROBES)


@pytest.mark.parametrize("method,path", sorted(PROBES))
def test_a_street_officer_cannot_reach_another_streets_data(method, path, as_user, district, session):
    PROBES[(method, path)](as_user("street_officer"), district, session)


def test_no_api_route_is_hidden_from_the_published_list(app):
    """Every route decorator in the API package is an operation of the OpenAPI document."""
    import re
    from pathlib import Path

    import govgrid.web.api as api_package

    files = [
        *Path(api_package.__file__).parent.glob("*.py"),
        Path(api_package.__file__).parent.parent / "open311.py",
    ]
    assert len(files) >= 8
    source = "\n".join(p.read_text(encoding="utf-8") for p in files)
    decorators = re.findall(r"@\w*router\.(get|post|put|patch|delete)\(", source)
    assert "include_in_schema" not in source
    assert len(decorators) == len(api_routes(app))
