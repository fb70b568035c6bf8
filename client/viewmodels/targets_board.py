"""The manager's team board 团队看板: reps × tracks × lights, sortable by any column; and the
exports (board XLSX, district PDF report) downloaded from the server into the documents folder.

Per rep, like the server's XLSX (docs/targets.md "Reports and exports"): stock health at the
latest month end (official), increment penetration at the latest week end (official), business
metrics over that month. Read from the pulled ``target_snapshot`` records: works offline.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from client.i18n import Msg
from client.localdb.store import LocalStore
from client.viewmodels.targets_data import LIGHT_ORDER, Snapshot, latest_by_rep, load_snapshots, num

# column key -> (catalogue key of the header, is a number)
COLUMNS: tuple[str, ...] = (
    "rep",
    "stock_light",
    "stock_value",
    "increment_light",
    "increment_value",
    "overdue",
    "touchpoints",
    "explicitness",
    "depth",
    "real_rate",
)
LIGHT_COLUMNS = ("stock_light", "increment_light")


@dataclass(frozen=True)
class BoardRow:
    rep_id: str
    rep_name: str
    month: Snapshot | None
    week: Snapshot | None
    values: dict[str, Any]  # column -> raw value (None = nothing to judge)

    def light(self, column: str) -> str:
        return str(self.values.get(column) or "grey")


def row_for(rep_id: str, month: Snapshot | None, week: Snapshot | None) -> BoardRow:
    any_snap = month or week
    assert any_snap is not None
    stock = (month or week).stock  # type: ignore[union-attr]
    inc = (week or month).increment  # type: ignore[union-attr]
    bus = (month or week).business  # type: ignore[union-attr]
    values: dict[str, Any] = {
        "rep": any_snap.rep_name,
        "stock_light": stock.get("light") or "grey",
        "stock_value": num(stock.get("value")),
        "increment_light": inc.get("light") or "grey",
        "increment_value": num(inc.get("value")),
        "overdue": int(inc.get("overdue") or 0),
        "touchpoints": num(bus.get("effective_touchpoints")),
        "explicitness": num(bus.get("need_explicitness_rate")),
        "depth": num(bus.get("decision_chain_depth")),
        "real_rate": num(bus.get("real_visit_rate")),
    }
    return BoardRow(rep_id, any_snap.rep_name, month, week, values)


def sort_key(column: str, ascending: bool) -> Callable[[BoardRow], tuple[Any, ...]]:
    """Nothing-to-judge values go last in both directions; ties by rep name."""

    def key(row: BoardRow) -> tuple[Any, ...]:
        v = row.values.get(column)
        if column in LIGHT_COLUMNS:
            value_col = column.replace("_light", "_value")
            sub = row.values.get(value_col)
            rank: Any = (
                LIGHT_ORDER.get(str(v), 2),
                -(sub or 0) if column == "increment_light" else (sub or 0),
            )
            return (0, rank if ascending else (-rank[0], -rank[1]), row.rep_name)
        if v is None:
            return (1, 0, row.rep_name)
        if isinstance(v, str):
            return (0, v, row.rep_id)
        return (0, v if ascending else -v, row.rep_name)

    return key


@dataclass
class TeamBoardVM:
    store: LocalStore
    sort_column: str = "stock_light"
    ascending: bool = True  # lights ascending = worst first
    rows: list[BoardRow] = field(default_factory=list)
    month_key: str = ""
    week_key: str = ""

    def load(self, snaps: list[Snapshot] | None = None) -> None:
        snaps = load_snapshots(self.store) if snaps is None else snaps
        months, weeks = latest_by_rep(snaps, "month"), latest_by_rep(snaps, "week")
        self.rows = [
            row_for(r, months.get(r), weeks.get(r)) for r in sorted(set(months) | set(weeks))
        ]
        self.month_key = max((s.period_key for s in months.values()), default="")
        self.week_key = max((s.period_key for s in weeks.values()), default="")
        self.sort(self.sort_column, self.ascending)

    def sort(self, column: str, ascending: bool) -> None:
        if column not in COLUMNS:
            column = "rep"
        self.sort_column, self.ascending = column, ascending
        if column == "rep":
            self.rows.sort(key=lambda r: r.rep_name, reverse=not ascending)
        else:
            self.rows.sort(key=sort_key(column, ascending))

    def light_counts(self, column: str) -> dict[str, int]:
        out = dict.fromkeys(("red", "yellow", "green", "grey"), 0)
        for r in self.rows:
            out[r.light(column)] = out.get(r.light(column), 0) + 1
        return out

    @property
    def latest_month_end(self) -> date | None:
        ends = [r.month.end for r in self.rows if r.month]
        return max(ends) if ends else None


# --- exports ----------------------------------------------------------------------------------


def documents_dir() -> Path:
    """Where exports are saved: ``FIELDLEDGER_DOCUMENTS`` when set, else ``Documents/Fieldledger``
    in the home folder of the user running the app (on the web demo: of the machine serving it)."""
    raw = os.environ.get("FIELDLEDGER_DOCUMENTS")
    return Path(raw) if raw else Path.home() / "Documents" / "Fieldledger"


def quarter_of(day: date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


_UNSAFE = re.compile(r"[^\w\-\u4e00-\u9fff]+")


@dataclass
class ExportVM:
    """Downloads an export from the server and saves it; offline it says so and saves nothing."""

    api_factory: Callable[[], Any]
    folder: Path = field(default_factory=documents_dir)
    saved: Path | None = None
    notice: Msg | None = None
    error: Msg | None = None

    def _save(self, name: str, call: Callable[[Any], bytes]) -> Path | None:
        from client.sync.targets_api import TargetsOffline
        from client.viewmodels.account import error_msg
        from shared.errors import FieldledgerError

        self.saved = self.notice = self.error = None
        try:
            data = call(self.api_factory())
        except TargetsOffline:
            self.error = Msg("tg.export.offline")
            return None
        except FieldledgerError as exc:
            self.error = error_msg(exc)
            return None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / name
            tmp = path.with_name(path.name + ".part")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError as exc:
            self.error = Msg("tg.export.cannot_save", {"folder": str(self.folder), "why": str(exc)})
            return None
        self.saved = path
        self.notice = Msg("tg.export.saved", {"path": str(path)})
        return path

    def board_xlsx(self, as_of: date | None = None) -> Path | None:
        name = f"team-board-{(as_of or date.today()).isoformat()}.xlsx"
        return self._save(name, lambda api: api.board_xlsx(as_of))

    def district_pdf(self, district: str, quarter: str) -> Path | None:
        name = f"district-{_UNSAFE.sub('_', district)}-{quarter}.pdf"
        return self._save(name, lambda api: api.district_pdf(district, quarter))
