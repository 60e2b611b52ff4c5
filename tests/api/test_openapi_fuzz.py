"""Schemathesis over ``/api/openapi.json``, in-process (WSGI): no 5xx, every response as documented.

Covers every operation registered when the test runs. Path uuids are either random (404s) or a
stored project's, so the operations also run on real data. Examples are bounded and derandomized.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from scanapp.workdir import workdir_for
from tests.factories import (
    make_dependency,
    make_message,
    make_package,
    make_project,
    make_resource,
    make_run,
)

MAX_EXAMPLES = 15

#: PostgreSQL refuses values SQLite stores (NUL characters, integers over 64 bits): fuzz both.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)


def _store_project() -> str:
    project = make_project("fuzzed", labels=["fuzz"])
    make_resource(project, "src/a.py", programming_language="Python", status="scanned")
    make_package(project)
    make_message(project)
    make_dependency(project)
    make_run(project, status="success", task_exitcode=0)
    make_run(project, "with_groups", selected_groups=["Foo"])
    with (workdir_for(project.slug).input / "upload.zip").open("wb") as handle:
        handle.write(b"PK")
    codebase = workdir_for(project.slug).codebase
    (codebase / "src").mkdir(parents=True, exist_ok=True)
    (codebase / "src" / "a.py").write_text("print('fuzz')\n")
    return project.uuid


@pytest.fixture
def api_schema(app):
    """The app's OpenAPI schema; path uuids sometimes point at a stored project."""
    known = _store_project()
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):
        if "uuid" not in (path_parameters or {}) or context.operation.method.upper() == "DELETE":
            return st.just(path_parameters)
        return st.sampled_from([path_parameters, {**path_parameters, "uuid": known}])

    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_responses_match_the_schema(case):
    case.call_and_validate(checks=[not_a_server_error, response_schema_conformance])
