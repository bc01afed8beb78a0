"""Exceptions the lookup library raises.

`UnknownModelError` subclasses `KeyError` so code that already guards a mapping lookup with
`except KeyError` keeps working, while the message a user actually sees names the closest ids
instead of KeyError's bare quoted key.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (import-time budget)
if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from together_catalog.validate import Violation

__all__ = ["FineTuneRequestError", "UnknownModelError", "closest_ids"]


def closest_ids(model: str, candidates: Iterable[str], n: int = 3) -> tuple[str, ...]:
    """Ids a user most likely meant by `model`, best first (error path only).

    Case and namespace slips are the common typos ("qwen/qwen3-8b", "Qwen3-8B"), so exact
    matches ignoring case or namespace come first; difflib's ratio fills the rest.
    """
    import difflib  # deferred: only error paths pay for it

    pool = list(dict.fromkeys(candidates))
    folded = model.casefold()
    name = folded.rpartition("/")[2]
    found: list[str] = [c for c in pool if c.casefold() == folded]
    found += [c for c in pool if c.casefold().rpartition("/")[2] == name and c not in found]
    if found:  # a case or namespace slip: the intended id is certain, list nothing else
        return tuple(found[:n])
    by_fold: dict[str, str] = {}
    for c in pool:
        by_fold.setdefault(c.casefold(), c)
    close = difflib.get_close_matches(folded, list(by_fold), n=n, cutoff=0.6)
    return tuple(by_fold[match] for match in close)


class UnknownModelError(KeyError):
    """A model id the catalog (or the table asked about) does not list.

    `model` is the id as given, `suggestions` the closest listed ids (possibly empty), and
    `where` names what was searched, e.g. "the LoRA fine-tuning table", and `listed_in` the
    catalog tables that do list the id (a model asked for in the wrong table).
    """

    def __init__(
        self,
        model: str,
        suggestions: Sequence[str] = (),
        where: str = "the catalog",
        listed_in: Sequence[str] = (),
    ):
        super().__init__(model)
        self.model = model
        self.suggestions = tuple(suggestions)
        self.where = where
        self.listed_in = tuple(listed_in)

    def __str__(self) -> str:
        text = f"{self.model!r} is not in {self.where}"
        if self.listed_in:
            text += f" (it is listed in {', '.join(self.listed_in)})"
        if self.suggestions and not self.listed_in:
            text += "; did you mean " + " or ".join(repr(s) for s in self.suggestions) + "?"
        return text


class FineTuneRequestError(ValueError):
    """A fine-tuning request that breaks at least one published limit; carries all of them."""

    def __init__(self, violations: Sequence[Violation]):
        self.violations: tuple[Violation, ...] = tuple(violations)
        super().__init__(self.__str__())

    def __str__(self) -> str:
        count = len(self.violations)
        head = f"fine-tuning request has {count} violation{'s' if count != 1 else ''}"
        return head + "".join(f"\n  - {v}" for v in self.violations)
