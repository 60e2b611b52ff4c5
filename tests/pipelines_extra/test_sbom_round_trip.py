"""scanapp's own SPDX 2.3/2.2 and CycloneDX 1.6/1.5/1.4 loaded back by load_sbom.

Two sources: a real scan_single_package of the requests sdist (its unresolved dependencies)
and factory-made rows with every hash and every kind of edge (resolved, unresolved, of no
package). Loading an output back gives the same packages (purl, declared license, hashes)
and the same edges (depending package, dependency purl, resolved package).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scanapp.models import (
    CodebaseResource,
    DiscoveredDependency,
    DiscoveredPackage,
    ProjectMessage,
    RunStatus,
)
from scanapp.services import outputs
from tests.factories import rows_of
from tests.pipelines_builtin.conftest import DATA_DIR, run_pipeline, scan_settings  # noqa: F401

FORMATS = [
    ("spdx", "2.3"), ("spdx", "2.2"), ("cyclonedx", "1.6"), ("cyclonedx", "1.5"),
    ("cyclonedx", "1.4"),
]
HASHES = ("md5", "sha1", "sha256", "sha512")


@pytest.fixture(scope="module")
def scanned(scan_settings):  # noqa: F811
    project, run = run_pipeline(
        "requests", "scan_single_package", uploads=[DATA_DIR / "requests-2.32.3.tar.gz"]
    )
    assert run.status == RunStatus.SUCCESS, run.task_output
    return project


@pytest.fixture(scope="module")
def made(scan_settings):  # noqa: F811
    """Packages with every hash; edges resolved, unresolved, optional and of no package."""
    from tests.factories import make_dependency, make_package, make_project

    project = make_project("made")
    app = make_package(
        project, "pkg:npm/app@1.0.0", declared_license_expression="apache-2.0",
        declared_license_expression_spdx="Apache-2.0",
        md5="1" * 32, sha1="2" * 40, sha256="3" * 64, sha512="4" * 128,
    )
    lodash = make_package(
        project, "pkg:npm/lodash@4.17.21", declared_license_expression="mit OR bsd-new",
        declared_license_expression_spdx="MIT OR BSD-3-Clause", sha1="5" * 40,
    )
    make_package(project, "pkg:npm/alone@2.0.0", declared_license_expression="isc",
                 declared_license_expression_spdx="ISC", sha256="6" * 64)
    edges = (
        ("pkg:npm/lodash@4.17.21", app, lodash, {}),
        ("pkg:npm/left-pad@1.3.0", app, None, {"scope": "devDependencies", "is_optional": True}),
        ("pkg:npm/left-pad@1.3.0", lodash, None, {"extracted_requirement": "^1.3.0"}),
        ("pkg:npm/chalk", None, None, {"extracted_requirement": "*"}),
        ("pkg:npm/lodash@4.17.21", None, lodash, {}),
    )
    for purl, parent, resolved, values in edges:
        name, _, version = purl.split("/", 1)[1].partition("@")
        make_dependency(
            project, purl, type="npm", name=name, version=version, package_type="npm",
            for_package_uid=parent.package_uid if parent else None,
            resolved_to_package_uid=resolved.package_uid if resolved else None, **values,
        )
    return project


def packages(project) -> dict[str, tuple]:
    """Purl -> (declared license expression, md5, sha1, sha256, sha512) of every package."""
    return {
        row.purl: (row.declared_license_expression, *(getattr(row, key) for key in HASHES))
        for row in rows_of(DiscoveredPackage, project)
    }


def edges(project) -> set[tuple]:
    """(depending package purl or None, dependency purl, resolved package purl or None)."""
    by_uid = {row.package_uid: row.purl for row in rows_of(DiscoveredPackage, project)}
    return {
        (by_uid.get(row.for_package_uid), row.purl, by_uid.get(row.resolved_to_package_uid))
        for row in rows_of(DiscoveredDependency, project)
    }


@pytest.mark.parametrize("source", ["scanned", "made"])
@pytest.mark.parametrize(("output_format", "version"), FORMATS)
def test_round_trip(request, source, output_format, version):
    project = request.getfixturevalue(source)
    written = Path(outputs.write_output(project.uuid, output_format, version=version))
    loaded, run = run_pipeline(f"{source}-{output_format}-{version}", "load_sbom",
                               uploads=[written])
    assert run.status == RunStatus.SUCCESS, run.task_output
    assert [row.description for row in rows_of(ProjectMessage, loaded)] == []
    assert packages(loaded) == packages(project)
    expected = edges(project)
    assert edges(loaded) == expected
    assert len(rows_of(DiscoveredDependency, loaded)) == len(expected)
    (document,) = rows_of(CodebaseResource, loaded)
    assert document.status == "application-package"
    assert sorted(document.for_packages) == sorted(
        row.package_uid for row in rows_of(DiscoveredPackage, loaded)
    )


def test_scanned_source_has_unresolved_dependencies(scanned):
    """The real scan gives edges worth the round trip: unresolved, of the requests package."""
    found = edges(scanned)
    assert ("pkg:pypi/requests@2.32.3", "pkg:pypi/pytest", None) in found
    assert packages(scanned)["pkg:pypi/requests@2.32.3"][0] == "apache-2.0"


def test_cyclonedx_with_bom_format_last_is_recognized(made, tmp_path):
    """cyclonedx-python-lib writes ``bomFormat`` after the components: parsing finds it."""
    written = Path(outputs.write_output(made.uuid, "cyclonedx", version="1.6"))
    content = written.read_text()
    assert content.index('"bomFormat"') > content.index('"components"') > 0
    renamed = tmp_path / "scanapp-output.json"  # a name that tells nothing
    renamed.write_text(content + " " * 4096)
    loaded, run = run_pipeline("bom-format-last", "load_sbom", uploads=[renamed])
    assert run.status == RunStatus.SUCCESS, run.task_output
    assert packages(loaded) == packages(made)


@pytest.mark.parametrize("version", ["1.6", "1.4"])
def test_cyclonedx_keeps_scope_and_requirement(made, version):
    """CycloneDX carries an unresolved dependency's scope, requirement and optional flag."""
    def details(project):
        return {
            (row.purl, row.scope, row.extracted_requirement, row.is_optional)
            for row in rows_of(DiscoveredDependency, project)
            if not row.resolved_to_package_uid
        }

    written = Path(outputs.write_output(made.uuid, "cyclonedx", version=version))
    loaded, run = run_pipeline(f"details-{version}", "load_sbom", uploads=[written])
    assert run.status == RunStatus.SUCCESS, run.task_output
    assert details(loaded) == details(made)
