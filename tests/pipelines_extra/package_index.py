"""Package repositories on 127.0.0.1 for tests: a PyPI (simple index + JSON API), a Maven repo.

Both serve real files the tests build (wheels, jars, POMs) over a real HTTP server; the
server records every path it was asked for, so a test can tell what the client fetched.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import threading
import zipfile
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


def normalize(name: str) -> str:
    """Return the PEP 503 normalized name of a project."""
    return re.sub(r"[-_.]+", "-", name).lower()


@dataclass
class Dist:
    """A small project release: name, version, requirements and license."""

    name: str
    version: str
    requires: list[str] = field(default_factory=list)
    license: str = "MIT"

    @property
    def wheel_name(self) -> str:
        """The wheel's file name (PEP 427)."""
        return f"{self.name.replace('-', '_')}-{self.version}-py3-none-any.whl"


def build_wheel(dist: Dist, folder: Path) -> Path:
    """Write a real pure-Python wheel of ``dist`` (METADATA, WHEEL, RECORD) into ``folder``."""
    module = dist.name.replace("-", "_")
    info = f"{module}-{dist.version}.dist-info"
    metadata = "\n".join([
        "Metadata-Version: 2.1",
        f"Name: {dist.name}",
        f"Version: {dist.version}",
        f"Summary: The {dist.name} test project",
        f"License: {dist.license}",
        "Requires-Python: >=3.8",
        *[f"Requires-Dist: {requirement}" for requirement in dist.requires],
        "",
    ])
    files = {
        f"{module}/__init__.py": f'"""{dist.name}."""\n',
        f"{info}/METADATA": metadata,
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    records = []
    for name, text in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=")
        records.append(f"{name},sha256={digest.decode()},{len(text.encode())}")
    files[f"{info}/RECORD"] = "\n".join([*records, f"{info}/RECORD,,", ""])
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / dist.wheel_name
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return target


class Repository:
    """A threaded HTTP server on 127.0.0.1 serving what ``routes`` maps paths to."""

    def __init__(self):
        """Start serving on a free port (``url``); ``requested`` lists the paths asked for."""
        self.routes: dict[str, tuple[bytes, str]] = {}
        self.requested: list[str] = []
        repository = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server naming
                path = self.path.split("?", 1)[0]
                repository.requested.append(path)
                found = repository.routes.get(path) or repository.routes.get(path + "/")
                if found is None:
                    self.send_error(404)
                    return
                body, content_type = found
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(self, path: str, body: bytes, content_type: str = "application/octet-stream"):
        """Serve ``body`` at ``path``."""
        self.routes[path] = (body, content_type)

    def close(self) -> None:
        """Stop the server."""
        self.server.shutdown()
        self.server.server_close()


class PyPI(Repository):
    """A PyPI: the PEP 503 simple index at ``/simple/`` and the JSON API at ``/pypi/``."""

    def __init__(self):
        """Start an empty index."""
        super().__init__()
        self.links: dict[str, list[str]] = {}

    def publish(self, dist: Dist, folder: Path) -> Path:
        """Build the wheel of ``dist``, list it in the simple index and the JSON API."""
        wheel = build_wheel(dist, folder)
        data = wheel.read_bytes()
        sha256 = hashlib.sha256(data).hexdigest()
        file_path = f"/files/{wheel.name}"
        self.add(file_path, data)
        project = normalize(dist.name)
        links = self.links.setdefault(project, [])
        links.append(
            f'<a href="{self.url}{file_path}#sha256={sha256}" data-requires-python="&gt;=3.8">'
            f"{html.escape(wheel.name)}</a>"
        )
        page = "<!DOCTYPE html><html><body>\n" + "<br/>\n".join(links) + "\n</body></html>"
        self.add(f"/simple/{project}/", page.encode(), "text/html")
        release = {
            "info": {
                "name": dist.name,
                "version": dist.version,
                "summary": f"The {dist.name} test project",
                "license": dist.license,
                "home_page": f"https://example.com/{project}",
                "requires_dist": dist.requires or None,
                "classifiers": [],
                "project_urls": {},
            },
            "urls": [
                {
                    # python-inspector joins a non-https file URL of the JSON API to the API
                    # root (``/pypi``), as a path relative to it.
                    "url": f"/../files/{wheel.name}",
                    "filename": wheel.name,
                    "packagetype": "bdist_wheel",
                    "size": len(data),
                    "digests": {"sha256": sha256, "md5": hashlib.md5(data).hexdigest()},  # noqa: S324
                    "md5_digest": hashlib.md5(data).hexdigest(),  # noqa: S324
                    "upload_time": "2024-01-02T03:04:05",
                }
            ],
        }
        body = json.dumps(release).encode()
        self.add(f"/pypi/{project}/{dist.version}/json", body, "application/json")
        return wheel


POM = """\
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>{group}</groupId>
  <artifactId>{artifact}</artifactId>
  <version>{version}</version>
  <name>Demo library</name>
  <licenses>
    <license>
      <name>The Apache Software License, Version 2.0</name>
      <url>https://www.apache.org/licenses/LICENSE-2.0.txt</url>
    </license>
  </licenses>
  <dependencies>
    <dependency>
      <groupId>org.slf4j</groupId>
      <artifactId>slf4j-api</artifactId>
      <version>2.0.9</version>
    </dependency>
  </dependencies>
</project>
"""


def build_jar(target: Path, files: dict[str, bytes | str]) -> Path:
    """Write a jar (a zip whose first entry is META-INF/MANIFEST.MF) with ``files``."""
    manifest = "Manifest-Version: 1.0\nCreated-By: tests\n"
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("META-INF/MANIFEST.MF", manifest)
        for name, content in files.items():
            archive.writestr(name, content)
    return target


class MavenRepository(Repository):
    """A Maven 2 layout repository: ``<group path>/<artifact>/<version>/<file>``."""

    def publish(self, group: str, artifact: str, version: str, name: str, body: bytes) -> str:
        """Serve a file of an artifact version; return its path."""
        path = f"/maven2/{group.replace('.', '/')}/{artifact}/{version}/{name}"
        kind = "application/xml" if name.endswith(".pom") else "application/java-archive"
        self.add(path, body, kind)
        return path
