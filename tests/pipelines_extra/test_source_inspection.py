"""The source and binary inspection add-ons on a real codebase built by the test.

A zip of three source files (C, Python, JavaScript) and an ELF compiled from the C file
with ``gcc -g`` is collected by inspect_packages; then each add-on runs on it for real:
Universal Ctags, Pygments, tree-sitter, GNU xgettext, elf-inspector, matchcode-toolkit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from scanapp import db
from scanapp.errors import InvalidInputError
from scanapp.models import CodebaseResource, ProjectMessage, Run, RunStatus
from scanapp.pipes import strings, symbols
from tests.conftest import skip_for_missing_service
from tests.pipelines_builtin.conftest import scan_settings  # noqa: F401

ADDONS = (
    "collect_symbols_ctags",
    "collect_symbols_pygments",
    "collect_symbols_tree_sitter",
    "collect_strings_gettext",
    "inspect_elf_binaries",
    "fingerprint_codebase",
)
ROOT = "sources.zip-extract/sources"

C_SOURCE = """\
#include <stdio.h>

/* Greet the user. */
static const char *greeting = "Hello from scanapp";

int add_numbers(int a, int b) { return a + b; }

int main(void) {
    printf("%s: %d\\n", greeting, add_numbers(2, 3));
    return 0;
}
"""
PY_SOURCE = '''\
"""Utilities to greet people."""


class Greeter:
    def greet_user(self, name):
        # say hello to someone
        return "Hello, " + name
'''
JS_SOURCE = """\
function computeTotal(items) {
  const label = "total price";
  return items.length + label.length;
}
"""


@pytest.fixture(scope="module")
def tools():
    """Skip without gcc, ctags or xgettext (make test installs them); fail under CI=true."""
    missing = [name for name in ("gcc", "ctags", "xgettext") if shutil.which(name) is None]
    if missing:
        skip_for_missing_service(f"{', '.join(missing)} not installed (.ci/services.sh)")


@pytest.fixture(scope="module")
def sources(tools, tmp_path_factory) -> Path:
    """The zip: src/hello.c, src/util.py, web/app.js and bin/hello built with ``gcc -g``."""
    build = tmp_path_factory.mktemp("build")
    (build / "hello.c").write_text(C_SOURCE)
    # The debug paths name /src/project/hello.c whatever the temporary folder is.
    subprocess.run(
        ["gcc", "-g", "-O0", f"-fdebug-prefix-map={build}=/src/project", "-o", "hello",
         "hello.c"],
        cwd=build, check=True, capture_output=True,
    )
    archive = build / "sources.zip"
    with zipfile.ZipFile(archive, "w") as target:
        target.writestr("sources/src/hello.c", C_SOURCE)
        target.writestr("sources/src/util.py", PY_SOURCE)
        target.writestr("sources/web/app.js", JS_SOURCE)
        target.write(build / "hello", "sources/bin/hello")
    return archive


@pytest.fixture(scope="module")
def project(scan_settings, sources):  # noqa: F811
    """inspect_packages then the six add-ons, each run executed in turn.

    Returns the project and the ``extra_data`` of every resource after each run: several
    add-ons write ``source_symbols`` or ``source_strings``, each test looks at its own run.
    """
    after = {}
    created = run_project(
        "inspected-sources", sources, ["inspect_packages", *ADDONS],
        each=lambda run: after.update({run.pipeline_name: all_extra_data(run.project_id)}),
    )
    return created, after


def run_project(name: str, upload: Path, pipelines: list[str], each=lambda run: None):
    """Create a project with ``pipelines`` on ``upload``; execute its runs in turn."""
    from scanapp.services.projects import ProjectRequest, create_project
    from scanapp.services.runs import execute_in_process

    created = create_project(
        ProjectRequest(
            name=name, uploads=[(upload, "")], input_urls=[], pipelines=pipelines, settings={}
        )
    )
    with db.session_scope() as session:
        runs = session.exec(
            select(Run).where(Run.project_id == created.id).order_by(Run.id)
        ).all()
    for run in runs:
        execute_in_process(run.id)
        each(run)
    return created


def all_extra_data(project_id: int) -> dict[str, dict]:
    """Return the extra_data of each resource of the project, by path."""
    with db.session_scope() as session:
        rows = session.exec(
            select(CodebaseResource).where(CodebaseResource.project_id == project_id)
        ).all()
        return {row.path: row.extra_data for row in rows}


def run_of(project, pipeline: str) -> Run:
    with db.session_scope() as session:
        return session.exec(
            select(Run).where(Run.project_id == project.id, Run.pipeline_name == pipeline)
        ).one()


def test_every_addon_run_succeeds_without_error_message(project):
    project, _ = project
    for pipeline in ("inspect_packages", *ADDONS):
        run = run_of(project, pipeline)
        assert run.status == RunStatus.SUCCESS, (pipeline, run.task_output)
    with db.session_scope() as session:
        messages = session.exec(
            select(ProjectMessage).where(ProjectMessage.project_id == project.id)
        ).all()
    assert [message.description for message in messages] == []


def test_ctags_symbols(project):
    _, after = project
    found = after["collect_symbols_ctags"]
    assert found[f"{ROOT}/src/hello.c"]["source_symbols"] == ["add_numbers", "greeting", "main"]
    assert found[f"{ROOT}/src/util.py"]["source_symbols"] == ["Greeter", "greet_user"]
    assert found[f"{ROOT}/web/app.js"]["source_symbols"] == ["computeTotal"]
    # Binaries and directories are not read by the source tools.
    assert found[f"{ROOT}/bin/hello"] == {} and found[f"{ROOT}/src"] == {}


def test_pygments_symbols_strings_and_comments(project):
    _, after = project
    data = after["collect_symbols_pygments"][f"{ROOT}/src/util.py"]
    assert data["source_symbols"] == ["Greeter", "greet_user"]
    assert "Hello," in data["source_strings"]
    assert data["source_comments"] == []  # source-inspector keeps no comment by default
    c_file = after["collect_symbols_pygments"][f"{ROOT}/src/hello.c"]
    assert c_file["source_symbols"] == ["add_numbers", "main"]
    assert "Hello from scanapp" in c_file["source_strings"]


def test_tree_sitter_symbols_and_strings(project):
    _, after = project
    found = after["collect_symbols_tree_sitter"]
    data = found[f"{ROOT}/web/app.js"]
    assert data["source_symbols"] == ["computeTotal", "items", "label", "items", "label"]
    assert data["source_strings"] == ["total price"]
    assert found[f"{ROOT}/src/hello.c"]["source_strings"] == [
        '"Hello from scanapp"', '"%s: %d\\n"'
    ]
    assert "greet_user" in found[f"{ROOT}/src/util.py"]["source_symbols"]


def test_xgettext_strings(project):
    _, after = project
    found = after["collect_strings_gettext"]
    assert found[f"{ROOT}/src/hello.c"]["source_strings"] == ["Hello from scanapp", "%s: %d"]
    assert found[f"{ROOT}/web/app.js"]["source_strings"] == ["total price"]
    assert found[f"{ROOT}/src/util.py"]["source_strings"] == [
        "Utilities to greet people.", "Hello,"
    ]


def test_dwarf_paths_of_the_elf(project):
    _, after = project
    found = after["inspect_elf_binaries"]
    data = found[f"{ROOT}/bin/hello"]
    assert data["compiled_paths"] == ["src/project/hello.c"]
    assert "usr/include/stdio.h" in data["included_paths"]
    assert "compiled_paths" not in found[f"{ROOT}/src/hello.c"]


def test_directory_and_file_fingerprints(project):
    _, after = project
    found = after["fingerprint_codebase"]
    # Four non-empty files under the root: the count in 8 hex digits, then the 128-bit hash.
    root = found[ROOT]
    assert root["directory_content"].startswith("00000004")
    assert len(root["directory_content"]) == len(root["directory_structure"]) == 40
    assert found[f"{ROOT}/src"]["directory_structure"].startswith("00000002")
    # web/ holds one file: too few for a fingerprint.
    assert found[f"{ROOT}/web"] == {"directory_content": "", "directory_structure": ""}
    source = found[f"{ROOT}/src/hello.c"]
    assert len(source["halo1"]) == 40 and source["snippets"]
    assert len(source["stemmed_halo1"]) == 40 and source["stemmed_snippets"]
    # Merged into what the earlier add-ons stored; a binary gets no text fingerprint.
    assert source["source_strings"] == ["Hello from scanapp", "%s: %d"]
    assert "halo1" not in found[f"{ROOT}/bin/hello"]


def test_pipelines_are_listed_available_as_addons(project):
    from scanapp.registry import get_pipeline

    for name in ADDONS:
        info = get_pipeline(name).info()
        assert (info["is_addon"], info["is_available"], info["unavailable_reason"]) == (
            True, True, ""
        ), name


def test_missing_ctags_makes_the_pipeline_unavailable(scan_settings, monkeypatch, tmp_path):  # noqa: F811
    from scanapp.registry import get_pipeline, resolve_spec

    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no ctags, no xgettext
    symbols.ctags_problem.cache_clear()
    strings.xgettext_problem.cache_clear()
    try:
        info = get_pipeline("collect_symbols_ctags").info()
        assert info["is_available"] is False
        assert info["unavailable_reason"] == (
            "ctags is not installed (Debian/Ubuntu: apt-get install universal-ctags)."
        )
        with pytest.raises(InvalidInputError, match="apt-get install gettext"):
            resolve_spec("collect_strings_gettext")
    finally:
        monkeypatch.setenv("PATH", os.environ["PATH"])
        symbols.ctags_problem.cache_clear()
        strings.xgettext_problem.cache_clear()


def test_a_file_that_fails_is_reported_and_the_run_goes_on(scan_settings, tmp_path):  # noqa: F811
    folder = tmp_path / "mixed"
    folder.mkdir()
    latin1 = "Café crème brûlée, déjà vu à la carte\n".encode("latin-1")
    (folder / "latin1.txt").write_bytes(latin1 * 3)
    (folder / "good.txt").write_text("plain words for a fingerprint of a text file\n" * 3)
    pipelines = ["inspect_packages", "fingerprint_codebase"]
    created = run_project("fingerprint-errors", folder, pipelines)
    assert run_of(created, "fingerprint_codebase").status == RunStatus.SUCCESS
    found = all_extra_data(created.id)
    assert len(found["mixed/good.txt"]["halo1"]) == 40
    with db.session_scope() as session:
        messages = session.exec(
            select(ProjectMessage).where(ProjectMessage.project_id == created.id)
        ).all()
        bad = session.exec(
            select(CodebaseResource).where(
                CodebaseResource.project_id == created.id,
                CodebaseResource.path == "mixed/latin1.txt",
            )
        ).one()
    # matchcode-toolkit reads text as UTF-8, as in ScanCode.io: a Latin-1 file fails.
    assert [(m.model, m.details["resource_path"]) for m in messages] == [
        ("fingerprint_codebase", "mixed/latin1.txt")
    ]
    assert messages[0].description.startswith(
        "Cannot collect fingerprints from mixed/latin1.txt: UnicodeDecodeError"
    )
    assert bad.status == "scanned-with-error" and "halo1" not in bad.extra_data
