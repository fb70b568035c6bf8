"""Ticket configuration API: root-cause tree, answer scripts, routing rules, ticket settings and
policy documents (docs/sync-protocol.md section 11). Admins write; everyone in the organisation
reads what devices pull anyway (routing rules: admins only). Each write is a record version."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from shared.errors import InvalidInput, NotFound
from shared.tickets import AnswerScript, KnowledgeBase, RootCauseTree, RoutingTable, TicketSettings
from sync_server.api import json_body
from sync_server.app import get_storage
from sync_server.auth import current_scope, require_auth
from sync_server.photos import check_sha
from sync_server.storage.base import StoredRecord
from sync_server.tickets_store import (
    ROUTING_ID,
    SETTINGS_ID,
    TREE_ID,
    document_exists,
    get_document,
    load_config,
    put_config_record,
    put_document,
)

bp = Blueprint("ticket_config", __name__, url_prefix="/api/v1/tickets")


# --- configuration (admins write; everyone in the organisation reads what devices pull) ----


def _seq(rec: StoredRecord) -> Response:
    return jsonify({"server_seq": rec.server_seq})


@bp.get("/config/root-causes")
@require_auth()
def read_root_causes() -> Response:
    return jsonify({"nodes": load_config(get_storage(), current_scope().org_id).tree.to_data()})


@bp.put("/config/root-causes")
@require_auth("admin")
def write_root_causes() -> Response:
    tree = json_body(RootCauseTree)
    org_id = current_scope().org_id
    scripts = load_config(get_storage(), org_id).kb.scripts
    with get_storage().write(org_id) as tx:
        for s in scripts:
            if s.active and s.root_cause_id not in {n.id for n in tree.nodes}:
                raise InvalidInput(
                    f"root_causes: answer script {s.id!r} uses {s.root_cause_id!r}; retire the"
                    " node (active=false) instead of removing it",
                    message_zh="有话术引用该根因，请停用而不是删除",
                    field="root_causes",
                )
        rec = put_config_record(
            tx, "root_cause_tree", TREE_ID, {"nodes": tree.to_data()}, org_wide=True
        )
    return _seq(rec)


@bp.get("/config/answer-scripts")
@require_auth()
def list_answer_scripts() -> Response:
    kb = load_config(get_storage(), current_scope().org_id).kb
    return jsonify({"scripts": [s.model_dump(mode="json") for s in kb.scripts]})


@bp.put("/config/answer-scripts/<script_id>")
@require_auth("admin")
def write_answer_script(script_id: str) -> Response:
    script = json_body(AnswerScript)
    storage, org_id = get_storage(), current_scope().org_id
    if script.id != script_id:
        raise InvalidInput("id must equal the URL's script id", message_zh="编号不一致", field="id")
    config = load_config(storage, org_id)
    try:
        kind = config.tree.problem_type(script.root_cause_id)
    except NotFound:
        raise InvalidInput(
            f"root_cause_id: {script.root_cause_id!r} is not in the root-cause tree",
            message_zh="根因不存在",
            field="root_cause_id",
        ) from None
    config.tree.check_for_ticket(script.root_cause_id, kind)
    for doc in script.documents:
        if not document_exists(storage, org_id, doc.sha256):
            raise InvalidInput(
                f"documents: upload {doc.sha256} first (PUT /api/v1/tickets/documents/<sha256>)",
                message_zh="请先上传政策文件",
                field="documents",
            )
    others = [s for s in config.kb.scripts if s.id != script.id]
    try:
        KnowledgeBase(scripts=(*others, script))
    except ValueError as exc:
        raise InvalidInput(
            f"scripts: {exc}", message_zh="话术库无效", field="root_cause_id"
        ) from None
    with storage.write(org_id) as tx:
        rec = put_config_record(
            tx, "answer_script", script.id, script.model_dump(mode="json"), org_wide=True
        )
    return _seq(rec)


@bp.get("/config/routing")
@require_auth("admin")
def read_routing() -> Response:
    table = load_config(get_storage(), current_scope().org_id).table
    return jsonify(table.model_dump(mode="json"))


@bp.put("/config/routing")
@require_auth("admin")
def write_routing() -> Response:
    table = json_body(RoutingTable)
    storage, org_id = get_storage(), current_scope().org_id
    users = {u.id for u in storage.list_users(org_id) if u.active}
    owners = [r.owner_id for r in table.rules] + [table.fallback_owner_id or ""]
    for owner in owners:
        if owner and owner not in users:
            raise InvalidInput(
                f"owner_id: {owner!r} is not an active user", message_zh="责任人不存在",
                field="owner_id",
            )  # fmt: skip
    with storage.write(org_id) as tx:
        payload = table.model_dump(mode="json")
        rec = put_config_record(tx, "ticket_routing", ROUTING_ID, payload, org_wide=False)
    return _seq(rec)


@bp.get("/config/settings")
@require_auth()
def read_ticket_settings() -> Response:
    settings = load_config(get_storage(), current_scope().org_id).settings
    return jsonify(settings.model_dump(mode="json"))


@bp.put("/config/settings")
@require_auth("admin")
def write_ticket_settings() -> Response:
    settings = json_body(TicketSettings)
    with get_storage().write(current_scope().org_id) as tx:
        payload = settings.model_dump(mode="json")
        rec = put_config_record(tx, "ticket_settings", SETTINGS_ID, payload, org_wide=True)
    return _seq(rec)


@bp.put("/documents/<sha256>")
@require_auth("admin")
def upload_document(sha256: str) -> Response:
    """A policy document (raw body; Content-Type is kept as its MIME type)."""
    scope = current_scope()
    data = request.get_data(cache=False)
    mime = (request.mimetype or "application/octet-stream")[:100]
    created = put_document(
        get_storage(), scope.org_id, data, check_sha(sha256), mime, scope.user_id
    )
    resp = jsonify({"sha256": sha256, "size": len(data), "mime": mime, "created": created})
    resp.status_code = 201 if created else 200
    return resp


@bp.get("/documents/<sha256>")
@require_auth()
def document(sha256: str) -> Response:
    data, mime = get_document(get_storage(), current_scope().org_id, check_sha(sha256))
    resp = Response(data, mimetype=mime)
    resp.set_etag(sha256)
    return resp
