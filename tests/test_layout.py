"""The layout holds: imports point one way, no cycles, small modules, one neonize importer.

Read from the source (AST), so it checks function-local imports too. Imports
under `if TYPE_CHECKING:` are annotations only and are not dependencies.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("core", "db", "jobs", "handlers", "bot")
# what each layer may import from the project (bot may import everything)
ALLOWED = {
    "core": {"core"},
    "db": {"core", "db"},
    "jobs": {"core", "db", "jobs"},
    "handlers": {"core", "db", "jobs", "handlers"},
    "bot": set(PACKAGES),
}
MAX_MODULE_LINES = 500
NEONIZE_ADAPTER = "bot.whatsapp.neonize_adapter"


def _modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            out[name] = path
    return out


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imported_names(tree: ast.AST) -> list[str]:
    """Every module name imported anywhere in `tree`, except under `if TYPE_CHECKING:`."""
    names: list[str] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{a.name}" for a in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return names


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps = set()
        for imported in _imported_names(ast.parse(path.read_text(encoding="utf-8"))):
            if imported in modules and imported != name:
                deps.add(imported)
            elif imported.split(".")[0] == "neonize":
                deps.add("neonize")
        graph[name] = deps
    return graph


def test_every_import_points_down_the_layers():
    upward = [
        f"{module} imports {dep}"
        for module, deps in _graph().items()
        for dep in deps
        if dep != "neonize" and dep.split(".")[0] not in ALLOWED[module.split(".")[0]]
    ]
    assert upward == []


def test_there_is_no_import_cycle():
    graph = {m: {d for d in deps if d != "neonize"} for m, deps in _graph().items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def connect(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                connect(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in graph:
        if module not in index:
            connect(module)
    assert cycles == []


def test_only_the_neonize_adapter_imports_neonize():
    assert [m for m, deps in _graph().items() if "neonize" in deps] == [NEONIZE_ADAPTER]


def test_no_module_is_longer_than_the_limit():
    long = {name: n for name, path in _modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_the_checks_see_a_violation(tmp_path):
    """The import reader finds function-local imports and skips annotation-only ones."""
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from bot.app import AppContext\n"
        "def f():\n    from bot.router import Router\n"
    )
    names = _imported_names(tree)
    assert "bot.router" in names and "bot.app" not in names


def test_the_offline_guard_refuses_outside_hosts():
    import socket

    import pytest

    from tests.conftest import OfflineGuardError

    with pytest.raises(OfflineGuardError):
        socket.getaddrinfo("social-api4.p.rapidapi.com", 443)
    assert socket.getaddrinfo("127.0.0.1", 5432)
