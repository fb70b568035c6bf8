"""Five-dimension issue tickets (gap 3): model, root-cause tree, state machine, routing,
answers, similar issues and the report-to-answer metric. Pure: no I/O. See docs/tickets.md."""

from shared.tickets.answers import AnswerScript, KnowledgeBase, PolicyDocument
from shared.tickets.intake import Intake, receive_ticket
from shared.tickets.metrics import (
    GroupBy,
    GroupStat,
    answer_hours,
    export_csv,
    is_overdue,
    mark_delivered,
    percentile,
    resolution_board,
)
from shared.tickets.model import (
    Answer,
    AnswerSource,
    Comment,
    Evidence,
    ImpactScope,
    ProblemType,
    ResolutionPath,
    Scenario,
    Ticket,
    TicketSettings,
    TicketState,
    VideoEvidence,
    check_evidence,
    parse_ticket,
    scenario_from_visit,
)
from shared.tickets.rootcause import (
    Relation,
    RootCauseNode,
    RootCauseTree,
    default_root_cause_tree,
)
from shared.tickets.routing import RoutingDecision, RoutingRule, RoutingTable, decide, route
from shared.tickets.similar import SimilarIndex, SimilarMatch, find_similar, tokenize
from shared.tickets.states import (
    TRANSITIONS,
    Actor,
    IllegalTransition,
    Role,
    TransitionForbidden,
    add_answer,
    add_comment,
    check_append_only,
    check_transition,
    transition,
)

__all__ = [
    "TRANSITIONS", "Actor", "Answer", "AnswerScript", "AnswerSource", "Comment", "Evidence",
    "GroupBy", "GroupStat", "IllegalTransition", "ImpactScope", "Intake", "KnowledgeBase",
    "PolicyDocument", "ProblemType", "Relation", "ResolutionPath", "Role", "RootCauseNode",
    "RootCauseTree", "RoutingDecision", "RoutingRule", "RoutingTable", "Scenario", "SimilarIndex",
    "SimilarMatch", "Ticket", "TicketSettings", "TicketState", "TransitionForbidden",
    "VideoEvidence", "add_answer", "add_comment", "answer_hours", "check_append_only",
    "check_evidence", "check_transition", "decide", "default_root_cause_tree", "export_csv",
    "find_similar", "is_overdue", "mark_delivered", "parse_ticket", "percentile", "receive_ticket",
    "resolution_board", "route", "scenario_from_visit", "tokenize", "transition",
]  # fmt: skip
