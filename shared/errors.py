"""One error vocabulary for the whole project.

Every error has a stable ``code`` (documented in docs/errors.md), an English and a Chinese
message, and ``details`` (at least ``field`` when one input field is at fault). The server maps
these to JSON ``{code, message, details}``; the CLI prints them; the UI shows the message in the
user's language.
"""

from __future__ import annotations

from typing import Any


class FieldledgerError(Exception):
    """Base class: a domain error with a stable code and a bilingual message."""

    code = "error"
    http_status = 400

    def __init__(
        self,
        message: str,
        *,
        message_zh: str | None = None,
        field: str | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.message_zh = message_zh or message
        self.details: dict[str, Any] = dict(details)
        if field is not None:
            self.details["field"] = field

    @property
    def field(self) -> str | None:
        value = self.details.get("field")
        return str(value) if value is not None else None

    def message_for(self, lang: str) -> str:
        return self.message_zh if lang.startswith("zh") else self.message

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class InvalidInput(FieldledgerError):
    """Input that fails its schema or a precondition; ``field`` names the culprit."""

    code = "invalid_input"


class InvalidPhoto(InvalidInput):
    """Bytes that are not a usable image: not an image, truncated, too large, a bomb."""

    code = "invalid_photo"


class NotFound(FieldledgerError):
    code = "not_found"
    http_status = 404


class Conflict(FieldledgerError):
    code = "conflict"
    http_status = 409


class StorageError(FieldledgerError):
    """The local or server store could not complete a write; nothing was half-written."""

    code = "storage_error"
    http_status = 500


def invalid_from_pydantic(exc: Any, *, prefix: str = "") -> InvalidInput:
    """Turn a pydantic ``ValidationError`` into an ``InvalidInput`` naming the first bad field."""
    errors = exc.errors() if hasattr(exc, "errors") else []
    first = errors[0] if errors else {"loc": (), "msg": str(exc)}
    parts = [prefix] if prefix else []
    for item in first.get("loc", ()):
        if isinstance(item, int):
            parts[-1:] = [f"{parts[-1]}[{item}]"] if parts else [f"[{item}]"]
        else:
            parts.append(str(item))
    field = ".".join(parts) or prefix or "input"
    msg = str(first.get("msg", "invalid value"))
    return InvalidInput(
        f"{field}: {msg}",
        message_zh=f"字段 {field} 无效：{msg}",
        field=field,
        problems=[{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in errors[:20]],
    )
