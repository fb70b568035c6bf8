"""The server-checked ticket state machine (docs/tickets.md, "State machine").

reported → triaged → answered → resolved / closed. ``TRANSITIONS`` lists every legal move and
the capacities allowed to make it; everything else is refused with ``IllegalTransition`` naming
from and to. ``resolved`` and ``closed`` are terminal.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.errors import Conflict, FieldledgerError, InvalidInput
from shared.tickets.model import Answer, Comment, StateChange, Ticket, TicketState

S = TicketState


class Role(StrEnum):
    """The account role of whoever acts (server-side, from the session)."""

    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"
    SYSTEM = "system"  # the server's own automation (routing, auto answers)


class Capacity(StrEnum):
    """In what capacity an actor acts on one ticket."""

    REPORTER = "reporter"  # the rep who reported it
    OWNER = "owner"  # the owner it was routed to
    MANAGER = "manager"
    ADMIN = "admin"
    SYSTEM = "system"


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: str = Field(min_length=1, max_length=64)
    role: Role


SYSTEM_ACTOR = Actor(user_id="system", role=Role.SYSTEM)

C = Capacity
# (from, to) -> capacities allowed. Every pair not listed is illegal.
TRANSITIONS: dict[tuple[TicketState, TicketState], frozenset[Capacity]] = {
    (S.REPORTED, S.TRIAGED): frozenset({C.SYSTEM, C.MANAGER, C.ADMIN}),  # routed to an owner
    (S.REPORTED, S.ANSWERED): frozenset({C.SYSTEM, C.MANAGER, C.ADMIN}),  # auto / direct answer
    (S.REPORTED, S.CLOSED): frozenset({C.REPORTER, C.MANAGER, C.ADMIN}),  # withdrawn / invalid
    (S.TRIAGED, S.ANSWERED): frozenset({C.OWNER, C.MANAGER, C.ADMIN}),
    (S.TRIAGED, S.CLOSED): frozenset({C.REPORTER, C.MANAGER, C.ADMIN}),
    (S.ANSWERED, S.TRIAGED): frozenset({C.REPORTER, C.MANAGER, C.ADMIN}),  # answer not enough
    (S.ANSWERED, S.RESOLVED): frozenset({C.REPORTER, C.MANAGER, C.ADMIN}),
    (S.ANSWERED, S.CLOSED): frozenset({C.MANAGER, C.ADMIN}),
}
TERMINAL = frozenset({S.RESOLVED, S.CLOSED})


class IllegalTransition(Conflict):
    """A move the state machine does not have, whoever asks."""

    code = "illegal_transition"


class TransitionForbidden(FieldledgerError):
    """A legal move, but not for this actor on this ticket."""

    code = "forbidden"
    http_status = 403


def capacities(actor: Actor, ticket: Ticket) -> frozenset[Capacity]:
    found: set[Capacity] = set()
    if actor.role is Role.SYSTEM:
        found.add(C.SYSTEM)
    if actor.role is Role.MANAGER:
        found.add(C.MANAGER)
    if actor.role is Role.ADMIN:
        found.add(C.ADMIN)
    if actor.role is not Role.SYSTEM and actor.user_id == ticket.reporter_id:
        found.add(C.REPORTER)
    if actor.role is not Role.SYSTEM and ticket.owner_id and actor.user_id == ticket.owner_id:
        found.add(C.OWNER)
    return frozenset(found)


def check_transition(ticket: Ticket, to: TicketState, actor: Actor) -> None:
    """Raise unless ``actor`` may move ``ticket`` from its state to ``to``."""
    frm = ticket.state
    allowed = TRANSITIONS.get((frm, to))
    if allowed is None:
        legal = sorted(t.value for (f, t) in TRANSITIONS if f is frm)
        raise IllegalTransition(
            f"state: a ticket cannot go from {frm} to {to}"
            + (f" (from {frm}: {', '.join(legal)})" if legal else f" ({frm} is final)"),
            message_zh=f"工单状态不能从「{frm.value}」变为「{to.value}」",
            field="state",
            from_state=frm.value,
            to_state=to.value,
            legal=legal,
        )
    mine = capacities(actor, ticket)
    if not mine & allowed:
        raise TransitionForbidden(
            f"state: {actor.role} {actor.user_id!r} may not move this ticket from {frm} to {to}",
            message_zh=f"您无权将该工单从「{frm.value}」变为「{to.value}」",
            field="state",
            from_state=frm.value,
            to_state=to.value,
            allowed=sorted(c.value for c in allowed),
        )


def transition(
    ticket: Ticket,
    to: TicketState,
    actor: Actor,
    at: datetime,
    *,
    note: str = "",
    answer: Answer | None = None,
    owner_id: str | None = None,
    deadline: datetime | None = None,
) -> Ticket:
    """The ticket after a checked move. Guards: ``triaged`` needs an owner and a deadline,
    ``answered`` needs an answer (given here or already on the ticket)."""
    check_transition(ticket, to, actor)
    updates: dict[str, object] = {}
    if to is S.TRIAGED:
        owner = owner_id or ticket.owner_id
        due = deadline or ticket.deadline
        if not owner or due is None:
            raise InvalidInput(
                "owner_id: a triaged ticket needs an owner and a deadline",
                message_zh="分派工单需要指定责任人和时限",
                field="owner_id" if not owner else "deadline",
            )
        updates |= {"owner_id": owner, "deadline": due}
    answers = ticket.answers
    if answer is not None:
        answers = _append_answer(ticket, answer)
        updates["answers"] = answers
    if to is S.ANSWERED and not answers:
        raise InvalidInput(
            "answer: moving a ticket to answered needs an answer",
            message_zh="答复工单需要提供答复内容",
            field="answer",
        )
    change = StateChange(
        from_state=ticket.state, to_state=to, actor_id=actor.user_id, role=actor.role.value,
        at=at, note=note,
    )  # fmt: skip
    updates |= {"state": to, "history": (*ticket.history, change), "version": ticket.version + 1}
    return ticket.model_copy(update=updates)


def _append_answer(ticket: Ticket, answer: Answer) -> tuple[Answer, ...]:
    if any(a.id == answer.id for a in ticket.answers):
        raise Conflict(
            f"answer: an answer with id {answer.id!r} already exists",
            message_zh="该答复已存在", field="answer.id",
        )  # fmt: skip
    return (*ticket.answers, answer)


def add_answer(ticket: Ticket, answer: Answer, actor: Actor, at: datetime) -> Ticket:
    """Answer a ticket: moves reported/triaged to answered; on an answered ticket it adds a
    further answer (owner, manager or admin) without a state change."""
    if ticket.state is S.ANSWERED:
        if not capacities(actor, ticket) & TRANSITIONS[(S.TRIAGED, S.ANSWERED)]:
            raise TransitionForbidden(
                "answer: only the owner, a manager or an admin may answer",
                message_zh="只有责任人、主管或管理员可以答复",
                field="answer",
            )
        answers = _append_answer(ticket, answer)
        return ticket.model_copy(update={"answers": answers, "version": ticket.version + 1})
    return transition(ticket, S.ANSWERED, actor, at, answer=answer)


def add_comment(ticket: Ticket, comment: Comment) -> Ticket:
    """Append a comment (anyone who can see the ticket; the server checks visibility)."""
    if any(c.id == comment.id for c in ticket.comments):
        raise Conflict(
            f"comment: a comment with id {comment.id!r} already exists",
            message_zh="该评论已存在", field="comment.id",
        )  # fmt: skip
    return ticket.model_copy(
        update={"comments": (*ticket.comments, comment), "version": ticket.version + 1}
    )


def check_append_only(old: Ticket, new: Ticket) -> None:
    """For a pushed update: comments, answers and history may only grow, never change."""
    for name in ("comments", "answers", "history"):
        before, after = getattr(old, name), getattr(new, name)
        if tuple(after[: len(before)]) != tuple(before):
            raise Conflict(
                f"{name}: {name} are append-only; an existing entry was changed or removed",
                message_zh="评论、答复和记录只能追加，不能修改或删除",
                field=name,
            )
