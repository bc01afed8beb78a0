"""A quiet, honest make: `make help` lists every target, and the check step says one line
unless asked for more (`VERBOSE=1`, or `python -m codegen check --verbose`), so that plain
`make` on a fresh clone prints at most 30 lines of its own besides pip's.

The full `make` is not run here (it rewrites the shared tree and installs packages):
`make -n` lists what it would echo, and the steps it runs are measured one by one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys

import pytest

from catalog.rules import RULES
from tests.conftest import ROOT

#: Make's stamp for an installed .venv.
STAMP = ".venv/.installed"
#: Lines plain `make` may print on a fresh clone, pip's own output aside (the issue's budget).
BUDGET = 30
MAKEFILE = ROOT / "Makefile"


def _make(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`make ARGS` at the root with this interpreter as the venv's (`PY=`), and its stamp
    taken as current (`-o`): make neither creates nor reinstalls a venv here."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "VERBOSE"))}
    return subprocess.run(
        ["make", "--no-print-directory", "-o", STAMP, f"PY={sys.executable}", *args],
        cwd=ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _check(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "codegen", "check", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr == ""
    return done.stdout.splitlines()


def test_check_prints_one_summary_line_when_everything_passes_or_is_waived() -> None:
    (line,) = _check()
    assert re.fullmatch(
        rf"ok: {len(RULES)} rules, 0 unwaived violations, \d+ waived"
        r"( \(listed with --verbose\))?, 0 stale waivers(, \d+ on retired rows)?",
        line,
    )


def test_check_verbose_lists_the_waived_violations() -> None:
    """--verbose adds a line per waived violation and per historical waiver (a waived row the
    docs no longer list), as many of each as the summary counts."""
    lines = _check("--verbose")
    waived = [line for line in lines if line.startswith("waived ")]
    historical = [line for line in lines if line.startswith("historical ")]
    assert len(waived) + len(historical) == len(lines) - 1
    count = int(re.search(r"(\d+) waived", lines[-1]).group(1))  # type: ignore[union-attr]
    assert len(waived) == count
    past = re.search(r"(\d+) on retired rows", lines[-1])
    assert len(historical) == (int(past.group(1)) if past else 0)
    assert "listed with --verbose" not in lines[-1]


def _targets() -> list[str]:
    """Every rule in the Makefile (`name: ...`, not `NAME := value`), in file order."""
    text = MAKEFILE.read_text(encoding="utf-8")
    names = re.findall(r"^([a-z][a-z-]*):(?!=)", text, flags=re.M)
    return list(dict.fromkeys(names))


def test_help_lists_every_target_with_its_description() -> None:
    done = _make("-s", "help")
    assert done.returncode == 0, done.stderr
    listed = [line.split()[0] for line in done.stdout.splitlines() if line.strip()]
    assert listed == _targets()
    for line in done.stdout.splitlines():
        assert len(line.split(None, 1)) == 2, f"no description: {line!r}"


def test_every_target_is_phony() -> None:
    text = MAKEFILE.read_text(encoding="utf-8")
    (phony,) = re.findall(r"^\.PHONY: (.*)$", text, flags=re.M)
    assert set(_targets()) <= set(phony.split())


def test_make_check_prints_one_line_and_verbose_lists_the_waived() -> None:
    quiet = _make("-s", "check")
    assert quiet.returncode == 0, quiet.stdout + quiet.stderr
    assert quiet.stdout.splitlines() == _check()
    verbose = _make("-s", "check", VERBOSE="1")
    assert verbose.returncode == 0, verbose.stdout + verbose.stderr
    assert verbose.stdout.splitlines() == _check("--verbose")
    assert len(verbose.stdout.splitlines()) > 1


def test_pip_runs_quiet_and_without_its_version_check() -> None:
    text = MAKEFILE.read_text(encoding="utf-8")
    assert "PIP := $(PY) -m pip --quiet --disable-pip-version-check" in text
    calls = [line for line in text.splitlines() if "-m pip" in line]
    assert calls == ["PIP := $(PY) -m pip --quiet --disable-pip-version-check"]


def _steps() -> list[list[str]]:
    """What plain `make` runs after setup, each in a mode that writes nothing but prints
    what the real step prints on a fresh clone (whose tree is already current)."""
    return [
        ["scrapers", "reconcile", "--dry-run"],
        ["codegen", "yaml-schema", "--check"],
        ["codegen", "check"],
        ["codegen", "generate", "--check"],
    ]


def test_plain_make_on_a_fresh_clone_stays_within_30_lines_besides_pip() -> None:
    # Every command make would echo on a fresh clone, setup included (-B: remake all).
    echoed = subprocess.run(
        ["make", "--no-print-directory", "-n", "-B", "all"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert echoed.returncode == 0, echoed.stderr
    commands = echoed.stdout.splitlines()
    assert [c for c in commands if "-m scrapers" in c or "-m codegen" in c] == [
        f".venv/bin/python -m {' '.join(s[:2])}" for s in _steps()
    ]
    printed = 0
    for step in _steps():
        done = subprocess.run(
            [sys.executable, "-m", *step],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        printed += len((done.stdout + done.stderr).splitlines())
    assert len(commands) + printed <= BUDGET
