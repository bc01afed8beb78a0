"""The CLI's lookup commands: `show` (everything about one model) and `list` (ids by table or
capability). Their columns come from the generated column declarations (FINETUNE_COLUMNS,
SERVERLESS_COLUMNS), so a newly declared column shows up with no edit here.
"""

from __future__ import annotations

from typing import Any

from together_catalog._cli_io import (
    as_of,
    as_of_line,
    fail,
    print_json,
    print_text,
    record_json,
    retired_error_json,
    retirement_json,
    table,
)
from together_catalog._data import SERVERLESS
from together_catalog._records import FINETUNE_COLUMNS, SERVERLESS_COLUMNS
from together_catalog.changes import history
from together_catalog.errors import UnknownModelError
from together_catalog.lookup import (
    FINETUNE_METHODS,
    all_model_ids,
    data_as_of,
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
    serverless_lora_bases,
    serverless_model,
    serverless_table_id,
    unknown,
)
from together_catalog.retired import RetiredModel, retired_error, retirements
from together_catalog.serving import serverless_lora_base

__all__ = ["list_models", "model_history", "show"]

#: The serverless table's columns: its category first, the declared facts, the endpoint last.
_SERVERLESS = (("category", "category"), *SERVERLESS_COLUMNS, ("endpoint", "endpoint"))
_METHOD_IDS = {
    "lora": lora_models,
    "full": full_models,
    "lora_long_context": long_context_lora_models,
}
_METHOD_LABEL = {"lora": "LoRA", "full": "Full", "lora_long_context": "LoRA long-context"}


def _filled(
    columns: tuple[tuple[str, str], ...] | list[tuple[str, str]],
    records: list[Any],
    keep: tuple[str, ...] = (),
) -> list[tuple[str, str]]:
    """The columns some record fills (None in every row: left out), and those in `keep`."""
    return [
        (f, h) for f, h in columns if f in keep or any(getattr(r, f) is not None for r in records)
    ]


def _retired_line(gone: tuple[RetiredModel, ...]) -> str:
    return "retired from: " + "; ".join(
        f"{r.table} (last seen {r.last_seen}"
        + (f", successor {r.successor})" if r.successor else ")")
        for r in gone
    )


def _retired_only(model: str, gone: tuple[RetiredModel, ...], *, as_json: bool) -> int:
    """`show` of an id that only retired rows hold: what left where, and when. Exit 1."""
    error = retired_error(model, [r.table for r in gone])
    message = str(error)
    if as_json:
        print_json(retired_error_json(model, message, gone))
        return 1
    rows = [[r.table, r.last_seen, r.successor] for r in gone]
    body = table(["retired from", "last seen", "successor"], rows)
    print_text(
        f"{model}: retired; Together's docs no longer list it\n\n{body}\n\n"
        f"what changed: together-catalog history {model}"
    )
    return 1


def show(model: str, *, as_json: bool) -> int:
    methods = fine_tuning_methods(model)
    categories = serverless_categories_of(model)
    base_listed = is_serverless_lora_base(model)
    gone = retirements(model)
    if not methods and not categories and not base_listed:
        if gone:
            return _retired_only(model, gone, as_json=as_json)
        message = str(unknown(model, all_model_ids(), "the catalog", fine_tuning=True))
        return fail("unknown-model", message, as_json=as_json)
    answer = serverless_lora_base(model)
    tables = [finetune_table_id(m) for m in methods]
    tables += [serverless_table_id(c) for c in categories]
    tables += [lora_base_table_id()] if base_listed else []
    pages = as_of(tables)
    if as_json:
        print_json(
            {
                "model": model,
                "fine_tuning": {
                    m: record_json(finetune_limits(model, m)) if m in methods else None
                    for m in FINETUNE_METHODS
                },
                "serverless": [record_json(serverless_model(model, c)) for c in categories],
                "serverless_lora_base": {
                    "ok": answer.ok,
                    "base": answer.base,
                    "reason": answer.reason,
                },
                "retired": [retirement_json(r) for r in gone],
                "as_of": pages,
            }
        )
        return 0
    blocks = [model]
    if methods:
        limits = [finetune_limits(model, m) for m in methods]
        used = _filled(FINETUNE_COLUMNS, limits)
        rows = [
            [f"{_METHOD_LABEL[m]} ({finetune_table_id(m)})", *(getattr(r, f) for f, _ in used)]
            for m, r in zip(methods, limits, strict=True)
        ]
        blocks.append(table(["fine-tuning", *(h for _, h in used)], rows))
    else:
        blocks.append("fine-tuning: not listed")
    if categories:
        records = [serverless_model(model, c) for c in categories]
        used = _filled(_SERVERLESS, records, keep=("category",))
        blocks.append(
            table([h for _, h in used], [[getattr(r, f) for f, _ in used] for r in records])
        )
    else:
        blocks.append("serverless: not listed")
    if base_listed:
        quantization = lora_base(model).quantization
        blocks.append(f"serverless LoRA base: yes ({quantization})")
    else:
        blocks.append(f"serverless LoRA base: no - {answer.reason}")
    if gone:
        blocks.append(_retired_line(gone))
    blocks.append(as_of_line(pages))
    print_text("\n\n".join(blocks))
    return 0


