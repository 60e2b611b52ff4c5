"""DRF-style pages: ``{count, next, previous, results}``, the page links on this request."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request

from scanapp.services.listing import Page


def _page_url(number: int) -> str:
    args = request.args.to_dict(flat=False)
    args["page"] = [str(number)]
    return f"{request.base_url}?{urlencode(args, doseq=True)}"


def page_response(page: Page) -> dict:
    """Return the page as the list endpoints answer it (items shaped by the page schema)."""
    return {
        "count": page.count,
        "next": _page_url(page.number + 1) if page.has_next else None,
        "previous": _page_url(page.number - 1) if page.has_previous else None,
        "results": page.items,
    }
