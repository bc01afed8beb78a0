"""`python -m codegen generate [--check] [--out DIR]`: render generated/ from the catalog.

Everything is rendered into memory first, then checked against the catalog it came from
(the docs parsed back by the scraper, the JSON loaded back, the Python data read back with
`ast`), and only then written: the new tree is built in a sibling folder, every file and
folder fsynced, and swapped in with one atomic exchange (`codegen/swap.py`), so a failing
template, check or write, or a run killed at any instant, leaves the old tree or the new one,
never a mix; the next run removes what a killed one left beside it.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from jinja2 import Environment, TemplateError

from catalog import atomic
from catalog.contents import Catalog
from catalog.load import ROOT
from codegen import changes, context, history, schemas, site, swap
from codegen.render import GENERATED_BY, TEMPLATES_DIR, RenderError, environment, fit_lines, render

OUT_DIR = ROOT / "generated"
RUNTIME_DIR = Path(__file__).resolve().parent / "runtime"
PACKAGE = "together_catalog"
#: Files and folders in the output tree that are not ours to compare (interpreter caches).
IGNORED_PARTS = frozenset({"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"})

Files = dict[str, str]


class GenerateError(Exception):
    """Generation failed; nothing was written. The message says which output and why."""


# --- rendering ---------------------------------------------------------------------------


def _typing_imports(families: list[context.IdFamily]) -> list[str]:
    names = {"TypeAlias"}
    names |= {"Literal" if f.members else "Never" for f in families}
    return sorted(names)


def _runtime_files(env: Environment, runtime: Path) -> Iterator[tuple[str, str]]:
    if not runtime.is_dir():
        return
    for path in sorted(runtime.rglob("*.py")):
        rel = path.relative_to(runtime)
        if any(part in IGNORED_PARTS for part in rel.parts):
            continue
        source = f"codegen/runtime/{rel.as_posix()}"
        # The header names the module: a long name makes its first line overlong.
        head = fit_lines(render(env, "_header_py.j2", source=source))
        text = path.read_text(encoding="utf-8")
        yield f"{PACKAGE}/{rel.as_posix()}", head + text


def render_all(
    catalog: Catalog, templates: Path = TEMPLATES_DIR, runtime: Path = RUNTIME_DIR
) -> Files:
    """Every output file, path relative to generated/ -> text. Raises GenerateError."""
    env = environment(templates)
    files: Files = {}
    current = "(setup)"
    try:
        current = "python data modules"
        ctx = context.python_context(catalog)
        for name in ("_records", "_ids", "_data"):
            current = f"{PACKAGE}/{name}.py"
            text = render(
                env,
                f"python/{name}.py.j2",
                source="catalog/",
                typing_imports=_typing_imports(ctx.families),
                families=ctx.families,
                finetune=ctx.finetune,
                serverless=ctx.serverless,
                lora_bases=ctx.lora_bases,
                tables=ctx.tables,
                notes=ctx.notes,
                records=ctx.records,
                finetune_columns=ctx.finetune_columns,
                serverless_columns=ctx.serverless_columns,
            )
            files[current] = fit_lines(text)
        for rel, make in history.outputs(catalog, templates):  # retired rows, changelog
            current = rel
            files[rel] = fit_lines(make())
        files[f"{PACKAGE}/py.typed"] = ""  # PEP 561 marker; must stay empty
        for rel, text in _runtime_files(env, runtime):
            current = rel
            files[rel] = text
        documents = {
            schemas.CATALOG_JSON: schemas.catalog_document(catalog),
            schemas.CATALOG_SCHEMA: schemas.catalog_schema(),
            schemas.REQUEST_SCHEMA: schemas.finetune_request_schema(catalog),
        }
        for rel, document in documents.items():
            current = rel
            files[rel] = render(env, "json/document.json.j2", document=document)
        for page in context.doc_pages(catalog):
            current = f"docs/{page.name}.md"
            files[current] = render(env, "docs/page.md.j2", page=page)
        current = "docs/model-index.md"
        files[current] = render(env, "docs/model-index.md.j2", entries=context.model_index(catalog))
        current = "docs/anomalies.md"
        files[current] = render(env, "docs/anomalies.md.j2", waivers=context.waivers(catalog))
        current = "docs/CHANGES.md"
        files[current] = render(env, "docs/changes.md.j2", entries=changes.change_entries(catalog))
        for rel, make in site.outputs(catalog, templates, runtime):  # the catalog browser
            current = rel
            files[rel] = make()
    except (TemplateError, RenderError) as exc:
        raise GenerateError(f"{current}: {type(exc).__name__}: {exc}") from exc
    return dict(sorted(files.items()))


# --- writing -----------------------------------------------------------------------------


def read_tree(out: Path) -> Files:
    """The files now under `out` (caches ignored); undecodable files read as a marker."""
    found: Files = {}
    if not out.is_dir():
        return found
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out)
        if path.is_dir() or any(p in IGNORED_PARTS for p in rel.parts) or path.suffix == ".pyc":
            continue
        try:
            found[rel.as_posix()] = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            found[rel.as_posix()] = "\0(unreadable)"
    return found


def differences(files: Files, out: Path) -> list[str]:
    """`changed X`, `missing X`, `extra X` for every file where `out` differs from `files`."""
    current = read_tree(out)
    lines = [f"changed {p}" for p in files if p in current and current[p] != files[p]]
    lines += [f"missing {p}" for p in files if p not in current]
    lines += [f"extra {p}" for p in current if p not in files]
    return sorted(lines, key=lambda line: (line.split(" ", 1)[1], line))


#: Bytes at the start of a file searched for the generated-file header (JSON puts it second).
HEADER_SPAN = 512


def _is_generated(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            head = handle.read(HEADER_SPAN)
    except OSError:
        return False
    return GENERATED_BY.encode() in head


def foreign_file(files: Files, out: Path) -> str | None:
    """A file under `out` that replacing the tree would destroy though generate did not make
    it (neither an output nor carrying the generated-file header), or None.

    `--out catalog` must not wipe the source of truth. Interpreter caches do not count; a
    symlink does, since generate never writes one. Visible names are reported before hidden
    ones (the catalog's lock file is not the interesting one).
    """
    for dirpath, dirnames, filenames in os.walk(out):
        base = Path(dirpath)
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_PARTS)
        links = [d for d in dirnames if (base / d).is_symlink()]
        for name in sorted([*filenames, *links], key=lambda n: (n.startswith("."), n)):
            path = base / name
            rel = path.relative_to(out).as_posix()
            if path.suffix == ".pyc" and not path.is_symlink():
                continue
            if path.is_symlink() or (rel not in files and not _is_generated(path)):
                return rel
    return None


def unwritable(out: Path) -> Path | None:
    """A folder generate would have to change but may not (the nearest existing ancestor of
    `out`, or any folder of the tree now at `out`, since the old tree is deleted), or None."""
    anchor = out.parent
    while not anchor.exists() and anchor != anchor.parent:
        anchor = anchor.parent
    if anchor.is_dir() and not os.access(anchor, os.W_OK | os.X_OK):
        return anchor
    if out.is_dir() and not out.is_symlink():
        for dirpath, _dirnames, _files in os.walk(out):
            if not os.access(dirpath, os.W_OK | os.X_OK):
                return Path(dirpath)
    return None


def _refuse(files: Files, out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise GenerateError(f"refusing to replace {out}: it is not a folder")
    foreign = foreign_file(files, out) if out.is_dir() else None
    if foreign is not None:
        raise GenerateError(
            f"refusing to replace {out}: it holds {foreign}, which generate did not write "
            "(choose an empty folder or a generated one)"
        )
    locked = unwritable(out)
    if locked is not None:
        raise GenerateError(f"refusing to write {out}: {locked} is not writable; nothing changed")


def _folders(files: Files) -> list[str]:
    """Every folder the files need, each after its parent."""
    found = {
        "/".join(parts[:i])
        for rel in files
        for parts in [rel.split("/")[:-1]]
        for i in range(1, len(parts) + 1)
    }
    return sorted(found, key=lambda rel: rel.split("/"))


def _build(files: Files, staging: Path) -> None:
    """Write every file under `staging`, each fsynced, then fsync the folders."""
    step = staging
    try:
        folders = _folders(files)
        for rel in folders:
            step = staging / rel
            os.mkdir(step)
        for rel, text in files.items():
            step = staging / rel
            with open(step, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
        step = staging
        os.chmod(staging, atomic.dir_mode())  # mkdtemp's 0700 would hide the tree
        for rel in reversed(folders):
            step = staging / rel
            swap.fsync_dir(step)
        step = staging
        swap.fsync_dir(staging)
        step = staging.parent
        swap.fsync_dir(staging.parent)  # the staging folder's own entry
    except OSError as exc:
        if exc.errno is None or exc.filename is not None:
            raise
        raise type(exc)(exc.errno, exc.strerror, str(step)) from exc


def _unchanged(exc: OSError, out: Path) -> OSError:
    """`exc`, saying that `out` was left as it was (when it carries an errno to say it with)."""
    if exc.errno is None:
        return exc
    note = f"{exc.strerror}; {out} was left as it was"
    return type(exc)(exc.errno, note, exc.filename, None, exc.filename2)


def write_tree(files: Files, out: Path) -> None:
    """Build the tree beside `out`, make it durable, then swap it in in one step
    (`codegen/swap.py`); on any failure before the swap `out` is as it was.

    First undoes what an interrupted run left beside `out`. Raises GenerateError, writing
    nothing, when `out` is not a folder, holds a file that generate did not write, or is not
    writable. Once the new tree is in place, failing to delete the old one is only a warning
    (the next run deletes it).
    """
    out = out.resolve()
    for line in swap.recover(out):
        print(f"generate: {line}", file=sys.stderr)
    _refuse(files, out)
    staging: Path | None = None
    try:
        if not out.parent.is_dir():
            out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=swap.staging_prefix(out), dir=out.parent))
        _build(files, staging)
        previous = swap.publish(staging, out)
    except BaseException as exc:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if isinstance(exc, OSError):
            raise _unchanged(exc, out) from exc
        raise
    try:
        swap.fsync_dir(out.parent)
        if previous is not None:
            shutil.rmtree(previous)
    except OSError as exc:
        where = exc.filename or out.parent
        print(
            f"generate: warning: {out} is written, but {where}: {exc.strerror}; "
            "the next run cleans up",
            file=sys.stderr,
        )


def unchecked(catalog: Catalog) -> str | None:
    """Why `catalog` may not be published: its unwaived violations and stale waivers, as
    `python -m codegen check` finds them (only counted here), or None when it passes."""
    from catalog.check import check as check_rules

    report = check_rules(catalog, use_waivers=True)
    if report.ok:
        return None
    return (
        f"the catalog fails its consistency rules ({len(report.violations)} unwaived "
        f"violations, {len(report.stale)} stale waivers); nothing was written. "
        "Run `python -m codegen check` for the list, then fix the catalog or its waivers"
    )


def _up_to_date(files: Files, target: Path) -> bool:
    """Whether writing would change nothing, after what `write_tree` does first: undo an
    interrupted run and refuse a target it must not replace (so a read-only or foreign
    folder is refused even when current). Then the tree and its timestamps are left alone."""
    out = target.resolve()
    for line in swap.recover(out):
        print(f"generate: {line}", file=sys.stderr)
    if not out.is_dir():
        return False
    _refuse(files, out)
    return not differences(files, out)


def run_generate(
    catalog: Catalog,
    check: bool,
    out: Path | None,
    templates: Path = TEMPLATES_DIR,
    runtime: Path = RUNTIME_DIR,
    *,
    rules: bool = False,
) -> int:
    """Render, verify and write (or, with `check`, compare) the tree; the exit status.

    With `rules` (as `python -m codegen generate` always runs it) a catalog that fails the
    consistency rules is refused first, exit 1: nothing unchecked is published, and
    `--check` does not call a tree current that generate would refuse to write. Tests
    rendering deliberately rule-breaking catalogs leave it off.
    """
    from codegen.verify import VerifyError, verify

    target = out if out is not None else OUT_DIR
    refusal = unchecked(catalog) if rules else None
    if refusal is not None:
        print(f"generate: error: {refusal}", file=sys.stderr)
        return 1
    try:
        files = render_all(catalog, templates, runtime)
        verify(catalog, files)
    except (GenerateError, VerifyError) as exc:
        print(f"generate: error: {exc}", file=sys.stderr)
        return 2
    if check:
        stale = differences(files, target)
        for line in stale:
            print(line)
        if stale:
            print(f"{target} is stale ({len(stale)} files); run: make generate", file=sys.stderr)
            return 1
        print(f"{target} is current ({len(files)} files)")
        return 0
    try:
        if _up_to_date(files, target):
            print(f"{target} is up to date ({len(files)} files)")
            return 0
        write_tree(files, target)
    except GenerateError as exc:
        print(f"generate: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {len(files)} files to {target}")
    return 0
