"""Users, devices, tokens, login failures and photo uploads in SQL (mixed into SqlStorage)."""

from __future__ import annotations

from typing import Any

from sync_server.storage.base import (
    DeviceRow,
    Scope,
    StorageBase,
    TokenRow,
    UploadRow,
    UserRow,
)

_USER_COLS = "id, org_id, username, display_name, role, team_id, password_hash, active"
_DEVICE_COLS = "org_id, device_id, user_id, name, created_at, last_seen_at, revoked_at"
_UPLOAD_COLS = "org_id, sha256, size, upload_offset, complete, created_by, created_at"


def _user(r: tuple[Any, ...]) -> UserRow:
    return UserRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[7]))


def _device(r: tuple[Any, ...]) -> DeviceRow:
    return DeviceRow(
        r[0], r[1], r[2], r[3], float(r[4]), float(r[5]), float(r[6]) if r[6] else None
    )


def _upload(r: tuple[Any, ...]) -> UploadRow:
    return UploadRow(r[0], r[1], int(r[2]), int(r[3]), bool(r[4]), r[5], float(r[6]))


class AccountsMixin(StorageBase):
    """Needs ``_one``, ``_all``, ``_exec`` from SqlStorage."""

    def _all(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _one(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> tuple[Any, ...] | None:
        raise NotImplementedError

    def _exec(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> int:
        raise NotImplementedError

    # --- users ---------------------------------------------------------------------------------
    def create_user(self, user: UserRow, at: float) -> None:
        self._exec(
            f"INSERT INTO users ({_USER_COLS}, created_at) VALUES"
            " (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (
                user.id,
                user.org_id,
                user.username,
                user.display_name,
                user.role,
                user.team_id,
                user.password_hash,
                int(user.active),
                at,
            ),
        )

    def get_user(self, user_id: str) -> UserRow | None:
        row = self._one(f"SELECT {_USER_COLS} FROM users WHERE id = %s", (user_id,))
        return _user(row) if row else None

    def find_user(self, org_id: str, username: str) -> UserRow | None:
        row = self._one(
            f"SELECT {_USER_COLS} FROM users WHERE org_id = %s AND username = %s",
            (org_id, username),
        )
        return _user(row) if row else None

    def list_users(self, org_id: str) -> list[UserRow]:
        rows = self._all(
            f"SELECT {_USER_COLS} FROM users WHERE org_id = %s ORDER BY username", (org_id,)
        )
        return [_user(r) for r in rows]

    def set_password(self, user_id: str, password_hash: str) -> None:
        self._exec("UPDATE users SET password_hash = %s WHERE id = %s", (password_hash, user_id))

    def set_active(self, user_id: str, active: bool) -> None:
        self._exec("UPDATE users SET active = %s WHERE id = %s", (int(active), user_id))

    # --- devices -------------------------------------------------------------------------------
    def upsert_device(
        self, org_id: str, device_id: str, user_id: str, name: str, at: float
    ) -> None:
        self._exec(
            f"INSERT INTO devices ({_DEVICE_COLS}) VALUES (%s, %s, %s, %s, %s, %s, NULL)"
            " ON CONFLICT (org_id, device_id) DO UPDATE SET user_id = excluded.user_id,"
            " name = excluded.name, last_seen_at = excluded.last_seen_at",
            (org_id, device_id, user_id, name, at, at),
        )

    def get_device(self, org_id: str, device_id: str) -> DeviceRow | None:
        row = self._one(
            f"SELECT {_DEVICE_COLS} FROM devices WHERE org_id = %s AND device_id = %s",
            (org_id, device_id),
        )
        return _device(row) if row else None

    def list_devices(self, org_id: str) -> list[DeviceRow]:
        rows = self._all(
            f"SELECT {_DEVICE_COLS} FROM devices WHERE org_id = %s ORDER BY created_at", (org_id,)
        )
        return [_device(r) for r in rows]

    def revoke_device(self, org_id: str, device_id: str, at: float) -> bool:
        changed = self._exec(
            "UPDATE devices SET revoked_at = %s WHERE org_id = %s AND device_id = %s"
            " AND revoked_at IS NULL",
            (at, org_id, device_id),
        )
        self._exec(
            "UPDATE tokens SET revoked_at = %s WHERE org_id = %s AND device_id = %s"
            " AND revoked_at IS NULL",
            (at, org_id, device_id),
        )
        return changed > 0

    # --- tokens --------------------------------------------------------------------------------
    def add_token(self, token: TokenRow, at: float) -> None:
        self._exec(
            "INSERT INTO tokens (token_hash, org_id, user_id, device_id, created_at, expires_at,"
            " revoked_at) VALUES (%s, %s, %s, %s, %s, %s, NULL)",
            (token.token_hash, token.org_id, token.user_id, token.device_id, at, token.expires_at),
        )

    def get_token(self, token_hash: str) -> TokenRow | None:
        row = self._one(
            "SELECT token_hash, org_id, user_id, device_id, expires_at, revoked_at FROM tokens"
            " WHERE token_hash = %s",
            (token_hash,),
        )
        if row is None:
            return None
        return TokenRow(row[0], row[1], row[2], row[3], float(row[4]), row[5])

    def revoke_token(self, token_hash: str, at: float) -> None:
        self._exec(
            "UPDATE tokens SET revoked_at = %s WHERE token_hash = %s AND revoked_at IS NULL",
            (at, token_hash),
        )

    def revoke_user_tokens(self, user_id: str, at: float) -> None:
        self._exec(
            "UPDATE tokens SET revoked_at = %s WHERE user_id = %s AND revoked_at IS NULL",
            (at, user_id),
        )

    def add_login_failure(self, key: str, at: float) -> None:
        self._exec("INSERT INTO login_failures (key, at) VALUES (%s, %s)", (key, at))

    def login_failures_since(self, key: str, since: float) -> list[float]:
        rows = self._all(
            "SELECT at FROM login_failures WHERE key = %s AND at >= %s ORDER BY at", (key, since)
        )
        return [float(r[0]) for r in rows]

    def clear_login_failures(self, key: str) -> None:
        self._exec("DELETE FROM login_failures WHERE key = %s", (key,))

    # --- photo uploads -------------------------------------------------------------------------
    def get_upload(self, org_id: str, sha256: str) -> UploadRow | None:
        row = self._one(
            f"SELECT {_UPLOAD_COLS} FROM photo_uploads WHERE org_id = %s AND sha256 = %s",
            (org_id, sha256),
        )
        return _upload(row) if row else None

    def create_upload(self, row: UploadRow) -> None:
        self._exec(
            f"INSERT INTO photo_uploads ({_UPLOAD_COLS}) VALUES (%s, %s, %s, %s, %s, %s, %s)"
            " ON CONFLICT (org_id, sha256) DO NOTHING",
            (
                row.org_id,
                row.sha256,
                row.size,
                row.offset,
                int(row.complete),
                row.created_by,
                row.created_at,
            ),
        )

    def set_upload_offset(self, org_id: str, sha256: str, expected: int, offset: int) -> bool:
        return (
            self._exec(
                "UPDATE photo_uploads SET upload_offset = %s WHERE org_id = %s AND sha256 = %s"
                " AND upload_offset = %s AND complete = 0",
                (offset, org_id, sha256, expected),
            )
            > 0
        )

    def complete_upload(self, org_id: str, sha256: str, at: float) -> None:
        self._exec(
            "UPDATE photo_uploads SET complete = 1, completed_at = %s WHERE org_id = %s"
            " AND sha256 = %s",
            (at, org_id, sha256),
        )

    def delete_upload(self, org_id: str, sha256: str) -> None:
        self._exec("DELETE FROM photo_uploads WHERE org_id = %s AND sha256 = %s", (org_id, sha256))

    def stale_uploads(self, before: float) -> list[UploadRow]:
        rows = self._all(
            f"SELECT {_UPLOAD_COLS} FROM photo_uploads WHERE complete = 0 AND created_at < %s",
            (before,),
        )
        return [_upload(r) for r in rows]

    def unreferenced_uploads(self, before: float) -> list[UploadRow]:
        rows = self._all(
            f"SELECT {_UPLOAD_COLS} FROM photo_uploads u WHERE complete = 1"
            " AND completed_at < %s AND NOT EXISTS (SELECT 1 FROM visit_photos v"
            " WHERE v.org_id = u.org_id AND v.sha256 = u.sha256)",
            (before,),
        )
        return [_upload(r) for r in rows]

    def photo_visible_to(self, scope: Scope, sha256: str) -> bool:
        from sync_server.storage.sql_rows import scope_filter

        cond, params = scope_filter(scope, "r.")
        row = self._one(
            "SELECT 1 FROM visit_photos v JOIN records r ON r.org_id = v.org_id"
            " AND r.record_type = 'visit' AND r.record_id = v.visit_id"
            f" WHERE v.org_id = %s AND v.sha256 = %s AND r.deleted = 0{cond}",
            [scope.org_id, sha256, *params],
        )
        return row is not None
