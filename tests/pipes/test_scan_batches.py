"""How a spread scan groups its files into chunks (no database)."""

from __future__ import annotations

from scanapp.pipes import scan_chunks


def test_batches_are_of_equal_cost_the_costliest_first():
    files = [(1, 10), (2, 300), (3, 0), (4, 290), (5, 20), (6, 30), (7, 0), (8, 5)]
    # 6 costly files in batches of 2: 3 batches of a share of 655 / 3 each at most.
    assert scan_chunks.batches_by_cost(files, 2) == [[2], [4], [6, 5], [1, 8], [3, 7]]
    assert scan_chunks.batches_by_cost([(1, 0), (2, 0)], 2) == [[1, 2]]
    assert scan_chunks.batches_by_cost([], 2) == []
