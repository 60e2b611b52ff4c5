"""map_deploy_to_develop on a Java tree compiled into a jar and a JS bundle with a source map."""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from sqlmodel import select

from scanapp import db
from scanapp.models import CodebaseRelation, CodebaseResource, RunStatus
from tests.conftest import skip_for_missing_service
from tests.pipelines_builtin.conftest import scan_settings  # noqa: F401 - fixture

APP_JAVA = """\
/* Copyright (c) Example */
package com.example;

import com.example.util.Helper;

public class App {
    static class Inner {
        int value() { return 1; }
    }

    public static void main(String[] args) {
        Runnable task = new Runnable() { public void run() {} };
        task.run();
        System.out.println(new Inner().value() + Helper.twice(2));
    }
}
"""
HELPER_JAVA = """\
package com.example.util;

public class Helper {
    public static int twice(int x) { return 2 * x; }
}
"""
APP_JS = "import { add } from './util.js';\nexport function main() { return add(1, 2); }\n"
UTIL_JS = "export function add(a, b) {\n  return a + b;\n}\n"
STYLE_CSS = "body {\n  color: red;\n}\n"
README = "# Demo\n\nShared between the source and the deployed tree.\n"


def _zip(target: Path, files: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return target


def _java_jar(tmp: Path) -> tuple[Path, Path]:
    sources = {
        "src/main/java/com/example/App.java": APP_JAVA,
        "src/main/java/com/example/util/Helper.java": HELPER_JAVA,
    }
    for name, text in sources.items():
        (tmp / "java" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / "java" / name).write_text(text)
    classes = tmp / "classes"
    subprocess.run(
        ["javac", "-d", str(classes), *[str(tmp / "java" / name) for name in sources]],
        check=True,
        timeout=120,
    )
    jar = {
        path.relative_to(classes).as_posix(): path.read_bytes() for path in classes.rglob("*.class")
    }
    jar["META-INF/MANIFEST.MF"] = "Manifest-Version: 1.0\n"
    return _zip(tmp / "app.jar", jar), _zip(tmp / "from-java.zip", sources)


def _js_bundle(tmp: Path) -> tuple[Path, Path]:
    sources = {"web/src/app.js": APP_JS, "web/src/util.js": UTIL_JS, "web/src/style.css": STYLE_CSS}
    source_map = {
        "version": 3,
        "file": "bundle.min.js",
        "sources": ["webpack://demo/./src/app.js", "webpack://demo/./src/util.js"],
        "sourcesContent": [APP_JS, "// not the same content\n"],
        "names": ["add", "main"],
        "mappings": "AAAA",
    }
    deployed = {
        "dist/bundle.min.js": "function n(n,t){return n+t}export function main(){return n(1,2)}\n"
        "//# sourceMappingURL=bundle.min.js.map\n",
        "dist/bundle.min.js.map": json.dumps(source_map),
        "dist/style.min.css": "body{color:red}\n",
        "dist/README.md": README,
        "dist/unknown.bin": b"\x00\x01binary blob with no origin\x02",
    }
    return _zip(tmp / "dist.zip", deployed), _zip(tmp / "web.zip", {**sources, "README.md": README})


@pytest.fixture(scope="module")
def mapped(scan_settings, tmp_path_factory):  # noqa: F811
    if not shutil.which("javac"):
        skip_for_missing_service("javac is not installed (Debian's default-jdk-headless)")
    tmp = tmp_path_factory.mktemp("d2d")
    jar, java_sources = _java_jar(tmp)
    dist, web = _js_bundle(tmp)
    uploads = [(java_sources, ""), (web, "from"), (jar, "to"), (dist, "to")]
    project, run = run_d2d("d2d", uploads, "map_deploy_to_develop:Java,JavaScript")
    assert run.status == RunStatus.SUCCESS, run.task_output
    return project


def run_d2d(name: str, uploads: list, pipeline: str = "map_deploy_to_develop"):
    """Create a project with tagged uploads, run the pipeline; return (project, run)."""
    from scanapp.models import Run
    from scanapp.services.projects import ProjectRequest, create_project
    from scanapp.services.runs import execute_in_process as execute_run

    project = create_project(ProjectRequest(name=name, uploads=uploads, pipelines=[pipeline]))
    with db.session_scope() as session:
        run = session.exec(select(Run).where(Run.project_id == project.id)).one()
    execute_run(run.id)
    with db.session_scope() as session:
        return project, session.get(Run, run.id)


def _relations(project) -> set[tuple[str, str, str]]:
    with db.session_scope() as session:
        paths = dict(
            session.execute(
                select(CodebaseResource.id, CodebaseResource.path).where(
                    CodebaseResource.project_id == project.id
                )
            ).all()
        )
        rows = session.exec(
            select(CodebaseRelation).where(CodebaseRelation.project_id == project.id)
        ).all()
    return {(paths[row.from_resource_id], paths[row.to_resource_id], row.map_type) for row in rows}


def _statuses(project) -> dict[str, tuple[str, str]]:
    with db.session_scope() as session:
        rows = session.exec(
            select(CodebaseResource).where(
                CodebaseResource.project_id == project.id, CodebaseResource.type == "file"
            )
        ).all()
    return {row.path: (row.status, row.tag) for row in rows}


JAVA_FROM = "from/from-java.zip-extract/src/main/java/com/example"
JAR = "to/app.jar-extract/com/example"
WEB = "from/web.zip-extract"
DIST = "to/dist.zip-extract/dist"


def test_java_classes_map_to_sources(mapped):
    relations = _relations(mapped)
    assert (f"{JAVA_FROM}/App.java", f"{JAR}/App.class", "java_to_class") in relations
    assert (f"{JAVA_FROM}/App.java", f"{JAR}/App$Inner.class", "java_to_class") in relations
    assert (f"{JAVA_FROM}/App.java", f"{JAR}/App$1.class", "java_to_class") in relations
    assert (f"{JAVA_FROM}/util/Helper.java", f"{JAR}/util/Helper.class", "java_to_class") in (
        relations
    )


def test_js_bundle_maps_through_its_source_map(mapped):
    relations = _relations(mapped)
    for target in ("bundle.min.js", "bundle.min.js.map"):
        assert (f"{WEB}/web/src/app.js", f"{DIST}/{target}", "js_compiled") in relations
        assert (f"{WEB}/web/src/util.js", f"{DIST}/{target}", "js_compiled") in relations
    assert (f"{WEB}/web/src/style.css", f"{DIST}/style.min.css", "js_path") in relations
    with db.session_scope() as session:
        extra = {
            row.extra_data["content_matches"]
            for row in session.exec(
                select(CodebaseRelation).where(CodebaseRelation.map_type == "js_compiled")
            ).all()
        }
    assert extra == {True, False}  # app.js content embedded as is, util.js content changed


def test_identical_file_maps_by_sha1(mapped):
    assert (f"{WEB}/README.md", f"{DIST}/README.md", "sha1") in _relations(mapped)


def test_statuses_and_tags(mapped):
    statuses = _statuses(mapped)
    assert statuses[f"{DIST}/unknown.bin"] == ("requires-review", "to")
    assert statuses["to/app.jar-extract/META-INF/MANIFEST.MF"] == ("requires-review", "to")
    assert statuses[f"{JAR}/App.class"] == ("mapped", "to")
    assert statuses["to/app.jar"] == ("archive-extracted", "to")
    assert statuses[f"{JAVA_FROM}/App.java"][1] == "from"
    unmapped = {path for path, (status, _) in statuses.items() if status == "requires-review"}
    assert unmapped == {f"{DIST}/unknown.bin", "to/app.jar-extract/META-INF/MANIFEST.MF"}


def test_without_groups_only_checksum_and_path(scan_settings, tmp_path):  # noqa: F811
    dist, web = _js_bundle(tmp_path)
    project, run = run_d2d("d2d-plain", [(web, "from"), (dist, "to")])
    assert run.status == RunStatus.SUCCESS
    types = {map_type for _, _, map_type in _relations(project)}
    assert types == {"sha1"}
    assert _statuses(project)[f"{DIST}/bundle.min.js"][0] == "requires-review"


def test_untagged_input_fails_with_message(scan_settings, tmp_path):  # noqa: F811
    dist, web = _js_bundle(tmp_path)
    _, run = run_d2d("d2d-untagged", [(web, ""), (dist, "to")])
    assert run.status == RunStatus.FAILURE
    assert "web.zip not tagged 'from' or 'to'" in run.task_output


def test_relations_endpoint(mapped):
    from scanapp.api import create_app

    client = create_app({"TESTING": True}).test_client()
    url = f"/api/projects/{mapped.uuid}/relations/"
    body = client.get(url, query_string={"map_type": "java_to_class"}).get_json()
    assert body["count"] == 4 and body["next"] is None
    first = body["results"][0]
    assert first == {
        "from_resource": f"{JAVA_FROM}/App.java",
        "to_resource": f"{JAR}/App$1.class",
        "map_type": "java_to_class",
        "score": 1.0,
        "extra_data": {"qualified_path": "com/example/App"},
    }
    by_path = client.get(url, query_string={"to_resource": f"{DIST}/README.md"}).get_json()
    assert [item["map_type"] for item in by_path["results"]] == ["sha1"]
    total = client.get(url).get_json()["count"]
    assert total == len(_relations(mapped))
    bad = client.get(url, query_string={"colour": "red"})
    assert bad.status_code == 400 and "colour" in bad.get_data(as_text=True)
    missing = "/api/projects/00000000-0000-0000-0000-000000000000/relations/"
    assert client.get(missing).status_code == 404


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_relations_endpoint_on_factories(client):
    from tests.factories import make_project, make_resource

    project = make_project("relations")
    source = make_resource(project, "from/src/a.js", tag="from")
    targets = [make_resource(project, f"to/dist/{name}", tag="to") for name in ("a.js", "b.js")]
    with db.session_scope() as session:
        for target, map_type in zip(targets, ("sha1", "js_path"), strict=True):
            session.add(
                CodebaseRelation(
                    project_id=project.id,
                    from_resource_id=source.id,
                    to_resource_id=target.id,
                    map_type=map_type,
                    score=0.5,
                )
            )
    url = f"/api/projects/{project.uuid}/relations/"
    body = client.get(url).get_json()
    assert [item["to_resource"] for item in body["results"]] == ["to/dist/a.js", "to/dist/b.js"]
    assert body["results"][1] == {
        "from_resource": "from/src/a.js",
        "to_resource": "to/dist/b.js",
        "map_type": "js_path",
        "score": 0.5,
        "extra_data": {},
    }
    only = client.get(url, query_string={"from_resource": "from/src/a.js", "score": "0.5",
                                         "map_type": "sha1"}).get_json()
    assert only["count"] == 1 and only["results"][0]["to_resource"] == "to/dist/a.js"
    assert client.get(url, query_string={"score": "high"}).status_code == 400


def test_inline_source_map_and_source_paths(tmp_path):
    import base64

    from scanapp.pipes import d2d_js

    source_map = {"version": 3, "sourceRoot": "webpack:///", "sources": ["./lib/x.ts", "../y.ts"]}
    encoded = base64.b64encode(json.dumps(source_map).encode()).decode()
    bundle = tmp_path / "x.js"
    bundle.write_text(f"x()\n//# sourceMappingURL=data:application/json;base64,{encoded}\n")
    data, where = d2d_js.source_map_of(bundle)
    assert where == "inline"
    assert [parts for parts, _ in d2d_js.map_sources(data)] == [["lib", "x.ts"], ["y.ts"]]
    escaping = tmp_path / "z.js"
    escaping.write_text("z()\n//# sourceMappingURL=../../etc/passwd\n")
    assert d2d_js.source_map_of(escaping) == (None, "")
    assert d2d_js.source_names("app.min.js")[:3] == ["app.js", "app.jsx", "app.ts"]
