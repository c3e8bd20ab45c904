"""tumorboard.clinical stands alone: no Flask, no database, no other app module."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import tumorboard.clinical as clinical

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_DIR = ROOT / "tumorboard"
CLINICAL_DIR = PACKAGE_DIR / "clinical"
SOURCES = sorted(CLINICAL_DIR.rglob("*.py"))
FORBIDDEN = [
    "alembic",
    "config",
    "flask",
    "flask_login",
    "flask_migrate",
    "flask_sqlalchemy",
    "flask_wtf",
    "jinja2",
    "psycopg",
    "sqlalchemy",
    "werkzeug",
    "wtforms",
]

# Runs in a fresh interpreter. tumorboard/__init__.py builds the Flask app, and
# Python always imports a package's parent first, so the parent is replaced by
# an empty package: what gets loaded is then only what clinical itself needs.
# Imports of the app's third-party libraries are made to fail outright.
SCRIPT = """
import importlib.abc, json, sys, types
forbidden = set(json.loads(sys.argv[1]))

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in forbidden:
            raise ImportError("blocked: " + name)
        return None

sys.meta_path.insert(0, Block())
before = set(sys.modules)
parent = types.ModuleType("tumorboard")
parent.__path__ = [sys.argv[2]]
sys.modules["tumorboard"] = parent
import tumorboard.clinical
from tumorboard.clinical import applicability, catalogue, scores, staging
staging.ajcc_bone_stage("appendicular", "T1", "N0", "M0", "G1")
new = sorted(set(sys.modules) - before - {"tumorboard"})
print(json.dumps({
    "app": [m for m in new if m.startswith("tumorboard.")
            and not m.startswith("tumorboard.clinical")],
    "third_party": [m for m in new if not m.startswith("tumorboard.")
                    and m.split(".")[0] not in sys.stdlib_module_names],
    "forbidden": [m for m in sys.modules if m.split(".")[0] in forbidden],
}))
"""


def test_clinical_imports_without_flask_or_the_rest_of_the_app(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-I", "-c", SCRIPT, json.dumps(FORBIDDEN), str(PACKAGE_DIR)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    loaded = json.loads(completed.stdout)
    assert loaded == {"app": [], "third_party": [], "forbidden": []}


def _absolute_imports(tree: ast.AST) -> list[tuple[str, int]]:
    """(module, relative level) for every import statement in ``tree``."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((alias.name, 0) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.append((node.module or "", node.level))
    return found


def _source_id(source: Path) -> str:
    return source.relative_to(CLINICAL_DIR).as_posix()


@pytest.mark.parametrize("source", SOURCES, ids=_source_id)
def test_source_imports_only_stdlib_and_clinical(source):
    tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
    # A module in tumorboard/clinical may go up one level (from .x); one in
    # tumorboard/clinical/scores two (from ..x); further would leave clinical.
    depth = len(source.relative_to(CLINICAL_DIR).parts)
    for module, level in _absolute_imports(tree):
        if level:
            assert level <= depth, (
                f"{_source_id(source)}: relative import leaves clinical"
            )
            continue
        top = module.split(".")[0]
        assert (
            top in sys.stdlib_module_names
            or top == "__future__"
            or module == "tumorboard.clinical"
            or module.startswith("tumorboard.clinical.")
        ), f"{_source_id(source)} imports {module}"


@pytest.mark.parametrize("source", SOURCES, ids=_source_id)
def test_no_tumorboard_import_outside_clinical(source):
    text = source.read_text(encoding="utf-8")
    pattern = re.compile(r"^\s*(from|import)\s+tumorboard(?!\.clinical\b)", re.M)
    assert pattern.search(text) is None


def test_package_sources_exist():
    names = {_source_id(p) for p in SOURCES}
    assert {
        "__init__.py",
        "applicability.py",
        "catalogue.py",
        "staging.py",
        "scores/__init__.py",
    } <= names


def test_package_reexports_resolve():
    for name in clinical.__all__:
        assert getattr(clinical, name) is not None, name
