"""Backup and restore of a whole deployment: the database and the photos and evidence files it points at,
in one tar file, safe while the server runs.

SQLite is copied with its online backup API (a consistent snapshot; writers go on meanwhile); PostgreSQL
with pg_dump (one snapshot) and pg_restore. The database is taken first, the media folder after it: every
file a row in the snapshot names was stored before its row was committed (services.blobs.store), so it is
in the archive. A manifest records the engine, the schema revision and every table's row count; a restore
goes only into an empty database, checks each file against its SHA-256 name and the counts against the
manifest."""

from __future__ import annotations

import hashlib
import io
import json
import re
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from sqlalchemy import Connection, Engine, MetaData, func, inspect, select, text

from govgrid.db.engine import make_engine
from govgrid.db.migrate import current_revision
from govgrid.domain.errors import InvalidInput

FORMAT = "govgrid-backup/1"
MEDIA = re.compile(r"media/[0-9a-f]{2}/[0-9a-f]{64}")
DATABASE = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
MOST_FILE = 200 * 1024 * 1024  # a photo or evidence file in an archive: no upload is larger
MOST_MANIFEST = 1024 * 1024


@dataclass(frozen=True)
class Manifest:
    engine: str
    revision: str | None
    made_at: str
    tables: dict[str, int]
    files: int

    def as_json(self) -> bytes:
        doc = {"format": FORMAT, **self.__dict__}
        return json.dumps(doc, ensure_ascii=False, indent=1).encode("utf-8")


def row_counts(engine: Engine) -> dict[str, int]:
    """Every table's rows, by name (alembic_version included)."""
    with engine.connect() as connection:
        return _counts(connection)


def _counts(connection: Connection) -> dict[str, int]:
    meta = MetaData()
    meta.reflect(connection)
    return {
        name: int(connection.scalar(select(func.count()).select_from(table)) or 0)
        for name, table in sorted(meta.tables.items())
    }


def backup(
    url: str, media_dir: Path | None, target: Path, *, now: datetime, say: Callable[[str], None]
) -> Manifest:
    """Write the archive to `target` (through a .part file, renamed when whole)."""
    engine = make_engine(url)
    partial = target.with_name(target.name + ".part")
    try:
        with tempfile.TemporaryDirectory() as folder:
            dump = Path(folder) / DATABASE[engine.dialect.name]
            if engine.dialect.name == "sqlite":
                _sqlite_snapshot(engine, dump)
                counts = row_counts(make_engine(f"sqlite:///{dump}"))
            else:
                counts = _pg_dump(engine, url, dump)
            say(f"数据库已取快照：{sum(counts.values()):,} 行，{len(counts)} 张表")
            files = (
                sorted(p for p in media_dir.rglob("*") if p.is_file() and MEDIA.fullmatch(_rel(p, media_dir)))
                if media_dir and media_dir.exists()
                else []
            )
            manifest = Manifest(
                engine.dialect.name, current_revision(engine), now.isoformat(), counts, len(files)
            )
            with tarfile.open(partial, "w") as archive:
                _add_bytes(archive, "manifest.json", manifest.as_json())
                archive.add(dump, arcname=dump.name)
                for path in files:
                    archive.add(path, arcname=_rel(path, media_dir))  # type: ignore[arg-type]
            say(f"照片和证明材料：{len(files):,} 个文件")
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
        engine.dispose()
    return manifest


def _rel(path: Path, media_dir: Path) -> str:
    return "media/" + path.relative_to(media_dir).as_posix()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def _sqlite_snapshot(engine: Engine, dump: Path) -> None:
    source = sqlite3.connect(engine.url.database or "")
    target = sqlite3.connect(dump)
    try:
        source.backup(target)  # the online backup API: a consistent copy while others write
    finally:
        target.close()
        source.close()


def _pg_parts(url: str) -> tuple[str, list[str]]:
    """A libpq URL for the tools, and the schema to take when the URL names one (options=-csearch_path=…)."""
    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://", 1))
    options = parse_qs(parts.query).get("options", [""])[0]
    found = re.search(r"search_path=([A-Za-z0-9_]+)", unquote(options))
    return urlunsplit(parts._replace(query="")), ["--schema", found.group(1)] if found else []


def _pg_dump(engine: Engine, url: str, dump: Path) -> dict[str, int]:
    """pg_dump of one exported snapshot, the rows counted in that same snapshot."""
    plain, schema = _pg_parts(url)
    with engine.connect() as connection:
        connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"))
        snapshot = connection.scalar(text("SELECT pg_export_snapshot()"))
        counts = _counts(connection)
        command = ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
        _run([*command, *schema, f"--file={dump}", plain])
        connection.rollback()
    return counts


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise InvalidInput(f"{command[0]} 失败：{done.stderr.strip()[:500]}", field="database")


