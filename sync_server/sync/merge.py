"""Per-field three-way merge of an edit against the server's current record (sync-protocol §6).

One policy for every mergeable record type (customers, contacts): a field the device changed
applies when nobody else changed it since the device's base (or the device saw the current
version); a field changed on both sides keeps the server's value and becomes a clash that the
caller records as a visible conflict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class FieldClash:
    name: str
    base: Any
    server: Any
    device: Any


def merge_fields(
    current: Mapping[str, Any],
    wanted: Mapping[str, Any],
    base: Mapping[str, Any],
    names: Iterable[str],
    *,
    same_version: bool,
) -> tuple[dict[str, Any], list[FieldClash]]:
    """The merged record and the fields whose concurrent edits clashed (server value kept)."""
    merged = dict(current)
    clashes: list[FieldClash] = []
    for name in names:
        mine, theirs, was = wanted[name], current.get(name), base[name]
        if theirs == mine:
            continue
        if theirs == was or same_version:
            merged[name] = mine
        else:
            clashes.append(FieldClash(name, was, theirs, mine))
    return merged, clashes
