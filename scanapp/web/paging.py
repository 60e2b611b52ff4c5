"""Links to the previous and next page of a list, keeping the page's other query values."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request

from scanapp.services.listing import Page


def _link(number: int) -> str:
    args = request.args.to_dict(flat=False)
    args["page"] = [str(number)]
    return f"{request.path}?{urlencode(args, doseq=True)}"


def page_links(page: Page) -> dict:
    """Return ``previous``/``next`` links (None at an end), the page number and the count."""
    last = max(1, -(-page.count // page.size))
    return {
        "previous": _link(page.number - 1) if page.has_previous else None,
        "next": _link(page.number + 1) if page.has_next else None,
        "number": page.number, "last": last, "count": page.count,
    }
