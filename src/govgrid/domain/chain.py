"""Hash chains over the append-only histories (case history, ledger events, the audit log, the form work's
events, the register's changes): each row carries its place in its chain (chain_seq, from 1), the hash of
the row before it (prev_hash; the first row's is GENESIS) and the hash of its own content with that link
(row_hash). One chain per case, ledger item, audited object, form task or register entry, so writers on
different objects never wait on one row; a daily anchor (services.chains) seals what every chain held.

A personal value that may be erased after its retention period is never hashed itself: the chain covers
its keyed digest (the register keeps one per value), so erasing the value breaks nothing.

Pure: the canonical text of a row's values and its hash, the same for what a writer holds and what a
reader reads back from either engine."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class ChainSpec:
    """A chained table: its chain's key columns (with district_code) and the columns its hash covers."""

    table: str
    key: tuple[str, ...]
    hashed: tuple[str, ...]


def canonical(value: Any) -> Any:
    """A value as the hash sees it: a timestamp as UTC ISO text to the microsecond, JSON as its text with
    sorted keys (as `normal_json` stores it, so a reader hashes the stored text as it is), else itself."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, (dict, list, tuple)):
        return json.dumps(value, sort_keys=True)
    return value


def normal_json(value: Any) -> Any:
    """A JSON value as a writer stores it: keys as text and sorted (at every level), so the text the driver
    writes (json.dumps) is its canonical text."""
    return json.loads(json.dumps(value, sort_keys=True, default=str))


def row_hash(prev_hash: str, seq: int, values: Sequence[Any]) -> str:
    """The hash of one row: its link to the row before, its place, and its values (in the spec's order)."""
    return link_hash(prev_hash, seq, [canonical(v) for v in values])


def link_hash(prev_hash: str, seq: int, canonical_values: Sequence[Any]) -> str:
    """`row_hash` of values already canonical (a reader's texts as stored)."""
    text = _ENCODE([prev_hash, seq, *canonical_values])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def anchor_hash(prev_anchor: str, table: str, district_code: str, upto_id: int, hashes: Sequence[str]) -> str:
    """A daily anchor: the previous anchor of the table and district, and every row hash written since."""
    digest = hashlib.sha256(f"{prev_anchor}|{table}|{district_code}|{upto_id}".encode())
    for value in hashes:
        digest.update(value.encode("ascii"))
    return digest.hexdigest()


@dataclass(frozen=True)
class Break:
    """The first broken row of a chain, or of an anchor's range."""

    table: str
    row_id: int | None
    chain: str
    reason: str

    def __str__(self) -> str:
        row = f"第 {self.row_id} 行" if self.row_id is not None else "（无行）"
        return f"{self.table} {row}（链 {self.chain}）：{self.reason}"


def check_link(
    spec: ChainSpec,
    row_id: int,
    chain: str,
    seq: int,
    prev: str,
    stored: str,
    values: Sequence[Any],
    last: tuple[int, str],
) -> Break | None:
    """One row (its values canonical, as stored) against the row before it in its chain (`last`: its seq
    and hash, (0, GENESIS) at the start)."""
    want_seq, want_prev = last[0] + 1, last[1]
    if seq != want_seq:
        gap = "缺少前面的行（行被删除）" if seq > want_seq else "序号重复或倒退（行被插入）"
        return Break(spec.table, row_id, chain, f"链序号 {seq}，应为 {want_seq}：{gap}")
    if prev != want_prev:
        return Break(spec.table, row_id, chain, "前一行哈希不符（前一行被改动、删除或此行被插入）")
    if link_hash(prev, seq, values) != stored and row_hash(prev, seq, _parsed(values)) != stored:
        return Break(spec.table, row_id, chain, "本行内容与其哈希不符（行被改动）")
    return None


def _parsed(values: Sequence[Any]) -> list[Any]:
    """A row's values with JSON text read back (text stored before `normal_json`, keys in another order)."""
    found: list[Any] = []
    for value in values:
        if isinstance(value, str) and value[:1] in "{[":
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        found.append(value)
    return found
