"""The shared base of the package's immutable value types: the records and the results.

`import together_catalog` has a 20 ms budget. `@dataclass(frozen=True, slots=True)` would
import `dataclasses` (which pulls in `inspect`, `ast`, `dis` and `re`: about 10 ms on a slow
machine) and build each class's methods with exec(); so the generated records and the
runtime's result types share these hand-written methods instead, and nothing here imports
`typing` at run time.

A subclass declares `_fields` (its fields, in order), `__slots__ = _fields`, the same names
spelt out as `__match_args__` (type checkers read only a literal tuple), and an `__init__`
taking every field positionally or by keyword that sets each with `object.__setattr__`. It
gets what the frozen dataclass gave: equality with instances of the same class only,
hashing, a constructor-style repr, pickling and copying, immutability at run time, and
`_asdict()` / `_replace(**changes)` standing in for `dataclasses.asdict` / `replace`.
One difference: type checkers no longer flag assigning to a field (the frozen dataclass
made them); they do flag unknown attribute names.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing; mypy reads it as True
if TYPE_CHECKING:
    from typing import Any, ClassVar, Self

__all__ = ["Frozen"]


class Frozen:
    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple([getattr(self, name) for name in self._fields])

    def _asdict(self) -> dict[str, Any]:
        """Field name -> value, in field order (what `dataclasses.asdict` gave for records)."""
        return {name: getattr(self, name) for name in self._fields}

    def _replace(self, **changes: Any) -> Self:
        """A copy with some fields changed, like `dataclasses.replace`; unknown names are a
        TypeError from the constructor."""
        cls: Any = type(self)
        made: Self = cls(**{**self._asdict(), **changes})
        return made

    __replace__ = _replace  # copy.replace() (Python 3.13), as dataclasses provide it

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Frozen)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._values()))

    def __repr__(self) -> str:
        fields = ", ".join([f"{name}={getattr(self, name)!r}" for name in self._fields])
        return f"{type(self).__name__}({fields})"

    if not TYPE_CHECKING:  # hidden from type checkers, which would then accept any name

        def __setattr__(self, name: str, value: Any) -> None:
            raise AttributeError(f"{type(self).__name__} is immutable; cannot set {name!r}")

        def __delattr__(self, name: str) -> None:
            raise AttributeError(f"{type(self).__name__} is immutable; cannot delete {name!r}")

    def __reduce__(self) -> tuple[type[Frozen], tuple[object, ...]]:
        return type(self), self._values()
