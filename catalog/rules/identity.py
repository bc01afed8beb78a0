"""Rules about model ids themselves, in every table: their shape, their uniqueness, and
their agreement with the organization a row publishes. Ids are the keys everything else
(lookups, generated Literals, waivers) relies on."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator

from catalog.contents import Catalog
from catalog.rules.common import normalise
from catalog.rules.registry import Finding, rule


@rule("organization-namespace", "observed invariant")
def organization_namespace(catalog: Catalog) -> Iterator[Finding]:
    """A row's organization agrees with its model id's namespace.

    They agree when they are the same name up to case and punctuation (`Black Forest Labs`
    ~ `black-forest-labs`), or when catalog/aliases.yaml `organizations` lists the namespace
    for that organization (`Meta` -> `meta-llama`). Rows that publish no organization, or
    whose id has no namespace (model-id-grammar reports those), are skipped.
    """
    aliases = catalog.aliases
    for table in catalog.tables.values():
        for row in table.rows:
            organization = getattr(row, "organization", None)
            namespace, slash, _ = row.model.partition("/")
            if organization is None or not slash:
                continue
            if normalise(organization) == normalise(namespace):
                continue
            if namespace in aliases.namespaces(organization):
                continue
            yield Finding(
                table.table,
                row.model,
                "organization",
                {"organization": organization, "namespace": namespace},
                f"organization {organization!r} does not match namespace {namespace!r} "
                "and no alias declares it",
            )


@rule("model-id-unique", "catalog integrity")
def model_id_unique(catalog: Catalog) -> Iterator[Finding]:
    """A model id appears at most once per table.

    Lookups key on the id; a second row would make one of them unreachable.
    """
    for table in catalog.tables.values():
        counts = Counter(row.model for row in table.rows)
        for model, count in counts.items():
            if count > 1:
                yield Finding(
                    table.table,
                    model,
                    "model",
                    {"rows": count},
                    f"listed {count} times",
                )


#: `namespace/name`: ASCII letters, digits, `.`, `_`, `-`, each part starting with a letter or
#: digit (the Hugging Face repository id shape every published id has). Rules out whitespace,
#: quotes, control characters and extra slashes by construction.
MODEL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")


@rule("model-id-grammar", "observed invariant (Hugging Face repository id shape)")
def model_id_grammar(catalog: Catalog) -> Iterator[Finding]:
    """Model ids are `namespace/name`, with no whitespace, quotes or control characters.

    Ids become Literal members, JSON keys and API arguments; a stray space or quote from a
    scraping slip must fail here, not in a user's job.
    """
    for table in catalog.tables.values():
        for row in table.rows:
            if MODEL_ID.fullmatch(row.model):
                continue
            bad = sorted(
                {
                    repr(c)
                    for c in row.model
                    if c.isspace() or c in "\"'`\\" or unicodedata.category(c)[0] == "C"
                }
            )
            yield Finding(
                table.table,
                row.model,
                "model",
                {"slashes": row.model.count("/"), "bad_characters": bad},
                f"model id {row.model!r} is not namespace/name",
            )
