"""The runtime package's record classes, laid out from the column declarations.

A record is a catalog row as users see it: the model id, the table's own key (method or
category), one field per declared column of that table kind, and the annotations. The
template writes the classes from this layout, the data module fills them, and the
generator's self-check holds both to it, so a new column reaches the records with no
hand edit and cannot reach the data without reaching the classes.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalog.columns import TableKind, columns_of, value_columns


@dataclass(frozen=True)
class RecordField:
    name: str
    annotation: str  # Python source
    default: str | None  # Python source; None: the field is required
    comment: str | None


@dataclass(frozen=True)
class RecordClass:
    name: str
    doc: str
    fields: tuple[RecordField, ...]

    @property
    def required(self) -> frozenset[str]:
        return frozenset(f.name for f in self.fields if f.default is None)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)


_FOOTNOTES = RecordField(
    "footnotes", "tuple[str, ...]", "()", "Fields whose published cell carried a footnote mark."
)
_NOTE = RecordField("note", "str | None", "None", "A maintainer's note on the row, if any.")


def column_fields(kind: TableKind) -> tuple[str, ...]:
    """The row fields a record of `kind` copies from the catalog, model id excluded."""
    return tuple(c.field for c in columns_of(kind) if c.field != "model")


def _columns(kind: TableKind) -> tuple[RecordField, ...]:
    return tuple(
        RecordField(c.field, c.annotation(kind), None, c.doc)
        for c in columns_of(kind)
        if c.field != "model"
    )


def _model() -> RecordField:
    return RecordField("model", "str", None, "The model id the API takes.")


#: Record class for each table kind, in the order the data module imports them.
RECORD_OF_KIND: dict[TableKind, str] = {
    "finetune": "FineTuneLimits",
    "serverless": "ServerlessModel",
    "serverless_lora_base": "LoraBase",
}


def record_classes() -> tuple[RecordClass, ...]:
    return (
        RecordClass(
            "FineTuneLimits",
            "One row of a fine-tuning table: the limits of one model under one method.",
            (
                _model(),
                RecordField("method", "FineTuneMethod", None, "The table: lora, full, …"),
                *_columns("finetune"),
                _FOOTNOTES,
                _NOTE,
            ),
        ),
        RecordClass(
            "ServerlessModel",
            "One row of a serverless table; fields the category does not publish are None.",
            (
                _model(),
                RecordField("category", "str", None, "The serverless category (its table)."),
                *_columns("serverless"),
                RecordField(
                    "endpoint",
                    "str | None",
                    None,
                    "The API endpoint the docs name for the category, if any.",
                ),
                _FOOTNOTES,
                _NOTE,
            ),
        ),
        RecordClass(
            "LoraBase",
            "A base model that serverless LoRA adapters can be uploaded onto.",
            (_model(), *_columns("serverless_lora_base"), _FOOTNOTES, _NOTE),
        ),
        _TABLE_INFO,
    )


def _plain(name: str, annotation: str, comment: str | None = None) -> RecordField:
    return RecordField(name, annotation, None, comment)


_TABLE_INFO = RecordClass(
    "TableInfo",
    "Where a table was published and how its columns were headed.",
    (
        _plain("table", "str"),
        _plain("kind", "str"),
        _plain("section", "str"),
        _plain("url", "str"),
        _plain("page", "str"),
        _plain("snapshot", "str", "ISO date of the docs snapshot the table was read from."),
        _plain(
            "columns",
            "tuple[tuple[str, str], ...]",
            "(field, header as published), in docs column order.",
        ),
        _plain("method", "str | None"),
        _plain("category", "str | None"),
        _plain("row_count", "int"),
    ),
)


def display_columns(kind: TableKind) -> tuple[tuple[str, str], ...]:
    """(field, short label) of the columns the CLI tabulates for a kind, in declared order."""
    return tuple((c.field, c.label) for c in value_columns(kind))
