"""Leftovers of interrupted writes are removed at start-up; what is stored, or young, stays."""

from __future__ import annotations

import io
import os
import time

from scanapp.services.maintenance import remove_leftovers
from scanapp.workdir import workdir_for
from tests.factories import make_project


def _age(path, seconds: int = 3600) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old), follow_symlinks=False)


def test_leftovers_are_removed_and_the_rest_is_kept(client, settings):
    response = client.post("/api/projects/", data={
        "name": "kept", "upload_file": (io.BytesIO(b"zip"), "app.zip")},
        content_type="multipart/form-data")
    assert response.status_code == 201
    kept = workdir_for(_slug("kept")).input
    stored = kept / "app.zip"
    partial = kept / ".big.iso.1a2b3c4d.part"
    partial.write_bytes(b"half")
    stray = kept / "stray.tar.gz"
    stray.write_bytes(b"no row")
    young = kept / "young.tar.gz"
    young.write_bytes(b"being stored now")
    orphan = settings.projects_dir / "never-stored-12345678"
    (orphan / "input").mkdir(parents=True)
    for path in (stored, partial, stray, orphan / "input", orphan):
        _age(path)
    removed = remove_leftovers()
    assert set(removed) == {partial, stray, orphan}
    assert stored.read_bytes() == b"zip" and young.exists()
    assert not partial.exists() and not stray.exists() and not orphan.exists()


def _slug(name: str) -> str:
    from sqlmodel import select

    from scanapp.db import session_scope
    from scanapp.models import Project

    with session_scope() as session:
        return session.exec(select(Project.slug).where(Project.name == name)).one()


def test_an_upload_is_written_under_a_temporary_name_then_renamed(client, monkeypatch):
    from scanapp.services import inputs

    seen = []
    real_replace = os.replace

    def replace(source, target):
        seen.append((os.path.basename(source), os.path.basename(target)))
        return real_replace(source, target)

    monkeypatch.setattr(inputs.os, "replace", replace)
    project = make_project("renamed")
    response = client.post(f"/api/projects/{project.uuid}/add_input/",
                           data={"upload_file": (io.BytesIO(b"data"), "pkg.tar.gz")},
                           content_type="multipart/form-data")
    assert response.status_code == 201
    [(source, target)] = seen
    assert source.startswith(".pkg.tar.gz.") and source.endswith(".part")
    assert target == "pkg.tar.gz"
    assert [p.name for p in workdir_for(project.slug).input.iterdir()] == ["pkg.tar.gz"]


def test_an_upload_without_a_usable_name_is_a_400(client):
    for name in ("", "\r\n", "a\nb.zip"):
        response = client.post("/api/projects/", data={
            "name": "nameless", "upload_file": (io.BytesIO(b"zip"), name)},
            content_type="multipart/form-data")
        assert response.status_code == 400, name
        assert "upload_file" in response.json["errors"]
    assert client.get("/api/projects/").json["count"] == 0
