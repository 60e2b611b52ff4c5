"""Fields shared by the response schemas: UTC datetimes, open objects, absolute URLs."""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC

from marshmallow import Schema, fields, missing

from scanapp.config import get_settings

_BASE_URL: ContextVar[str] = ContextVar("scanapp_base_url", default="")


def base_url() -> str:
    """Return the scheme and host of absolute URLs: the request's, else ``SCANAPP_SITE_URL``."""
    return _BASE_URL.get() or get_settings().site_url


def set_base_url(url: str):
    """Use ``url`` for the absolute URLs dumped in this context; return the reset token."""
    return _BASE_URL.set(url.rstrip("/"))


@contextmanager
def using_base_url(url: str):
    """Dump absolute URLs on ``url`` inside the block."""
    token = set_base_url(url)
    try:
        yield
    finally:
        _BASE_URL.reset(token)


class View:
    """A stored row with values computed beside it; other attributes are the row's."""

    def __init__(self, row, **computed_values):
        """Wrap ``row``; ``computed_values`` become attributes of the view."""
        self._row = row
        self.__dict__.update(computed_values)

    def __getattr__(self, name: str):
        """Fall through to the row."""
        return getattr(self._row, name)


class UtcDateTime(fields.DateTime):
    """An ISO 8601 datetime with its UTC offset (SQLite gives naive values: they are UTC)."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


class Open(fields.Nested):
    """A nested object documented by its schema; keys the schema does not name are kept.

    Stored data is never altered to fit: an object with a value of another type than the
    schema says is dumped as it is stored.
    """

    def _serialize(self, nested_obj, attr, obj, **kwargs):
        if not isinstance(nested_obj, dict):
            return nested_obj
        try:
            dumped = super()._serialize(nested_obj, attr, obj, **kwargs)
        except (TypeError, ValueError, AttributeError):
            return nested_obj
        return {**nested_obj, **dumped}


def computed(base: type[fields.Field], function, **kwargs) -> fields.Field:
    """Return a field of type ``base`` (documented so) whose value is ``function(obj)``."""

    class Computed(base):
        def get_value(self, obj, attr, accessor=None, default=missing):
            return function(obj)

    return Computed(**kwargs)


def open_list(schema: type[Schema], **kwargs) -> fields.List:
    """Return a list of open objects of ``schema``."""
    return fields.List(Open(schema), **kwargs)


def text_list(**kwargs) -> fields.List:
    """Return a list of strings."""
    return fields.List(fields.String(), **kwargs)


class AlwaysPresent(Schema):
    """A response schema whose every field is in every dump (documented as required)."""

    def on_bind_field(self, field_name: str, field_obj: fields.Field) -> None:
        """Document the field as always present."""
        field_obj.required = True
