"""The package as a user gets it: the wheel and sdist built from this tree, the wheel installed
into a fresh virtual environment holding nothing else, and used there the way README.pypi.md
says. About half a minute: two builds (`python -m build --no-isolation`, with hatchling from
the dev extra, so nothing is downloaded) and one venv.

Checked: the wheel's exact file list (the generated package, py.typed, the data files that
`together_catalog.resources` serves, LICENSE) with every file byte-equal to generated/; the
sdist's exact file list, and that the sdist builds the same wheel; in the venv, the README's
Python examples, every CLI subcommand, the data files, and the metadata a package index shows
(version, licence, project URLs, classifiers, long description).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import GENERATED_DIR, ROOT

PYPI_README = ROOT / "README.pypi.md"
DIST = "together_catalog"
#: Data files in the wheel (under together_catalog/data/) -> where generated/ holds them.
DATA_FILES = {
    "catalog.json": "data/catalog.json",
    "catalog.schema.json": "schema/catalog.schema.json",
    "finetune-request.schema.json": "schema/finetune-request.schema.json",
    "CHANGES.md": "docs/CHANGES.md",  # the data changelog, packaged once generate writes it
}
URLS = ("Homepage", "Source", "Issues", "Changelog")
PYTHONS = ("3.11", "3.12", "3.13")


def _run(
    command: list[str], cwd: Path, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"{result.args}\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _build(source: Path, out: Path, *targets: str) -> None:
    _ok(
        _run(
            [sys.executable, "-m", "build", "--no-isolation", *targets, "-o", str(out), "."], source
        )
    )


def _one(folder: Path, pattern: str) -> Path:
    (found,) = folder.glob(pattern)
    return found


def _wheel_files(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _present_data() -> dict[str, Path]:
    """The data files this tree has (the changelog may not exist yet): name -> its source."""
    sources = {name: GENERATED_DIR / rel for name, rel in DATA_FILES.items()}
    return {name: path for name, path in sources.items() if path.is_file()}


@dataclass(frozen=True)
class Dist:
    wheel: Path
    sdist: Path
    rebuilt: Path  # the wheel built from the unpacked sdist
    unpacked: Path  # the sdist, unpacked


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    work = tmp_path_factory.mktemp("dist")
    _build(ROOT, work / "dist", "--sdist", "--wheel")
    sdist = _one(work / "dist", "*.tar.gz")
    with tarfile.open(sdist) as archive:
        archive.extractall(work / "unpacked", filter="data")
    unpacked = _one(work / "unpacked", "together_catalog-*")
    _build(unpacked, work / "rebuilt", "--wheel")
    return Dist(_one(work / "dist", "*.whl"), sdist, _one(work / "rebuilt", "*.whl"), unpacked)


@dataclass(frozen=True)
class Venv:
    root: Path
    python: Path
    cwd: Path  # an empty folder: nothing of the repository is importable from it

    @property
    def env(self) -> dict[str, str]:
        path = f"{self.root / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin"
        return {"PATH": path, "HOME": str(self.cwd), "LC_ALL": "C.UTF-8"}

    def run(self, *command: str) -> subprocess.CompletedProcess[str]:
        return _run(list(command), self.cwd, timeout=120, env=self.env)

    def py(self, code: str) -> str:
        return _ok(self.run(str(self.python), "-I", "-c", code))


@pytest.fixture(scope="module")
def venv(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A new venv without pip or anything else, and the wheel installed into it (with this
    environment's pip, told to ignore every index and config)."""
    root = tmp_path_factory.mktemp("venv") / "env"
    _ok(_run([sys.executable, "-m", "venv", "--without-pip", str(root)], ROOT))
    python = root / "bin" / "python"
    install = [sys.executable, "-m", "pip", "--isolated", "--disable-pip-version-check"]
    install += ["--python", str(python), "install", "--no-deps", "--no-index", str(dist.wheel)]
    _ok(_run(install, ROOT))
    cwd = tmp_path_factory.mktemp("elsewhere")
    return Venv(root, python, cwd)


# --- the archives ------------------------------------------------------------------------


def test_wheel_holds_the_package_its_data_and_licence_and_nothing_else(dist: Dist) -> None:
    files = _wheel_files(dist.wheel)
    version = _installed_version(files)
    info = f"together_catalog-{version}.dist-info"
    package = {
        f"{DIST}/{rel.relative_to(GENERATED_DIR / DIST).as_posix()}": rel
        for rel in sorted((GENERATED_DIR / DIST).rglob("*"))
        if rel.is_file() and "__pycache__" not in rel.parts and rel.suffix != ".pyc"
    }
    data = {f"{DIST}/data/{name}": path for name, path in _present_data().items()}
    meta = {"METADATA", "WHEEL", "RECORD", "entry_points.txt", "licenses/LICENSE"}
    assert set(files) == {*package, *data, *(f"{info}/{m}" for m in meta)}
    for name, source in {**package, **data}.items():
        assert files[name] == source.read_bytes(), f"{name} differs from {source}"
    assert files[f"{DIST}/py.typed"] == b""
    assert files[f"{info}/licenses/LICENSE"] == (ROOT / "LICENSE").read_bytes()
    assert (
        b"[console_scripts]\ntogether-catalog = together_catalog.cli:main"
        in files[f"{info}/entry_points.txt"]
    )


