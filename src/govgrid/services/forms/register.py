"""The base register (基础台账) of 一表通: entering a resident, a house or an enterprise of a grid, changing
its values, and reading it as the caller may — personal values masked unless the caller may see them, and
every unmasked read audited. Every value is checked by its registry field (domain.forms.check_value), and
every change is one row of register_change, written here and only here."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from govgrid.db.paging import fetch_page
from govgrid.db.register_models import LABEL_LENGTH, RegisterChange, RegisterEntry
from govgrid.domain import sources
from govgrid.domain.errors import Conflict, InvalidInput, NotFound
from govgrid.domain.forms import ENTRY_PREFIX, LABEL_FIELD, FieldSpec, FormCatalog, check_value, digest, mask
from govgrid.domain.paging import Paged, Paging
from govgrid.domain.permissions import Action, Actor, Reach, authorize, reach, scope_filter
from govgrid.services import audit, chains

GRID_LENGTH = 15
GROUP_FIELD = "person.special_category"  # 重点人员: the special groups of the register


def add_entry(
    session: Session,
    *,
    actor: Actor,
    catalog: FormCatalog,
    kind: str,
    grid_code: str,
    values: dict[str, object],
    now: datetime,
    key: bytes,
    synthetic: bool = False,
    client_id: str | None = None,
    commit: bool = True,
) -> RegisterEntry:
    """A new entry of the grid, its values checked, with one history row per value given (`synthetic`:
    made up by the demo, and shown so). A `client_id` (the form's UUID) makes a retry safe: the same
    person's second submission returns the entry the first one made. `commit=False`: part of the caller's
    transaction (a form's new row)."""
    if kind not in ENTRY_PREFIX:
        raise InvalidInput(f"登记簿“{kind}”不存在（人 resident、房 house、企 enterprise）", field="kind")
    if len(grid_code) != GRID_LENGTH or not grid_code.isdigit():
        raise InvalidInput(f"单元网格编码“{grid_code[:20]}”须为 15 位数字", field="grid_code")
    authorize(actor, Action.EDIT_REGISTER, area_code=grid_code)
    retry = sources.client_id(client_id)
    if retry is not None and actor.user_id is not None:
        earlier = session.scalar(
            select(RegisterEntry).where(
                RegisterEntry.created_by == actor.user_id, RegisterEntry.client_id == retry
            )
        )
        if earlier is not None:
            return earlier
    checked = _checked(catalog, kind, values)
    label = checked.get(LABEL_FIELD[kind], "")
    if not label:
        raise InvalidInput(f"须填写{catalog.registry[LABEL_FIELD[kind]].name}", field=LABEL_FIELD[kind])
    entry = RegisterEntry(
        district_code=grid_code[:6],
        kind=kind,
        grid_code=grid_code,
        community_code=grid_code[:12],
        label=label[:LABEL_LENGTH],
        values=checked,
        version=1,
        is_synthetic=synthetic,
        created_by=actor.user_id,
        client_id=retry if actor.user_id is not None else None,
        created_at=now,
        updated_at=now,
    )
    session.add(entry)
    session.flush()
    _record(session, entry, actor, now, key, "create", {code: (None, v) for code, v in checked.items()})
    if commit:
        session.commit()
    return entry


def change_entry(
    session: Session,
    *,
    actor: Actor,
    catalog: FormCatalog,
    entry_id: int,
    values: dict[str, object],
    expected_version: int | None,
    now: datetime,
    key: bytes,
    commit: bool = True,
) -> RegisterEntry:
    """Change some values of an entry (an empty value clears it): checked, compare-and-set on the version,
    one history row per value that really changed. `commit=False`: part of the caller's transaction."""
    entry = _entry(session, actor, Action.EDIT_REGISTER, entry_id)
    checked = _checked(catalog, entry.kind, values)
    before = dict(entry.values or {})
    after = {**before, **checked}
    for code in values:
        if code not in checked:
            after.pop(code, None)  # given empty: cleared
    changed = {
        c: (before.get(c), after.get(c))
        for c in sorted(set(before) | set(after))
        if before.get(c) != after.get(c)
    }
    if not changed:
        return entry
    if not after.get(LABEL_FIELD[entry.kind]):
        name = catalog.registry[LABEL_FIELD[entry.kind]].name
        raise InvalidInput(f"{name}不能清空", field=LABEL_FIELD[entry.kind])
    version = entry.version if expected_version is None else expected_version
    done = session.execute(
        update(RegisterEntry)
        .where(RegisterEntry.id == entry.id, RegisterEntry.version == version)
        .values(
            values=after,
            version=version + 1,
            updated_at=now,
            label=after[LABEL_FIELD[entry.kind]][:LABEL_LENGTH],
        )
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        session.rollback()
        raise Conflict("该台账记录已被他人修改，请刷新后再改", field="version")
    _record(session, entry, actor, now, key, "update", changed)
    if commit:
        session.commit()
    session.refresh(entry)
    return entry


def erase_personal(
    session: Session,
    *,
    actor: Actor,
    catalog: FormCatalog,
    entry_id: int,
    reason: str,
    now: datetime,
    key: bytes,
) -> int:
    """个人信息抹除 (a person moved away, a retention period ended): the entry's personal values (ID number,
    phones) are removed from it and from every row of its history, where only their keyed digests stay, so
    the history still verifies; one `erase` row per field says who erased it, when and why. The number of
    fields erased."""
    entry = _entry(session, actor, Action.EDIT_REGISTER, entry_id)
    reason = reason.strip()
    if not reason:
        raise InvalidInput("抹除个人信息须说明原因", field="reason")
    values = dict(entry.values or {})
    personal = sorted(spec.code for spec in catalog.fields_of(entry.kind) if spec.is_personal)
    session.execute(
        update(RegisterChange)
        .where(RegisterChange.entry_id == entry.id, RegisterChange.field_code.in_(personal))
        .values(old_value=None, new_value=None)
        .execution_options(synchronize_session=False)
    )  # every personal field of its register, also one cleared earlier
    erased = {code: values.pop(code) for code in personal if code in values}
    if not erased:
        session.commit()
        return 0
    entry.values, entry.version, entry.updated_at = values, entry.version + 1, now
    _record(
        session, entry, actor, now, key, "erase", {c: (old, None) for c, old in erased.items()}, keep=False
    )
    audit.record(
        session, actor=actor, action="register.erase", entity_type="register_entry", entity_id=str(entry.id),
        now=now, scope_code=entry.grid_code, detail={"fields": personal, "reason": reason[:200]},
    )  # fmt: skip
    session.commit()
    return len(erased)


def read_entry(
    session: Session,
    *,
    actor: Actor,
    catalog: FormCatalog,
    entry_id: int,
    now: datetime,
    unmask: bool = False,
) -> dict[str, Any]:
    """An entry as the caller may read it: personal values masked, unless `unmask` and the caller may see
    them — then the view is audited (who, when, which entry and fields)."""
    entry = _entry(session, actor, Action.READ_REGISTER, entry_id)
    shown = dict(entry.values or {})
    personal = sorted(c for c in shown if c in catalog.registry and catalog.registry[c].is_personal)
    if unmask and personal:
        authorize(actor, Action.UNMASK_PERSONAL, area_code=entry.grid_code)
        audit.record(
            session,
            actor=actor,
            action="register.unmask",
            entity_type="register_entry",
            entity_id=str(entry.id),
            now=now,
            scope_code=entry.grid_code,
            detail={"fields": personal},
        )
        session.commit()
    else:
        shown = {c: (mask(catalog.registry[c], v) if c in personal else v) for c, v in shown.items()}
    return {
        "id": entry.id,
        "kind": entry.kind,
        "grid_code": entry.grid_code,
        "community_code": entry.community_code,
        "label": entry.label,
        "values": shown,
        "masked": bool(personal) and not unmask,
        "version": entry.version,
        "may_unmask": reach(actor, Action.UNMASK_PERSONAL) is not Reach.NONE,
    }


def list_entries(
    session: Session,
    *,
    actor: Actor,
    catalog: FormCatalog,
    kind: str,
    paging: Paging = Paging(),
    group: str = "",
) -> Paged[dict[str, Any]]:
    """A page of the register of one kind in the caller's area, by community and label, values masked;
    `group`: only the residents of one special group (重点人员: 独居老人, 残疾人, 返乡人员 …)."""
    if kind not in ENTRY_PREFIX:
        raise InvalidInput(f"登记簿“{kind}”不存在（人 resident、房 house、企 enterprise）", field="kind")
    narrowing = scope_filter(actor, Action.READ_REGISTER)
    query = select(RegisterEntry).where(RegisterEntry.kind == kind)
    if group:
        spec = catalog.registry.get(GROUP_FIELD)
        if kind != "resident" or spec is None or group not in spec.choices:
            raise InvalidInput(f"重点人员类别“{group[:20]}”不存在", field="group")
        query = query.where(RegisterEntry.values[GROUP_FIELD].as_string() == group)
    if not narrowing.everything:
        prefix = narrowing.area_prefix or "-"  # a register is of an area, never of a person or a unit
        query = query.where(RegisterEntry.grid_code.startswith(prefix, autoescape=True))
    query = query.order_by(RegisterEntry.community_code, RegisterEntry.label, RegisterEntry.id)
    found = fetch_page(session, query, paging)
    rows = [
        {
            "id": e.id,
            "label": e.label,
            "grid_code": e.grid_code,
            "values": {c: (mask(catalog.registry[c], v) if catalog.registry[c].is_personal else v)
                       for c, v in (e.values or {}).items() if c in catalog.registry},
            "updated_at": e.updated_at,
            "synthetic": e.is_synthetic,
        }
        for e in found.items
    ]  # fmt: skip
    return replace(found, items=rows)


def history(session: Session, *, actor: Actor, catalog: FormCatalog, entry_id: int) -> list[dict[str, Any]]:
    """An entry's changes, oldest first: who, when, which field, old → new (personal values masked)."""
    _entry(session, actor, Action.READ_REGISTER, entry_id)
    rows = session.scalars(
        select(RegisterChange).where(RegisterChange.entry_id == entry_id).order_by(RegisterChange.id)
    )
    out = []
    for row in rows:
        spec = catalog.registry.get(row.field_code)
        personal = spec is not None and spec.is_personal
        out.append(
            {
                "at": row.at,
                "actor_name": row.actor_name,
                "action": row.action,
                "erased": row.old_value is None and row.new_value is None and row.action != "create",
                "field": spec.name if spec is not None else row.field_code,
                "old": _shown(spec, row.old_value) if personal else row.old_value,
                "new": _shown(spec, row.new_value) if personal else row.new_value,
            }
        )
    return out


def _shown(spec: FieldSpec | None, value: str | None) -> str | None:
    return mask(spec, value) if spec is not None and value else value


def _entry(session: Session, actor: Actor, action: Action, entry_id: int) -> RegisterEntry:
    entry = session.get(RegisterEntry, entry_id)
    if entry is None:
        raise NotFound(f"台账记录 {entry_id} 不存在")
    authorize(actor, action, area_code=entry.grid_code)
    return entry


def _checked(catalog: FormCatalog, kind: str, values: dict[str, object]) -> dict[str, str]:
    """The given non-empty values checked by their fields, as text; a field of another register is refused."""
    own = {spec.code: spec for spec in catalog.fields_of(kind)}
    out: dict[str, str] = {}
    for code, raw in values.items():
        spec = own.get(code)
        if spec is None:
            raise InvalidInput(f"字段“{code}”不在{catalog.registers.get(kind, kind)}登记簿中", field=code)
        value = check_value(spec, raw)
        if isinstance(value, date):
            out[code] = value.isoformat()
        elif isinstance(value, float):
            out[code] = f"{value:g}"
        elif value is not None:
            out[code] = value
    return out


def _record(
    session: Session,
    entry: RegisterEntry,
    actor: Actor,
    now: datetime,
    key: bytes,
    action: str,
    changes: dict[str, tuple[str | None, str | None]],
    *,
    keep: bool = True,
) -> None:
    """The one writer of register_change: a row per field changed, with keyed digests of both values (and
    the values themselves unless `keep` is False: an erasure keeps only the digests)."""
    rows = [
        {
            "district_code": entry.district_code,
            "entry_id": entry.id,
            "at": now,
            "actor_id": actor.user_id,
            "actor_name": actor.name[:64],
            "action": action,
            "field_code": code,
            "old_value": old if keep else None,
            "new_value": new if keep else None,
            "old_digest": digest(key, code, old),
            "new_digest": digest(key, code, new),
        }
        for code, (old, new) in sorted(changes.items())
    ]
    chains.link(session, RegisterChange, rows)  # over the digests: an erased value breaks nothing
    session.add_all(RegisterChange(**row) for row in rows)
