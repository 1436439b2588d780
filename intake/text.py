"""Control characters in text people and tools send us.

C0 controls (except tab, newline and carriage return), DEL and C1 controls have no place in an
idea's title or a customer's words: they break terminals, CSV files, PostgreSQL (NUL) and client
libraries. Input a person or tool can fix (forms, the API, plan import) is refused with a field
error; text from upstream APIs that nobody here can fix is stored without them.
"""

import re

from django.core.exceptions import ValidationError

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def control_characters(text: str) -> list[str]:
    """The distinct control characters in `text`, in order of first appearance."""
    return list(dict.fromkeys(_CONTROL.findall(text)))


def strip_control_characters(text: str) -> str:
    """`text` without control characters (tab, newline and carriage return stay)."""
    return _CONTROL.sub("", text)


def strip_control_characters_deep(value):
    """`value` (JSON: dicts, lists, strings, numbers) with control characters removed from
    every string in it, keys included."""
    if isinstance(value, str):
        return strip_control_characters(value)
    if isinstance(value, dict):
        return {
            strip_control_characters_deep(k): strip_control_characters_deep(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [strip_control_characters_deep(v) for v in value]
    return value


def control_characters_problem(text: str) -> str:
    """A message naming the control characters in `text` (up to five), or "" when none."""
    found = control_characters(text)
    if not found:
        return ""
    names = ", ".join(f"U+{ord(c):04X}" for c in found[:5])
    return f"Remove the control characters ({names}): they are invisible and not allowed."


def validate_no_control_characters(value) -> None:
    """A field validator: refuse text with a control character, naming it."""
    problem = control_characters_problem(value) if isinstance(value, str) else ""
    if problem:
        raise ValidationError(problem, code="control_characters")


def validate_no_control_characters_deep(value) -> None:
    """A field validator for text or parsed JSON: refuse a control character in any string,
    keys included (JSON carries them escaped, "\\u0000", which PostgreSQL refuses)."""
    if isinstance(value, dict):
        for key, item in value.items():
            validate_no_control_characters_deep(key)
            validate_no_control_characters_deep(item)
    elif isinstance(value, list):
        for item in value:
            validate_no_control_characters_deep(item)
    else:
        validate_no_control_characters(value)
