"""What every command shares, built once per run: the settings, migrated database sessions, the operator
at the console, the clock, and how a domain error ends a command."""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, datetime
from typing import NoReturn

import click
from sqlalchemy.orm import Session, sessionmaker

from govgrid.catalog.bundle import Catalogs, load_catalogs
from govgrid.db.engine import make_engine, make_session_factory
from govgrid.db.migrate import upgrade
from govgrid.domain.errors import DomainError
from govgrid.domain.permissions import Actor
from govgrid.domain.roles import Role
from govgrid.settings import Settings, load_settings


class Context:
    def __init__(self) -> None:
        self._settings: Settings | None = None
        self._sessions: sessionmaker[Session] | None = None
        self._catalogs: Catalogs | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings()
        return self._settings

    @property
    def catalogs(self) -> Catalogs:
        """The catalogues, shipped or the city's own (GOVGRID_CATALOG_DIR), checked once per run."""
        if self._catalogs is None:
            try:
                self._catalogs = load_catalogs(self.settings.catalog_dir)
            except DomainError as exc:
                self.fail(exc)
        return self._catalogs

    def migrated_sessions(self) -> sessionmaker[Session]:
        """Sessions on the configured database, migrated to the newest schema first (once per run)."""
        if self._sessions is None:
            engine = make_engine(self.settings.database_url)
            upgrade(engine)
            self._sessions = make_session_factory(engine)
        return self._sessions

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    @staticmethod
    def operator(role: Role = Role.ADMIN) -> Actor:
        """The person at the console: trusted as the administrator the command needs (the system
        administrator; the security administrator for accounts), audited under their OS name."""
        return Actor(user_id=None, username=f"cli:{getpass.getuser()}", role=role)

    @staticmethod
    def fail(exc: DomainError | str) -> NoReturn:
        click.echo(f"错误：{exc.message if isinstance(exc, DomainError) else exc}", err=True)
        sys.exit(2)

    def actor_named(self, username: str) -> Actor:
        """A user of the database, acting with their own permissions (`--as USER`)."""
        from sqlalchemy import select

        from govgrid.db.models import User
        from govgrid.services.people.accounts import actor_for

        with self.migrated_sessions()() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                self.fail(f"用户“{username}”不存在")
            return actor_for(user)


pass_context = click.make_pass_decorator(Context, ensure=True)
