"""The house rules that reading the source can check: all SQL in ``outreach/store``, click only in ``outreach/cli``."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import outreach

PACKAGE = Path(outreach.__file__).parent
SQL = re.compile(r"\bSELECT\s.*\bFROM\b|\bINSERT\s+(OR\s+\w+\s+)?INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b"
                 r"|\b(CREATE|DROP)\s+(TABLE|(UNIQUE\s+)?INDEX|VIEW|TRIGGER)\b|\bALTER\s+TABLE\b|\bPRAGMA\s+\w+",
                 re.DOTALL)
DB_CALLS = {"execute", "executescript", "executemany"}


def _imports(tree: ast.AST) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def sql_found(source: str) -> list[str]:
    """What in ``source`` is SQL or runs it: sqlite3 imports, execute calls, SQL in string literals."""
    tree = ast.parse(source)
    problems = ["imports sqlite3"] if "sqlite3" in _imports(tree) else []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in DB_CALLS:
            problems.append(f"line {node.lineno}: calls {node.func.attr}()")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
            problems.append(f"line {node.lineno}: SQL in {node.value[:60]!r}")
    return problems


def _modules(outside: str) -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if outside not in p.relative_to(PACKAGE).parts[:1])


@pytest.mark.parametrize("source", [
    "import sqlite3",
    "from sqlite3 import connect",
    "store.transaction().execute('x')",
    "rows = store.query('SELECT id FROM outreach_contacts')",
    "sql = f'UPDATE outreach_contacts SET {cols} WHERE id = ?'",
    "x = 'INSERT OR IGNORE INTO outreach_blocks (pattern) VALUES (?)'",
    "x = '''\n    CREATE TABLE things (id)'''",
])
def test_the_sql_check_finds_sql(source: str) -> None:
    assert sql_found(source)


@pytest.mark.parametrize("source", [
    '"""IMAP SELECT opens a folder; select the messages from the inbox."""',
    "mailbox.select('INBOX')",
    "x = 'Update your settings, then delete from the list'",
])
def test_the_sql_check_leaves_plain_words_alone(source: str) -> None:
    assert sql_found(source) == []


def test_no_sql_outside_the_store_package() -> None:
    found = {str(p.relative_to(PACKAGE)): sql_found(p.read_text(encoding="utf-8")) for p in _modules("store")}
    assert {path: problems for path, problems in found.items() if problems} == {}
    assert len(found) > 30


def test_the_store_package_is_where_the_sql_is() -> None:
    assert all(sql_found(p.read_text(encoding="utf-8")) for p in (PACKAGE / "store").glob("[!_]*.py"))


def test_click_is_imported_only_by_the_command_line() -> None:
    users = [str(p.relative_to(PACKAGE)) for p in _modules("cli") if "click" in _imports(ast.parse(p.read_text()))]
    assert users == []
    assert any("click" in _imports(ast.parse(p.read_text())) for p in (PACKAGE / "cli").glob("*.py"))
