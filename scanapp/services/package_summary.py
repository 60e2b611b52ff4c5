"""The package summary: how many times each package was found, by license and alert.

The database's triggers list in ``packagechange`` the identities (type, lower namespace,
lower name) of the packages inserted, deleted or changed; :func:`refresh` recounts those
identities' summary rows from their packages and forgets them. It runs at the end of each
run, after a project's deletion or reset, and before a search or the stats read the
summary; a summary with identities still listed is not read (``is_fresh``).
"""

from __future__ import annotations

import logging
import uuid

import sqlalchemy as sa
from sqlmodel import Session, select

from scanapp.db import session_scope
from scanapp.models import (
    DiscoveredPackage,
    PackageChange,
    PackageSummary,
    PackageSummaryState,
)

log = logging.getLogger(__name__)

#: Identities recounted per statement (an OR of ANDs: SQLite's expression depth is 1,000).
CHUNK = 200
#: Changes forgotten per transaction.
BATCH = 20_000
#: Changes listed beyond which every package is recounted at once: a bulk load or a large
#: deletion (recounting 500,000 packages takes seconds; their identities one by one, minutes).
FULL_RECOUNT = 20_000

SUMMARY_KEY = (PackageSummary.type, PackageSummary.namespace, PackageSummary.name)
#: What tells packages apart: type, namespace and name without case (the indexes' order).
PACKAGE_KEY = (DiscoveredPackage.type, sa.func.lower(DiscoveredPackage.namespace),
               sa.func.lower(DiscoveredPackage.name))
_COUNTED = (DiscoveredPackage.declared_license_expression,
            DiscoveredPackage.declared_license_expression_spdx,
            DiscoveredPackage.compliance_alert)

#: The summary's columns in the order the counting selects them.
_COLUMNS = [*(column.name for column in SUMMARY_KEY), *(column.name for column in _COUNTED),
            "occurrences"]


def any_of(columns, values) -> sa.ColumnElement:
    """Return ``columns`` equal to one of ``values`` (tuples), as an OR of ANDs.

    Not a row-value ``IN``: SQLite reads none of its terms from an index; it does each
    term of an OR.
    """
    return sa.or_(*(sa.and_(*(column == value for column, value in zip(columns, row,
                                                                       strict=True)))
                    for row in values))


def is_fresh(session: Session) -> bool:
    """Tell whether no package changed since the summary was last refreshed."""
    return session.exec(select(PackageChange.id).limit(1)).first() is None


def ensure_fresh() -> bool:
    """Refresh the summary if a package changed; tell whether it is fresh.

    Call it before the session that reads the summary opens (SQLite's reads see the
    database as it was when they began).
    """
    with session_scope() as session:
        if is_fresh(session):
            return True
    return refresh(wait=False) >= 0


def refresh(wait: bool = True) -> int:
    """Recount the identities listed as changed; return how many.

    Refreshes wait on each other (PostgreSQL: a lock on the summary; SQLite has one writer
    at a time). ``wait=False``: give up (return -1) when another refresh holds the lock.
    """
    recounted = 0
    while True:
        with session_scope() as session:
            if not _locked(session, wait):
                return -1
            if _listed_beyond(session, FULL_RECOUNT):
                _advance(session)
                return recounted + _recount_all(session)
            identities = _forget_changes(session)
            for start in range(0, len(identities), CHUNK):
                _recount(session, identities[start:start + CHUNK])
            if identities:
                _advance(session)
        recounted += len(identities)
        if not identities:
            return recounted


def state(session: Session) -> str | None:
    """Return the summary's state token (new each time a refresh changes it), or None."""
    return session.exec(select(PackageSummaryState.token)
                        .where(PackageSummaryState.id == 1)).first()


def _advance(session: Session) -> None:
    """Give the summary a new state token."""
    token = uuid.uuid4().hex
    updated = session.execute(sa.update(PackageSummaryState)
                              .where(PackageSummaryState.id == 1).values(token=token))
    if not updated.rowcount:
        session.add(PackageSummaryState(id=1, token=token))


def _locked(session: Session, wait: bool) -> bool:
    """Take the refreshes' lock (PostgreSQL's; SQLite's writer lock is its own)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    try:
        session.execute(sa.text("LOCK TABLE packagesummary IN SHARE ROW EXCLUSIVE MODE"
                                + ("" if wait else " NOWAIT")))
    except sa.exc.OperationalError:
        return False
    return True


def _listed_beyond(session: Session, limit: int) -> bool:
    return session.exec(select(PackageChange.id).offset(limit).limit(1)).first() is not None


def _recount_all(session: Session) -> int:
    """Forget every listed change, then recount every package; return the identities.

    Forgotten first, as in ``_forget_changes``: a change committed meanwhile stays listed.
    """
    session.execute(sa.delete(PackageChange))
    session.execute(sa.delete(PackageSummary))
    counts = select(*PACKAGE_KEY, *_COUNTED, sa.func.count()).group_by(*PACKAGE_KEY,
                                                                        *_COUNTED)
    session.execute(sa.insert(PackageSummary).from_select(_COLUMNS, counts))
    return session.exec(select(sa.func.count()).select_from(
        select(*SUMMARY_KEY).distinct().subquery())).one()


def refresh_after_run(_run_id: int) -> None:
    """Recount the packages a run found, changed or deleted (and any other change listed)."""
    refresh()


def refresh_quietly() -> None:
    """Refresh, logging a failure (the next search refreshes again)."""
    try:
        refresh()
    except sa.exc.SQLAlchemyError:
        log.exception("Refreshing the package summary failed")


def _forget_changes(session: Session) -> list[tuple]:
    """Delete a batch of listed changes; return their distinct identities.

    Deleted first: a change committed while the identities are recounted stays listed.
    """
    batch = select(PackageChange.id).order_by(PackageChange.id).limit(BATCH)
    rows = session.execute(
        sa.delete(PackageChange).where(PackageChange.id.in_(batch.scalar_subquery()))
        .returning(PackageChange.type, PackageChange.namespace, PackageChange.name)).all()
    return sorted({tuple(row) for row in rows})


def _recount(session: Session, identities: list[tuple]) -> None:
    """Replace the summary rows of ``identities`` by their packages' counts."""
    session.execute(sa.delete(PackageSummary).where(any_of(SUMMARY_KEY, identities)))
    counts = (select(*PACKAGE_KEY, *_COUNTED, sa.func.count())
              .where(any_of(PACKAGE_KEY, identities)).group_by(*PACKAGE_KEY, *_COUNTED))
    session.execute(sa.insert(PackageSummary).from_select(_COLUMNS, counts))
