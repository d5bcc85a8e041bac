"""The documentation says what the code does: the permission table in docs/security.md is the one the code
enforces, and every limit setting the page names exists."""

import re
from pathlib import Path

from govgrid.domain.permissions import _TABLE
from govgrid.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_the_security_page_shows_the_permission_table_the_code_enforces():
    text = DOCS.joinpath("security.md").read_text(encoding="utf-8")
    rows = [" ".join(line.split()) for line in _TABLE.strip().splitlines()]
    shown = {" ".join(line.split()) for line in text.splitlines()}
    assert [row for row in rows if row not in shown] == []


def test_every_setting_the_security_page_names_exists():
    text = DOCS.joinpath("security.md").read_text(encoding="utf-8")
    named = set(re.findall(r"GOVGRID_([A-Z0-9_]+)", text)) - {"TEST_DATABASE_URL"}  # the test suite's own
    assert named and named <= {name.upper() for name in Settings.model_fields}, named - {
        n.upper() for n in Settings.model_fields
    }


README = Path(__file__).resolve().parents[1] / "README.md"


def readme_commands() -> list[list[str]]:
    """The commands of the README's command table, as word lists starting after `govgrid`."""
    found = []
    for line in README.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `govgrid"):
            continue
        first = line.split(" | ", 1)[0].lstrip("| ")
        group = ""
        for snippet in re.findall(r"`([^`]+)`", first.replace("\\|", "|")):
            words = snippet.split()
            if words[0] == "govgrid":
                words = words[1:]
                group = words[0] if words else ""
            elif group:
                words = [group, *words[1:]] if words[0] == group else [group, *words]
            found.append(words)
    return found


def walk(command, words):  # type: ignore[no-untyped-def]
    """The click commands a README line names (alternatives `a|b` give several) and what follows them."""
    import click

    if words and isinstance(command, click.Group):
        choices = words[0].split("|")
        if all(choice in command.commands for choice in choices):
            return [hit for c in choices for hit in walk(command.commands[c], words[1:])]
    return [(command, words)]


def test_every_command_in_the_readme_table_exists_with_the_options_it_shows():
    from govgrid.cli import main

    lines = readme_commands()
    assert len(lines) >= 15
    for words in lines:
        for command, rest in walk(main, words):
            assert command is not main or not rest, f"govgrid {' '.join(words)}: no such command"
            options = {
                opt
                for param in command.params
                for opt in [*getattr(param, "opts", []), *getattr(param, "secondary_opts", [])]
            }
            shown = {w.strip("[]").split("=")[0] for w in rest if w.strip("[]").startswith("--")}
            assert shown <= options, f"govgrid {' '.join(words)}: unknown options {shown - options}"


def test_every_command_of_the_cli_is_in_the_readme_table():
    import click

    from govgrid.cli import main

    def leaves(group, prefix):  # type: ignore[no-untyped-def]
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                yield from leaves(command, [*prefix, name])
            else:
                yield " ".join([*prefix, name]), command

    named = {id(command) for words in readme_commands() for command, _ in walk(main, words)}
    missing = [path for path, command in leaves(main, []) if id(command) not in named]
    assert missing == [], f"commands missing from the README's table: {missing}"


def test_the_citus_ddl_names_every_table_distributed_or_replicated():
    """docs/scale.md's DDL for a provincial deployment: each district-keyed table distributed by district,
    every other table a reference table (a table added without a place there fails here)."""
    from govgrid.db.keys import DISTRICT_KEYED
    from govgrid.db.models import Base

    text = (DOCS / "scale.md").read_text(encoding="utf-8")
    ddl = text[text.index("```sql") : text.index("```", text.index("```sql") + 6)]
    reference = ddl[ddl.index("create_reference_table") : ddl.index("create_distributed_table")]
    distributed = ddl[ddl.index("create_distributed_table") :]
    for name, table in Base.metadata.tables.items():
        where = distributed if table.info.get(DISTRICT_KEYED) else reference + distributed
        assert f"'{name}'" in where, f"{name} has no place in docs/scale.md's Citus DDL"
