"""`govgrid backup` and `govgrid restore`: a district with its photos goes into one file and comes back into
an empty database whole — every table equal row for row, every file equal byte for byte — on the engine the
suite runs on (SQLite's online backup API, or pg_dump/pg_restore)."""

from __future__ import annotations

import io
import tarfile
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import MetaData, select, text

from govgrid.db.engine import make_engine
from govgrid.domain.errors import InvalidInput
from govgrid.services import blobs
from govgrid.services.backup import backup, restore
from govgrid.services.chain_verify import verify
from tests.databases import postgres_base
from tests.services.test_hash_chains import worked_case

NOW = datetime(2026, 12, 3, 9, tzinfo=UTC)


@contextmanager
def empty_target(tmp_path, source_url):
    """An empty database to restore into: a new file, or a new PostgreSQL database (same schema name)."""
    base = postgres_base()
    if base is None:
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    name = f"restore_{uuid.uuid4().hex[:10]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield source_url.replace(make_engine(base).url.database + "?", name + "?", 1)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def every_row(url):
    engine = make_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as connection:
        tables = {
            name: sorted(map(repr, connection.execute(select(table)).all()))
            for name, table in meta.tables.items()
        }
    engine.dispose()
    return tables


@pytest.fixture
def district_with_photos(own, tmp_path):
    sessions, district = own
    media = tmp_path / "media"
    with sessions() as session:
        for _ in range(3):
            worked_case(session, district)
    stored = [blobs.store(media, f"照片 {n}".encode() * 100) for n in range(4)]
    return sessions, media, stored


def test_a_backup_restored_into_an_empty_database_has_every_table_and_file(district_with_photos, tmp_path):
    sessions, media, stored = district_with_photos
    source = sessions.kw["bind"].url.render_as_string(hide_password=False)
    archive = tmp_path / "district.govgrid-backup"
    manifest = backup(source, media, archive, now=NOW, say=lambda _: None)
    assert manifest.files == 4 and manifest.tables["case_transition"] >= 12
    with empty_target(tmp_path, source) as target:
        restored_media = tmp_path / "restored-media"
        counts = restore(archive, target, restored_media, say=lambda _: None)
        assert counts == manifest.tables
        assert every_row(target) == every_row(source)
        for digest in stored:
            assert (restored_media / digest[:2] / digest).read_bytes() == (
                media / digest[:2] / digest
            ).read_bytes()
        engine = make_engine(target)
        with engine.connect() as connection:
            from sqlalchemy.orm import Session

            assert all(c.broken == 0 for c in verify(Session(connection)))
        engine.dispose()


def test_a_restore_refuses_a_database_that_is_not_empty(district_with_photos, tmp_path):
    sessions, media, _ = district_with_photos
    source = sessions.kw["bind"].url.render_as_string(hide_password=False)
    archive = tmp_path / "b.tar"
    backup(source, media, archive, now=NOW, say=lambda _: None)
    with pytest.raises(InvalidInput, match="不是空的"):
        restore(archive, source, tmp_path / "m2", say=lambda _: None)


def test_an_archive_with_a_path_outside_the_media_folder_is_refused_before_anything_is_written(tmp_path):
    archive = tmp_path / "evil.tar"
    with tarfile.open(archive, "w") as out:
        for name, data in (("manifest.json", b'{"format": "govgrid-backup/1"}'), ("../../etc/x", b"x")):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    target = f"sqlite:///{tmp_path / 'empty.db'}"
    with pytest.raises(InvalidInput, match="不应有的条目"):
        restore(archive, target, tmp_path / "m", say=lambda _: None)
    assert not (tmp_path / "m").exists()


def test_a_file_that_is_not_a_backup_is_named_as_such(tmp_path):
    bad = tmp_path / "x.tar"
    bad.write_bytes(b"not a tar file at all")
    with pytest.raises(InvalidInput, match="无法读取备份文件"):
        restore(bad, f"sqlite:///{tmp_path / 'e.db'}", tmp_path / "m", say=lambda _: None)


def test_an_oversized_or_compressed_archive_is_refused_before_any_file_is_read(tmp_path, monkeypatch):
    from govgrid.services import backup as module

    monkeypatch.setattr(module, "MOST_FILE", 10)
    archive = tmp_path / "big.tar"
    digest = "a" * 64
    with tarfile.open(archive, "w") as out:
        for name, data in (
            ("manifest.json", b'{"format": "govgrid-backup/1"}'),
            (f"media/aa/{digest}", b"x" * 11),
        ):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    with pytest.raises(InvalidInput, match="过大"):
        restore(archive, f"sqlite:///{tmp_path / 'e.db'}", tmp_path / "m", say=lambda _: None)
    packed = tmp_path / "packed.tar.gz"
    with tarfile.open(packed, "w:gz") as out:
        info = tarfile.TarInfo("manifest.json")
        info.size = 2
        out.addfile(info, io.BytesIO(b"{}"))
    with pytest.raises(InvalidInput, match="无法读取备份文件"):
        restore(packed, f"sqlite:///{tmp_path / 'f.db'}", tmp_path / "m", say=lambda _: None)
