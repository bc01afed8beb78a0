"""The package's error types and the value a failed check reports, `Violation`.

`UnknownModelError` subclasses `KeyError` so code that already guards a mapping lookup with
`except KeyError` keeps working, while the message a user actually sees names the closest ids
instead of KeyError's bare quoted key; `RetiredModelError`, its subclass, is the miss of an id
the docs listed once (it says when, and what replaced it). `Violation` lives here, beside the
error that carries violations, so there is one class for type checkers wherever it is
imported from (`together_catalog.validate` re-exports it).
"""

from __future__ import annotations

from together_catalog._frozen import Frozen

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (import-time budget)
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "FineTuneRequestError",
    "PriceNotPublishedError",
    "RetiredModelError",
    "UnknownModelError",
    "Violation",
    "closest_ids",
    "serving_stem",
]

#: Id endings that name a serving variant of the same weights (a Turbo id's Reference twin).
SERVING_SUFFIXES = ("-reference", "-turbo", "-lite", "-free")


def serving_stem(model: str) -> str:
    """`model` case-folded, without a serving-variant ending ("-Turbo", "-Reference", ...)."""
    folded = model.casefold()
    for suffix in SERVING_SUFFIXES:
        if folded.endswith(suffix):
            return folded[: -len(suffix)]
    return folded


def closest_ids(model: str, candidates: Iterable[str], n: int = 3) -> tuple[str, ...]:
    """Ids a user most likely meant by `model`, best first (error path only).

    Case and namespace slips are the common typos ("qwen/qwen3-8b", "Qwen3-8B"): an id equal
    but for case, or for its namespace, is certainly meant, and nothing else is listed. Next
    come serving twins, the same weights under another ending ("...-Instruct-Turbo" for
    "...-Instruct-Reference", or "...-Instruct" with the ending left out), then difflib's
    closest ratios fill the rest.
    """
    import difflib  # deferred: only error paths pay for it

    pool = list(dict.fromkeys(candidates))
    folded = model.casefold()
    name = folded.rpartition("/")[2]
    found: list[str] = [c for c in pool if c.casefold() == folded]
    found += [c for c in pool if c.casefold().rpartition("/")[2] == name and c not in found]
    if found:  # a case or namespace slip: the intended id is certain, list nothing else
        return tuple(found[:n])
    stem = serving_stem(model)
    bare = stem.rpartition("/")[2]
    twins = [c for c in pool if serving_stem(c) == stem]
    twins += [c for c in pool if serving_stem(c).rpartition("/")[2] == bare and c not in twins]
    by_fold: dict[str, str] = {}
    for c in pool:
        by_fold.setdefault(c.casefold(), c)
    close = difflib.get_close_matches(folded, list(by_fold), n=n, cutoff=0.6)
    ranked = dict.fromkeys([*twins, *(by_fold[match] for match in close)])
    return tuple(ranked)[:n]


class UnknownModelError(KeyError):
    """A model id the catalog (or the table asked about) does not list.

    `model` is the id as given, `suggestions` the closest listed ids (possibly empty), and
    `where` names what was searched, e.g. "the LoRA fine-tuning table", and `listed_in` the
    catalog tables that do list the id (a model asked for in the wrong table). `hint` is a
    sentence about the id the catalog does know, e.g. that its family is fine-tuned only by
    arrangement with Together, or None.
    """

    def __init__(
        self,
        model: str,
        suggestions: Sequence[str] = (),
        where: str = "the catalog",
        listed_in: Sequence[str] = (),
        hint: str | None = None,
    ):
        super().__init__(model)
        self.model = model
        self.suggestions = tuple(suggestions)
        self.where = where
        self.listed_in = tuple(listed_in)
        self.hint = hint

    def __str__(self) -> str:
        text = f"{self.model!r} is not in {self.where}"
        if self.listed_in:
            text += f" (it is listed in {', '.join(self.listed_in)})"
        if self.hint:
            text += f"; {self.hint}"
        elif self.suggestions and not self.listed_in:
            text += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        return text


def _retired_sentence(model: str, where: str, last_seen: str) -> str:
    """How every message says `model` (as it should read) left the table `where` names."""
    return (
        f"{model} was retired from {where}: it left Together's docs after "
        f"{last_seen}, the as-of date of the last snapshot that listed it"
    )


