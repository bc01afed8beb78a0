"""The data files shipped with the package, for tools in any language: their text or a path.

    import json
    from together_catalog import resources

    catalog = json.loads(resources.text("catalog.json"))
    schema = resources.path("finetune-request.schema.json")   # a pathlib.Path

The files (`FILES`):

- ``catalog.json``: the whole catalog (sorted keys, provenance, notes, aliases, waivers);
- ``catalog.schema.json``: the JSON Schema of ``catalog.json``;
- ``finetune-request.schema.json``: a JSON Schema (2020-12) that accepts exactly the
  fine-tuning requests the catalog allows, the same verdicts as `check_finetune_request`;
- ``CHANGES.md``: the data changelog, what changed in Together's tables between releases
  (in builds made since the changelog exists).

An installed wheel holds them in the package's ``data/`` folder. A source checkout or an
editable install (``pip install -e .``) runs the package from ``generated/together_catalog``
and has no such folder: the files are then read where the generator writes them, in
``generated/data``, ``generated/schema`` and ``generated/docs`` beside the package. Either
way the text is the generator's, byte for byte.

This module is not imported by ``import together_catalog``; import it where the files are
wanted. It reads the package folder directly, and needs importlib.resources (which costs
more to import than all of together_catalog) only when the package is imported from a zip.
"""

from __future__ import annotations

from pathlib import Path

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

__all__ = ["FILES", "UnknownResourceError", "names", "path", "text"]

#: Every file this module serves -> the folder of generated/ that the generator writes it to.
FILES = {
    "CHANGES.md": "docs",
    "catalog.json": "data",
    "catalog.schema.json": "schema",
    "finetune-request.schema.json": "schema",
}

#: The folder inside the installed package that holds the files.
PACKAGED = "data"


class UnknownResourceError(KeyError):
    """A name that is not one of `FILES`; the message lists the known names.

    Subclasses `KeyError` (a lookup by name that found nothing) and, like the package's
    `UnknownModelError`, prints a sentence rather than KeyError's bare quoted key.
    """

    def __init__(self, name: str):
        super().__init__(name)
        self.name = name

    def __str__(self) -> str:
        known = ", ".join(sorted(FILES))
        return f"{self.name!r} is not a together_catalog data file; the files are: {known}"


def _candidates(name: str) -> list[Traversable]:
    """Where `name` may be, in order: the installed package's data folder, then the
    generator's output folder beside the package (a checkout or an editable install)."""
    if name not in FILES:
        raise UnknownResourceError(name)
    package = _package()
    places = [package.joinpath(PACKAGED, name)]
    if isinstance(package, Path):
        places.append(package.parent / FILES[name] / name)
    return places


def _package() -> Traversable:
    """The package's folder: a plain directory but for a zip import."""
    here = Path(__file__).parent
    if here.is_dir():
        return here
    from importlib import resources  # a zip import: only importlib.resources reads inside it

    return resources.files(__package__ or "together_catalog")


def _locate(name: str) -> Traversable:
    places = _candidates(name)
    for place in places:
        if place.is_file():
            return place
    looked = ", ".join(str(p) for p in places)
    raise FileNotFoundError(f"{name} is not in this build of together_catalog (looked in {looked})")


def text(name: str) -> str:
    """The text of the data file `name` (UTF-8), e.g. ``text("catalog.json")``.

    Raises `UnknownResourceError` for a name not in `FILES`, and `FileNotFoundError` for a
    known file this build does not carry (``CHANGES.md`` in builds older than it).
    """
    return _locate(name).read_text(encoding="utf-8")


def path(name: str) -> Path:
    """The filesystem path of the data file `name`, e.g. to hand to a tool in another
    language: ``path("finetune-request.schema.json")``.

    Raises as `text` does; and `FileNotFoundError` when the package is imported from a zip
    archive, where no file exists to point at (`text` still works there).
    """
    found = _locate(name)
    if not isinstance(found, Path):
        raise FileNotFoundError(
            f"{name} is inside a zip archive ({found}); read it with together_catalog."
            "resources.text(), or extract it with importlib.resources.as_file()"
        )
    return found


def names() -> tuple[str, ...]:
    """The names of the data files this build carries, sorted (a subset of `FILES`)."""
    present = []
    for name in sorted(FILES):
        try:
            _locate(name)
        except FileNotFoundError:
            continue
        present.append(name)
    return tuple(present)
