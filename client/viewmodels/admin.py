"""Admin screens' view-models, part 1: thresholds and colour rules (organisation settings and
target settings) and SOP templates (docs/admin-app.md). Online only: every call goes to the
server through ``client.sync.admin_api``; offline they say so plainly and keep what they showed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from client.i18n import Msg
from client.sync.admin_api import AdminApi, AdminOffline
from client.viewmodels.account import error_msg
from shared.errors import FieldledgerError
from shared.settings import OrgSettings, RuleCode, Severity
from shared.sop import FieldKind, SopTemplate
from shared.targets import TargetSettings

ApiFactory = Callable[[], AdminApi]


class AdminVM:
    """Runs server calls; a failure becomes ``error`` (and ``offline`` when unreachable)."""

    def __init__(self, api_factory: ApiFactory) -> None:
        self.api_factory = api_factory
        self.error: Msg | None = None
        self.notice: Msg | None = None
        self.offline = False
        self.field_errors: dict[str, Msg] = {}

    def _run(self, call: Callable[[AdminApi], Any]) -> Any:
        self.error = self.notice = None
        try:
            result = call(self.api_factory())
        except AdminOffline:
            self.offline = True
            self.error = Msg("adm.offline")
            return None
        except FieldledgerError as exc:
            self.error = error_msg(exc)
            field = exc.details.get("field") if isinstance(exc.details, dict) else None
            if field:
                self.field_errors[str(field).split(".")[-1]] = error_msg(exc)
            return None
        self.offline = False
        return result


def _first_error(exc: ValidationError, prefix: str = "") -> tuple[str, Msg]:
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first.get("loc", ()))
    name = ".".join(p for p in (prefix, loc) if p) or "body"
    msg = str(first.get("msg", "invalid value"))
    return name, Msg.raw(f"{name} 无效：{msg}", f"{name}: {msg}")


# --- thresholds and colour rules --------------------------------------------------------------


@dataclass(frozen=True)
class NumberField:
    """One editable number: which settings document, its name, its catalogue key."""

    doc: str  # "org" | "targets"
    name: str
    integer: bool


ORG_NUMBERS = (
    NumberField("org", "radius_m", False),
    NumberField("org", "accuracy_limit_m", False),
    NumberField("org", "photo_window_before_min", True),
    NumberField("org", "photo_window_after_min", True),
    NumberField("org", "clock_skew_limit_s", True),
    NumberField("org", "phash_max_distance", True),
)
TARGET_NUMBERS = tuple(
    NumberField("targets", name, info.annotation is int)
    for name, info in TargetSettings.model_fields.items()
    if info.annotation in (int, float)
)


class ThresholdsVM(AdminVM):
    """Validation thresholds and rule severities (organisation settings) and the targets'
    light thresholds (target settings): load, edit as text, save both."""

    NUMBERS = ORG_NUMBERS + TARGET_NUMBERS

    def __init__(self, api_factory: ApiFactory) -> None:
        super().__init__(api_factory)
        self.org: dict[str, Any] = {}
        self.targets: dict[str, Any] = {}
        self.raw: dict[str, str] = {}
        self.loaded = False

    def load(self) -> bool:
        org = self._run(lambda api: api.org_settings())
        targets = self._run(lambda api: api.target_settings()) if org is not None else None
        if org is None or targets is None:
            return False
        self.org, self.targets = org, targets
        self.raw = {f.name: _text(self._doc(f)[f.name]) for f in self.NUMBERS}
        self.field_errors = {}
        self.loaded = True
        return True

    def _doc(self, f: NumberField) -> dict[str, Any]:
        return self.org if f.doc == "org" else self.targets

    def set_number(self, name: str, raw: str) -> None:
        self.raw[name] = raw
        self.field_errors.pop(name, None)
        f = next(f for f in self.NUMBERS if f.name == name)
        try:
            int(raw) if f.integer else float(raw)
        except ValueError:
            self.field_errors[name] = Msg("adm.bad_number")

    def severity(self, code: str) -> str:
        return str(self.org.get("severities", {}).get(code, Severity.BLOCK.value))

    def set_severity(self, code: str, severity: str) -> None:
        RuleCode(code)
        self.org.setdefault("severities", {})[code] = Severity(severity).value

    def bool_setting(self, name: str) -> bool:
        return bool(self.targets.get(name))

    def set_bool(self, name: str, value: bool) -> None:
        self.targets[name] = value

    def _documents(self) -> tuple[dict[str, Any], dict[str, Any]] | None:
        org, targets = copy.deepcopy(self.org), copy.deepcopy(self.targets)
        for f in self.NUMBERS:
            raw = self.raw.get(f.name, "")
            try:
                value: int | float = int(raw) if f.integer else float(raw)
            except ValueError:
                self.field_errors[f.name] = Msg("adm.bad_number")
                continue
            (org if f.doc == "org" else targets)[f.name] = value
        if self.field_errors:
            self.error = Msg("adm.fix_fields")
            return None
        for model, doc in ((OrgSettings, org), (TargetSettings, targets)):
            try:
                model.model_validate(doc)
            except ValidationError as exc:
                name, msg = _first_error(exc)
                self.field_errors[name.split(".")[0]] = msg
                self.error = msg
                return None
        return org, targets

    def save(self) -> bool:
        self.field_errors = {}
        docs = self._documents()
        if docs is None:
            return False
        org, targets = docs
        if self._run(lambda api: api.put_org_settings(org)) is None:
            return False
        if self._run(lambda api: api.put_target_settings(targets)) is None:
            return False
        self.org, self.targets = org, targets
        self.notice = Msg("adm.saved")
        return True


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else str(value)
    return str(value)


# --- SOP templates ----------------------------------------------------------------------------

SECTIONS = ("photo_slots", "checklist", "result_fields")


class SopAdminVM(AdminVM):
    """The SOP templates: pick one, add / remove / require photo slots, checklist items and
    result fields, save (the server stores it and devices pull it)."""

    def __init__(self, api_factory: ApiFactory) -> None:
        super().__init__(api_factory)
        self.sops: dict[str, dict[str, Any]] = {}
        self.selected: str = ""
        self.draft: dict[str, Any] = {}
        self.dirty = False

    def load(self) -> bool:
        sops = self._run(lambda api: api.sops())
        if sops is None:
            return False
        self.sops = {s["action_type"]: s for s in sops}
        if self.selected not in self.sops:
            self.selected = next(iter(self.sops), "")
        self.select(self.selected)
        return True

    def select(self, action_type: str) -> None:
        self.selected = action_type
        self.draft = copy.deepcopy(self.sops.get(action_type, {}))
        self.dirty = False
        self.field_errors = {}

    def items(self, section: str) -> list[dict[str, Any]]:
        return list(self.draft.get(section, []))

    def add_item(
        self,
        section: str,
        code: str,
        zh: str,
        en: str,
        *,
        required: bool = False,
        kind: str = "text",
        choices: str = "",
    ) -> bool:
        """Add a slot / checklist item / result field; False with ``field_errors`` if bad."""
        self.field_errors = {}
        item: dict[str, Any] = {
            "code": code.strip(),
            "label": {"zh": zh.strip(), "en": en.strip()},
            "required": required,
        }
        if section == "result_fields":
            item["kind"] = kind
            codes = [c.strip() for c in choices.replace("，", ",").split(",") if c.strip()]
            if kind in (FieldKind.CHOICE.value, FieldKind.MULTI.value):
                if not codes:
                    self.field_errors["choices"] = Msg("adm.need_choices")
                    return False
                item["choices"] = codes
        if any(i["code"] == item["code"] for i in self.items(section)):
            self.field_errors["code"] = Msg("adm.code_taken", {"code": item["code"]})
            return False
        if not item["label"]["zh"] or not item["label"]["en"]:
            self.field_errors["label"] = Msg("adm.need_label")
            return False
        candidate = {**self.draft, section: [*self.items(section), item]}
        if not self._valid(candidate):
            return False
        self.draft = candidate
        self.dirty = True
        return True

    def remove_item(self, section: str, code: str) -> None:
        self.draft[section] = [i for i in self.items(section) if i["code"] != code]
        self.dirty = True

    def set_required(self, section: str, code: str, required: bool) -> None:
        for item in self.draft.get(section, []):
            if item["code"] == code:
                item["required"] = required
                self.dirty = True

    def _valid(self, doc: dict[str, Any]) -> bool:
        try:
            SopTemplate.model_validate(doc)
        except ValidationError as exc:
            name, msg = _first_error(exc)
            self.field_errors[name.split(".")[-1]] = msg
            self.error = msg
            return False
        return True

    def save(self) -> bool:
        if not self.draft:
            return False
        doc = {**self.draft, "version": int(self.draft.get("version", 1)) + 1}
        if not self._valid(doc):
            return False
        if self._run(lambda api: api.put_sop(doc)) is None:
            return False
        self.sops[self.selected] = doc
        self.draft = copy.deepcopy(doc)
        self.dirty = False
        self.notice = Msg("adm.saved")
        return True
