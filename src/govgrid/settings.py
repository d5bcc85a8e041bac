"""Settings, declared once. Every field is read from a GOVGRID_* environment variable and documented in
docs/settings.md (a test fails when one is missing). Built by `load_settings()`, never at import time."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Literal

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
        "http://tiles.example.gov.cn/{z}/{x}/{y}.png; its system in tile_crs). Empty: no base map, vector layers only.",
    )
    tile_crs: Literal["gcj02", "wgs84"] = Field(
        "gcj02",
        description="The tiles' coordinate system: gcj02 (Amap, Tencent and most city tile servers) or wgs84 "
        "(天地图, CGCS2000). The server sends every map overlay (areas, grids, cases, the big "
        "screen's points, the live stream's) in it, and reads the map's clicks and views in it.",
    )
    tile_attribution: str = Field("", description="Attribution text shown for the tile layer.")
    shared_dir: Path | None = Field(
        None,
        description="Folder of the reference data (data/geo/370102.geojson …). Default: ../shared beside "
        "the working directory or the source checkout.",
    )
    catalog_dir: Path | None = Field(
        None,
        description="A city's own catalogues: YAML files here (case_classes.yaml, responsibility.yaml, "
        "calendar.yaml …) replace the shipped files of the same name, validated the same way at start-up.",
    )
    media_dir: Path | None = Field(
        None,
        description="Folder for case photos and evidence files (stored by SHA-256). Default: media/ beside "
        "the SQLite database; required with PostgreSQL.",
    )
    classifier_file: Path | None = Field(
        None,
        description="The 12345 message model (govgrid nlp train-classifier writes it). Default: classifier.npz "
        "beside the SQLite database, else in the working directory. Without it the app runs and suggests "
        "nothing.",
    )
    max_photo_mb: int = Field(
        10,
        ge=1,
        le=100,
        description="Largest photo or evidence file accepted, in MB; larger uploads get a 422 "
        "naming the field.",
    )
    max_photo_megapixels: int = Field(
        100,
        ge=1,
        le=1000,
        description="Largest photo accepted by its declared dimensions, in megapixels (a tiny "
        "file can declare a huge image); single sides are capped at 20000 pixels.",
    )
    max_import_mb: int = Field(
        20,
        ge=1,
        le=500,
        description="Largest workbook or CSV file accepted by the imports, in MB. Its parts "
        "decompressed, its rows (100,000), columns (200) and merged cells (200,000) are checked before it is read.",
    )
    max_request_mb: int = Field(
        2,
        ge=1,
        le=100,
        description="Largest JSON or form body, in MB (file uploads: the file limits above, "
        "plus 1 MB; GeoJSON imports: GOVGRID_MAX_GEOJSON_MB). Larger bodies get 413 before they are read.",
    )
    max_geojson_mb: int = Field(
        64, ge=1, le=2000, description="Largest GeoJSON body the geography import accepts, in MB."
    )
    embedded_worker: bool = Field(
        True,
        description="Run the background work (deadline sweeper, similar-case linking, pushes, ledger lights) "
        "in a thread of `govgrid serve`; set false when separate `govgrid worker` processes run.",
    )
    taxonomy_file: Path | None = Field(
        None,
        description="The city's 12345 three-level taxonomy (UTF-8 CSV: 一级分类,二级分类,三级分类). When found "
        "(default: the reference data/messages/taxonomy_3level.csv), the 12345 connector's category map is "
        "checked against it at start-up. govgrid ships no copy.",
    )
    smtp_url: str = Field(
        "",
        description="The mail relay email destinations (通报 page, 推送到工作群) are sent through: "
        "`smtp://host:25`, `smtp://user:password@host:587?starttls=1` or `smtps://host:465`. Empty: email "
        "destinations record a failure until one is set. Escalations, new orders and bulletins go to the "
        "destinations the administrator keeps there (group robots and email).",
    )
    mail_from: str = Field("govgrid@localhost", description="The From address of pushed emails.")
    public_url: str = Field(
        "",
        description="The address people open the platform at (e.g. `https://govgrid.lixia.gov.cn`): pushed "
        "bulletins link to their page there. Empty: pushes carry no link.",
    )
    push_hosts: str = Field(
        "qyapi.weixin.qq.com oapi.dingtalk.com",
        description="The hosts a group robot's address may point at (企业微信, 钉钉; a city's own gateway may "
        "be added), separated by spaces. Robot addresses must be https, except to a loopback host named here.",
    )
    session_hours: int = Field(
        8, ge=1, le=720, description="How long a login session lasts at most, in hours."
    )
    session_idle_minutes: int = Field(
        120, ge=5, le=43200, description="A login session ends after this many minutes without a request."
    )
    token_days: int = Field(90, ge=1, le=3650, description="How long a new API token is valid, in days.")
    https: bool = Field(
        False,
        description="The deployment is served over HTTPS (behind a proxy that terminates TLS): cookies "
        "are marked Secure and browsers are told to use HTTPS only (HSTS).",
    )
    trusted_proxies: str = Field(
        "",
        description="Addresses (or CIDR ranges) of the reverse proxies in front of govgrid, comma-separated. "
        "Only from these is X-Forwarded-For believed, so that users behind one proxy are throttled by their own "
        "address. Empty: the address of the connection is the client's.",
    )
    login_free_failures: int = Field(
        3, ge=1, description="Wrong passwords per account before each retry must wait."
    )
    login_delay_seconds: int = Field(
        2, ge=1, description="The first wait after the free failures; it doubles with every further failure."
    )
    login_max_delay_seconds: int = Field(300, ge=1, description="The longest wait between login attempts.")
    login_lock_failures: int = Field(
        10,
        ge=2,
        description="Wrong passwords in a row after which the account is locked (an admin can unlock).",
    )
    login_lock_minutes: int = Field(
        30,
        ge=0,
        description="How long a locked account stays locked; 0: until an administrator unlocks it "
        "(`govgrid users unlock NAME`).",
    )
    login_address_failures: int = Field(
        30,
        ge=1,
        description="Wrong passwords from one client address (any accounts) per window before it waits.",
    )
    throttle_window_minutes: int = Field(
        15,
        ge=1,
        description="The window in which failures per client address are counted (logins, follow page).",
    )
    signups_per_hour: int = Field(
        5,
        ge=1,
        description="Citizen sign-ups (/signup) per client address and hour, attempts that fail included.",
    )
    follow_failures: int = Field(
        20, ge=1, description="Wrong 查询码 guesses on the public follow page per client address and window."
    )
    reports_per_minute: int = Field(
        30,
        ge=1,
        description="New reports one person may file per minute, through the JSON API, the report page and "
        "Open311 together (a retry with the same client_id is not counted). Connectors have their own limit.",
    )
    streams_per_user: int = Field(
        6,
        ge=1,
        le=100,
        description="Live event streams (/api/v1/stream: big screens, maps) one person may hold open at once.",
    )
    connector_posts_per_minute: int = Field(
        600, ge=1, description="Pushes one connector key may make per minute (12345 peaks, video alarms)."
    )
    read_database_url: str = Field(
        "",
        description="A streaming replica of the database (PostgreSQL). When set, the case list, the command map "
        "and the assessment's metrics and ranking are read from it; every write, and every read right after one, "
        "stays on GOVGRID_DATABASE_URL. Its rows may lag the primary by the replica's replay delay.",
    )
    audit_retention_days: int = Field(
        365,
        ge=183,
        le=36500,
        description="How long audit rows are kept, in days: at least six months (等保 level 3). After it, the "
        "worker removes an audited object's whole chain once its newest row is older and a daily anchor sealed it.",
    )
    demo_password: str = Field(
        "govgrid-demo", description="Password of the demo logins made by `govgrid demo`."
    )


def settings_reference() -> str:
    """docs/settings.md, generated from the class above (a test fails when the file is stale):
    `python -m govgrid.settings > docs/settings.md`."""
    lines = [
        "# 配置项 / Settings",
        "",
        "Every setting is an environment variable. Zero configuration runs the embedded default (SQLite file "
        "`govgrid.db` in the working directory).",
        "Secrets may come from a file (`GOVGRID_SECRET_KEY_FILE`). This page is generated from "
        "`govgrid.settings.Settings`: `python -m govgrid.settings > docs/settings.md`.",
        "",
        "| variable | default | meaning |",
        "|---|---|---|",
    ]
    for name, field in Settings.model_fields.items():
        default = field.default
        shown = "—" if default in (None, "") else str(default)
        text = (field.description or "").replace("|", "\\|")
        lines.append(f"| `GOVGRID_{name.upper()}` | `{shown}` | {text} |")
    return "\n".join(lines) + "\n"


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


def resolve_classifier_file(settings: Settings) -> Path:
    """Where the message model is kept: the setting, else beside the embedded database, else here."""
    if settings.classifier_file is not None:
        return settings.classifier_file
    db_file = sqlite_path(settings.database_url) if is_sqlite(settings.database_url) else None
    return (db_file.resolve().parent if db_file else Path.cwd()) / "classifier.npz"


if __name__ == "__main__":
    print(settings_reference(), end="")
