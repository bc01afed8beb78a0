"""`together-catalog`: look models up and check a fine-tuning job from the shell.

Commands::

    together-catalog show MODEL [--json]
    together-catalog list [--lora | --full | --long-context | --serverless CATEGORY
                           | --lora-serverless] [--json]
    together-catalog validate-job --model M [--full] [--training-method sft|dpo]
                                  [--batch-size N|max] [--max-seq-length N]
                                  [--from-checkpoint ID] [--json]

Exit codes: 0 success (for validate-job: the job is valid); 1 the job is invalid, or the
model is unknown to `show`; 2 a usage error (bad option or value). The code is the verdict
even when stdout cannot be written (`| head -c0`, a closed or full stdout): output is best
effort, the verdict is not. Text a stream's encoding cannot show is backslash-escaped.

JSON output (--json) is one object on stdout, whatever the outcome; its keys are stable and
only ever added to (--help still prints help text):

- an error: ``{"error": {"code": str, "message": str}}`` with code ``usage`` (exit 2: any
  option or value argparse refuses, when --json, or a unique prefix of it such as --js, is
  anywhere in argv before a ``--``) or ``unknown-model`` (exit 1: `show` of an id the catalog
  does not list; the message names the closest ids). An unknown model in validate-job is not
  an error but a violation of an invalid job, below.

- validate-job: ``{"valid": bool, "request": {"model", "lora", "training_method",
  "batch_size", "max_seq_length", "from_checkpoint"}, "violations": [{"code", "field",
  "message", "limit", "table", "suggestion"}, ...]}``
- show: ``{"model": str, "fine_tuning": {"lora": limits|null, "full": limits|null,
  "lora_long_context": limits|null}, "serverless": [record, ...],
  "serverless_lora_base": {"ok": bool, "base": str|null, "reason": str}}``, where limits and
  record are the generated records' fields (tuples as lists).
- list: ``{"selection": str, "table": str|null, "models": [record, ...]}``; with no selection
  each record is ``{"model", "fine_tuning": [method, ...], "serverless": [category, ...],
  "serverless_lora_base": bool}``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

from together_catalog._data import SERVERLESS
from together_catalog._frozen import Frozen
from together_catalog.lookup import (
    FINETUNE_METHODS,
    all_model_ids,
    fine_tuning_methods,
    finetune_limits,
    finetune_table_id,
    full_models,
    is_serverless_lora_base,
    long_context_lora_models,
    lora_base,
    lora_base_table_id,
    lora_models,
    serverless_categories_of,
    serverless_lora_base,
    serverless_lora_bases,
    serverless_model,
    serverless_models,
    serverless_table_id,
    unknown,
)
from together_catalog.validate import TRAINING_METHODS, check_finetune_request

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = ["main"]

_LIMIT_COLUMNS = (
    ("context_length_sft", "context SFT"),
    ("context_length_dpo", "context DPO"),
    ("max_batch_size_sft", "max batch SFT"),
    ("max_batch_size_dpo", "max batch DPO"),
    ("min_batch_size", "min batch"),
)
_SERVERLESS_COLUMNS = (
    ("category", "category"),
    ("context_length", "context"),
    ("quantization", "quantization"),
    ("default_steps", "default steps"),
    ("model_size", "size"),
    ("embedding_dimension", "embedding dim"),
    ("max_doc_size_tokens", "max doc tokens"),
    ("max_docs", "max docs"),
    ("endpoint", "endpoint"),
)
_METHOD_IDS = {
    "lora": lora_models,
    "full": full_models,
    "lora_long_context": long_context_lora_models,
}
_METHOD_LABEL = {"lora": "LoRA", "full": "Full", "lora_long_context": "LoRA long-context"}


def _whole(text: str) -> int:
    """A whole number; `8.0` is 8, as the API and the request schema accept it (`8.5` is not)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)  # read as a JSON request's 8.0 is
    except ValueError:
        number = float("nan")
    if not number.is_integer():  # also false for nan and inf
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    return int(number)


