"""Migrations: upgrade from empty works on this engine, and the models and migrations agree."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from govgrid.db.engine import make_engine
from govgrid.db.keys import include_object_on
from govgrid.db.migrate import current_revision, upgrade
from govgrid.db.models import Base
from tests.databases import fresh_database


def test_an_empty_database_upgrades_to_the_newest_revision_and_matches_the_models(tmp_path):
    with fresh_database(tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        assert current_revision(engine) is not None
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(
                    connection,
                    opts={"compare_type": True, "include_object": include_object_on(connection.dialect.name)},
                ),
                Base.metadata,
            )
        assert differences == [], f"models and migrations disagree: {differences}"
        upgrade(engine)  # a second upgrade is a no-op
        engine.dispose()


def test_sqlite_connections_use_wal_and_enforce_foreign_keys(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_the_suite_runs_on_the_engine_it_was_asked_for(district_url):
    from tests.databases import postgres_base

    engine = make_engine(district_url)
    expected = "postgresql" if postgres_base() else "sqlite"
    assert engine.dialect.name == expected
    engine.dispose()


def test_a_database_holding_cases_upgrades_without_losing_them(tmp_path):
    """Table-altering migrations (SQLite copies the table) keep rows and the links to them."""
    from datetime import UTC, datetime

    from sqlalchemy import text

    with fresh_database(tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine, "0003")
        now = datetime(2026, 11, 18, tzinfo=UTC)
        with engine.begin() as connection:
            connection.execute(
                text(
                    'INSERT INTO "case" (id, code, loop, status, version, channel, class_code, title, description, '
                    "address, scope_code, reporter_name, reporter_phone, urgency, reported_at, rework_count, "
                    "is_overdue, supervision_level) VALUES (1, 'x1', 'urban', 'reported', 1, 'patrol', 'E0102', 't', '', "
                    "'', '370102', '', '', 'general', :now, 0, false, 0)"
                ),
                {"now": now},
            )
            connection.execute(
                text(
                    "INSERT INTO case_transition (case_id, at, actor_name, step, to_status, note, detail) "
                    "VALUES (1, :now, 'w', 'report', 'reported', '', '{}')"
                ),
                {"now": now},
            )
        upgrade(engine)
        with engine.connect() as connection:
            assert connection.execute(text('SELECT count(*) FROM "case"')).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM case_transition")).scalar() == 1
        engine.dispose()


def test_a_failing_migration_leaves_the_database_as_it_was(tmp_path):
    """Migrations are one transaction on both engines: a failure half-way leaves no trace."""
    import shutil

    import pytest
    from alembic import command

    from govgrid.db.migrate import MIGRATIONS, alembic_config, migration_engine

    scripts = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    step = scripts / "versions" / "0004_case_code_derived.py"
    step.write_text(
        step.read_text(encoding="utf-8").replace(
            '        batch_op.drop_column("code")',
            '        batch_op.drop_column("code")\n    raise RuntimeError("boom")',
        ),
        encoding="utf-8",
    )
    with fresh_database(tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine, "0003")
        before = sorted(inspect(engine).get_table_names())
        config = alembic_config(migration_engine(engine))
        config.set_main_option("script_location", str(scripts))
        with pytest.raises(RuntimeError, match="boom"):
            command.upgrade(config, "head")
        engine.dispose()
        engine = make_engine(url)
        assert current_revision(engine) == "0003"
        assert sorted(inspect(engine).get_table_names()) == before
        assert "code" in {c["name"] for c in inspect(engine).get_columns("case")}
        engine.dispose()


def test_every_large_table_carries_its_district_in_its_keys(tmp_path):
    """Ready to shard by district: the key (PostgreSQL), every unique constraint and every foreign key
    between these tables include the district code (SQLite: a unique (district_code, id) stands in)."""
    from govgrid.db.keys import DISTRICT_KEYED, PARTITIONED_BY_MONTH

    keyed = sorted(name for name, table in Base.metadata.tables.items() if table.info.get(DISTRICT_KEYED))
    assert {"case", "case_transition", "attachment", "ledger_item", "ledger_event", "audit_event"} <= set(
        keyed
    )
    with fresh_database(tmp_path) as url:
        engine = make_engine(url)
        upgrade(engine)
        found = inspect(engine)
        for name in keyed:
            column = next(c for c in found.get_columns(name) if c["name"] == "district_code")
            assert not column["nullable"], name
            uniques = [u["column_names"] for u in found.get_unique_constraints(name)]
            assert all(u[0] == "district_code" for u in uniques), (name, uniques)
            unique_indexes = [i["column_names"] for i in found.get_indexes(name) if i["unique"]]
            assert all(i[0] == "district_code" for i in unique_indexes), (name, unique_indexes)
            if engine.dialect.name == "postgresql":
                month = (
                    ["at"] if name in PARTITIONED_BY_MONTH else []
                )  # a partitioned table's key holds its month
                assert found.get_pk_constraint(name)["constrained_columns"] == ["district_code", "id", *month]
            else:
                assert ["district_code", "id"] in uniques
            for fk in found.get_foreign_keys(name):
                if fk["referred_table"] in keyed:
                    assert (
                        fk["constrained_columns"][0] == "district_code"
                        and fk["referred_columns"][0] == "district_code"
                    )
        engine.dispose()
