"""Hypothesis strategies for catalogs: ones that respect every consistency rule, and ones
broken by exactly one rule-breaking mutation. The one import point for tests; the strategies
live in two modules:

- tests/support/catalog_docs.py draws valid catalog documents and builds them through the
  `catalog` package's models and loader (`catalog.models`, `catalog.load`), and holds the
  table ids, columns and single-document helpers tests use to write a catalog by hand;
- tests/support/catalog_mutations.py applies one mutation that makes exactly one rule of
  `catalog.rules` fire.

Self-contained on purpose: only Hypothesis, pydantic and the `catalog` package. (The runtime
package's `together_catalog.testing` draws requests from the generated data; it does not use
these.)

    valid_docs()            -> CatalogDocs that break no rule
    catalogs()              -> Catalog built from valid_docs()
    broken_catalogs(rules)  -> Broken(rule, table, model, catalog): one mutation applied,
                               which must make exactly `rule` fire on row (table, model)
    build_catalog(docs)     -> Catalog (validates every document)
"""

from __future__ import annotations

from tests.support.catalog_docs import (
    BASE_COLUMNS,
    BASES,
    CHAT_COLUMNS,
    FINETUNE_COLUMNS,
    FULL,
    LONG,
    LORA,
    SERVERLESS_COLUMNS,
    CatalogDocs,
    Doc,
    build_catalog,
    catalogs,
    finetune_row,
    notes_doc,
    table_doc,
    valid_docs,
)
from tests.support.catalog_mutations import MUTATIONS, Broken, Mutation, broken_catalogs

__all__ = [
    "BASES",
    "BASE_COLUMNS",
    "CHAT_COLUMNS",
    "FINETUNE_COLUMNS",
    "FULL",
    "LONG",
    "LORA",
    "MUTATIONS",
    "SERVERLESS_COLUMNS",
    "Broken",
    "CatalogDocs",
    "Doc",
    "Mutation",
    "broken_catalogs",
    "build_catalog",
    "catalogs",
    "finetune_row",
    "notes_doc",
    "table_doc",
    "valid_docs",
]
