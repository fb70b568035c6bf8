"""Admins: the answer knowledge base 标准应答话术 (scripts by root cause, their zh/en text and
policy documents) and the routing rules (problem type, province, district -> owner with a
deadline; the fallback owner). Both are read from and written to the server's config endpoints
(``client.sync.tickets_api``); each edit is checked on the device first with the shared models,
so a refusal names its field before anything is sent. Devices get the result at their next sync.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from client.i18n import Msg
from client.viewmodels.account import error_msg
from client.viewmodels.tickets import node_label
from client.viewmodels.tickets_manager import ApiFactory, _ServerVM
from shared.errors import FieldledgerError, invalid_from_pydantic
from shared.tickets import (
    AnswerScript,
    PolicyDocument,
    RootCauseNode,
    RootCauseTree,
    RoutingRule,
    RoutingTable,
)


def _checked(model: Any, data: dict[str, Any], prefix: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_from_pydantic(exc, prefix=prefix) from None


@dataclass(frozen=True)
class ScriptLine:
    node: RootCauseNode
    level: int  # 2 = cause family, 3 = specific cause
    label: str
    script: AnswerScript | None  # the active script of exactly this node


class KnowledgeBaseVM(_ServerVM):
    """Answer scripts by root cause, as the server has them now."""

    def __init__(self, api_factory: ApiFactory, lang: str = "zh") -> None:
        super().__init__(api_factory)
        self.lang = lang
        self.tree: RootCauseTree | None = None
        self.scripts: list[AnswerScript] = []

    def load(self) -> bool:
        got = self._run(lambda api: (api.root_causes(), api.answer_scripts()))
        if got is None:
            return False
        nodes, scripts = got
        self.tree = RootCauseTree.from_data(nodes)
        self.scripts = [AnswerScript.model_validate(s) for s in scripts]
        return True

    def lines(self) -> list[ScriptLine]:
        """Every active node below the problem types, in tree order, with its script."""
        if self.tree is None:
            return []
        tree = self.tree
        out: list[ScriptLine] = []

        def walk(parent: str, level: int) -> None:
            for n in tree.children(parent):
                if n.active:
                    out.append(
                        ScriptLine(n, level, node_label(n, self.lang), self.script_for(n.id))
                    )
                    walk(n.id, level + 1)

        for top in tree.children(None):
            walk(top.id, 2)
        return out

    def script_for(self, root_cause_id: str) -> AnswerScript | None:
        return next(
            (s for s in self.scripts if s.root_cause_id == root_cause_id and s.active), None
        )

    def _put(self, script: AnswerScript, notice: str) -> bool:
        payload = script.model_dump(mode="json")
        if self._run(lambda api: api.put_answer_script(payload)) is None:
            return False
        self.load()
        self.notice = Msg(notice)
        return True

    def save_script(self, root_cause_id: str, text_zh: str, text_en: str) -> bool:
        """Create or edit the script of ``root_cause_id`` (zh and en text are both needed)."""
        self.error = self.notice = None
        if not text_zh.strip() or not text_en.strip():
            self.error = Msg("tk.kb_need_text")
            return False
        old = self.script_for(root_cause_id)
        data = {
            "id": old.id if old else f"kb-{uuid.uuid4().hex[:12]}",
            "root_cause_id": root_cause_id,
            "text_zh": text_zh.strip(),
            "text_en": text_en.strip(),
            "documents": [d.model_dump(mode="json") for d in old.documents] if old else [],
        }
        try:
            script = _checked(AnswerScript, data, "script")
        except FieldledgerError as exc:
            self.error = error_msg(exc)
            return False
        return self._put(script, "tk.config_saved")

    def attach_document(
        self, root_cause_id: str, data: bytes, mime: str, title_zh: str, title_en: str
    ) -> bool:
        """Upload a policy document (``PUT /documents/<sha>``), then add it to the script."""
        self.error = self.notice = None
        old = self.script_for(root_cause_id)
        if old is None:
            self.error = Msg("tk.kb_need_script")
            return False
        sha = hashlib.sha256(data).hexdigest()
        try:
            doc = _checked(
                PolicyDocument,
                {"sha256": sha, "title_zh": title_zh.strip(), "title_en": title_en.strip(),
                 "mime": mime or "application/octet-stream"},
                "document",
            )  # fmt: skip
        except FieldledgerError as exc:
            self.error = error_msg(exc)
            return False
        if self._run(lambda api: api.put_document(sha, data, doc.mime)) is None:
            return False
        docs = [d for d in old.documents if d.sha256 != sha] + [doc]
        return self._put(old.model_copy(update={"documents": tuple(docs)}), "tk.kb_doc_added")

    def remove_document(self, root_cause_id: str, sha256: str) -> bool:
        self.error = self.notice = None
        old = self.script_for(root_cause_id)
        if old is None:
            return False
        docs = tuple(d for d in old.documents if d.sha256 != sha256)
        return self._put(old.model_copy(update={"documents": docs}), "tk.config_saved")


class RoutingVM(_ServerVM):
    """The routing table: rules (most specific wins) and the fallback owner."""

    def __init__(self, api_factory: ApiFactory) -> None:
        super().__init__(api_factory)
        self.table = RoutingTable()

    def load(self) -> bool:
        data = self._run(lambda api: api.routing())
        if data is None:
            return False
        self.table = RoutingTable.model_validate(data)
        return True

    def rule(self, rule_id: str) -> RoutingRule | None:
        return next((r for r in self.table.rules if r.id == rule_id), None)

    def _save(self, data: dict[str, Any], notice: str) -> bool:
        try:
            table = _checked(RoutingTable, data, "routing")
        except FieldledgerError as exc:
            self.error = error_msg(exc)
            return False
        payload = table.model_dump(mode="json")
        if self._run(lambda api: api.put_routing(payload)) is None:
            return False
        self.table = table
        self.notice = Msg(notice)
        return True

    def save_rule(
        self,
        rule_id: str | None,
        *,
        problem_type: str | None,
        province: str,
        district: str,
        owner_id: str,
        deadline_hours: float,
    ) -> bool:
        """Add a rule (``rule_id`` None) or replace the rule with that id."""
        self.error = self.notice = None
        rule = {
            "id": rule_id or f"rule-{uuid.uuid4().hex[:8]}",
            "problem_type": problem_type or None,
            "province": province.strip(),
            "district": district.strip(),
            "owner_id": owner_id.strip(),
            "deadline_hours": deadline_hours,
        }
        rules = [r.model_dump(mode="json") for r in self.table.rules]
        at = next((i for i, r in enumerate(rules) if r["id"] == rule["id"]), None)
        if at is None:
            rules.append(rule)
        else:
            rules[at] = rule
        return self._save({**self.table.model_dump(mode="json"), "rules": rules}, "tk.config_saved")

    def remove_rule(self, rule_id: str) -> bool:
        self.error = self.notice = None
        rules = [r.model_dump(mode="json") for r in self.table.rules if r.id != rule_id]
        return self._save({**self.table.model_dump(mode="json"), "rules": rules}, "tk.rt_removed")

    def set_fallback(self, owner_id: str, deadline_hours: float) -> bool:
        self.error = self.notice = None
        data = {
            **self.table.model_dump(mode="json"),
            "fallback_owner_id": owner_id.strip() or None,
            "fallback_deadline_hours": deadline_hours,
        }
        return self._save(data, "tk.config_saved")
