"""The targets REST endpoints the device calls directly (docs/targets.md "Server",
docs/manager-app.md).

Everything the boards show comes through sync and works offline; these calls need the server
at the moment of asking: material bytes (downloaded once after a sync, then kept by hash), the
team board as an XLSX file and the district report as a PDF. Same session (server address and
token in the store's meta) and transport as the sync engine. ``TargetsOffline`` when no answer
came back, ``TargetsApiError`` (the server's code and field) otherwise.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from client.sync.rest import ApiRefused, NotSignedIn, Offline, RestApi

__all__ = ["NotSignedIn", "TargetsApi", "TargetsApiError", "TargetsOffline"]


class TargetsOffline(Offline):
    pass


class TargetsApiError(ApiRefused):
    """The server refused (``server_code``: its error code, e.g. ``not_found``)."""


class TargetsApi(RestApi):
    base = "/targets"
    offline_error = TargetsOffline
    refused_error = TargetsApiError

    # -- calls -------------------------------------------------------------------------------
    def material_content(self, sha256: str) -> bytes:
        """The bytes of a material delivered to the caller (a rep) or of the organisation."""
        return self._bytes(f"/materials/{sha256}/content")

    def board_xlsx(self, as_of: date | None = None) -> bytes:
        """The team board as an XLSX file (managers and admins)."""
        return self._bytes("/board.xlsx", {"as_of": as_of.isoformat()} if as_of else None)

    def district_pdf(self, district: str, quarter: str | None = None) -> bytes:
        """The quarterly regional sales diagnosis of a district (``quarter`` like 2025Q1)."""
        from urllib.parse import quote

        params = {"quarter": quarter} if quarter else None
        return self._bytes(f"/reports/district/{quote(district, safe='')}.pdf", params)

    def actions(self) -> list[dict[str, Any]]:
        return list(self._json("GET", "/actions")["actions"])
