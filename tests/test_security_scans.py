"""Static security scan: bandit, with the project's configuration
(``[tool.bandit]`` in pyproject.toml), finds no medium or high issue."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BANDIT = Path(sys.executable).with_name("bandit")


def bandit(target: Path) -> dict:
    """Bandit's JSON report on ``target``: medium and high severity only."""
    completed = subprocess.run(
        [
            str(BANDIT),
            "--configfile",
            str(ROOT / "pyproject.toml"),
            "--recursive",
            str(target),
            "--severity-level",
            "medium",
            "--format",
            "json",
            "--quiet",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    # 0: nothing found, 1: issues found; anything else is bandit failing.
    assert completed.returncode in (0, 1), completed.stderr
    return json.loads(completed.stdout)


def _findings(report: dict) -> list[str]:
    return [
        f"{r['filename']}:{r['line_number']} {r['test_id']} "
        f"{r['issue_severity']}: {r['issue_text']}"
        for r in report["results"]
    ]


def test_bandit_finds_no_medium_or_high_issue():
    report = bandit(ROOT / "tumorboard")
    assert report["errors"] == []
    assert _findings(report) == []
    # The package was scanned, not skipped by the configuration.
    assert report["metrics"]["_totals"]["loc"] > 10_000


def test_the_scan_reports_an_unsafe_call(tmp_path):
    (tmp_path / "unsafe.py").write_text(
        "import subprocess\n\n\ndef run(command):\n"
        "    return subprocess.call(command, shell=True)\n"
    )
    findings = _findings(bandit(tmp_path))
    assert len(findings) == 1 and "B602 HIGH" in findings[0]
