"""Run-time values of the package's own `Literal` aliases (`FineTuneMethod`, ...).

These are the only module-level names that need `typing` at run time, and importing `typing`
costs more than half of the 20 ms import budget. So the modules that export them
(`together_catalog`, `lookup`, `validate`, `_records`) see them through
`if TYPE_CHECKING:` imports for type checkers, and serve them at run time from a module
`__getattr__` (PEP 562) that imports this module on first access.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

__all__ = ["FineTuneMethod", "TrainingMethod"]

#: A fine-tuning table: LoRA, full, or long-context LoRA.
FineTuneMethod: TypeAlias = Literal["lora", "full", "lora_long_context"]
#: A training objective: supervised fine-tuning or direct preference optimisation.
TrainingMethod: TypeAlias = Literal["sft", "dpo"]
