"""No SSRF by DNS rebinding: the address checked is the address connected to, on every hop.

A stub resolver answers a public address for ``rebind.test`` once, then 127.0.0.1: a client
that checks the name and then lets the connection resolve it again reaches the loopback
server. scanapp must not, for an input download, a redirect hop and a webhook.
"""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from scanapp import downloads
from scanapp.downloads import FetchError, FetchOptions
from scanapp.netguard import AddressRefusedError, checked_address

PUBLIC = "93.184.216.34"


class Loopback:
    """An HTTP server on 127.0.0.1 that counts what reaches it (nothing should)."""

    def __init__(self):
        self.hits: list[str] = []
        loopback = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                loopback.hits.append(f"{self.command} {self.path}")
                if self.path == "/hop":
                    self.send_response(302)
                    self.send_header("Location", f"http://rebind.test:{loopback.port}/secret")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = b"secret"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = _answer  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def loopback():
    server = Loopback()
    yield server
    server.close()


@pytest.fixture
def rebinding(monkeypatch):
    """``rebind.test`` resolves to a public address the first time, then to 127.0.0.1."""
    real = socket.getaddrinfo
    answers = {"count": 0}

    def getaddrinfo(host, port, *args, **kwargs):
        if str(host).startswith("rebind.test"):
            answers["count"] += 1
            return real(PUBLIC if answers["count"] == 1 else "127.0.0.1", port, *args, **kwargs)
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


def test_a_download_never_reaches_the_address_a_second_resolution_gives(
    loopback, rebinding, tmp_path
):
    url = f"http://rebind.test:{loopback.port}/secret.tar.gz"
    with pytest.raises(FetchError, match="non-public address 127.0.0.1"):
        downloads.download(url, tmp_path, FetchOptions(timeout=3))
    assert loopback.hits == [] and rebinding["count"] >= 2
    assert list(tmp_path.iterdir()) == []


def test_a_redirect_hop_is_checked_and_pinned_too(loopback, rebinding, tmp_path, monkeypatch):
    real_check = downloads.checked_address
    # "localhost" plays a public host serving the first hop; the redirect goes to rebind.test.
    monkeypatch.setattr(downloads, "checked_address", lambda host, allow_private: "127.0.0.1"
                        if host == "localhost" else real_check(host, allow_private=allow_private))
    with pytest.raises(FetchError, match="non-public address 127.0.0.1"):
        downloads.download(f"http://localhost:{loopback.port}/hop", tmp_path,
                           FetchOptions(timeout=3))
    assert loopback.hits == ["GET /hop"]
    assert list(tmp_path.iterdir()) == []


def test_a_webhook_never_reaches_the_address_a_second_resolution_gives(
    loopback, rebinding, settings
):
    from scanapp.services import webhook_delivery

    status, text, error = webhook_delivery.post(
        f"http://rebind.test:{loopback.port}/hook", b"{}", {"Content-Type": "application/json"}
    )
    assert status is None and PUBLIC in error  # it went to the address it checked
    assert loopback.hits == []


def test_the_pinned_connection_keeps_the_host_header(loopback, monkeypatch, tmp_path):
    received = {}
    real_check = downloads.checked_address
    monkeypatch.setattr(downloads, "checked_address", lambda host, allow_private: "127.0.0.1"
                        if host == "files.example.com" else real_check(host, allow_private))
    original = loopback.server.RequestHandlerClass.do_GET

    def capture(handler):
        received["host"] = handler.headers["Host"]
        original(handler)

    monkeypatch.setattr(loopback.server.RequestHandlerClass, "do_GET", capture)
    path = downloads.download(f"http://files.example.com:{loopback.port}/secret.txt", tmp_path,
                              FetchOptions(timeout=3))
    assert path.read_bytes() == b"secret"
    assert received["host"] == f"files.example.com:{loopback.port}"


@pytest.mark.parametrize("host", ["x.invalid", "nothing-here.example.invalid"])
def test_a_name_that_does_not_resolve_is_refused(host):
    with pytest.raises(AddressRefusedError, match="does not resolve"):
        checked_address(host, allow_private=True)


@pytest.mark.parametrize("target", ["http://x.invalid/hook", "http://foo.localhost/hook"])
def test_a_webhook_target_that_does_not_resolve_or_is_local_is_refused(client, target):
    response = client.post("/api/projects/", json={"name": "hooked", "webhook_url": target})
    assert response.status_code == 400
    assert "webhooks" in response.json["errors"]
    assert client.get("/api/projects/").json["count"] == 0


def test_git_clones_other_than_http_are_refused_without_private_urls(tmp_path):
    from scanapp.pipes import fetch

    for url in ("git://example.com/repo.git", "ssh://example.com/repo.git",
                f"file://{tmp_path}/repo.git"):
        with pytest.raises(FetchError, match="only http"):
            fetch.clone(url, tmp_path, FetchOptions(timeout=3))
