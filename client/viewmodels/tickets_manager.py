"""Managers' triage queue and resolution-time board; admins' root-cause tree and answer
knowledge base. These need the server at the moment of asking (``client.sync.tickets_api``);
offline they say so plainly and keep what they showed last.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from client.i18n import Msg
from client.localdb.store import LocalStore
from client.sync.tickets_api import TicketsApi, TicketsOffline
from client.viewmodels.account import error_msg
from client.viewmodels.tickets import load_scripts, load_tree, node_label
from shared.errors import FieldledgerError
from shared.tickets import AnswerScript, RootCauseNode, RootCauseTree

ApiFactory = Callable[[], TicketsApi]
ROLE_KEY = "session.user"  # the server's user object (client.sync.session.USER_KEY)
MANAGER_ROLES = ("manager", "admin")


def user_role(store: LocalStore) -> str:
    """The signed-in user's role as the server gave it at sign-in ('rep' if unknown)."""
    raw = store.get_meta(ROLE_KEY)
    try:
        role = json.loads(raw).get("role") if raw else None
    except (ValueError, AttributeError):
        role = None
    return str(role) if role in ("rep", "manager", "admin") else "rep"


class _ServerVM:
    """Runs one server call; a failure becomes ``error`` (``offline`` when unreachable)."""

    def __init__(self, api_factory: ApiFactory) -> None:
        self.api_factory = api_factory
        self.error: Msg | None = None
        self.notice: Msg | None = None
        self.offline = False

    def _run(self, call: Callable[[TicketsApi], Any]) -> Any:
        self.error = self.notice = None
        try:
            result = call(self.api_factory())
        except TicketsOffline:
            self.offline = True
            self.error = Msg("tk.needs_server")
            return None
        except FieldledgerError as exc:
            self.error = error_msg(exc)
            return None
        self.offline = False
        return result


class TriageVM(_ServerVM):
    """Open tickets of the team (waiting for triage first, then by deadline), and actions."""

    def __init__(self, api_factory: ApiFactory, lang: str = "zh") -> None:
        super().__init__(api_factory)
        self.lang = lang
        self.rows: list[dict[str, Any]] = []
        self.scripts: list[dict[str, Any]] = []

    def load(self) -> bool:
        rows = self._run(lambda api: api.triage())
        if rows is None:
            return False
        self.rows = rows
        scripts = self._run(lambda api: api.answer_scripts())
        self.scripts = [s for s in scripts or [] if s.get("active", True)]
        return True

    def answer(self, ticket_id: str, text: str, script_id: str | None = None) -> bool:
        if not text.strip() and not script_id:
            self.error = Msg("tk.need_answer")
            return False
        done = self._run(lambda api: api.answer(ticket_id, text.strip(), script_id=script_id))
        if done is None:
            return False
        self.load()
        self.notice = Msg("tk.answered_ok")
        return True

    def assign(self, ticket_id: str, owner_id: str, deadline_hours: float) -> bool:
        if not owner_id.strip():
            self.error = Msg("tk.need_owner")
            return False
        done = self._run(
            lambda api: api.transition(
                ticket_id, "triaged", owner_id=owner_id.strip(), deadline_hours=deadline_hours
            )
        )
        if done is None:
            return False
        self.load()
        self.notice = Msg("tk.assigned_ok")
        return True

    def close(self, ticket_id: str, note: str) -> bool:
        done = self._run(lambda api: api.transition(ticket_id, "closed", note=note.strip()))
        if done is None:
            return False
        self.load()
        self.notice = Msg("tk.closed_ok")
        return True


@dataclass(frozen=True)
class BoardLine:
    key: str
    tickets: int
    delivered: int
    median_hours: float | None
    p90_hours: float | None
    overdue: int


class BoardVM(_ServerVM):
    """Median / 90th percentile of report-to-answer hours by type, district or owner."""

    GROUPS = ("type", "district", "owner")

    def __init__(self, api_factory: ApiFactory, by: str = "type", days: int | None = 30) -> None:
        super().__init__(api_factory)
        self.by, self.days = by, days
        self.lines: list[BoardLine] = []
        self.overdue_ids: list[str] = []
        self.total = 0

    def set_group(self, by: str) -> bool:
        if by not in self.GROUPS:
            raise ValueError(by)
        self.by = by
        return self.load()

    def load(self) -> bool:
        data = self._run(lambda api: api.board(self.by, self.days))
        if data is None:
            return False
        self.lines = [
            BoardLine(
                key=str(r.get("key", "")),
                tickets=int(r.get("tickets", 0)),
                delivered=int(r.get("delivered", 0)),
                median_hours=r.get("median_hours"),
                p90_hours=r.get("p90_hours"),
                overdue=int(r.get("overdue", 0)),
            )
            for r in data.get("rows", [])
        ]
        self.overdue_ids = list(data.get("overdue_ids", []))
        self.total = int(data.get("tickets", 0))
        return True


@dataclass(frozen=True)
class TreeLine:
    node: RootCauseNode
    level: int
    label: str
    script: AnswerScript | None


@dataclass
class AdminConfigVM:
    """The root-cause tree and the answer knowledge base as the device holds them (pulled
    org-wide); edits go to the server's config endpoints and come back with the next sync."""

    store: LocalStore
    api_factory: ApiFactory
    lang: str = "zh"
    tree: RootCauseTree = field(init=False)
    scripts: list[AnswerScript] = field(init=False)
    error: Msg | None = None
    notice: Msg | None = None

    def __post_init__(self) -> None:
        self.load()

    def load(self) -> None:
        self.tree = load_tree(self.store)
        self.scripts = load_scripts(self.store)

    def lines(self) -> list[TreeLine]:
        by_cause = {s.root_cause_id: s for s in self.scripts if s.active}
        out: list[TreeLine] = []

        def walk(parent: str | None, level: int) -> None:
            for n in self.tree.children(parent):
                out.append(TreeLine(n, level, node_label(n, self.lang), by_cause.get(n.id)))
                walk(n.id, level + 1)

        walk(None, 1)
        return out

    def _save_tree(self, nodes: list[dict[str, Any]]) -> bool:
        self.error = self.notice = None
        try:
            RootCauseTree.from_data(nodes)  # refused here first, with the field named
            self.api_factory().put_root_causes(nodes)
        except TicketsOffline:
            self.error = Msg("tk.needs_server")
            return False
        except FieldledgerError as exc:
            self.error = error_msg(exc)
            return False
        self.tree = RootCauseTree.from_data(nodes)
        self.notice = Msg("tk.config_saved")
        return True

    def add_node(self, parent_id: str, node_id: str, label_zh: str, label_en: str) -> bool:
        node = {
            "id": node_id.strip(),
            "parent_id": parent_id,
            "label_zh": label_zh.strip(),
            "label_en": label_en.strip(),
            "active": True,
        }
        return self._save_tree([*self.tree.to_data(), node])

    def set_active(self, node_id: str, active: bool) -> bool:
        """Retire (or bring back) a node; old tickets still resolve a retired node."""
        nodes = [{**n, "active": active} if n["id"] == node_id else n for n in self.tree.to_data()]
        return self._save_tree(nodes)
