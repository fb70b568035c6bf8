"""The OpenAPI 3.1 document, built from the app's URL map and the pydantic schemas.

``python -m sync_server.openapi > docs/openapi.json`` regenerates the committed copy; a test keeps
the served document, the file and the URL map in step.
"""

from __future__ import annotations

import json
import re
import tempfile
from typing import Any

from flask import Flask
from pydantic import BaseModel

from shared.changes import PROTOCOL_VERSION
from sync_server import schemas as s
from sync_server.openapi_operations import EXTRA_SCHEMAS, OPERATIONS, PUBLIC, QUERY


def _schema(model: type[BaseModel], components: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def build_openapi(app: Flask) -> dict[str, Any]:
    components: dict[str, Any] = {}
    error_ref = _schema(s.ErrorBody, components)
    for model in EXTRA_SCHEMAS:
        _schema(model, components)
    paths: dict[str, Any] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "static":
            continue
        summary, req, resp, errors = OPERATIONS[rule.endpoint]
        path = re.sub(r"<(?:[a-z]+:)?([a-z_0-9]+)>", r"{\1}", rule.rule)
        params = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "integer" if conv == "int" else "string"},
            }
            for conv, name in re.findall(r"<(?:([a-z]+):)?([a-z_0-9]+)>", rule.rule)
        ]
        for method in sorted((rule.methods or set()) - {"OPTIONS"}):
            op: dict[str, Any] = {
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "summary": summary,
                "tags": [rule.endpoint.split(".")[0]],
            }
            if params or rule.endpoint in QUERY:
                op["parameters"] = list(params) + QUERY.get(rule.endpoint, [])
            if rule.endpoint not in PUBLIC:
                op["security"] = [{"bearer": []}]
                op.setdefault("parameters", []).append(
                    {
                        "name": "X-Fieldledger-Protocol",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "integer", "enum": [PROTOCOL_VERSION]},
                    }
                )
            if req is not None and method in ("POST", "PUT", "PATCH"):
                op["requestBody"] = {
                    "required": True,
                    "content": {"application/json": {"schema": _schema(req, components)}},
                }
            if rule.endpoint == "targets_materials.upload_material":
                schema = _schema(s.MaterialUploadRequest, components)
                op["requestBody"] = {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "allOf": [
                                    schema,
                                    {
                                        "type": "object",
                                        "required": ["file"],
                                        "properties": {
                                            "file": {"type": "string", "format": "binary"}
                                        },
                                    },
                                ]
                            }
                        }
                    },
                }
            if rule.endpoint in ("photos.append_chunk", "attachments.append_chunk"):
                op["requestBody"] = {
                    "required": True,
                    "content": {
                        "application/offset+octet-stream": {
                            "schema": {"type": "string", "format": "binary"}
                        }
                    },
                }
            ok = "201" if rule.endpoint in ("admin.create_user",) else "200"
            content = (
                {"application/json": {"schema": _schema(resp, components)}}
                if resp is not None
                else {"application/octet-stream": {}}
            )
            op["responses"] = {ok: {"description": "success", "content": content}}
            for status in sorted({*errors, 500}):
                op["responses"][str(status)] = {
                    "description": "error",
                    "content": {"application/json": {"schema": error_ref}},
                }
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Fieldledger sync server",
            "version": f"{PROTOCOL_VERSION}.0",
            "description": "See docs/sync-protocol.md and docs/errors.md.",
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def main() -> None:
    from sync_server.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DATABASE_URL": f"sqlite:///{tmp}/openapi.db", "PHOTO_DIR": tmp})
        print(json.dumps(build_openapi(app), indent=2, ensure_ascii=False, sort_keys=True))
        app.extensions["fieldledger.storage"].close()


if __name__ == "__main__":
    main()
