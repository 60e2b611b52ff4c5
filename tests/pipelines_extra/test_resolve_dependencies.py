"""resolve_dependencies: static resolution of lockfiles and pins, dynamic resolution on a PyPI.

The PyPI is a real simple index (and JSON API) on 127.0.0.1 serving wheels built here; the
project is created through the REST API as a ScanCode.io client does and run by a real
``scanapp worker``.
"""

from __future__ import annotations

import io
import json

import pytest
from sqlmodel import select

from scanapp import db
from scanapp.config import load_settings, set_settings
from scanapp.models import DiscoveredDependency, DiscoveredPackage, ProjectMessage, RunStatus
from tests.pipelines_builtin.conftest import run_pipeline, scan_settings  # noqa: F401
from tests.pipelines_extra.package_index import Dist, PyPI
from tests.runs.conftest import fast_settings, workers  # noqa: F401

PIPELINE = "resolve_dependencies:StaticResolver,DynamicResolver"


@pytest.fixture
def pypi(tmp_path):
    index = PyPI()
    for dist in (
        Dist("pkg-a", "1.0", ["pkg-b>=1"], license="Apache-2.0"),
        Dist("pkg-b", "0.9"),
        Dist("pkg-b", "1.2", license="MIT"),
    ):
        index.publish(dist, tmp_path / "dists")
    yield index
    index.close()


def _private_index(monkeypatch, url):
    monkeypatch.setenv("SCANAPP_PYPI_URL", url)
    monkeypatch.setenv("SCANAPP_ALLOW_PRIVATE_URLS", "true")
    set_settings(load_settings())


def _results(client, uuid, what):
    return client.get(f"/api/projects/{uuid}/{what}/?page_size=100").json["results"]


