"""Routing a new ticket: standard answer if its root cause has one, else an owner by rules.

Rules are data (admin-edited). A rule matches on optional ``problem_type``, ``province`` and
``district`` (empty = any). Most specific match wins: the rule with the most conditions; on a
tie district beats problem type beats province. Two rules with the same conditions are refused
when the table is built, so the winner is always unique. No match: the fallback owner if the
table has one, else the ticket waits (state reported) in the managers' triage queue.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.tickets.answers import AnswerScript, KnowledgeBase
from shared.tickets.model import ProblemType, ResolutionPath, Ticket, TicketState
from shared.tickets.states import SYSTEM_ACTOR, transition


class RoutingRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    problem_type: ProblemType | None = None
    province: str = Field(default="", max_length=100)
    district: str = Field(default="", max_length=100)
    owner_id: str = Field(min_length=1, max_length=64)
    deadline_hours: float = Field(default=48.0, gt=0, le=24 * 90)

    def matches(self, ticket: Ticket) -> bool:
        sc = ticket.scenario
        return (
            (self.problem_type is None or self.problem_type is ticket.problem_type)
            and (not self.province or self.province == sc.province)
            and (not self.district or self.district == sc.district)
        )

    @property
    def specificity(self) -> tuple[int, bool, bool, bool]:
        conds = (bool(self.district), self.problem_type is not None, bool(self.province))
        return (sum(conds), *conds)

    @property
    def conditions(self) -> tuple[str, str, str]:
        return (self.problem_type.value if self.problem_type else "", self.province, self.district)


class RoutingTable(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    rules: tuple[RoutingRule, ...] = ()
    fallback_owner_id: str | None = Field(default=None, max_length=64)
    fallback_deadline_hours: float = Field(default=48.0, gt=0)

    @model_validator(mode="after")
    def _no_duplicate_conditions(self) -> RoutingTable:
        seen: dict[tuple[str, str, str], str] = {}
        for rule in self.rules:
            if rule.conditions in seen:
                raise ValueError(
                    f"routing rules {seen[rule.conditions]!r} and {rule.id!r} have the same "
                    "conditions"
                )
            seen[rule.conditions] = rule.id
        return self

    def best_rule(self, ticket: Ticket) -> RoutingRule | None:
        matching = [r for r in self.rules if r.matches(ticket)]
        return max(matching, key=lambda r: r.specificity) if matching else None


class DecisionKind(StrEnum):
    AUTO_ANSWER = "auto_answer"
    OWNER = "owner"
    TRIAGE_QUEUE = "triage_queue"


class RoutingDecision(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: DecisionKind
    script: AnswerScript | None = None
    owner_id: str | None = None
    deadline: datetime | None = None
    rule_id: str | None = None


def decide(
    ticket: Ticket, kb: KnowledgeBase, table: RoutingTable, now: datetime
) -> RoutingDecision:
    """What routing would do with ``ticket`` at ``now`` (pure; see ``route``)."""
    script = kb.script_for(ticket.root_cause_id)
    if script is not None:
        return RoutingDecision(kind=DecisionKind.AUTO_ANSWER, script=script)
    rule = table.best_rule(ticket)
    if rule is not None:
        return RoutingDecision(
            kind=DecisionKind.OWNER,
            owner_id=rule.owner_id,
            deadline=now + timedelta(hours=rule.deadline_hours),
            rule_id=rule.id,
        )
    if table.fallback_owner_id:
        return RoutingDecision(
            kind=DecisionKind.OWNER,
            owner_id=table.fallback_owner_id,
            deadline=now + timedelta(hours=table.fallback_deadline_hours),
        )
    due = now + timedelta(hours=table.fallback_deadline_hours)
    return RoutingDecision(kind=DecisionKind.TRIAGE_QUEUE, deadline=due)


def route(
    ticket: Ticket, kb: KnowledgeBase, table: RoutingTable, now: datetime, *, answer_id: str
) -> Ticket:
    """Route a just-received ``reported`` ticket (server side, as the system actor)."""
    if ticket.state is not TicketState.REPORTED:
        return ticket
    d = decide(ticket, kb, table, now)
    if d.kind is DecisionKind.AUTO_ANSWER and d.script is not None:
        routed = ticket.model_copy(update={"resolution_path": ResolutionPath.STANDARD_ANSWER})
        return transition(
            routed, TicketState.ANSWERED, SYSTEM_ACTOR, now,
            answer=d.script.to_answer(answer_id, now), note=f"standard answer {d.script.id}",
        )  # fmt: skip
    if d.kind is DecisionKind.OWNER:
        routed = ticket.model_copy(
            update={"resolution_path": ResolutionPath.OWNER, "routing_rule_id": d.rule_id}
        )
        return transition(
            routed, TicketState.TRIAGED, SYSTEM_ACTOR, now, owner_id=d.owner_id,
            deadline=d.deadline, note=f"rule {d.rule_id or 'fallback'}",
        )  # fmt: skip
    return ticket.model_copy(
        update={
            "resolution_path": ResolutionPath.MANAGER_TRIAGE,
            "deadline": d.deadline,
            "version": ticket.version + 1,
        }
    )
