"""The code's shape: layer contracts, the request transaction boundary, module size."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "tumorboard"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

#: Modules allowed past the size limit, because they are declarative data.
DECLARATIVE = {"clinical/catalogue.py"}
MAX_LINES = 500


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """Run import-linter with the project's contracts over the package in ``root``."""
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / ".importlinter"), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_layer_contracts_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout


@pytest.mark.parametrize(
    ("module", "upward"),
    [
        # An import inside a function still reaches upward.
        ("cases/services.py", "tumorboard.recommendations.models"),
        ("auth/permissions.py", "tumorboard.cases.models"),
        ("db.py", "tumorboard.auth.models"),
        ("clinical/staging.py", "tumorboard.db"),
    ],
)
def test_an_upward_import_breaks_a_contract(tmp_path, module, upward):
    shutil.copytree(
        PACKAGE, tmp_path / "tumorboard", ignore=shutil.ignore_patterns("__pycache__")
    )
    target = tmp_path / "tumorboard" / module
    target.write_text(
        target.read_text() + f"\n\ndef _reach_up():\n    import {upward}  # noqa\n"
    )
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert upward in result.stdout


def _view_modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if path.name.endswith("views.py") or path.parent.name == "views"
    )


def test_views_never_commit_or_roll_back():
    offenders = []
    for path in _view_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and node.attr in {"commit", "rollback"}
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "session"
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert _view_modules(), "no view modules found"
    assert offenders == []


def test_views_leave_service_errors_to_the_boundary():
    offenders = []
    for path in _view_modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                names = {
                    n.id if isinstance(n, ast.Name) else getattr(n, "attr", "")
                    for n in ast.walk(node.type)
                }
                if names & {"ServiceError", "AccessDenied", "InvalidInput", "Conflict"}:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_no_module_outgrows_one_responsibility():
    too_long = {
        str(path.relative_to(PACKAGE)): length
        for path in PACKAGE.rglob("*.py")
        if (length := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert set(too_long) <= DECLARATIVE, too_long
    for name in DECLARATIVE:
        docstring = ast.get_docstring(ast.parse((PACKAGE / name).read_text())) or ""
        assert "declarative" in docstring.lower(), name
