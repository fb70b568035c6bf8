"""The customer list: search by name, pinyin initials or address; filter; sort by distance.

The whole organisation's customer list is read once into an in-memory index with each name's
pinyin initials precomputed, so a keystroke is a scan of plain strings (no pypinyin call).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pypinyin import Style, lazy_pinyin

from client import clock
from client.localdb.store import LocalStore
from shared.customers import Customer
from shared.geo import distance_m, to_wgs84
from shared.visits import GpsFix

MAX_CUSTOMERS = 100_000
MAX_ROWS = 200


def pinyin_initials(name: str) -> str:
    """'南山路店' -> 'nsld'; letters and digits in the name are kept as they are."""
    parts = lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")
    return "".join(p[:1] if p.isascii() and p.isalpha() else p for p in parts).lower()


@dataclass(frozen=True)
class IndexedCustomer:
    customer: Customer
    name_lower: str
    address_lower: str
    initials: str
    lat: float  # WGS-84
    lon: float


@dataclass(frozen=True)
class CustomerRow:
    customer: Customer
    distance_m: float | None
    visited_today: bool


def index_customers(customers: list[Customer]) -> list[IndexedCustomer]:
    out = []
    for c in customers:
        lat, lon = to_wgs84(c.lat, c.lon, c.coord_system)
        out.append(
            IndexedCustomer(c, c.name.lower(), c.address.lower(), pinyin_initials(c.name), lat, lon)
        )
    return out


def start_of_day(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def start_of_week(now: datetime) -> datetime:
    return start_of_day(now) - timedelta(days=now.weekday())


@dataclass
class CustomerListVM:
    store: LocalStore
    org_id: str
    now: Callable[[], datetime] = clock.wall_now
    search: str = ""
    district: str = ""
    grade: str = ""
    sort_by_distance: bool = False
    fix: GpsFix | None = None
    index: list[IndexedCustomer] = field(default_factory=list)
    visited_today: set[str] = field(default_factory=set)
    rows: list[CustomerRow] = field(default_factory=list)
    total: int = 0

    def load(self) -> None:
        """(Re)read customers and today's visits from the store, then refresh the rows."""
        self.index = index_customers(self.store.list_customers(self.org_id, limit=MAX_CUSTOMERS))
        self.reload_visits()

    def reload_visits(self) -> None:
        tz = self.store.get_settings(self.org_id).tz
        since = start_of_day(self.now().astimezone(tz))
        self.visited_today = {
            sv.visit.customer_id
            for sv in self.store.list_visits(since=since, limit=5000)
            if not sv.voided
        }
        self.refresh()

    @property
    def districts(self) -> list[str]:
        return sorted({i.customer.district for i in self.index if i.customer.district})

    @property
    def grades(self) -> list[str]:
        return sorted({i.customer.grade for i in self.index if i.customer.grade})

    def set_search(self, text: str) -> None:
        self.search = text
        self.refresh()

    def set_filters(self, *, district: str | None = None, grade: str | None = None) -> None:
        if district is not None:
            self.district = district
        if grade is not None:
            self.grade = grade
        self.refresh()

    def set_fix(self, fix: GpsFix | None) -> None:
        self.fix = fix
        self.refresh()

    def set_sort_by_distance(self, on: bool) -> None:
        self.sort_by_distance = on
        self.refresh()

    def _matches(self, item: IndexedCustomer, term: str) -> bool:
        if not term:
            return True
        return term in item.name_lower or term in item.address_lower or term in item.initials

    def refresh(self) -> None:
        term = self.search.strip().lower()
        found = [
            i
            for i in self.index
            if (not self.district or i.customer.district == self.district)
            and (not self.grade or i.customer.grade == self.grade)
            and self._matches(i, term)
        ]
        if term:  # names starting with the term (or its initials) first
            found.sort(
                key=lambda i: not (i.name_lower.startswith(term) or i.initials.startswith(term))
            )
        fix = self.fix
        rows = [
            CustomerRow(
                i.customer,
                distance_m(fix.lat, fix.lon, i.lat, i.lon) if fix is not None else None,
                i.customer.id in self.visited_today,
            )
            for i in found
        ]
        if self.sort_by_distance and fix is not None:
            rows.sort(key=lambda r: r.distance_m or 0.0)
        self.total = len(rows)
        self.rows = rows[:MAX_ROWS]


def distance_text(metres: float | None) -> tuple[str, dict[str, str]] | None:
    """The catalogue key and args for a distance ('312 m', '4.2 km')."""
    if metres is None:
        return None
    if metres < 1000:
        return "cust.distance_m", {"m": f"{metres:.0f}"}
    return "cust.distance", {"km": f"{metres / 1000:.1f}"}
