"""The admin REST endpoints the tablet/desktop admin screens call (docs/admin-app.md).

Organisation settings (validation thresholds, colour rules), target settings, SOP templates,
material packs, users and devices live on the server; these screens work online only. Same
session (server address + token in the store's meta) and transport as the sync engine.
Failures are ``FieldledgerError`` with bilingual words: ``AdminOffline`` when no answer came
back, ``AdminApiError`` (the server's code and field) otherwise.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from client.sync.rest import ApiRefused, NotSignedIn, Offline, RestApi

__all__ = ["AdminApi", "AdminApiError", "AdminOffline", "NotSignedIn"]


class AdminOffline(Offline):
    pass


class AdminApiError(ApiRefused):
    """The server refused (``server_code``: its error code, e.g. ``already_exists``)."""


class AdminApi(RestApi):
    offline_error = AdminOffline
    refused_error = AdminApiError
    offline_en = "administration needs a connection."
    offline_zh = "管理功能需要联网，请联网后重试。"

    def _multipart(
        self, path: str, fields: dict[str, str], filename: str, mime: str, data: bytes
    ) -> dict[str, Any]:
        boundary = "fl" + uuid.uuid4().hex
        parts: list[bytes] = []
        for name, value in fields.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        safe = json.dumps(filename, ensure_ascii=False)[1:-1]
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{safe}"'
            f"\r\nContent-Type: {mime}\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        return self._post_raw(path, f"multipart/form-data; boundary={boundary}", b"".join(parts))

    # -- settings ----------------------------------------------------------------------------
    def org_settings(self) -> dict[str, Any]:
        return self._json("GET", "/admin/settings")

    def put_org_settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        return self._json("PUT", "/admin/settings", json_body=settings)

    def target_settings(self) -> dict[str, Any]:
        return self._json("GET", "/targets/settings")

    def put_target_settings(self, settings: dict[str, Any]) -> dict[str, Any]:
        return self._json("PUT", "/targets/settings", json_body=settings)

    # -- SOP templates -----------------------------------------------------------------------
    def sops(self) -> list[dict[str, Any]]:
        return list(self._json("GET", "/admin/sops")["sops"])

    def put_sop(self, sop: dict[str, Any]) -> dict[str, Any]:
        return self._json("PUT", f"/admin/sops/{sop['action_type']}", json_body=sop)

    # -- material packs ----------------------------------------------------------------------
    def materials(self) -> list[dict[str, Any]]:
        return list(self._json("GET", "/targets/materials")["materials"])

    def upload_material(
        self, data: bytes, filename: str, mime: str, **fields: str
    ) -> dict[str, Any]:
        return self._multipart("/targets/materials", fields, filename, mime, data)

    def retire_material(self, material_id: str) -> dict[str, Any]:
        return self._json("DELETE", f"/targets/materials/{material_id}")

    # -- users and devices -------------------------------------------------------------------
    def users(self) -> list[dict[str, Any]]:
        return list(self._json("GET", "/admin/users")["users"])

    def create_user(
        self, username: str, password: str, role: str, team_id: str = "", display_name: str = ""
    ) -> dict[str, Any]:
        body = {
            "username": username,
            "password": password,
            "role": role,
            "team_id": team_id,
            "display_name": display_name,
        }
        return self._json("POST", "/admin/users", json_body=body)

    def reset_password(self, user_id: str, password: str) -> dict[str, Any]:
        return self._json(
            "POST", f"/admin/users/{user_id}/password", json_body={"password": password}
        )

    def deactivate_user(self, user_id: str) -> dict[str, Any]:
        return self._json("POST", f"/admin/users/{user_id}/deactivate")

    def devices(self) -> list[dict[str, Any]]:
        return list(self._json("GET", "/admin/devices")["devices"])

    def revoke_device(self, device_id: str) -> dict[str, Any]:
        return self._json("POST", f"/admin/devices/{device_id}/revoke")