def _installed_version(files: dict[str, bytes]) -> str:
    names = {n.split("/")[0] for n in files if n.endswith(".dist-info/METADATA")}
    (info,) = names
    return info.removeprefix("together_catalog-").removesuffix(".dist-info")


def test_sdist_holds_what_the_wheel_is_built_from_and_nothing_stray(dist: Dist) -> None:
    with tarfile.open(dist.sdist) as archive:
        names = {m.name.split("/", 1)[1] for m in archive.getmembers() if m.isfile()}
    package = {n for n in names if n.startswith("generated/together_catalog/")}
    assert {n.rsplit("/", 1)[1] for n in package} == {
        p.name for p in (GENERATED_DIR / DIST).iterdir() if p.is_file()
    }
    data = {f"generated/{rel}" for rel in DATA_FILES.values() if (GENERATED_DIR / rel).is_file()}
    top = {"pyproject.toml", "PKG-INFO", "README.pypi.md", "LICENSE", ".gitignore"}
    top.add("codegen/runtime/__init__.py")  # where hatch reads the version
    assert names == package | data | top
    assert not {"README.md", "bench/README.md", "Makefile"} & names


def test_the_sdist_builds_the_same_wheel(dist: Dist) -> None:
    assert dist.rebuilt.name == dist.wheel.name
    ours, theirs = _wheel_files(dist.wheel), _wheel_files(dist.rebuilt)
    assert sorted(ours) == sorted(theirs)
    differing = [n for n in ours if ours[n] != theirs[n] and not n.endswith("/RECORD")]
    assert differing == []


