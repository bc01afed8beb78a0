"""Fixtures of the runtime tests: synthetic serverless rows installed where the runtime reads."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from together_catalog import _data
from together_catalog._records import ServerlessModel

from tests.runtime.synthetic import Install


@pytest.fixture
def serverless_rows(monkeypatch: pytest.MonkeyPatch) -> Iterator[Install]:
    """Put records into (or over) the serverless tables every runtime module reads."""
    from together_catalog import _cli_show, capability, lookup, prices, pricing

    def put(*records: ServerlessModel) -> None:
        tables = {c: dict(rows) for c, rows in _data.SERVERLESS.items()}
        for record in records:
            tables[record.category][record.model] = record
        by_id: dict[str, tuple[ServerlessModel, ...]] = {}
        for rows in tables.values():
            for model, record in rows.items():
                by_id[model] = (*by_id.get(model, ()), record)
        for module in (lookup, prices, capability, pricing, _cli_show):
            monkeypatch.setattr(module, "SERVERLESS", tables)
        monkeypatch.setattr(lookup, "_SERVERLESS_BY_ID", by_id)
        monkeypatch.setattr(capability, "_ANSWERS", capability._index())

    yield put
