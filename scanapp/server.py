"""``scanapp serve``: the API under gunicorn, whose own errors (414, 431, 400...) are JSON too.

gunicorn answers a request it cannot parse (a request line over ``limit_request_line``,
headers over their limits, a bad method) before the application sees it, with an HTML page
written by ``gunicorn.util.write_error``; :func:`write_json_error` replaces that writer so
every error a client gets is the API's JSON shape.

The objects made at start (modules, the application) are frozen out of the garbage
collector (``gc.freeze``): a full collection would walk them all, pausing a request for
tens of milliseconds, and would write to pages the workers share with the master.
"""

from __future__ import annotations

import gc
import json
import logging

from gunicorn import util
from gunicorn.app.base import BaseApplication

from scanapp.api import create_app


def write_json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    """Write gunicorn's error answer as ``{"code", "status", "message"}`` JSON."""
    body = json.dumps({"code": status_int, "status": reason, "message": mesg or reason}).encode()
    head = (f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    util.write_nonblock(sock, head.encode("latin1") + body)


class Server(BaseApplication):
    """gunicorn running the scanapp WSGI application."""

    def __init__(self, options: dict):
        """Serve with these gunicorn settings (bind, workers...)."""
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        """Apply the options."""
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        """Return the WSGI application (in each worker), its objects frozen out of the GC."""
        app = create_app()
        gc.freeze()
        return app


def serve(host: str, port: int, workers: int) -> None:
    """Serve the API until stopped; errors gunicorn answers itself are JSON.

    The access log (``scanapp.access``: method, path, status, duration, user) goes to
    standard error with gunicorn's own log.
    """
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s [%(process)d] %(name)s %(levelname)s %(message)s")
    util.write_error = write_json_error
    gc.freeze()  # before the workers are forked: they share these objects' pages
    Server({"bind": f"{host}:{port}", "workers": workers, "timeout": 300}).run()
