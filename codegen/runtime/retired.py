"""Models Together's docs no longer list: when each left which table, and what replaced it.

The rows live in the generated `_retired` module, imported on the first lookup miss (or the
first call here), so `import together_catalog` and every lookup that finds its id never pay
for them. A lookup of a retired id raises `RetiredModelError` (an `UnknownModelError`) saying
so; `retired_models()` lists them.

A successor is named where one is evident, by a rule applied when the package was generated
(codegen/successors.py): a current id of the same table with the same name under a renamed
namespace, or the same namespace and name with one version number higher (the highest such),
or with trailing date or variant segments ("-0528", "-tput", "-Free") dropped; only when
these point at exactly one id.
"""

from __future__ import annotations

from together_catalog._data import ENDPOINTS, TABLES
from together_catalog._frozen import Frozen
from together_catalog._records import FineTuneLimits, LoraBase, ServerlessModel
from together_catalog.errors import RetiredModelError

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (import-time budget)
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping
    from typing import Any

    Row = tuple[str, str, str | None, tuple[Any, ...]]

__all__ = ["RetiredModel", "retired_error", "retired_models", "retirement", "retirements"]

_RECORDS: Mapping[str, Any] = {
    "finetune": FineTuneLimits,
    "serverless": ServerlessModel,
    "serverless_lora_base": LoraBase,
}


class RetiredModel(Frozen):
    """A row the docs no longer list: the id, the catalog table it left, `last_seen` (the ISO
    as-of date of the last snapshot that listed it there), the current id of that table that
    evidently succeeds it (or None), and `record`, the row as last published (a
    FineTuneLimits, ServerlessModel or LoraBase)."""

    _fields = ("model", "table", "last_seen", "successor", "record")
    __slots__ = _fields
    __match_args__ = ("model", "table", "last_seen", "successor", "record")

    model: str
    table: str
    last_seen: str
    successor: str | None
    record: FineTuneLimits | ServerlessModel | LoraBase

    def __init__(
        self,
        model: str,
        table: str,
        last_seen: str,
        successor: str | None,
        record: FineTuneLimits | ServerlessModel | LoraBase,
    ) -> None:
        setter = object.__setattr__
        setter(self, "model", model)
        setter(self, "table", table)
        setter(self, "last_seen", last_seen)
        setter(self, "successor", successor)
        setter(self, "record", record)


#: Table id -> (the stored record fields, retired id -> its row), built on first use.
_index: Mapping[str, tuple[tuple[str, ...], Mapping[str, Row]]] | None = None


def _tables() -> Mapping[str, tuple[tuple[str, ...], Mapping[str, Row]]]:
    global _index
    if _index is None:
        from together_catalog._retired import RETIRED

        _index = {t: (names, {row[0]: row for row in rows}) for t, (names, rows) in RETIRED.items()}
    return _index


def _made(table: str, fields: tuple[str, ...], row: Row) -> RetiredModel:
    model, last_seen, successor, values = row
    info = TABLES[table]
    cls = _RECORDS[info.kind]
    known: dict[str, object] = {
        "model": model,
        "method": info.method,
        "category": info.category,
        "endpoint": ENDPOINTS.get(info.category) if info.category is not None else None,
    }
    stored = dict(zip(fields, values, strict=True))
    args = [
        known[f] if f in known else stored.get(f, () if f == "footnotes" else None)
        for f in cls._fields
    ]
    return RetiredModel(model, table, last_seen, successor, cls(*args))


def retirement(model: str, tables: Iterable[str]) -> RetiredModel | None:
    """`model`'s retirement from one of `tables` (the most recently seen, the first of them
    on a tie), or None when none of them retired it."""
    found: RetiredModel | None = None
    index = _tables()
    for table in tables:
        fields, rows = index.get(table, ((), {}))
        row = rows.get(model)
        if row is not None and (found is None or row[1] > found.last_seen):
            found = _made(table, fields, row)
    return found


def retired_error(
    model: str, tables: Iterable[str], listed_in: tuple[str, ...] = ()
) -> RetiredModelError | None:
    """The error for a lookup of `model` in `tables` when one of them retired it, else None."""
    found = retirement(model, tables)
    if found is None:
        return None
    from together_catalog.lookup import table_title

    return RetiredModelError(
        model, found.table, found.last_seen, found.successor, table_title(found.table), listed_in
    )


def retired_models(table: str | None = None) -> tuple[RetiredModel, ...]:
    """The rows the docs no longer list: of one catalog table (in its order), or of every
    table (in catalog order). An unknown table is a ValueError naming the valid ones."""
    if table is not None and (not isinstance(table, str) or table not in TABLES):
        raise ValueError(f"unknown table {table!r}; expected one of {list(TABLES)}")
    index = _tables()
    chosen = [table] if table is not None else list(index)
    return tuple(
        _made(t, fields, row)
        for t in chosen
        for fields, rows in [index.get(t, ((), {}))]
        for row in rows.values()
    )


def retirements(model: str) -> tuple[RetiredModel, ...]:
    """Every table that retired `model`, in catalog order (empty for most ids)."""
    return tuple(
        _made(table, fields, rows[model])
        for table, (fields, rows) in _tables().items()
        if model in rows
    )
