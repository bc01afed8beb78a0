"""Pydantic models of every file under catalog/.

Strict and closed (extra="forbid"): a misspelt key or a string where a number belongs is a
load error, never a silently different catalog. Vocabularies that Together owns
(organization, quantization, serverless category) stay open strings; reconcile reports
values it has not seen before instead of rejecting them.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    create_model,
    model_validator,
)

from catalog.columns import REQUIRED, TableKind, columns_of
from catalog.tables import CATEGORY_PATTERN

ModelId = Annotated[str, StringConstraints(min_length=1)]
Count = Annotated[int, Field(ge=0)]
Positive = Annotated[int, Field(ge=1)]


class _Strict(BaseModel):
    # defer_build: validators and serializers are built on first use, so a run whose
    # documents all come from catalog/model_cache.py builds none.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class Source(_Strict):
    """Where a table was published: the page, its heading, and the snapshot it came from."""

    url: str
    page: str  # the page's name (catalog/pages.py), its folder under scrapers/snapshots/
    section: str
    snapshot: dt.date
    #: The page carried no date: `snapshot` is an estimate, and this says how it was made.
    approximate: str | None = None


class Column(_Strict):
    """One docs column: the canonical field and the header text as published."""

    field: str
    header: str


class _Row(_Strict):
    model: ModelId
    # Fields whose published cell carried a footnote marker ("*").
    footnotes: tuple[str, ...] = ()
    # Fields whose published cell read "N/A" (a "-" cell is the unmarked none), so the docs
    # can be regenerated with the vendor's spelling.
    na: tuple[str, ...] = ()
    # Hand-written annotation; reconcile never touches it.
    note: str | None = None

    if TYPE_CHECKING:
        # The column fields are built from catalog/columns.py, which a type checker cannot
        # follow; reading one is typed Any rather than an error.
        def __getattr__(self, name: str) -> Any: ...


#: Exact decimal text of a US dollar amount, as the docs print it without the `$`.
PriceText = Annotated[str, StringConstraints(pattern=r"^(0|[1-9][0-9]*)(\.[0-9]+)?$")]
#: A price with the unit the cell states: "15.00 per 1M chars".
RateText = Annotated[str, StringConstraints(pattern=r"^(0|[1-9][0-9]*)(\.[0-9]+)? per \S.*$")]
#: The row model's type of a filled cell, per cell type (catalog/columns.py).
_CELL_TYPES: dict[str, Any] = {
    "text": str,
    "count": Positive,
    "price": PriceText,
    "rate": RateText,
    "flag": bool,
}


def _row_model(name: str, kind: TableKind, doc: str) -> type[_Row]:
    """A row model with one field per column that tables of `kind` publish (catalog/columns.py):
    a count is a whole number >= 1, text a string; an optional column may be null."""
    fields: dict[str, Any] = {}
    for column in columns_of(kind):
        if column.field == "model":
            continue  # every row has it (_Row)
        value = _CELL_TYPES[column.cell]
        if column.presence(kind) == REQUIRED:
            fields[column.field] = (value, Field(description=column.doc))
        else:
            fields[column.field] = (value | None, Field(default=None, description=column.doc))
    model: type[_Row] = create_model(name, __base__=_Row, __doc__=doc, **fields)
    model.__module__ = __name__
    return model


def _retired_model(row: type[_Row]) -> type[_Row]:
    """A row the docs no longer list: its values as last published, and when that was."""
    fields: dict[str, Any] = {
        "last_seen": (dt.date, Field(description="As-of date of the last snapshot listing it."))
    }
    model: type[_Row] = create_model(
        f"Retired{row.__name__}", __base__=row, __doc__=_RETIRED_DOC, **fields
    )
    model.__module__ = __name__
    return model


_RETIRED_DOC = "A row that left the docs: its values as last published, and when that was."


if TYPE_CHECKING:
    # Type checkers see the columns through _Row.__getattr__ (Any); the fields are made below.
    class FineTuneRow(_Row): ...

    class ServerlessRow(_Row): ...

    class LoraBaseRow(_Row): ...

    class RetiredFineTuneRow(FineTuneRow):
        last_seen: dt.date

    class RetiredServerlessRow(ServerlessRow):
        last_seen: dt.date

    class RetiredLoraBaseRow(LoraBaseRow):
        last_seen: dt.date

else:
    FineTuneRow = _row_model(
        "FineTuneRow", "finetune", "A model's limits in one fine-tuning table."
    )
    ServerlessRow = _row_model(
        "ServerlessRow",
        "serverless",
        "A serverless model; which fields a category publishes is given by its table's columns.",
    )
    LoraBaseRow = _row_model(
        "LoraBaseRow", "serverless_lora_base", "A base model serverless LoRA adapters run on."
    )
    RetiredFineTuneRow = _retired_model(FineTuneRow)
    RetiredServerlessRow = _retired_model(ServerlessRow)
    RetiredLoraBaseRow = _retired_model(LoraBaseRow)


#: Fields every row has besides its columns (annotations, never a column of their own).
_ROW_EXTRA = frozenset(_Row.model_fields) - {"model"}


def id_key(model: str) -> str:
    """What two ids must not share: their NFKC form, case-folded. `openai/gpt-oss-120B`
    beside `openai/gpt-oss-120b`, or a fullwidth letter beside its ASCII twin, would be two
    catalog rows that a user (and most file systems and URLs) cannot tell apart."""
    return unicodedata.normalize("NFKC", model).casefold()


def _check_ids(table: str, rows: list[_Row]) -> None:
    """Ids are ASCII, and no two rows' ids collide once normalised and case-folded."""
    seen: dict[str, str] = {}
    for row in rows:
        if not row.model.isascii():
            bad = next(ch for ch in row.model if not ch.isascii())
            raise ValueError(
                f"table {table}: model id {row.model!r} holds the non-ASCII character "
                f"U+{ord(bad):04X}; Together's ids are ASCII"
            )
        key = id_key(row.model)
        other = seen.setdefault(key, row.model)
        if other != row.model:
            raise ValueError(
                f"table {table}: model ids {other!r} and {row.model!r} differ only in case "
                "or Unicode form"
            )


