"""Rules from the action's SOP template: photo slots, checklist items, result fields."""

from __future__ import annotations

from typing import Any

from shared.settings import RuleCode
from shared.sop import ChecklistItem, FieldKind, PhotoSlot, ResultField, SopTemplate
from shared.validation.context import ValidationContext, make_result, memo_result, memo_results
from shared.validation.report import RuleResult
from shared.visits import Visit


def _labels(sop: SopTemplate, codes: list[str], kind: str) -> tuple[str, str]:
    items: tuple[PhotoSlot | ChecklistItem | ResultField, ...]
    if kind == "slot":
        items = sop.photo_slots
    elif kind == "check":
        items = sop.checklist
    else:
        items = sop.result_fields
    by_code = {i.code: i.label for i in items}
    zh = "、".join(by_code[c].zh if c in by_code else c for c in codes)
    en = ", ".join(by_code[c].en if c in by_code else c for c in codes)
    return zh, en


def check_sop(visit: Visit, ctx: ValidationContext) -> tuple[RuleResult, ...]:
    """:func:`check_photos`, :func:`check_checklist` and :func:`check_result_fields`, with one
    memo lookup: the three results depend on the SOP and on what the visit misses."""
    sop = ctx.sop
    if sop is None:
        return (
            check_photos(visit, ctx),
            check_checklist(visit, ctx),
            check_result_fields(visit, ctx),
        )
    slots, checks, fields = _required(sop)
    present = {p.slot for p in visit.photos}
    checklist, result = visit.checklist, visit.result
    key = (
        "sop",
        id(sop),
        visit.action_type,
        tuple([slot for slot in slots if slot not in present]),
        tuple([code for code in checks if checklist.get(code) is not True]),
        tuple([f.code for f in fields if not _valid_value(f, result.get(f.code))]),
    )
    return memo_results(
        ctx.settings,
        key,
        lambda: (
            _check_photos(visit, ctx),
            _check_checklist(visit, ctx),
            _check_result_fields(visit, ctx),
        ),
        pin=sop,
    )


_REQUIRED: dict[int, tuple[SopTemplate, tuple[Any, Any, Any]]] = {}


def _required(sop: SopTemplate) -> tuple[Any, Any, Any]:
    """The SOP's required photo slots, checklist codes and result fields (kept per template
    object: templates are immutable)."""
    hit = _REQUIRED.get(id(sop))
    if hit is not None and hit[0] is sop:
        return hit[1]
    value = (
        sop.required_slots,
        tuple(i.code for i in sop.checklist if i.required),
        tuple(f for f in sop.result_fields if f.required),
    )
    if len(_REQUIRED) > 256:
        _REQUIRED.clear()
    _REQUIRED[id(sop)] = (sop, value)  # the entry keeps ``sop`` alive: its id is not reused
    return value


def check_photos(visit: Visit, ctx: ValidationContext) -> RuleResult:
    sop = ctx.sop
    if sop is None:
        return _check_photos(visit, ctx)
    present = {p.slot for p in visit.photos}
    missing = tuple(slot for slot in sop.required_slots if slot not in present)
    key = ("photos", id(sop), visit.action_type, missing)
    return memo_result(ctx.settings, key, lambda: _check_photos(visit, ctx), pin=sop)


def _check_photos(visit: Visit, ctx: ValidationContext) -> RuleResult:
    s, sop = ctx.settings, ctx.sop
    if sop is None:
        return make_result(
            s,
            RuleCode.PHOTOS_REQUIRED,
            False,
            f"未知的动作类型 {visit.action_type}",
            f"Unknown action type {visit.action_type}",
            hint_zh="请同步后重新选择动作类型",
            hint_en="Sync, then pick the action type again",
        )
    required = list(sop.required_slots)
    present = {p.slot for p in visit.photos}
    missing = [slot for slot in required if slot not in present]
    have = len(required) - len(missing)
    if not missing:
        return make_result(
            s,
            RuleCode.PHOTOS_REQUIRED,
            True,
            f"照片 {have}/{len(required)} 张齐全",
            f"Photos {have}/{len(required)} complete",
            measured=have,
            limit=len(required),
            unit="photos",
        )
    zh, en = _labels(sop, missing, "slot")
    return make_result(
        s,
        RuleCode.PHOTOS_REQUIRED,
        False,
        f"照片 {have}/{len(required)}，缺少：{zh}",
        f"Photos {have}/{len(required)}, missing: {en}",
        measured=have,
        limit=len(required),
        unit="photos",
        hint_zh=f"请拍摄：{zh}",
        hint_en=f"Take the photo(s): {en}",
    )


