"""scan_maven_package on a Maven repository served on 127.0.0.1 with jars and a POM built here."""

from __future__ import annotations

import pytest
from sqlmodel import select

from scanapp import db
from scanapp.config import SettingsError, load_settings, set_settings
from scanapp.models import (
    CodebaseRelation,
    DiscoveredDependency,
    DiscoveredPackage,
    InputSource,
    Project,
    ProjectMessage,
    RunStatus,
)
from scanapp.workdir import workdir_for
from tests.pipelines_builtin.conftest import run_pipeline, scan_settings  # noqa: F401
from tests.pipelines_extra.package_index import POM, MavenRepository, build_jar

GROUP, ARTIFACT, VERSION = "org.example", "demo", "1.0"
PURL = f"pkg:maven/{GROUP}/{ARTIFACT}@{VERSION}"
JAVA = """\
/*
 * Copyright (c) 2024 Example Corp.
 * SPDX-License-Identifier: Apache-2.0
 */
package org.example;

public class Demo {
    public static String hello() { return "hello"; }
}
"""


@pytest.fixture
def repository(tmp_path, monkeypatch):
    repo = MavenRepository()
    monkeypatch.setenv("SCANAPP_MAVEN_REPOSITORY_URL", f"{repo.url}/maven2")
    monkeypatch.setenv("SCANAPP_ALLOW_PRIVATE_URLS", "true")
    set_settings(load_settings())
    binary = build_jar(tmp_path / "demo-1.0.jar", {"org/example/Demo.class": b"\xca\xfe\xba\xbe"
                                                   + b"\x00" * 60})
    repo.publish(GROUP, ARTIFACT, VERSION, "demo-1.0.jar", binary.read_bytes())
    pom = POM.format(group=GROUP, artifact=ARTIFACT, version=VERSION)
    repo.pom_path = repo.publish(GROUP, ARTIFACT, VERSION, "demo-1.0.pom", pom.encode())
    yield repo
    repo.close()


def _all(model, project):
    with db.session_scope() as session:
        return session.exec(select(model).where(model.project_id == project.id)).all()


def test_purl_binary_scanned_with_the_remote_pom(scan_settings, repository):  # noqa: F811
    project, run = run_pipeline("maven", "scan_maven_package", input_urls=[PURL])
    assert run.status == RunStatus.SUCCESS, run.task_output
    base = f"/maven2/org/example/demo/{VERSION}"
    assert repository.requested == [f"{base}/demo-1.0.jar", f"{base}/demo-1.0-sources.jar",
                                    f"{base}/demo-1.0.pom"]
    packages = {package.purl: package for package in _all(DiscoveredPackage, project)}
    package = packages[PURL]
    assert package.declared_license_expression == "apache-2.0"
    assert package.datafile_paths == [f"{repository.url}{repository.pom_path}"]
    [dependency] = [item for item in _all(DiscoveredDependency, project)
                    if item.for_package_uid == package.package_uid]
    assert dependency.purl == "pkg:maven/org.slf4j/slf4j-api@2.0.9"
    assert dependency.datafile_path == ""
    # No sources jar: no deployment to development relations; the jar is extracted in place.
    assert _all(CodebaseRelation, project) == []
    assert "Deployment to development scan: off" in run.log
    summary = workdir_for(project.slug).load_summary()
    assert summary is not None and "license_clarity_score" in summary
    with db.session_scope() as session:
        stored = session.get(Project, project.id)
        assert stored.extra_data["filename"] == "demo-1.0.jar" and stored.extra_data["sha1"]
        [source] = session.exec(select(InputSource).where(InputSource.project_id == project.id))
        assert source.filename == "demo-1.0.jar" and source.download_url == PURL
    assert [message.description for message in _all(ProjectMessage, project)] == []


def test_sources_and_binary_are_mapped(scan_settings, repository, tmp_path):  # noqa: F811
    sources = build_jar(tmp_path / "demo-1.0-sources.jar", {"org/example/Demo.java": JAVA})
    repository.publish(GROUP, ARTIFACT, VERSION, "demo-1.0-sources.jar", sources.read_bytes())
    project, run = run_pipeline("maven-d2d", "scan_maven_package", input_urls=[PURL])
    assert run.status == RunStatus.SUCCESS, run.task_output
    assert "Deployment to development scan: on" in run.log
    relations = {relation.map_type for relation in _all(CodebaseRelation, project)}
    assert "java_to_class" in relations
    assert PURL in {package.purl for package in _all(DiscoveredPackage, project)}


@pytest.mark.parametrize(
    ("purl", "error"),
    [("pkg:npm/left-pad@1.3.0", "Only maven purl is supported."),
     ("pkg:maven/org.example/demo", "Version is required.")],
)
def test_bad_input_fails_the_run_saying_why(scan_settings, repository, purl, error):  # noqa: F811
    project, run = run_pipeline(f"bad-{error[:4]}", "scan_maven_package", input_urls=[purl])
    assert run.status == RunStatus.FAILURE
    assert error in run.task_output
    assert repository.requested == []


def test_missing_package_fails_naming_it(scan_settings, repository):  # noqa: F811
    project, run = run_pipeline("missing", "scan_maven_package",
                                input_urls=["pkg:maven/org.example/absent@9"])
    assert run.status == RunStatus.FAILURE
    assert "No source or binary could be resolved for pkg:maven/org.example/absent@9" \
        in run.task_output


def test_repository_url_setting():
    assert load_settings({}).maven_repository_url == "https://repo1.maven.org/maven2"
    url = load_settings({"SCANAPP_MAVEN_REPOSITORY_URL": "https://maven.example.com/m2/"})
    assert url.maven_repository_url == "https://maven.example.com/m2"
    with pytest.raises(SettingsError, match="SCANAPP_MAVEN_REPOSITORY_URL"):
        load_settings({"SCANAPP_MAVEN_REPOSITORY_URL": "ftp://maven.example.com"})
