"""The served OpenAPI document equals docs/openapi.json and covers every URL rule."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.sync_server.conftest import Api

DOC = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_the_served_document_equals_the_committed_file(api: Api):
    served = api.client.get("/api/v1/openapi.json").json
    assert served == json.loads(DOC.read_text(encoding="utf-8")), (
        "regenerate: python -m sync_server.openapi > docs/openapi.json"
    )
    assert served["openapi"].startswith("3.1")


def test_every_url_rule_and_method_is_in_the_document(api: Api):
    paths = api.client.get("/api/v1/openapi.json").json["paths"]
    for rule in api.app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_0-9]+)>", r"{\1}", rule.rule)
        assert path in paths, rule.rule
        for method in (rule.methods or set()) - {"OPTIONS"}:
            assert method.lower() in paths[path], f"{method} {rule.rule}"
