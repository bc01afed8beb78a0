"""Consistency rules across Together's tables.

Each rule is a small function `(catalog) -> Iterable[Finding]`, registered under a stable
kebab-case id. Its docstring says what it checks and where the rule comes from: a note in the
docs (named by page and section, as in catalog/notes.yaml) or an invariant observed across the
tables. A rule reports every offending row as a Finding, which the registry turns into a
Violation under the rule's id; whether a violation is a known, waived anomaly is decided by
catalog.check, never here.

Cost: every rule walks each table once and looks rows up in dict/set indexes built in that
walk, so checking grows linearly with the catalog. No rule compares pairs of rows.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from catalog.contents import Catalog
from catalog.models import (
    FineTuneTable,
    LoraBaseTable,
    ServerlessRow,
    ServerlessTable,
    Table,
)
from catalog.waivers import ALIASES_FILE

#: Scalar values a violation reports (JSON-ready).
Value = str | int | bool | None | list[str] | dict[str, int | None]

#: The fine-tuning limits a long-context row repeats from its LoRA row.
LIMIT_FIELDS = (
    "context_length_sft",
    "context_length_dpo",
    "max_batch_size_sft",
    "max_batch_size_dpo",
    "min_batch_size",
)
CONTEXT_FIELDS = ("context_length_sft", "context_length_dpo")
IDENTITY_FIELDS = ("organization", "model_name")
#: Pseudo-table under which findings about catalog/aliases.yaml are reported and waived.
ALIASES_TABLE = ALIASES_FILE.removesuffix(".yaml")
NOTES_TABLE = "notes"


@dataclass(frozen=True)
class Violation:
    """One offending row: which rule, where, the values that disagree, and in words."""

    rule: str
    table: str
    model: str
    field: str
    values: Mapping[str, Value]
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "table": self.table,
            "model": self.model,
            "field": self.field,
            "values": dict(self.values),
            "message": self.message,
        }


class Finding(NamedTuple):
    """What a rule reports about one row; `Rule.run` adds the rule's id to make a Violation."""

    table: str
    model: str
    field: str
    values: Mapping[str, Value]
    message: str


