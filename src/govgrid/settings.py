"""Settings, declared once. Every field is read from a GOVGRID_* environment variable and documented in
docs/settings.md (a test fails when one is missing). Built by `load_settings()`, never at import time."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "sqlite:///govgrid.db"
_WEAK_SECRETS = {"", "changeme", "secret", "dev", "test", "password"}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GOVGRID_", extra="ignore")

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL. Default: an embedded SQLite file govgrid.db in the working directory. "
        "PostgreSQL: postgresql://user@host:5432/dbname (driver psycopg 3).",
    )
    secret_key: str | None = Field(
        None,
        description="Key that signs login cookies. Unset with SQLite: generated once and kept in "
        ".govgrid-secret beside the database. Required with PostgreSQL.",
    )
    secret_key_file: Path | None = Field(None, description="Read the secret key from this file instead.")
    host: str = Field("127.0.0.1", description="Address `govgrid serve` listens on.")
    port: int = Field(8000, description="Port `govgrid serve` listens on.")
    tile_url: str = Field(
        "",
        description="Optional base-map tile URL template for the map page (e.g. a city's own tile server, "
        "http://tiles.example.gov.cn/{z}/{x}/{y}.png, GCJ-02). Empty: no base map, vector layers only.",
    )
    tile_attribution: str = Field("", description="Attribution text shown for the tile layer.")
    shared_dir: Path | None = Field(
        None,
        description="Folder of the reference data (data/geo/370102.geojson …). Default: ../shared beside "
        "the working directory or the source checkout.",
    )
    media_dir: Path | None = Field(
        None, description="Folder for case photos. Default: media/ beside the SQLite database (required for PostgreSQL)."
    )
    max_photo_mb: int = Field(10, description="Largest photo accepted, in MB.")
    embedded_worker: bool = Field(
        True, description="Run the background work (deadline sweeper, similar-case linking) inside `govgrid serve`. "
        "Set false when separate `govgrid worker` processes run."
    )
    taxonomy_file: Path | None = Field(
        None, description="The city's 12345 three-level taxonomy (CSV: 一级分类,二级分类,三级分类). Default: the "
        "reference file data/messages/taxonomy_3level.csv when found; none shipped."
    )
    notify_urls: str = Field(
        "", description="Where escalations (超期, 催办, 督办) are pushed: apprise URLs separated by spaces, e.g. "
        "wxteams://… (企业微信群机器人) or dingtalk://… (钉钉群机器人). Empty: in-app reminders only."
    )
    session_hours: int = Field(8, description="How long a login session lasts, in hours.")
    demo_password: str = Field("govgrid-demo", description="Password of the demo logins made by `govgrid demo`.")


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides (used by tests and the CLI)."""
    return Settings(**overrides)  # type: ignore[arg-type]


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def sqlite_path(url: str) -> Path | None:
    """The file behind a sqlite:/// URL (None for in-memory)."""
    path = url.split("///", 1)[1] if "///" in url else ""
    return Path(path) if path and path != ":memory:" else None


def resolve_secret_key(settings: Settings) -> str:
    """The cookie-signing key. A weak or missing key is refused outside the embedded default."""
    if settings.secret_key_file is not None:
        key = settings.secret_key_file.read_text(encoding="utf-8").strip()
    else:
        key = settings.secret_key or ""
    if key and key.lower() not in _WEAK_SECRETS:
        return key
    if key:
        raise ValueError("GOVGRID_SECRET_KEY 过于简单，请设置随机长字符串")
    db_file = sqlite_path(settings.database_url) if is_sqlite(settings.database_url) else None
    if not is_sqlite(settings.database_url):
        raise ValueError("使用 PostgreSQL 时必须设置 GOVGRID_SECRET_KEY 或 GOVGRID_SECRET_KEY_FILE")
    if db_file is None:
        return secrets.token_urlsafe(32)
    keep = db_file.resolve().parent / ".govgrid-secret"
    if not keep.exists():
        keep.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        keep.chmod(0o600)
    return keep.read_text(encoding="utf-8").strip()


def resolve_media_dir(settings: Settings) -> Path:
    """Where photos are kept: the setting, else media/ beside the embedded database."""
    if settings.media_dir is not None:
        return settings.media_dir
    db_file = sqlite_path(settings.database_url) if is_sqlite(settings.database_url) else None
    if db_file is None:
        raise ValueError("使用 PostgreSQL 或内存数据库时须设置 GOVGRID_MEDIA_DIR（照片存放目录）")
    return db_file.resolve().parent / "media"
