"""analyze_root_filesystem_or_vm_image on root filesystems built by the test.

An Alpine rootfs tarball and a Debian qcow2 disk image (an MBR partition of ext4); the
unsupported disk images and the inputs that are no root filesystem fail the run.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import tarfile

import pytest

from scanapp import db
from scanapp.models import CodebaseResource, DiscoveredPackage, Project, ProjectMessage, RunStatus
from scanapp.pipes import extract, root_filesystems, vm_images
from scanapp.registry import get_pipeline
from tests.conftest import skip_for_missing_service
from tests.factories import rows_of
from tests.fidelity.golden import ANCHORS
from tests.pipelines_builtin.conftest import (
    run_pipeline,
    scan_settings,  # noqa: F401 - fixture
)
from tests.pipelines_extra import rootfs_images

PIPELINE = "analyze_root_filesystem_or_vm_image"
ALPINE = "alpine-rootfs.tar.gz-extract"
MUSL = "pkg:alpine/musl@1.2.4_git20230717-r4?arch=x86_64"
VM = "debian.qcow2-extract"
HELLO = "pkg:deb/debian/hello@2.10-3?arch=amd64"


def _files(project) -> dict[str, CodebaseResource]:
    return {row.path: row for row in rows_of(CodebaseResource, project)}


def _extra(project) -> dict:
    with db.session_scope() as session:
        return session.get(Project, project.id).extra_data


def _need_disk_tools() -> None:
    if not rootfs_images.have_disk_tools():
        skip_for_missing_service("mke2fs and qemu-img are needed (Debian's e2fsprogs, qemu-utils)")


@pytest.fixture(scope="module")
def alpine(scan_settings, tmp_path_factory):  # noqa: F811
    tarball = rootfs_images.alpine_rootfs_tarball(
        tmp_path_factory.mktemp("rootfs") / "alpine-rootfs.tar.gz"
    )
    return run_pipeline("alpine-rootfs", PIPELINE, uploads=[tarball])


@pytest.fixture(scope="module")
def debian_vm(scan_settings, tmp_path_factory):  # noqa: F811
    _need_disk_tools()
    folder = tmp_path_factory.mktemp("vm")
    image = rootfs_images.debian_qcow2(rootfs_images.debian_rootfs_tree(folder / "tree"),
                                       folder / "debian.qcow2")
    return run_pipeline("debian-vm", PIPELINE, uploads=[image])


def test_the_distro_comes_from_the_rootfs_not_from_this_host(alpine):
    project, run = alpine
    assert run.status == RunStatus.SUCCESS, run.task_output
    [rootfs] = _extra(project)["root_filesystems"]
    assert rootfs["name"] == ALPINE
    # etc/os-release is a link to /usr/lib/os-release: read inside the rootfs (this host
    # is Debian).
    assert rootfs["distro"]["identifier"] == "alpine"
    assert rootfs["distro"]["version_id"] == "3.19.1"


def test_the_apk_package_and_its_installed_files(alpine):
    project, _ = alpine
    packages = {row.purl: row for row in rows_of(DiscoveredPackage, project)}
    assert set(packages) == {MUSL, "pkg:npm/rootfs-app@2.0.0"}
    musl = packages[MUSL]
    assert musl.datasource_ids == ["alpine_installed_db"]
    assert musl.declared_license_expression == "mit"
    files = _files(project)
    for name in ("lib/ld-musl-x86_64.so.1", "lib/libc.musl-x86_64.so.1",
                 "lib/apk/db/installed"):
        assert files[f"{ALPINE}/{name}"].status == "system-package", name
    assert files[f"{ALPINE}/lib/ld-musl-x86_64.so.1"].for_packages == [musl.package_uid]
    # A copy of an installed file joins its package (match_not_analyzed_to_system_packages).
    copy = files[f"{ALPINE}/usr/local/share/musl-copy.so"]
    assert (copy.status, copy.for_packages) == ("system-package", [musl.package_uid])
    assert copy.md5 == hashlib.md5(rootfs_images.MUSL).hexdigest()


def test_uninteresting_files_and_the_scanned_leftovers(alpine):
    project, _ = alpine
    files = _files(project)
    status = {path.removeprefix(f"{ALPINE}/"): row.status for path, row in files.items()}
    for name in ("etc/motd", "etc/os-release", "tmp/scratch.txt", "lib/apk/db/triggers"):
        assert status[name] == "ignored-not-interesting", name
    assert status["etc"] == "scanned"  # the folder itself is not flagged
    readme = files[f"{ALPINE}/app/README"]
    assert readme.status == "scanned" and readme.detected_license_expression == "mit"
    assert "Copyright (c) 2024 Demo Corp" in str(readme.copyrights)
    assert status["app/notes.txt"] == "no-licenses"
    assert status["app/empty.txt"] == "ignored-empty-file"
    assert status["app/package.json"] == "application-package"
    assert "not-analyzed" not in status.values() and "" not in status.values()
    assert "dev-zero" not in status  # devices are skipped


def test_unsafe_tarball_entries_are_refused(alpine, scan_settings):  # noqa: F811
    project, _ = alpine
    messages = [row.description for row in rows_of(ProjectMessage, project)]
    assert "Refused entry ../outside.txt: path traversal (..)" in messages
    assert not (scan_settings.workdirs / "outside.txt").exists()


def test_a_partitioned_qcow2_disk_image(debian_vm):
    project, run = debian_vm
    assert run.status == RunStatus.SUCCESS, run.task_output
    [rootfs] = _extra(project)["root_filesystems"]
    assert (rootfs["name"], rootfs["distro"]["identifier"]) == (VM, "debian")
    [hello] = rows_of(DiscoveredPackage, project)
    assert hello.purl == HELLO
    files = _files(project)
    assert files[f"{VM}/usr/bin/hello"].for_packages == [hello.package_uid]
    assert files[f"{VM}/usr/bin/hello"].status == "system-package"
    assert files[f"{VM}/etc/os-release"].type == "symlink"
    assert files[f"{VM}/etc/hostname"].status == "ignored-not-interesting"
    assert files[f"{VM}/home/user/notes.txt"].status == "no-licenses"


@pytest.mark.parametrize("disk_format", ["vmdk", "vhdx", "vpc"])
def test_vmdk_and_vhd_disks_are_read(tmp_path, disk_format):
    _need_disk_tools()
    tree = rootfs_images.debian_rootfs_tree(tmp_path / "tree")
    qcow2 = rootfs_images.debian_qcow2(tree, tmp_path / "disk.qcow2")
    image = tmp_path / f"disk.{'vhd' if disk_format == 'vpc' else disk_format}"
    subprocess.run(["qemu-img", "convert", "-O", disk_format, str(qcow2), str(image)], check=True)
    codebase = tmp_path / "codebase"
    codebase.mkdir()
    kind = vm_images.disk_format(image)
    meter = extract.SizedWriter(codebase, image.stat().st_size, extract.Limits(10**9, 1000))
    report = vm_images.extract_disk_image(image, codebase, kind, meter)
    root = codebase / f"{image.name}-extract"
    assert report.filesystems == [root.name]
    assert (root / "usr/bin/hello").read_bytes() == rootfs_images.HELLO
    assert root_filesystems.detect_distro(root).identifier == "debian"


def test_a_disk_image_over_the_size_limit_is_stopped(tmp_path):
    _need_disk_tools()
    tree = rootfs_images.debian_rootfs_tree(tmp_path / "tree")
    image = rootfs_images.debian_qcow2(tree, tmp_path / "disk.qcow2")
    meter = extract.SizedWriter(tmp_path, image.stat().st_size, extract.Limits(1000, 1000))
    with pytest.raises(extract.ArchiveBombError, match="1000 bytes limit"):
        vm_images.extract_disk_image(image, tmp_path, "qcow", meter)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("disk.vdi", b"<<< Oracle VM VirtualBox Disk Image >>>\n", "VirtualBox VDI images are "
         "not supported; supported are qcow2, single-file VMDK, VHD, VHDX and raw"),
        ("notes.txt", b"not a root filesystem\n", "notes.txt: not a root filesystem; expected a "
         "folder, a tarball"),
        ("blank.img", bytes(64 * 1024), "blank.img: no filesystem The Sleuth Kit can read"),
    ],
)
def test_unreadable_inputs_fail_the_run_saying_what_is_supported(
    scan_settings, tmp_path, name, content, expected  # noqa: F811
):
    upload = tmp_path / name
    upload.write_bytes(content)
    project, run = run_pipeline(f"bad-{name}", PIPELINE, uploads=[upload])
    assert run.status == RunStatus.FAILURE
    assert expected in run.task_output
    assert any(expected in row.description for row in rows_of(ProjectMessage, project))


def test_links_resolve_inside_the_root_filesystem(tmp_path):
    (tmp_path / "usr/lib").mkdir(parents=True)
    (tmp_path / "etc").mkdir()
    (tmp_path / "usr/lib/os-release").write_text("ID=inside\n")
    (tmp_path / "etc/os-release").symlink_to("/../../usr/lib/os-release")
    (tmp_path / "loop").symlink_to("loop")
    assert root_filesystems.resolve_in_rootfs(tmp_path, "etc/os-release") == (
        tmp_path / "usr/lib/os-release"
    )
    assert root_filesystems.resolve_in_rootfs(tmp_path, "loop/x") is None
    assert root_filesystems.detect_distro(tmp_path).identifier == "inside"


@pytest.mark.skipif(not (ANCHORS / "pipelines.json").is_file(),
                    reason="the ScanCode.io anchors are not beside the clone")
@pytest.mark.parametrize("name", [PIPELINE, "analyze_windows_docker_image"])
def test_summary_steps_groups_and_docs_are_scancodeios(scan_settings, name):  # noqa: F811
    reference = {item["name"]: item for item in json.loads(
        (ANCHORS / "pipelines.json").read_text(encoding="utf-8"))}[name]
    info = get_pipeline(name).info()
    assert info["summary"] == reference["summary"]
    assert [(step["name"], step["doc"], step["groups"]) for step in info["steps"]] == [
        (step["name"], step["doc"], step["groups"]) for step in reference["steps"]
    ]
    assert (info["available_groups"], info["is_available"]) == ([], True)


def test_an_unsupported_distro_is_reported_and_the_run_goes_on(scan_settings, tmp_path):  # noqa: F811
    tree = rootfs_images.debian_rootfs_tree(tmp_path / "tree")
    (tree / "usr/lib/os-release").write_text('ID=gentoo\nPRETTY_NAME="Gentoo Linux"\n')
    tarball = tmp_path / "gentoo.tar"
    with tarfile.open(tarball, "w") as archive:
        archive.add(tree, arcname=".")
    project, run = run_pipeline("gentoo", PIPELINE, uploads=[tarball])
    assert run.status == RunStatus.SUCCESS, run.task_output
    messages = [row.description for row in rows_of(ProjectMessage, project)]
    assert 'gentoo.tar-extract: Distro "gentoo" is not supported.' in messages
    assert rows_of(DiscoveredPackage, project) == []
    assert _files(project)["gentoo.tar-extract/usr/bin/hello"].status == "no-licenses"
