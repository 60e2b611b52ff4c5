"""The scan cache's store on SQLite and PostgreSQL: lookups, first writer wins, counters."""

from __future__ import annotations

import pytest

from scanapp.pipes import scan_cache
from scanapp.services.scan_cache import cache_stats, clear_cache

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def test_stored_values_are_found_by_key(settings):
    assert scan_cache.lookup(["a" * 64]) == {}
    scan_cache.record({"a" * 64: {"copyrights": [{"copyright": "(c) A"}]}}, {}, misses=1)
    assert scan_cache.lookup(["a" * 64, "b" * 64]) == {
        "a" * 64: {"copyrights": [{"copyright": "(c) A"}]}}


def test_a_key_stored_twice_keeps_the_first_values(settings):
    scan_cache.record({"k" * 64: {"emails": [1]}}, {}, misses=1)
    scan_cache.record({"k" * 64: {"emails": [2]}}, {}, misses=1)  # another worker, same file
    assert scan_cache.lookup(["k" * 64]) == {"k" * 64: {"emails": [1]}}
    assert cache_stats()["entries"] == 1


def test_hits_and_misses_are_counted_until_cleared(settings):
    scan_cache.record({"h" * 64: {"urls": []}}, {}, misses=3)
    scan_cache.record({}, {"h" * 64: 2}, misses=0)
    scan_cache.record({}, {"h" * 64: 1}, misses=1)
    figures = cache_stats()
    assert (figures["entries"], figures["hits"], figures["misses"]) == (1, 3, 4)
    assert figures["size"] == len('{"urls": []}')
    assert clear_cache(older_than_days=1) == (0, 0) and cache_stats()["misses"] == 4
    assert clear_cache() == (1, 0)
    assert cache_stats() == {"entries": 0, "size": 0, "hits": 0, "misses": 0,
                             "match_entries": 0, "match_hits": 0, "match_misses": 0}
