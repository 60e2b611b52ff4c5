"""One error handler: every error is JSON ``{code, status, message[, errors]}``."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from scanapp.errors import ScanappError


def error_response(code: int, message: str, errors: dict | None = None):
    """Build the JSON error response; ``status`` carries the reason for ScanCode.io clients."""
    body = {"code": code, "status": message, "message": message}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = code
    return response


def _flatten(messages) -> dict:
    """Normalize marshmallow/webargs messages to ``{field: [messages]}``."""
    if isinstance(messages, dict):
        # webargs nests by location: {"json": {...}}
        if set(messages) <= {"json", "form", "query", "files", "querystring", "path", "body"}:
            merged = {}
            for value in messages.values():
                merged.update(_flatten(value))
            return merged
        return {str(key): _texts(value) for key, value in messages.items()}
    return {"_schema": _texts(messages)}


def _texts(value, prefix: str = "") -> list[str]:
    """Flatten nested messages (``{0: {"target_url": [...]}}``) to ``["0.target_url: ..."]``."""
    if isinstance(value, dict):
        return [
            text
            for key, item in value.items()
            for text in _texts(item, f"{prefix}{key}." if prefix else f"{key}.")
        ]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _texts(item, prefix)]
    label = prefix.rstrip(".")
    return [f"{label}: {value}" if label else str(value)]


def _summary(errors: dict) -> str:
    parts = []
    for field, messages in errors.items():
        text = "; ".join(str(m) for m in messages) if isinstance(messages, list) else str(messages)
        parts.append(f"{field}: {text}")
    return " ".join(parts) or "Invalid input."


def register_error_handlers(app: Flask) -> None:
    """Map domain, validation and HTTP errors to JSON responses."""

    @app.errorhandler(ScanappError)
    def domain_error(error: ScanappError):
        response = error_response(error.http_status, error.message, error.errors)
        if error.http_status == 401:
            response.headers["WWW-Authenticate"] = "Token"
        return response

    @app.errorhandler(ValidationError)
    def validation_error(error: ValidationError):
        errors = _flatten(error.messages)
        return error_response(400, _summary(errors), errors)

    @app.errorhandler(sa.exc.DataError)
    def data_error(error: sa.exc.DataError):
        # A value the database cannot hold (out of range, bad encoding): the input is at fault.
        reason = str(getattr(error, "orig", None) or error).splitlines()[0]
        return error_response(400, f"Invalid value: {reason}")

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        return error_response(413, "The upload is larger than SCANAPP_MAX_UPLOAD_SIZE allows.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        data = getattr(error, "data", None) or {}
        errors = _flatten(data.get("messages")) if data.get("messages") else None
        message = _summary(errors) if errors else (error.description or error.name)
        code = 400 if error.code == 422 else (error.code or 500)  # webargs: invalid arguments
        response = error_response(code, message, errors)
        for name, value in error.get_headers():
            if name.lower() != "content-type":  # e.g. Allow on a 405
                response.headers[name] = value
        return response
