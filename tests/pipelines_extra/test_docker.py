"""analyze_docker_image on images built in the test: docker save, OCI layout, docker:// pulls."""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import tarfile
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from openpyxl import load_workbook

from scanapp import db
from scanapp.config import get_settings, set_settings
from scanapp.downloads import FetchError, FetchOptions
from scanapp.models import (
    CodebaseResource,
    DiscoveredDependency,
    DiscoveredPackage,
    Project,
    ProjectMessage,
    RunStatus,
)
from scanapp.pipes import registry
from scanapp.pipes.docker_image import open_image, read_images
from scanapp.pipes.extract import ArchiveBombError, Limits, SizedWriter
from scanapp.pipes.rootfs import RootfsReport, apply_layer
from tests.factories import rows_of
from tests.pipelines_builtin.conftest import (
    run_pipeline,
    scan_settings,  # noqa: F401 - fixture
)
from tests.pipelines_extra import images

ROOT = "debian-test.tar-rootfs"
LIBFOO = "pkg:deb/debian/libfoo1@1.2-3?arch=amd64"
BAR = "pkg:deb/debian/bar-tools@0.9-1?arch=amd64"
APP = "pkg:npm/demo-app@1.0.0"


def _resources(project) -> dict[str, CodebaseResource]:
    return {row.path: row for row in rows_of(CodebaseResource, project)}


@pytest.fixture(scope="module")
def analyzed(scan_settings, tmp_path_factory):  # noqa: F811
    tarball = images.docker_save_tarball(tmp_path_factory.mktemp("image") / "debian-test.tar")
    return run_pipeline("docker-save", "analyze_docker_image", uploads=[tarball])


def test_system_and_application_packages(analyzed):
    project, run = analyzed
    assert run.status == RunStatus.SUCCESS, run.task_output
    packages = {row.purl: row for row in rows_of(DiscoveredPackage, project)}
    assert set(packages) == {LIBFOO, BAR, APP}
    assert packages[LIBFOO].datasource_ids[0] == "debian_installed_status_db"
    assert f"{ROOT}/var/lib/dpkg/status" in packages[LIBFOO].datafile_paths
    assert packages[APP].declared_license_expression == "mit"
    [dependency] = rows_of(DiscoveredDependency, project)
    assert dependency.purl == "pkg:npm/left-pad"
    assert dependency.for_package_uid == packages[APP].package_uid

    files = _resources(project)
    libfoo = files[f"{ROOT}/usr/lib/libfoo.so.1"]
    assert libfoo.status == "system-package"
    assert libfoo.for_packages == [packages[LIBFOO].package_uid]
    assert files[f"{ROOT}/usr/bin/bar"].for_packages == [packages[BAR].package_uid]
    index = files[f"{ROOT}/app/index.js"]
    assert index.status == "scanned" and index.for_packages == [packages[APP].package_uid]
    assert [item["holder"] for item in index.holders] == ["Demo Corp"]


def test_layers_whiteouts_and_distro(analyzed):
    project, _ = analyzed
    layers, config = images.image_parts()
    diff_ids = config["rootfs"]["diff_ids"]
    with db.session_scope() as session:
        extra = session.get(Project, project.id).extra_data
    assert [layer["layer_id"] for layer in extra["layers"]] == diff_ids
    assert [layer["created_by"] for layer in extra["layers"]] == [cmd for _, cmd in images.LAYERS]
    [image] = extra["images"]
    assert image["tags"] == ["scanapp/test:1.0"] and image["layers_count"] == 3
    assert image["distro"]["identifier"] == "debian" and image["distro"]["version_id"] == "12"

    files = _resources(project)
    assert f"{ROOT}/tmp/junk.txt" not in files  # .wh.junk.txt in layer 2
    assert f"{ROOT}/opt/old/a.txt" not in files  # opaque whiteout in layer 3
    assert files[f"{ROOT}/opt/old/b.txt"].extra_data["layer"] == diff_ids[2]
    assert files[f"{ROOT}/app/index.js"].extra_data["layer"] == diff_ids[1]
    assert files[f"{ROOT}/usr/bin/bar"].extra_data["layer"] == diff_ids[0]
    assert files[f"{ROOT}/bin"].type == "symlink"
    rootfs = get_settings().workdirs / "projects" / project.slug / "codebase" / ROOT
    assert (rootfs / "usr/bin/bar-hardlink").read_bytes() == (rootfs / "usr/bin/bar").read_bytes()


def test_escaping_entries_are_refused_and_nothing_is_written_outside(analyzed):
    project, _ = analyzed
    messages = [row.description for row in rows_of(ProjectMessage, project)]
    assert "Refused layer entry ../escape.txt: path traversal (..)" in messages
    assert "Refused layer entry bin/evil: parent 'bin' is a symbolic link" in messages
    assert "Refused layer entry app/.wh..: whiteout of no file" in messages
    workdirs = get_settings().workdirs
    assert not list(workdirs.rglob("escape.txt"))
    assert not list(workdirs.rglob("evil"))