def test_the_data_changelog_is_packaged_once_it_exists(dist: Dist, tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(dist.unpacked, source)
    changes = source / "generated" / "docs" / "CHANGES.md"
    changes.parent.mkdir(exist_ok=True)
    if not changes.exists():
        changes.write_text("# Data changelog\n", encoding="utf-8")
    _build(source, tmp_path / "out", "--sdist", "--wheel")
    wheel = _wheel_files(_one(tmp_path / "out", "*.whl"))
    assert wheel[f"{DIST}/data/CHANGES.md"] == changes.read_bytes()
    with tarfile.open(_one(tmp_path / "out", "*.tar.gz")) as archive:
        assert any(m.name.endswith("/generated/docs/CHANGES.md") for m in archive.getmembers())


def test_the_version_is_written_in_one_place() -> None:
    """pyproject.toml reads it from the package (hatch's dynamic version): no second copy."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in project["project"]
    assert project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"] == {"path": "codegen/runtime/__init__.py"}
    source = (ROOT / "codegen" / "runtime" / "__init__.py").read_text(encoding="utf-8")
    assert len(re.findall(r'^__version__ = "[0-9][^"]*"$', source, flags=re.M)) == 1


# --- the installed package ---------------------------------------------------------------


def test_installed_from_the_wheel_not_the_repository(venv: Venv) -> None:
    where = venv.py("import together_catalog; print(together_catalog.__file__)").strip()
    assert Path(where).is_relative_to(venv.root)
    listed = venv.py(
        "import importlib.metadata as m\n"
        "print(sorted(d.metadata['Name'] for d in m.distributions()))"
    )
    assert listed.strip() == "['together-catalog']"  # nothing else in the venv, not even pip


def _python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def test_readme_python_examples_run_as_shown(venv: Venv) -> None:
    blocks = _python_blocks(PYPI_README.read_text(encoding="utf-8"))
    assert len(blocks) >= 2
    for block in blocks:
        printed = venv.py(block)
        shown = re.search(r"^# (batch-size-too-large .*?)\.\.\.$", block, flags=re.M)
        if shown is not None:
            assert printed.startswith(shown.group(1))


def _subcommands(help_text: str) -> list[str]:
    section = help_text.split("positional arguments:", 1)[1].split("options:", 1)[0]
    return re.findall(r"^    ([a-z][a-z-]*)", section, flags=re.M)


def test_every_cli_subcommand_runs(venv: Venv) -> None:
    cli = str(venv.root / "bin" / "together-catalog")
    subcommands = _subcommands(_ok(venv.run(cli, "--help")))
    assert {"show", "list", "validate-job"} <= set(subcommands)
    for name in subcommands:
        assert venv.run(cli, name, "--help").returncode == 0, name
    shown = venv.run(cli, "show", "Qwen/Qwen3.5-9B")
    assert shown.returncode == 0 and "finetune-lora" in shown.stdout
    for selection in ([], ["--lora"], ["--full"], ["--serverless", "chat"], ["--lora-serverless"]):
        listed = venv.run(cli, "list", *selection)
        assert listed.returncode == 0 and listed.stdout.strip(), selection
    job = ["validate-job", "--model", "Qwen/Qwen3.5-9B", "--training-method", "dpo"]
    assert venv.run(cli, *job, "--batch-size", "8").returncode == 0
    invalid = venv.run(cli, *job, "--batch-size", "16", "--json")
    assert invalid.returncode == 1
    assert json.loads(invalid.stdout)["violations"][0]["code"] == "batch-size-too-large"
    unknown = venv.run(cli, "show", "no/such-model")
    assert unknown.returncode == 1
    usage = venv.run(cli, "list", "--no-such-option")
    assert usage.returncode == 2
    module = venv.run(str(venv.python), "-I", "-m", "together_catalog", "show", "Qwen/Qwen3.5-9B")
    assert module.returncode == 0 and module.stdout == shown.stdout


def test_the_readme_commands_are_ones_the_cli_has(venv: Venv) -> None:
    cli = str(venv.root / "bin" / "together-catalog")
    help_text = _ok(venv.run(cli, "--help"))
    known = set(_subcommands(help_text)) | set(re.findall(r"--[a-z-]+", help_text))
    text = PYPI_README.read_text(encoding="utf-8")
    used = re.findall(r"^together-catalog (\S+)", text, flags=re.M)
    assert used
    assert [word for word in used if word not in known] == []


def test_cli_version_when_it_has_one(venv: Venv) -> None:
    cli = str(venv.root / "bin" / "together-catalog")
    if "--version" not in _ok(venv.run(cli, "--help")):
        pytest.skip("the CLI has no --version option")
    version = venv.py("import together_catalog; print(together_catalog.__version__)").strip()
    assert version in _ok(venv.run(cli, "--version"))


def test_py_typed_and_the_data_files_are_installed(venv: Venv, dist: Dist) -> None:
    probe = """
import json, pathlib, together_catalog
from together_catalog import resources
package = pathlib.Path(together_catalog.__file__).parent
report = {
    "py_typed": (package / "py.typed").is_file(),
    "names": list(resources.names()),
    "paths": {n: str(resources.path(n)) for n in resources.names()},
    "texts": {n: resources.text(n) for n in resources.names()},
}
try:
    resources.text("nope.json")
except KeyError as exc:
    report["unknown"] = str(exc)
print(json.dumps(report))
"""
    report = json.loads(venv.py(probe))
    present = _present_data()
    assert report["py_typed"] is True
    assert report["names"] == sorted(present)
    for name, source in present.items():
        assert Path(report["paths"][name]).is_relative_to(venv.root)
        assert Path(report["paths"][name]).parent.name == "data"
        assert report["texts"][name] == source.read_text(encoding="utf-8")
    assert all(name in report["unknown"] for name in DATA_FILES)


def test_import_stays_light_and_does_not_load_resources(venv: Venv) -> None:
    loaded = venv.py(
        "import sys, together_catalog\n"
        "print(sorted(m for m in ('together_catalog.resources', 'importlib.metadata', 'typing')"
        " if m in sys.modules))"
    )
    assert loaded.strip() == "[]"


def _metadata(venv: Venv) -> dict[str, object]:
    probe = """
import json, importlib.metadata as m, together_catalog
d = m.distribution("together-catalog")
meta = d.metadata
print(json.dumps({
    "version": d.version,
    "package_version": together_catalog.__version__,
    "license": meta["License-Expression"],
    "license_files": meta.get_all("License-File") or [],
    "urls": meta.get_all("Project-URL") or [],
    "classifiers": meta.get_all("Classifier") or [],
    "requires_python": meta["Requires-Python"],
    "requires": d.requires or [],
    "content_type": meta["Description-Content-Type"],
    "description": meta.get_payload(),
    "files": sorted(str(f) for f in d.files or []),
}))
"""
    result: dict[str, object] = json.loads(venv.py(probe))
    return result


def test_metadata_a_package_index_shows(venv: Venv) -> None:
    meta = _metadata(venv)
    assert meta["version"] == meta["package_version"]
    assert meta["license"] == "MIT"
    assert meta["license_files"] == ["LICENSE"]
    assert any(f.endswith(".dist-info/licenses/LICENSE") for f in _strs(meta["files"]))
    urls = dict(u.split(", ", 1) for u in _strs(meta["urls"]))
    assert sorted(urls) == sorted(URLS)
    assert all(
        u.startswith("https://github.com/together-catalog/together-catalog") for u in urls.values()
    )
    classifiers = _strs(meta["classifiers"])
    assert "Typing :: Typed" in classifiers
    assert {f"Programming Language :: Python :: {v}" for v in PYTHONS} <= set(classifiers)
    assert not [c for c in classifiers if c.startswith("License ::")]  # the expression says it
    assert meta["requires_python"] == ">=3.11"
    assert all("extra ==" in r for r in _strs(meta["requires"]))  # no runtime dependency
    assert meta["content_type"] == "text/markdown"
    assert meta["description"] == PYPI_README.read_text(encoding="utf-8")


def _strs(value: object) -> list[str]:
    assert isinstance(value, list)
    return [str(v) for v in value]


def test_readme_links_are_absolute() -> None:
    """PyPI shows the long description away from the repository: relative links would break."""
    text = PYPI_README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)]+)\)", text) + re.findall(r"<(https?://[^>]+)>", text)
    assert targets
    assert [t for t in targets if not t.startswith("https://")] == []
