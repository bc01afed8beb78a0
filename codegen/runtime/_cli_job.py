"""The CLI's question-answering commands: `validate-job` (a fine-tuning job against the
published limits) and `price` (a serverless model's published prices, and what a request
costs at them)."""

from __future__ import annotations

import argparse
from typing import Any

from together_catalog._cli_io import (
    as_of,
    as_of_line,
    fail,
    print_json,
    print_text,
    retired_error_json,
    table,
)
from together_catalog.lookup import FINETUNE_METHODS, finetune_table_id, serverless_table_id
from together_catalog.validate import check_finetune_request

__all__ = ["price", "validate_job"]


def validate_job(args: argparse.Namespace) -> int:
    request: dict[str, Any] = {
        "model": args.model,
        "lora": args.lora,
        "training_method": args.training_method,
        "batch_size": args.batch_size,
        "max_seq_length": args.max_seq_length,
        "from_checkpoint": args.from_checkpoint,
        "lora_r": args.lora_r,
        "gradient_accumulation_steps": args.gradient_accumulation_steps,
        "train_vision": args.train_vision,
    }
    violations = check_finetune_request(**request)
    # The verdict is read from the fine-tuning tables, whichever rows it used.
    pages = as_of(finetune_table_id(m) for m in FINETUNE_METHODS)
    if args.json:
        print_json(
            {
                "valid": not violations,
                "request": request,
                "violations": [v.to_dict() for v in violations],
                "as_of": pages,
            }
        )
        return 1 if violations else 0
    method = args.training_method.upper()
    if args.model is not None:
        job = f"{'full' if args.lora is False else 'LoRA'} {method} job on {args.model}"
    else:
        kind = {None: "", True: "LoRA ", False: "full "}[args.lora]
        job = f"{kind}{method} job from checkpoint {args.from_checkpoint}"
    dated = f" ({as_of_line(pages)})" if pages else ""
    if not violations:
        print_text(f"ok: {job} is within the published limits{dated}")
        return 0
    count = len(violations)
    print_text(f"invalid: {job} has {count} violation{'s' if count != 1 else ''}{dated}")
    rows = [[v.code, v.field, v.limit, v.table] for v in violations]
    print_text(table(["code", "field", "limit", "table"], rows))
    for v in violations:
        print_text(f"\n{v.code}: {v.message}")
        if v.suggestion:
            print_text(f"  suggestion: {v.suggestion}")
    return 1


def price(args: argparse.Namespace) -> int:
    from together_catalog.errors import (
        PriceNotPublishedError,
        RetiredModelError,
        UnknownModelError,
    )
    from together_catalog.prices import PRICE_FIELDS, estimate_cost
    from together_catalog.prices import price as published

    try:
        prices = published(args.model, args.category)
    except RetiredModelError as exc:
        if not args.json:
            return fail("retired-model", str(exc), as_json=False)
        from together_catalog.retired import retirements

        print_json(retired_error_json(args.model, str(exc), retirements(args.model)))
        return 1
    except UnknownModelError as exc:
        return fail("unknown-model", str(exc), as_json=args.json)
    estimate: dict[str, Any] | None = None
    if args.input_tokens is not None:
        counts = {
            "input_tokens": args.input_tokens,
            "output_tokens": args.output_tokens,
            "cached_input_tokens": args.cached_input_tokens or 0,
        }
        try:
            cost = estimate_cost(args.model, category=prices.category, **counts)
        except PriceNotPublishedError as exc:
            return fail("price-not-published", str(exc), as_json=args.json)
        estimate = {**counts, "cost_usd": str(cost)}
    pages = as_of([serverless_table_id(prices.category)])
    if args.json:
        print_json(
            {
                "model": prices.model,
                "category": prices.category,
                "prices": {
                    name: None
                    if value is None
                    else {"amount": str(value.amount), "unit": value.unit, "text": value.text}
                    for name in PRICE_FIELDS
                    for value in [getattr(prices, name)]
                },
                "estimate": estimate,
                "as_of": pages,
            }
        )
        return 0
    head = f"{prices.model} (serverless {prices.category})"
    found = prices.published()
    if found:
        rows = [[name, value.text, value.unit] for name, value in found.items()]
        body = table(["price", "published", "unit"], rows)
    else:
        body = "no prices published"
    blocks = [head, body]
    if estimate is not None:
        blocks.append(
            f"cost: ${estimate['cost_usd']} for {estimate['input_tokens']} input tokens "
            f"({estimate['cached_input_tokens']} cached) and {estimate['output_tokens']} "
            "output tokens"
        )
    blocks.append(as_of_line(pages))
    print_text("\n\n".join(blocks))
    return 0
