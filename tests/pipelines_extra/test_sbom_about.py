"""load_sbom on AboutCode ``.ABOUT`` files (aboutcode-toolkit), and its path guard."""

from __future__ import annotations

import os

from scanapp.models import CodebaseResource, DiscoveredPackage, ProjectMessage, RunStatus
from scanapp.pipes import sbom_about
from tests.factories import rows_of
from tests.pipelines_builtin.conftest import run_pipeline, scan_settings  # noqa: F401

SHA256 = "0f3e3d7b2c7c9b5e6f1d4a8b9c0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a"
DJANGO_ABOUT = f"""\
about_resource: Django-4.0.8-py3-none-any.whl
name: django
version: 4.0.8
description: A high-level Python web framework.
download_url: https://python.org/Django-4.0.8-py3-none-any.whl
homepage_url: https://www.djangoproject.com/
package_url: pkg:pypi/django@4.0.8
license_expression: bsd-new
copyright: Copyright (c) Django Software Foundation and individual contributors.
attribute: yes
checksum_md5: 386349753c386e574dceca5067e2788a
checksum_sha1: 4cc6f7abda928a0b12cd1f1cd8ad3677519ca04e
checksum_sha256: {SHA256}
notice_file: NOTICE
licenses:
  - key: bsd-new
    name: BSD-3-Clause
    file: bsd-new.LICENSE
"""
LICENSE_TEXT = "Redistribution and use in source and binary forms...\n"
NOTICE_TEXT = "Django includes code from other projects.\n"


def _write(folder, files: dict[str, str]):
    for name, content in files.items():
        (folder / name).write_text(content)
    return [folder / name for name in files]


def test_about_file_is_a_package_with_its_fields(scan_settings, tmp_path):  # noqa: F811
    uploads = _write(tmp_path, {
        "Django-4.0.8-py3-none-any.whl.ABOUT": DJANGO_ABOUT,
        "bsd-new.LICENSE": LICENSE_TEXT,
        "NOTICE": NOTICE_TEXT,
    })
    project, run = run_pipeline("about", "load_sbom", uploads=uploads)
    assert run.status == RunStatus.SUCCESS, run.task_output
    assert [row.description for row in rows_of(ProjectMessage, project)] == []
    (package,) = rows_of(DiscoveredPackage, project)
    assert package.purl == "pkg:pypi/django@4.0.8"
    assert (package.type, package.name, package.version) == ("pypi", "django", "4.0.8")
    assert package.declared_license_expression == "bsd-new"
    assert package.declared_license_expression_spdx == "BSD-3-Clause"
    assert (package.md5, package.sha1, package.sha256) == (
        "386349753c386e574dceca5067e2788a", "4cc6f7abda928a0b12cd1f1cd8ad3677519ca04e", SHA256,
    )
    assert package.filename == "Django-4.0.8-py3-none-any.whl"
    assert package.download_url == "https://python.org/Django-4.0.8-py3-none-any.whl"
    assert package.homepage_url == "https://www.djangoproject.com/"
    assert package.copyright.startswith("Copyright (c) Django Software Foundation")
    assert package.description == "A high-level Python web framework."
    assert package.extracted_license_statement == LICENSE_TEXT
    assert package.notice_text == NOTICE_TEXT
    assert package.extra_data == {"license_file": "bsd-new.LICENSE", "notice_file": "NOTICE"}
    assert package.datasource_ids == ["about_file"]
    assert package.datafile_paths == ["Django-4.0.8-py3-none-any.whl.ABOUT"]
    resources = {row.path: row for row in rows_of(CodebaseResource, project)}
    about = resources["Django-4.0.8-py3-none-any.whl.ABOUT"]
    assert about.status == "application-package"
    assert about.for_packages == [package.package_uid]
    assert resources["NOTICE"].for_packages == []


def test_about_with_few_values_and_a_broken_one(scan_settings, tmp_path):  # noqa: F811
    uploads = _write(tmp_path, {
        "poor_values.ABOUT": "name: project\nversion:\nlicense_expression:\n",
        "broken.ABOUT": "name: [unclosed\n",
        "nameless.ABOUT": "version: 1.0\n",
    })
    project, run = run_pipeline("about-poor", "load_sbom", uploads=uploads)
    assert run.status == RunStatus.SUCCESS, run.task_output
    (package,) = rows_of(DiscoveredPackage, project)
    assert (package.name, package.version, package.purl) == ("project", "", "")
    assert package.declared_license_expression == "" and package.extra_data == {}
    messages = sorted(row.description for row in rows_of(ProjectMessage, project))
    assert messages[0].startswith("broken.ABOUT: invalid .ABOUT YAML: ")
    assert messages[1:] == [
        "nameless.ABOUT: .ABOUT #1 (no name): no name and no purl",
        "nameless.ABOUT: Field name is required",
    ]


def test_about_files_outside_the_codebase_are_not_read(scan_settings, tmp_path):  # noqa: F811
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me\n")
    climbing = "../" * 40 + str(secret).lstrip("/")
    zero = "../" * 40 + "dev/zero"
    about = f"name: leaky\nlicense_file: {climbing}\nnotice_file: {zero}\n"
    (tmp_path / "upload").mkdir()
    uploads = _write(tmp_path / "upload", {"leaky.ABOUT": about})
    project, run = run_pipeline("about-leak", "load_sbom", uploads=uploads)
    assert run.status == RunStatus.SUCCESS, run.task_output
    (package,) = rows_of(DiscoveredPackage, project)
    assert package.name == "leaky"
    assert package.extracted_license_statement == "" and package.notice_text == ""
    messages = [row.description for row in rows_of(ProjectMessage, project)]
    assert messages == [
        f"leaky.ABOUT: license_file {climbing!r} is not read: it is outside the codebase",
        f"leaky.ABOUT: notice_file {zero!r} is not read: it is outside the codebase",
    ]


def test_unsafe_path(tmp_path):
    root = tmp_path / "codebase"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "LICENSE").write_text("MIT")
    (tmp_path / "outside").write_text("secret")
    os.symlink(tmp_path / "outside", root / "pkg" / "link")
    base = root / "pkg"
    assert sbom_about.unsafe_path("LICENSE", base, root) == ""
    assert sbom_about.unsafe_path("/LICENSE", base, root) == ""
    assert sbom_about.unsafe_path("missing.txt", base, root) == ""
    assert sbom_about.unsafe_path("link", base, root) == "it is outside the codebase"
    assert sbom_about.unsafe_path("../../outside", base, root) == "it is outside the codebase"
    assert sbom_about.unsafe_path("..", base, root) == "it is not a regular file"


def test_scancode_to_spdx():
    assert sbom_about.scancode_to_spdx("bsd-new OR gpl-2.0-plus") == (
        "BSD-3-Clause OR GPL-2.0-or-later"
    )
    assert sbom_about.scancode_to_spdx("mit AND proprietary-license") == (
        "MIT AND LicenseRef-scancode-proprietary-license"
    )
    assert sbom_about.scancode_to_spdx("mit AND (") == ""
