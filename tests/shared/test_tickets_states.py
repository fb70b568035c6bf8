"""The ticket state machine: every legal move by the right people, every other move refused."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from shared.errors import Conflict, InvalidInput
from shared.tickets import (
    TRANSITIONS,
    Actor,
    Answer,
    AnswerSource,
    Comment,
    IllegalTransition,
    ProblemType,
    Role,
    Scenario,
    Ticket,
    TicketState,
    TransitionForbidden,
    add_answer,
    add_comment,
    check_append_only,
    transition,
)

S = TicketState
T0 = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
REP = Actor(user_id="rep-1", role=Role.REP)
OTHER_REP = Actor(user_id="rep-2", role=Role.REP)
OWNER = Actor(user_id="owner-1", role=Role.REP)
MANAGER = Actor(user_id="mgr-1", role=Role.MANAGER)
ADMIN = Actor(user_id="admin-1", role=Role.ADMIN)
SYSTEM = Actor(user_id="system", role=Role.SYSTEM)


def answer(i: str = "a1", at: datetime = T0) -> Answer:
    return Answer(id=i, source=AnswerSource.OWNER, author_id="owner-1", text="do X", created_at=at)


def ticket_in(state: TicketState) -> Ticket:
    t = Ticket(
        id="t1", org_id="org", reporter_id="rep-1", problem_type=ProblemType.POLICY,
        scenario=Scenario(customer_id="c1"), text="医保目录变动", device_time=T0,
    )  # fmt: skip
    updates: dict[str, object] = {"state": state, "owner_id": "owner-1"}
    updates["deadline"] = T0 + timedelta(hours=48)
    if state in (S.ANSWERED, S.RESOLVED):
        updates["answers"] = (answer(),)
    return t.model_copy(update=updates)


ALL_PAIRS = list(itertools.product(list(S), repeat=2))
ILLEGAL = [p for p in ALL_PAIRS if p not in TRANSITIONS]


def test_the_table_has_eight_legal_moves_and_seventeen_illegal_pairs():
    assert len(TRANSITIONS) == 8
    assert len(ILLEGAL) == 25 - 8


@pytest.mark.parametrize(("frm", "to"), ILLEGAL, ids=[f"{a}->{b}" for a, b in ILLEGAL])
def test_every_illegal_transition_is_refused_naming_from_and_to_even_for_an_admin(frm, to):
    ticket = ticket_in(frm)
    for actor in (ADMIN, MANAGER, SYSTEM, REP, OWNER):
        with pytest.raises(IllegalTransition) as err:
            transition(ticket, to, actor, T0, answer=answer("a9"))
        assert err.value.details["from_state"] == frm.value
        assert err.value.details["to_state"] == to.value
        assert f"from {frm} to {to}" in err.value.message
        assert err.value.field == "state"
        assert err.value.http_status == 409


@pytest.mark.parametrize(
    ("frm", "to"), sorted(TRANSITIONS), ids=[f"{a}->{b}" for a, b in sorted(TRANSITIONS)]
)
def test_every_legal_transition_is_allowed_exactly_for_its_listed_people(frm, to):
    people = {"reporter": REP, "owner": OWNER, "manager": MANAGER, "admin": ADMIN, "system": SYSTEM}
    allowed = {c.value for c in TRANSITIONS[(frm, to)]}
    for capacity, actor in people.items():
        ticket = ticket_in(frm)
        if capacity in allowed:
            moved = transition(ticket, to, actor, T0 + timedelta(hours=1), answer=answer("a9"))
            assert moved.state is to
            assert moved.history[-1].from_state is frm and moved.history[-1].to_state is to
            assert moved.version == ticket.version + 1
        else:
            with pytest.raises(TransitionForbidden) as err:
                transition(ticket, to, actor, T0, answer=answer("a9"))
            assert err.value.http_status == 403
            assert err.value.details["from_state"] == frm.value


def test_another_rep_cannot_withdraw_someone_elses_ticket():
    with pytest.raises(TransitionForbidden):
        transition(ticket_in(S.REPORTED), S.CLOSED, OTHER_REP, T0)


def test_triage_needs_an_owner_and_a_deadline():
    bare = ticket_in(S.REPORTED).model_copy(update={"owner_id": None, "deadline": None})
    with pytest.raises(InvalidInput) as err:
        transition(bare, S.TRIAGED, MANAGER, T0)
    assert err.value.field == "owner_id"
    moved = transition(bare, S.TRIAGED, MANAGER, T0, owner_id="o2", deadline=T0 + timedelta(1))
    assert (moved.owner_id, moved.deadline) == ("o2", T0 + timedelta(1))


def test_answering_needs_an_answer():
    with pytest.raises(InvalidInput) as err:
        transition(ticket_in(S.TRIAGED), S.ANSWERED, OWNER, T0)
    assert err.value.field == "answer"


def test_add_answer_moves_a_triaged_ticket_and_adds_to_an_answered_one():
    answered = add_answer(ticket_in(S.TRIAGED), answer("a1"), OWNER, T0)
    assert answered.state is S.ANSWERED and [a.id for a in answered.answers] == ["a1"]
    again = add_answer(answered, answer("a2"), MANAGER, T0)
    assert again.state is S.ANSWERED and [a.id for a in again.answers] == ["a1", "a2"]
    with pytest.raises(Conflict):
        add_answer(again, answer("a2"), MANAGER, T0)
    with pytest.raises(TransitionForbidden):
        add_answer(again, answer("a3"), REP, T0)


def test_comments_are_append_only():
    t = ticket_in(S.TRIAGED)
    c1 = Comment(id="c1", author_id="rep-1", text="still happening", created_at=T0)
    c2 = Comment(id="c2", author_id="mgr-1", text="looking", created_at=T0)
    t2 = add_comment(add_comment(t, c1), c2)
    assert [c.id for c in t2.comments] == ["c1", "c2"]
    with pytest.raises(Conflict):
        add_comment(t2, c1)
    check_append_only(t, t2)  # growing is fine
    edited = t2.model_copy(update={"comments": (c1.model_copy(update={"text": "x"}), c2)})
    with pytest.raises(Conflict) as err:
        check_append_only(t2, edited)
    assert err.value.field == "comments"
    with pytest.raises(Conflict):
        check_append_only(t2, t2.model_copy(update={"comments": (c1,)}))
