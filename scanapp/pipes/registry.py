"""Pull ``docker://`` images from a registry (Docker Registry HTTP API v2) into an OCI layout.

``docker://[registry[:port]/]name[:tag|@digest]``; without a registry, Docker Hub
(``docker://alpine:3.19`` is ``registry-1.docker.io/library/alpine:3.19``). Anonymous
bearer tokens are asked for when the registry wants them. A multi-platform image gives
the linux manifest of this host's architecture (else amd64). Every blob is checked
against its digest. Loopback registries are spoken to over plain http, as Docker does;
the usual address checks of downloads apply to every request and redirect.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from scanapp.downloads import CHUNK, FetchError, FetchOptions, open_url
from scanapp.filenames import safe_filename, unique_target
from scanapp.pipes.docker_image import OCI_INDEX_TYPES, choose_platform

DOCKER_HUB = "registry-1.docker.io"
MANIFEST_TYPES = (
    *OCI_INDEX_TYPES,
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_LOOPBACK = ("localhost", "127.", "[::1]")


@dataclass(frozen=True)
class Reference:
    """A parsed ``docker://`` reference."""

    registry: str
    repository: str
    reference: str

    @property
    def base(self) -> str:
        """Return the registry's v2 API URL of the repository."""
        scheme = "http" if self.registry.startswith(_LOOPBACK) else "https"
        return f"{scheme}://{self.registry}/v2/{self.repository}"

    @property
    def tag(self) -> str:
        """Return the tag (or digest) as a name: ``1.0`` or ``sha256-<hex>``."""
        return self.reference.replace(":", "-")


def parse_reference(url: str) -> Reference:
    """Split ``docker://[registry/]name[:tag|@digest]``; raise FetchError when malformed."""
    value = url.removeprefix("docker://").strip("/")
    name, _, digest = value.partition("@")
    tag = "latest"
    slash, colon = name.rfind("/"), name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, repository = first, rest
    else:
        registry, repository = DOCKER_HUB, name if "/" in name else f"library/{name}"
    if digest and not _DIGEST.match(digest):
        raise FetchError(f"{url}: invalid digest {digest!r}")
    if not re.fullmatch(r"[a-z0-9]+([._/-][a-z0-9]+)*", repository or "") or not tag:
        raise FetchError(f"{url}: invalid image reference")
    return Reference(registry, repository, digest or tag)


class _Client:
    """Requests to one repository, with an anonymous bearer token when asked for."""

    def __init__(self, reference: Reference, options: FetchOptions, url: str):
        self.reference, self.options, self.url = reference, options, url
        self.token = ""

    def get(self, path: str, accept: str = ""):
        headers = {"Accept": accept} if accept else {}
        for _ in range(2):
            if self.token:
                headers["Authorization"] = f"Bearer {self.token}"
            response = open_url(
                f"{self.reference.base}/{path}", self.options, headers=headers, accept=(401,)
            )
            if response.status_code != 401:
                return response
            challenge = response.headers.get("www-authenticate", "")
            response.close()
            if self.token or not challenge.lower().startswith("bearer"):
                break
            self.token = self._token(challenge)
        raise FetchError(f"{self.url}: the registry refused access (HTTP 401)")

    def _token(self, challenge: str) -> str:
        fields = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
        if "realm" not in fields:
            raise FetchError(f"{self.url}: bearer challenge without realm")
        query = {key: fields[key] for key in ("service", "scope") if key in fields}
        response = open_url(f"{fields['realm']}?{urlencode(query)}", self.options)
        with response:
            try:
                answer = response.json()
            except ValueError:
                raise FetchError(f"{self.url}: the token service answer is not JSON") from None
        token = answer.get("token") or answer.get("access_token")
        if not token:
            raise FetchError(f"{self.url}: the token service gave no token")
        return token

    def manifest(self, reference: str) -> tuple[dict, bytes, str]:
        """Return (document, raw bytes, media type) of a manifest or index."""
        response = self.get(f"manifests/{reference}", accept=", ".join(MANIFEST_TYPES))
        with response:
            raw = response.content
        try:
            document = json.loads(raw)
        except ValueError:
            raise FetchError(f"{self.url}: the manifest is not JSON") from None
        media_type = document.get("mediaType") or response.headers.get("content-type", "")
        return document, raw, media_type.split(";")[0].strip()

    def blob(self, digest: str, target: Path, budget: list[int]) -> int:
        """Download a blob into ``target``, checking its digest; return its size."""
        if not _DIGEST.match(str(digest)):
            raise FetchError(f"{self.url}: unsupported digest {digest!r}")
        hasher, size = hashlib.sha256(), 0
        response = self.get(f"blobs/{digest}")
        with response, open(target, "wb") as handle:
            for chunk in response.iter_content(CHUNK):
                size += len(chunk)
                budget[0] -= len(chunk)
                if budget[0] < 0:
                    limit = self.options.max_size
                    raise FetchError(f"{self.url}: image over the {limit} bytes limit")
                hasher.update(chunk)
                handle.write(chunk)
        if f"sha256:{hasher.hexdigest()}" != digest:
            raise FetchError(f"{self.url}: blob {digest} does not match its digest")
        return size


def pull(url: str, folder: Path, options: FetchOptions) -> Path:
    """Pull the image of a ``docker://`` reference into ``folder/<name>_<tag>/`` (OCI layout)."""
    reference = parse_reference(url)
    client = _Client(reference, options, url)
    document, raw, media_type = client.manifest(reference.reference)
    if media_type in OCI_INDEX_TYPES or "manifests" in document:
        chosen = choose_platform(document.get("manifests") or [])
        document, raw, media_type = client.manifest(chosen.get("digest", ""))
    if "config" not in document or "layers" not in document:
        raise FetchError(f"{url}: unsupported manifest ({media_type or 'no media type'})")
    name = safe_filename(f"{reference.repository.rsplit('/', 1)[-1]}_{reference.tag}")
    target = unique_target(folder, name)
    try:
        _write_layout(client, target, document, raw, media_type, reference)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    return target


def _write_layout(client, target: Path, document, raw: bytes, media_type: str, reference) -> None:
    blobs = target / "blobs" / "sha256"
    blobs.mkdir(parents=True)
    budget = [client.options.max_size]
    for descriptor in [document["config"], *document["layers"]]:
        digest = str(descriptor.get("digest", ""))
        client.blob(digest, blobs / digest.partition(":")[2], budget)
    manifest_digest = "sha256:" + hashlib.sha256(raw).hexdigest()
    (blobs / manifest_digest.partition(":")[2]).write_bytes(raw)
    index = {
        "schemaVersion": 2,
        "manifests": [
            {
                "mediaType": media_type or "application/vnd.oci.image.manifest.v1+json",
                "digest": manifest_digest,
                "size": len(raw),
                "annotations": {
                    "org.opencontainers.image.ref.name": reference.reference,
                    "io.scanapp.source": f"docker://{reference.registry}/{reference.repository}",
                },
            }
        ],
    }
    (target / "index.json").write_text(json.dumps(index, indent=2))
    (target / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
