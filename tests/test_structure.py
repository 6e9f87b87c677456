"""The shape of the code: imports flow one way (no cycles among app/ and engine/ modules, imports
inside functions included), and every package the code imports is declared in requirements.txt."""

from __future__ import annotations

import ast
import graphlib
import importlib.metadata as metadata
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_TOOL = ROOT.parent / "shared" / "tools" / "import_cycles.py"


def module_files() -> dict[str, Path]:
    """Import name -> file, for engine/ (as engine.x) and app/ (on sys.path: components.x)."""
    names = {}
    for path in (ROOT / "engine").rglob("*.py"):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    for path in (ROOT / "app").rglob("*.py"):
        parts = path.relative_to(ROOT / "app").with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name:
            names[name] = path
    return names


def imported(path: Path, names: dict[str, Path]) -> set[str]:
    """The project's modules that `path` imports anywhere (top level or inside functions)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            candidates = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            candidates = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for name in candidates:
            while name and name not in names:
                name = name.rpartition(".")[0]
            if name:
                out.add(name)
    return out


def test_no_import_cycles_among_app_and_engine_modules():
    names = module_files()
    graph = {}
    for name, path in names.items():
        deps = imported(path, names) - {name}
        # a package importing its own modules through __init__ is not a cycle of design
        graph[name] = {d for d in deps if not (name.startswith(d + ".")
                                               and names[d].name == "__init__.py")}
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as err:
        raise AssertionError(f"import cycle: {' -> '.join(err.args[1])}") from None
    assert "resources" in order and "engine.checkpoint" in order


def test_the_shared_cycle_tool_agrees():
    """The project's own tool, when its folder is beside the checkout (it is in CI)."""
    if not SHARED_TOOL.exists():
        return  # the check above is the same rule; this one only confirms it where it can
    out = subprocess.run([sys.executable, str(SHARED_TOOL)], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0 and "0 import cycle" in out.stdout, out.stdout + out.stderr


def test_resources_imports_no_widget_module():
    names = module_files()
    assert not {d for d in imported(names["resources"], names)
                if d.startswith(("components", "views"))}


def declared() -> set[str]:
    """Distribution names in requirements.txt, normalised."""
    out = set()
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith("-"):
            out.add(re.split(r"[<>=!~\[; ]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return out


def test_every_imported_package_is_declared():
    names = module_files()
    local = {n.split(".")[0] for n in names} | {"engine", "harness", "apptest", "common",
                                               "ws_client", "pretrained"}
    local |= {p.stem for p in (ROOT / "tests").glob("*.py")}
    local |= {p.stem for p in (ROOT / "bench").glob("*.py")}
    local |= {p.stem for p in (ROOT / "pretrained").glob("*.py")}
    local |= {p.stem for p in (ROOT / "deploy").glob("*.py")}
    top = set()
    for folder in ("app", "engine", "tests", "bench", "pretrained", "deploy"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    top |= {a.name.split(".")[0] for a in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    top.add(node.module.split(".")[0])
    third_party = top - set(sys.stdlib_module_names) - local
    dists = metadata.packages_distributions()
    missing = {}
    for module in sorted(third_party):
        found = {d.lower().replace("_", "-") for d in dists.get(module, [module])}
        if not found & declared():
            missing[module] = sorted(found)
    assert not missing, f"imported but not in requirements.txt: {missing}"
