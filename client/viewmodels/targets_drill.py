"""Drill-down 明细: from any number on the boards to what is behind it, offline.

* a stock-health figure -> the rep's existing customers with their repurchase frequency (the
  distinct order days in the window, carried by the snapshot) and the visits on the device to
  those customers in the window;
* an increment figure -> the new-industry cases (first visit, first order, days, overdue) and the
  visits to those customers;
* a business metric -> the rep's visits in the period (real or not, voided);
* a heat-map cell (a store or a district, a day or a week) -> its store-days' counts and the
  visits behind them;
* an industry of the radar -> its cases across the team's reps.

Orders themselves are not on the device: the snapshot's per-customer breakdown is what the
server computed from them (docs/manager-app.md "Drill-down").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from client.i18n import Msg
from client.localdb.store import LocalStore
from client.viewmodels.targets_data import (
    Snapshot,
    as_date,
    customer_names,
    latest_by_rep,
    load_snapshots,
    load_store_metrics,
    local_day,
    org_zone,
)
from shared.sop import SopTemplate, default_sop_templates


def _label(sops: dict[str, SopTemplate], action_type: str) -> Msg:
    sop = sops.get(action_type)
    return Msg.raw(sop.label.zh, sop.label.en) if sop else Msg.raw(action_type, action_type)


KINDS = ("stock", "increment", "business", "store", "district", "industry")


@dataclass(frozen=True)
class DrillRow:
    title: str
    detail: Msg
    flag: str = ""  # "bad" / "warn" / "" : shown as a colour
    visit_id: str | None = None  # rows that open the visit's detail


@dataclass
class DrillDownVM:
    store: LocalStore
    org_id: str
    kind: str
    ref: str  # snapshot record id / store id / district / industry
    first: date | None = None
    last: date | None = None
    title: Msg = field(default_factory=lambda: Msg("tg.drill.title"))
    summary: list[Msg] = field(default_factory=list)
    rows: list[DrillRow] = field(default_factory=list)
    visits: list[DrillRow] = field(default_factory=list)

    def load(self) -> None:
        self.names = customer_names(self.store, self.org_id)
        self.rows, self.visits, self.summary = [], [], []
        if self.kind in ("stock", "increment", "business"):
            snap = next((s for s in load_snapshots(self.store) if s.record_id == self.ref), None)
            if snap is not None:
                getattr(self, f"_{self.kind}")(snap)
        elif self.kind in ("store", "district"):
            self._cells()
        elif self.kind == "industry":
            self._industry()

    def name(self, customer_id: str) -> str:
        return self.names.get(customer_id, customer_id)

    # -- snapshots ---------------------------------------------------------------------------
    def _stock(self, snap: Snapshot) -> None:
        s = snap.stock
        self.title = Msg("tg.drill.stock", {"rep": snap.rep_name, "period": snap.period_key})
        start, end = as_date(s.get("window_start")), as_date(s.get("window_end"))
        self.summary = [
            Msg(
                "tg.stock.window",
                {"start": s.get("window_start", ""), "end": s.get("window_end", "")},
            ),
            Msg(
                "tg.stock.customers",
                {
                    "n": int(s.get("existing_customers") or 0),
                    "other": int(s.get("other_customers") or 0),
                },
            ),
        ]
        target = float(s.get("target") or 0)
        ids = []
        for c in sorted(
            s.get("customers") or [], key=lambda c: (c.get("frequency", 0), c.get("customer_id"))
        ):
            cid, freq = str(c.get("customer_id")), int(c.get("frequency") or 0)
            ids.append(cid)
            self.rows.append(
                DrillRow(
                    self.name(cid),
                    Msg("tg.drill.freq", {"n": freq}),
                    "bad" if freq < target else "",
                )
            )
        self.visits = self._visit_rows(set(ids), start, end, None)

    def _increment(self, snap: Snapshot) -> None:
        p = snap.increment
        self.title = Msg("tg.drill.increment", {"rep": snap.rep_name, "period": snap.period_key})
        self.summary = [Msg("tg.as_of", {"day": p.get("as_of", "")})]
        ids, first = [], None
        for c in sorted(p.get("cases") or [], key=lambda c: -int(c.get("days") or 0)):
            cid = str(c.get("customer_id"))
            ids.append(cid)
            visit_on = as_date(c.get("first_visit_on"))
            first = visit_on if first is None or (visit_on and visit_on < first) else first
            key = "tg.drill.case_closed" if c.get("first_order_on") else "tg.drill.case_open"
            args = {
                "industry": c.get("industry", ""),
                "visit": c.get("first_visit_on", ""),
                "order": c.get("first_order_on") or "",
                "days": int(c.get("days") or 0),
            }
            flag = "bad" if c.get("overdue") else ""
            self.rows.append(DrillRow(self.name(cid), Msg(key, args), flag))
        self.visits = self._visit_rows(set(ids), first, as_date(p.get("as_of")), None)

    def _business(self, snap: Snapshot) -> None:
        b = snap.business
        self.title = Msg("tg.drill.business", {"rep": snap.rep_name, "period": snap.period_key})
        self.summary = [
            Msg("tg.drill.period", {"start": b.get("start", ""), "end": b.get("end", "")}),
            Msg(
                "tg.drill.touch",
                {
                    "n": b.get("effective_touchpoints", 0),
                    "inq": b.get("inquiries", 0),
                    "visits": b.get("real_visits", 0),
                    "prop": b.get("proposals", 0),
                },
            ),
            Msg(
                "tg.drill.explicit",
                {"n": b.get("explicit_visits", 0), "of": b.get("real_visits", 0)},
            ),
            Msg("tg.drill.real", {"n": b.get("real_visits", 0), "of": b.get("all_visits", 0)}),
        ]
        for cid, depth in b.get("accounts") or []:
            self.rows.append(
                DrillRow(
                    self.name(str(cid)),
                    Msg("tg.drill.depth", {"n": depth}),
                    "warn" if not depth else "",
                )
            )
        self.visits = self._visit_rows(
            None, as_date(b.get("start")), as_date(b.get("end")), snap.rep_id
        )

    # -- heat-map cells ----------------------------------------------------------------------
    def _cells(self) -> None:
        first, last = self.first, self.last or self.first
        metrics = [
            m
            for m in load_store_metrics(self.store)
            if (first is None or first <= m.day)
            and (last is None or m.day <= last)
            and (m.customer_id == self.ref if self.kind == "store" else m.district == self.ref)
        ]
        label = metrics[0].store_name if metrics and self.kind == "store" else self.ref
        self.title = Msg(
            "tg.drill.cell", {"name": label, "start": str(first or ""), "end": str(last or "")}
        )
        tot = [
            sum(getattr(m, f) for m in metrics)
            for f in ("visits", "real_visits", "trial_visits", "trial_converted")
        ]
        self.summary = [
            Msg(
                "tg.drill.cell_sum",
                {"visits": tot[0], "real": tot[1], "trials": tot[2], "conv": tot[3]},
            )
        ]
        for m in sorted(metrics, key=lambda m: (m.day, m.store_name)):
            self.rows.append(
                DrillRow(
                    f"{m.store_name} · {m.day.isoformat()}",
                    Msg(
                        "tg.drill.cell_sum",
                        {
                            "visits": m.visits,
                            "real": m.real_visits,
                            "trials": m.trial_visits,
                            "conv": m.trial_converted,
                        },
                    ),
                    "warn" if m.trial_visits and m.trial_converted < m.trial_visits else "",
                )
            )
        self.visits = self._visit_rows({m.customer_id for m in metrics}, first, last, None)

    def _industry(self) -> None:
        self.title = Msg("tg.drill.industry", {"industry": self.ref})
        for snap in latest_by_rep(load_snapshots(self.store), "week").values():
            for c in snap.increment.get("cases") or []:
                if c.get("industry") != self.ref:
                    continue
                key = "tg.drill.case_closed" if c.get("first_order_on") else "tg.drill.case_open"
                args: dict[str, Any] = {
                    "industry": f"{snap.rep_name}",
                    "visit": c.get("first_visit_on", ""),
                    "order": c.get("first_order_on") or "",
                    "days": int(c.get("days") or 0),
                }
                self.rows.append(
                    DrillRow(
                        self.name(str(c.get("customer_id"))),
                        Msg(key, args),
                        "bad" if c.get("overdue") else "",
                    )
                )

    # -- visits on the device ------------------------------------------------------------------
    def _visit_rows(
        self, customers: set[str] | None, first: date | None, last: date | None, rep_id: str | None
    ) -> list[DrillRow]:
        zone = org_zone(self.store, self.org_id)
        sops = {**default_sop_templates(), **self.store.get_sops(self.org_id)}
        since = datetime.combine(first - timedelta(days=1), time(), zone) if first else None
        out = []
        for sv in self.store.list_visits(rep_id=rep_id, since=since, limit=5000):
            v = sv.visit
            if customers is not None and v.customer_id not in customers:
                continue
            day = local_day(v.device_time, zone)
            if (first and day < first) or (last and day > last):
                continue
            state = (
                "tg.drill.voided"
                if sv.voided
                else ("tg.drill.counts" if sv.report.counts else "tg.drill.not_counts")
            )
            out.append(
                DrillRow(
                    f"{self.name(v.customer_id)} · {day.isoformat()}",
                    Msg(
                        "tg.drill.visit",
                        {"action": _label(sops, v.action_type), "state": Msg(state)},
                    ),
                    "bad" if sv.voided or not sv.report.counts else "",
                    visit_id=v.id,
                )
            )
        return out