RuleFn = Callable[[Catalog], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    id: str
    source: str  # "docs: <page> / <section>" or "observed invariant" or "catalog integrity"
    check: RuleFn = field(repr=False)

    @property
    def doc(self) -> str:
        return (self.check.__doc__ or "").strip()

    @property
    def title(self) -> str:
        """The docstring's first paragraph, on one line."""
        return " ".join(self.doc.split("\n\n")[0].split()) or self.id

    def run(self, catalog: Catalog) -> list[Violation]:
        return [Violation(self.id, *finding) for finding in self.check(catalog)]


#: Every rule, in the order they run and report. Ids are stable: waivers name them.
RULES: dict[str, Rule] = {}


def rule(rule_id: str, source: str) -> Callable[[RuleFn], RuleFn]:
    def register(fn: RuleFn) -> RuleFn:
        if rule_id in RULES:
            raise ValueError(f"rule {rule_id} registered twice")
        RULES[rule_id] = Rule(rule_id, source, fn)
        return fn

    return register


def run_rules(catalog: Catalog) -> list[Violation]:
    return [v for r in RULES.values() for v in r.run(catalog)]


# --- indexes --------------------------------------------------------------------------------


def finetune_tables(catalog: Catalog, method: str | None = None) -> list[FineTuneTable]:
    """The fine-tuning tables, in order; only those of `method` when it is given."""
    return [
        t
        for t in catalog.tables.values()
        if isinstance(t, FineTuneTable) and (method is None or t.method == method)
    ]


def serverless_tables(catalog: Catalog) -> list[ServerlessTable]:
    return [t for t in catalog.tables.values() if isinstance(t, ServerlessTable)]


def lora_base_tables(catalog: Catalog) -> list[LoraBaseTable]:
    return [t for t in catalog.tables.values() if isinstance(t, LoraBaseTable)]


def words(text: str) -> set[str]:
    """Case-folded words of a name or id: `Llama-3.2-3B-Instruct-Turbo` -> {..., 'turbo'}."""
    return {w.casefold() for w in re.split(r"[^0-9A-Za-z]+", text) if w}


def _name_words(model: str, model_name: str | None) -> set[str]:
    return words(model.partition("/")[2] or model) | words(model_name or "")


def _normalise(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())


# --- 1-3: fine-tuning tables ----------------------------------------------------------------


@rule("long-context-subset-of-lora", "docs: fine-tuning-models / LoRA Long-context Fine-tuning")
def long_context_subset_of_lora(catalog: Catalog) -> Iterator[Finding]:
    """Every long-context LoRA row is also a LoRA row, with identical limits.

    The long-context table lists the LoRA models that reach long contexts; it repeats their
    limits rather than adding new ones, so a row absent from the LoRA table, or one whose
    context or batch limits differ from its LoRA row, contradicts the LoRA table.
    """
    lora = catalog.lora_index
    for table in finetune_tables(catalog, "lora_long_context"):
        for row in table.rows:
            base = lora.get(row.model)
            if base is None:
                yield Finding(
                    table.table,
                    row.model,
                    "model",
                    {"in_lora": False},
                    "long-context LoRA row has no LoRA row",
                )
                continue
            for name in LIMIT_FIELDS:
                mine, theirs = getattr(row, name), getattr(base, name)
                if mine != theirs:
                    yield Finding(
                        table.table,
                        row.model,
                        name,
                        {"long_context": mine, "lora": theirs},
                        f"{name} is {mine} here but {theirs} in the LoRA table",
                    )


@rule("full-subset-of-lora", "observed invariant")
def full_subset_of_lora(catalog: Catalog) -> Iterator[Finding]:
    """Every model offered for full fine-tuning is also offered for LoRA fine-tuning.

    Observed across every published version of the tables; not stated in the docs. A full
    row without a LoRA row most likely means a LoRA row was dropped or an id misspelt.
    """
    lora = catalog.lora_index
    for table in finetune_tables(catalog, "full"):
        for row in table.rows:
            if row.model not in lora:
                yield Finding(
                    table.table,
                    row.model,
                    "model",
                    {"in_lora": False},
                    "full fine-tuning row has no LoRA row",
                )


@rule("min-batch-le-max-batch", "docs: fine-tuning-models (column meaning)")
def min_batch_le_max_batch(catalog: Catalog) -> Iterator[Finding]:
    """Min batch size is at most the max batch size, for SFT and for DPO, in every table.

    A batch size between a minimum and a maximum exists only when min <= max; otherwise no
    batch size satisfies the row and a job for it cannot be configured as published.
    """
    for table in finetune_tables(catalog):
        for row in table.rows:
            over = {
                name: getattr(row, name)
                for name in ("max_batch_size_sft", "max_batch_size_dpo")
                if row.min_batch_size > getattr(row, name)
            }
            if over:
                yield Finding(
                    table.table,
                    row.model,
                    "min_batch_size",
                    {"min_batch_size": row.min_batch_size, **over},
                    f"min batch size {row.min_batch_size} exceeds "
                    + ", ".join(f"{k} {v}" for k, v in over.items()),
                )


# --- 4: serverless LoRA bases ---------------------------------------------------------------


@rule("lora-base-not-turbo", "docs: fine-tuning-models / Supported Models (serverless LoRA)")
def lora_base_not_turbo(catalog: Catalog) -> Iterator[Finding]:
    """No serverless LoRA base is a Turbo variant, by id or by published name.

    The docs say adapters are served on the listed Reference/base models and that a Turbo
    base is refused at upload (notes.yaml `serverless_lora`), so a Turbo base row contradicts
    that note.
    """
    for table in lora_base_tables(catalog):
        for row in table.rows:
            if "turbo" in _name_words(row.model, row.model_name):
                yield Finding(
                    table.table,
                    row.model,
                    "model",
                    {"model_name": row.model_name},
                    "serverless LoRA base is a Turbo variant",
                )


@rule("lora-base-fine-tunable", "docs: serverless-lora-bases / Serverless LoRA base models")
def lora_base_fine_tunable(catalog: Catalog) -> Iterator[Finding]:
    """Each serverless LoRA base is a LoRA-fine-tunable model, directly or by declared alias.

    The base list exists to serve adapters trained on Together; a base nobody can train a
    LoRA for serves nothing. Where the served id is a serving variant of the trained one
    (`...-2507-tput` serves `...-2507`), catalog/aliases.yaml `serving_variants` says so.
    """
    lora = catalog.lora_index
    variants = catalog.aliases.serving_variants
    for table in lora_base_tables(catalog):
        for row in table.rows:
            target = variants.get(row.model, row.model)
            if target not in lora:
                yield Finding(
                    table.table,
                    row.model,
                    "model",
                    {"resolves_to": target, "via_alias": target != row.model},
                    f"serverless LoRA base resolves to {target}, which has no LoRA row",
                )


# --- 5: quantization legend -----------------------------------------------------------------


@rule("quantization-legend", "docs: serverless-models / Chat Models (quantization legend)")
def quantization_legend(catalog: Catalog) -> Iterator[Finding]:
    """Quantization follows the docs' naming legend: Turbo -> FP8, Lite -> INT4, else FP16.

    The legend (notes.yaml `quantization_legend`) is stated on the serverless models page, so
    it applies to that page's tables that publish a quantization column. It does not apply
    to the serverless LoRA bases page: that table publishes BF16, a precision the legend has
    no word for, and its FP8 rows carry no marker; it follows another convention.
    A marker counts when it is a whole word of the id's name or of the published name.
    """
    legend = catalog.notes.quantization_legend
    for table in serverless_tables(catalog):
        if table.source.page != legend.source.page:
            continue
        if "quantization" not in {c.field for c in table.columns}:
            continue
        for row in table.rows:
            if row.quantization is None:
                continue
            found = _name_words(row.model, row.model_name)
            marks = [m for m in legend.markers if m.name_contains.casefold() in found]
            expected = {m.quantization for m in marks} or {legend.default}
            if len(expected) > 1 or row.quantization not in expected:
                yield Finding(
                    table.table,
                    row.model,
                    "quantization",
                    {
                        "quantization": row.quantization,
                        "expected": sorted(expected),
                        "markers": [m.name_contains for m in marks],
                    },
                    f"published {row.quantization}, the legend implies "
                    + " or ".join(sorted(expected)),
                )


# --- 6: LoRA-only long context --------------------------------------------------------------


@rule("llama31-long-context-lora-only", "docs: fine-tuning-models / Supported Models")
def llama31_long_context_lora_only(catalog: Catalog) -> Iterator[Finding]:
    """The models in notes.yaml `lora_only_long_context` fine-tune above `min_context` with
    LoRA only: no full fine-tuning row for them offers an SFT or DPO context above it.

    The docs' note names Llama 3.1 8B/70B Reference (and 70B Instruct Reference) for contexts
    of 32K-131K. Only the models the note names are checked; their Instruct twins that the
    note leaves out are not guessed at.
    """
    note = catalog.notes.lora_only_long_context
    models = set(note.models)
    for table in finetune_tables(catalog, "full"):
        for row in table.rows:
            if row.model not in models:
                continue
            over = {
                f: getattr(row, f) for f in CONTEXT_FIELDS if getattr(row, f) > note.min_context
            }
            if over:
                yield Finding(
                    table.table,
                    row.model,
                    next(iter(over)),
                    {**over, "lora_only_above": note.min_context},
                    f"full fine-tuning offered above {note.min_context} tokens "
                    "for a model the docs make LoRA-only there",
                )


# --- 7: serverless categories ---------------------------------------------------------------


@rule("serverless-context-consistent", "observed invariant")
def serverless_context_consistent(catalog: Catalog) -> Iterator[Finding]:
    """A model listed in several serverless categories has the same context length in each.

    One served model has one context window; two categories publishing different ones for
    the same id cannot both be right. Every listing of such a model is reported.
    """
    seen: dict[str, list[tuple[str, ServerlessRow]]] = defaultdict(list)
    for table in serverless_tables(catalog):
        for row in table.rows:
            if row.context_length is not None:
                seen[row.model].append((table.table, row))
    for model, listings in seen.items():
        lengths = {t: r.context_length for t, r in listings}
        if len(set(lengths.values())) > 1:
            for table_id, row in listings:
                yield Finding(
                    table_id,
                    model,
                    "context_length",
                    dict(lengths),
                    f"context length {row.context_length} here; elsewhere "
                    + ", ".join(f"{t}: {n}" for t, n in lengths.items() if t != table_id),
                )


# --- 8-9: ids -------------------------------------------------------------------------------


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
            if _normalise(organization) == _normalise(namespace):
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


# --- 10: notes ------------------------------------------------------------------------------


@rule("recommended-model-listed", "docs: serverless-models (per-category recommendation)")
def recommended_model_listed(catalog: Catalog) -> Iterator[Finding]:
    """Each category's recommended model (notes.yaml `categories`) is in that category's table.

    A recommendation pointing outside its table is a renamed or withdrawn model.
    """
    by_category: dict[str, list[ServerlessTable]] = defaultdict(list)
    for table in serverless_tables(catalog):
        by_category[table.category].append(table)
    for category, note in catalog.notes.categories.items():
        if note.recommended is None:
            continue
        tables = by_category.get(category, [])
        if not any(note.recommended in {r.model for r in t.rows} for t in tables):
            table_id = tables[0].table if tables else NOTES_TABLE
            yield Finding(
                table_id,
                note.recommended,
                "recommended",
                {"category": category},
                f"recommended {category} model is not in the {category} table",
            )


# --- what a careful reader adds -------------------------------------------------------------


@rule("full-context-matches-lora", "observed invariant")
def full_context_matches_lora(catalog: Catalog) -> Iterator[Finding]:
    """A full fine-tuning row has the same SFT and DPO context lengths as the model's LoRA row.

    Observed for every model in both tables: the method changes the batch limits (full rows
    often allow larger batches), never the context. A differing context is most likely a
    misaligned cell.
    """
    lora = catalog.lora_index
    for table in finetune_tables(catalog, "full"):
        for row in table.rows:
            base = lora.get(row.model)
            if base is None:
                continue  # full-subset-of-lora reports it
            for name in CONTEXT_FIELDS:
                if getattr(row, name) != getattr(base, name):
                    yield Finding(
                        table.table,
                        row.model,
                        name,
                        {"full": getattr(row, name), "lora": getattr(base, name)},
                        f"{name} differs from the LoRA row",
                    )


@rule("finetune-identity-consistent", "observed invariant")
def finetune_identity_consistent(catalog: Catalog) -> Iterator[Finding]:
    """A model in several fine-tuning tables has the same organization and name in each.

    The full and long-context tables repeat the LoRA table's organization and model name;
    a difference means one table was edited and the other was not.
    """
    lora = catalog.lora_index
    for table in finetune_tables(catalog):
        if table.method == "lora":
            continue
        for row in table.rows:
            base = lora.get(row.model)
            if base is None:
                continue
            for name in IDENTITY_FIELDS:
                if getattr(row, name) != getattr(base, name):
                    yield Finding(
                        table.table,
                        row.model,
                        name,
                        {"here": getattr(row, name), "lora": getattr(base, name)},
                        f"{name} differs from the LoRA row",
                    )


#: A context size written into an id: `...-32k-...`, `...-131k`.
CONTEXT_SUFFIX = re.compile(r"-(\d+)k(?=-|$)")


def named_context(thousands: int) -> int:
    """The size an id's `-<N>k` stands for: `k` is a rounded thousand of a power of two
    (32k -> 32768, 131k -> 131072), so the size is the power of two nearest N * 1000."""
    return 1 << round(math.log2(thousands * 1000))


@rule("context-size-suffix", "observed invariant (id naming)")
def context_size_suffix(catalog: Catalog) -> Iterator[Finding]:
    """An id naming a context size (`-32k`, `-131k`) offers exactly that SFT context, and no
    context above it.

    Together publishes long-context variants as separate ids that carry their size; the
    SFT limit of every such row equals the size, so a limit above it contradicts the id.
    """
    for table in finetune_tables(catalog):
        for row in table.rows:
            match = CONTEXT_SUFFIX.search(row.model.partition("/")[2])
            if match is None or int(match.group(1)) == 0:
                continue
            size = named_context(int(match.group(1)))
            for name in CONTEXT_FIELDS:
                value = getattr(row, name)
                if value > size or (name == "context_length_sft" and value != size):
                    yield Finding(
                        table.table,
                        row.model,
                        name,
                        {name: value, "named_size": size},
                        f"{name} {value} does not fit the {match.group(1)}k in the id",
                    )


@rule("contact-only-not-self-serve", "docs: fine-tuning-models / Supported Models")
def contact_only_not_self_serve(catalog: Catalog) -> Iterator[Finding]:
    """Families the docs offer for fine-tuning only through sales (notes.yaml `contact_only`)
    do not appear in the self-serve fine-tuning tables.
    """
    prefixes = tuple(p for note in catalog.notes.contact_only for p in note.model_prefixes)
    if not prefixes:
        return
    for table in finetune_tables(catalog):
        for row in table.rows:
            if row.model.startswith(prefixes):
                yield Finding(
                    table.table,
                    row.model,
                    "model",
                    {"prefixes": [p for p in prefixes if row.model.startswith(p)]},
                    "contact-only model listed as self-serve fine-tunable",
                )


def _note_references(catalog: Catalog) -> Iterator[tuple[str, str, list[Table]]]:
    """(note path, model id, tables it must be in) for every model the notes name."""
    notes = catalog.notes
    by_section: dict[tuple[str, str], list[Table]] = defaultdict(list)
    for table in catalog.tables.values():
        by_section[(table.source.page, table.source.section)].append(table)

    def section(page: str, name: str) -> list[Table]:
        return by_section.get((page, name), [])

    for i, limit in enumerate(notes.rate_limits):
        yield f"rate_limits[{i}]", limit.model, section(limit.source.page, limit.source.section)
    for i, tier in enumerate(notes.access_tiers):
        yield f"access_tiers[{i}]", tier.model, section(tier.source.page, tier.source.section)
    for i, reduced in enumerate(notes.reduced_limits):
        tables = section(reduced.source.page, reduced.source.section)
        yield f"reduced_limits[{i}].model", reduced.model, tables
        yield f"reduced_limits[{i}].paid_equivalent", reduced.paid_equivalent, tables
    pricing = notes.image_pricing
    for model in pricing.excluded:
        yield "image_pricing.excluded", model, section(pricing.source.page, pricing.source.section)
    lora: list[Table] = list(finetune_tables(catalog, "lora"))
    for model in notes.lora_only_long_context.models:
        yield "lora_only_long_context.models", model, lora
    bases: list[Table] = list(lora_base_tables(catalog))
    yield "serverless_lora.example_instead", notes.serverless_lora.example_instead, bases
    served: list[Table] = list(serverless_tables(catalog))
    yield "serverless_lora.example_not", notes.serverless_lora.example_not, served


@rule("notes-models-listed", "catalog integrity (notes.yaml)")
def notes_models_listed(catalog: Catalog) -> Iterator[Finding]:
    """Every model notes.yaml names is a row of the table its note is about.

    Notes are keyed by model id; after an upstream rename a note would silently apply to
    nothing. Rate limits, access tiers, reduced limits and pricing exclusions must be in
    their section's table; LoRA-only models in the LoRA table; the serverless-LoRA examples
    in the base list and in a serverless table respectively.
    """
    ids_of: dict[str, set[str]] = {}
    for path, model, tables in _note_references(catalog):
        found = False
        for table in tables:
            ids = ids_of.get(table.table)
            if ids is None:
                ids = ids_of[table.table] = {r.model for r in table.rows}
            found = found or model in ids
        if not found:
            yield Finding(
                NOTES_TABLE,
                model,
                path,
                {"tables": [t.table for t in tables]},
                f"notes.yaml {path} names a model no matching table lists",
            )


@rule("aliases-in-use", "catalog integrity (aliases.yaml)")
def aliases_in_use(catalog: Catalog) -> Iterator[Finding]:
    """Every alias in catalog/aliases.yaml is needed by a current row.

    A serving variant must be a listed LoRA base whose id differs from its target; an
    organization's namespace must be used by a row of that organization that the plain name
    match would not already accept. An unused alias means upstream changed: it is stale, like
    a waiver that waives nothing, and should go.
    """
    aliases = catalog.aliases
    bases = {row.model for table in lora_base_tables(catalog) for row in table.rows}
    for variant, target in aliases.serving_variants.items():
        if variant not in bases or variant == target:
            yield Finding(
                ALIASES_TABLE,
                variant,
                "serving_variants",
                {"target": target, "is_lora_base": variant in bases},
                "serving variant is not a listed LoRA base"
                if variant not in bases
                else "serving variant aliases itself",
            )
    used: set[tuple[str, str]] = set()
    for table in catalog.tables.values():
        for row in table.rows:
            organization = getattr(row, "organization", None)
            if organization is not None:
                used.add((organization, row.model.partition("/")[0]))
    for organization, namespaces in aliases.organizations.items():
        for namespace in namespaces:
            needed = _normalise(organization) != _normalise(namespace)
            if not needed or (organization, namespace) not in used:
                yield Finding(
                    ALIASES_TABLE,
                    namespace,
                    f"organizations.{organization}",
                    {"organization": organization, "namespace": namespace, "needed": needed},
                    f"no row of {organization} uses namespace {namespace}"
                    if needed
                    else "alias repeats what the name match already accepts",
                )