def _batch_size(text: str) -> int | str:
    if text == "max":
        return text
    try:
        return _whole(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number or 'max', got {text!r}"
        ) from None


class _UsageError(Exception):
    """What argparse would have printed and exited 2 for; main() prints it as text or JSON."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing and exiting on a usage error, and writes its
    help through `_write` (so a closed pipe or a narrow encoding cannot crash it)."""

    def error(self, message: str) -> NoReturn:
        raise _UsageError(self, message)

    def print_usage(self, file: SupportsWrite[str] | None = None) -> None:
        _write(sys.stdout if file is None else file, self.format_usage())

    def print_help(self, file: SupportsWrite[str] | None = None) -> None:
        _write(sys.stdout if file is None else file, self.format_help())


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="together-catalog",
        description="Offline lookups over Together AI's published model tables.",
        epilog="Exit codes: 0 ok / valid, 1 invalid job or unknown model, 2 usage error.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    show = sub.add_parser("show", help="everything the catalog lists for one model")
    show.add_argument("model", metavar="MODEL")
    show.add_argument("--json", action="store_true", help="stable JSON instead of tables")

    listing = sub.add_parser("list", help="model ids by capability (default: every id)")
    which = listing.add_mutually_exclusive_group()
    which.add_argument("--lora", action="store_const", const="lora", dest="selection")
    which.add_argument("--full", action="store_const", const="full", dest="selection")
    which.add_argument(
        "--long-context", action="store_const", const="lora_long_context", dest="selection"
    )
    which.add_argument("--serverless", choices=list(SERVERLESS), metavar="CATEGORY")
    which.add_argument(
        "--lora-serverless",
        action="store_const",
        const="lora_serverless",
        dest="selection",
        help="serverless LoRA base models",
    )
    listing.add_argument("--json", action="store_true", help="stable JSON instead of a table")

    job = sub.add_parser("validate-job", help="check a fine-tuning job against the limits")
    job.add_argument("--model", required=True)
    job.add_argument("--full", action="store_true", help="full fine-tuning (default: LoRA)")
    job.add_argument("--training-method", choices=TRAINING_METHODS, default="sft")
    job.add_argument("--batch-size", type=_batch_size, default="max", metavar="N|max")
    job.add_argument("--max-seq-length", type=_whole, default=None, metavar="N")
    job.add_argument("--from-checkpoint", default=None, metavar="ID")
    job.add_argument("--json", action="store_true", help="stable JSON instead of text")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code instead of exiting, so it can be called in-process.

    The code is decided by the command alone: output goes through `_write`, which never
    raises, so a reader that left early (`| head`) cannot turn a verdict into another code.
    """
    args_list = sys.argv[1:] if argv is None else list(argv)
    try:
        args = _parser().parse_args(args_list)
    except _UsageError as exc:
        if _wants_json(args_list):
            _print_json(_error("usage", exc.message))
        else:
            usage = exc.parser.format_usage()
            _write(sys.stderr, f"{usage}{exc.parser.prog}: error: {exc.message}\n")
        return 2
    except SystemExit as exc:  # argparse's --help: printed, exit 0
        return exc.code if isinstance(exc.code, int) else 2
    return _run(args)


def _wants_json(argv: Sequence[str]) -> bool:
    """Whether argv asks for --json (or a prefix argparse would expand to it), before `--`."""
    for arg in argv:
        if arg == "--":
            return False
        name = arg.partition("=")[0]
        if len(name) > 2 and "--json".startswith(name):
            return True
    return False


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _run(args: argparse.Namespace) -> int:
    if args.command == "show":
        return _show(args.model, as_json=args.json)
    if args.command == "list":
        selection = args.selection or ("serverless" if args.serverless else "all")
        return _list(selection, args.serverless, as_json=args.json)
    return _validate_job(args)


# --- output helpers --------------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, tuple):
        return ", ".join(str(v) for v in value) or "-"
    return str(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain aligned table: numbers right-aligned, text left-aligned."""
    cells = [[_cell(v) for v in row] for row in rows]
    numeric = [
        all(isinstance(row[i], int) or row[i] is None for row in rows) for i in range(len(headers))
    ]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        parts = [
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(headers), rule, *(line(r) for r in cells)])


