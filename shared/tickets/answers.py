"""The knowledge base of standard answer scripts 标准应答话术, linked to root causes.

A script answers one root-cause node and carries its policy documents (evidence blobs by
sha256, so devices fetch and keep them offline). At most one active script per node.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from shared.tickets.model import SHA256, Answer, AnswerSource


class PolicyDocument(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    sha256: str = Field(pattern=SHA256)
    title_en: str = Field(min_length=1, max_length=200)
    title_zh: str = Field(min_length=1, max_length=200)
    mime: str = Field(default="application/pdf", max_length=100)


class AnswerScript(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    root_cause_id: str = Field(min_length=1, max_length=64)
    text_en: str = Field(min_length=1, max_length=8000)
    text_zh: str = Field(min_length=1, max_length=8000)
    documents: tuple[PolicyDocument, ...] = ()
    active: bool = True

    def to_answer(self, answer_id: str, at: datetime) -> Answer:
        return Answer(
            id=answer_id,
            source=AnswerSource.AUTO,
            author_id="system",
            text=self.text_en,
            text_zh=self.text_zh,
            script_id=self.id,
            documents=tuple(d.sha256 for d in self.documents),
            created_at=at,
        )


class KnowledgeBase(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    scripts: tuple[AnswerScript, ...] = ()
    _by_cause: dict[str, AnswerScript] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _one_active_script_per_cause(self) -> KnowledgeBase:
        seen_ids: set[str] = set()
        by_cause: dict[str, AnswerScript] = {}
        for script in self.scripts:
            if script.id in seen_ids:
                raise ValueError(f"answer script {script.id!r} appears twice")
            seen_ids.add(script.id)
            if not script.active:
                continue
            if script.root_cause_id in by_cause:
                raise ValueError(
                    f"root cause {script.root_cause_id!r} has two active answer scripts: "
                    f"{by_cause[script.root_cause_id].id!r} and {script.id!r}"
                )
            by_cause[script.root_cause_id] = script
        self._by_cause = by_cause
        return self

    def script_for(self, root_cause_id: str | None) -> AnswerScript | None:
        """The active script of exactly this node (a parent's script is too generic)."""
        if root_cause_id is None:
            return None
        return self._by_cause.get(root_cause_id)
