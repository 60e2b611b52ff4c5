"""``?field=value`` filters on the scalar columns of a model."""

from __future__ import annotations

import sqlalchemy as sa

from scanapp.errors import InvalidInputError

_RESERVED = {"page", "format", "page_size"}
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _coerce(column, raw: str):
    python_type = column.type.python_type
    if python_type is bool:
        lowered = raw.lower()
        if lowered not in ("true", "false", "1", "0"):
            raise InvalidInputError.for_field(column.name, "Must be true or false.")
        return lowered in ("true", "1")
    if python_type in (int, float):
        try:
            value = python_type(raw)
        except ValueError:
            message = f"Must be a number, not {raw!r}."
            raise InvalidInputError.for_field(column.name, message) from None
        if python_type is int and not _INT64_MIN <= value <= _INT64_MAX:
            raise InvalidInputError.for_field(column.name, "Must fit in a 64-bit integer.")
        return value
    return raw


def filterable_columns(model) -> dict:
    """Scalar columns a list may be filtered by (not JSON, not internal ids)."""
    return {
        column.name: column
        for column in model.__table__.columns
        if not isinstance(column.type, sa.JSON) and column.name not in ("id", "project_id")
    }


def apply_filters(statement, model, args) -> object:
    """Filter ``statement`` by each known ``?field=value``; unknown fields are a 400."""
    columns = filterable_columns(model)
    for key in args:
        if key in _RESERVED:
            continue
        if key not in columns:
            choices = ", ".join(sorted(columns))
            raise InvalidInputError.for_field(key, f"Unknown filter. Choices: {choices}.")
        statement = statement.where(columns[key] == _coerce(columns[key], args.get(key)))
    return statement
