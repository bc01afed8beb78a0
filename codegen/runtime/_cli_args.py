"""The CLI's argument parsing: the commands and options, and usage errors that main() prints
as text or as a JSON document instead of argparse's print-and-exit."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from together_catalog._cli_io import write
from together_catalog._data import SERVERLESS
from together_catalog.validate import TRAINING_METHODS

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

__all__ = ["Parser", "UsageError", "build_parser", "version_text", "wants_json"]


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


def _count(text: str) -> int:
    """A whole number of tokens, 0 or more."""
    number = _whole(text)
    if number < 0:
        raise argparse.ArgumentTypeError(f"expected a count of 0 or more, got {text!r}")
    return number


def _batch_size(text: str) -> int | str:
    if text == "max":
        return text
    try:
        return _whole(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected a whole number or 'max', got {text!r}"
        ) from None


class UsageError(Exception):
    """What argparse would have printed and exited 2 for; main() prints it as text or JSON."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser = parser
        self.message = message


class Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing and exiting on a usage error, and writes its
    help and version through `write` (so a closed pipe or a narrow encoding cannot crash it)."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(self, message)

    def print_usage(self, file: SupportsWrite[str] | None = None) -> None:
        write(sys.stdout if file is None else file, self.format_usage())

    def print_help(self, file: SupportsWrite[str] | None = None) -> None:
        write(sys.stdout if file is None else file, self.format_help())

    def _print_message(self, message: str, file: SupportsWrite[str] | None = None) -> None:
        if message:
            write(sys.stderr if file is None else file, message)


def version_text() -> str:
    """The package version and the as-of date of every docs page the data was read from."""
    import together_catalog
    from together_catalog.lookup import data_as_of

    pages = data_as_of()
    width = max((len(page) for page in pages), default=0)
    lines = [f"together-catalog {together_catalog.__version__}", "data as of:"]
    lines += [f"  {page.ljust(width)}  {date}" for page, date in pages.items()]
    return "\n".join(lines)


class _Version(argparse.Action):
    """--version: computed when asked for (it reads the data's provenance), then exit 0."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and data dates")

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        write(sys.stdout, version_text() + "\n")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="together-catalog",
        description="Offline lookups over Together AI's published model tables.",
        epilog="Exit codes: 0 ok / valid, 1 invalid job, unknown or retired model, 2 usage error.",
    )
    parser.add_argument("--version", action=_Version)
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
    filters = listing.add_argument_group("serverless filters (all categories unless --serverless)")
    filters.add_argument(
        "--function-calling", action="store_true", help="only models published with tools: Yes"
    )
    filters.add_argument(
        "--structured-outputs",
        action="store_true",
        help="only models published with structured outputs: Yes",
    )
    filters.add_argument(
        "--modality", metavar="TEXT", help="only models of this modality (any case)"
    )
    listing.add_argument("--json", action="store_true", help="stable JSON instead of a table")

    changes = sub.add_parser("history", help="what the docs changed for one model, oldest first")
    changes.add_argument("model", metavar="MODEL")
    changes.add_argument("--json", action="store_true", help="stable JSON instead of a table")

    price = sub.add_parser("price", help="a serverless model's published prices, and a cost")
    price.add_argument("model", metavar="MODEL")
    price.add_argument("--category", choices=list(SERVERLESS), metavar="CATEGORY")
    price.add_argument("--input-tokens", type=_count, metavar="N")
    price.add_argument("--output-tokens", type=_count, metavar="N")
    price.add_argument(
        "--cached-input-tokens", type=_count, metavar="N", help="of the input tokens"
    )
    price.add_argument("--json", action="store_true", help="stable JSON instead of text")

    job = sub.add_parser("validate-job", help="check a fine-tuning job against the limits")
    job.add_argument("--model")
    job.add_argument("--from-checkpoint", default=None, metavar="ID")
    kind = job.add_mutually_exclusive_group()
    kind.add_argument("--lora", action="store_const", const=True, dest="lora", help="a LoRA job")
    kind.add_argument(
        "--full",
        action="store_const",
        const=False,
        dest="lora",
        help="full fine-tuning (default: the API decides, LoRA from a model)",
    )
    job.add_argument("--training-method", choices=TRAINING_METHODS, default="sft")
    job.add_argument("--batch-size", type=_batch_size, default="max", metavar="N|max")
    job.add_argument("--max-seq-length", type=_whole, default=None, metavar="N")
    job.add_argument("--lora-r", type=_whole, default=None, metavar="N", help="LoRA rank")
    job.add_argument("--gradient-accumulation-steps", type=_whole, default=None, metavar="N")
    job.add_argument(
        "--train-vision", action="store_true", help="train the vision encoder (-VLM models)"
    )
    job.add_argument("--json", action="store_true", help="stable JSON instead of text")
    return parser


def check_combinations(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Usage rules argparse cannot state: raise UsageError (exit 2) for a broken one."""
    sub = _subparser(parser, args.command)
    if args.command == "validate-job" and args.model is None and args.from_checkpoint is None:
        sub.error("one of the arguments --model --from-checkpoint is required")
    if args.command == "list" and args.selection is not None and _has_filters(args):
        sub.error(
            "--function-calling, --structured-outputs and --modality filter serverless "
            "models: use them alone or with --serverless"
        )
    if args.command == "price":
        counts = (args.input_tokens, args.output_tokens)
        if (counts[0] is None) != (counts[1] is None):
            sub.error("--input-tokens and --output-tokens go together")
        if args.cached_input_tokens is not None:
            if counts[0] is None:
                sub.error("--cached-input-tokens needs --input-tokens and --output-tokens")
            elif args.cached_input_tokens > args.input_tokens:
                sub.error(
                    "--cached-input-tokens counts input tokens, so it cannot exceed --input-tokens"
                )


def _has_filters(args: argparse.Namespace) -> bool:
    return bool(args.function_calling or args.structured_outputs or args.modality is not None)


def _subparser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            found: argparse.ArgumentParser = action.choices[command]
            return found
    return parser


def wants_json(argv: Sequence[str]) -> bool:
    """Whether argv asks for --json (or a prefix argparse would expand to it), before `--`."""
    for arg in argv:
        if arg == "--":
            return False
        name = arg.partition("=")[0]
        if len(name) > 2 and "--json".startswith(name):
            return True
    return False
