"""Materialize a project's inputs under input/: downloads, resolved purls and git clones.

Every http(s) hop (the first request and each redirect) is checked: a host resolving to a
private, loopback or link-local address is refused unless ``SCANAPP_ALLOW_PRIVATE_URLS``.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlsplit

import requests

from scanapp.services.inputs import safe_filename, unique_target
from scanapp.services.webhooks import private_address_of

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


def _get_json(url: str, options: FetchOptions) -> dict:
    response = open_url(url, options)
    with response:
        try:
            return response.json()
        except ValueError:
            raise FetchError(f"{url}: the registry answer is not JSON") from None


def resolve_purl(purl: str, options: FetchOptions) -> str:
    """Return the download URL of a ``pkg:pypi`` or ``pkg:npm`` package URL."""
    from packageurl import PackageURL

    package = PackageURL.from_string(purl)
    if package.type == "pypi":
        return _pypi_url(package, options)
    if package.type == "npm":
        return _npm_url(package, options)
    raise FetchError(f"{purl}: only pkg:pypi and pkg:npm package URLs can be fetched")


def _pypi_url(package, options: FetchOptions) -> str:
    name = quote(package.name)
    api = (
        f"{options.pypi_url}/pypi/{name}/{quote(package.version)}/json"
        if package.version
        else (f"{options.pypi_url}/pypi/{name}/json")
    )
    files = _get_json(api, options).get("urls") or []
    for kind in ("sdist", "bdist_wheel"):
        for item in files:
            if item.get("packagetype") == kind and item.get("url"):
                return item["url"]
    raise FetchError(f"{package.to_string()}: no sdist or wheel listed at {api}")


def _npm_url(package, options: FetchOptions) -> str:
    name = f"{package.namespace}/{package.name}" if package.namespace else package.name
    api = f"{options.npm_url}/{quote(name, safe='@')}/{quote(package.version or 'latest')}"
    tarball = (_get_json(api, options).get("dist") or {}).get("tarball")
    if not tarball:
        raise FetchError(f"{package.to_string()}: no dist.tarball at {api}")
    return tarball


def is_git_url(url: str) -> bool:
    """Tell whether an input URL is a git repository (ends with ``.git``)."""
    return url.split("#", 1)[0].rstrip("/").endswith(".git")


def clone(url: str, folder: Path, options: FetchOptions) -> Path:
    """Shallow-clone a git repository into ``folder/<repo name>``; return that directory."""
    scheme = urlsplit(url).scheme
    if scheme in ("http", "https", "git", "ssh"):
        check_host(url, options)
    elif not options.allow_private:
        raise FetchError(f"{url}: only http(s), git and ssh git URLs can be cloned")
    name = safe_filename(url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git"))
    target = unique_target(folder, name)
    command = ["git", "clone", "--depth", "1", "--quiet", "--", url, str(target)]
    try:
        subprocess.run(
            command,
            check=True,
            capture_output=True,
            text=True,
            timeout=options.timeout * 10,
            env={"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin:/usr/local/bin"},
        )
    except subprocess.CalledProcessError as error:
        shutil.rmtree(target, ignore_errors=True)
        raise FetchError(f"{url}: git clone failed: {error.stderr.strip()[-500:]}") from None
    except subprocess.TimeoutExpired:
        shutil.rmtree(target, ignore_errors=True)
        raise FetchError(f"{url}: git clone timed out") from None
    shutil.rmtree(target / ".git", ignore_errors=True)
    return target


def fetch(url: str, folder: Path, options: FetchOptions) -> Path:
    """Fetch one input URL (http(s), purl, git or docker://) into ``folder``; return it."""
    if url.startswith("docker://"):
        from scanapp.pipes.registry import pull

        return pull(url, folder, options)
    if url.startswith("pkg:"):
        return download(resolve_purl(url, options), folder, options)
    if is_git_url(url):
        return clone(url, folder, options)
    return download(url, folder, options)


def copy_to_codebase(source: Path, codebase: Path) -> Path:
    """Copy an input file or directory into codebase/ (directories keep their symlinks)."""
    target = codebase / source.name
    if source.is_dir():
        shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
    else:
        shutil.copyfile(source, target)
    return target
