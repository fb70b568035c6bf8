"""The admin's read of the SOP templates (docs/admin-app.md): the stored ones, and the built-in
defaults of action types the organisation never stored. ``PUT /api/v1/admin/sops/<type>``
(``sync_server.api.admin``) writes them."""

from __future__ import annotations

import json

from flask import Blueprint, Response, jsonify
from pydantic import BaseModel, ConfigDict

from shared.sop import SopTemplate, default_sop_templates
from sync_server.app import get_storage
from sync_server.auth import current_scope, require_auth

bp = Blueprint("admin_sops", __name__, url_prefix="/api/v1/admin")


class SopList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    sops: list[SopTemplate]
    stored: list[str]  # action types the organisation has stored (others are defaults)


@bp.get("/sops")
@require_auth("admin")
def list_sops() -> Response:
    storage = get_storage()
    org_id = current_scope().org_id
    out = dict(default_sop_templates())
    stored: list[str] = []
    for rid, raw in storage._all(  # type: ignore[attr-defined]
        "SELECT record_id, payload FROM records"
        " WHERE org_id = %s AND record_type = 'sop' AND deleted = 0",
        (org_id,),
    ):
        out[rid] = SopTemplate.model_validate(json.loads(raw))
        stored.append(rid)
    body = SopList(sops=sorted(out.values(), key=lambda t: t.action_type), stored=sorted(stored))
    return jsonify(body.model_dump(mode="json"))
