"""What a validation needs besides the visit: the organisation's data at the time of judging."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from shared.customers import Customer
from shared.settings import OrgSettings, RuleCode, Severity
from shared.sop import SopTemplate
from shared.validation.report import MEMO_JSON, RESULT_FIELDS, RuleResult, _build_result_json

if TYPE_CHECKING:
    from shared.photos.reuse import ReuseMatch
    from shared.workcal import WorkCalendar


class PhotoHistory(Protocol):
    """The organisation's earlier photos (device: pulled hash index; server: its own table)."""

    def find(
        self, sha256: str, phash: str, *, max_distance: int, exclude_visit_id: str | None = None
    ) -> ReuseMatch | None: ...


@dataclass(frozen=True)
class ValidationContext:
    settings: OrgSettings
    calendar: WorkCalendar
    customer: Customer
    sop: SopTemplate | None
    history: PhotoHistory | None = None


def make_result(
    settings: OrgSettings,
    code: RuleCode,
    passed: bool,
    zh: str,
    en: str,
    *,
    measured: Any = None,
    limit: Any = None,
    unit: str = "",
    subject: str = "",
    hint_zh: str = "",
    hint_en: str = "",
) -> RuleResult:
    """One rule's outcome; hints are only kept for failures.

    The rules call this a dozen times per visit and the server re-validates every pushed visit,
    so the result is built without pydantic's validation pass (every argument here is already
    of its field's type; ``code`` is coerced as validation would). The instance is identical to
    ``RuleResult(...)`` with every field given: same ``__dict__`` in field order, every field set.
    """
    if type(code) is not RuleCode:
        code = RuleCode(code)
    if not passed:
        return _trusted_result(
            code,
            passed,
            settings.severity(code),
            measured,
            limit,
            unit,
            subject,
            zh,
            en,
            hint_zh,
            hint_en,
        )
    return _trusted_result(
        code, passed, settings.severity(code), measured, limit, unit, subject, zh, en, "", ""
    )


_FIELD_NAMES = tuple(RuleResult.model_fields)
if _FIELD_NAMES != RESULT_FIELDS:  # pragma: no cover - a new RuleResult field must be added to
    # _trusted_result, _build_result_json and the compact form (report.RESULT_FIELDS) too
    raise RuntimeError(f"RuleResult fields changed: {_FIELD_NAMES}; update _trusted_result")
_new = object.__new__
_set = object.__setattr__
_ALL_SET = set(_FIELD_NAMES)  # copied per result: every field set


def _trusted_result(
    code: RuleCode,
    passed: bool,
    severity: Severity,
    measured: Any,
    limit: Any,
    unit: str,
    subject: str,
    message_zh: str,
    message_en: str,
    hint_zh: str,
    hint_en: str,
) -> RuleResult:
    """What ``RuleResult.model_construct`` does, without its per-field bookkeeping."""
    obj = _new(RuleResult)
    _set(
        obj,
        "__dict__",
        {
            "code": code,
            "passed": bool(passed),
            "severity": severity,
            "measured": measured,
            "limit": limit,
            "unit": unit,
            "subject": subject,
            "message_zh": message_zh,
            "message_en": message_en,
            "hint_zh": hint_zh,
            "hint_en": hint_en,
        },
    )
    _set(obj, "__pydantic_fields_set__", _ALL_SET.copy())
    _set(obj, "__pydantic_extra__", None)
    _set(obj, "__pydantic_private__", None)
    return obj


def is_enabled(settings: OrgSettings, code: RuleCode) -> bool:
    return settings.severity(code) is not Severity.OFF


# Results that depend on a few values only (the rep's GPS provider, a mock flag, the visit day,
# which checklist items are missing...) are built once per settings object and shared: they
# are frozen, so sharing them is invisible. Values: (the objects the key names by id, result).
_MEMO: dict[int, tuple[OrgSettings, dict[Hashable, tuple[Any, Any]]]] = {}
_MEMO_MAX = 4096


def memo_result(
    settings: OrgSettings, key: Hashable, build: Callable[[], RuleResult], pin: Any = None
) -> RuleResult:
    """``build()``, or the result an equal ``key`` built before under the same ``settings``.

    ``key`` must hold every value the result depends on besides ``settings`` (with types that
    matter: ``True`` and ``1`` are equal keys). An object named in the key by ``id`` is passed
    as ``pin``: the entry keeps it alive and only matches that very object.
    """
    return memo_results(settings, key, lambda: (build(),), pin)[0]


def memo_results(
    settings: OrgSettings,
    key: Hashable,
    build: Callable[[], tuple[RuleResult, ...]],
    pin: Any = None,
) -> tuple[RuleResult, ...]:
    """:func:`memo_result` for a group of results that depend on the same few values (one
    lookup for the group): ``build()``'s tuple, or the one an equal ``key`` built before."""
    hit = _MEMO.get(id(settings))
    if hit is None or hit[0] is not settings:
        hit = _new_cache(settings)
    entry = hit[1].get(key)
    if entry is not None and entry[0] is pin:
        return entry[1]  # type: ignore[no-any-return]
    results = build()
    if len(hit[1]) >= _MEMO_MAX:
        _clear_memo()
        _MEMO[id(settings)] = hit
    hit[1][key] = (pin, results)
    for r in results:
        MEMO_JSON[id(r)] = (r, _build_result_json(r))
    return results


def _new_cache(settings: OrgSettings) -> tuple[OrgSettings, dict[Hashable, tuple[Any, Any]]]:
    """A new, empty memo for ``settings`` (the memo of at most 64 settings objects is kept)."""
    if len(_MEMO) > 64:
        _clear_memo()
    hit: tuple[OrgSettings, dict[Hashable, tuple[Any, Any]]] = (settings, {})
    _MEMO[id(settings)] = hit
    return hit


def _clear_memo() -> None:
    for _, cache in _MEMO.values():
        cache.clear()
    _MEMO.clear()
    MEMO_JSON.clear()
