"""The architecture, checked: no import cycle between modules (lazy imports count too), modules under 400
lines, the domain free of frameworks and I/O, pages that do not reach into the JSON API, no re-exports and
no private helpers borrowed across modules, one writer for each history table, and column lengths and
labels declared once."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = SRC / "govgrid"
MODULES = {
    ".".join(p.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__"): p
    for p in PACKAGE.rglob("*.py")
    if "migrations" not in p.parts
}


def imports_of(path: Path) -> set[str]:
    """Every govgrid module a file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("govgrid"):
            for alias in node.names:
                name = f"{node.module}.{alias.name}"
                found.add(name if name in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("govgrid")}
    return {name for name in found if name in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_two_modules_import_each_other_even_lazily():
    graph = {name: imports_of(path) - {name} for name, path in MODULES.items()}
    assert cycles(graph) == []


def test_a_cycle_is_found_when_there_is_one():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == [["a", "b", "c"]]


@pytest.mark.parametrize("name", sorted(MODULES))
def test_no_module_is_over_400_lines(name):
    assert len(MODULES[name].read_text(encoding="utf-8").splitlines()) <= 400


def test_the_domain_imports_no_framework_database_or_file_format():
    banned = re.compile(r"^\s*(from|import) (sqlalchemy|fastapi|starlette|openpyxl|docx|httpx|click)\b", re.M)
    offenders = [
        n for n, p in MODULES.items() if n.startswith("govgrid.domain") and banned.search(p.read_text())
    ]
    assert offenders == []


def test_pages_do_not_import_the_json_api():
    offenders = [
        n for n, p in MODULES.items() if ".web.pages" in n and any(".web.api" in i for i in imports_of(p))
    ]
    assert offenders == []


def test_nothing_is_re_exported_and_no_private_helper_is_borrowed():
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                assert not any(getattr(t, "id", "") == "__all__" for t in node.targets), name
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("govgrid"):
                private = [
                    a.name for a in node.names if a.name.startswith("_") and not a.name.startswith("__")
                ]
                assert private == [], f"{name} imports {private} from {node.module}"


WRITERS = {  # a history table, and the one module that writes its rows
    "CaseTransition": "govgrid.services.cases.history",
    "LedgerEvent": "govgrid.services.ledger.events",
    "RegisterChange": "govgrid.services.forms.register",
    "FormEvent": "govgrid.services.forms.events",
}


@pytest.mark.parametrize("table", sorted(WRITERS))
def test_each_history_table_has_one_writer(table):
    writes = re.compile(rf"(?<!class )\b{table}\(|insert\({table}\)|insert_many\(session, {table}\b")
    writers = {n for n, p in MODULES.items() if writes.search(p.read_text(encoding="utf-8"))}
    assert writers == {WRITERS[table]}


def test_the_tables_are_declared_with_the_domains_lengths():
    from sqlalchemy import Text

    from govgrid.db.case_models import Case
    from govgrid.db.ledger_models import LedgerItem
    from govgrid.domain.case_fields import LENGTHS as CASE
    from govgrid.domain.ledger_items import LENGTHS as LEDGER

    for table, lengths in ((Case.__table__, CASE), (LedgerItem.__table__, LEDGER)):
        for column, length in lengths.items():
            if column in table.c and not isinstance(
                table.c[column].type, Text
            ):  # a Text column has no length
                assert table.c[column].type.length == length, f"{table.name}.{column}"


def test_every_state_step_event_and_report_kind_has_its_chinese_label():
    from govgrid.domain import ledger_states as s

    for kind, labels in (
        (s.ItemKind, s.KIND_LABEL),
        (s.ItemStatus, s.STATUS_LABEL),
        (s.ClosureStep, s.STEP_LABEL),
        (s.ReportKind, s.REPORT_LABEL),
        (s.EventKind, s.EVENT_LABEL),
    ):
        assert set(labels) == set(kind), kind
    assert all(s.closure_steps(status) or status is s.ItemStatus.CLOSING for status in s.ItemStatus)
