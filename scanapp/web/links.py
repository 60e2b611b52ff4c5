"""Links between the pages: a purl to its package page, a vulnerability entry to its parts."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from packageurl import PackageURL

from scanapp.web.blueprint import web


@web.app_template_filter("package_link")
def package_link(purl: str) -> str:
    """Return the package page of ``purl`` (at its version, if it has one); "" if unreadable."""
    try:
        parts = PackageURL.from_string(purl or "")
    except ValueError:
        return ""
    query = urlencode({key: value for key, value in (("namespace", parts.namespace),
                                                     ("version", parts.version)) if value})
    path = f"/packages/{quote(parts.type, safe='')}/{quote(parts.name, safe='')}"
    return f"{path}?{query}" if query else path


@web.app_template_filter("finding_parts")
def finding_parts(entry: str) -> tuple[str, str]:
    """Split a compliance vulnerability entry ``"purl: id (level)"`` into (purl, the rest)."""
    purl, _, rest = entry.rpartition(": ")
    return (purl, rest) if purl else ("", entry)
