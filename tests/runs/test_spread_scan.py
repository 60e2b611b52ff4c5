"""One project's scan spread over two real `scanapp worker` processes on a real Redis."""

from __future__ import annotations

import io
import tarfile
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import select

from scanapp.config import load_settings, set_settings
from scanapp.db import session_scope
from scanapp.models import CodebaseResource, ProjectMessage, Run
from scanapp.pipes import scan_chunks
from scanapp.services.runs import execute_in_process
from tests.runs.conftest import alive, get_run, kill_hard, status_is, wait_for

SPREAD_SETTINGS = {
    "SCANAPP_PROCESSES": "1",
    "SCANAPP_SCAN_CACHE": "false",
    "SCANAPP_WORKER_LOAD_LICENSE_INDEX": "true",
}


def license_texts() -> list[bytes]:
    """Real license texts from scancode-toolkit's data (each takes a real detection)."""
    from licensedcode.models import licenses_data_dir

    folder = Path(licenses_data_dir)
    return [(folder / f"{key}.LICENSE").read_bytes()
            for key in ("gpl-2.0", "apache-2.0", "lgpl-2.1", "mit", "bsd-new")]


def make_archive(folder: Path, count: int) -> Path:
    """A .tar.gz of ``count`` distinct files, each a license text with a copyright line."""
    texts = license_texts()
    path = folder / f"spread-{count}.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for index in range(count):
            data = (f"Copyright (c) 2026 Author {index} <author{index}@example.com>\n\n".encode()
                    + texts[index % len(texts)])
            info = tarfile.TarInfo(f"spread/src/file{index:03}.txt")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def spread(workers, monkeypatch):
    """Settings of a spread scan in this test and its workers; returns ``start(n)``."""
    def start(chunk_size: int, count: int = 2):
        monkeypatch.setenv("SCANAPP_SCAN_CHUNK_SIZE", str(chunk_size))
        for key, value in SPREAD_SETTINGS.items():
            monkeypatch.setenv(key, value)
        set_settings(load_settings())
        started = [workers.start("--name", f"worker-{index}") for index in range(count)]
        for process in started:  # each loads the license index before it takes a job
            wait_for(lambda p=process: "License index loaded" in workers.log_text(p), 120, 0.2)
        return started

    return start


def create(client, archive: Path, name: str, execute_now: bool = True) -> str:
    data = {"name": name, "pipeline": "scan_codebase", "execute_now": execute_now,
            "upload_file": (io.BytesIO(archive.read_bytes()), archive.name)}
    response = client.post("/api/projects/", data=data, content_type="multipart/form-data")
    assert response.status_code == 201, response.json
    return response.json["runs"][0]["uuid"]


def files_of(project_id: int) -> dict[str, tuple]:
    with session_scope() as session:
        rows = session.exec(select(CodebaseResource).where(
            CodebaseResource.project_id == project_id, CodebaseResource.type == "file")).all()
    return {row.path: (row.status, row.sha256, row.detected_license_expression,
                       [item["copyright"] for item in row.copyrights], row.emails)
            for row in rows}


def message_paths(project_id: int) -> Counter:
    with session_scope() as session:
        rows = session.exec(select(ProjectMessage).where(
            ProjectMessage.project_id == project_id)).all()
    return Counter((row.details or {}).get("resource_path") for row in rows)


def chunks_where(run_id: int, predicate):
    return lambda: predicate(found := scan_chunks.chunks_of(run_id)) and found


def test_a_scan_is_spread_over_two_workers_with_the_results_of_one(client, spread, tmp_path):
    spread(chunk_size=4)
    archive = make_archive(tmp_path, 22)
    uuid = create(client, archive, "spread")
    wait_for(status_is(uuid, "success", "failure"), 240, 0.2)
    run = get_run(uuid)
    assert run.status == "success", run.task_output
    chunks = scan_chunks.chunks_of(run.id)
    assert len(chunks) >= 6 and sum(chunk.files for chunk in chunks) == 23  # + the archive
    assert {chunk.status for chunk in chunks} == {"done"}
    assert {chunk.worker_name for chunk in chunks} == {"worker-0", "worker-1"}
    assert run.progress["done"] == run.progress["total"] == 23
    assert "Chunks scanned by 2 worker(s)" in run.log

    # The same input scanned here, alone, in one process: the same facts for every file.
    set_settings(load_settings())
    alone_uuid = create(client, archive, "alone", execute_now=False)
    alone = get_run(alone_uuid)
    assert execute_in_process(alone.id) == 0
    spread_files, alone_files = files_of(run.project_id), files_of(alone.project_id)
    assert spread_files == alone_files
    assert len(spread_files) == 23
    assert all(status for status, *_ in spread_files.values())
    assert message_paths(run.project_id) == message_paths(alone.project_id)


def test_stop_cancels_every_chunk(client, spread, workers, tmp_path):
    started = spread(chunk_size=2)
    uuid = create(client, make_archive(tmp_path, 40), "stopped")
    wait_for(status_is(uuid, "running"), 60)
    run_id = get_run(uuid).id
    wait_for(chunks_where(run_id, lambda found: {
        chunk.worker_name for chunk in found if chunk.status == "running"} == {
        "worker-0", "worker-1"}), 120, 0.1)
    response = client.post(f"/api/runs/{uuid}/stop_pipeline/")
    assert response.status_code == 200, response.json
    assert get_run(uuid).status == "stopped"
    found = wait_for(chunks_where(run_id, lambda found: all(
        chunk.status in ("done", "canceled") for chunk in found)), 10)
    assert any(chunk.status == "canceled" for chunk in found)
    for process in started:  # every chunk job's work horse is gone, the workers live on
        wait_for(lambda p=process: not workers.horses(p), 30, 0.2)
        assert process.poll() is None
    scanned = files_of(get_run(uuid).project_id)
    time.sleep(3)
    assert files_of(get_run(uuid).project_id) == scanned  # nothing written after the stop


def test_killing_a_worker_mid_run_still_scans_every_file_once(client, spread, workers, tmp_path):
    started = spread(chunk_size=3)
    uuid = create(client, make_archive(tmp_path, 30), "killed")
    wait_for(status_is(uuid, "running"), 60)
    run = wait_for(lambda: (found := get_run(uuid)).worker_name and found, 30)
    other = next(process for index, process in enumerate(started)
                 if f"worker-{index}" != run.worker_name)
    other_name = f"worker-{started.index(other)}"
    wait_for(chunks_where(run.id, lambda found: any(
        chunk.status == "running" and chunk.worker_name == other_name for chunk in found)),
        120, 0.1)
    for horse in workers.horses(other):
        kill_hard(horse)
    kill_hard(other.pid)
    other.wait(timeout=10)
    assert not alive(other.pid)
    wait_for(status_is(uuid, "success", "failure"), 240, 0.2)
    run = get_run(uuid)
    assert run.status == "success", run.task_output
    chunks = scan_chunks.chunks_of(run.id)
    assert {chunk.status for chunk in chunks} == {"done"}
    assert any(chunk.attempt == 2 for chunk in chunks)
    assert "lost its worker: queued again (attempt 2)" in run.log
    files = files_of(run.project_id)
    assert len(files) == 31 and all(status for status, *_ in files.values())
    assert all(count == 1 for path, count in message_paths(run.project_id).items() if path)
    with session_scope() as session:
        assert session.get(Run, run.id).progress["done"] == 31
