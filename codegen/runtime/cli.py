"""`together-catalog`: look models up, read prices and check a fine-tuning job from the shell.

Commands::

    together-catalog --version
    together-catalog show MODEL [--json]
    together-catalog history MODEL [--json]
    together-catalog list [--lora | --full | --long-context | --serverless CATEGORY
                           | --lora-serverless] [--function-calling] [--structured-outputs]
                          [--modality TEXT] [--json]
    together-catalog price MODEL [--category C] [--input-tokens N --output-tokens N
                                  [--cached-input-tokens N]] [--json]
    together-catalog validate-job (--model M | --from-checkpoint ID) [--lora | --full]
                                  [--training-method sft|dpo] [--batch-size N|max]
                                  [--max-seq-length N] [--lora-r N]
                                  [--gradient-accumulation-steps N] [--train-vision] [--json]

Exit codes: 0 success (for validate-job: the job is valid); 1 the job is invalid, the model
is unknown to `show`, `history` or `price`, retired (listed by no current table: `show`; by
none of the serverless tables: `price`), or `price` was asked a cost its model publishes no
price for; 2 a usage error (bad option or value). The code is the verdict even when stdout cannot
be written (`| head -c0`, a closed or full stdout): output is best effort, the verdict is
not. Text a stream's encoding cannot show is backslash-escaped. `--version` prints the
package version and the as-of date of every docs page the data was read from.

JSON output (--json) is one object on stdout, whatever the outcome; its keys are stable and
only ever added to (--help still prints help text). ``as_of`` is always the docs pages the
rows shown were read from, each with the ISO date of its snapshot: ``{page: date}``.

- an error: ``{"error": {"code": str, "message": str}}`` with code ``usage`` (exit 2: any
  option or value argparse refuses, when --json, or a unique prefix of it such as --js, is
  anywhere in argv before a ``--``), ``unknown-model`` (exit 1: `show`, `history` or
  `price` of an id the catalog does not list; the message names the closest ids),
  ``retired-model`` (exit 1: `show` of an id that only retired rows hold, or `price` of one
  no serverless table lists any more; the error then also carries ``"model"`` and
  ``"retired": [retirement, ...]``, below) or ``price-not-published`` (exit 1: a `price`
  cost for a model not priced by tokens). An unknown or retired model in validate-job is not
  an error but a violation of an invalid job, below.
- a retirement: ``{"table": str, "last_seen": str, "successor": str|null}``, the table the
  docs stopped listing the model in, the ISO as-of date of the last snapshot that listed it
  there, and the current id of that table that evidently succeeds it.

- validate-job: ``{"valid": bool, "request": {"model", "lora", "training_method",
  "batch_size", "max_seq_length", "from_checkpoint", "lora_r",
  "gradient_accumulation_steps", "train_vision"}, "violations": [{"code", "field",
  "message", "limit", "table", "suggestion"}, ...], "as_of"}``
- show: ``{"model": str, "fine_tuning": {"lora": limits|null, "full": limits|null,
  "lora_long_context": limits|null}, "serverless": [record, ...],
  "serverless_lora_base": {"ok": bool, "base": str|null, "reason": str}, "retired":
  [retirement, ...], "as_of"}``, where limits and record are the generated records' fields
  (tuples as lists; prices as the published decimal text) and ``retired`` the tables that
  no longer list it (usually empty).
- history: ``{"model": str, "changes": [{"date", "page", "table", "kind", "field", "old",
  "new", "model", "estimated"}, ...], "retired": [retirement, ...], "as_of"}``, changes
  oldest first (`together_catalog.Change`), ``as_of`` the pages they were read from; an id
  with no recorded change has none.
- list: ``{"selection": str, "table": str|null, "models": [record, ...], "filters":
  {field: value}, "as_of"}``; selection is a table ("lora", ..., "serverless:CATEGORY",
  "lora_serverless"), "serverless" (filters over every category: table null) or "all",
  where each record is ``{"model", "fine_tuning": [method, ...], "serverless":
  [category, ...], "serverless_lora_base": bool}``.
- price: ``{"model", "category", "prices": {name: {"amount": str, "unit": str, "text":
  str}|null, ...}, "estimate": {"input_tokens", "output_tokens", "cached_input_tokens",
  "cost_usd": str}|null, "as_of"}``; amounts are exact decimal strings in USD, names as
  `together_catalog.ModelPrices` (input, cached_input, output, token, per_megapixel,
  per_video, rate).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from together_catalog._cli_args import UsageError, build_parser, check_combinations, wants_json
from together_catalog._cli_io import error, print_json, write

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code instead of exiting, so it can be called in-process.

    The code is decided by the command alone: output goes through `write`, which never
    raises, so a reader that left early (`| head`) cannot turn a verdict into another code.
    """
    args_list = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    try:
        args = parser.parse_args(args_list)
        check_combinations(parser, args)
    except UsageError as exc:
        if wants_json(args_list):
            print_json(error("usage", exc.message))
        else:
            usage = exc.parser.format_usage()
            write(sys.stderr, f"{usage}{exc.parser.prog}: error: {exc.message}\n")
        return 2
    except SystemExit as exc:  # argparse's --help and --version: printed, exit 0
        return exc.code if isinstance(exc.code, int) else 2
    return _run(args)


def _run(args: argparse.Namespace) -> int:
    if args.command == "show":
        from together_catalog._cli_show import show

        return show(args.model, as_json=args.json)
    if args.command == "history":
        from together_catalog._cli_show import model_history

        return model_history(args.model, as_json=args.json)
    if args.command == "list":
        from together_catalog._cli_show import list_models

        filters: dict[str, object] = {}
        if args.function_calling:
            filters["function_calling"] = True
        if args.structured_outputs:
            filters["structured_outputs"] = True
        if args.modality is not None:
            filters["modality"] = args.modality
        selection = args.selection or ("serverless" if args.serverless or filters else "all")
        return list_models(selection, args.serverless, filters, as_json=args.json)
    if args.command == "price":
        from together_catalog._cli_job import price

        return price(args)
    from together_catalog._cli_job import validate_job

    return validate_job(args)
