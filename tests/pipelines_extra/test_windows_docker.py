"""analyze_windows_docker_image on a two-layer Windows image built by the test.

The base layer's ``Hives/Software_Delta`` is a real registry hive (written with regipy's
structures) that registers one installed program.
"""

from __future__ import annotations

import pytest

from scanapp import db
from scanapp.models import CodebaseResource, DiscoveredPackage, Project, RunStatus
from tests.factories import rows_of
from tests.pipelines_builtin.conftest import (
    run_pipeline,
    scan_settings,  # noqa: F401 - fixture
)
from tests.pipelines_extra import windows_images

FOO = "pkg:windows-program/Foo%20Tool@2.1.0"
FOO_FOLDER = "pkg:windows-program/Foo%20Tool@nv"
PYTHON = "pkg:windows-program/Python@3.9"
OPENJDK = "pkg:windows-program/OpenJDK@17.0.2"


@pytest.fixture(scope="module")
def analyzed(scan_settings, tmp_path_factory):  # noqa: F811
    tarball = windows_images.windows_docker_save_tarball(
        tmp_path_factory.mktemp("image") / "windows.tar"
    )
    return run_pipeline("windows-image", "analyze_windows_docker_image", uploads=[tarball])


@pytest.fixture(scope="module")
def layers(analyzed) -> list[dict[str, CodebaseResource]]:
    """Return the resources of each layer by their path inside the layer, lowest first."""
    project, _ = analyzed
    with db.session_scope() as session:
        extra = session.get(Project, project.id).extra_data
    found = []
    for layer in extra["layers"]:
        folder = f"windows.tar-extract/{layer['layer_id'].partition(':')[2]}/"
        found.append({row.path.removeprefix(folder): row
                      for row in rows_of(CodebaseResource, project)
                      if row.path.startswith(folder)})
    return found


def test_layers_are_extracted_apart_and_tagged(analyzed, layers):
    project, run = analyzed
    assert run.status == RunStatus.SUCCESS, run.task_output
    base, app = layers
    assert "Files/Windows/System32/kernel32.dll" in base and "Files/Python39/python.exe" in app
    assert "Files/Python39/python.exe" not in base
    assert base["Hives/Software_Delta"].tag.startswith("img-") and "-layer-01-" in (
        base["Hives/Software_Delta"].tag
    )
    assert "-layer-02-" in app["Files/app/blob.bin"].tag
    with db.session_scope() as session:
        [image] = session.get(Project, project.id).extra_data["images"]
    assert (image["os"], image["os_version"]) == ("windows", "10.0.17763.5329")
    assert image["distro"]["identifier"] == "windows"
    assert image["tags"] == ["scanapp/windows-test:1.0"]


def test_installed_program_from_the_registry_hive(analyzed, layers):
    project, _ = analyzed
    packages = {row.purl: row for row in rows_of(DiscoveredPackage, project)}
    assert set(packages) == {FOO, FOO_FOLDER, PYTHON, OPENJDK}
    foo = packages[FOO]
    assert foo.datasource_ids == ["win_reg_installed_programs_docker_software_delta"]
    assert foo.homepage_url == "https://foo.example/tool"
    assert [party["name"] for party in foo.parties] == ["Foo Corp"]
    base = layers[0]
    # DisplayIcon and InstallLocation name a file and a folder of the layer's Files/.
    assert base["Files/Program Files/Foo Tool/foo.exe"].for_packages == [foo.package_uid]
    assert base["Files/Program Files/Foo Tool/foo.exe"].status == "system-package"
    assert base["Files/Program Files/Foo Tool"].for_packages == [foo.package_uid]


def test_known_software_and_program_files_folders(analyzed, layers):
    project, _ = analyzed
    packages = {row.purl: row for row in rows_of(DiscoveredPackage, project)}
    base, app = layers
    python = packages[PYTHON]
    assert python.declared_license_expression == "python"
    assert python.homepage_url == "https://www.python.org/"
    for name in ("Files/Python39/python.exe", "Files/Python39/LICENSE.txt"):
        assert (app[name].status, app[name].for_packages) == ("installed-package",
                                                              [python.package_uid])
    # site-packages hold third-party packages, not Python's own files.
    assert app["Files/Python39/Lib/site-packages/six.py"].for_packages == []
    java = app["Files/jdk-17.0.2/bin/java.exe"]
    assert java.for_packages == [packages[OPENJDK].package_uid]
    assert packages[OPENJDK].declared_license_expression == (
        "gpl-2.0 WITH oracle-openjdk-classpath-exception-2.0"
    )
    # The files of Foo Tool's folder the registry does not name: a Program Files package.
    license_file = base["Files/Program Files/Foo Tool/LICENSE.txt"]
    assert license_file.for_packages == [packages[FOO_FOLDER].package_uid]
    assert license_file.status == "installed-package"
    # Common Files is no program.
    assert base["Files/Program Files/Common Files/shared.txt"].status == "no-licenses"


def test_uninteresting_windows_files_are_flagged(layers):
    base, app = layers
    expected = {
        "Hives/System_Delta": "ignored-not-interesting",
        "Files/Windows/System32/config/SOFTWARE": "ignored-not-interesting",
        "Files/Windows/INF/machine.inf": "ignored-not-interesting",
        "Files/Windows/Logs/CBS/CBS.log": "ignored-not-interesting",
        "Files/Windows/WinSxS/amd64_foo.manifest": "ignored-not-interesting",
        "Files/Users/Public/desktop.ini": "ignored-not-interesting",
        "Files/ProgramData/Microsoft/Windows/Start Menu/Foo.lnk": "ignored-not-interesting",
        "Files/Users/Default/Pictures/Thumbs.db": "ignored-default-ignores",
        "Files/Windows/Web/Wallpaper/img0.png": "ignored-media-file",
        "Files/Windows/System32/kernel32.dll": "no-licenses",
    }
    assert {name: base[name].status for name in expected} == expected
    assert app["Files/app/blob.bin"].status == "ignored-data-file-no-clues"
    assert app["Files/app/blob.bin"].file_type == "data"
    assert app["Files/app/empty.cfg"].status == "ignored-empty-file"
    statuses = {row.status for layer in layers for row in layer.values()}
    assert "" not in statuses and "not-analyzed" not in statuses
