"""The key metric: hours from report to the rep holding the first actionable answer.

``answer_hours`` = ``delivered_at`` − ``reported_at`` where ``reported_at`` is the device capture
time under the trusted-time rules (anchor + monotonic elapsed, else the device clock) and
``delivered_at`` is when the reporter's device acknowledged, in a sync pull, a ticket version that
carries an answer. Median and 90th percentile (linear interpolation between closest ranks, as
numpy's default) per problem type, district or owner; tickets past their deadline without an
answer are overdue.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from shared.tickets.model import Ticket, TicketState


def mark_delivered(ticket: Ticket, at: datetime) -> Ticket:
    """Record the first delivery of an answer (called when the reporter's pull acknowledges a
    version of the ticket with an answer). Idempotent: a later acknowledgement changes nothing."""
    first = ticket.first_answer
    if ticket.delivered_at is not None or first is None:
        return ticket
    return ticket.model_copy(update={"delivered_at": max(at, first.created_at)})


def answer_hours(ticket: Ticket) -> float | None:
    """Hours from trusted report time to delivery of the first answer; None until delivered."""
    if ticket.delivered_at is None:
        return None
    seconds = (ticket.delivered_at - ticket.reported_at).total_seconds()
    return max(seconds, 0.0) / 3600.0


def is_overdue(ticket: Ticket, now: datetime) -> bool:
    """Past its deadline with no answer by then (still open, or answered late)."""
    if ticket.deadline is None:
        return False
    first = ticket.first_answer
    if first is not None:
        return first.created_at > ticket.deadline
    if ticket.state in (TicketState.CLOSED, TicketState.RESOLVED):
        return False
    return now > ticket.deadline


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100), linear interpolation between closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


class GroupBy(StrEnum):
    TYPE = "type"
    DISTRICT = "district"
    OWNER = "owner"


def group_key(ticket: Ticket, by: GroupBy) -> str:
    if by is GroupBy.TYPE:
        return ticket.problem_type.value
    if by is GroupBy.DISTRICT:
        return ticket.scenario.district or "-"
    return ticket.owner_id or ("system" if ticket.answers else "-")


class GroupStat(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    tickets: int
    delivered: int
    median_hours: float | None
    p90_hours: float | None
    overdue: int


def resolution_board(tickets: Iterable[Ticket], by: GroupBy, now: datetime) -> list[GroupStat]:
    """One row per group, sorted by key."""
    groups: dict[str, list[Ticket]] = {}
    for t in tickets:
        groups.setdefault(group_key(t, by), []).append(t)
    rows = []
    for key in sorted(groups):
        members = groups[key]
        hours = [h for h in (answer_hours(t) for t in members) if h is not None]
        rows.append(
            GroupStat(
                key=key,
                tickets=len(members),
                delivered=len(hours),
                median_hours=percentile(hours, 50),
                p90_hours=percentile(hours, 90),
                overdue=sum(is_overdue(t, now) for t in members),
            )
        )
    return rows


EXPORT_COLUMNS = (
    "id", "problem_type", "root_cause_id", "district", "province", "owner_id", "state",
    "reported_at", "time_trusted", "first_answer_at", "delivered_at", "answer_hours",
    "deadline", "overdue",
)  # fmt: skip


def export_csv(tickets: Iterable[Ticket], now: datetime) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for t in tickets:
        first = t.first_answer
        hours = answer_hours(t)
        writer.writerow(
            [
                t.id, t.problem_type.value, t.root_cause_id or "", t.scenario.district,
                t.scenario.province, t.owner_id or "", t.state.value,
                t.reported_at.isoformat(), "yes" if t.reported.trusted else "no",
                first.created_at.isoformat() if first else "",
                t.delivered_at.isoformat() if t.delivered_at else "",
                f"{hours:.2f}" if hours is not None else "",
                t.deadline.isoformat() if t.deadline else "", "yes" if is_overdue(t, now) else "no",
            ]
        )  # fmt: skip
    return out.getvalue()
