"""The live stream's fan-out (web.api.stream): one reader per server process polls the case history in
commit order (services.cases.feed) and keeps the recent rows; every open stream takes the rows beyond its
own position from them — or, when it is further behind (a screen reconnecting with an old Last-Event-ID),
from the database. Any number of processes can serve streams: each reads the same history.

An open stream holds no thread: it waits on an asyncio condition; the reads run briefly in the thread
pool."""

from __future__ import annotations

import asyncio
import time
from collections import Counter, deque
from collections.abc import Callable, Hashable
from typing import Any

from anyio import to_thread

from govgrid.services.cases import feed
from govgrid.services.cases.feed import Change, Position

KEPT = 20_000  # recent rows kept in memory for the streams that are behind
READ = 2_000  # rows read at a time
MOST_TILE_KEYS = 1_000  # people whose tiles are kept


class Hub:
    def __init__(self, sessions: Callable[[], Any], *, every: float = 0.4) -> None:
        self.sessions = sessions
        self.every = every
        self.recent: deque[Change] = deque(maxlen=KEPT)
        self.floor: Position | None = None  # the position before the oldest row kept
        self.head: Position | None = None
        self.read_at = 0.0
        self.lock: asyncio.Lock | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.open: Counter[str] = Counter()  # open streams by who holds them
        # the tiles by whose they are: (the head they reflect at least, the JSON), computed once for all
        # of one person's open streams (a wall of screens, several tabs)
        self.tiles: dict[Hashable, tuple[Position, str]] = {}
        self.tile_locks: dict[Hashable, asyncio.Lock] = {}
        self.tile_loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> Position:
        """Where a new stream begins: after everything committed so far."""
        await self._refresh(force=True)
        assert self.head is not None
        return self.head

    async def after(self, position: Position) -> list[Change]:
        """The rows committed beyond `position`, in commit order (at most READ at a time)."""
        await self._refresh()
        if self.floor is not None and position >= self.floor:
            return [c for c in self.recent if c.position > position][:READ]
        return await to_thread.run_sync(self._read, position)

    async def tiles_for(self, key: Hashable, seen: Position, compute: Callable[[], str]) -> str:
        """The tiles of `key` reflecting at least everything up to `seen`: read again only when the last
        reading is older than that, and by one stream while the others with the same key wait for it."""
        loop = asyncio.get_running_loop()
        if self.tile_loop is not loop:
            self.tile_locks, self.tile_loop = {}, loop
        if len(self.tiles) > MOST_TILE_KEYS:
            self.tiles.clear()
        async with self.tile_locks.setdefault(key, asyncio.Lock()):
            kept = self.tiles.get(key)
            if kept is not None and kept[0] >= seen:
                return kept[1]
            head = max(self.head or seen, seen)  # what was committed before the reading starts
            figures = await to_thread.run_sync(compute)
            self.tiles[key] = (head, figures)
            return figures

    async def _refresh(self, force: bool = False) -> None:
        loop = asyncio.get_running_loop()
        if self.lock is None or self.loop is not loop:  # a lock serves one event loop (tests start several)
            self.lock, self.loop = asyncio.Lock(), loop
        async with self.lock:
            if not force and time.monotonic() - self.read_at < self.every:
                return
            self.read_at = time.monotonic()
            if self.head is None:
                self.head = await to_thread.run_sync(self._head)
                self.floor = self.head
            while True:
                rows = await to_thread.run_sync(self._read, self.head)
                if not rows:
                    return
                if len(self.recent) + len(rows) > KEPT:
                    dropped = len(self.recent) + len(rows) - KEPT
                    self.floor = (list(self.recent) + rows)[dropped - 1].position
                self.recent.extend(rows)
                self.head = rows[-1].position
                if len(rows) < READ:
                    return

    def _head(self) -> Position:
        with self.sessions() as session:
            return feed.head(session)

    def _read(self, position: Position) -> list[Change]:
        with self.sessions() as session:
            return feed.after(session, position, limit=READ)
