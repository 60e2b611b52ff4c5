"""Chunks of a spread scan in one process: plans, claims, lost workers, failures, stats.

The queue is the in-memory ``Announcements`` below (the pipes' ``ChunkQueue``): what the other
workers would do with an announcement, the test does by calling ``execute_chunk``; the
two-worker runs on a real Redis are in tests/runs/test_spread_scan.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from scanapp.db import session_scope
from scanapp.models import ProjectMessage, Run, ScanChunk, utcnow
from scanapp.pipes import scan_chunks, scan_spread
from scanapp.pipes.scancode import INFO_SCANNERS, ScanOptions
from scanapp.workdir import workdir_for
from tests.factories import make_project, make_resource


class Announcements:
    """Chunks announced, withdrawn; every worker registered but ``dead``."""

    worker_name, job_id = "run-worker", "run-job"

    def __init__(self):
        self.sent, self.withdrawn, self.dead = [], [], set()

    def send(self, chunk):
        self.sent.append((chunk.seq, chunk.attempt))

    def withdraw(self, chunk):
        self.withdrawn.append((chunk.seq, chunk.attempt))

    def gone(self, worker_name):
        return worker_name in self.dead


OPTIONS = ScanOptions(scanners=INFO_SCANNERS, cache=False)
pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def project(settings):
    project = make_project("chunks")
    codebase = workdir_for(project.slug).codebase
    for index in range(7):
        (codebase / f"f{index}.txt").write_text("x" * (index + 1))
        make_resource(project, f"f{index}.txt", type="file", size=index + 1)
    with session_scope() as session:
        run = Run(project_id=project.id, pipeline_name="scan_codebase", status="running")
        session.add(run)
    return project, run, codebase


def spread(queue, **values):
    return scan_spread.Spread(queue=queue, chunk_size=3, heartbeat_interval=1,
                              heartbeat_ttl=2, min_chunks=1, **values)


def test_the_plan_stores_one_chunk_per_batch(project):
    project, run, _ = project
    chunks = scan_chunks.plan(run.id, project.id, "scan", OPTIONS, [[2, 4], [5, 1], [3]])
    assert [chunk.resource_ids for chunk in chunks] == [[2, 4], [5, 1], [3]]
    assert [(chunk.seq, chunk.files) for chunk in chunks] == [(1, 2), (2, 2), (3, 1)]
    assert chunks[0].options["scanners"] == ["info"] and "processes" not in chunks[0].options
    again = scan_chunks.plan(run.id, project.id, "scan", OPTIONS, [[2]])  # a re-queued run
    assert [chunk.seq for chunk in again] == [1]
    assert len(scan_chunks.chunks_of(run.id)) == 1


def test_a_chunk_is_claimed_once(project):
    project, run, _ = project
    [chunk] = scan_chunks.plan(run.id, project.id, "scan", OPTIONS, [[1]])
    assert scan_chunks.claim(chunk.id, 1, "a", "job-a").worker_name == "a"
    assert scan_chunks.claim(chunk.id, 1, "b", "job-b") is None
    assert scan_chunks.claim_next(run.id, "scan", "b", "job-b") is None


def test_the_run_scans_every_chunk_when_nobody_else_does(project):
    project, run, codebase = project
    queue = Announcements()
    progress = []
    stats = scan_spread.scan_spread(
        project.id, run.id, codebase, OPTIONS, spread(queue), model="scan",
        progress=lambda *values: progress.append(values), log=lambda line: None,
    )
    assert (stats.scanned, stats.statuses) == (7, {"scanned": 7})
    assert queue.sent == queue.withdrawn == [(1, 1), (2, 1), (3, 1)]
    assert progress[-1] == (7, 7, 0)
    chunks = scan_chunks.chunks_of(run.id)
    assert {chunk.worker_name for chunk in chunks} == {"run-worker"}
    assert [chunk.status for chunk in chunks] == ["done"] * 3


def test_a_chunk_job_goes_on_with_the_chunks_still_pending(project):
    project, run, codebase = project
    chunks = scan_chunks.plan(run.id, project.id, "scan", OPTIONS, [[1, 2], [3, 4], [5, 6, 7]])
    withdrawn = []
    assert scan_spread.execute_chunk(
        chunks[0].id, 1, worker_name="other", job_id="job-1", codebase=codebase, processes=1,
        heartbeat_interval=1, withdraw=lambda chunk: withdrawn.append(chunk.seq),
    ) == "done"
    assert withdrawn == [2, 3]  # their announcements are taken back
    found = scan_chunks.chunks_of(run.id)
    assert [(chunk.status, chunk.worker_name, chunk.job_id, chunk.stats["scanned"])
            for chunk in found] == [("done", "other", "job-1", count) for count in (2, 2, 3)]
    assert scan_spread.execute_chunk(  # the announcement of chunk 2, had it not been withdrawn
        chunks[1].id, 1, worker_name="late", job_id="job-2", codebase=codebase, processes=1,
        heartbeat_interval=1) == "taken"


def test_a_chunk_of_a_dead_worker_is_queued_again_and_scanned(project):
    project, run, codebase = project
    queue = Announcements()
    chunks = scan_chunks.plan(run.id, project.id, "scan", OPTIONS, [[1]])
    # Another worker took the chunk, then died: no heartbeat for longer than the TTL.
    taken = scan_chunks.claim(chunks[0].id, 1, "dead-worker", "job-dead")
    with session_scope() as session:
        session.execute(sa.update(ScanChunk).where(ScanChunk.id == taken.id).values(
            heartbeat=utcnow() - timedelta(seconds=30)))
    released = scan_chunks.release_lost(run.id, "scan", ttl=2, gone=queue.gone, grace=1)
    assert [(chunk.status, chunk.attempt, chunk.worker_name) for chunk in released] == [
        ("pending", 2, "")]
    assert scan_spread.execute_chunk(taken.id, 1, worker_name="late", job_id="x",
                                     codebase=codebase, processes=1, heartbeat_interval=1
                                     ) == "taken"  # the first announcement is stale
    assert scan_spread.execute_chunk(taken.id, 2, worker_name="other", job_id="y",
                                     codebase=codebase, processes=1, heartbeat_interval=1
                                     ) == "done"
    [chunk] = scan_chunks.chunks_of(run.id)
    assert (chunk.status, chunk.worker_name, chunk.stats["scanned"]) == ("done", "other", 1)


def test_a_failed_chunk_fails_the_scan_with_a_message(project):
    project, run, codebase = project

    class BrokenWorker(Announcements):
        """Another worker takes chunk 1 as soon as it is announced, and fails on it."""

        def send(self, chunk):
            super().send(chunk)
            if chunk.seq == 1:
                with session_scope() as session:
                    session.execute(sa.update(ScanChunk).where(ScanChunk.id == chunk.id)
                                    .values(options={"scanners": ["info"], "bogus": 1}))
                with pytest.raises(TypeError):
                    scan_spread.execute_chunk(chunk.id, 1, worker_name="broken", job_id="b",
                                              codebase=codebase, processes=1,
                                              heartbeat_interval=1)

    with pytest.raises(scan_spread.ChunkFailed, match="failed on worker broken: TypeError"):
        scan_spread.scan_spread(
            project.id, run.id, codebase, OPTIONS, spread(BrokenWorker()), model="scan",
            progress=lambda *values: None, log=lambda line: None,
        )
    statuses = [chunk.status for chunk in scan_chunks.chunks_of(run.id)]
    assert statuses == ["failed", "done", "done"]
    with session_scope() as session:
        messages = session.scalars(sa.select(ProjectMessage.description)).all()
    assert any("Scan chunk 1 (2 files) failed on worker broken" in text for text in messages)
