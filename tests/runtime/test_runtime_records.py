"""The generated records behave as the frozen, slotted dataclasses they replaced.

`_records.py` builds them on the hand-written `Frozen` base (no `dataclasses` import, for the
import-time budget), so what the dataclasses gave for free is pinned here: constructor
signature and defaults, equality, hashing, repr, pickling, copying, immutability, pattern
matching, and `_asdict()` / `_replace()` in place of `dataclasses.asdict` / `replace`.
"""

from __future__ import annotations

import copy
import inspect
import pickle
from collections.abc import Iterator
from typing import Any

import pytest
import together_catalog as tc
from together_catalog import _data
from together_catalog._frozen import Frozen
from together_catalog._records import FineTuneLimits, LoraBase, ServerlessModel, TableInfo

from catalog.columns import TableKind, columns_of

REQUIRED = inspect.Parameter.empty

#: The fields every record has had since the dataclasses, in order: the runtime contract. Later
#: declared columns (catalog/columns.py) join in declaration order, before the footnotes.
CLASSIC: dict[type[Frozen], tuple[str, ...]] = {
    FineTuneLimits: (
        "model",
        "method",
        "organization",
        "model_name",
        "context_length_sft",
        "context_length_dpo",
        "max_batch_size_sft",
        "max_batch_size_dpo",
        "min_batch_size",
        "footnotes",
        "note",
    ),
    ServerlessModel: (
        "model",
        "category",
        "organization",
        "model_name",
        "context_length",
        "quantization",
        "default_steps",
        "model_size",
        "embedding_dimension",
        "max_doc_size_tokens",
        "max_docs",
        "endpoint",
        "footnotes",
        "note",
    ),
    LoraBase: ("model", "organization", "model_name", "quantization", "footnotes", "note"),
}


def _declared(kind: TableKind) -> tuple[tuple[str, object], ...]:
    return tuple((c.field, REQUIRED) for c in columns_of(kind) if c.field != "model")


_TAIL = (("footnotes", ()), ("note", None))

#: Each record's constructor: its key fields, one per declared column, then the extras.
FIELDS: dict[type[Frozen], tuple[tuple[str, object], ...]] = {
    FineTuneLimits: (("model", REQUIRED), ("method", REQUIRED), *_declared("finetune"), *_TAIL),
    ServerlessModel: (
        ("model", REQUIRED),
        ("category", REQUIRED),
        *_declared("serverless"),
        ("endpoint", REQUIRED),
        *_TAIL,
    ),
    LoraBase: (("model", REQUIRED), *_declared("serverless_lora_base"), *_TAIL),
    TableInfo: (
        ("table", REQUIRED),
        ("kind", REQUIRED),
        ("section", REQUIRED),
        ("url", REQUIRED),
        ("page", REQUIRED),
        ("snapshot", REQUIRED),
        ("columns", REQUIRED),
        ("method", REQUIRED),
        ("category", REQUIRED),
        ("row_count", REQUIRED),
    ),
}


@pytest.mark.parametrize("cls", list(CLASSIC), ids=lambda c: c.__name__)
def test_the_classic_fields_keep_their_order(cls: type[Frozen]) -> None:
    fields = [name for name in cls._fields if name in CLASSIC[cls]]
    assert tuple(fields) == CLASSIC[cls]


def every_record() -> Iterator[Frozen]:
    for rows in (_data.LORA, _data.FULL, _data.LORA_LONG_CONTEXT, _data.LORA_BASES):
        yield from rows.values()
    for category in _data.SERVERLESS.values():
        yield from category.values()
    yield from _data.TABLES.values()
    yield from (retired.record for retired in tc.retired_models())  # rows as last published


@pytest.mark.parametrize("cls", list(FIELDS), ids=lambda c: c.__name__)
def test_constructor_signature_fields_and_slots_are_the_contracts(cls: type[Frozen]) -> None:
    params = inspect.signature(cls).parameters.values()
    assert [(p.name, p.default) for p in params] == list(FIELDS[cls])
    assert all(p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD for p in params)
    names = tuple(name for name, _ in FIELDS[cls])
    assert cls._fields == cls.__slots__ == vars(cls)["__match_args__"] == names
    with pytest.raises(AttributeError):  # slotted: no per-instance dict
        _ = next(r for r in every_record() if type(r) is cls).__dict__


def test_every_record_round_trips_through_each_way_of_copying_it() -> None:
    records = list(every_record())
    assert len(records) > 300  # every table row (current and retired) and table
    for record in records:
        cls = type(record)
        values = record._asdict()
        assert list(values) == list(cls._fields)
        assert cls(**values) == record
        assert cls(*values.values()) == record
        assert record._replace() == record and record._replace() is not record
        assert pickle.loads(pickle.dumps(record)) == record
        assert copy.copy(record) == record and copy.deepcopy(record) == record
        assert hash(cls(**values)) == hash(record)
        assert eval(repr(record), {cls.__name__: cls}) == record


def test_defaults_equality_and_replace() -> None:
    row = _data.LORA["Qwen/Qwen3.5-9B"]
    later: list[Any] = [None] * (len(FIELDS[FineTuneLimits]) - 2 - 9)  # declared since 2025
    bare = FineTuneLimits(
        row.model, row.method, row.organization, row.model_name, 1, 2, 3, 4, 5, *later
    )
    assert (bare.footnotes, bare.note) == ((), None)
    assert bare == row._replace(
        context_length_sft=1,
        context_length_dpo=2,
        max_batch_size_sft=3,
        max_batch_size_dpo=4,
        min_batch_size=5,
        **dict.fromkeys(FineTuneLimits._fields[9:-2]),
        footnotes=(),
        note=None,
    )
    changed = row._replace(max_batch_size_dpo=99, note="n")
    assert (changed.max_batch_size_dpo, changed.note, changed.model) == (99, "n", row.model)
    assert changed != row and row.max_batch_size_dpo != 99  # the original is untouched
    with pytest.raises(TypeError):
        row._replace(no_such_field=1)
    with pytest.raises(TypeError):
        FineTuneLimits(row.model)  # type: ignore[call-arg]


def test_equality_is_per_class_and_by_value() -> None:
    base = _data.LORA_BASES[next(iter(_data.LORA_BASES))]
    twin = LoraBase(**base._asdict())
    assert twin == base and twin is not base and {twin, base} == {base}
    assert base != base._replace(note="other")
    assert base != tuple(base._asdict().values())  # not equal to its values as a tuple
    assert base.__eq__(object()) is NotImplemented


def test_records_are_immutable() -> None:
    row = _data.LORA["Qwen/Qwen3.5-9B"]
    with pytest.raises(AttributeError, match="immutable"):
        row.max_batch_size_sft = 1
    with pytest.raises(AttributeError, match="immutable"):
        del row.note
    with pytest.raises(AttributeError):
        row.extra = 1  # type: ignore[attr-defined]
    assert row.max_batch_size_sft == _data.LORA["Qwen/Qwen3.5-9B"].max_batch_size_sft


def test_records_match_positionally_and_by_keyword() -> None:
    row = _data.LORA["Qwen/Qwen3.5-9B"]
    match row:
        case FineTuneLimits("Qwen/Qwen3.5-9B", "lora", _, _, sft, dpo):
            assert (sft, dpo) == (row.context_length_sft, row.context_length_dpo)
        case _:
            pytest.fail("FineTuneLimits does not pattern-match positionally")
    match _data.TABLES["finetune-lora"]:
        case TableInfo(kind="finetune", method=method):
            assert method == "lora"
        case _:
            pytest.fail("TableInfo does not pattern-match by keyword")