class RetiredModelError(UnknownModelError):
    """A model id the table asked about listed once, but Together's docs no longer do.

    `table` is the catalog table it was retired from (the most recently seen one when the
    lookup searched several), `last_seen` the ISO as-of date of the last docs snapshot that
    listed it there, and `successor` the current id of that table that evidently replaces it
    (same family, newer version; None when none does). `suggestions` holds the successor, if
    any; `where` names the table, and `listed_in` the tables that still list the id.
    """

    def __init__(
        self,
        model: str,
        table: str,
        last_seen: str,
        successor: str | None = None,
        where: str | None = None,
        listed_in: Sequence[str] = (),
    ):
        where = where or f"the {table} table"
        super().__init__(model, (successor,) if successor else (), where, listed_in)
        self.table = table
        self.last_seen = last_seen
        self.successor = successor

    def __str__(self) -> str:
        text = _retired_sentence(repr(self.model), self.where, self.last_seen)
        if self.listed_in:
            text += f" (it is still listed in {', '.join(self.listed_in)})"
        if self.successor:
            text += f"; its successor there is {self.successor!r}"
        return text

    def __reduce__(self) -> tuple[type[RetiredModelError], tuple[object, ...]]:
        # KeyError would pickle the id alone, which this constructor cannot take back.
        args = (self.model, self.table, self.last_seen, self.successor, self.where)
        return type(self), (*args, self.listed_in)


class PriceNotPublishedError(ValueError):
    """A cost asked of a model whose docs row does not publish the price it needs.

    `model` is the id, `missing` the price fields that would be needed (e.g.
    ("output_price",)), and `category` the serverless table that was read (None when the
    model has no serverless row with any of them).
    """

    def __init__(self, model: str, missing: Sequence[str], category: str | None, what: str):
        self.model = model
        self.missing = tuple(missing)
        self.category = category
        table = f"the serverless {category} table" if category else "the serverless tables"
        super().__init__(f"{model}: {table} publishes no {what} ({', '.join(self.missing)})")


class Violation(Frozen):
    """One broken rule. `code` is stable; `message` and `suggestion` are for people.

    `limit` is the bound that was crossed (an int), the allowed values (a tuple of str), or
    None; `table` is the catalog table id the limit was read from, or None. Immutable and
    hashable, compared by value.
    """

    _fields = ("code", "field", "message", "limit", "table", "suggestion")
    __slots__ = _fields
    __match_args__ = ("code", "field", "message", "limit", "table", "suggestion")

    code: str
    field: str
    message: str
    limit: int | tuple[str, ...] | None
    table: str | None
    suggestion: str | None

    def __init__(
        self,
        code: str,
        field: str,
        message: str,
        limit: int | tuple[str, ...] | None = None,
        table: str | None = None,
        suggestion: str | None = None,
    ) -> None:
        _set_code(self, code)
        _set_field(self, field)
        _set_message(self, message)
        _set_limit(self, limit)
        _set_table(self, table)
        _set_suggestion(self, suggestion)

    def __str__(self) -> str:
        text = f"{self.field}: {self.message} [{self.code}]"
        return f"{text}; {self.suggestion}" if self.suggestion else text

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready mapping with the keys in the documented order."""
        limit = list(self.limit) if isinstance(self.limit, tuple) else self.limit
        return {
            "code": self.code,
            "field": self.field,
            "message": self.message,
            "limit": limit,
            "table": self.table,
            "suggestion": self.suggestion,
        }


# The slots' own setters, bound once: a failing check builds a Violation per broken rule, and
# calling these directly takes about half the time of `object.__setattr__` by name.
_set_code, _set_field, _set_message, _set_limit, _set_table, _set_suggestion = (
    Violation.__dict__[name].__set__ for name in Violation._fields
)


class FineTuneRequestError(ValueError):
    """A fine-tuning request that breaks at least one published limit; carries all of them."""

    def __init__(self, violations: Sequence[Violation]):
        self.violations: tuple[Violation, ...] = tuple(violations)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        count = len(self.violations)
        head = f"fine-tuning request has {count} violation{'s' if count != 1 else ''}"
        return head + "".join(f"\n  - {v}" for v in self.violations)
