"""Lookups over the generated tables: limits by id, ids by capability, serverless records.

Every lookup is a plain dict access on data built at import, so a hit costs well under a
microsecond; only a miss does extra work: a `RetiredModelError` when the table once listed
the id (the retired rows are imported then), else ranking the closest ids for the
`UnknownModelError` message. Lists are tuples in the docs' row order, so output is stable and
matches what Together publishes.
"""

from __future__ import annotations

from together_catalog._data import (
    CONTACT_ONLY_PREFIXES,
    FULL,
    LORA,
    LORA_BASES,
    LORA_LONG_CONTEXT,
    RECOMMENDED,
    SERVERLESS,
    TABLES,
)
from together_catalog._records import FineTuneLimits, LoraBase, ServerlessModel, TableInfo
from together_catalog.errors import UnknownModelError, closest_ids

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (import-time budget)
if TYPE_CHECKING:
    from collections.abc import Collection, Mapping
    from typing import Final

    from together_catalog._aliases import FineTuneMethod

__all__ = [
    "FINETUNE_METHODS",
    "FineTuneMethod",
    "all_model_ids",
    "contact_only_prefix",
    "data_as_of",
    "fine_tunable_models",
    "fine_tuning_methods",
    "finetune_limits",
    "finetune_table_id",
    "full_models",
    "is_serverless_lora_base",
    "job_limits",
    "long_context_lora_models",
    "lora_base",
    "lora_base_table_id",
    "lora_models",
    "recommended_model",
    "serverless_categories",
    "serverless_categories_of",
    "serverless_lora_bases",
    "serverless_model",
    "serverless_models",
    "serverless_table_id",
    "table_info",
    "table_title",
]


