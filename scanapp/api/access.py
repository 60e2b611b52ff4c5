"""Who a request acts for, and the project role a route needs (``services.access``'s rules).

With authentication off every request acts as the operator (None): open, as ScanCode.io is.
With it on, a project route declares the role it needs with ``@project_role("member")`` (or
``@run_role`` for the ``/api/runs/<uuid>/`` routes): a project the caller may not see answers
404, as if it did not exist, before the request's body is read; a lower role answers 403.
"""

from __future__ import annotations

import functools

from flask import g

from scanapp.config import get_settings
from scanapp.services import access
from scanapp.services.users import Caller


def caller() -> Caller | None:
    """Return who the request acts for: None (the operator) where authentication is off."""
    if not get_settings().require_authentication:
        return None
    return g.get("caller")


def _declare(check, need: str):
    def decorate(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            check(str(kwargs["uuid"]), caller(), need)
            return view(*args, **kwargs)

        checked.project_role = need
        return checked

    return decorate


def project_role(need: str):
    """Declare that the route needs the role ``need`` on the project of its ``uuid``."""
    return _declare(access.require_project, need)


def run_role(need: str):
    """Declare that the route needs the role ``need`` on the project of the run ``uuid``."""
    return _declare(access.require_run, need)
