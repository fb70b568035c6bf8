"""The customer list: search by name, pinyin initials or address; filter; sort by distance.

The whole organisation's customer list is read once into an in-memory index with each name's
pinyin initials precomputed, so a keystroke is a scan of plain strings (no pypinyin call).
Building that index is the expensive part of the first screen, so (bench/bench_app.py):

- initials are computed per *word* of pypinyin's own segmentation and memoised — customer names
  share brand, street and shop-kind words (10,000 names: ~0.3 s instead of ~2.5 s);
- the initials of every name are kept in the store's meta (``INITIALS_META_KEY``), so a later
  start reads them instead of computing them; a stale or foreign cache is simply recomputed;
- ``load()`` reuses the entries of customers that did not change since the last load;
- a search that extends the previous one (typing) scans only the previous matches;
- the list is built from ``CustomerSummary`` rows (a SQL projection of the fields shown, no
  pydantic), and "visited today" from one indexed query (``customers_visited_since``), both read
  without SQLAlchemy (``client.localdb.reader``);
- a customer's WGS-84 position is worked out when a distance is first measured (sorting by
  distance), not for every customer at load; ``shared.geo`` (pyproj) and the pydantic models are
  imported then, not to draw the first screen.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property, lru_cache
from importlib import metadata
from typing import TYPE_CHECKING, Any, TypeAlias

from client import clock
from client.localdb.reader import CustomerSummary
from client.localdb.store import LocalStore
from shared.errors import StorageError

if TYPE_CHECKING:
    from shared.customers import Customer
    from shared.visits import GpsFix

MAX_CUSTOMERS = 100_000
MAX_ROWS = 50  # rows built and sent; the count shows the total (search narrows it down)
INITIALS_META_KEY = "cache.pinyin_initials"
SEP = "\x00"  # between the fields of a search haystack: no term can span two fields


def _pypinyin_version() -> str:
    try:
        return metadata.version("pypinyin")
    except metadata.PackageNotFoundError:
        return "unknown"


INITIALS_VERSION = f"1/{_pypinyin_version()}"  # bump the first part when the rule changes


@lru_cache(maxsize=1)
def _pinyin() -> Any:
    """pypinyin, imported on first use: loading its dictionaries takes ~0.5 s, which a start
    with every name's initials already cached does not pay."""
    from pypinyin.core import Pinyin

    return Pinyin()


@lru_cache(maxsize=65_536)
def _word_initials(word: str) -> str:
    from pypinyin import Style

    parts = _pinyin().lazy_pinyin(word, style=Style.FIRST_LETTER, errors="default")
    return "".join(p[:1] if p.isascii() and p.isalpha() else p for p in parts).lower()


def pinyin_initials(name: str) -> str:
    """'南山路店' -> 'nsld'; letters and digits in the name are kept as they are.

    Same result as ``lazy_pinyin(name, FIRST_LETTER)`` (pypinyin's phrase-aware segmentation,
    so 商行 gives 'sh'), computed word by word with a memo."""
    return "".join(_word_initials(w) for w in _pinyin().seg(name))


Listed: TypeAlias = "CustomerSummary | Customer"  # id, name, address, district, grade, lat...


@dataclass(frozen=True)
class IndexedCustomer:
    customer: Listed
    name_lower: str
    address_lower: str
    initials: str
    haystack: str = ""  # name, address and initials, lowercased, SEP-joined

    @cached_property
    def wgs84(self) -> tuple[float, float]:
        """(lat, lon) in WGS-84, the datum of phone GPS: worked out when first measured."""
        from shared.customers import CoordSystem
        from shared.geo import to_wgs84

        c = self.customer
        known = {s.value: s for s in CoordSystem}  # an unknown datum is taken as WGS-84
        return to_wgs84(c.lat, c.lon, known.get(c.coord_system, CoordSystem.WGS84))


@dataclass(frozen=True)
class CustomerRow:
    customer: Listed
    distance_m: float | None
    visited_today: bool


def indexed(c: Listed, initials: str) -> IndexedCustomer:
    name, address = c.name.lower(), c.address.lower()
    haystack = SEP.join((name, address, initials))
    return IndexedCustomer(c, name, address, initials, haystack)


def index_customers(
    customers: list[CustomerSummary] | list[Customer],
    initials: dict[str, str] | None = None,
    previous: dict[str, IndexedCustomer] | None = None,
) -> list[IndexedCustomer]:
    """The search index; ``initials`` (name -> initials) is used and filled in, ``previous``
    entries are reused for customers that did not change."""
    cache = initials if initials is not None else {}
    out = []
    for c in customers:
        old = previous.get(c.id) if previous else None
        if old is not None and old.customer == c:
            out.append(old)
            continue
        ini = cache.get(c.name)
        if ini is None:
            ini = cache[c.name] = pinyin_initials(c.name)
        out.append(indexed(c, ini))
    return out


def load_initials(store: LocalStore) -> dict[str, str]:
    """The initials cache kept in the store's meta; {} if absent, stale or unreadable."""
    try:
        raw = store.get_meta(INITIALS_META_KEY)
        data = json.loads(raw) if raw else {}
    except (StorageError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != INITIALS_VERSION:
        return {}
    names = data.get("names")
    if not isinstance(names, dict):
        return {}
    return {k: v for k, v in names.items() if isinstance(k, str) and isinstance(v, str)}


def save_initials(store: LocalStore, names: dict[str, str]) -> None:
    """Best effort: the cache only saves time; a failed write is recomputed next start."""
    payload = json.dumps({"version": INITIALS_VERSION, "names": names}, ensure_ascii=False)
    with contextlib.suppress(StorageError):
        store.set_meta(INITIALS_META_KEY, payload)


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
    # the last search: its term, filters and matches (a longer term scans only these)
    _last: tuple[str, str, str, list[IndexedCustomer]] | None = field(default=None, repr=False)
    _saving: threading.Thread | None = field(default=None, repr=False)

    def load(self) -> None:
        """(Re)read customers and today's visits from the store, then refresh the rows."""
        customers = self.store.list_customer_summaries(self.org_id, limit=MAX_CUSTOMERS)
        cache = load_initials(self.store)
        known = len(cache)
        previous = {i.customer.id: i for i in self.index}
        self.index = index_customers(customers, cache, previous)
        names = {i.customer.name: i.initials for i in self.index}
        if len(cache) != known or len(names) != known:  # new names, or names gone
            # written off the UI thread: on a device's first start the write would load the
            # store's whole write path before the first screen (docs/app.md "Start-up")
            self._saving = threading.Thread(
                target=save_initials, args=(self.store, names), name="pinyin-cache", daemon=True
            )
            self._saving.start()
        self._last = None
        self.reload_visits()

    def wait_saved(self, timeout: float = 10.0) -> None:
        """Wait for the initials cache written by the last ``load`` (tests, shutdown)."""
        if self._saving is not None:
            self._saving.join(timeout)

    def reload_visits(self) -> None:
        tz = self.store.org_timezone(self.org_id)
        since = start_of_day(self.now().astimezone(tz))
        self.visited_today = self.store.customers_visited_since(since)
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

    def _matching(self, term: str) -> list[IndexedCustomer]:
        """Customers passing the filters whose name, address or initials contain ``term``."""
        district, grade = self.district, self.grade
        last = self._last
        pool = self.index
        if last is not None and last[1:3] == (district, grade) and term.startswith(last[0]):
            pool = last[3]  # typing on: only the previous matches can still match
        elif district or grade:
            pool = [
                i
                for i in pool
                if (not district or i.customer.district == district)
                and (not grade or i.customer.grade == grade)
            ]
        found = [i for i in pool if term in i.haystack] if term else list(pool)
        self._last = (term, district, grade, found)
        return found

    def refresh(self) -> None:
        term = self.search.strip().lower().replace(SEP, "")
        found = self._matching(term)
        if term:  # names starting with the term (or its initials) first
            found = sorted(
                found,
                key=lambda i: not (i.name_lower.startswith(term) or i.initials.startswith(term)),
            )
        fix = self.fix
        by_distance = self.sort_by_distance and fix is not None
        shown = found if by_distance else found[:MAX_ROWS]  # rows are built for what is shown
        rows = [
            CustomerRow(
                i.customer,
                distance_to(fix, i) if fix is not None else None,
                i.customer.id in self.visited_today,
            )
            for i in shown
        ]
        if by_distance:
            rows.sort(key=lambda r: r.distance_m or 0.0)
        self.total = len(found)
        self.rows = rows[:MAX_ROWS]


def distance_to(fix: GpsFix, customer: IndexedCustomer) -> float:
    """Metres from the rep's fix to the customer's store (geodesic, WGS-84)."""
    from shared.geo import distance_m

    return distance_m(fix.lat, fix.lon, *customer.wgs84)


def distance_text(metres: float | None) -> tuple[str, dict[str, str]] | None:
    """The catalogue key and args for a distance ('312 m', '4.2 km')."""
    if metres is None:
        return None
    if metres < 1000:
        return "cust.distance_m", {"m": f"{metres:.0f}"}
    return "cust.distance", {"km": f"{metres / 1000:.1f}"}