def test_layers_sheet_in_xlsx(analyzed):
    from scanapp.services import outputs

    project, _ = analyzed
    workbook = load_workbook(outputs.write_output(project.uuid, "xlsx"), read_only=True)
    header, *rows = list(workbook["LAYERS"].values)
    records = [dict(zip(header, row, strict=False)) for row in rows]
    assert [record["created_by"] for record in records] == [cmd for _, cmd in images.LAYERS]
    assert records[0]["layer_tag"].startswith("img-") and records[0]["size"] > 0


def test_oci_layout_gives_the_same_root_filesystem(tmp_path):
    location = images.oci_layout_tarball(tmp_path / "image.oci.tar")
    rootfs, report = tmp_path / "rootfs", RootfsReport()
    rootfs.mkdir()
    with open_image(location) as source:
        [image] = read_images(source)
        assert image.tags == ["1.0"] and image.architecture == "amd64"
        for layer in image.layers:
            meter = SizedWriter(rootfs, layer.size, Limits(max_size=10**8, max_ratio=1000))
            with source.open(layer.location) as handle:
                apply_layer(handle, rootfs, layer.layer_id, meter, report)
    _, config = images.image_parts()
    assert [layer.layer_id for layer in image.layers] == config["rootfs"]["diff_ids"]
    assert (rootfs / "opt/old/b.txt").is_file() and not (rootfs / "opt/old/a.txt").exists()
    assert not (rootfs / "tmp/junk.txt").exists()
    assert (rootfs / "var/lib/dpkg/status").read_text() == images.DPKG_STATUS
    assert os.readlink(rootfs / "etc/os-release") == "../usr/lib/os-release"


def test_layer_bomb_stops_the_image(tmp_path):
    rootfs = tmp_path / "rootfs"
    rootfs.mkdir()
    layer = tmp_path / "layer.tar"
    with tarfile.open(layer, "w") as archive:
        info = tarfile.TarInfo("big.bin")
        info.size = 3 * 1024 * 1024
        archive.addfile(info, open("/dev/zero", "rb"))
    meter = SizedWriter(rootfs, layer.stat().st_size, Limits(max_size=1024 * 1024, max_ratio=200))
    with open(layer, "rb") as handle, pytest.raises(ArchiveBombError):
        apply_layer(handle, rootfs, "sha256:x", meter, RootfsReport())


def test_an_input_that_is_not_an_image_fails_the_run(scan_settings, tmp_path):  # noqa: F811
    other = tmp_path / "notes.txt"
    other.write_text("not an image\n")
    project, run = run_pipeline("not-an-image", "analyze_docker_image", uploads=[other])
    assert run.status == RunStatus.FAILURE
    assert "No image among the inputs" in run.task_output
    messages = [row.description for row in rows_of(ProjectMessage, project)]
    assert "notes.txt is not a docker save tarball nor an OCI image layout: ignored" in messages


# --- docker:// references, against a registry served on 127.0.0.1 -------------------------


class _Registry(BaseHTTPRequestHandler):
    """Docker Registry v2, bearer token auth, blobs served through a redirect."""

    blobs: dict[str, bytes] = {}
    manifests: dict[str, tuple[str, bytes]] = {}

    def log_message(self, *args):
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802
        host = f"http://{self.headers['Host']}"
        if self.path.startswith("/token?"):
            return self._send(200, json.dumps({"token": "secret-token"}).encode())
        if self.path.startswith("/cdn/"):
            return self._send(200, self.blobs[self.path.removeprefix("/cdn/")])
        if self.headers.get("Authorization") != "Bearer secret-token":
            challenge = f'Bearer realm="{host}/token",service="test",scope="repository:x:pull"'
            return self._send(401, b"{}", {"WWW-Authenticate": challenge})
        prefix = "/v2/scanapp/test/"
        if self.path.startswith(prefix + "manifests/"):
            found = self.manifests.get(self.path.removeprefix(prefix + "manifests/"))
            if not found:
                return self._send(404, b'{"errors": [{"code": "MANIFEST_UNKNOWN"}]}')
            return self._send(200, found[1], {"Content-Type": found[0]})
        if self.path.startswith(prefix + "blobs/"):
            return self._send(307, b"", {"Location": "/cdn/" + self.path.rsplit("/", 1)[1]})
        return self._send(404)


