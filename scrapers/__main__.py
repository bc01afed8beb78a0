"""`python -m scrapers parse|reconcile|fetch`: the maintainer's entry to the data-in half."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path

from catalog.load import CATALOG_DIR, CatalogError
from catalog.lock import LockTimeout
from catalog.process import begin, finish
from catalog.transaction import TransactionError
from catalog.yamlio import YamlError
from scrapers import fetch, inputs
from scrapers import reduce as reducer
from scrapers.diff import OlderSnapshot, ReconcileDiff, RemovalRefused
from scrapers.parse import ScrapedPage, ScrapeError, parse_file
from scrapers.reconcile import reconcile

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scrapers", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    parse = sub.add_parser("parse", help="print the tables found in docs pages")
    parse.add_argument("files", nargs="+", type=Path)
    parse.add_argument("--json", action="store_true", help="machine-readable output")
    rec = sub.add_parser(
        "reconcile",
        help="merge docs pages into catalog/, oldest snapshot first",
        description="Merge docs snapshots into catalog/, oldest first. Without FILE: every "
        f"bundled snapshot ({SNAPSHOTS.name}/<page>/<YYYY-MM-DD>.md) dated on or after the "
        "catalog's current one of its page. A snapshot older than that is refused (exit 1).",
    )
    rec.add_argument(
        "files",
        nargs="*",
        type=Path,
        help=f"pages (default: {SNAPSHOTS.name}/<page>/<date>.md from the catalog's as-of on)",
    )
    rec.add_argument("--catalog", type=Path, default=CATALOG_DIR, help="catalog folder")
    rec.add_argument("--dry-run", action="store_true", help="report, write nothing")
    rec.add_argument(
        "--allow-removals",
        action="store_true",
        help="accept rows and non-null cells gone from the docs",
    )
    rec.add_argument("--json", action="store_true", help="machine-readable report")
    rec.add_argument(
        "--page",
        metavar="NAME",
        help="the declared page (catalog/pages.py) FILE is a copy of, e.g. saved by hand",
    )
    rec.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        type=_iso_date,
        help="with --page: the date FILE shows the page as of, when the file gives none",
    )
    rec.add_argument(
        "--source",
        metavar="URL",
        help="with --page: the page's URL, when the file gives none (default: its current URL)",
    )
    reducer.add_parser(sub)
    fetch.add_parser(sub)
    return parser


def _iso_date(text: str) -> str:
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)")


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "reconcile" and args.page is None and (args.as_of or args.source):
        parser.error("--as-of and --source describe a --page FILE; give --page NAME too")
    if args.command == "reconcile" and args.page is not None and len(args.files) != 1:
        parser.error("--page NAME takes exactly one FILE")
    try:
        code = _run(args)
        sys.stdout.flush()  # a reader gone before the last buffered block is caught here
        return code
    except BrokenPipeError:  # `python -m scrapers parse --json F | head`: the reader left
        # Point stdout at /dev/null so the flush at exit does not fail a second time.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _run(args: argparse.Namespace) -> int:
    try:
        if args.command == "fetch":
            return fetch.command(args)  # reports its own errors, one line each, exit 2
        if args.command == "reduce":
            return reducer.command(args)
        if args.command == "parse":
            pages = [parse_file(f) for f in args.files]
            tables = [t for p in pages for t in p.to_json()]
            if args.json:
                print(json.dumps({"tables": tables}, indent=2, ensure_ascii=False))
            else:
                for t in tables:
                    print(f"{t['table']}: {len(t['rows'])} rows ({t['section']})")
            return 0
        pages = [
            inputs.with_provenance(
                parse_file(f), name=args.page, as_of=args.as_of, source=args.source
            )
            for f in args.files
        ]
        report = reconcile(
            pages,
            args.catalog,
            dry_run=args.dry_run,
            allow_removals=args.allow_removals,
            select=None if args.files else _bundled,
        )
    except (RemovalRefused, OlderSnapshot) as exc:
        _print_report(exc.report, as_json=args.json)
        print(f"reconcile: refused: {fetch.one_line(str(exc))}", file=sys.stderr)
        return 1
    except (ScrapeError, CatalogError, YamlError, LockTimeout, TransactionError) as exc:
        # TransactionError names its file (CatalogChanged: edited while reconcile ran).
        print(f"error: {fetch.one_line(str(exc))}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        raise  # stdout, not a file: handled by main
    except OSError as exc:  # e.g. an unwritable catalog folder
        where = f"{exc.filename}: " if exc.filename else ""  # never "error: : ..."
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    _print_report(report, as_json=args.json)
    return 0


def _bundled(as_of: dict[str, dt.date]) -> list[ScrapedPage]:
    """The bundled snapshots of each page from the catalog's current as-of on."""
    return [inputs.with_provenance(parse_file(f)) for f in inputs.bundled(SNAPSHOTS, as_of)]


def _print_report(report: ReconcileDiff, *, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False, default=str))
    else:
        print("\n".join(report.lines()))


if __name__ == "__main__":
    begin()
    finish(main())