def test_requirements_resolved_through_the_api_by_a_worker(
    client, workers, pypi, monkeypatch  # noqa: F811
):
    _private_index(monkeypatch, pypi.url)
    requirements = b"pkg-a==1.0\n--extra-index-url https://pypi.org/simple\n"
    response = client.post(
        "/api/projects/",
        data={
            "name": "resolve",
            "pipeline": PIPELINE,
            "execute_now": "true",
            "upload_file": (io.BytesIO(requirements), "requirements.txt"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.json
    project = response.json
    assert project["runs"][0]["selected_groups"] == ["StaticResolver", "DynamicResolver"]
    workers.burst(timeout=300)
    run = client.get(f"/api/runs/{project['runs'][0]['uuid']}/").json
    assert run["status"] == RunStatus.SUCCESS, run["task_output"] + run["log"]

    packages = {item["purl"]: item for item in _results(client, project["uuid"], "packages")}
    assert sorted(packages) == ["pkg:pypi/pkg-a@1.0", "pkg:pypi/pkg-b@1.2"]
    pkg_a, pkg_b = packages["pkg:pypi/pkg-a@1.0"], packages["pkg:pypi/pkg-b@1.2"]
    assert pkg_a["declared_license_expression"] == "apache-2.0"
    assert pkg_b["declared_license_expression"] == "mit"
    assert pkg_b["download_url"] == f"{pypi.url}/files/pkg_b-1.2-py3-none-any.whl"
    assert pkg_b["sha256"] and pkg_b["homepage_url"] == "https://example.com/pkg-b"

    dependencies = _results(client, project["uuid"], "dependencies")
    direct = [item for item in dependencies if item["datafile_path"] == "requirements.txt"
              and item["is_direct"]]
    assert [(item["purl"], item["extracted_requirement"]) for item in direct] == [
        ("pkg:pypi/pkg-a@1.0", "pkg-a==1.0")
    ]
    assert direct[0]["resolved_to_package_uid"] == pkg_a["package_uid"]
    edges = [(item["for_package_uid"], item["resolved_to_package_uid"]) for item in dependencies
             if not item["is_direct"]]
    assert edges == [(pkg_a["package_uid"], pkg_b["package_uid"])]
    # Only the configured index was asked: the requirements' extra index is ignored.
    assert "/simple/pkg-a/" in pypi.requested and "/pypi/pkg-b/1.2/json" in pypi.requested
    assert all(path.startswith(("/simple/", "/files/", "/pypi/")) for path in pypi.requested)


def _all(model, project):
    with db.session_scope() as session:
        return session.exec(select(model).where(model.project_id == project.id)).all()


PACKAGE_JSON = {"name": "demo", "version": "1.0.0", "dependencies": {"left-pad": "^1.3.0"}}
PACKAGE_LOCK = {
    "name": "demo", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
    "packages": {
        "": {"name": "demo", "version": "1.0.0", "dependencies": {"left-pad": "^1.3.0"}},
        "node_modules/left-pad": {
            "version": "1.3.0",
            "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
            "license": "WTFPL",
        },
    },
}


def test_static_resolver_resolves_lockfile_entries_and_pins(scan_settings, tmp_path):  # noqa: F811
    import zipfile

    archive = tmp_path / "app.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("app/package.json", json.dumps(PACKAGE_JSON))
        zipped.writestr("app/package-lock.json", json.dumps(PACKAGE_LOCK))
        zipped.writestr("tools/requirements.txt", "six==1.16.0\nidna>=3\n")
    project, run = run_pipeline("static", "resolve_dependencies:StaticResolver",
                                uploads=[archive])
    assert run.status == RunStatus.SUCCESS, run.task_output
    packages = {package.purl: package for package in _all(DiscoveredPackage, project)}
    assert sorted(packages) == ["pkg:npm/demo@1.0.0", "pkg:npm/left-pad@1.3.0",
                                "pkg:pypi/six@1.16.0"]
    assert packages["pkg:npm/left-pad@1.3.0"].is_virtual
    assert not packages["pkg:npm/demo@1.0.0"].is_virtual
    left_pad = packages["pkg:npm/left-pad@1.3.0"].package_uid
    dependencies = {(item.datafile_path.rsplit("/", 1)[-1], item.purl): item
                    for item in _all(DiscoveredDependency, project)}
    # The lockfile's entry, and the manifest's range, both resolve to the locked package.
    assert dependencies[("package-lock.json", "pkg:npm/left-pad@1.3.0")].resolved_to_package_uid \
        == left_pad
    assert dependencies[("package.json", "pkg:npm/left-pad")].resolved_to_package_uid == left_pad
    assert dependencies[("requirements.txt", "pkg:pypi/six@1.16.0")].resolved_to_package_uid \
        == packages["pkg:pypi/six@1.16.0"].package_uid
    # An unpinned requirement with no package of its name stays unresolved.
    assert dependencies[("requirements.txt", "pkg:pypi/idna")].resolved_to_package_uid is None
    # No DynamicResolver selected: no index was asked, no message.
    assert _all(ProjectMessage, project) == []


def test_unresolvable_manifest_is_an_error_message_and_the_run_goes_on(
    scan_settings, tmp_path, pypi, monkeypatch  # noqa: F811
):
    _private_index(monkeypatch, pypi.url)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pkg-b>=5\n")
    project, run = run_pipeline("unresolvable", "resolve_dependencies:DynamicResolver",
                                uploads=[requirements])
    assert run.status == RunStatus.SUCCESS, run.task_output
    [message] = _all(ProjectMessage, project)
    assert message.description.startswith("No packages could be resolved")
    assert message.details == {"resource_path": "requirements.txt"}
    assert _all(DiscoveredPackage, project) == []


def test_private_index_refused_without_the_setting(scan_settings, tmp_path, pypi, monkeypatch):  # noqa: F811
    monkeypatch.setenv("SCANAPP_PYPI_URL", pypi.url)
    set_settings(load_settings())
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pkg-a==1.0\n")
    project, run = run_pipeline("refused", "resolve_dependencies:DynamicResolver",
                                uploads=[requirements])
    assert run.status == RunStatus.SUCCESS, run.task_output
    [message] = _all(ProjectMessage, project)
    assert "SCANAPP_ALLOW_PRIVATE_URLS" in message.description
    assert pypi.requested == []


def test_pyproject_requirements_resolved(tmp_path, pypi):
    from scanapp.downloads import FetchOptions
    from scanapp.pipes import pypi_resolver

    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "app"\nversion = "0.1"\n'
                         'dependencies = ["pkg-a>=1.0"]\n'
                         '[project.optional-dependencies]\ntest = ["pkg-b<1"]\n')
    options = FetchOptions(allow_private=True, pypi_url=pypi.url)
    resolution = pypi_resolver.resolve(pyproject, options, tmp_path / "cache")
    assert resolution.graph == [
        {"package": "pkg:pypi/pkg-a@1.0", "dependencies": ["pkg:pypi/pkg-b@1.2"]},
        {"package": "pkg:pypi/pkg-b@1.2", "dependencies": []},
    ]
    assert [(item["purl"], item["extracted_requirement"]) for item in resolution.direct] == [
        ("pkg:pypi/pkg-a", "pkg-a>=1.0")
    ]
    assert resolution.datasource_id == "pypi_pyproject_toml"
