"""HTTP fetching: GET with redirects followed by hand, every hop checked, size-limited downloads.

Every http(s) hop (the first request and each redirect) resolves its host once: a host that
does not resolve, or resolves to a private, loopback or link-local address, is refused unless
``FetchOptions.allow_private``, and the connection goes to the address that was checked (the
``Host`` header and the TLS server name stay the host's), so a name that resolves differently
the second time (DNS rebinding) cannot reach what the check refused.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter

from scanapp.filenames import safe_filename, unique_target
from scanapp.netguard import AddressRefusedError, checked_address

MAX_REDIRECTS = 10
CHUNK = 1024 * 1024


class FetchError(Exception):
    """An input could not be fetched; the message names the URL and the reason."""


@dataclass(frozen=True)
class FetchOptions:
    """Download limits and where the package registries are."""

    timeout: int = 60
    max_size: int = 10 * 1024**3
    allow_private: bool = False
    pypi_url: str = "https://pypi.org"
    npm_url: str = "https://registry.npmjs.org"


class PinnedAdapter(HTTPAdapter):
    """Connect each request to the checked address of its host (see the module docstring)."""

    def __init__(self, *, allow_private: bool = False, **kwargs):
        """Refuse non-public addresses unless ``allow_private``."""
        self.allow_private = allow_private
        super().__init__(**kwargs)

    def send(self, request, **kwargs):
        """Resolve and check the host once, then send the request to that address."""
        url = request.url
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
            address = checked_address(host, allow_private=self.allow_private)
        except AddressRefusedError as error:
            raise requests.ConnectionError(f"{error} (set SCANAPP_ALLOW_PRIVATE_URLS=true "
                                           "to allow private addresses)") from None
        if address != host.strip("[]"):
            shown = f"[{address}]" if ipaddress.ip_address(address).version == 6 else address
            netloc = shown if parts.port is None else f"{shown}:{parts.port}"
            request.headers["Host"] = parts.netloc.rpartition("@")[2]
            request.url = urlunsplit(parts._replace(netloc=netloc))
            request.pinned_host = host
        response = super().send(request, **kwargs)
        response.url = url
        return response

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        """Verify TLS certificates, and send SNI, for the host rather than its address."""
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        host = getattr(request, "pinned_host", None)
        if host and host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = host
            pool_kwargs["assert_hostname"] = host
        return host_params, pool_kwargs


def pinned_session(*, allow_private: bool = False) -> requests.Session:
    """Return a requests session whose every connection goes to a checked address."""
    session = requests.Session()
    adapter = PinnedAdapter(allow_private=allow_private)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def check_host(url: str, options: FetchOptions) -> str:
    """Resolve and check a URL's host once; return the address to connect to.

    Raise FetchError when the host does not resolve or (unless allowed) is not public.
    """
    host = urlsplit(url).hostname
    if not host:
        raise FetchError(f"{url}: no host in URL")
    try:
        return checked_address(host, allow_private=options.allow_private)
    except AddressRefusedError as error:
        hint = "" if options.allow_private else " (set SCANAPP_ALLOW_PRIVATE_URLS=true to allow it)"
        raise FetchError(f"{url}: {error}{hint}") from None


def open_url(
    url: str, options: FetchOptions, *, headers: dict | None = None, accept: tuple[int, ...] = ()
) -> requests.Response:
    """GET ``url`` following redirects by hand, checking every hop; return a streamed response.

    An error status raises FetchError unless listed in ``accept``. An ``Authorization``
    header is not sent on to another host.
    """
    headers = dict(headers or {})
    session = pinned_session(allow_private=options.allow_private)
    for _ in range(MAX_REDIRECTS + 1):
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchError(f"{url}: only http and https URLs can be downloaded")
        check_host(url, options)
        try:
            response = session.get(
                url,
                headers=headers,
                stream=True,
                allow_redirects=False,
                timeout=(options.timeout, options.timeout),
            )
        except requests.RequestException as error:
            raise FetchError(f"{url}: {type(error).__name__}: {error}") from None
        if response.is_redirect:
            response.close()
            target = urljoin(url, response.headers["location"])
            if urlsplit(target).netloc != urlsplit(url).netloc:
                headers.pop("Authorization", None)
            url = target
            continue
        if response.status_code >= 400 and response.status_code not in accept:
            response.close()
            raise FetchError(f"{url}: HTTP {response.status_code} {response.reason}")
        return response
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")


def filename_from(response: requests.Response, url: str) -> str:
    """Return the file name from Content-Disposition, else from the URL path."""
    header = response.headers.get("content-disposition", "")
    match = re.search(r"filename\*\s*=\s*[^']*'[^']*'([^;]+)", header) or re.search(
        r'filename\s*=\s*"?([^";]+)"?', header
    )
    if match:
        return safe_filename(unquote(match.group(1).strip()))
    return safe_filename(unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]) or "download")


def download(url: str, folder: Path, options: FetchOptions) -> Path:
    """Download ``url`` into ``folder`` within the size limit; return the file written."""
    response = open_url(url, options)
    with response:
        declared = int(response.headers.get("content-length") or 0)
        if declared > options.max_size:
            raise FetchError(f"{url}: {declared} bytes is over the {options.max_size} bytes limit")
        folder.mkdir(parents=True, exist_ok=True)
        target = unique_target(folder, filename_from(response, response.url or url))
        try:
            save_body(response, target, url, options)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    return target


def save_body(response: requests.Response, target: Path, url: str,
              options: FetchOptions) -> None:
    """Write a streamed response's body to ``target``, within ``options.max_size``."""
    size = 0
    with open(target, "wb") as handle:
        try:
            for chunk in response.iter_content(CHUNK):
                size += len(chunk)
                if size > options.max_size:
                    raise FetchError(f"{url}: download over the {options.max_size} bytes limit")
                handle.write(chunk)
        except requests.RequestException as error:
            raise FetchError(f"{url}: {type(error).__name__}: {error}") from None
