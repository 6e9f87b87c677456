"""engine/ imports only torch, numpy and the standard library: never streamlit or plotly."""

import pkgutil
import subprocess
import sys
from pathlib import Path

import engine

ROOT = Path(__file__).resolve().parents[1]
UI_PACKAGES = ("streamlit", "plotly")


def engine_modules() -> list[str]:
    """Every module under engine/, found on disk so new modules are covered."""
    return ["engine"] + [m.name for m in pkgutil.walk_packages(engine.__path__, "engine.")]


def test_the_named_modules_exist():
    assert {"engine.cells", "engine.trace", "engine.lee"} <= set(engine_modules())


def test_engine_never_imports_ui_packages():
    modules = engine_modules()
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        f"{UI_PACKAGES!r})\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_the_documented_import_line():
    code = ("import engine, engine.cells, engine.trace, engine.lee; import sys; "
            "assert not any(m.split('.')[0] in ('streamlit','plotly') for m in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
