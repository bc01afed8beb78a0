"""What a column declaration is: the type catalog/columns.py fills in, once per column.

Kept apart from the declarations themselves so that the tuple of columns reads as a table
of facts about Together's docs, and this module as the rules every declaration obeys.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal

#: The shapes of docs table, each with its own row model and runtime record.
TableKind = Literal["finetune", "serverless", "serverless_lora_base"]
TABLE_KINDS: Final[tuple[TableKind, ...]] = ("finetune", "serverless", "serverless_lora_base")

#: How a cell's text becomes a value.
#: - text:  the cell's text, trimmed (markup unwrapped, footnote mark removed);
#: - count: a whole number >= 1 written in full ("32K" is refused: 1000 or 1024?);
#: - price: US dollars written `$0.30`, kept as the exact decimal text "0.30" (never a
#:          float), in the column's declared unit;
#: - rate:  a price whose unit the cell states, `$15.00 per 1M chars`, kept as
#:          "15.00 per 1M chars"; the unit must be one the column declares;
#: - flag:  `Yes` or `No`, kept as true or false.
CellType = Literal["text", "count", "price", "rate", "flag"]

#: The runtime type of a filled cell of each type, as Python source. Prices stay decimal
#: text so importing the package never pays for `decimal`; the lookups convert.
PYTHON_TYPES: Final[Mapping[CellType, str]] = {
    "text": "str",
    "count": "int",
    "price": "str",
    "rate": "str",
    "flag": "bool",
}

#: Whether a table of a kind must give a value in every row, or may leave the cell empty
#: (the docs write "-" or "N/A") or leave the column out.
Presence = Literal["required", "optional"]

REQUIRED: Final = "required"
OPTIONAL: Final = "optional"


@dataclass(frozen=True, slots=True)
class Column:
    field: str
    #: Header cell texts the docs have published for this column, any table, any version.
    headers: tuple[str, ...]
    cell: CellType
    #: Unit of a count ("tokens", "examples", …); None for text and plain numbers.
    unit: str | None
    doc: str
    #: Short heading for terminal tables (`together-catalog show` / `list`).
    label: str
    #: Table kinds that publish it, and whether they must fill it.
    tables: Mapping[TableKind, Presence]
    #: Names the model rather than describing it (organization, name, id): not a limit or
    #: a fact to tabulate, compared across tables by the identity rules instead.
    identity: bool = False
    #: For a rate cell: the units a cell may state after "per" (anything else is an error).
    units: tuple[str, ...] = ()

    def presence(self, kind: TableKind) -> Presence | None:
        return self.tables.get(kind)

    @property
    def python_type(self) -> str:
        """The runtime type of a filled cell, as Python source."""
        return PYTHON_TYPES[self.cell]

    def published(self, value: str | int | bool | None) -> str | int | None:
        """A stored value as the docs print it (None for an empty cell): the inverse of the
        scraper's reading, so generated docs parse back to the same value."""
        if self.cell == "flag" and value is not None:
            return "Yes" if value else "No"
        if value is None or self.cell in {"text", "count"}:
            return value
        return f"${value}"  # price, rate

    def annotation(self, kind: TableKind) -> str:
        """The runtime record's annotation for this column in tables of `kind`."""
        if self.presence(kind) == REQUIRED:
            return self.python_type
        return f"{self.python_type} | None"


def check_declarations(columns: Sequence[Column]) -> None:
    """Fail at import on a declaration that contradicts another, so no derived table is
    built from a half-done change."""
    fields = [c.field for c in columns]
    if len(set(fields)) != len(fields):
        raise ValueError(f"catalog/columns.py: a field is declared twice in {fields}")
    headers = [h.casefold() for c in columns for h in c.headers]
    if len(set(headers)) != len(headers):
        raise ValueError("catalog/columns.py: a header spelling is claimed twice (case aside)")
    for column in columns:
        if not column.field.isidentifier() or not column.field.islower():
            raise ValueError(f"catalog/columns.py: {column.field!r} is not a snake_case name")
        if not column.headers or not column.tables:
            raise ValueError(f"catalog/columns.py: {column.field} needs headers and tables")
        unknown = set(column.tables) - set(TABLE_KINDS)
        if unknown:
            raise ValueError(f"catalog/columns.py: {column.field}: unknown kinds {unknown}")
        if (column.cell == "rate") != bool(column.units):
            raise ValueError(f"catalog/columns.py: {column.field}: units go with rate cells")
    by_field = {c.field: c for c in columns}
    if by_field["model"].tables.keys() != set(TABLE_KINDS):
        raise ValueError("catalog/columns.py: every table kind publishes the model id")
