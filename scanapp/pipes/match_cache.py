"""The license-match cache: the toolkit's ranking of rules for a query run, stored by its tokens.

scancode-toolkit's license detection spends most of its time ranking every rule of the index
against each query run of a file (``licensedcode.match_set.compute_candidates``: about 50 ms a
run, whatever the run's length; 19 of the 20 s of license detection in the files flask 3.1.0
changed from 3.0.3). The ranking is a function of the run's matchable tokens (as a multiset),
the index and the ranking's parameters only, so a run whose tokens were ranked before (the
unchanged parts of a changed file, a header repeated in many files) takes the stored ranking
instead: the same candidates, rebuilt as the toolkit makes them (rule id, score vectors, the
set of high tokens in common), so the matching that follows and its results are unchanged.

The cache sits below the scan cache (``scanapp.pipes.scan_cache``): a file whose content was
scanned before is not detected again at all; a file that changed is detected again, with the
ranking of its unchanged runs from here. Entries live in the project database beside the scan
cache's (shared by every worker and host), are on and off with it (``SCANAPP_SCAN_CACHE``), and
are keyed by the index's fingerprint, so a new toolkit or license index never reads old ones.

In a scan process, ``install`` wraps the toolkit's function (it has no hook for this: it is
called through its module, ``licensedcode.index`` -> ``match_set.compute_candidates``); the
process looks keys up in its own memory, then in the database, and ``take`` hands the new
entries and the counts to the parent, which stores them with its next batch (``record``).
"""

from __future__ import annotations

import hashlib
from array import array
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from scanapp import toolkit_version
from scanapp.db import dialect_insert, get_engine, session_scope
from scanapp.models import MatchCacheEntry, utcnow
from scanapp.pipes import chunked, scan_cache

#: Bump when what is stored for a ranking changes.
FORMAT = 1
#: Rankings kept in a scan process's memory (a few hundred bytes each).
MEMORY_ENTRIES = 20_000
#: The counters of ``scancachecounter`` this cache adds to.
HITS, MISSES = "match_hits", "match_misses"


@dataclass
class Taken:
    """What a scan process ranked since the last ``take``: new entries, keys hit, misses."""

    entries: dict[str, list] = field(default_factory=dict)
    hits: list[str] = field(default_factory=list)
    misses: int = 0

    def __bool__(self) -> bool:
        """Tell whether there is anything to store or count."""
        return bool(self.entries or self.hits or self.misses)

    def add(self, other: Taken) -> None:
        """Add another process's ``Taken`` to this one."""
        self.entries.update(other.entries)
        self.hits.extend(other.hits)
        self.misses += other.misses


@dataclass
class _Installed:
    index: Any
    fingerprint: str
    original: Any
    memory: OrderedDict = field(default_factory=OrderedDict)
    taken: Taken = field(default_factory=Taken)


_installed: _Installed | None = None


def index_fingerprint(index) -> str:
    """Return a digest of the license index: toolkit version, rules in order, dictionary size."""
    digest = hashlib.sha256(f"{FORMAT}|{toolkit_version()}|{len(index.dictionary)}".encode())
    for rule in index.rules_by_rid:
        digest.update(f"|{rule.identifier}:{rule.length}:{rule.relevance}".encode())
    return digest.hexdigest()


def install() -> None:
    """Serve the toolkit's rule ranking from the cache in this process (a scan process)."""
    global _installed
    if _installed is not None:
        return
    from licensedcode import match_set
    from licensedcode.cache import get_index

    index = get_index()
    _installed = _Installed(index, index_fingerprint(index), match_set.compute_candidates)
    match_set.compute_candidates = _ranked


def uninstall() -> None:
    """Put the toolkit's own function back (tests)."""
    global _installed
    if _installed is None:
        return
    from licensedcode import match_set

    match_set.compute_candidates = _installed.original
    _installed = None


def take() -> Taken | None:
    """Return what was ranked since the last call (None when not installed), and reset it."""
    if _installed is None:
        return None
    taken, _installed.taken = _installed.taken, Taken()
    return taken


def _ranked(query_run, idx, matchable_rids, top=50, high_resemblance=False,
            high_resemblance_threshold=0.8, _use_bigrams=False):
    """``compute_candidates`` with its result looked up first (same arguments, same result).

    Reached only while installed: the toolkit calls it through ``match_set``.
    """
    state = _installed
    arguments = (query_run, idx, matchable_rids, top, high_resemblance,
                 high_resemblance_threshold, _use_bigrams)
    if (_use_bigrams or idx is not state.index
            or matchable_rids is not idx.approx_matchable_rids):
        # Only the index's own ranking is keyed (bigram multisets depend on the token order).
        return state.original(*arguments)
    tokens = array("i", sorted(tid for tid in query_run.matchable_tokens() if tid != -1))
    key = hashlib.sha256(
        f"{state.fingerprint}|{top}|{high_resemblance}|{high_resemblance_threshold}|".encode()
        + tokens.tobytes()
    ).hexdigest()
    stored = state.memory.get(key)
    if stored is None:
        stored = _fetch(key)
    if stored is not None:
        state.taken.hits.append(key)
        _remember(state, key, stored)
        return decode(stored, idx)
    candidates = state.original(*arguments)
    stored = encode(candidates)
    state.taken.misses += 1
    state.taken.entries[key] = stored
    _remember(state, key, stored)
    return candidates


def _remember(state: _Installed, key: str, stored: list) -> None:
    state.memory[key] = stored
    state.memory.move_to_end(key)
    if len(state.memory) > MEMORY_ENTRIES:
        state.memory.popitem(last=False)


def _fetch(key: str) -> list | None:
    """Return the stored ranking of ``key``, None when absent or the database cannot answer.

    A lookup that fails is a miss: the cache never fails a scan.
    """
    statement = sa.select(MatchCacheEntry.candidates).where(MatchCacheEntry.key == key)
    try:
        with get_engine().connect() as connection:
            return connection.execute(statement).scalar()
    except sa.exc.SQLAlchemyError:
        return None


def encode(candidates: list) -> list:
    """Return the candidates as JSON data: [score vector, score vector, rule id, tokens]."""
    return [[list(first), list(second), rid, list(high_tokens)]
            for (first, second), rid, _rule, high_tokens in candidates]


def decode(stored: list, idx) -> list:
    """Return candidates as ``compute_candidates`` makes them from what ``encode`` returned."""
    from intbitset import intbitset
    from licensedcode.match_set import ScoresVector

    return [((ScoresVector(*first), ScoresVector(*second)), rid, idx.rules_by_rid[rid],
             intbitset(high_tokens))
            for first, second, rid, high_tokens in stored]


def record(taken: Taken) -> None:
    """Store new entries (a key already there is left alone) and count the hits and misses."""
    now = utcnow()
    table = MatchCacheEntry.__table__
    with session_scope() as session:
        if taken.entries:
            rows = [{"key": key, "candidates": value, "created_date": now, "last_used_date": now}
                    for key, value in taken.entries.items()]
            session.execute(
                dialect_insert(session, table).on_conflict_do_nothing(index_elements=["key"]),
                rows,
            )
        hits = sorted(set(taken.hits))
        for batch in chunked(hits, 500):
            session.execute(
                sa.update(table).where(table.c.key.in_(batch)).values(last_used_date=now)
            )
        scan_cache.add_to_counters(session, {HITS: len(taken.hits), MISSES: taken.misses})