def __getattr__(name: str) -> object:
    # The `FineTuneMethod` alias needs `typing`; it is imported only when first asked for.
    if name == "FineTuneMethod":
        from together_catalog._aliases import FineTuneMethod

        globals()[name] = FineTuneMethod
        return FineTuneMethod
    if name in {"ServerlessLoraAnswer", "serverless_lora_base"}:  # moved to serving
        from together_catalog import serving

        return getattr(serving, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


FINETUNE_METHODS: Final[tuple[FineTuneMethod, ...]] = ("lora", "full", "lora_long_context")

_BY_METHOD: Final[Mapping[str, Mapping[str, FineTuneLimits]]] = {
    "lora": LORA,
    "full": FULL,
    "lora_long_context": LORA_LONG_CONTEXT,
}
_METHOD_TITLE: Final[Mapping[str, str]] = {
    "lora": "LoRA fine-tuning",
    "full": "full fine-tuning",
    "lora_long_context": "long-context LoRA fine-tuning",
}
# Table ids come from the generated provenance, not from a hard-coded spelling here.
_TABLE_OF_METHOD: Final[Mapping[str, str]] = {
    info.method: table_id
    for table_id, info in TABLES.items()
    if info.kind == "finetune" and info.method is not None
}
_TABLE_OF_CATEGORY: Final[Mapping[str, str]] = {
    info.category: table_id
    for table_id, info in TABLES.items()
    if info.kind == "serverless" and info.category is not None
}

#: The row a LoRA job is held to: the LoRA table, or the long-context table for a model that
#: only appears there (none today; the rule is the API's, the data may change).
LORA_JOB: Final[Mapping[str, FineTuneLimits]] = {
    **{m: r for m, r in LORA_LONG_CONTEXT.items() if m not in LORA},
    **LORA,
}

_FINE_TUNABLE: Final[tuple[str, ...]] = tuple(dict.fromkeys([*LORA, *FULL, *LORA_LONG_CONTEXT]))


def _index_serverless() -> dict[str, tuple[ServerlessModel, ...]]:
    index: dict[str, tuple[ServerlessModel, ...]] = {}
    for rows in SERVERLESS.values():
        for model, record in rows.items():
            index[model] = (*index.get(model, ()), record)
    return index


_SERVERLESS_BY_ID: Final[Mapping[str, tuple[ServerlessModel, ...]]] = _index_serverless()
_ALL_IDS: Final[tuple[str, ...]] = tuple(
    dict.fromkeys([*_FINE_TUNABLE, *_SERVERLESS_BY_ID, *LORA_BASES])
)


def _unknown_method(method: object) -> ValueError:
    return ValueError(f"unknown fine-tuning method {method!r}; expected one of {list(_BY_METHOD)}")


def _unknown_category(category: object) -> ValueError:
    return ValueError(
        f"unknown serverless category {category!r}; expected one of {list(SERVERLESS)}"
    )


def finetune_table_id(method: str) -> str:
    """The catalog table id ("finetune-lora", ...) behind a fine-tuning method."""
    try:
        return _TABLE_OF_METHOD[method]
    except KeyError:
        raise _unknown_method(method) from None


def serverless_table_id(category: str) -> str:
    """The catalog table id ("serverless-chat", ...) behind a serverless category."""
    try:
        return _TABLE_OF_CATEGORY[category]
    except KeyError:
        raise _unknown_category(category) from None


def lora_base_table_id() -> str:
    """The catalog table id of the serverless LoRA base list."""
    return next(t for t, info in TABLES.items() if info.kind == "serverless_lora_base")


def _listed_in(model: str) -> tuple[str, ...]:
    tables = [_TABLE_OF_METHOD[m] for m, rows in _BY_METHOD.items() if model in rows]
    tables += [_TABLE_OF_CATEGORY[r.category] for r in _SERVERLESS_BY_ID.get(model, ())]
    if model in LORA_BASES:
        tables.append(lora_base_table_id())
    return tuple(tables)


def contact_only_prefix(model: str) -> str | None:
    """The contact-only family prefix `model` belongs to, whatever its case, and with or
    without its namespace ("Meta-Llama-3.1-405B-Instruct"); None when it belongs to none."""
    folded = model.casefold()
    name = folded.rpartition("/")[2]
    for prefix in CONTACT_ONLY_PREFIXES:
        family = prefix.casefold()
        if folded.startswith(family) or name.startswith(family.rpartition("/")[2]):
            return prefix
    return None


def contact_only_hint(prefix: str) -> str:
    return (
        f"models starting with {prefix!r} are fine-tuned only by arrangement with "
        "Together's sales team, not through the API"
    )


def table_title(table: str) -> str:
    """How messages name a catalog table: "the LoRA fine-tuning table (finetune-lora)"."""
    info = TABLES[table]
    title = _METHOD_TITLE.get(info.method or "")
    if info.kind == "finetune" and title is not None:
        return f"the {title} table ({table})"
    if info.kind == "serverless":
        return f"the serverless {info.category} table ({table})"
    return f"the serverless LoRA base list ({table})"


def unknown(
    model: object,
    pool: tuple[str, ...] | list[str],
    where: str,
    *,
    fine_tuning: bool = False,
    tables: tuple[str, ...] = (),
) -> UnknownModelError:
    """The error for a miss: a RetiredModelError when one of `tables` (those searched)
    retired the id; else closest ids from `pool`, plus the tables that do list it; for a
    fine-tuning lookup of a contact-only family, a hint saying so instead of suggestions."""
    if not isinstance(model, str):
        return UnknownModelError(repr(model), (), where + " (model ids are strings)")
    listed_in = _listed_in(model)
    if tables:
        from together_catalog.retired import retired_error

        retired = retired_error(model, tables, listed_in)
        if retired is not None:
            return retired
    prefix = contact_only_prefix(model) if fine_tuning else None
    hint = contact_only_hint(prefix) if prefix is not None else None
    return UnknownModelError(model, closest_ids(model, pool), where, listed_in, hint)


def finetune_limits(model: str, method: FineTuneMethod = "lora") -> FineTuneLimits:
    """The published row for `model` in one fine-tuning table (LoRA unless told otherwise)."""
    try:
        return _BY_METHOD[method][model]
    except KeyError:
        if method not in _BY_METHOD:
            raise _unknown_method(method) from None
        table = _TABLE_OF_METHOD[method]
        where = f"the {_METHOD_TITLE[method]} table ({table})"
        pool = tuple(_BY_METHOD[method])
        raise unknown(model, pool, where, fine_tuning=True, tables=(table,)) from None
    except TypeError:  # unhashable id
        raise unknown(model, (), "the fine-tuning tables") from None


def job_limits(model: str, *, lora: bool | None = None) -> FineTuneLimits:
    """The row a fine-tuning job is held to, with the SDK's `lora` flag (None means LoRA)."""
    rows = FULL if lora is False else LORA_JOB
    try:
        return rows[model]
    except (KeyError, TypeError):
        method = "full" if lora is False else "lora"
        where = f"the {_METHOD_TITLE[method]} table ({_TABLE_OF_METHOD[method]})"
        tables = job_tables(lora)
        raise unknown(model, tuple(rows), where, fine_tuning=True, tables=tables) from None


def job_tables(lora: object) -> tuple[str, ...]:
    """The tables a job's row comes from, with the SDK's `lora` flag: the Full table for
    False, the LoRA table (then the long-context one) for None or True, and every fine-tuning
    table for anything else."""
    if lora is False:
        return (_TABLE_OF_METHOD["full"],)
    if lora is None or lora is True:
        return tuple(_TABLE_OF_METHOD[m] for m in ("lora", "lora_long_context"))
    return tuple(_TABLE_OF_METHOD[m] for m in FINETUNE_METHODS)


def fine_tuning_methods(model: str) -> tuple[FineTuneMethod, ...]:
    """The tables that list `model`, in the docs' table order (empty when none do)."""
    return tuple(m for m in FINETUNE_METHODS if model in _BY_METHOD[m])


def lora_models() -> tuple[str, ...]:
    """Ids in the LoRA fine-tuning table."""
    return tuple(LORA)


def full_models() -> tuple[str, ...]:
    """Ids in the full fine-tuning table."""
    return tuple(FULL)


def long_context_lora_models() -> tuple[str, ...]:
    """Ids in the long-context LoRA fine-tuning table."""
    return tuple(LORA_LONG_CONTEXT)


def fine_tunable_models() -> tuple[str, ...]:
    """Every id in any fine-tuning table, first appearance order."""
    return _FINE_TUNABLE


def all_model_ids() -> tuple[str, ...]:
    """Every id the catalog lists anywhere: fine-tuning, serverless, serverless LoRA bases."""
    return _ALL_IDS


def serverless_categories() -> tuple[str, ...]:
    """The serverless categories, in the docs' order ("chat", "image", ...)."""
    return tuple(SERVERLESS)


def serverless_models(category: str) -> tuple[str, ...]:
    """Ids of one serverless category; an unknown category is a ValueError naming the valid."""
    try:
        return tuple(SERVERLESS[category])
    except (KeyError, TypeError):
        raise _unknown_category(category) from None


def serverless_categories_of(model: str) -> tuple[str, ...]:
    """The categories that list `model` (a few models appear in two, e.g. chat and code)."""
    return tuple(r.category for r in _SERVERLESS_BY_ID.get(model, ()))


def serverless_model(model: str, category: str | None = None) -> ServerlessModel:
    """A serverless model's record; without `category`, its first listing in docs order."""
    if category is None:
        try:
            return _SERVERLESS_BY_ID[model][0]
        except (KeyError, TypeError):
            tables = tuple(_TABLE_OF_CATEGORY.values())
            pool = tuple(_SERVERLESS_BY_ID)
            raise unknown(model, pool, "the serverless tables", tables=tables) from None
    try:
        rows = SERVERLESS[category]
    except (KeyError, TypeError):
        raise _unknown_category(category) from None
    try:
        return rows[model]
    except (KeyError, TypeError):
        table = _TABLE_OF_CATEGORY[category]
        where = f"the serverless {category} table ({table})"
        raise unknown(model, tuple(rows), where, tables=(table,)) from None


def recommended_model(category: str) -> str | None:
    """The model the docs recommend for a serverless category, when they name one."""
    return RECOMMENDED.get(category)


def serverless_lora_bases() -> tuple[str, ...]:
    """Ids on the serverless LoRA base list (the only bases adapters are served on)."""
    return tuple(LORA_BASES)


def lora_base(model: str) -> LoraBase:
    """A serverless LoRA base's record."""
    try:
        return LORA_BASES[model]
    except (KeyError, TypeError):
        where = "the serverless LoRA base list"
        tables = (lora_base_table_id(),)
        raise unknown(model, tuple(LORA_BASES), where, tables=tables) from None


def is_serverless_lora_base(model: str) -> bool:
    """Whether adapters trained on `model` can be served serverless as published."""
    return model in LORA_BASES


def table_info(table: str) -> TableInfo:
    """Provenance of a catalog table: page, section, URL, snapshot date, columns as published."""
    try:
        return TABLES[table]
    except (KeyError, TypeError):
        raise ValueError(f"unknown table {table!r}; expected one of {list(TABLES)}") from None


def data_as_of() -> dict[str, str]:
    """Each docs page the catalog was read from -> the ISO date of its snapshot (the date the
    rows shown for it were published as of), pages in catalog order.

    A table the docs dropped, kept for its retired rows alone, does not date its page; a page
    of such tables alone is dated by them. Should the others disagree, the oldest wins."""
    return _pages_as_of(TABLES.values())


def _pages_as_of(infos: Collection[TableInfo]) -> dict[str, str]:
    """Docs page -> ISO snapshot date for the pages of the given tables, in their order: the
    oldest among a page's tables that still list rows, or among all of them when none does
    (a table the docs dropped keeps only its retired rows and its old date)."""
    listing = {info.page for info in infos if info.row_count}
    pages: dict[str, str | None] = dict.fromkeys(info.page for info in infos)
    for info in infos:
        if info.row_count or info.page not in listing:
            known = pages[info.page]
            if known is None or info.snapshot < known:
                pages[info.page] = info.snapshot
    return {page: date for page, date in pages.items() if date is not None}
