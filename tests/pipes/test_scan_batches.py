"""How a spread scan groups its files into chunks (no database)."""

from __future__ import annotations

from scanapp.pipes import scan_chunks


def test_batches_are_of_equal_cost_the_costliest_first():
    files = [(1, 10), (2, 300), (3, 0), (4, 290), (5, 20), (6, 30), (7, 0), (8, 5)]
    # 6 costly files in batches of 2: 3 batches of a share of 655 / 3 each at most.
    assert scan_chunks.batches_by_cost(files, 2) == [[2], [4], [6, 5], [1, 8], [3, 7]]
    assert scan_chunks.batches_by_cost([(1, 0), (2, 0)], 2) == [[1, 2]]
    assert scan_chunks.batches_by_cost([], 2) == []


def test_a_few_files_left_to_scan_are_still_cut_in_several_batches():
    files = [(number, 1000 + number) for number in range(1, 13)] + [(99, 0)]
    batches = scan_chunks.batches_by_cost(files, 20)
    # 12 files to scan in 8 shares of their cost: 6 pairs, each over a share; the cached one.
    assert [len(batch) for batch in batches] == [2] * 6 + [1]
    assert sorted(sum(batches[:-1], [])) == list(range(1, 13)) and batches[-1] == [99]
    assert len(scan_chunks.batches_by_cost([(1, 5), (2, 5)], 20)) == 2  # one file each