@pytest.fixture(scope="module")
def registry_port():
    blobs, _, manifest = images.oci_blobs()
    manifest_type = "application/vnd.oci.image.manifest.v1+json"
    digest = next(key for key, value in blobs.items() if value == manifest)
    multi = json.dumps({
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [
            {"digest": "sha256:" + "0" * 64, "platform": {"os": "linux", "architecture": "s390x"}},
            {"digest": digest, "platform": {"os": "linux", "architecture": "amd64"}},
        ],
    }).encode()
    corrupt = json.loads(manifest)
    corrupt["layers"][0]["digest"] = "sha256:" + "f" * 64
    _Registry.blobs = {**blobs, "sha256:" + "f" * 64: b"not the right bytes"}
    _Registry.manifests = {
        "1.0": (manifest_type, manifest),
        digest: (manifest_type, manifest),
        "multi": ("application/vnd.oci.image.index.v1+json", multi),
        "corrupt": (manifest_type, json.dumps(corrupt).encode()),
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Registry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


ALLOWED = FetchOptions(allow_private=True, timeout=5)


def test_pull_writes_an_oci_layout(registry_port, tmp_path):
    url = f"docker://127.0.0.1:{registry_port}/scanapp/test:multi"
    target = registry.pull(url, tmp_path, ALLOWED)
    assert target.name == "test_multi" and (target / "oci-layout").is_file()
    with open_image(target) as source:
        [image] = read_images(source)
    _, config = images.image_parts()
    assert [layer.layer_id for layer in image.layers] == config["rootfs"]["diff_ids"]


def test_pull_checks_digests_and_cleans_up(registry_port, tmp_path):
    url = f"docker://127.0.0.1:{registry_port}/scanapp/test:corrupt"
    with pytest.raises(FetchError, match="does not match its digest"):
        registry.pull(url, tmp_path, ALLOWED)
    assert list(tmp_path.iterdir()) == []


def test_pull_refuses_private_registries_by_default(registry_port, tmp_path):
    url = f"docker://127.0.0.1:{registry_port}/scanapp/test:1.0"
    with pytest.raises(FetchError, match="non-public address"):
        registry.pull(url, tmp_path, FetchOptions())


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("docker://alpine", ("registry-1.docker.io", "library/alpine", "latest")),
        ("docker://nginx:1.27", ("registry-1.docker.io", "library/nginx", "1.27")),
        ("docker://ghcr.io/org/app:v2", ("ghcr.io", "org/app", "v2")),
        ("docker://localhost:5000/app@sha256:" + "a" * 64,
         ("localhost:5000", "app", "sha256:" + "a" * 64)),
    ],
)
def test_parse_reference(url, expected):
    parsed = registry.parse_reference(url)
    assert (parsed.registry, parsed.repository, parsed.reference) == expected


@contextmanager
def private_urls_allowed():
    """Allow the 127.0.0.1 registry for the block (the module's settings are shared)."""
    saved = get_settings()
    set_settings(dataclasses.replace(saved, allow_private_urls=True))
    try:
        yield
    finally:
        set_settings(saved)


def test_docker_reference_end_to_end(scan_settings, registry_port):  # noqa: F811
    url = f"docker://127.0.0.1:{registry_port}/scanapp/test:1.0"
    with private_urls_allowed():
        project, run = run_pipeline("pulled", "analyze_docker_image", input_urls=[url])
    assert run.status == RunStatus.SUCCESS, run.task_output
    assert {row.purl for row in rows_of(DiscoveredPackage, project)} == {LIBFOO, BAR, APP}
    assert "test_1.0-rootfs/usr/lib/libfoo.so.1" in _resources(project)


def test_unreachable_registry_fails_with_a_clear_message(scan_settings):  # noqa: F811
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"docker://127.0.0.1:{port}/scanapp/test:1.0"
    with private_urls_allowed():
        project, run = run_pipeline("unreachable", "analyze_docker_image", input_urls=[url])
    assert run.status == RunStatus.FAILURE
    messages = [row.description for row in rows_of(ProjectMessage, project)]
    assert any(
        f"127.0.0.1:{port}/v2/scanapp/test/manifests/1.0: ConnectionError" in text
        for text in messages
    ), messages


def _tree_layer(tree: Path, target: Path, *members: str) -> Path:
    """A layer made by the real ``tar`` from a folder (``.`` gives ``./``-prefixed entries)."""
    subprocess.run(["tar", "-C", str(tree), "-cf", str(target), *members], check=True)
    return target


def _applied(layer: Path, rootfs: Path) -> tuple[list, dict]:
    rootfs.mkdir()
    report = RootfsReport()
    meter = SizedWriter(rootfs, layer.stat().st_size, Limits(max_size=10**8, max_ratio=1000))
    with open(layer, "rb") as handle:
        apply_layer(handle, rootfs, "sha256:layer", meter, report)
    listing = sorted((path.relative_to(rootfs).as_posix(), path.is_symlink())
                     for path in rootfs.rglob("*"))
    return listing, report.origins


def test_a_dot_prefixed_layer_gives_the_same_root_filesystem(tmp_path):
    tree = tmp_path / "tree"
    (tree / "etc").mkdir(parents=True)
    (tree / "usr" / "lib").mkdir(parents=True)
    (tree / "usr" / "lib" / "os-release").write_text(images.OS_RELEASE)
    (tree / "etc" / "os-release").symlink_to("../usr/lib/os-release")
    (tree / "etc" / ".wh.gone").write_text("")
    dotted = _tree_layer(tree, tmp_path / "dotted.tar", ".")
    with tarfile.open(dotted) as archive:
        assert archive.getnames()[0] == "." and "./etc/os-release" in archive.getnames()
    plain = _tree_layer(tree, tmp_path / "plain.tar", "etc", "usr")
    assert _applied(dotted, tmp_path / "a") == _applied(plain, tmp_path / "b")
    listing, origins = _applied(dotted, tmp_path / "c")
    assert ("etc/os-release", True) in listing and "usr/lib/os-release" in origins
