"""Long lists read fast: the length of a filtered list, and where its pages far down start.

Both are kept beside a project's current stored counts (``projectcounts``: ``list_counts``
and ``list_anchors``, see ``scanapp.services.counts``) for the data they were computed on:
a write to the project clears them with the counts (``lifecycle.invalidate_counts``), and
none is kept while a run of the project is running (its counts are not current then).
A list is named by its name and its filters.

Counting a long filtered list reads all its rows from an index: its length is kept once it
is at least ``LIST_COUNT_MIN``. A page far down (``OFFSET``) is found by walking the index
from the start: the sort keys of every ``every``-th row (the anchors) are kept, the first
time a page past ``ANCHOR_EVERY`` rows is asked for, so a page starts from the anchor before
it (``keys >= anchor``) and skips fewer than ``every`` rows.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import sqlalchemy as sa
from sqlmodel import Session, select

from scanapp.db import session_scope
from scanapp.models import StoredCounts

#: Filtered lists at least this long have their length kept (counting them takes a while).
LIST_COUNT_MIN = 10_000
#: Pages starting this far down start from an anchor; anchors are this many rows apart...
ANCHOR_EVERY = 10_000
#: ... or more, so that a list has at most this many anchors.
MAX_ANCHORS = 200
#: A list's anchors are kept when their JSON is this small (long sort keys: not kept).
ANCHORS_MAX_BYTES = 64 * 1024
#: The most lists kept per project, for each of the two (the latest kept).
MAX_LISTS = 32

#: ``seek(statement, offset, count)`` -> the statement from the anchor, and the rows to skip.
Seek = Callable[[object, int, int], tuple[object, int]]


def list_name(key: str, filters: dict) -> str:
    """Return the name a list with these filters is kept under."""
    return json.dumps([key, sorted(filters.items())], default=str)


def _kept(session: Session, project_id: int, column) -> tuple[int, dict] | None:
    """Return (generation, the lists kept in ``column``), None when the counts are not current."""
    row = session.exec(
        select(StoredCounts.generation, StoredCounts.counts, column)
        .where(StoredCounts.project_id == project_id)
    ).first()
    if row is None or row[1] is None:
        return None
    return row[0], dict(row[2] or {})


def _keep(project_id: int, generation: int, column: str, lists: dict) -> None:
    """Store ``lists`` (the latest ``MAX_LISTS``) if the counts are still of ``generation``."""
    table = StoredCounts.__table__
    with session_scope() as session:
        session.execute(
            table.update()
            .where(table.c.project_id == project_id, table.c.generation == generation)
            .values({column: dict(list(lists.items())[-MAX_LISTS:])})
        )


def list_count(session: Session, project_id: int, name: str, count: Callable[[], int],
               keep_from: int = LIST_COUNT_MIN) -> int:
    """Return the length of the list ``name``: kept, or ``count()`` (then kept if long).

    ``keep_from``: the length from which it is kept (a short list costly to count: 0).
    """
    kept = _kept(session, project_id, StoredCounts.list_counts)
    if kept is None:
        return count()
    generation, lists = kept
    if name in lists:
        return lists[name]
    found = count()
    if found >= keep_from:
        lists[name] = found
        _keep(project_id, generation, "list_counts", lists)
    return found


def list_seek(session: Session, project_id: int, name: str, keys: tuple) -> Seek:
    """Return how to reach a page of the list ``name`` sorted on ``keys``.

    ``keys`` are the columns the list is ordered by, which tell its rows apart. The anchors
    are read (or computed and kept) for a page past ``ANCHOR_EVERY`` rows only, and only
    while the project's counts are current.
    """

    def seek(statement, offset: int, count: int):
        if offset < ANCHOR_EVERY:
            return statement, offset
        kept = _kept(session, project_id, StoredCounts.list_anchors)
        if kept is None:
            return statement, offset
        generation, lists = kept
        if name not in lists:
            lists[name] = _anchors(session, statement, keys, count)
            _keep(project_id, generation, "list_anchors", lists)
        every, anchors = lists[name]["every"], lists[name]["keys"]
        index = min(offset // every, len(anchors or ()) - 1)
        if index < 1:
            return statement, offset
        return statement.where(_from(keys, anchors[index])), offset - index * every

    return seek


def _anchors(session: Session, statement, keys: tuple, count: int) -> dict:
    """Return ``{"every": n, "keys": [the keys of rows 0, n, 2n...]}`` (keys None: not kept)."""
    every = max(ANCHOR_EVERY, math.ceil(count / MAX_ANCHORS))
    position = sa.func.row_number().over(order_by=keys).label("position")
    numbered = statement.with_only_columns(*keys, position).order_by(None).subquery()
    columns = list(numbered.c)
    rows = session.execute(
        select(*columns[:-1]).where((columns[-1] - 1) % every == 0).order_by(columns[-1])
    ).all()
    anchors = [list(row) for row in rows]
    plain = all(type(value) in (str, int) for row in anchors for value in row)
    if not plain or len(json.dumps(anchors)) > ANCHORS_MAX_BYTES:
        return {"every": every, "keys": None}
    return {"every": every, "keys": anchors}


def _from(keys: tuple, values: list):
    """Return the condition ``keys >= values`` (in the list's order)."""
    if len(keys) == 1:
        return keys[0] >= values[0]
    bound = [sa.literal(value, type_=key.type) for key, value in zip(keys, values, strict=True)]
    return sa.tuple_(*keys) >= sa.tuple_(*bound)
