"""Pages that act for the signed-in user (organizations, tokens): who, and refusals shown.

These pages need a user whether authentication is on or off (as ``/api/organizations/`` and
``/api/user/tokens/`` need a key): nobody signed in sees a sign-in link instead. A service's
refusal of a form (a role too low, a name taken) is flashed on the page the form goes back
to; a 404 (an organization of others, a token gone) stays an error page.
"""

from __future__ import annotations

import functools

from flask import flash, g, render_template, request

from scanapp.errors import NotFoundError, ScanappError


def needs_user(view):
    """Call ``view(caller, ...)`` with the signed-in caller; ask to sign in when none is."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        caller = g.get("web_caller")
        if caller is None:
            return render_template("sign_in_needed.html", next=request.path)
        return view(caller, *args, **kwargs)
    return wrapper


def act(action) -> bool:
    """Run ``action``; flash its refusal (a 404 is raised on) and tell whether it acted."""
    try:
        action()
    except NotFoundError:
        raise
    except ScanappError as error:
        flash(error.message, "error")
        return False
    return True
