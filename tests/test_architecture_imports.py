"""The layout's promises, checked on the source: no import cycles among pipeline modules (imports inside functions
count too), schema.py imports nothing of the project, and the dashboard takes only the contract from pipeline/."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module)
            out.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


def _graph(package: str) -> dict[str, set[str]]:
    mods = {_module_name(p): p for p in (ROOT / package).rglob("*.py")}
    return {m: {d for d in _imports(p) if d in mods and d != m and d != package} for m, p in mods.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph[node]):
            if state.get(dep) == 1:
                return stack[stack.index(dep):] + [dep]
            if dep not in state and (found := visit(dep)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_architecture_pipeline_has_no_import_cycles():
    assert _cycle(_graph("pipeline")) is None


def test_architecture_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_architecture_schema_depends_on_nothing():
    assert not {i for i in _imports(ROOT / "pipeline" / "schema.py") if i.startswith("pipeline")}


def test_architecture_dashboard_takes_only_the_contract_from_pipeline():
    used = {i for p in [*(ROOT / "dashboard").rglob("*.py"), ROOT / "app.py"] for i in _imports(p)
            if i.startswith("pipeline")}
    assert used <= {"pipeline", "pipeline.schema"} | {i for i in used if i.startswith("pipeline.schema.")}, used
