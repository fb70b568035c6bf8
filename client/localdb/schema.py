"""SQLModel tables: the shape of the CURRENT schema, used to build queries.

Never imported before the app's first screen is sent (``client/localdb/reader.py`` answers its
reads with plain ``sqlite3``); the store loads this module on first use, usually on the
warm-up thread started after the first screen (docs/app.md).

The database itself is created and upgraded only by :mod:`client.localdb.migrations` (plain
SQL, one function per ``user_version``); ``tests/client/test_localdb_migrations.py`` checks that
these classes and the migrated database agree column for column. Times are ISO-8601 text in
UTC with microseconds (fixed width, so text order is time order); dates are ``YYYY-MM-DD``.
"""

from __future__ import annotations

from sqlalchemy import Table
from sqlmodel import Field, SQLModel


class Meta(SQLModel, table=True):
    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class OrgSettingsRow(SQLModel, table=True):
    __tablename__ = "org_settings"
    org_id: str = Field(primary_key=True)
    settings_json: str
    updated_at: str


class OrgCalendarRow(SQLModel, table=True):
    __tablename__ = "org_calendars"
    org_id: str = Field(primary_key=True)
    calendar_json: str
    updated_at: str


class SopTemplateRow(SQLModel, table=True):
    __tablename__ = "sop_templates"
    org_id: str = Field(primary_key=True)
    action_type: str = Field(primary_key=True)
    template_json: str
    version: int
    updated_at: str


class CustomerRow(SQLModel, table=True):
    __tablename__ = "customers"
    id: str = Field(primary_key=True)
    org_id: str
    name: str
    address: str
    district: str
    grade: str
    data_json: str
    updated_at: str
    version: int = 0  # v4: the server version the device last saw (0: never pulled)
    server_json: str | None = None  # v4: the server's copy; data_json = it + pending edits


class PhotoHashRow(SQLModel, table=True):
    __tablename__ = "photo_hashes"
    sha256: str = Field(primary_key=True)
    visit_id: str = Field(primary_key=True)
    phash: str


class VisitRow(SQLModel, table=True):
    __tablename__ = "visits"
    id: str = Field(primary_key=True)
    org_id: str
    customer_id: str
    rep_id: str
    captured_at: str  # the visit's device_time, UTC
    saved_at: str
    counts: int
    visit_json: str
    report_json: str
    server_report_json: str | None = None  # v4: the server's verdict, once pulled


class VisitPhotoRow(SQLModel, table=True):
    __tablename__ = "visit_photos"
    visit_id: str = Field(primary_key=True, foreign_key="visits.id")
    position: int = Field(primary_key=True)
    slot: str
    sha256: str
    phash: str
    stored_sha256: str
    thumb_sha256: str
    uploaded_at: str | None = None  # v3


class VisitVoidRow(SQLModel, table=True):
    __tablename__ = "visit_voids"
    id: str = Field(primary_key=True)
    visit_id: str = Field(foreign_key="visits.id", unique=True)
    reason: str
    voided_at: str
    saved_at: str


class OutboxRow(SQLModel, table=True):
    __tablename__ = "outbox"
    seq: int = Field(primary_key=True)
    record_type: str
    record_id: str
    op: str
    payload_json: str
    created_at: str
    attempts: int = 0
    acked_at: str | None = None
    server_epoch: str | None = None
    last_error: str = ""  # v2
    base_version: int | None = None  # v4: customer updates: the server version edited


class DraftRow(SQLModel, table=True):
    __tablename__ = "drafts"
    draft_id: str = Field(primary_key=True)
    data_json: str
    updated_at: str


class OrderRowTable(SQLModel, table=True):
    __tablename__ = "orders"
    id: str = Field(primary_key=True)
    customer_id: str
    ordered_on: str
    amount: str  # Decimal as text: exact
    categories_json: str


class SyncConflictRow(SQLModel, table=True):
    """v4: a change the server did not take as sent, shown to the rep until resolved."""

    __tablename__ = "sync_conflicts"
    id: str = Field(primary_key=True)
    record_type: str
    record_id: str
    field: str
    local_value: str
    server_value: str
    reason: str
    seq: int | None = None  # the outbox entry that met the conflict
    created_at: str
    resolved_at: str | None = None


class PulledRecordRow(SQLModel, table=True):
    """v4: the latest pulled state of records with no table of their own (tickets, ticket
    configuration, record types a newer server adds), kept as the server sent them."""

    __tablename__ = "pulled_records"
    record_type: str = Field(primary_key=True)
    record_id: str = Field(primary_key=True)
    version: int
    server_seq: int
    payload_json: str
    report_json: str | None = None


class TicketPhotoRow(SQLModel, table=True):
    """v5: an evidence photo of an issue ticket reported here; joins the photo upload queue."""

    __tablename__ = "ticket_photos"
    ticket_id: str = Field(primary_key=True)
    position: int = Field(primary_key=True)
    sha256: str  # of the captured bytes
    stored_sha256: str  # of the stored copy: what is uploaded and named in the ticket
    thumb_sha256: str
    uploaded_at: str | None = None


metadata = SQLModel.metadata


def table(model: type[SQLModel]) -> Table:
    """The Core table of a SQLModel class (for insert/select/update statements)."""
    result = model.__table__  # type: ignore[attr-defined]
    assert isinstance(result, Table)
    return result


meta_t = table(Meta)
settings_t = table(OrgSettingsRow)
calendars_t = table(OrgCalendarRow)
sops_t = table(SopTemplateRow)
customers_t = table(CustomerRow)
photo_hashes_t = table(PhotoHashRow)
visits_t = table(VisitRow)
visit_photos_t = table(VisitPhotoRow)
voids_t = table(VisitVoidRow)
outbox_t = table(OutboxRow)
drafts_t = table(DraftRow)
orders_t = table(OrderRowTable)
conflicts_t = table(SyncConflictRow)
pulled_records_t = table(PulledRecordRow)
ticket_photos_t = table(TicketPhotoRow)

ALL_TABLES = (
    meta_t,
    settings_t,
    calendars_t,
    sops_t,
    customers_t,
    photo_hashes_t,
    visits_t,
    visit_photos_t,
    voids_t,
    outbox_t,
    drafts_t,
    orders_t,
    conflicts_t,
    pulled_records_t,
    ticket_photos_t,
)
