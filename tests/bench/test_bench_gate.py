"""What decides whether bench/RESULTS.md is written and how `python -m bench` exits: the
commit and the tree's changes, the clean-tree rule (and --force, and --out elsewhere), and
--check's verdict. No benchmark runs here: `--only none` measures nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import bench.__main__ as bench_main
from bench import machine, report
from bench.report import Verdict

GIT_ENV = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.invalid",
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_SYSTEM": "/dev/null",
    "PATH": "/usr/bin:/bin",
}


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], env=GIT_ENV, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for key, value in GIT_ENV.items():
        if key != "PATH":
            monkeypatch.setenv(key, value)
    root = tmp_path / "repo"
    (root / "bench").mkdir(parents=True)
    (root / "code.py").write_text("x = 1\n")
    (root / "bench" / "RESULTS.md").write_text("old results\n")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "init")
    return root


def test_a_clean_tree_names_its_full_commit(repo: Path) -> None:
    state = machine.tree_state(repo)
    assert state.commit is not None and len(state.commit) == 40
    assert state.clean and state.changes == ()
    assert state.describe() == f"`{state.commit}` (clean tree)"


def test_edits_and_new_files_make_the_tree_dirty(repo: Path) -> None:
    (repo / "code.py").write_text("x = 2\n")
    (repo / "new.py").write_text("")
    state = machine.tree_state(repo)
    assert not state.clean
    assert sorted(line[3:] for line in state.changes) == ["code.py", "new.py"]
    assert state.describe().endswith("with 2 uncommitted changes")


def test_the_results_file_itself_does_not_count(repo: Path) -> None:
    results = repo / "bench" / "RESULTS.md"
    results.write_text("a previous run's output\n")
    assert not machine.tree_state(repo).clean
    assert machine.tree_state(repo, ignore=results).clean


def test_outside_a_checkout_there_is_no_commit(tmp_path: Path) -> None:
    state = machine.tree_state(tmp_path)
    assert state == machine.TreeState(None, ())
    assert not state.clean


def test_the_results_file_is_written_only_from_a_clean_tree(tmp_path: Path) -> None:
    results = tmp_path / "bench" / "RESULTS.md"
    clean = machine.TreeState("a" * 40, ())
    dirty = machine.TreeState("a" * 40, tuple(f" M f{i}.py" for i in range(7)))
    assert machine.write_refusal(results, results, clean, force=False) is None
    assert machine.write_refusal(results, results, dirty, force=True) is None
    assert machine.write_refusal(tmp_path / "elsewhere.md", results, dirty, force=False) is None
    refusal = machine.write_refusal(results, results, dirty, force=False)
    assert refusal is not None
    assert refusal.startswith("bench/RESULTS.md is written only from a clean tree")
    assert "(f0.py, f1.py, f2.py, f3.py, f4.py and 2 more)" in refusal
    assert "--force" in refusal and "--out FILE" in refusal
    nowhere = machine.write_refusal(results, results, machine.TreeState(None, ()), force=False)
    assert nowhere is not None and "not a git checkout" in nowhere


def _verdicts(*met: bool | None) -> list[Verdict]:
    return [Verdict(f"target {i}", "x", m) for i, m in enumerate(met)]


def test_check_exits_1_only_on_a_missed_target() -> None:
    assert report.missed(_verdicts(True, None, False)) == [Verdict("target 2", "x", False)]
    assert bench_main.exit_status(_verdicts(True, None), check=True) == 0
    assert bench_main.exit_status(_verdicts(True, False), check=True) == 1
    assert bench_main.exit_status(_verdicts(True, False), check=False) == 0


@pytest.fixture
def results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """bench/RESULTS.md redirected to a temporary file."""
    path = tmp_path / "bench" / "RESULTS.md"
    path.parent.mkdir()
    monkeypatch.setattr(bench_main, "RESULTS", path)
    return path


def _tree(monkeypatch: pytest.MonkeyPatch, *states: machine.TreeState) -> None:
    """tree_state answers `states` in turn (before the run, after it)."""
    answers = iter(states)
    monkeypatch.setattr(machine, "tree_state", lambda repo, ignore=None: next(answers))


def test_main_refuses_a_dirty_tree_before_running(
    results: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _tree(monkeypatch, machine.TreeState("b" * 40, (" M code.py",)))
    assert bench_main.main(["--only", "none", "--out", str(results)]) == 2
    assert not results.exists()
    assert "(code.py)" in capsys.readouterr().err


def test_main_writes_the_commit_it_measured(results: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    clean = machine.TreeState("c" * 40, ())
    _tree(monkeypatch, clean, clean)
    assert bench_main.main(["--only", "none", "--out", str(results), "--check"]) == 0
    assert f"measuring commit `{'c' * 40}` (clean tree);" in results.read_text()


def test_main_refuses_when_the_tree_changed_during_the_run(
    results: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = machine.TreeState("c" * 40, ())
    _tree(monkeypatch, clean, machine.TreeState("d" * 40, ()))
    assert bench_main.main(["--only", "none", "--out", str(results)]) == 2
    assert not results.exists()


def test_main_with_force_writes_and_says_the_tree_had_changes(
    results: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dirty = machine.TreeState("e" * 40, (" M code.py",))
    _tree(monkeypatch, dirty, dirty)
    assert bench_main.main(["--only", "none", "--out", str(results), "--force"]) == 0
    assert f"measuring commit `{'e' * 40}` with 1 uncommitted change;" in results.read_text()


def test_main_check_exits_1_when_a_target_is_missed(
    results: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = machine.TreeState("f" * 40, ())
    _tree(monkeypatch, clean, clean, clean, clean)
    monkeypatch.setattr(report, "targets", lambda *args: _verdicts(True, False))
    assert bench_main.main(["--only", "none", "--out", str(results), "--check"]) == 1
    assert results.exists()  # the figures are written either way
    assert bench_main.main(["--only", "none", "--out", str(results)]) == 0