def _record(record: Frozen) -> dict[str, Any]:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in record._asdict().items()}


def _print(text: str) -> None:
    _write(sys.stdout, text + "\n")


def _print_json(payload: object) -> None:
    # ensure_ascii: the document is pure ASCII (\uXXXX escapes), so it is valid JSON in any
    # output encoding; backslashreplace would make it invalid.
    _print(json.dumps(payload, indent=2, ensure_ascii=True))


def _write(stream: SupportsWrite[str] | None, text: str) -> None:
    """Write and flush `text`, and never raise: output is best effort, the exit code is not.

    Characters the stream's encoding cannot show (a non-ASCII id under PYTHONIOENCODING=ascii,
    an undecodable argv byte) are backslash-escaped. On a write error (the reader left, a
    full disk) the stream's descriptor is pointed at os.devnull, so what is still buffered
    cannot fail again when Python flushes at exit (which would exit 120).
    """
    if stream is None:  # the descriptor was closed before Python started
        return
    encoding = getattr(stream, "encoding", None)
    if encoding:
        try:
            text.encode(encoding)
        except UnicodeEncodeError:
            text = text.encode(encoding, "backslashreplace").decode(encoding)
        except LookupError:
            pass
    try:
        stream.write(text)
        flush = getattr(stream, "flush", None)
        if flush is not None:
            flush()
    except (OSError, ValueError) as exc:  # ValueError: the stream was closed
        _discard(stream)
        if not isinstance(exc, BrokenPipeError) and stream is not sys.stderr:
            _write(sys.stderr, f"together-catalog: output not written: {exc}\n")


def _discard(stream: object) -> None:
    try:
        fd = stream.fileno()  # type: ignore[attr-defined]
        devnull = os.open(os.devnull, os.O_WRONLY)
    except (AttributeError, OSError, ValueError):  # an in-memory stream: nothing to redirect
        return
    try:
        os.dup2(devnull, fd)
    except OSError:
        pass
    finally:
        os.close(devnull)


# --- show -----------------------------------------------------------------------------------


def _show(model: str, *, as_json: bool) -> int:
    methods = fine_tuning_methods(model)
    categories = serverless_categories_of(model)
    base_listed = is_serverless_lora_base(model)
    if not methods and not categories and not base_listed:
        message = str(unknown(model, all_model_ids(), "the catalog"))
        if as_json:
            _print_json(_error("unknown-model", message))
        else:
            _write(sys.stderr, f"error: {message}\n")
        return 1
    answer = serverless_lora_base(model)
    if as_json:
        _print_json(
            {
                "model": model,
                "fine_tuning": {
                    m: _record(finetune_limits(model, m)) if m in methods else None
                    for m in FINETUNE_METHODS
                },
                "serverless": [_record(serverless_model(model, c)) for c in categories],
                "serverless_lora_base": {
                    "ok": answer.ok,
                    "base": answer.base,
                    "reason": answer.reason,
                },
            }
        )
        return 0
    blocks = [model]
    if methods:
        rows = []
        for m in methods:
            limits = finetune_limits(model, m)
            label = f"{_METHOD_LABEL[m]} ({finetune_table_id(m)})"
            rows.append([label, *(getattr(limits, f) for f, _ in _LIMIT_COLUMNS)])
        blocks.append(_table(["fine-tuning", *(h for _, h in _LIMIT_COLUMNS)], rows))
    else:
        blocks.append("fine-tuning: not listed")
    if categories:
        records = [serverless_model(model, c) for c in categories]
        used = [
            (f, h)
            for f, h in _SERVERLESS_COLUMNS
            if any(getattr(r, f) is not None for r in records) or f == "category"
        ]
        blocks.append(
            _table([h for _, h in used], [[getattr(r, f) for f, _ in used] for r in records])
        )
    else:
        blocks.append("serverless: not listed")
    if base_listed:
        quantization = lora_base(model).quantization
        blocks.append(f"serverless LoRA base: yes ({quantization})")
    else:
        blocks.append(f"serverless LoRA base: no - {answer.reason}")
    _print("\n\n".join(blocks))
    return 0


# --- list -----------------------------------------------------------------------------------


def _list(selection: str, category: str | None, *, as_json: bool) -> int:
    if selection in FINETUNE_METHODS:
        table: str | None = finetune_table_id(selection)
        records: list[Any] = [finetune_limits(m, selection) for m in _METHOD_IDS[selection]()]
        columns = [("model", "model"), *_LIMIT_COLUMNS]
    elif selection == "serverless":
        assert category is not None
        table = serverless_table_id(category)
        records = [serverless_model(m, category) for m in serverless_models(category)]
        columns = [("model", "model")] + [
            (f, h)
            for f, h in _SERVERLESS_COLUMNS
            if f != "category" and any(getattr(r, f) is not None for r in records)
        ]
    elif selection == "lora_serverless":
        table = lora_base_table_id()
        records = [lora_base(m) for m in serverless_lora_bases()]
        columns = [
            ("model", "model"),
            ("organization", "organization"),
            ("quantization", "quantization"),
        ]
    else:
        table = None
        summary: list[dict[str, Any]] = [
            {
                "model": m,
                "fine_tuning": list(fine_tuning_methods(m)),
                "serverless": list(serverless_categories_of(m)),
                "serverless_lora_base": is_serverless_lora_base(m),
            }
            for m in all_model_ids()
        ]
        if as_json:
            _print_json({"selection": "all", "table": None, "models": summary})
            return 0
        rows = [
            [
                s["model"],
                ", ".join(_METHOD_LABEL[m] for m in s["fine_tuning"]) or "-",
                ", ".join(s["serverless"]) or "-",
                "yes" if s["serverless_lora_base"] else "-",
            ]
            for s in summary
        ]
        _print(_table(["model", "fine-tuning", "serverless", "LoRA base"], rows))
        return 0
    if as_json:
        name = f"serverless:{category}" if selection == "serverless" else selection
        _print_json({"selection": name, "table": table, "models": [_record(r) for r in records]})
        return 0
    _print(_table([h for _, h in columns], [[getattr(r, f) for f, _ in columns] for r in records]))
    return 0


# --- validate-job ---------------------------------------------------------------------------


def _validate_job(args: argparse.Namespace) -> int:
    request = {
        "model": args.model,
        "lora": not args.full,
        "training_method": args.training_method,
        "batch_size": args.batch_size,
        "max_seq_length": args.max_seq_length,
        "from_checkpoint": args.from_checkpoint,
    }
    violations = check_finetune_request(
        args.model,
        lora=not args.full,
        training_method=args.training_method,
        batch_size=args.batch_size,
        max_seq_length=args.max_seq_length,
        from_checkpoint=args.from_checkpoint,
    )
    if args.json:
        _print_json(
            {
                "valid": not violations,
                "request": request,
                "violations": [v.to_dict() for v in violations],
            }
        )
        return 1 if violations else 0
    method = "full" if args.full else "LoRA"
    job = f"{method} {args.training_method.upper()} job on {args.model}"
    if not violations:
        _print(f"ok: {job} is within the published limits")
        return 0
    count = len(violations)
    _print(f"invalid: {job} has {count} violation{'s' if count != 1 else ''}")
    rows = [[v.code, v.field, v.limit, v.table] for v in violations]
    _print(_table(["code", "field", "limit", "table"], rows))
    for v in violations:
        _print(f"\n{v.code}: {v.message}")
        if v.suggestion:
            _print(f"  suggestion: {v.suggestion}")
    return 1
