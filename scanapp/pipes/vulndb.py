"""The local vulnerability database: OSV records loaded from zips or folders, and its figures.

Loading streams: one record read at a time (a zip's members one by one, as osv.dev
publishes an ecosystem: ``https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip``),
written in batches. A record replaces the stored one of its id when its ``modified`` date
is newer; an older or equal one is left as it is.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from scanapp.db import session_scope
from scanapp.models import Vulnerability, VulnerabilityAffected, aware
from scanapp.pipes import osv

#: Records written per transaction.
BATCH = 1_000


@dataclass
class LoadReport:
    """What a load did: records read, added, replaced, left (not newer), refused."""

    read: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    invalid: int = 0

    def as_dict(self) -> dict:
        """Return the figures as a dict."""
        return dict(vars(self))


def iter_documents(path: Path) -> Iterator[tuple[str, bytes]]:
    """Yield (name, JSON bytes) of each record of a zip, a folder or a JSON file."""
    if path.is_dir():
        for member in sorted(path.rglob("*.json")):
            yield str(member), member.read_bytes()
    elif zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if not info.is_dir() and info.filename.endswith(".json"):
                    yield f"{path}:{info.filename}", archive.read(info)
    else:
        yield str(path), path.read_bytes()


def iter_records(paths: Iterable[Path], report: LoadReport) -> Iterator[osv.Record]:
    """Yield the valid records of ``paths``, counting the read and the refused in ``report``."""
    for path in paths:
        for _name, document in iter_documents(Path(path)):
            report.read += 1
            try:
                yield osv.parse(json.loads(document))
            except (ValueError, osv.InvalidRecord):
                report.invalid += 1


def load(paths: Iterable[Path]) -> LoadReport:
    """Load the OSV records of ``paths`` (zips, folders, JSON files); return the figures."""
    report = LoadReport()
    batch: dict[str, osv.Record] = {}
    for record in iter_records(paths, report):
        known = batch.get(record.id)
        if known is not None and known.modified >= record.modified:
            report.unchanged += 1
            continue
        batch[record.id] = record
        if len(batch) >= BATCH:
            _write(batch, report)
            batch = {}
    if batch:
        _write(batch, report)
    return report


def _write(batch: dict[str, osv.Record], report: LoadReport) -> None:
    """Store the batch's records newer than those stored; count what was done."""
    with session_scope() as session:
        stored = dict(session.exec(select(Vulnerability.id, Vulnerability.modified)
                                   .where(Vulnerability.id.in_(list(batch)))).all())
        newer = [record for record in batch.values()
                 if record.id not in stored or aware(stored[record.id]) < record.modified]
        report.unchanged += len(batch) - len(newer)
        replaced = [record.id for record in newer if record.id in stored]
        report.replaced += len(replaced)
        report.added += len(newer) - len(replaced)
        if replaced:  # the affected rows too (no cascade: SQLite's needs its foreign keys)
            session.execute(sa.delete(VulnerabilityAffected)
                            .where(VulnerabilityAffected.vulnerability_id.in_(replaced)))
            session.execute(sa.delete(Vulnerability).where(Vulnerability.id.in_(replaced)))
        _insert(session, newer)


def _insert(session: Session, records: list[osv.Record]) -> None:
    if not records:
        return
    session.execute(sa.insert(Vulnerability), [
        {"id": r.id, "modified": r.modified, "withdrawn": r.withdrawn,
         "published": r.published, "aliases": r.aliases, "summary": r.summary,
         "severity": r.severity, "references": r.references} for r in records])
    affected = [{"vulnerability_id": r.id, "ecosystem": a.ecosystem, "name": a.name,
                 "versions": a.versions, "ranges": a.ranges}
                for r in records for a in r.affected]
    if affected:
        session.execute(sa.insert(VulnerabilityAffected), affected)


def stats() -> dict:
    """Return the database's figures: records, withdrawn, newest change, per ecosystem."""
    with session_scope() as session:
        records, withdrawn, newest = session.exec(select(
            sa.func.count(), sa.func.count(Vulnerability.withdrawn),
            sa.func.max(Vulnerability.modified))).one()
        ecosystems = session.exec(
            select(VulnerabilityAffected.ecosystem,
                   sa.func.count(sa.distinct(VulnerabilityAffected.vulnerability_id)))
            .group_by(VulnerabilityAffected.ecosystem)
            .order_by(VulnerabilityAffected.ecosystem)).all()
    return {"records": records, "withdrawn": withdrawn,
            "newest_modified": aware(newest).isoformat() if newest else None,
            "ecosystems": dict(ecosystems)}


def is_empty(session: Session) -> bool:
    """Tell whether no record is loaded."""
    return session.exec(select(Vulnerability.id).limit(1)).first() is None
