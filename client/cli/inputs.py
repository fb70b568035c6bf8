"""Reading the CLI's input files with errors that name the file and the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from shared.errors import InvalidInput, invalid_from_pydantic

M = TypeVar("M", bound=BaseModel)


def read_bytes(path: str, field: str) -> bytes:
    p = Path(path)
    if not p.is_file():
        raise InvalidInput(f"{path}: no such file", message_zh=f"{path}：文件不存在", field=field)
    return p.read_bytes()


def read_json(path: str, field: str) -> Any:
    raw = read_bytes(path, field)
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(
            f"{path}: not valid JSON ({exc})",
            message_zh=f"{path}：不是有效的 JSON（{exc}）",
            field=field,
        ) from None


def parse_model(model: type[M], data: Any, field: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_from_pydantic(exc, prefix=field) from None


def split_slot(spec: str, default_slot: str) -> tuple[str, str]:
    """``slot=path`` or just ``path`` (then the next free slot)."""
    slot, sep, path = spec.partition("=")
    if sep and slot and "/" not in slot and "\\" not in slot:
        return slot, path
    return default_slot, spec
