"""``?field=value`` filters on the scalar columns of a model."""

from __future__ import annotations

import sqlalchemy as sa

from scanapp.errors import InvalidInputError

_RESERVED = {"page", "format", "page_size"}


def _coerce(column, raw: str):
    python_type = column.type.python_type
    if python_type is bool:
        lowered = raw.lower()
        if lowered not in ("true", "false", "1", "0"):
            raise InvalidInputError.for_field(column.name, "Must be true or false.")
        return lowered in ("true", "1")
    if python_type in (int, float):
        try:
            return python_type(raw)
        except ValueError:
            raise InvalidInputError.for_field(column.name, f"Must be a number, not {raw!r}.") from None
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
            raise InvalidInputError.for_field(key, f"Unknown filter. Choices: {', '.join(sorted(columns))}.")
        statement = statement.where(columns[key] == _coerce(columns[key], args.get(key)))
    return statement
