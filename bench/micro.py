"""`python -m bench.micro GROUP`: per-call timings of one subject, printed as JSON.

Run by `python -m bench`, one fresh interpreter per group, so that one library's imports,
caches and heap (litellm's is large) never slow another's calls. A group whose library is
missing or fails to import reports why instead of timings.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.timing import loop_overhead, per_call, speed_reference_ns

#: One current fine-tunable model (LoRA, DPO) and one serverless chat model that litellm and
#: genai-prices know too. The catalog retires models: pick a current one when this one goes.
FINETUNE_MODEL = "Qwen/Qwen3.5-9B"
SERVERLESS_MODEL = "meta-llama/Llama-3.3-70B-Instruct-Turbo"
#: A valid DPO LoRA job for FINETUNE_MODEL, and one breaking two limits.
VALID_REQUEST: dict[str, Any] = {
    "model": FINETUNE_MODEL,
    "lora": True,
    "training_method": "dpo",
    "batch_size": 8,
    "max_seq_length": 16384,
}
INVALID_REQUEST: dict[str, Any] = {**VALID_REQUEST, "batch_size": 64, "max_seq_length": 1_000_000}
SCHEMA = Path(__file__).resolve().parent.parent / "generated/schema/finetune-request.schema.json"


@dataclass(frozen=True, slots=True)
class Case:
    kind: str  # "lookup" or "validate"
    subject: str  # library, as shown in the results
    name: str  # what is timed, as shown in the results
    stmt: str
    namespace: dict[str, Any]
    repeat: int | None = None  # fewer repeats for a call that takes seconds


def _together_catalog() -> list[Case]:
    import together_catalog as tc

    ns: dict[str, Any] = {"tc": tc, "m": FINETUNE_MODEL, "s": SERVERLESS_MODEL}
    ok, bad = dict(VALID_REQUEST), dict(INVALID_REQUEST)
    ns["ok"], ns["bad"] = ok, bad
    if tc.check_finetune_request(**ok):
        raise AssertionError(f"the valid request is refused: {tc.check_finetune_request(**ok)}")
    if len(tc.check_finetune_request(**bad)) < 2:
        raise AssertionError("the invalid request should break two limits")
    ns["check"] = tc.check_finetune_request
    ns["limits"] = tc.finetune_limits
    ns["serverless"] = tc.serverless_model
    from together_catalog import _data

    ns["LORA"] = _data.LORA
    cases = [
        Case("lookup", "together_catalog", "`finetune_limits(id)` (LoRA row)", "limits(m)", ns),
        Case("lookup", "together_catalog", "`serverless_model(id)`", "serverless(s)", ns),
        Case("lookup", "together_catalog", "`_data.LORA[id]` (raw mapping)", "LORA[m]", ns),
        Case(
            "validate",
            "together_catalog",
            "`check_finetune_request(**valid)`",
            "check(**ok)",
            ns,
        ),
        Case(
            "validate",
            "together_catalog",
            "`check_finetune_request(**invalid)` (all violations)",
            "check(**bad)",
            ns,
        ),
    ]
    return cases


def _jsonschema() -> list[Case]:
    import jsonschema  # type: ignore[import-untyped]

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    validator = cls(schema)
    if not validator.is_valid(VALID_REQUEST):
        raise AssertionError("the generated schema refuses the valid request")
    if len(list(validator.iter_errors(INVALID_REQUEST))) < 1:
        raise AssertionError("the generated schema accepts the invalid request")
    ns: dict[str, Any] = {
        "v": validator,
        "ok": dict(VALID_REQUEST),
        "bad": dict(INVALID_REQUEST),
        "schema": schema,
        "jsonschema": jsonschema,
    }
    name = cls.__name__
    return [
        Case(
            "validate", "jsonschema", f"`{name}.is_valid(valid)` (prebuilt)", "v.is_valid(ok)", ns
        ),
        Case(
            "validate",
            "jsonschema",
            f"`list({name}.iter_errors(invalid))` (prebuilt)",
            "list(v.iter_errors(bad))",
            ns,
        ),
        Case(
            "validate",
            "jsonschema",
            "`jsonschema.validate(valid, schema)` (checks schema each call)",
            "jsonschema.validate(ok, schema)",
            ns,
            repeat=3,
        ),
    ]


def _litellm() -> list[Case]:
    os.environ["LITELLM_LOCAL_MODEL_COST_MAP"] = "True"
    import litellm
    from litellm import utils

    model = f"together_ai/{SERVERLESS_MODEL}"
    litellm.get_model_info(model)  # fails here, not in the loop, if the model is unknown

    def uncached() -> None:
        litellm.get_model_info.cache_clear()
        utils.cached_get_model_info_helper.cache_clear()
        litellm.get_model_info(model)

    ns: dict[str, Any] = {"get": litellm.get_model_info, "m": model, "uncached": uncached}
    return [
        Case("lookup", "litellm", "`get_model_info('together_ai/…')` cached", "get(m)", ns),
        Case(
            "lookup",
            "litellm",
            "`get_model_info('together_ai/…')` uncached (caches cleared per call)",
            "uncached()",
            ns,
        ),
    ]


def _genai_prices() -> list[Case]:
    from genai_prices import data_snapshot

    snapshot = data_snapshot.get_snapshot()
    model = SERVERLESS_MODEL
    provider, _ = snapshot.find_provider_model(model, None, "together", None)
    ns: dict[str, Any] = {"snap": snapshot, "p": provider, "m": model, "all": snapshot.providers}
    return [
        Case(
            "lookup",
            "genai_prices",
            "`find_provider_model(id, provider_id='together')` cached",
            "snap.find_provider_model(m, None, 'together', None)",
            ns,
        ),
        Case(
            "lookup",
            "genai_prices",
            "`Provider.find_model(id)` uncached",
            "p.find_model(m, all_providers=all)",
            ns,
        ),
    ]


GROUPS: dict[str, Callable[[], list[Case]]] = {
    "together_catalog": _together_catalog,
    "jsonschema": _jsonschema,
    "litellm": _litellm,
    "genai_prices": _genai_prices,
}


def run(group: str, repeat: int) -> dict[str, Any]:
    try:
        cases = GROUPS[group]()
    except Exception as exc:  # any failure to set up is reported, not fatal
        return {"group": group, "unavailable": f"{type(exc).__name__}: {exc}"}
    results: list[dict[str, Any]] = []
    reference = [speed_reference_ns()]  # the host's speed at the start and end of the group
    for case in cases:
        try:
            sample = per_call(case.stmt, case.namespace, repeat=min(repeat, case.repeat or repeat))
        except Exception as exc:
            results.append(
                {
                    "kind": case.kind,
                    "subject": case.subject,
                    "name": case.name,
                    "unavailable": f"{type(exc).__name__}: {exc}",
                }
            )
            continue
        results.append(
            {"kind": case.kind, "subject": case.subject, "name": case.name, "ns": sample.values}
        )
    overhead = loop_overhead(repeat=repeat)
    reference.append(speed_reference_ns())
    return {
        "group": group,
        "results": results,
        "loop_overhead_ns": overhead.values,
        "reference_ns": reference,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.micro", description=__doc__)
    parser.add_argument("group", choices=sorted(GROUPS))
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args(argv)
    json.dump(run(args.group, args.repeat), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
