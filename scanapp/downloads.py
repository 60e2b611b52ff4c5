"""HTTP fetching: GET with redirects followed by hand, every hop checked, size-limited downloads.

Every http(s) hop (the first request and each redirect) is checked: a host resolving to a
private, loopback or link-local address is refused unless ``FetchOptions.allow_private``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import requests

from scanapp.filenames import safe_filename, unique_target
from scanapp.netguard import private_address_of

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


def check_host(url: str, options: FetchOptions) -> None:
    """Refuse a URL whose host is (or resolves to) a non-public address, unless allowed."""
    host = urlsplit(url).hostname
    if not host:
        raise FetchError(f"{url}: no host in URL")
    if options.allow_private:
        return
    private = private_address_of(host)
    if private:
        raise FetchError(
            f"{url}: host {host} resolves to the non-public address {private} "
            "(set SCANAPP_ALLOW_PRIVATE_URLS=true to allow it)"
        )


def open_url(
    url: str, options: FetchOptions, *, headers: dict | None = None, accept: tuple[int, ...] = ()
) -> requests.Response:
    """GET ``url`` following redirects by hand, checking every hop; return a streamed response.

    An error status raises FetchError unless listed in ``accept``. An ``Authorization``
    header is not sent on to another host.
    """
    headers = dict(headers or {})
    for _ in range(MAX_REDIRECTS + 1):
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchError(f"{url}: only http and https URLs can be downloaded")
        check_host(url, options)
        try:
            response = requests.get(
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
            _write(response, target, url, options)
        except BaseException:
            target.unlink(missing_ok=True)
            raise
    return target


def _write(response: requests.Response, target: Path, url: str, options: FetchOptions) -> None:
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
