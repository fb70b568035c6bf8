"""What the OpenAPI document says of each endpoint: summary, bodies, error statuses, query
parameters, and which endpoints need no token (``sync_server/openapi.py`` builds the document).

A new endpoint needs an entry in ``OPERATIONS`` (a test fails on an endpoint without one).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from shared.changes import (
    ChangeOutcome,
    Contact,
    IncomingChange,
    OutgoingChange,
    Touchpoint,
)
from shared.customers import Customer
from shared.settings import OrgSettings
from shared.sop import SopTemplate
from shared.targets import TargetSettings
from shared.tickets import AnswerScript, RootCauseTree, RoutingTable, Ticket, TicketSettings
from shared.visits import Visit
from sync_server import schemas as s
from sync_server.api.admin_sops import SopList

Op = tuple[str, type[BaseModel] | None, type[BaseModel] | None, list[int]]

# endpoint -> (summary, request body, 2xx response, error statuses)
OPERATIONS: dict[str, Op] = {
    "meta.health": ("Liveness and versions", None, s.HealthResponse, []),
    "meta.openapi": ("This OpenAPI document", None, None, []),
    "auth.login": (
        "Sign in a device; returns a bearer token",
        s.LoginRequest,
        s.LoginResponse,
        [400, 401, 403, 426, 429],
    ),
    "auth.logout": ("Revoke the current token", None, s.OkResponse, [401]),
    "auth.me": ("The signed-in user", None, s.MeResponse, [401, 403]),
    "sync.hello": (
        "Epoch, positions and this device's highest seq held",
        None,
        s.HelloResponse,
        [401, 403],
    ),
    "sync.push": (
        "Push outbox changes (one transaction, idempotent)",
        s.PushRequest,
        s.PushResponse,
        [400, 401, 403, 413],
    ),
    "sync.pull": (
        "Pull a page of changes after a cursor",
        None,
        s.PullResponse,
        [400, 401, 403, 409, 410],
    ),
    "sync.conflicts": ("Conflicts the caller may see", None, s.ConflictList, [400, 401]),
    "sync.resolve": (
        "Resolve a conflict (manager/admin)",
        s.ResolveRequest,
        s.ConflictOut,
        [400, 401, 403, 404, 409],
    ),
    "photos.create_upload": (
        "Create (or find) a resumable upload (kind video: a ticket's evidence video)",
        s.PhotoUploadCreate,
        s.UploadStatus,
        [400, 401, 413],
    ),
    "photos.append_chunk": (
        "Append a chunk at Upload-Offset",
        None,
        s.UploadStatus,
        [400, 401, 404, 409, 413, 422],
    ),
    "photos.upload_status": (
        "Upload status (HEAD: headers only)",
        None,
        s.UploadStatus,
        [401, 404],
    ),
    "photos.content": (
        "Photo bytes, when a visit in your scope references them",
        None,
        None,
        [401, 404],
    ),
    "attachments.create_upload": (
        "Create (or find) a resumable upload of a proposal attachment",
        s.UploadCreate,
        s.UploadStatus,
        [400, 401, 413],
    ),
    "attachments.append_chunk": (
        "Append a chunk of an attachment at Upload-Offset",
        None,
        s.UploadStatus,
        [400, 401, 404, 409, 413, 422],
    ),
    "attachments.upload_status": ("Attachment upload status", None, s.UploadStatus, [401, 404]),
    "attachments.content": (
        "Attachment bytes, when a touchpoint in your scope names them",
        None,
        None,
        [401, 404],
    ),
    "admin_sops.list_sops": ("SOP templates (stored and defaults)", None, SopList, [401, 403]),
    "admin.read_settings": ("Organisation settings", None, OrgSettings, [401, 403]),
    "admin.write_settings": (
        "Replace organisation settings",
        OrgSettings,
        s.SeqResponse,
        [400, 401, 403],
    ),
    "admin.write_calendar_year": (
        "Load one year's holiday schedule",
        None,
        s.SeqResponse,
        [400, 401, 403],
    ),
    "admin.write_sop": (
        "Create or replace an SOP template",
        SopTemplate,
        s.SeqResponse,
        [400, 401, 403],
    ),
    "admin.list_users": ("Users of the organisation", None, s.UserList, [401, 403]),
    "admin.create_user": ("Create a user", s.UserCreate, s.UserOut, [400, 401, 403, 409]),
    "admin.reset_password": (
        "Set a user's password (signs them out)",
        s.PasswordReset,
        s.OkResponse,
        [400, 401, 403, 404],
    ),
    "admin.deactivate_user": ("Deactivate a user", None, s.OkResponse, [401, 403, 404]),
    "admin.list_devices": ("Devices of the organisation", None, s.DeviceList, [401, 403]),
    "admin.revoke_device": ("Revoke a device", None, s.OkResponse, [401, 403, 404]),
    "admin.import_customers": (
        "Create/replace customers (all or nothing)",
        s.CustomerImport,
        s.SeqsResponse,
        [400, 401, 403],
    ),
    "targets.import_orders": (
        "Import ERP orders from CSV/XLSX or JSON, idempotently (all rows or none)",
        s.OrderImportRequest,
        s.OrderImportResponse,
        [400, 401, 403],
    ),
    "targets_materials.upload_material": (
        "Upload an attack pack or support material (multipart, admin)",
        s.MaterialUploadRequest,
        s.MaterialUploadResponse,
        [400, 401, 403, 413],
    ),
    "targets_materials.materials": ("Materials (metadata)", None, s.MaterialList, [401]),
    "targets_materials.retire": (
        "Retire a material: no longer pushed (admin)",
        None,
        s.MaterialResponse,
        [401, 403, 404],
    ),
    "targets_materials.material_content": (
        "A material's bytes (reps: only materials delivered to them)",
        None,
        None,
        [400, 401, 404],
    ),
    "targets_materials.read_settings": ("Target settings", None, TargetSettings, [401]),
    "targets_materials.write_settings": (
        "Replace the target settings (admin)",
        TargetSettings,
        s.SeqResponse,
        [400, 401, 403],
    ),
    "targets_materials.evaluate": (
        "Evaluate targets now: latest month end and week end on or before as_of (admin)",
        s.EvaluateRequest,
        s.EvaluateResponse,
        [400, 401, 403],
    ),
    "targets_materials.actions": (
        "Escalation actions fired (manager: their team)",
        None,
        s.TargetActionList,
        [401, 403],
    ),
    "targets_reports.district_report": (
        "Quarterly regional sales diagnosis PDF of a district (?quarter=2025Q1; manager/admin)",
        None,
        None,
        [400, 401, 403, 404],
    ),
    "targets_reports.board_export": (
        "Team board as XLSX (?as_of=YYYY-MM-DD; manager/admin)",
        None,
        None,
        [400, 401, 403],
    ),
    "tickets.list_tickets": ("Tickets the caller may see", None, s.TicketList, [401, 403]),
    "tickets.triage_queue": (
        "Open tickets to triage (manager/admin)",
        None,
        s.TicketList,
        [401, 403],
    ),
    "tickets.board": (
        "Report-to-answer hours: median / p90 by type, district or owner (manager/admin)",
        None,
        s.BoardResponse,
        [400, 401, 403],
    ),
    "tickets.export": ("Tickets with the metric as CSV (manager/admin)", None, None, [400, 401]),
    "tickets.detail": (
        "A ticket with similar tickets and OCR text",
        None,
        s.TicketDetail,
        [401, 404],
    ),
    "tickets.transition_ticket": (
        "Move a ticket through the state machine",
        s.TicketTransitionRequest,
        s.TicketDetail,
        [400, 401, 403, 404, 409],
    ),
    "tickets.answer": (
        "Answer a ticket (owner, manager, admin)",
        s.TicketAnswerRequest,
        s.TicketDetail,
        [400, 401, 403, 404, 409],
    ),
    "tickets.comment": (
        "Append a comment",
        s.TicketCommentRequest,
        s.TicketDetail,
        [400, 401, 404, 409],
    ),
    "tickets.photo": ("An evidence photo of a ticket you may see", None, None, [400, 401, 404]),
    "ticket_config.read_root_causes": ("The root-cause tree", None, s.RootCauseTreeBody, [401]),
    "ticket_config.write_root_causes": (
        "Replace the root-cause tree (admin)",
        RootCauseTree,
        s.SeqResponse,
        [400, 401, 403],
    ),
    "ticket_config.list_answer_scripts": (
        "The knowledge base of standard answer scripts",
        None,
        s.AnswerScriptList,
        [401],
    ),
    "ticket_config.write_answer_script": (
        "Create or replace an answer script (admin)",
        AnswerScript,
        s.SeqResponse,
        [400, 401, 403],
    ),
    "ticket_config.read_routing": ("Routing rules (admin)", None, RoutingTable, [401, 403]),
    "ticket_config.write_routing": (
        "Replace the routing rules (admin)",
        RoutingTable,
        s.SeqResponse,
        [400, 401, 403],
    ),
    "ticket_config.read_ticket_settings": ("Ticket settings", None, TicketSettings, [401]),
    "ticket_config.write_ticket_settings": (
        "Replace the ticket settings (admin)",
        TicketSettings,
        s.SeqResponse,
        [400, 401, 403],
    ),
    "ticket_config.upload_document": (
        "Upload a policy document (raw body, admin)",
        None,
        s.DocumentOut,
        [400, 401, 403],
    ),
    "ticket_config.document": ("A policy document's bytes", None, None, [400, 401, 404]),
}
EXTRA_SCHEMAS: list[type[BaseModel]] = [
    Touchpoint,
    Contact,
    OutgoingChange,
    IncomingChange,
    ChangeOutcome,
    Visit,
    Customer,
    Ticket,
]
PUBLIC = {"meta.health", "meta.openapi", "auth.login"}


# Query parameters of the hot sync endpoints (docs/sync-protocol.md §7)
QUERY: dict[str, list[dict[str, Any]]] = {
    "sync.pull": [
        {"name": "cursor", "in": "query", "schema": {"type": "integer", "minimum": 0}},
        {
            "name": "limit",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 2000, "default": 500},
        },
        {
            "name": "report",
            "in": "query",
            "description": "text: each change's report as its JSON text (a string)",
            "schema": {"type": "string", "enum": ["object", "text"], "default": "object"},
        },
    ],
}
