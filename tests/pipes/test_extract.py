"""Archive extraction: recursive, and safe against zip-slip, link escapes and bombs."""

from __future__ import annotations

import io
import os
import tarfile
import zipfile
from pathlib import Path

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


def _cpio(entries: list[tuple[str, int, bytes]]) -> bytes:
    """A newc cpio archive of (name, mode, data): data is the link target for a symlink."""
    out = b""
    for number, (name, mode, data) in enumerate([*entries, ("TRAILER!!!", 0, b"")], 1):
        encoded = name.encode() + b"\x00"
        fields = [number, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(encoded), 0]
        header = b"070701" + b"".join(b"%08X" % value for value in fields)
        out += header + encoded + b"\x00" * (-(len(header) + len(encoded)) % 4)
        out += data + b"\x00" * (-len(data) % 4)
    return out


def test_a_gz_bomb_is_stopped_while_writing_and_nothing_is_left(layout, tmp_path):
    import gzip
    import tempfile

    work, codebase = layout
    with gzip.open(codebase / "bomb.bin.gz", "wb", compresslevel=9) as handle:
        block = b"scanapp bomb " * (1024 * 1024)
        for _ in range(80):  # 1 GiB
            handle.write(block)
    assert (codebase / "bomb.bin.gz").stat().st_size < 3 * 1024 * 1024  # 1 GiB in 2 MB
    system_temp = set(Path(tempfile.gettempdir()).iterdir())
    limits = Limits(max_size=64 * 1024 * 1024, max_ratio=200)
    report = extract_archives(codebase, limits)
    assert [(path, reason.split(":")[0]) for path, reason in report.errors] == [
        ("bomb.bin.gz", "archive bomb stopped")]
    assert limits.written <= limits.max_size + 1024 * 1024  # stopped at the limit
    assert not (codebase / "bomb.bin.gz-extract").exists()
    assert _outside_files(work) == []
    assert set(Path(tempfile.gettempdir()).iterdir()) - system_temp == set()


def test_cpio_entries_out_of_place_are_refused_with_a_warning_each(layout):
    work, codebase = layout
    regular, link, folder = 0o100644, 0o120777, 0o040755
    (codebase / "odd.cpio").write_bytes(_cpio([
        ("docs", folder, b""),
        ("docs/readme.txt", regular, b"kept\n"),
        ("../escape.txt", regular, b"outside\n"),
        ("/etc/absolute.txt", regular, b"absolute\n"),
        ("docs/up", link, b"../../../etc/passwd"),
        ("docs/here", link, b"readme.txt"),
    ]))
    report = extract_archives(codebase, Limits(max_size=10**8, max_ratio=1000))
    target = codebase / "odd.cpio-extract"
    assert (target / "docs/readme.txt").read_text() == "kept\n"
    assert os.readlink(target / "docs/here") == "readme.txt"
    refused = dict(report.refused)
    assert refused["odd.cpio:../escape.txt"] == "path traversal (..)"
    assert refused["odd.cpio:/etc/absolute.txt"] == "absolute path"
    assert refused["odd.cpio:docs/up"].startswith("symbolic link pointing outside")
    assert not (target / "docs/up").is_symlink() and _outside_files(work) == []


def test_a_symbolic_link_chain_that_resolves_outside_is_refused(layout):
    work, codebase = layout
    with tarfile.open(codebase / "chain.tar", "w") as tar:
        _tar_add(tar, "pkg/readme.txt", b"inside\n")
        _tar_add(tar, "pkg/s0", type=tarfile.SYMTYPE, linkname="..")
        _tar_add(tar, "pkg/s1", type=tarfile.SYMTYPE, linkname="s0/../..")
        _tar_add(tar, "pkg/s2", type=tarfile.SYMTYPE, linkname="s1/../../../etc/passwd")
        _tar_add(tar, "pkg/good", type=tarfile.SYMTYPE, linkname="readme.txt")
    report = extract_archives(codebase, Limits(max_size=10**8, max_ratio=1000))
    target = codebase / "chain.tar-extract" / "pkg"
    refused = dict(report.refused)
    assert any(name.endswith("pkg/s1") for name in refused), refused
    assert not (target / "s1").is_symlink() and not (target / "s2").is_symlink()
    assert (target / "good").read_text() == "inside\n"
    for path in codebase.rglob("*"):
        assert Path(os.path.realpath(path)).is_relative_to(codebase.resolve()), path
