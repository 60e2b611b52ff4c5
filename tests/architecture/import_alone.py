"""Import each module given on the command line first and alone, in a child process.

The parent loads third-party libraries only (to save their start-up time) and no module of
the project; each child, forked from it, imports one project module from scratch. A child
that fails prints its traceback. Exit status: the number of modules that failed.
"""

import importlib
import os
import sys
import traceback

PRELOAD = (
    "sqlalchemy", "sqlmodel", "alembic", "flask", "flask_smorest", "marshmallow",
    "marshmallow_sqlalchemy", "webargs", "apispec", "rq", "redis", "requests", "yaml",
    "jinja2", "click", "openpyxl", "cyclonedx.model.bom", "packageurl", "license_expression",
    "ijson", "gunicorn.app.base",
)


def import_in_child(name: str) -> bool:
    """Fork; the child imports ``name``; return True when it succeeded."""
    pid = os.fork()
    if pid == 0:
        try:
            importlib.import_module(name)
        except BaseException:  # noqa: BLE001 - reported, then the child exits 1
            print(f"--- {name} cannot be imported first:", file=sys.stderr)
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def main(names: list[str]) -> int:
    """Import every module alone; return the number of failures."""
    for library in PRELOAD:
        importlib.import_module(library)
    assert not [m for m in sys.modules if m.split(".")[0] in ("scanapp", "outputs", "pipelines")]
    return sum(not import_in_child(name) for name in names)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
