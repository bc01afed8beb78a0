"""Property: whatever the docs table becomes (rows added, removed, reordered, cells changed,
footnotes and N/A spellings toggled), reconcile leaves the catalog table equal to the scraped
one, keeps every comment above the row it describes and every hand-written note, reports
each difference, and a second run changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from catalog.load import load_table
from scrapers.parse import parse_file, parse_text
from scrapers.reconcile import reconcile
from tests.conftest import SEEDS, SNAPSHOTS_DIR

#: The seed-era image table (the `seed_catalog` fixture's), whose rows are the seed page's.
SEED_PAGE = parse_file(SNAPSHOTS_DIR / SEEDS["serverless-models"])
ORIGINAL_MODELS = [
    str(r["model"]) for t in SEED_PAGE.tables if t.spec.table == "serverless-image" for r in t.rows
]
POOL = [*ORIGINAL_MODELS, "acme/new-1", "acme/new-2", "acme/new-3"]
HEAD = (
    "<!-- source: https://docs.together.ai/docs/serverless-models -->\n"
    "<!-- snapshot: 2025-03-04 -->\n\n## Serverless Models\n\n### Image Models\n\n"
    "| Organization | Model Name | Model String for API | Default Steps |\n"
    "|---|---|---|---|\n"
)

Row = tuple[str, str, bool, str]  # model, model name, footnote on the name, steps cell


@st.composite
def docs_tables(draw: st.DrawFn) -> list[Row]:
    models = draw(st.permutations(POOL))[: draw(st.integers(1, len(POOL)))]
    rows = []
    for model in models:
        name = draw(st.sampled_from(["Flux", "Flux Pro", f"Name of {model}"]))
        steps = draw(st.sampled_from(["4", "28", "30", "-", "N/A"]))
        rows.append((model, name, draw(st.booleans()), steps))
    return rows


def page(rows: list[Row]) -> str:
    body = "".join(
        f"| Org | {name}{'*' if marked else ''} | {model} | {steps} |\n"
        for model, name, marked, steps in rows
    )
    return HEAD + body


def expected_rows(rows: list[Row]) -> list[dict[str, Any]]:
    out = []
    for model, name, marked, steps in rows:
        row: dict[str, Any] = {
            "model": model,
            "organization": "Org",
            "model_name": name,
            "default_steps": None if steps in {"-", "N/A"} else int(steps),
            "footnotes": ("model_name",) if marked else (),
            "na": ("default_steps",) if steps == "N/A" else (),
        }
        out.append(row)
    return out


def annotate(text: str, commented: set[str], noted: set[str]) -> str:
    for model in commented:
        text = text.replace(f"  - model: {model}\n", f"  # about {model}\n  - model: {model}\n")
    for model in noted:
        text = text.replace(f"  - model: {model}\n", f"  - model: {model}\n    note: n {model}\n")
    return text + "# the end\n"


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=docs_tables(),
    commented=st.sets(st.sampled_from(ORIGINAL_MODELS)),
    noted=st.sets(st.sampled_from(ORIGINAL_MODELS)),
)
# Regression found by this property: after a row ending in a flow list (`na: [...]`),
# ruamel files the next row's comment as that row's own "before" comment, which went with
# it when the row was moved (the two schnell rows swapped, both commented).
@example(
    rows=[
        ("black-forest-labs/FLUX.1-schnell", "Flux", False, "4"),
        ("black-forest-labs/FLUX.1-schnell-Free", "Flux", False, "4"),
    ],
    commented={"black-forest-labs/FLUX.1-schnell", "black-forest-labs/FLUX.1-schnell-Free"},
    noted=set(),
)
def test_reconcile_any_table(
    tmp_path_factory: Any, seed_catalog: Path, rows: list[Row], commented: set[str], noted: set[str]
) -> None:
    original = seed_catalog / "serverless-image.yaml"
    catalog = tmp_path_factory.mktemp("catalog")
    target = catalog / original.name
    target.write_text(annotate(original.read_text(), commented, noted))
    scraped = parse_text(page(rows), Path("serverless-models.md"))

    report = reconcile([scraped], catalog, allow_removals=True)

    table = load_table(target)
    got = [
        {k: getattr(r, k) for k in ("model", "organization", "model_name", "default_steps")}
        | {"footnotes": r.footnotes, "na": r.na}
        for r in table.rows
    ]
    assert got == expected_rows(rows)
    kept = {m for m, *_ in rows}
    assert {r["model"] for r in report.added} == kept - set(ORIGINAL_MODELS)
    assert {r["model"] for r in report.removed} == set(ORIGINAL_MODELS) - kept

    text = target.read_text()
    lines = text.split("\n")
    for model in commented & kept:
        at = lines.index(f"  - model: {model}")
        assert lines[at - 1] == f"  # about {model}", text
    for model in commented - kept:
        assert f"# about {model}\n" not in text
    notes = {r.model: r.note for r in table.rows if r.note is not None}
    assert notes == {m: f"n {m}" for m in noted & kept}
    assert text.endswith("# the end\n")

    again = reconcile([scraped], catalog, allow_removals=True)
    assert again.empty and not again.new_values and not again.written
    assert target.read_text() == text
