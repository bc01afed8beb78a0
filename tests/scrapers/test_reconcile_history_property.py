"""Property: whatever sequence of dated snapshots the docs publish (rows added, removed and
changed, a column dropped and back, a whole table gone and back), applied oldest first in
any grouping of runs, the catalog's current rows are the last snapshot's, every row ever
listed is current or retired with the date of the last snapshot that listed it, and
replaying the changelog from an empty catalog gives back every row's values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalog import yamlio
from catalog.load import load_table
from scrapers.history import read_changelog
from scrapers.parse import parse_text
from scrapers.reconcile import reconcile
from tests.scrapers.history_helpers import CHAT, RERANK, Table, by_table, page_text, replay

CHAT_POOL = [f"acme/chat-{n}" for n in range(6)]
RERANK_POOL = [f"acme/rerank-{n}" for n in range(3)]
START = dt.date(2025, 1, 1)

#: (chat rows (model, context cell, quantization), quantization column?, rerank rows or None)
Snapshot = tuple[list[tuple[str, str, str]], bool, list[tuple[str, str]] | None]


@st.composite
def snapshots(draw: st.DrawFn) -> Snapshot:
    models = draw(st.permutations(CHAT_POOL))[: draw(st.integers(1, len(CHAT_POOL)))]
    chat = [
        (m, draw(st.sampled_from(["4096", "8192", "-"])), draw(st.sampled_from(["FP8", "FP16"])))
        for m in models
    ]
    rerank = None
    if draw(st.booleans()):
        kept = draw(st.permutations(RERANK_POOL))[: draw(st.integers(1, len(RERANK_POOL)))]
        rerank = [(m, draw(st.sampled_from(["512", "1024"]))) for m in kept]
    return chat, draw(st.booleans()), rerank


def tables(snapshot: Snapshot) -> dict[str, Table]:
    chat, quantized, rerank = snapshot
    headers = CHAT if quantized else CHAT[:-1]
    rows = [("Acme", f"Name of {m}", m, ctx, q)[: len(headers)] for m, ctx, q in chat]
    out: dict[str, Table] = {"Chat Models": (headers, rows)}
    if rerank is not None:
        out["Rerank Models"] = (RERANK, [("Acme", "R", m, docs) for m, docs in rerank])
    return out


def expected(snapshot: Snapshot) -> dict[str, dict[str, dict[str, Any]]]:
    """table -> model -> non-null cells, as the snapshot publishes them."""
    chat, quantized, rerank = snapshot
    out: dict[str, dict[str, dict[str, Any]]] = {"serverless-chat": {}}
    for model, ctx, quantization in chat:
        row: dict[str, Any] = {"organization": "Acme", "model_name": f"Name of {model}"}
        if ctx != "-":
            row["context_length"] = int(ctx)
        if quantized:
            row["quantization"] = quantization
        out["serverless-chat"][model] = row
    if rerank is not None:
        out["serverless-rerank"] = {
            m: {"organization": "Acme", "model_name": "R", "max_docs": int(docs)}
            for m, docs in rerank
        }
    return out


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sequence=st.lists(snapshots(), min_size=1, max_size=6),
    gaps=st.lists(st.integers(1, 40), min_size=6, max_size=6),
    cuts=st.lists(st.booleans(), min_size=6, max_size=6),
)
def test_any_sequence_of_snapshots(
    tmp_path_factory: Any, sequence: list[Snapshot], gaps: list[int], cuts: list[bool]
) -> None:
    catalog = tmp_path_factory.mktemp("catalog")
    dates = [START + dt.timedelta(days=sum(gaps[: i + 1])) for i in range(len(sequence))]
    pending = []
    for index, (date, snapshot) in enumerate(zip(dates, sequence, strict=True)):
        path = Path(f"serverless-models/{date.isoformat()}.md")
        pending.append(parse_text(page_text(date.isoformat(), tables(snapshot)), path))
        if cuts[index] or index == len(sequence) - 1:  # one run, or several
            reconcile(pending, catalog)
            pending = []

    published = [expected(s) for s in sequence]
    plains = {p.stem: yamlio.load_plain(p) for p in catalog.glob("serverless-*.yaml")}
    current, retired = by_table(plains.values()), by_table(plains.values(), "retired")
    # The current rows are the last snapshot's; a table it lacks has none.
    for table in current:
        assert current[table] == published[-1].get(table, {}), table
    # Every row ever listed is current or retired, last seen where last listed.
    for table, docs in current.items():
        listed = {m: i for i, snap in enumerate(published) for m in snap.get(table, {})}
        assert set(docs) | set(retired[table]) == set(listed)
        assert not set(docs) & set(retired[table])
        last_seen = {r["model"]: r["last_seen"] for r in plains[table].get("retired", ())}
        for model in retired[table]:
            assert last_seen[model] == dates[listed[model]].isoformat(), (table, model)
            assert retired[table][model] == published[listed[model]][table][model]
    # A table's source is the last snapshot that had it.
    for table, plain in plains.items():
        had = [d for d, snap in zip(dates, published, strict=True) if table in snap]
        assert plain["source"]["snapshot"] == had[-1].isoformat()
        load_table(catalog / f"{table}.yaml")  # and it validates
    # Replaying the changelog from nothing gives every row's values back.
    log = read_changelog(catalog)[1]
    assert [e.snapshot for e in log.entries] == sorted({e.snapshot for e in log.entries})
    replayed, replayed_retired = replay(log)
    assert {t: rows for t, rows in replayed.items()} == current
    assert {t: rows for t, rows in replayed_retired.items() if t in retired} == retired
    # Applying the last snapshot again changes nothing.
    last = parse_text(page_text(dates[-1].isoformat(), tables(sequence[-1])), path)
    before = {p.name: p.read_bytes() for p in catalog.iterdir() if p.is_file()}
    again = reconcile([last], catalog)
    assert again.empty and not again.written
    assert {p.name: p.read_bytes() for p in catalog.iterdir() if p.is_file()} == before
