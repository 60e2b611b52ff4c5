"""DRF-style pagination: ``{count, next, previous, results}`` with ``?page=``."""

from __future__ import annotations

from flask import request
from sqlmodel import Session, func, select

from scanapp.config import get_settings
from scanapp.errors import NotFoundError


def _page_url(page: int) -> str:
    args = request.args.to_dict(flat=False)
    args["page"] = [str(page)]
    from urllib.parse import urlencode

    return f"{request.base_url}?{urlencode(args, doseq=True)}"


def paginate(session: Session, statement, serialize) -> dict:
    """Run ``statement`` for the requested page and serialize each row."""
    size = get_settings().page_size
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        raise NotFoundError("Invalid page.")
    page = int(raw)
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    count = session.exec(counted).one()
    if page > 1 and (page - 1) * size >= count:
        raise NotFoundError("Invalid page.")
    rows = session.exec(statement.offset((page - 1) * size).limit(size)).all()
    return {
        "count": count,
        "next": _page_url(page + 1) if page * size < count else None,
        "previous": _page_url(page - 1) if page > 1 else None,
        "results": [serialize(row) for row in rows],
    }
