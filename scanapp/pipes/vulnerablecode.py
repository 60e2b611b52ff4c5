"""A VulnerableCode server asked for the vulnerabilities of packages, as ScanCode.io asks it.

Set ``SCANAPP_VULNERABLECODE_URL`` (and ``SCANAPP_VULNERABLECODE_API_KEY`` when the server
wants one): find_vulnerabilities then asks the server instead of the local OSV database.
The API is VulnerableCode's v3 (``POST /api/v3/packages`` with ``{"purls": [...],
"details": true}``), 1,000 purls per request. Unlike ScanCode.io, every page of an answer
is read (the server pages by 100) and a package with more advisories than the server puts
in a page has them read from its ``affected_by_vulnerabilities_url``.

Each entry is stored as the server gave it, with the keys scanapp's reports and policy read
(``vulnerability_id``, ``severity_level``, ``fixed_versions``...) added from its fields.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import requests
from packageurl import PackageURL

from scanapp.config import get_settings
from scanapp.pipes.vulnerability_match import level_of

#: Purls sent per request (ScanCode.io's chunk size).
CHUNK = 1_000
#: Pages read of one answer at most (a page is 100 packages or advisories).
MAX_PAGES = 1_000
USER_AGENT = "scanapp"


class VulnerableCodeError(Exception):
    """The server could not be asked, or answered what cannot be read."""


def api_url() -> str:
    """Return the v3 API's base URL, or "" when no server is configured."""
    url = get_settings().vulnerablecode_url
    return f"{url.rstrip('/')}/api/v3" if url else ""


def configured() -> bool:
    """Tell whether ``SCANAPP_VULNERABLECODE_URL`` is set."""
    return bool(api_url())


def _session() -> requests.Session:
    # The operator names this server (a setting, not a user's input), often on the local
    # network: a plain session, no public-address check.
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    key = get_settings().vulnerablecode_api_key
    if key:
        session.headers["Authorization"] = f"Token {key}"
    return session


def availability() -> tuple[bool, str]:
    """Return whether the configured server answers, and why not."""
    try:
        response = _session().head(api_url(), allow_redirects=True,
                                   timeout=get_settings().download_timeout)
    except requests.RequestException as error:
        return False, f"VulnerableCode is not available at {api_url()}: {error}"
    if response.status_code != 200:
        return False, (f"VulnerableCode is not available at {api_url()}: HTTP "
                       f"{response.status_code}")
    return True, ""


def _same_server(url: str) -> str:
    """Return ``url`` when it is on the configured server (a page link), else raise."""
    if urlsplit(url).netloc != urlsplit(api_url()).netloc:
        raise VulnerableCodeError(f"VulnerableCode linked to another server: {url}")
    return url


def _pages(session: requests.Session, method: str, url: str, body: dict | None) -> Iterator:
    """Yield the results of every page of an answer, following its ``next`` links."""
    timeout = get_settings().download_timeout
    for _ in range(MAX_PAGES):
        try:
            response = session.request(method, url, json=body, timeout=timeout)
            response.raise_for_status()
            data = response.json()
        except (requests.RequestException, ValueError) as error:
            raise VulnerableCodeError(f"VulnerableCode {url}: {error}") from None
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            raise VulnerableCodeError(f"VulnerableCode {url}: not a page of results")
        yield from data["results"]
        if not data.get("next"):
            return
        url = _same_server(data["next"])
    raise VulnerableCodeError(f"VulnerableCode {url}: more than {MAX_PAGES} pages")


def search(purls: list[str]) -> dict[str, list[dict]]:
    """Return the advisories affecting each of ``purls`` that the server knows, by purl."""
    session = _session()
    found: dict[str, list[dict]] = {}
    unique = sorted(set(purls))
    for start in range(0, len(unique), CHUNK):
        body = {"purls": unique[start:start + CHUNK], "details": True}
        for package in _pages(session, "POST", f"{api_url()}/packages", body):
            if not isinstance(package, dict) or "purl" not in package:
                raise VulnerableCodeError("VulnerableCode answered a package without purl")
            entries = package.get("affected_by_vulnerabilities")
            if entries is None and package.get("affected_by_vulnerabilities_url"):
                entries = list(_pages(session, "GET", _same_server(
                    package["affected_by_vulnerabilities_url"]), None))
            found[package["purl"]] = [normalized(entry) for entry in entries or []]
    return found


def _version(purl: str) -> str:
    try:
        return PackageURL.from_string(purl).version or purl
    except ValueError:
        return purl


def normalized(entry: dict) -> dict:
    """Return a VulnerableCode advisory with the keys scanapp's reports read added."""
    weighted = entry.get("weighted_severity")
    severities = [{"type": item.get("scoring_system", ""),
                   "vector": item.get("scoring_elements") or "",
                   "score": _float(item.get("value")), "level": ""}
                  for item in entry.get("severities") or []]
    return {
        **entry,
        "vulnerability_id": entry.get("advisory_id") or entry.get("vulnerability_id", ""),
        "aliases": list(entry.get("aliases") or []),
        "summary": entry.get("summary") or "",
        "severity": severities,
        "severity_level": level_of(float(weighted)) if _float(weighted) is not None else "",
        "fixed_versions": [_version(purl) for purl in entry.get("fixed_by_packages") or []],
        "references": [{"type": ref.get("reference_type", ""), "url": ref.get("url", "")}
                       for ref in entry.get("references") or []],
        "source": "vulnerablecode",
    }


def _float(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
