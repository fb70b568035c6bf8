"""Admin screens' view-models, part 2: material packs, users and devices (docs/admin-app.md).
Online only, like part 1 (``client.viewmodels.admin``)."""

from __future__ import annotations

import mimetypes
from typing import Any

from client.i18n import Msg
from client.viewmodels.admin import AdminVM, ApiFactory

MATERIAL_KINDS = ("attack_pack", "support_material")
TRACKS = ("increment", "stock")
ROLES = ("rep", "manager", "admin")
MIN_PASSWORD = 8


class MaterialsVM(AdminVM):
    """Attack packs 竞品攻坚包 and support materials: list, upload a document, retire."""

    def __init__(self, api_factory: ApiFactory) -> None:
        super().__init__(api_factory)
        self.rows: list[dict[str, Any]] = []

    def load(self) -> bool:
        rows = self._run(lambda api: api.materials())
        if rows is None:
            return False
        self.rows = sorted(rows, key=lambda m: (not m.get("active", True), str(m.get("id", ""))))
        return True

    def upload(
        self,
        data: bytes,
        filename: str,
        *,
        kind: str,
        title_zh: str,
        title_en: str,
        industry: str = "",
        track: str = "increment",
    ) -> bool:
        self.field_errors = {}
        if not data:
            self.field_errors["file"] = Msg("adm.need_file")
        if kind not in MATERIAL_KINDS:
            self.field_errors["kind"] = Msg("adm.need_kind")
        if kind == "attack_pack" and not industry.strip():
            self.field_errors["industry"] = Msg("adm.need_industry")
        if not title_zh.strip() or not title_en.strip():
            self.field_errors["title"] = Msg("adm.need_label")
        if self.field_errors:
            self.error = Msg("adm.fix_fields")
            return False
        mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        fields = {
            "kind": kind,
            "title_zh": title_zh.strip(),
            "title_en": title_en.strip(),
            "industry": industry.strip(),
            "track": track,
        }
        done = self._run(lambda api: api.upload_material(data, filename, mime, **fields))
        if done is None:
            return False
        self.load()
        self.notice = Msg("adm.uploaded")
        return True

    def retire(self, material_id: str) -> bool:
        if self._run(lambda api: api.retire_material(material_id)) is None:
            return False
        self.load()
        self.notice = Msg("adm.retired")
        return True


class UsersVM(AdminVM):
    """Users (create, reset password, deactivate) and their devices (revoke)."""

    def __init__(self, api_factory: ApiFactory) -> None:
        super().__init__(api_factory)
        self.users: list[dict[str, Any]] = []
        self.devices: list[dict[str, Any]] = []

    def load(self) -> bool:
        users = self._run(lambda api: api.users())
        devices = self._run(lambda api: api.devices()) if users is not None else None
        if users is None or devices is None:
            return False
        self.users = sorted(users, key=lambda u: (not u.get("active", True), u["username"]))
        self.devices = sorted(devices, key=lambda d: (bool(d.get("revoked")), d["device_id"]))
        return True

    def username(self, user_id: str) -> str:
        return next((u["username"] for u in self.users if u["id"] == user_id), user_id)

    def create(
        self, username: str, password: str, role: str, team_id: str = "", display_name: str = ""
    ) -> bool:
        self.field_errors = {}
        if not username.strip():
            self.field_errors["username"] = Msg("adm.need_username")
        if len(password) < MIN_PASSWORD:
            self.field_errors["password"] = Msg("adm.short_password", {"n": MIN_PASSWORD})
        if role not in ROLES:
            self.field_errors["role"] = Msg("adm.need_role")
        if self.field_errors:
            self.error = Msg("adm.fix_fields")
            return False
        done = self._run(
            lambda api: api.create_user(
                username.strip(), password, role, team_id.strip(), display_name.strip()
            )
        )
        if done is None:
            return False
        self.load()
        self.notice = Msg("adm.user_created", {"name": username.strip()})
        return True

    def reset_password(self, user_id: str, password: str) -> bool:
        self.field_errors = {}
        if len(password) < MIN_PASSWORD:
            self.field_errors["password"] = Msg("adm.short_password", {"n": MIN_PASSWORD})
            self.error = self.field_errors["password"]
            return False
        if self._run(lambda api: api.reset_password(user_id, password)) is None:
            return False
        self.notice = Msg("adm.password_reset", {"name": self.username(user_id)})
        return True

    def deactivate(self, user_id: str) -> bool:
        if self._run(lambda api: api.deactivate_user(user_id)) is None:
            return False
        name = self.username(user_id)
        self.load()
        self.notice = Msg("adm.deactivated", {"name": name})
        return True

    def revoke(self, device_id: str) -> bool:
        if self._run(lambda api: api.revoke_device(device_id)) is None:
            return False
        self.load()
        self.notice = Msg("adm.revoked")
        return True