def check_checklist(visit: Visit, ctx: ValidationContext) -> RuleResult:
    sop = ctx.sop
    required = [i.code for i in sop.checklist if i.required] if sop else []
    missing = tuple(code for code in required if visit.checklist.get(code) is not True)
    key = ("checklist", id(sop), missing)
    return memo_result(ctx.settings, key, lambda: _check_checklist(visit, ctx), pin=sop)


def _check_checklist(visit: Visit, ctx: ValidationContext) -> RuleResult:
    s, sop = ctx.settings, ctx.sop
    required = [i.code for i in sop.checklist if i.required] if sop else []
    missing = [code for code in required if visit.checklist.get(code) is not True]
    done = len(required) - len(missing)
    if not missing:
        return make_result(
            s,
            RuleCode.CHECKLIST_REQUIRED,
            True,
            f"检查清单 {done}/{len(required)} 已完成",
            f"Checklist {done}/{len(required)} done",
            measured=done,
            limit=len(required),
            unit="items",
        )
    assert sop is not None
    zh, en = _labels(sop, missing, "check")
    return make_result(
        s,
        RuleCode.CHECKLIST_REQUIRED,
        False,
        f"检查清单 {done}/{len(required)}，未完成：{zh}",
        f"Checklist {done}/{len(required)}, not done: {en}",
        measured=done,
        limit=len(required),
        unit="items",
        hint_zh=f"请完成：{zh}",
        hint_en=f"Complete: {en}",
    )


def _valid_value(field: ResultField, value: Any) -> bool:
    if value is None:
        return False
    if field.kind is FieldKind.BOOL:
        return isinstance(value, bool)
    if field.kind is FieldKind.INT:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    if field.kind is FieldKind.NUMBER:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if field.kind is FieldKind.CHOICE:
        return value in field.choices
    if field.kind is FieldKind.MULTI:  # at least one choice, each known, none twice
        return (
            isinstance(value, list)
            and len(value) > 0
            and all(isinstance(v, str) and v in field.choices for v in value)
            and len(set(value)) == len(value)
        )
    return isinstance(value, str) and value.strip() != ""


def check_result_fields(visit: Visit, ctx: ValidationContext) -> RuleResult:
    sop = ctx.sop
    fields = [f for f in sop.result_fields if f.required] if sop else []
    missing = tuple(f.code for f in fields if not _valid_value(f, visit.result.get(f.code)))
    key = ("result", id(sop), missing)
    return memo_result(ctx.settings, key, lambda: _check_result_fields(visit, ctx), pin=sop)


def _check_result_fields(visit: Visit, ctx: ValidationContext) -> RuleResult:
    s, sop = ctx.settings, ctx.sop
    fields = [f for f in sop.result_fields if f.required] if sop else []
    missing = [f.code for f in fields if not _valid_value(f, visit.result.get(f.code))]
    done = len(fields) - len(missing)
    if not missing:
        return make_result(
            s,
            RuleCode.RESULT_REQUIRED,
            True,
            f"拜访结果 {done}/{len(fields)} 已填写",
            f"Result {done}/{len(fields)} filled in",
            measured=done,
            limit=len(fields),
            unit="fields",
        )
    assert sop is not None
    zh, en = _labels(sop, missing, "field")
    return make_result(
        s,
        RuleCode.RESULT_REQUIRED,
        False,
        f"拜访结果缺少或无效：{zh}",
        f"Result missing or invalid: {en}",
        measured=done,
        limit=len(fields),
        unit="fields",
        hint_zh=f"请填写：{zh}",
        hint_en=f"Fill in: {en}",
    )
