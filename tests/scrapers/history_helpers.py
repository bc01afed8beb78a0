"""What the history tests share: replay a changelog from an empty catalog, a table's rows as
the changelog sees them (published cells only), and small dated pages of one or two tables."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from catalog.changelog import Changelog

#: Row keys that are not published cells (the changelog does not log them).
NOT_CELLS = frozenset({"model", "last_seen", "footnotes", "na", "note"})

Rows = dict[str, dict[str, dict[str, Any]]]  # table -> model -> {field: value}


def cells(row: Mapping[str, Any]) -> dict[str, Any]:
    """A row's non-null published cells."""
    return {k: v for k, v in row.items() if k not in NOT_CELLS and v is not None}


def by_table(plains: Iterable[Mapping[str, Any]], key: str = "rows") -> Rows:
    """table -> model -> cells, of plain table documents' `rows` (or `retired`)."""
    return {doc["table"]: {row["model"]: cells(row) for row in doc.get(key, ())} for doc in plains}


def replay(changelog: Changelog) -> tuple[Rows, Rows]:
    """(current, retired) rows per table, from an empty catalog, entry by entry."""
    current: Rows = {}
    retired: Rows = {}
    for entry in changelog.entries:
        for change in entry.changes:
            if change.model == "(source)":
                continue
            rows = current.setdefault(change.table, {})
            gone = retired.setdefault(change.table, {})
            model = change.model
            if change.change == "added":
                assert model not in rows and model not in gone, change
                rows[model] = {}
            elif change.change == "returned":
                rows[model] = gone.pop(model)
            elif change.change == "retired":
                gone[model] = rows.pop(model)
            elif change.field == "model":
                assert isinstance(change.new, str)
                rows[change.new] = rows.pop(model)
            else:
                assert change.field is not None
                assert rows[model].get(change.field) == change.old, change
                if change.new is None:
                    rows[model].pop(change.field, None)
                else:
                    rows[model][change.field] = change.new
    return current, retired


SERVERLESS_URL = "https://docs.together.ai/docs/serverless-models"
CHAT = ("Organization", "Model Name", "API Model String", "Context Length", "Quantization")
RERANK = ("Organization", "Model Name", "Model String for API", "Max Docs")
Table = tuple[tuple[str, ...], list[tuple[str, ...]]]  # headers, rows of cells


def chat_row(model: str, context: int = 4096, quantization: str = "FP8") -> tuple[str, ...]:
    return ("Acme", f"Name of {model}", model, str(context), quantization)


def page_text(
    date: str | None,
    tables: Mapping[str, Table],
    *,
    url: str | None = SERVERLESS_URL,
    approximate: str | None = None,
) -> str:
    """A serverless-models page: each table (by heading, "Chat Models") under the parent."""
    head = f"<!-- source: {url} -->\n" if url else ""
    head += f"<!-- snapshot: {date} -->\n" if date else ""
    head += f"<!-- approximate: {approximate} -->\n" if approximate else ""
    out = [head + "\n# Together.ai Models\n\n## Serverless Models\n"]
    for heading, (headers, rows) in tables.items():
        out.append(f"### {heading}\n")
        out.append("| " + " | ".join(headers) + " |")
        out.append("|" + "---|" * len(headers))
        out += ["| " + " | ".join(row) + " |" for row in rows]
        out.append("")
    return "\n".join(out)


def write_page(folder: Path, date: str, tables: Mapping[str, Table], **kw: Any) -> Path:
    """`folder/serverless-models/<date>.md`, a bundled snapshot of `tables`."""
    path = folder / "serverless-models" / f"{date}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page_text(date, tables, **kw), encoding="utf-8")
    return path


def chat(*rows: tuple[str, ...], headers: tuple[str, ...] = CHAT) -> dict[str, Table]:
    return {"Chat Models": (headers, list(rows))}
