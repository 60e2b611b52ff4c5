"""Guards on request bodies: a bounded JSON reader and the refusal of NUL characters."""

from __future__ import annotations

from flask import request

from scanapp.errors import InvalidInputError, PayloadTooLargeError

#: The largest JSON body read (into memory).
JSON_MAX_SIZE = 16 * 1024 * 1024


def _too_deep() -> InvalidInputError:
    return InvalidInputError(
        "The JSON body is nested too deeply.", errors={"_body": ["Nested too deeply."]}
    )


def json_body():
    """Return the parsed JSON body, or None when it is malformed (too deep is a 400).

    A JSON body is read into memory: it may not exceed ``JSON_MAX_SIZE`` (files go in multipart
    uploads, which stream to disk).
    """
    limit = request.max_content_length
    if limit is None or limit > JSON_MAX_SIZE:
        request.max_content_length = limit = JSON_MAX_SIZE  # also bounds a chunked body
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLargeError(
            f"A JSON body may not exceed {limit} bytes; send files as multipart uploads."
        )
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise _too_deep() from None


def _find_nul(value, name: str) -> str | None:
    """Return the name of the first field holding a NUL character, or None."""
    if isinstance(value, str):
        return name if "\x00" in value else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = ((name, item) for item in value)
    else:
        return None
    for key, item in items:
        if "\x00" in str(key):
            return name or str(key)
        found = _find_nul(item, name or str(key))
        if found:
            return found
    return None


def refuse_nul_characters() -> None:
    """Refuse NUL characters in the path, query, form or JSON body (no database stores them)."""
    sources = [("path", request.path), ("", request.args.to_dict(flat=False))]
    if request.is_json:
        sources.append(("", json_body()))
    elif request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        sources.append(("", request.form.to_dict(flat=False)))
    for name, value in sources:
        try:
            field = _find_nul(value, name)
        except RecursionError:
            raise _too_deep() from None
        if field:
            raise InvalidInputError.for_field(field, "NUL characters are not allowed.")
