"""What Together's docs changed, model by model: `history(model)`.

The changes are catalog/changelog.yaml's, generated into the `_history` module, which only
`history()` imports: `import together_catalog` never pays for them. Each is a `Change`,
oldest first (by the as-of date of the snapshot that showed it, then the changelog's order):
the row was added (its cells follow as changes from None), a cell changed (`field`, `old`,
`new`), the row was retired (the docs stopped listing it), or it returned.
"""

from __future__ import annotations

from together_catalog._frozen import Frozen

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (import-time budget)
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = ["CHANGE_KINDS", "Change", "history"]

#: What a change can be, in the order a row lives them.
CHANGE_KINDS = ("added", "changed", "retired", "returned")


class Change(Frozen):
    """One recorded change of a model in one catalog table.

    `date` is the ISO as-of date of the docs snapshot that showed it (`estimated` when the
    page carried no date and it was judged), `page` that docs page and `table` the catalog
    table. `kind` is one of CHANGE_KINDS; for "changed", `field` is the cell's field and `old`
    and `new` its values as the catalog stores them (prices as decimal text; None where
    nothing was published), else all three are None. `model` is the id the change was
    recorded under: the one asked about, or the id it had before a rename.
    """

    _fields = ("date", "page", "table", "kind", "field", "old", "new", "model", "estimated")
    __slots__ = _fields
    __match_args__ = ("date", "page", "table", "kind", "field", "old", "new", "model", "estimated")

    date: str
    page: str
    table: str
    kind: str
    field: str | None
    old: str | int | bool | None
    new: str | int | bool | None
    model: str
    estimated: bool

    def __init__(
        self,
        date: str,
        page: str,
        table: str,
        kind: str,
        field: str | None,
        old: str | int | bool | None,
        new: str | int | bool | None,
        model: str,
        estimated: bool = False,
    ) -> None:
        setter = object.__setattr__
        setter(self, "date", date)
        setter(self, "page", page)
        setter(self, "table", table)
        setter(self, "kind", kind)
        setter(self, "field", field)
        setter(self, "old", old)
        setter(self, "new", new)
        setter(self, "model", model)
        setter(self, "estimated", estimated)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready mapping with the keys in field order."""
        return self._asdict()


#: Model id -> its changes, filled as they are asked for.
_expanded: dict[str, tuple[Change, ...]] = {}


def _expand(model: str, runs: tuple[tuple[Any, ...], ...]) -> tuple[Change, ...]:
    from together_catalog._history import SNAPSHOTS, TABLE_IDS

    out: list[Change] = []
    for s, t, event, cells, *recorded in runs:
        date, page, estimated = SNAPSHOTS[s]
        table = TABLE_IDS[t]
        who = recorded[0] if recorded else model
        if event is not None:
            out.append(Change(date, page, table, event, None, None, None, who, estimated))
        for field, old, new in cells:
            out.append(Change(date, page, table, "changed", field, old, new, who, estimated))
    return tuple(out)


def _known() -> Mapping[str, object]:
    """Every id `history` answers for: those with changes, current ids and retired ids."""
    from together_catalog._history import HISTORY
    from together_catalog.lookup import all_model_ids
    from together_catalog.retired import _tables as retired_tables

    # The retired ids straight from the index: `retired_models()` would build every record.
    retired = (model for _, rows in retired_tables().values() for model in rows)
    return {**dict.fromkeys(all_model_ids()), **dict.fromkeys(retired), **HISTORY}


def history(model: str) -> tuple[Change, ...]:
    """The recorded changes of `model`, oldest first, in every table (() for a known id the
    changelog has nothing on). An id the catalog never listed raises UnknownModelError with
    the closest ids."""
    found = _expanded.get(model) if type(model) is str else None
    if found is not None:
        return found
    from together_catalog._history import HISTORY

    runs = HISTORY.get(model) if isinstance(model, str) else None
    if runs is not None:
        found = _expanded[model] = _expand(model, runs)
        return found
    known = _known()
    if isinstance(model, str) and model in known:
        return ()
    from together_catalog.lookup import unknown

    raise unknown(model, tuple(known), "the catalog or its history")
