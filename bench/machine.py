"""What the numbers were measured on: they mean little without it. That includes the code:
`tree_state` names the commit, and whether the tree held changes it does not contain, and
`write_refusal` keeps bench/RESULTS.md to figures of a commit (a clean tree) unless forced.
"""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from bench.timing import SPEED_REFERENCE, speed_reference_ns

PACKAGES = (
    "together-catalog",
    "litellm",
    "genai-prices",
    "jsonschema",
    "pydantic",
    "ruamel.yaml",
    "markdown-it-py",
    "jinja2",
)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


@dataclass(frozen=True, slots=True)
class TreeState:
    """The code a run measures: HEAD's full hash (None outside a git checkout, or without
    git) and `git status --porcelain` lines for what the tree holds beyond it (untracked
    files included: a new module changes what is measured)."""

    commit: str | None
    changes: tuple[str, ...]

    @property
    def clean(self) -> bool:
        return self.commit is not None and not self.changes

    def describe(self) -> str:
        if self.commit is None:
            return "unknown (not a git checkout)"
        if not self.changes:
            return f"`{self.commit}` (clean tree)"
        count = len(self.changes)
        return f"`{self.commit}` with {count} uncommitted change{'s' if count != 1 else ''}"


def _git(repo: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout


def tree_state(repo: Path, ignore: Path | None = None) -> TreeState:
    """HEAD and the uncommitted changes under `repo`, leaving out `ignore` (the results
    file: a previous run's output is not part of the code measured)."""
    head = _git(repo, "rev-parse", "HEAD")
    status = _git(repo, "status", "--porcelain=v1", "--untracked-files=normal")
    if head is None or status is None:
        return TreeState(None, ())
    skip = None
    if ignore is not None:
        try:
            skip = ignore.resolve().relative_to(repo.resolve()).as_posix()
        except ValueError:  # outside the repository: nothing to leave out
            skip = None
    changes = tuple(line for line in status.splitlines() if line and line[3:] != skip)
    return TreeState(head.strip(), changes)


#: How many changed paths a refusal lists before "and N more".
SHOWN_CHANGES = 5


def write_refusal(out: Path, results: Path, state: TreeState, force: bool) -> str | None:
    """Why the run must not write `out`, or None when it may.

    Only the committed results file is guarded (any other `--out` is a scratch copy): it is
    written from a clean tree, so that the commit it names is exactly the code it measured,
    unless `force` (the file then says the tree had changes).
    """
    if force or out.resolve() != results.resolve() or state.clean:
        return None
    if state.commit is None:
        why = "this is not a git checkout (or git is missing), so no commit can be named"
    else:
        shown = [line[3:] for line in state.changes[:SHOWN_CHANGES]]
        more = len(state.changes) - len(shown)
        listed = ", ".join(shown) + (f" and {more} more" if more > 0 else "")
        why = f"the tree has uncommitted changes ({listed})"
    return (
        f"{results.parent.name}/{results.name} is written only from a clean tree, so that "
        f"the commit it names is the code it measured; {why}. Commit first, write elsewhere "
        "with --out FILE, or pass --force (the results then say the tree had changes)."
    )


def load_average() -> str:
    try:
        one, five, fifteen = os.getloadavg()
    except OSError:
        return "unknown"
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def speed_reference() -> str:
    """bench.timing's speed reference now, for the machine table (lower is faster)."""
    return f"{speed_reference_ns() / 1000:.1f} µs"


def describe(state: TreeState) -> list[tuple[str, str]]:
    """(label, value) pairs for the results' machine table."""
    rows = [
        ("platform", platform.platform()),
        ("CPU", cpu_model()),
        ("cores", str(os.cpu_count())),
        ("Python", f"{platform.python_implementation()} {sys.version.split()[0]}"),
        ("commit", state.describe().replace("`", "")),
        ("load average at start (1/5/15 min)", load_average()),
        (f"speed reference at start (`{SPEED_REFERENCE}`)", speed_reference()),
    ]
    rows += [(f"`{p}`", version(p)) for p in PACKAGES]
    return rows
