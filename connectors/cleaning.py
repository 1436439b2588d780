"""Upstream text is stored without control characters: nobody here can fix a GitHub issue's
title, so unlike forms and the API (which refuse them) a sync keeps the item and notes what it
removed in the run."""

from __future__ import annotations

import dataclasses
import json
import re

from intake.text import control_characters, strip_control_characters, strip_control_characters_deep

from .sources import Item

TEXT_FIELDS = ("external_id", "url", "title", "body", "author", "upstream_state", "linked_url")
# A quick look before walking a payload: json.dumps writes C0 controls as \u00XX, \b or \f
# escapes and DEL and C1 controls as they are (a false alarm only costs the walk).
_CONTROL_IN_JSON = re.compile(r"\\u00[01][0-9a-fA-F]|\\[bf]|[\x7f-\x9f]")


def without_control_characters(items: list[Item]) -> tuple[list[Item], list[str]]:
    """`items` with control characters removed from their text and raw payload, and a note
    per changed item naming the fields."""
    cleaned: list[Item] = []
    notes: list[str] = []
    for item in items:
        changes = {
            name: strip_control_characters(getattr(item, name))
            for name in TEXT_FIELDS
            if control_characters(getattr(item, name))
        }
        if _CONTROL_IN_JSON.search(json.dumps(item.raw, ensure_ascii=False, default=str)):
            raw = strip_control_characters_deep(item.raw)
            if raw != item.raw:
                changes["raw"] = raw
        if changes:
            item = dataclasses.replace(item, **changes)
            notes.append(
                f"{item.source} {item.external_id}: control characters removed from "
                + ", ".join(changes)
            )
        cleaned.append(item)
    return cleaned, notes
