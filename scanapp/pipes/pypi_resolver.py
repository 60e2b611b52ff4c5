"""Resolve the requirements of a Python manifest with python-inspector on the configured PyPI.

python-inspector (AboutCode's resolver, what ScanCode.io uses) walks the PEP 503 simple index
at ``SCANAPP_PYPI_URL/simple``, reads each candidate's wheel or sdist metadata for its own
requirements, and reads the package data from the JSON API at ``SCANAPP_PYPI_URL/pypi``.

Its network calls are routed through :mod:`scanapp.downloads` while it runs: every request is
an http(s) GET whose every hop is checked by the address guard (``SCANAPP_ALLOW_PRIVATE_URLS``)
within the download timeout and size limit. Only the configured index is asked for project
pages (``--index-url``/``--extra-index-url`` lines of a requirements file are ignored), the
JSON API only under the configured root, and a distribution file only at an http(s) URL the
index lists (never a local path); its downloads are kept in the run's own cache folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import requests

from scanapp.downloads import FetchError, FetchOptions, check_host, open_url

#: scancode-toolkit datasource ids of the manifests python-inspector resolves, and how.
REQUIREMENTS = "pip_requirements"
SETUP_PY = "pypi_setup_py"
DECLARED = ("pypi_pyproject_toml", "pypi_setup_cfg")
RESOLVABLE = (REQUIREMENTS, SETUP_PY, *DECLARED)


class ResolutionError(Exception):
    """A manifest could not be resolved; the message says why."""


@dataclass
class Resolution:
    """What python-inspector resolved for one manifest.

    ``graph``: ``{"package": purl, "dependencies": [purl, ...]}`` for every resolved package;
    ``packages``: the package data of the resolved packages (from the JSON API) by purl;
    ``direct``: the manifest's own requirements as scancode-toolkit dependency mappings.
    """

    graph: list[dict] = field(default_factory=list)
    packages: dict[str, dict] = field(default_factory=dict)
    direct: list[dict] = field(default_factory=list)
    datasource_id: str = ""


def canonical_name(name: str) -> str:
    """Return the PEP 503 normalized project name."""
    return re.sub(r"[-_.]+", "-", name or "").lower()


def manifest_datasource(location: Path) -> tuple[str, str]:
    """Return the (package type, datasource id) of the first handler matching a manifest."""
    from packagedcode import APPLICATION_PACKAGE_DATAFILE_HANDLERS

    for handler in APPLICATION_PACKAGE_DATAFILE_HANDLERS:
        if handler.is_datafile(str(location)):
            return handler.default_package_type or "", handler.datasource_id
    return "", ""


def declared_requirements(location: Path) -> list[str]:
    """Return the install requirements a pyproject.toml or setup.cfg declares (PEP 508)."""
    from packagedcode import APPLICATION_PACKAGE_DATAFILE_HANDLERS

    requirements = []
    for handler in APPLICATION_PACKAGE_DATAFILE_HANDLERS:
        if handler.datasource_id in DECLARED and handler.is_datafile(str(location)):
            for package_data in handler.parse(str(location)):
                requirements.extend(
                    _requirement(dependency)
                    for dependency in package_data.dependencies
                    if dependency.is_runtime and not dependency.is_optional
                )
            break
    return requirements


def _requirement(dependency) -> str:
    """Return the PEP 508 requirement of a parsed dependency (the toolkit keeps the specifier)."""
    from packageurl import PackageURL

    text = (dependency.extracted_requirement or "").strip()
    name = PackageURL.from_string(dependency.purl).name
    return text if canonical_name(text).startswith(canonical_name(name)) else f"{name}{text}"


def resolve(location: Path, options: FetchOptions, cache_dir: Path) -> Resolution:
    """Resolve one Python manifest on ``options.pypi_url``; raise ResolutionError on failure."""
    _, datasource_id = manifest_datasource(location)
    if datasource_id not in RESOLVABLE:
        raise ResolutionError(f"{location.name}: not a requirements file, setup.py, "
                              "pyproject.toml or setup.cfg")
    arguments = {}
    if datasource_id == REQUIREMENTS:
        arguments["requirement_files"] = [str(location)]
    elif datasource_id == SETUP_PY:
        arguments["setup_py_file"] = str(location)
    else:
        arguments["specifiers"] = declared_requirements(location)
    index_url = f"{options.pypi_url}/simple"
    try:
        check_host(index_url, options)
    except FetchError as error:
        raise ResolutionError(f"PyPI index refused: {error}") from None
    from python_inspector import api

    with _routed(options, cache_dir):
        try:
            output = api.resolve_dependencies(
                **arguments,
                python_version=f"{sys.version_info.major}{sys.version_info.minor}",
                operating_system="linux",
                index_urls=(index_url,),
                # As ScanCode.io: the sdist's metadata when there is one, else a wheel's.
                prefer_source=True,
            )
        except Exception as error:  # noqa: BLE001 - any resolver failure names the manifest
            raise ResolutionError(f"{type(error).__name__}: {error}") from None
    return Resolution(
        graph=list(output.resolution or []),
        packages={item["purl"]: item for item in output.packages if item.get("purl")},
        direct=_direct_dependencies(output.files, arguments.get("specifiers")),
        datasource_id=datasource_id,
    )


def _direct_dependencies(files: list[dict], specifiers: list[str] | None) -> list[dict]:
    if specifiers is not None:
        return [_specifier_dependency(text) for text in specifiers]
    return [
        dependency
        for item in files or ()
        for package_data in item.get("package_data") or ()
        for dependency in package_data.get("dependencies") or ()
    ]


def _specifier_dependency(text: str) -> dict:
    from packageurl import PackageURL
    from packvers.requirements import Requirement

    requirement = Requirement(text)
    pins = [spec.version for spec in requirement.specifier if spec.operator in ("==", "===")]
    version = pins[0] if len(pins) == 1 and "*" not in pins[0] else None
    return {
        "purl": PackageURL(type="pypi", name=requirement.name, version=version).to_string(),
        "extracted_requirement": text,
        "scope": "install",
        "is_runtime": True,
        "is_optional": False,
        "is_pinned": version is not None,
        "is_direct": True,
    }


@contextlib.contextmanager
def _routed(options: FetchOptions, cache_dir: Path):
    """Route python-inspector's fetches through scanapp's downloader for the ``with`` block.

    python-inspector fetches with its own aiohttp client (https only, any host, local paths
    too), keeps downloads in one folder per user and has no hook for another: its fetch
    functions, cache folder and allowed index list are replaced here while it runs (the
    downloads go to ``cache_dir``), then restored. Runs execute one at a time per process.
    """
    from python_inspector import pyinspector_settings, resolution, utils, utils_pypi

    index_url = f"{options.pypi_url}/simple"
    api_root = f"{options.pypi_url}/pypi/"

    async def get_file_content(path_or_url, credentials=None, as_text=True, **_):
        content = await asyncio.to_thread(_get, path_or_url, options)
        return content.decode("utf-8", "replace") if as_text else content

    async def get_response_async(url):
        if not url.startswith(api_root):
            return None
        try:
            content = await asyncio.to_thread(_get, url, options)
            return json.loads(content)
        except (utils_pypi.RemoteNotFetchedException, ValueError):
            return None

    fetch_and_save = utils_pypi.fetch_and_save

    async def fetch_into_run_cache(path_or_url, dest_dir, filename, *args, **kwargs):
        return await fetch_and_save(path_or_url, str(cache_dir), filename, *args, **kwargs)

    replaced = [
        (utils_pypi, "get_file_content", get_file_content),
        (utils_pypi, "fetch_and_save", fetch_into_run_cache),
        (utils, "get_response_async", get_response_async),
        (resolution, "get_response_async", get_response_async),
        (utils_pypi.CACHE, "directory", str(cache_dir)),
        (pyinspector_settings, "CACHE_THIRDPARTY_DIR", str(cache_dir)),
        (pyinspector_settings, "INDEX_URL", (index_url,)),
        (pyinspector_settings, "USE_ONLY_CONFIGURED_INDEX_URLS", True),
    ]
    saved = [(owner, name, getattr(owner, name)) for owner, name, _ in replaced]
    cache_dir.mkdir(parents=True, exist_ok=True)
    for owner, name, value in replaced:
        setattr(owner, name, value)
    try:
        yield
    finally:
        for owner, name, value in saved:
            setattr(owner, name, value)


def _get(url: str, options: FetchOptions) -> bytes:
    """GET an http(s) URL through the guarded downloader within the size limit."""
    from python_inspector.utils_pypi import RemoteNotFetchedException

    if not url.startswith(("http://", "https://")):
        raise RemoteNotFetchedException(f"{url}: only http(s) URLs are fetched")
    try:
        response = open_url(url, options)
    except FetchError as error:
        raise RemoteNotFetchedException(str(error)) from None
    chunks, size = [], 0
    with response:
        try:
            for chunk in response.iter_content(1024 * 1024):
                size += len(chunk)
                if size > options.max_size:
                    limit = f"over the {options.max_size} bytes limit"
                    raise RemoteNotFetchedException(f"{url}: {limit}")
                chunks.append(chunk)
        except requests.RequestException as error:
            raise RemoteNotFetchedException(f"{url}: {type(error).__name__}: {error}") from None
    return b"".join(chunks)
