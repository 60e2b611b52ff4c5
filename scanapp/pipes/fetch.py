"""Materialize a project's inputs under input/: downloads, resolved purls, git clones, images.

HTTP requests go through :mod:`scanapp.downloads`, which checks the address of every hop.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from urllib.parse import quote, urlsplit

from scanapp.downloads import FetchError, FetchOptions, check_host, download, open_url
from scanapp.filenames import safe_filename, unique_target
from scanapp.pipes.registry import pull


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
    """Shallow-clone a git repository into ``folder/<repo name>``; return that directory.

    Over http(s) git connects to the address checked for the host (``http.curloptResolve``)
    and follows no redirect. ``git://``, ``ssh://`` and local URLs cannot be pinned so: they
    are refused unless ``SCANAPP_ALLOW_PRIVATE_URLS=true``.
    """
    parts = urlsplit(url)
    pin: list[str] = []
    if parts.scheme in ("http", "https"):
        address = check_host(url, options)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        shown = f"[{address}]" if ":" in address else address
        pin = ["-c", f"http.curloptResolve={parts.hostname}:{port}:{shown}",
               "-c", "http.followRedirects=false"]
    elif not options.allow_private:
        raise FetchError(f"{url}: only http(s) git URLs can be cloned "
                         "(set SCANAPP_ALLOW_PRIVATE_URLS=true for git://, ssh:// or local ones)")
    name = safe_filename(url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git"))
    target = unique_target(folder, name)
    command = ["git", *pin, "clone", "--depth", "1", "--quiet", "--", url, str(target)]
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