class _Table(_Strict):
    table: str
    source: Source
    columns: tuple[Column, ...]

    @model_validator(mode="after")
    def _columns_are_fields(self) -> _Table:
        rows: tuple[_Row, ...] = getattr(self, "rows")  # noqa: B009 - declared by subclasses
        fields = [c.field for c in self.columns]
        if len(set(fields)) != len(fields):
            raise ValueError(f"table {self.table}: duplicate column field in {fields}")
        if "model" not in fields:
            raise ValueError(f"table {self.table}: no model column")
        row_fields = set(type(rows[0]).model_fields) if rows else set()
        unknown = [f for f in fields if rows and f not in row_fields]
        if unknown:
            raise ValueError(f"table {self.table}: columns {unknown} are not fields of its rows")
        for index, row in enumerate(rows, start=1):
            extra = [f for f in row.model_fields_set if f not in fields and f not in _ROW_EXTRA]
            if extra:
                raise ValueError(
                    f"table {self.table}: row {index} ({row.model}) sets {sorted(extra)}, "
                    "which are not columns of this table"
                )
            bad_marks = [f for f in row.footnotes if f not in fields]
            if bad_marks:
                raise ValueError(
                    f"table {self.table}: row {index} ({row.model}) marks footnotes on "
                    f"non-columns {bad_marks}"
                )
            bad_na = [f for f in row.na if f not in fields or getattr(row, f) is not None]
            if bad_na:
                raise ValueError(
                    f"table {self.table}: row {index} ({row.model}) lists {bad_na} as N/A, "
                    "but they are not columns with no value"
                )
        retired: tuple[_Row, ...] = getattr(self, "retired")  # noqa: B009 - as rows
        _check_ids(self.table, [*rows, *retired])
        current = {row.model for row in rows}
        for index, row in enumerate(retired, start=1):
            if row.model in current:
                raise ValueError(
                    f"table {self.table}: retired row {index} ({row.model}) is also a current "
                    "row; a model the docs list again leaves `retired`"
                )
            # A retired row keeps the cells it was last published with, which may include a
            # column the table has since dropped: its marks must name one of its own cells.
            cells = row.model_fields_set - _ROW_EXTRA - {"last_seen"}
            bad_marks = [f for f in (*row.footnotes, *row.na) if f not in cells]
            if bad_marks:
                raise ValueError(
                    f"table {self.table}: retired row {index} ({row.model}) marks "
                    f"{bad_marks} as footnoted or N/A, but it has no such cells"
                )
            bad_na = [f for f in row.na if getattr(row, f) is not None]
            if bad_na:
                raise ValueError(
                    f"table {self.table}: retired row {index} ({row.model}) lists {bad_na} "
                    "as N/A, but they have values"
                )
        return self


