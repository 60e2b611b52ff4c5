"""A real HTTP server on 127.0.0.1 publishing OSV exports as osv.dev does (ETag, Last-Modified).

It answers ``304 Not Modified`` to a request whose ``If-None-Match`` names the current ETag,
and records every request (method, path, validators sent).
"""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class OSVServer:
    """Serve ``exports`` (URL path -> zip bytes); every other path is a 404."""

    def __init__(self):
        self.exports: dict[str, bytes] = {}
        self.requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        """Return the URL of ``path`` on this server."""
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def publish(self, path: str, zip_path: Path) -> str:
        """Serve the zip at ``path``; return its URL."""
        self.exports[path] = zip_path.read_bytes()
        return self.url(path)

    def gets(self, path: str) -> list[dict]:
        """Return the requests made for ``path``."""
        return [request for request in self.requests if request["path"] == path]

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()

    def _handler(self):
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                owner.requests.append({"path": self.path,
                                       "if_none_match": self.headers.get("If-None-Match"),
                                       "if_modified_since": self.headers.get("If-Modified-Since")})
                body = owner.exports.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/zip")
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", "Wed, 01 May 2024 00:00:00 GMT")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler
