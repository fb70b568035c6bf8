"""What the server does with a ticket a device pushed: check it, route it, find similar ones.

Pure: the caller loads the organisation's tree, knowledge base, routing table and settings,
and stores the result. One function so the API and the sync push path cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from shared.errors import InvalidInput
from shared.tickets.answers import KnowledgeBase
from shared.tickets.model import Ticket, TicketSettings, TicketState, check_evidence
from shared.tickets.rootcause import RootCauseTree
from shared.tickets.routing import RoutingTable, route
from shared.tickets.similar import SimilarIndex, SimilarMatch

# Fields a device may set on a new ticket; everything else is the server's.
SERVER_FIELDS = (
    "resolution_path", "owner_id", "deadline", "routing_rule_id", "answers", "history",
    "ocr_text", "delivered_at",
)  # fmt: skip


class Intake(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    ticket: Ticket
    similar: tuple[SimilarMatch, ...]


def receive_ticket(
    ticket: Ticket,
    *,
    reporter_id: str,
    tree: RootCauseTree,
    kb: KnowledgeBase,
    table: RoutingTable,
    settings: TicketSettings,
    index: SimilarIndex | None,
    now: datetime,
    new_id: Callable[[], str],
) -> Intake:
    """Check a newly reported ticket, route it and look up similar issues.

    The reporter is the authenticated user, not what the device claims; server-owned fields
    must be empty; comments (written offline) are kept.
    """
    if ticket.reporter_id != reporter_id:
        raise InvalidInput(
            "reporter_id: a ticket is reported by the signed-in user",
            message_zh="工单上报人必须是当前登录用户",
            field="reporter_id",
        )
    if ticket.state is not TicketState.REPORTED:
        raise InvalidInput(
            f"state: a new ticket is reported, not {ticket.state}",
            message_zh="新工单的状态必须是「已上报」",
            field="state",
        )
    for name in SERVER_FIELDS:
        if getattr(ticket, name) not in (None, (), {}):
            raise InvalidInput(
                f"{name}: set by the server, not by the device",
                message_zh=f"字段 {name} 由服务器设置",
                field=name,
            )
    check_evidence(ticket.evidence, settings)
    tree.check_for_ticket(ticket.root_cause_id, ticket.problem_type)
    routed = route(ticket, kb, table, now, answer_id=new_id())
    similar: tuple[SimilarMatch, ...] = ()
    if index is not None:
        similar = tuple(index.lookup(routed, now=now, limit=settings.similar_limit))
        index.add(routed)
    return Intake(ticket=routed, similar=similar)