class FineTuneTable(_Table):
    kind: Literal["finetune"]
    method: Literal["lora", "full", "lora_long_context"]
    rows: tuple[FineTuneRow, ...]
    #: Rows the docs no longer list, kept with their last published values.
    retired: tuple[RetiredFineTuneRow, ...] = ()


class ServerlessTable(_Table):
    kind: Literal["serverless"]
    category: Annotated[str, StringConstraints(pattern=f"^{CATEGORY_PATTERN.pattern}$")]
    rows: tuple[ServerlessRow, ...]
    retired: tuple[RetiredServerlessRow, ...] = ()


class LoraBaseTable(_Table):
    kind: Literal["serverless_lora_base"]
    rows: tuple[LoraBaseRow, ...]
    retired: tuple[RetiredLoraBaseRow, ...] = ()


Table = Annotated[FineTuneTable | ServerlessTable | LoraBaseTable, Field(discriminator="kind")]


# --- catalog/notes.yaml: the facts the docs state in prose --------------------------------


class NoteSource(_Strict):
    """Where the docs state a note, and for how long they did.

    A note is a fact of the pages it was read from: when a later version of the page drops
    it, the note stops applying to tables published after `until` (the as-of date of the
    last snapshot that still stated it), and the rules stop holding those tables to it.
    """

    page: str
    section: str
    #: As-of date of the last snapshot that states the note; None: the newest still does.
    until: dt.date | None = None

    def in_force(self, as_of: dt.date) -> bool:
        """Whether a table published on `as_of` was published under this note."""
        return self.until is None or as_of <= self.until


class QuantizationMarker(_Strict):
    name_contains: str
    quantization: str


class QuantizationLegend(_Strict):
    """Serverless naming convention: a marker word in the model name implies a precision."""

    source: NoteSource
    markers: tuple[QuantizationMarker, ...]
    default: str


class GradientAccumulation(_Strict):
    """A job submitted with this batch size runs with gradient accumulation over `steps`."""

    source: NoteSource
    batch_size: Positive
    steps: Positive


class LoraOnlyLongContext(_Strict):
    """Above `min_context` (and up to `max_context`) these models fine-tune with LoRA only."""

    source: NoteSource
    models: tuple[ModelId, ...]
    min_context: Positive
    max_context: Positive


class ContactOnly(_Strict):
    """Fine-tuning offered only through sales, not the self-serve API."""

    source: NoteSource
    family: str
    model_prefixes: tuple[str, ...]


class CategoryNote(_Strict):
    """Per serverless category: the API endpoint it uses and the recommended model, as stated."""

    source: NoteSource
    endpoint: str | None = None
    recommended: ModelId | None = None


class ImagePricing(_Strict):
    """FLUX cost: MP x price per MP x (steps / default steps) once steps exceed the default."""

    source: NoteSource
    model_prefix: str
    excluded: tuple[ModelId, ...]
    megapixel_divisor: Positive


class RateLimit(_Strict):
    source: NoteSource
    model: ModelId
    limit: Positive
    per: Literal["minute"]
    unit: str


class AccessTier(_Strict):
    source: NoteSource
    model: ModelId
    minimum_tier: str


class ReducedLimits(_Strict):
    """A free model whose rate limits are lower than those of its paid twin."""

    source: NoteSource
    model: ModelId
    paid_equivalent: ModelId


class ServerlessLoraNote(_Strict):
    """Adapters are served only on the LoRA base list; a Turbo base fails at upload."""

    source: NoteSource
    turbo_error: str
    example_instead: ModelId
    example_not: ModelId


class Notes(_Strict):
    categories: dict[str, CategoryNote]
    quantization_legend: QuantizationLegend
    gradient_accumulation: GradientAccumulation
    lora_only_long_context: LoraOnlyLongContext
    contact_only: tuple[ContactOnly, ...]
    image_pricing: ImagePricing
    rate_limits: tuple[RateLimit, ...]
    access_tiers: tuple[AccessTier, ...]
    reduced_limits: tuple[ReducedLimits, ...]
    serverless_lora: ServerlessLoraNote