def read_manifest(archive: tarfile.TarFile) -> dict:
    names = archive.getnames()
    if "manifest.json" not in names:
        raise InvalidInput("不是 govgrid 备份文件：缺少 manifest.json", field="file")
    for member in archive.getmembers():
        if member.name not in ("manifest.json", *DATABASE.values()) and not MEDIA.fullmatch(member.name):
            raise InvalidInput(f"备份文件中有不应有的条目：{member.name[:80]}", field="file")
        if not member.isfile():
            raise InvalidInput(f"备份文件中的条目不是普通文件：{member.name[:80]}", field="file")
        most = MOST_MANIFEST if member.name == "manifest.json" else MOST_FILE
        if member.name not in DATABASE.values() and member.size > most:  # the database goes to disk
            raise InvalidInput(
                f"备份文件中的条目过大：{member.name[:80]}（{member.size:,} 字节）", field="file"
            )
    handle = archive.extractfile("manifest.json")
    doc = json.loads(handle.read(MOST_MANIFEST)) if handle else {}
    if doc.get("format") != FORMAT:
        raise InvalidInput(f"备份格式不符：{str(doc.get('format'))[:40]}，应为 {FORMAT}", field="file")
    return doc


def restore(source: Path, url: str, media_dir: Path | None, *, say: Callable[[str], None]) -> dict[str, int]:
    """Restore the archive into an empty database and media folder; the row counts, checked."""
    engine = make_engine(url)
    try:
        if inspect(engine).get_table_names():
            raise InvalidInput("目标数据库不是空的：恢复只写入空数据库（先新建一个）", field="database")
        try:
            archive = tarfile.open(source, "r:")  # noqa: SIM115 (closed below); never decompressed: no bombs
        except (tarfile.TarError, OSError) as exc:
            raise InvalidInput(f"无法读取备份文件：{exc}", field="file") from exc
        with archive, tempfile.TemporaryDirectory() as folder:
            doc = read_manifest(archive)
            name = DATABASE.get(engine.dialect.name, "")
            if doc["engine"] != engine.dialect.name or name not in archive.getnames():
                raise InvalidInput(
                    f"备份来自 {doc['engine']}，不能恢复到 {engine.dialect.name}", field="database"
                )
            archive.extract(name, folder, filter="data")
            if engine.dialect.name == "sqlite":
                _sqlite_restore(Path(folder) / name, engine)
            else:
                plain, _ = _pg_parts(url)
                _run(
                    [
                        "pg_restore",
                        "--no-owner",
                        "--no-privileges",
                        "--exit-on-error",
                        f"--dbname={plain}",
                        str(Path(folder) / name),
                    ]
                )
            files = _media_restore(archive, media_dir)
        counts = row_counts(engine)
    finally:
        engine.dispose()
    if counts != doc["tables"]:
        wrong = sorted(k for k in set(counts) | set(doc["tables"]) if counts.get(k) != doc["tables"].get(k))
        raise InvalidInput(f"恢复后的行数与备份清单不符：{', '.join(wrong[:5])}", field="file")
    say(f"已恢复 {sum(counts.values()):,} 行（{len(counts)} 张表），{files:,} 个文件；行数与备份清单一致")
    return counts


def _sqlite_restore(dump: Path, engine: Engine) -> None:
    source = sqlite3.connect(dump)
    target = sqlite3.connect(engine.url.database or "")
    try:
        if source.execute("PRAGMA integrity_check").fetchone() != ("ok",):
            raise InvalidInput("备份中的数据库未通过完整性检查", field="file")
        source.backup(target)
    finally:
        target.close()
        source.close()


def _media_restore(archive: tarfile.TarFile, media_dir: Path | None) -> int:
    members = [m for m in archive.getmembers() if MEDIA.fullmatch(m.name)]
    if members and media_dir is None:
        raise InvalidInput("备份含照片和证明材料，须设置照片目录（GOVGRID_MEDIA_DIR）", field="media_dir")
    for member in members:
        handle = archive.extractfile(member)
        data = handle.read() if handle else b""
        digest = member.name.rsplit("/", 1)[-1]
        if hashlib.sha256(data).hexdigest() != digest:
            raise InvalidInput(f"文件内容与其 SHA-256 不符：{member.name}", field="file")
        target = media_dir / member.name.removeprefix("media/")  # type: ignore[operator]
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        partial.write_bytes(data)
        partial.replace(target)
    return len(members)
