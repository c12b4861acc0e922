"""The house stays readable from the door: layout rules and the direction of imports."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("jinseed", "positions", "applicants", "placements")
#: Who may import whom at module level (the left may import the right, never the reverse).
LAYERS = {"jinseed": 0, "positions": 1, "applicants": 2, "placements": 3}


def _modules() -> dict[str, Path]:
    found = {}
    for top in PACKAGES:
        for path in (ROOT / top).rglob("*.py"):
            rel = path.relative_to(ROOT).with_suffix("")
            if "migrations" in rel.parts:
                continue
            parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
            found[".".join(parts)] = path
    return found


def _module_level_imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules ``name`` imports when it is imported (not inside functions)."""
    tree = ast.parse(path.read_text())
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets.add(base)
            targets |= {f"{base}.{alias.name}" for alias in node.names}
    return {t for t in targets if t in known and t != name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {name: _module_level_imports(name, path, known) for name, path in modules.items()}


def test_no_module_is_named_with_a_prefix_or_as_a_benchmark():
    names = [p.relative_to(ROOT).as_posix() for top in PACKAGES[1:] for p in (ROOT / top).rglob("*.py")]
    assert [n for n in names if Path(n).name.startswith(("cultivation_", "selection_"))] == []
    assert [n for n in names if "bench" in Path(n).name] == []


def test_no_import_is_left_in_the_middle_of_a_module():
    offenders = [
        str(p.relative_to(ROOT)) for top in PACKAGES for p in (ROOT / top).rglob("*.py") if "E402" in p.read_text()
    ]
    assert offenders == []


def test_imports_point_one_way_between_the_apps():
    wrong = []
    for module, imports in _graph().items():
        if module.startswith("jinseed.devtools"):
            continue  # demo data and benchmarks: development tools on top of every app
        for target in imports:
            if LAYERS[target.split(".")[0]] > LAYERS[module.split(".")[0]]:
                wrong.append(f"{module} → {target}")
    assert wrong == []


def test_there_is_no_import_circle():
    graph = _graph()
    # A package importing its own submodules (``__init__`` re-exports) is not a circle back.
    for name in graph:
        graph[name] = {t for t in graph[name] if not t.startswith(name + ".")}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []
