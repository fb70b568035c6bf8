"""Similar issues: tickets in the same impact scope from the last 30 days, ranked.

Method (docs/tickets.md, "Similar issues"):
1. Candidates by scope and date first: the new ticket's impact scope picks the bucket (same
   customer / same province+district / same province / same country); every bucket has an
   inverted index (token → postings sorted by report time, built on the bucket's first lookup,
   then kept up to date), and a binary search slices each posting list to the window
   ``[now − 30 days, now]``. Only candidates sharing a token or the problem type are scored.
2. Each candidate gets ``score = 0.5·cause + 0.4·text + 0.1·recency`` where
   cause = 1.0 same root-cause node, 0.6 same cause family (level-2 ancestor), 0.3 same problem
   type, 0 otherwise; text = cosine of the binary token sets of ticket text + OCR summary
   (|A∩B| / √(|A|·|B|)); recency = 1 − age / window.
3. A candidate is shown if cause > 0 or text ≥ 0.2; ties broken by newer first, then id.

Tokens: Chinese (any CJK run) as overlapping character bigrams — the CJK analyzer of Lucene /
Elasticsearch — plus Latin words and numbers, after NFKC and lower-casing. Pure Python, no
dictionary, so it runs on the device too and knows domain terms (集采, 医保, 带量) that a word
segmenter's dictionary lacks. ``tokenizer`` is pluggable if the server wants words as well.
"""

from __future__ import annotations

import heapq
import math
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from shared.tickets.model import ImpactScope, Ticket
from shared.tickets.rootcause import Relation, RootCauseTree

W_CAUSE, W_TEXT, W_RECENCY = 0.5, 0.4, 0.1
CAUSE_SCORE = {
    Relation.SAME_NODE: 1.0,
    Relation.SAME_PARENT: 0.6,
    Relation.SAME_TYPE: 0.3,
    Relation.NONE: 0.0,
}
MIN_TEXT = 0.2

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN = re.compile(rf"[{_CJK}]+|[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+(?:\.[0-9]+)?")
_CJK_RUN = re.compile(rf"[{_CJK}]")


def tokenize(text: str) -> frozenset[str]:
    """CJK runs → overlapping character bigrams (a lone character stays a unigram);
    Latin words and numbers → lower-cased, split at case and letter/digit changes because OCR
    often drops spaces ("ModelXR-200" → model, xr, 200); single letters dropped."""
    norm = unicodedata.normalize("NFKC", text)
    out: set[str] = set()
    for found in _RUN.findall(norm):
        run = found.lower()
        if _CJK_RUN.match(run):
            if len(run) == 1:
                out.add(run)
            else:
                out.update(run[i : i + 2] for i in range(len(run) - 1))
        elif len(run) > 1 or run.isdigit():
            out.add(run)
    return frozenset(out)


def text_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


@dataclass(frozen=True, slots=True, eq=False)
class Digest:
    """What the index keeps of a ticket (hashed by identity: cheap in sets and counters)."""

    id: str
    reported_ts: float
    customer_id: str
    district: str
    province: str
    country: str
    problem_type: str
    root_cause_id: str | None
    family_id: str | None  # level-2 ancestor of the root cause
    tokens: frozenset[str]


Tokenizer = Callable[[str], frozenset[str]]


def digest(ticket: Ticket, tree: RootCauseTree, tokenizer: Tokenizer = tokenize) -> Digest:
    family = None
    if ticket.root_cause_id is not None:
        try:
            path = tree.path(ticket.root_cause_id)
        except Exception:  # a node since removed from the tree: keep the id, no family
            path = []
        family = path[1].id if len(path) > 1 else None
    sc = ticket.scenario
    return Digest(
        id=ticket.id,
        reported_ts=ticket.reported_at.timestamp(),
        customer_id=sc.customer_id or "",
        district=sc.district,
        province=sc.province,
        country=sc.country,
        problem_type=ticket.problem_type.value,
        root_cause_id=ticket.root_cause_id,
        family_id=family,
        tokens=tokenizer(f"{ticket.text}\n{ticket.ocr_summary}"),
    )


def relation(a: Digest, b: Digest) -> Relation:
    if a.problem_type != b.problem_type:
        return Relation.NONE
    if a.root_cause_id is not None and a.root_cause_id == b.root_cause_id:
        return Relation.SAME_NODE
    if a.family_id is not None and a.family_id == b.family_id:
        return Relation.SAME_PARENT
    return Relation.SAME_TYPE


def scope_key(d: Digest, scope: ImpactScope) -> tuple[str, ...] | None:
    if scope is ImpactScope.CUSTOMER:
        return ("c", d.customer_id) if d.customer_id else None
    if scope is ImpactScope.DISTRICT:
        return ("d", d.country, d.province, d.district) if d.district else None
    if scope is ImpactScope.PROVINCE:
        return ("p", d.country, d.province) if d.province else None
    return ("n", d.country)


class SimilarMatch(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    ticket_id: str
    score: float
    cause: Relation
    text: float
    age_days: float


class _Postings:
    """One token's postings in a bucket: digests sorted by report time, with their times."""

    __slots__ = ("digests", "times")

    def __init__(self) -> None:
        self.times: list[float] = []
        self.digests: list[Digest] = []

    def insert(self, d: Digest) -> None:
        if not self.times or d.reported_ts >= self.times[-1]:
            self.times.append(d.reported_ts)
            self.digests.append(d)
        else:  # an offline report older than the newest one: keep the order
            i = bisect_right(self.times, d.reported_ts)
            self.times.insert(i, d.reported_ts)
            self.digests.insert(i, d)

    def window(self, lo: float, hi: float) -> list[Digest]:
        return self.digests[bisect_left(self.times, lo) : bisect_right(self.times, hi)]


def _keys(d: Digest) -> Iterable[str]:
    """Text tokens plus pseudo-tokens for the root-cause relation (\x00 never occurs in text)."""
    yield from d.tokens
    yield "\x00t:" + d.problem_type
    if d.family_id is not None:
        yield "\x00f:" + d.family_id
    if d.root_cause_id is not None:
        yield "\x00n:" + d.root_cause_id


class _Bucket:
    """All digests of one scope value, sorted by time, and an inverted index built on the
    first lookup (then kept up to date): token → postings sorted by time."""

    __slots__ = ("all", "index")

    def __init__(self) -> None:
        self.all = _Postings()
        self.index: dict[str, _Postings] | None = None

    def insert(self, d: Digest) -> None:
        self.all.insert(d)
        if self.index is not None:
            for key in _keys(d):
                self.index.setdefault(key, _Postings()).insert(d)

    def inverted(self) -> dict[str, _Postings]:
        if self.index is None:
            index: dict[str, _Postings] = {}
            for d in self.all.digests:
                for key in _keys(d):
                    index.setdefault(key, _Postings()).insert(d)
            self.index = index
        return self.index


class SimilarIndex:
    """In-memory index of an organisation's tickets, bucketed by every scope."""

    def __init__(
        self,
        tree: RootCauseTree,
        *,
        window_days: int = 30,
        tokenizer: Tokenizer = tokenize,
    ) -> None:
        self.tree = tree
        self.window = timedelta(days=window_days)
        self.tokenizer = tokenizer
        self._current: dict[str, Digest] = {}
        self._replaced = 0
        self._buckets: dict[tuple[str, ...], _Bucket] = {}

    def __len__(self) -> int:
        return len(self._current)

    def add(self, ticket: Ticket) -> None:
        self.add_digest(digest(ticket, self.tree, self.tokenizer))

    def add_digest(self, d: Digest) -> None:
        """Add or replace (by id); a replaced digest stays in the lists and is skipped."""
        if d.id in self._current:
            self._replaced += 1
        self._current[d.id] = d
        for scope in ImpactScope:
            key = scope_key(d, scope)
            if key is not None:
                self._buckets.setdefault(key, _Bucket()).insert(d)

    def add_many(self, digests: Iterable[Digest]) -> None:
        """Bulk load: sorted once, so every insert is an append."""
        for d in sorted(digests, key=lambda d: d.reported_ts):
            self.add_digest(d)

    def _bucket_window(
        self, query: Digest, scope: ImpactScope, now: datetime
    ) -> tuple[_Bucket | None, float, float]:
        key = scope_key(query, scope)
        bucket = self._buckets.get(key) if key is not None else None
        hi = now.timestamp()
        return bucket, hi - self.window.total_seconds(), hi

    def _live(self, d: Digest, query: Digest) -> bool:
        return d.id != query.id and (not self._replaced or self._current.get(d.id) is d)

    def candidates(self, query: Digest, scope: ImpactScope, now: datetime) -> list[Digest]:
        """Every ticket in the query's scope and window (what the ranking may show)."""
        bucket, lo, hi = self._bucket_window(query, scope, now)
        if bucket is None:
            return []
        return [d for d in bucket.all.window(lo, hi) if self._live(d, query)]

    def lookup(
        self, ticket: Ticket, *, now: datetime | None = None, limit: int = 10
    ) -> list[SimilarMatch]:
        query = digest(ticket, self.tree, self.tokenizer)
        return self.lookup_digest(query, ticket.impact_scope, now or ticket.reported_at, limit)

    def lookup_digest(
        self, query: Digest, scope: ImpactScope, now: datetime, limit: int = 10
    ) -> list[SimilarMatch]:
        """Only candidates sharing a token or the problem type are touched: the postings of
        the query's tokens, sliced to the window, are counted (shared tokens per candidate)."""
        bucket, lo, hi = self._bucket_window(query, scope, now)
        if bucket is None:
            return []
        index = bucket.inverted()
        shared: Counter[Digest] = Counter()
        for token in query.tokens:
            postings = index.get(token)
            if postings is not None:
                shared.update(postings.window(lo, hi))

        def window_set(key: str | None) -> set[Digest]:
            postings = index.get(key) if key is not None else None
            return set(postings.window(lo, hi)) if postings is not None else set()

        same_type = window_set("\x00t:" + query.problem_type)
        same_family = window_set(query.family_id and "\x00f:" + query.family_id)
        same_node = window_set(query.root_cause_id and "\x00n:" + query.root_cause_id)
        q_norm = math.sqrt(len(query.tokens)) or 1.0
        window_s = hi - lo
        scored: list[tuple[float, float, str, Relation, float]] = []
        for d in same_type.union(shared):
            if not self._live(d, query):
                continue
            if d in same_node:
                rel = Relation.SAME_NODE
            elif d in same_family:
                rel = Relation.SAME_PARENT
            elif d in same_type:
                rel = Relation.SAME_TYPE
            else:
                rel = Relation.NONE
            n = shared.get(d, 0)
            text = n / (q_norm * math.sqrt(len(d.tokens))) if n else 0.0
            if rel is Relation.NONE and text < MIN_TEXT:
                continue
            recency = 1.0 - max(hi - d.reported_ts, 0.0) / window_s
            score = W_CAUSE * CAUSE_SCORE[rel] + W_TEXT * text + W_RECENCY * recency
            scored.append((score, d.reported_ts, d.id, rel, text))
        best = heapq.nsmallest(limit, scored, key=lambda s: (-s[0], -s[1], s[2]))
        return [
            SimilarMatch(
                ticket_id=i,
                score=round(sc, 6),
                cause=rel,
                text=round(tx, 6),
                age_days=round((hi - ts) / 86400.0, 4),
            )
            for sc, ts, i, rel, tx in best
        ]


def find_similar(
    ticket: Ticket,
    others: Iterable[Ticket],
    tree: RootCauseTree,
    *,
    now: datetime | None = None,
    window_days: int = 30,
    limit: int = 10,
) -> list[SimilarMatch]:
    """One-off lookup (the device over its synced tickets, or tests)."""
    index = SimilarIndex(tree, window_days=window_days)
    index.add_many(digest(t, tree) for t in others)
    return index.lookup(ticket, now=now, limit=limit)
