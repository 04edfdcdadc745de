"""The layers of docs/architecture.md, held against the code: every import statement of the
product (at the top of a module or inside a function) points the way the layers allow, no two
modules import each other (directly or round a loop), and no product module outgrows 600 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("aggregates", "ledger", "projections", "cli")

# Each room and what it may import of ours (by module prefix); anything else is third-party or stdlib.
ALLOWED: dict[str, tuple[str, ...]] = {
    "aggregates": ("aggregates",),
    "ledger.rules": ("aggregates", "ledger.rules"),
    "ledger.store": ("aggregates", "ledger.store"),
    "projections": ("aggregates", "ledger.rules", "ledger.store", "projections"),
    "ledger": ("aggregates", "ledger", "projections"),
    "cli": ("cli", "ledger", "projections.read"),
}
# What a room may not import although its prefix would allow it: the command line reaches the domain
# through the ledger's own modules (errors, words), never the rooms below.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "cli": ("ledger.rules", "ledger.store"),
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module(p): p for top in PRODUCT for p in sorted((ROOT / top).rglob("*.py"))}


MODULES = _modules()


def _room(module: str) -> str:
    for room in ("ledger.rules", "ledger.store", "aggregates", "projections", "cli", "ledger"):
        if module == room or module.startswith(room + "."):
            return room
    raise AssertionError(module)


def _imports(module: str, path: Path) -> list[tuple[int, str]]:
    """(line, imported module) for every import of the product in the file, resolved to the module
    that is imported (``from projections import read`` imports projections.read)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            for a in node.names:
                target = f"{base}.{a.name}"
                out.append((node.lineno, target if target in MODULES else base))
    return [(line, name) for line, name in out if name.split(".")[0] in PRODUCT]


GRAPH = {m: sorted({name for _, name in _imports(m, p) if name in MODULES and name != m}) for m, p in MODULES.items()}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_import_points_the_way_the_layers_allow(module):
    room = _room(module)
    bad = []
    for line, name in _imports(module, MODULES[module]):
        allowed = any(name == a or name.startswith(a + ".") for a in ALLOWED[room])
        forbidden = any(name == f or name.startswith(f + ".") for f in FORBIDDEN.get(room, ()))
        if not allowed or forbidden:
            bad.append(f"{MODULES[module].relative_to(ROOT)}:{line}: {room} imports {name}")
    assert not bad, "\n".join(bad)


def test_nothing_imports_the_command_line():
    bad = [f"{m} imports {t}" for m, targets in GRAPH.items() if not m.startswith("cli") for t in targets if t.startswith("cli")]
    assert not bad


def test_no_two_modules_import_each_other_directly_or_round_a_loop():
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    loops: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
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
                loops.append(sorted(component))

    for v in GRAPH:
        if v not in index:
            visit(v)
    assert loops == []


def test_the_graph_reads_lazy_imports_too():
    """The check cannot pass by not seeing: an import inside a function is an edge."""
    assert "projections.runner" in GRAPH["projections.read"]  # imported inside its functions only
    assert "ledger.store.sqlite" in GRAPH["ledger.store"]


def test_no_product_module_is_over_600_lines():
    long = {str(p.relative_to(ROOT)): n for p in MODULES.values() if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}
