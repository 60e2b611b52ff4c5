"""Archive extraction: recursive, and safe against zip-slip, link escapes and bombs."""

from __future__ import annotations

import io
import tarfile
import zipfile

import pytest

from scanapp.pipes.extract import Limits, extract_archives


def _tar_add(tar: tarfile.TarFile, name: str, data: bytes = b"", **attrs) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    for key, value in attrs.items():
        setattr(info, key, value)
    tar.addfile(info, io.BytesIO(data) if data else None)


@pytest.fixture
def layout(tmp_path):
    work = tmp_path / "project"
    codebase = work / "codebase"
    codebase.mkdir(parents=True)
    return work, codebase


def _outside_files(work):
    return sorted(
        path.relative_to(work).as_posix()
        for path in work.rglob("*")
        if not path.relative_to(work).as_posix().startswith("codebase")
    )


def test_zip_slip_and_absolute_paths_are_refused(layout):
    work, codebase = layout
    with zipfile.ZipFile(codebase / "slip.zip", "w") as archive:
        archive.writestr("ok.txt", "fine")
        archive.writestr("../evil.txt", "evil")
        archive.writestr("a/../../evil2.txt", "evil")
        archive.writestr("/abs.txt", "absolute")
    report = extract_archives(codebase, Limits(max_size=10**9, max_ratio=100))
    target = codebase / "slip.zip-extract"
    assert sorted(p.name for p in target.rglob("*")) == ["ok.txt"]
    assert dict(report.refused) == {
        "slip.zip:../evil.txt": "path traversal (..)",
        "slip.zip:a/../../evil2.txt": "path traversal (..)",
        "slip.zip:/abs.txt": "absolute path",
    }
    assert _outside_files(work) == []


def test_symlink_escape_is_refused_inner_link_kept(layout):
    work, codebase = layout
    with tarfile.open(codebase / "links.tar.gz", "w:gz") as tar:
        _tar_add(tar, "pkg/good.txt", b"good")
        _tar_add(tar, "pkg/passwd", type=tarfile.SYMTYPE, linkname="/etc/passwd")
        _tar_add(tar, "pkg/up", type=tarfile.SYMTYPE, linkname="../../../..")
        _tar_add(tar, "pkg/up/escaped.txt", b"escaped")
        _tar_add(tar, "pkg/inner", type=tarfile.SYMTYPE, linkname="good.txt")
    report = extract_archives(codebase, Limits(max_size=10**9, max_ratio=100))
    target = codebase / "links.tar.gz-extract" / "pkg"
    assert (target / "good.txt").read_text() == "good"
    assert (target / "inner").is_symlink() and (target / "inner").read_text() == "good"
    assert not (target / "passwd").exists() and not (target / "up").is_symlink()
    refused = dict(report.refused)
    assert "outside" in refused["links.tar.gz:pkg/passwd"]
    assert "outside" in refused["links.tar.gz:pkg/up"]
    assert not (work.parent / "escaped.txt").exists()
    assert _outside_files(work) == []


def test_zip_bomb_is_stopped_by_ratio(layout):
    work, codebase = layout
    with zipfile.ZipFile(codebase / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * (30 * 1024**2))
    assert (codebase / "bomb.zip").stat().st_size < 100_000
    report = extract_archives(codebase, Limits(max_size=10**10, max_ratio=50))
    assert report.errors == [("bomb.zip", "archive bomb stopped: expansion ratio over 50:1")]
    assert not (codebase / "bomb.zip-extract").exists()
    assert _outside_files(work) == []


def test_total_size_limit_stops_extraction(layout):
    _, codebase = layout
    with tarfile.open(codebase / "big.tar", "w") as tar:
        _tar_add(tar, "a.bin", b"x" * 600_000)
        _tar_add(tar, "b.bin", b"y" * 600_000)
    report = extract_archives(codebase, Limits(max_size=1_000_000, max_ratio=100))
    assert report.errors == [
        ("big.tar", "archive bomb stopped: extracted size over the 1000000 bytes limit")
    ]


def test_nested_archives_extract_recursively(layout):
    _, codebase = layout
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("lib/inner.txt", "inner")
    with tarfile.open(codebase / "outer.tar.gz", "w:gz") as tar:
        _tar_add(tar, "outer/inner.zip", inner.getvalue())
    report = extract_archives(codebase, Limits(max_size=10**9, max_ratio=100))
    nested = codebase / "outer.tar.gz-extract/outer/inner.zip-extract/lib/inner.txt"
    assert nested.read_text() == "inner"
    assert report.extracted == ["outer.tar.gz", "outer.tar.gz-extract/outer/inner.zip"]


def test_refusals_become_project_messages(settings):
    from sqlmodel import select

    from scanapp.db import session_scope
    from scanapp.engine import RunContext
    from scanapp.models import ProjectMessage
    from scanapp.pipes.codebase import extract_codebase
    from scanapp.workdir import workdir_for
    from tests.factories import make_project

    project = make_project("extract")
    workdir = workdir_for(project.slug)
    with zipfile.ZipFile(workdir.codebase / "slip.zip", "w") as archive:
        archive.writestr("../evil.txt", "evil")
    context = RunContext(
        run_id=0,
        project_id=project.id,
        project_name=project.name,
        project_uuid=project.uuid,
        workdir=workdir,
    )
    context.log = lambda line: None
    extract_codebase(context)
    with session_scope() as session:
        messages = session.exec(select(ProjectMessage)).all()
    assert [(m.severity, m.description) for m in messages] == [
        ("warning", "Refused archive entry slip.zip:../evil.txt: path traversal (..)")
    ]
    assert messages[0].details["resource_path"] == "slip.zip:../evil.txt"
    assert not (workdir.root / "evil.txt").exists()
