"""Import each module given on the command line first and alone, in a child process.

The parent loads third-party libraries only (to save their start-up time) and no module of
the project; each child, forked from it, imports one project module from scratch. A child
that fails prints its traceback. Two children run at a time (most of a child's time is
the project's own import; the suite's other worker is often waiting on a server). Exit
status: the number of modules that failed.
"""

import importlib
import os
import sys
import traceback

PRELOAD = (
    "sqlalchemy", "sqlmodel", "alembic", "flask", "flask_smorest", "marshmallow",
    "marshmallow_sqlalchemy", "webargs", "apispec", "rq", "redis", "requests", "yaml",
    "jinja2", "click", "openpyxl", "cyclonedx.model.bom", "packageurl", "license_expression",
    "ijson", "gunicorn.app.base", "attr", "commoncode", "cvss", "flask_limiter", "limits",
    "orjson", "packaging", "prometheus_client", "saneyaml", "semantic_version", "univers",
    "wrapt", "tarfile",
)
#: Children importing at the same time.
AT_ONCE = 2


def start_child(name: str) -> int:
    """Fork a child that imports ``name`` and exits 0 when it could; return its pid."""
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException:  # noqa: BLE001 - reported, then the child exits 1
            print(f"--- {name} cannot be imported first:", file=sys.stderr)
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    return pid


def main(names: list[str]) -> int:
    """Import every module alone; return the number of failures."""
    for library in PRELOAD:
        importlib.import_module(library)
    assert not [m for m in sys.modules if m.split(".")[0] in ("scanapp", "outputs", "pipelines")]
    waiting, running, failures = list(reversed(names)), 0, 0
    while waiting or running:
        while waiting and running < AT_ONCE:
            start_child(waiting.pop())
            running += 1
        _, status = os.wait()
        running -= 1
        failures += os.waitstatus_to_exitcode(status) != 0
    return failures


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
