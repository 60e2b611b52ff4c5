"""A wheel is one package: the platformdirs 4.2.1 wheel (from PyPI) with two pipelines.

scancode-toolkit parses the ``.whl`` itself (``pypi_wheel``) and the ``METADATA`` extracted
from it: without care one package becomes two and every dependency is listed twice.
"""

from __future__ import annotations

import pytest

from scanapp.models import CodebaseResource, DiscoveredDependency, DiscoveredPackage, RunStatus
from tests.factories import rows_of
from tests.pipelines_builtin.conftest import DATA_DIR, run_pipeline, scan_settings  # noqa: F401

WHEEL = DATA_DIR / "platformdirs-4.2.1-py3-none-any.whl"


@pytest.fixture(scope="module", params=["scan_single_package", "inspect_packages"])
def scanned(request, scan_settings):  # noqa: F811 - the imported fixture
    project, run = run_pipeline(f"wheel-{request.param}", request.param, uploads=[WHEEL])
    assert run.status == RunStatus.SUCCESS, run.task_output
    return request.param, project


def test_one_package_ten_dependencies(scanned):
    _, project = scanned
    packages = rows_of(DiscoveredPackage, project)
    assert [package.purl for package in packages] == ["pkg:pypi/platformdirs@4.2.1"]
    dependencies = rows_of(DiscoveredDependency, project)
    assert len(dependencies) == 10
    assert len({(item.purl, item.scope) for item in dependencies}) == 10
    assert {item.for_package_uid for item in dependencies} == {packages[0].package_uid}


def test_the_wheel_file_belongs_to_the_package(scanned):
    pipeline, project = scanned
    package = rows_of(DiscoveredPackage, project)[0]
    wheels = [row for row in rows_of(CodebaseResource, project) if row.name == WHEEL.name]
    if pipeline == "scan_single_package":
        assert wheels == []  # extracted into the codebase root, as ScanCode.io does
    else:
        assert [row.for_packages for row in wheels] == [[package.package_uid]]