def model_history(model: str, *, as_json: bool) -> int:
    """`history`: every recorded change of one model, oldest first. Exit 1 for an id the
    catalog never listed."""
    try:
        changes = history(model)
    except UnknownModelError as exc:
        return fail("unknown-model", str(exc), as_json=as_json)
    gone = retirements(model)
    shown = {c.page for c in changes}
    pages = {p: d for p, d in data_as_of().items() if p in shown}
    if as_json:
        print_json(
            {
                "model": model,
                "changes": [c.to_dict() for c in changes],
                "retired": [retirement_json(r) for r in gone],
                "as_of": pages,
            }
        )
        return 0
    count = len(changes)
    blocks = [f"{model}: {count} recorded change{'s' if count != 1 else ''}"]
    if changes:
        rows = [
            [
                ("~" if c.estimated else "") + c.date,
                c.page,
                c.table,
                c.kind if c.model == model else f"{c.kind} (as {c.model})",
                c.field,
                c.old,
                c.new,
            ]
            for c in changes
        ]
        headers = ["date", "page", "table", "change", "field", "old", "new"]
        blocks.append(table(headers, rows))
        if any(c.estimated for c in changes):
            blocks.append("~ an estimated date: the docs page carried none")
    if gone:
        blocks.append(_retired_line(gone))
    if pages:
        blocks.append(as_of_line(pages))
    print_text("\n\n".join(blocks))
    return 0


def _matches(record: Any, filters: dict[str, Any]) -> bool:
    for field, wanted in filters.items():
        if field == "modality":
            if (record.modality or "").casefold() != wanted.casefold():
                return False
        elif getattr(record, field) is not True:
            return False
    return True


def list_models(
    selection: str, category: str | None, filters: dict[str, Any], *, as_json: bool
) -> int:
    """`list`: one table's rows, the serverless rows passing `filters` (one category or all),
    or a summary of every id."""
    name = selection
    if selection in FINETUNE_METHODS:
        table_id: str | None = finetune_table_id(selection)
        tables = [finetune_table_id(selection)]
        records: list[Any] = [finetune_limits(m, selection) for m in _METHOD_IDS[selection]()]
        columns = [("model", "model"), *_filled(FINETUNE_COLUMNS, records)]
    elif selection == "serverless":
        categories = [category] if category is not None else list(SERVERLESS)
        table_id = serverless_table_id(category) if category is not None else None
        name = f"serverless:{category}" if category is not None else "serverless"
        tables = [serverless_table_id(c) for c in categories]
        records = [r for c in categories for r in SERVERLESS[c].values() if _matches(r, filters)]
        keep = ("category",) if category is None else ()
        shown = _SERVERLESS if category is None else _SERVERLESS[1:]
        columns = [("model", "model"), *_filled(shown, records, keep)]
    elif selection == "lora_serverless":
        table_id = lora_base_table_id()
        tables = [table_id]
        records = [lora_base(m) for m in serverless_lora_bases()]
        columns = [
            ("model", "model"),
            ("organization", "organization"),
            ("quantization", "quantization"),
        ]
    else:
        return _list_all(as_json=as_json)
    pages = as_of(tables)
    if as_json:
        print_json(
            {
                "selection": name,
                "table": table_id,
                "models": [record_json(r) for r in records],
                "filters": filters,
                "as_of": pages,
            }
        )
        return 0
    rows = [[getattr(r, f) for f, _ in columns] for r in records]
    print_text(table([h for _, h in columns], rows) + "\n\n" + as_of_line(pages))
    return 0


def _list_all(*, as_json: bool) -> int:
    summary: list[dict[str, Any]] = [
        {
            "model": m,
            "fine_tuning": list(fine_tuning_methods(m)),
            "serverless": list(serverless_categories_of(m)),
            "serverless_lora_base": is_serverless_lora_base(m),
        }
        for m in all_model_ids()
    ]
    pages = data_as_of()
    if as_json:
        print_json(
            {"selection": "all", "table": None, "models": summary, "filters": {}, "as_of": pages}
        )
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
    text = table(["model", "fine-tuning", "serverless", "LoRA base"], rows)
    print_text(text + "\n\n" + as_of_line(pages))
    return 0
