"""Flag evaluation with openfeature-flagd-core, answered in OFREP's shapes.

Each process keeps its flags compiled in one FlagdCore and asks the database for the revision
at most every ROLLOUT_REFRESH_SECONDS (default 0.5 s): a kill, like any change, reaches every
process within that time, with no query on most requests.
"""

import json
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from openfeature.contrib.tools.flagd.core import FlagdCore
from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import OpenFeatureError
from openfeature.flag_evaluation import Reason

from . import selectors
from .flagd import flag_set

_RESOLVERS = {
    bool: "resolve_boolean_value",
    str: "resolve_string_value",
    int: "resolve_integer_value",
    float: "resolve_float_value",
}


@dataclass
class Compiled:
    revision: str
    core: FlagdCore
    definitions: dict
    resolvers: dict[str, str]
    # Bulk answers by request body: products poll with the same context. They live and die
    # with this revision, so no answer outlives a change by more than ROLLOUT_REFRESH_SECONDS.
    answers: dict[str, bytes] = field(default_factory=dict)

    def bulk_answer(self, digest: str, context: EvaluationContext) -> bytes:
        answer = self.answers.get(digest)
        if answer is None:
            answer = json.dumps({"flags": evaluate_all(self, context)}).encode()
            if len(self.answers) >= settings.ROLLOUT_ANSWER_CACHE_SIZE:
                self.answers.clear()
            self.answers[digest] = answer
        return answer


_lock = threading.Lock()
_compiled: Compiled | None = None
_checked_at = 0.0


def _resolver(variants: dict) -> str:
    kinds = {type(value) for value in variants.values()}
    if len(kinds) == 1:
        return _RESOLVERS.get(kinds.pop(), "resolve_object_value")
    return "resolve_object_value"


def compile_flags() -> Compiled:
    # Revision first: a write landing meanwhile leaves a newer revision, so the next check
    # recompiles; never newer definitions' revision paired with older definitions.
    number = selectors.revision()
    definitions = flag_set(selectors.all_flag_facts())
    core = FlagdCore()
    core.set_flags(json.dumps(definitions))  # a copy: the store rewrites what it is given
    resolvers = {key: _resolver(flag["variants"]) for key, flag in definitions["flags"].items()}
    return Compiled(number, core, definitions, resolvers)


def current() -> Compiled:
    """This process's compiled flags, never older than ROLLOUT_REFRESH_SECONDS."""
    global _compiled, _checked_at
    now = time.monotonic()
    compiled = _compiled
    if compiled is not None and now - _checked_at < settings.ROLLOUT_REFRESH_SECONDS:
        return compiled
    with _lock:
        if _compiled is None or _compiled.revision != selectors.revision():
            _compiled = compile_flags()
        _checked_at = time.monotonic()
        return _compiled


def forget() -> None:
    """Drop this process's compiled flags (tests; the database was replaced)."""
    global _compiled, _checked_at
    with _lock:
        _compiled, _checked_at = None, 0.0


class InvalidContext(ValueError):
    pass


def context_from(body) -> EvaluationContext:
    """OFREP's `{"context": {...}}` as an EvaluationContext; InvalidContext when malformed."""
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise InvalidContext("The body must be a JSON object.")
    context = body.get("context") or {}
    if not isinstance(context, dict):
        raise InvalidContext("`context` must be a JSON object.")
    attributes = dict(context)
    targeting_key = attributes.pop("targetingKey", None)
    if targeting_key is not None and not isinstance(targeting_key, str):
        raise InvalidContext("`targetingKey` must be a string.")
    return EvaluationContext(targeting_key=targeting_key, attributes=attributes)


def evaluate(compiled: Compiled, key: str, context: EvaluationContext) -> dict:
    """One flag's OFREP answer; raises KeyError for an unknown flag."""
    resolver = compiled.resolvers[key]
    try:
        details = getattr(compiled.core, resolver)(key, None, context)
    except OpenFeatureError as error:
        return {"key": key, "errorCode": error.error_code.value, "errorDetails": str(error)}
    metadata = dict(details.flag_metadata or {})
    reason = details.reason
    if metadata.get("killed"):
        reason = Reason.DISABLED
    return {
        "key": key,
        "value": details.value,
        "variant": details.variant,
        "reason": str(getattr(reason, "value", reason)),
        "metadata": metadata,
    }


def evaluate_all(compiled: Compiled, context: EvaluationContext) -> list[dict]:
    return [evaluate(compiled, key, context) for key in compiled.resolvers]


def is_enabled(compiled: Compiled, key: str, context: EvaluationContext) -> bool:
    """For pages of this app: is the flag on (not its off variant) for this context?"""
    if key not in compiled.resolvers:
        return False
    answer = evaluate(compiled, key, context)
    off = compiled.definitions["flags"][key]["defaultVariant"]
    return "errorCode" not in answer and answer["variant"] != off
