"""Importing geography: all or nothing, audited, visible to the locator at once."""

import pytest
from sqlalchemy import func, select

from govgrid.db.models import Area, AuditEvent, Meta, UnitGrid
from govgrid.domain.errors import Forbidden
from govgrid.domain.permissions import Actor
from govgrid.domain.roles import Role
from govgrid.geo.crs import Crs
from govgrid.geo.features import GeoImportError
from govgrid.services.geo.geography import geo_revision, import_geojson
from govgrid.services.geo.locate import LocatorCache, locate
from tests.factories import NOW
from tests.unit.geojson_samples import MID, E, N, S, W, district_doc, feature, square, with_change

admin = Actor(user_id=None, username="cli:test", role=Role.ADMIN)


def snapshot(session):
    """Everything an import could touch, to prove a refused import changed nothing."""
    return (
        session.scalar(select(func.count()).select_from(Area)),
        session.scalar(select(func.count()).select_from(UnitGrid)),
        session.scalar(select(func.count()).select_from(AuditEvent)),
        [(m.key, m.value) for m in session.scalars(select(Meta))],
    )


def test_a_valid_district_is_imported_and_audited(empty_sessions):
    with empty_sessions() as session:
        summary = import_geojson(session, actor=admin, doc=district_doc(), crs=Crs.GCJ02, now=NOW)
        assert summary.counts == {"district": 1, "street": 2}
        assert session.get(Area, "370199001").name == "西街道"
        event = session.scalars(select(AuditEvent)).one()
        assert event.action == "geography.import" and event.actor_name == "cli:test"
        assert geo_revision(session) == 1


@pytest.mark.parametrize("breakage", ["broken ring", "projected coordinates", "overlapping siblings"])
def test_a_refused_import_leaves_the_database_unchanged(empty_sessions, breakage):
    doc = {
        "broken ring": with_change(district_doc(), 2, coordinates=[[[MID, S], [E, S], [E, N], [MID, N]]]),
        "projected coordinates": with_change(
            district_doc(), 2, coordinates=square(500000, 4e6, 501000, 4.001e6)
        ),
        "overlapping siblings": with_change(district_doc(), 2, coordinates=square(MID - 0.003, S, E, N)),
    }[breakage]
    with empty_sessions() as session:
        import_geojson(
            session,
            actor=admin,
            doc={
                "type": "FeatureCollection",
                "features": [feature("370188", "另一个区", square(W + 1, S, E + 1, N))],
            },
            crs=Crs.GCJ02,
            now=NOW,
        )
        before = snapshot(session)
        with pytest.raises(GeoImportError) as caught:
            import_geojson(session, actor=admin, doc=doc, crs=Crs.GCJ02, now=NOW)
        assert "370199002" in caught.value.message
        session.rollback()
        assert snapshot(session) == before


def test_unit_grids_import_under_a_stored_community_and_are_located_at_once(empty_sessions):
    grids = {
        "type": "FeatureCollection",
        "features": [
            feature("370199001001", "西一社区", square(W, S, MID, N)),
            feature("370199001001001", "", square(W, (S + N) / 2, MID, N)),
            feature("370199001001002", "", square(W, S, MID, (S + N) / 2)),
        ],
    }
    with empty_sessions() as session:
        cache = LocatorCache()
        import_geojson(session, actor=admin, doc=district_doc(), crs=Crs.GCJ02, now=NOW, allow_gaps=True)
        assert not locate(session, cache=cache, lng=W + 0.001, lat=N - 0.001, crs=Crs.GCJ02).is_inside
        import_geojson(session, actor=admin, doc=grids, crs=Crs.GCJ02, now=NOW, on_change=cache.invalidate)
        found = locate(session, cache=cache, lng=W + 0.001, lat=N - 0.001, crs=Crs.GCJ02)
        assert found.grid_code == "370199001001001"
        assert found.community.name == "西一社区" and found.street.name == "西街道"


def test_importing_the_same_file_again_updates_rather_than_duplicates(empty_sessions):
    with empty_sessions() as session:
        import_geojson(session, actor=admin, doc=district_doc(), crs=Crs.GCJ02, now=NOW)
        renamed = district_doc()
        renamed["features"][1]["properties"]["name"] = "西城街道"
        import_geojson(session, actor=admin, doc=renamed, crs=Crs.GCJ02, now=NOW)
        assert session.scalar(select(func.count()).select_from(Area)) == 3
        assert session.get(Area, "370199001").name == "西城街道"


def test_only_an_administrator_may_import(empty_sessions):
    officer = Actor(user_id=5, username="so", role=Role.STREET_OFFICER, scope_code="370199001")
    with empty_sessions() as session, pytest.raises(Forbidden):
        import_geojson(session, actor=officer, doc=district_doc(), crs=Crs.GCJ02, now=NOW)
