"""The storage interface of the sync server (Kinto's ``StorageBase`` idea).

Two backends implement it: ``sqlite.py`` (the embedded default) and ``postgres.py``. The model
layer (``sync_server/sync``) talks only to this interface; it knows nothing of HTTP. One
conformance suite (tests/sync_server/test_storage_conformance.py) runs against both.

A push runs inside :meth:`StorageBase.write`, which locks the organisation's counter so that
``server_seq`` order equals commit order (docs/sync-protocol.md, section 5).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Scope:
    """Who is asking: decided from the token only."""

    org_id: str
    user_id: str
    role: str  # rep | manager | admin
    team_id: str = ""
    device_id: str = ""


@dataclass
class StoredRecord:
    """The latest state of one record (the compacted log)."""

    org_id: str
    record_type: str
    record_id: str
    version: int
    server_seq: int
    payload: dict[str, Any]
    deleted: bool = False
    scope_kind: str = "owned"  # 'org' (everyone in the org) or 'owned' (owner + team + admin)
    owner_user_id: str = ""
    team_id: str = ""
    report: dict[str, Any] | None = None
    updated_at: float = 0.0


@dataclass(frozen=True)
class PullItem:
    server_seq: int
    record_type: str
    record_id: str
    version: int
    op: str  # create | update | delete
    payload: dict[str, Any] | RawJson  # RawJson: when pulled with ``decode=False``
    report: dict[str, Any] | RawJson | None = None


class RawJson(str):
    """JSON text exactly as stored, handed through undecoded (a full pull sends thousands of
    stored documents: decoding and re-encoding each would cost more than the rest)."""

    __slots__ = ()


@dataclass(frozen=True)
class PullPage:
    items: list[PullItem]
    has_more: bool
    next_cursor: int
    max_server_seq: int
    tombstone_horizon: int


@dataclass
class OutcomeRow:
    device_id: str
    seq: int
    status: str
    record_type: str = ""
    record_id: str = ""
    server_seq: int | None = None
    version: int | None = None
    code: str | None = None
    message: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class ConflictRow:
    id: str
    org_id: str
    record_type: str
    record_id: str
    kind: str
    field: str = ""
    base_value: Any = None
    server_value: Any = None
    device_value: Any = None
    device_id: str = ""
    user_id: str = ""
    team_id: str = ""
    owner_user_id: str = ""
    status: str = "open"
    resolution: str | None = None
    resolved_by: str | None = None
    created_at: float = 0.0
    resolved_at: float | None = None


@dataclass(frozen=True)
class Assignment:
    customer_id: str
    user_id: str
    team_id: str
    valid_from: float
    valid_to: float | None


@dataclass(frozen=True)
class UserRow:
    id: str
    org_id: str
    username: str
    display_name: str
    role: str
    team_id: str
    password_hash: str
    active: bool


@dataclass(frozen=True)
class DeviceRow:
    org_id: str
    device_id: str
    user_id: str
    name: str
    created_at: float
    last_seen_at: float
    revoked_at: float | None


@dataclass(frozen=True)
class TokenRow:
    token_hash: str
    org_id: str
    user_id: str
    device_id: str
    expires_at: float
    revoked_at: float | None


@dataclass(frozen=True)
class UploadRow:
    org_id: str
    sha256: str
    size: int
    offset: int
    complete: bool
    created_by: str
    created_at: float


class WriteTx(ABC):
    """One write transaction of one organisation; its counter row is locked."""

    org_id: str
    # parsed models of stored records shared across transactions, keyed by what makes a stored
    # state unique (sync/context.py); a backend without one gets a per-transaction dict
    parsed_cache: dict[tuple[Any, ...], Any]

    @abstractmethod
    def next_seq(self) -> int:
        """The next ``server_seq`` of the organisation (written back at commit)."""

    @abstractmethod
    def outcomes(self, device_id: str, seqs: list[int]) -> dict[int, OutcomeRow]: ...

    @abstractmethod
    def add_outcomes(self, rows: list[OutcomeRow]) -> None: ...

    @abstractmethod
    def get_records(self, record_type: str, ids: list[str]) -> dict[str, StoredRecord]: ...

    def outcomes_later(
        self, device_id: str, seqs: list[int]
    ) -> Callable[[], dict[int, OutcomeRow]]:
        """:meth:`outcomes`, asked now and read when the returned function is called: a
        backend that pipelines sends the query at once, so the database answers while the
        caller does other work (others answer now)."""
        found = self.outcomes(device_id, seqs)
        return lambda: found

    def get_records_later(
        self, record_type: str, ids: list[str]
    ) -> Callable[[], dict[str, StoredRecord]]:
        """:meth:`get_records`, asked now and read later (as :meth:`outcomes_later`)."""
        found = self.get_records(record_type, ids)
        return lambda: found

    @abstractmethod
    def all_records(self, record_type: str) -> list[StoredRecord]:
        """Every live record of a type (settings, SOPs, photo hashes: small per org)."""

    @abstractmethod
    def put_records(self, records: list[StoredRecord], *, known_new: bool = False) -> None:
        """Insert or replace (buffered; visible to later ``get_records`` in this tx).

        ``known_new``: this transaction looked each key up and found none (it holds the
        organisation's write lock, so none can appear meanwhile): the backend may insert
        without checking for a row to replace."""

    @abstractmethod
    def add_scope_exit(
        self, record_type: str, record_id: str, audiences: list[tuple[str, str]]
    ) -> int:
        """Tell the audiences ('user'|'team', id) that a record left their scope."""

    @abstractmethod
    def add_conflicts(self, rows: list[ConflictRow]) -> None: ...

    @abstractmethod
    def assignments(self, customer_ids: list[str]) -> list[Assignment]: ...

    @abstractmethod
    def assign_customer(self, customer_id: str, user_id: str, team_id: str, at: float) -> None:
        """Close the current assignment and open a new one (user_id '' = unassigned)."""

    @abstractmethod
    def add_visit_photos(self, rows: list[tuple[str, str]]) -> None:
        """(sha256, visit_id) pairs."""

    def send_ahead(self) -> None:
        """A hint between changes: the records and outcomes buffered so far may be sent to the
        database now, while the caller works on the next changes. Nothing is committed before
        the transaction ends, and reads in this transaction see what was sent. The default
        keeps everything for the end."""
        return None  # an optional hook: most backends keep the rows for the end


class StorageBase(ABC):
    """Everything the server stores. Methods are transactions unless they take a ``WriteTx``."""

    dialect: str

    # --- lifecycle -------------------------------------------------------------------------
    @abstractmethod
    def migrate(self) -> list[int]:
        """Apply pending migrations; return the versions applied now."""

    @abstractmethod
    def schema_version(self) -> int: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def get_meta(self, key: str) -> str | None: ...

    @abstractmethod
    def set_meta(self, key: str, value: str) -> None: ...

    # --- organisations ---------------------------------------------------------------------
    @abstractmethod
    def create_org(self, org_id: str, name: str) -> None: ...

    @abstractmethod
    def org_exists(self, org_id: str) -> bool: ...

    @abstractmethod
    def org_position(self, org_id: str) -> tuple[int, int]:
        """(max_server_seq, tombstone_horizon)."""

    @abstractmethod
    def write(self, org_id: str, *, bulk: bool = False) -> AbstractContextManager[WriteTx]:
        """A write transaction holding the organisation's counter lock. ``bulk``: a push of
        many changes, whose statements the backend may send without waiting for each answer
        (``WriteTx.send_ahead``); only for code that reads its results through ``WriteTx``."""

    @abstractmethod
    def pull(self, scope: Scope, cursor: int, limit: int, *, decode: bool = True) -> PullPage:
        """The next page in the scope after ``cursor``. ``decode=False``: payloads and reports
        come as :class:`RawJson` (the HTTP endpoint embeds them as they are)."""

    @abstractmethod
    def get_record(self, org_id: str, record_type: str, record_id: str) -> StoredRecord | None: ...

    @abstractmethod
    def purge_tombstones(self, org_id: str, older_than: float) -> tuple[int, int]:
        """Remove tombstones updated before ``older_than``; return (count, new horizon)."""

    @abstractmethod
    def device_max_seq(self, org_id: str, device_id: str) -> int: ...

    # --- conflicts -------------------------------------------------------------------------
    @abstractmethod
    def list_conflicts(self, scope: Scope, status: str) -> list[ConflictRow]: ...

    @abstractmethod
    def get_conflict(self, org_id: str, conflict_id: str) -> ConflictRow | None: ...

    @abstractmethod
    def resolve_conflict(
        self, org_id: str, conflict_id: str, resolution: str, by: str, at: float
    ) -> None: ...

    # --- accounts --------------------------------------------------------------------------
    @abstractmethod
    def create_user(self, user: UserRow, at: float) -> None: ...

    @abstractmethod
    def get_user(self, user_id: str) -> UserRow | None: ...

    @abstractmethod
    def find_user(self, org_id: str, username: str) -> UserRow | None: ...

    @abstractmethod
    def list_users(self, org_id: str) -> list[UserRow]: ...

    @abstractmethod
    def set_password(self, user_id: str, password_hash: str) -> None: ...

    @abstractmethod
    def set_active(self, user_id: str, active: bool) -> None: ...

    @abstractmethod
    def upsert_device(
        self, org_id: str, device_id: str, user_id: str, name: str, at: float
    ) -> None: ...

    @abstractmethod
    def get_device(self, org_id: str, device_id: str) -> DeviceRow | None: ...

    @abstractmethod
    def list_devices(self, org_id: str) -> list[DeviceRow]: ...

    @abstractmethod
    def revoke_device(self, org_id: str, device_id: str, at: float) -> bool: ...

    @abstractmethod
    def add_token(self, token: TokenRow, at: float) -> None: ...

    @abstractmethod
    def get_token(self, token_hash: str) -> TokenRow | None: ...

    @abstractmethod
    def revoke_token(self, token_hash: str, at: float) -> None: ...

    @abstractmethod
    def revoke_user_tokens(self, user_id: str, at: float) -> None: ...

    @abstractmethod
    def add_login_failure(self, key: str, at: float) -> None: ...

    @abstractmethod
    def login_failures_since(self, key: str, since: float) -> list[float]: ...

    @abstractmethod
    def clear_login_failures(self, key: str) -> None: ...

    # --- photos ----------------------------------------------------------------------------
    @abstractmethod
    def get_upload(self, org_id: str, sha256: str) -> UploadRow | None: ...

    @abstractmethod
    def create_upload(self, row: UploadRow) -> None: ...

    @abstractmethod
    def set_upload_offset(self, org_id: str, sha256: str, expected: int, offset: int) -> bool:
        """Compare-and-set the offset; False when another writer moved it."""

    @abstractmethod
    def complete_upload(self, org_id: str, sha256: str, at: float) -> None: ...

    @abstractmethod
    def delete_upload(self, org_id: str, sha256: str) -> None: ...

    @abstractmethod
    def stale_uploads(self, before: float) -> list[UploadRow]:
        """Incomplete uploads created before ``before``."""

    @abstractmethod
    def unreferenced_uploads(self, before: float) -> list[UploadRow]:
        """Complete photos no visit references, completed before ``before``."""

    @abstractmethod
    def photo_visible_to(self, scope: Scope, sha256: str) -> bool:
        """True when a visit in the scope references the photo."""

    # --- backup ----------------------------------------------------------------------------
    @abstractmethod
    def backup(self, path: str) -> None:
        """Write a consistent copy of the database to ``path``."""

    @abstractmethod
    def restore(self, path: str) -> None:
        """Replace the database with the copy at ``path`` (the caller changes the epoch)."""
