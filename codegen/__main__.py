"""`python -m codegen validate|check|generate`: the maintainer's entry to the data-out half.

Exit codes: 0 success; 1 a finding (rule violation, stale waiver, stale generated/);
2 the catalog cannot be loaded, or a path cannot be read or written.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from catalog.load import CATALOG_DIR, CatalogError, load_catalog
from catalog.process import begin, finish


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__)
    parser.add_argument("--catalog", type=Path, default=CATALOG_DIR, help="catalog folder")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("validate", help="load catalog/ through the pydantic models")
    check = sub.add_parser("check", help="run the consistency rules against the waivers")
    check.add_argument("--json", action="store_true", help="machine-readable findings")
    check.add_argument("--no-waivers", action="store_true", help="report waived violations too")
    check.add_argument(
        "--verbose",
        action="store_true",
        help="list the waived violations too (by default: only what fails, and a summary)",
    )
    gen = sub.add_parser("generate", help="render generated/ from catalog/")
    gen.add_argument(
        "--check", action="store_true", help="compare instead of writing; exit 1 if stale"
    )
    gen.add_argument("--out", type=Path, default=None, help="output folder (default: generated/)")
    ysch = sub.add_parser("yaml-schema", help="write catalog/schema/*.json from the models")
    ysch.add_argument(
        "--check", action="store_true", help="compare instead of writing; exit 1 if stale"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        code = _generate(args) if args.command == "generate" else _run(args)
        sys.stdout.flush()  # a reader that left surfaces here, not as a warning at exit
        return code
    except BrokenPipeError:  # `python -m codegen check | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except CatalogError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # an --out or --catalog path that cannot be written or read
        where = f"{exc.filename}: " if exc.filename is not None else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.command == "yaml-schema":  # from the models alone; the catalog need not load
        from codegen.yaml_schema import run

        return run(args.catalog, check=args.check)
    catalog = load_catalog(args.catalog)
    if args.command == "validate":
        rows = sum(len(t.rows) for t in catalog.tables.values())
        print(f"catalog ok: {len(catalog.tables)} tables, {rows} rows")
        return 0
    if args.command == "check":
        from catalog.check import run_check

        return run_check(
            catalog, as_json=args.json, use_waivers=not args.no_waivers, verbose=args.verbose
        )
    from codegen.generate import run_generate

    return run_generate(catalog, check=args.check, out=args.out, rules=True)


def _generate(args: argparse.Namespace) -> int:
    """generate: under the catalog's writer lock, so that two runs (or a reconcile) never
    interleave; `--check` only reads, so it takes none (a read-only checkout can run it)."""
    if args.check or not args.catalog.is_dir():  # a missing catalog: load_catalog says so
        return _run(args)
    from catalog import lock

    try:
        with lock.writer_lock(args.catalog, timeout=lock.DEFAULT_TIMEOUT, who="generate"):
            return _run(args)
    except lock.LockTimeout as exc:
        print(f"generate: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    begin()
    finish(main())
