"""Uploads: size limit (413, nothing stored), spooled to disk, file names sanitized."""

import hashlib
import io
from tempfile import SpooledTemporaryFile

import pytest
from flask import request
from sqlmodel import select

from scanapp.db import session_scope
from scanapp.models import InputSource, Project
from scanapp.workdir import workdir_for
from tests.conftest import override
from tests.factories import make_project

pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)

LIMIT = 64 * 1024


@pytest.fixture
def small_app(settings):
    """The app with ``SCANAPP_MAX_UPLOAD_SIZE`` at 64 KiB."""
    from scanapp.api import create_app

    override(max_upload_size=LIMIT)
    return create_app({"TESTING": True})


def rows(model):
    with session_scope() as session:
        return session.exec(select(model)).all()


def upload(client, url, payload: bytes, filename="big.zip", **fields):
    data = {"upload_file": (io.BytesIO(payload), filename), **fields}
    return client.post(url, data=data, content_type="multipart/form-data")


def test_create_with_upload_over_the_limit_is_413_and_stores_nothing(small_app, settings):
    client = small_app.test_client()
    response = upload(client, "/api/projects/", b"x" * (LIMIT + 1), filename="big", name="big",
                      pipeline="do_nothing")
    assert response.status_code == 413
    assert response.json["code"] == 413
    assert "SCANAPP_MAX_UPLOAD_SIZE" in response.json["message"]
    assert rows(Project) == [] and rows(InputSource) == []
    projects_dir = settings.workdirs / "projects"
    assert not projects_dir.exists() or list(projects_dir.iterdir()) == []


def test_add_input_over_the_limit_is_413_and_stores_nothing(small_app):
    client = small_app.test_client()
    project = make_project("limited")
    response = upload(client, f"/api/projects/{project.uuid}/add_input/", b"x" * (LIMIT * 2))
    assert response.status_code == 413 and response.json["message"]
    assert rows(InputSource) == []
    assert list(workdir_for(project.slug).input.iterdir()) == []


def test_json_body_over_the_limit_is_413(small_app):
    client = small_app.test_client()
    response = client.post("/api/projects/", json={"name": "n", "notes": "x" * (LIMIT + 10)})
    assert response.status_code == 413 and response.json["code"] == 413
    assert rows(Project) == []


def test_upload_under_the_limit_is_stored(small_app):
    client = small_app.test_client()
    payload = b"y" * (LIMIT // 2)
    response = upload(client, "/api/projects/", payload, filename="ok.zip", name="ok")
    assert response.status_code == 201, response.json
    [project] = rows(Project)
    assert (workdir_for(project.slug).input / "ok.zip").read_bytes() == payload


def test_large_upload_is_spooled_to_disk_not_kept_in_memory(app, client):
    """The multipart parser rolls a large file part over to a temporary file; it is copied."""
    seen = []

    @app.after_request
    def inspect(response):
        for storage in request.files.getlist("upload_file"):
            seen.append(storage.stream)
        return response

    payload = bytes(range(256)) * 8 * 1024  # 2 MiB
    response = upload(client, "/api/projects/", payload, filename="big.bin", name="spool")
    assert response.status_code == 201, response.json
    [stream] = seen
    assert isinstance(stream, SpooledTemporaryFile)
    assert stream._rolled  # on disk, not a BytesIO of the whole body
    [project] = rows(Project)
    stored = (workdir_for(project.slug).input / "big.bin").read_bytes()
    assert hashlib.sha256(stored).digest() == hashlib.sha256(payload).digest()


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("../../evil name.txt", "evil_name.txt"),
        ("/etc/passwd", "passwd"),
        ("dir/sub/pkg.zip", "pkg.zip"),
        ("..", "upload"),
        (".bashrc", "bashrc"),
        ("a\x00b;rm -rf.tar.gz", "a_b_rm_-rf.tar.gz"),
        ("x" * 300 + ".tar.gz", "x" * 193 + ".tar.gz"),
    ],
)
def test_uploaded_file_names_are_sanitized(client, sent, stored):
    response = upload(client, "/api/projects/", b"data", filename=sent, name="names")
    assert response.status_code == 201, response.json
    assert response.json["input_sources"][0]["filename"] == stored
    [project] = rows(Project)
    input_dir = workdir_for(project.slug).input
    assert [path.name for path in input_dir.iterdir()] == [stored]


def test_same_name_twice_keeps_both_files(client):
    project = make_project("twice")
    url = f"/api/projects/{project.uuid}/add_input/"
    for content in (b"one", b"two"):
        assert upload(client, url, content, filename="pkg.tar.gz").status_code == 201
    input_dir = workdir_for(project.slug).input
    assert sorted(p.name for p in input_dir.iterdir()) == ["pkg.tar.gz", "pkg_1.tar.gz"]
    assert (input_dir / "pkg_1.tar.gz").read_bytes() == b"two"
    assert sorted(source.filename for source in rows(InputSource)) == ["pkg.tar.gz", "pkg_1.tar.gz"]


def test_json_body_is_capped_below_the_upload_limit(client):
    """JSON is read into memory: it has its own, smaller limit than the streamed uploads."""
    from scanapp.api.body import JSON_MAX_SIZE

    notes = "x" * (JSON_MAX_SIZE + 1)
    response = client.post("/api/projects/", json={"name": "big-json", "notes": notes})
    assert response.status_code == 413 and "JSON" in response.json["message"]
    assert rows(Project) == []
