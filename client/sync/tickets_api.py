"""The ticket REST endpoints the device calls directly (docs/tickets.md, "On the device").

Reps report, comment and move their tickets through the outbox (they work offline). What needs
the server at the moment of asking goes through here: the managers' triage queue, answering,
routing to an owner, the resolution-time board, and the admins' configuration. It uses the
same session (server address + token in the store's meta) and the same transport as the sync
engine. Failures are ``FieldledgerError`` with bilingual words: ``TicketsOffline`` when no
answer came back, ``TicketsApiError`` (the server's code and field) otherwise.
"""

from __future__ import annotations

from typing import Any

from client.sync.rest import ApiRefused, NotSignedIn, Offline, RestApi

__all__ = ["NotSignedIn", "TicketsApi", "TicketsApiError", "TicketsOffline"]


class TicketsOffline(Offline):
    pass


class TicketsApiError(ApiRefused):
    """The server refused (``server_code``: its error code, e.g. ``illegal_transition``)."""


class TicketsApi(RestApi):
    base = "/tickets"
    offline_error = TicketsOffline
    refused_error = TicketsApiError

    # -- tickets -----------------------------------------------------------------------------
    def tickets(self, state: str | None = None) -> list[dict[str, Any]]:
        """Tickets the caller may see (rep: theirs and those routed to them)."""
        params = {"state": state} if state else None
        return list(self._json("GET", "", params=params)["tickets"])

    def triage(self) -> list[dict[str, Any]]:
        return list(self._json("GET", "/triage")["tickets"])

    def detail(self, ticket_id: str) -> dict[str, Any]:
        return self._json("GET", f"/{ticket_id}")

    def board(self, by: str = "type", days: int | None = None) -> dict[str, Any]:
        params: dict[str, Any] = {"by": by}
        if days is not None:
            params["days"] = days
        return self._json("GET", "/board", params=params)

    def transition(
        self,
        ticket_id: str,
        state: str,
        *,
        note: str = "",
        owner_id: str | None = None,
        deadline_hours: float | None = None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"state": state, "note": note}
        if owner_id is not None:
            body["owner_id"] = owner_id
        if deadline_hours is not None:
            body["deadline_hours"] = deadline_hours
        return self._json("POST", f"/{ticket_id}/transition", json_body=body)

    def answer(
        self, ticket_id: str, text: str = "", *, text_zh: str = "", script_id: str | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"text": text, "text_zh": text_zh}
        if script_id:
            body["script_id"] = script_id
        return self._json("POST", f"/{ticket_id}/answer", json_body=body)

    def comment(self, ticket_id: str, text: str, comment_id: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"text": text}
        if comment_id:
            body["id"] = comment_id
        return self._json("POST", f"/{ticket_id}/comments", json_body=body)

    def photo(self, ticket_id: str, sha256: str) -> bytes:
        return self._bytes(f"/{ticket_id}/photos/{sha256}")

    def document(self, sha256: str) -> bytes:
        return self._bytes(f"/documents/{sha256}")

    # -- configuration -----------------------------------------------------------------------
    def root_causes(self) -> list[dict[str, Any]]:
        return list(self._json("GET", "/config/root-causes")["nodes"])

    def put_root_causes(self, nodes: list[dict[str, Any]]) -> int:
        return int(
            self._json("PUT", "/config/root-causes", json_body={"nodes": nodes})["server_seq"]
        )

    def answer_scripts(self) -> list[dict[str, Any]]:
        return list(self._json("GET", "/config/answer-scripts")["scripts"])

    def put_answer_script(self, script: dict[str, Any]) -> int:
        path = f"/config/answer-scripts/{script['id']}"
        return int(self._json("PUT", path, json_body=script)["server_seq"])

    def routing(self) -> dict[str, Any]:
        return self._json("GET", "/config/routing")

    def put_routing(self, table: dict[str, Any]) -> int:
        """The whole routing table (rules + fallback owner); admins only."""
        return int(self._json("PUT", "/config/routing", json_body=table)["server_seq"])

    def put_document(self, sha256: str, data: bytes, mime: str) -> dict[str, Any]:
        """A policy document blob (raw body, its MIME type as Content-Type); admins only."""
        return self._json(
            "PUT", f"/documents/{sha256}", data=data, extra_headers={"Content-Type": mime}
        )
