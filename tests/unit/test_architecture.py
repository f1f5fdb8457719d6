"""The pipeline's layering, read from the source: data flows one way and no module imports
one that imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "upoe_compiler"
# The spec side of the pipeline: what render and lint must not reach into.
SPEC_LAYER = ("spec", "patterns", "catalog", "validate", "validated", "checks", "construct_checks", "resolve",
              "loader")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def runtime_imports(path: Path) -> set[str]:
    """Modules of the package that `path` imports when it runs (not under TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found: set[str] = set()
    type_checking = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
                     and isinstance(block.test, ast.Name) and block.test.id == "TYPE_CHECKING"
                     for node in ast.walk(block)}
    for node in ast.walk(tree):
        if id(node) in type_checking:
            continue
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join([*base, *(node.module.split(".") if node.module else [])])
            if not target.startswith("upoe_compiler"):
                continue
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                found.add(candidate if _exists(candidate) else target)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("upoe_compiler")}
    return found


def _exists(module: str) -> bool:
    relative = Path(*module.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").is_file() or (PACKAGE / relative / "__init__.py").is_file()


def import_graph() -> nx.DiGraph:
    graph: nx.DiGraph = nx.DiGraph()
    for path in sorted(PACKAGE.rglob("*.py")):
        source = module_name(path)
        graph.add_node(source)
        for target in runtime_imports(path):
            # A package's __init__ importing its own modules is how a registry (lint rules,
            # constructs) loads them; the modules may import the package's other parts.
            registers = path.name == "__init__.py" and target.startswith(source + ".")
            if target != source and not registers:
                graph.add_edge(source, target)
    return graph


def test_no_module_imports_one_that_imports_it_back() -> None:
    graph = import_graph()
    cycles = [sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1]
    assert cycles == []


def test_render_and_lint_read_the_model_not_the_spec() -> None:
    graph = import_graph()
    for consumer in [n for n in graph if n.startswith(("upoe_compiler.render", "upoe_compiler.lint"))]:
        reached = nx.descendants(graph, consumer)
        spec_side = sorted(m for m in reached if m.removeprefix("upoe_compiler.").split(".")[0] in SPEC_LAYER)
        assert spec_side == [], f"{consumer} imports {spec_side}"
