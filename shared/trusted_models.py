"""Pydantic models built from values already of their fields' types, without validation.

The sync hot paths build thousands of models a request from values that are of the right
type by construction (checked just before, or produced by our own code). ``model_construct``
still spends microseconds per model on per-field bookkeeping; :func:`trusted` sets the
instance's state directly. Callers pass EVERY field, in field order, so the instance is the
one ``model_validate`` would give (the same ``__dict__``, every field set);
``tests/shared/test_trusted_models.py`` checks each use.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_new = object.__new__
_set = object.__setattr__


def trusted(cls: type[M], values: dict[str, Any]) -> M:
    """An instance of ``cls`` holding ``values`` (every field of ``cls``, in field order)."""
    obj = _new(cls)
    _set(obj, "__dict__", values)
    _set(obj, "__pydantic_fields_set__", set(values))
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj
