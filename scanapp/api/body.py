"""Read a request body that may be JSON, form-encoded or multipart."""

from __future__ import annotations

from flask import request
from marshmallow import Schema

from scanapp.errors import InvalidInputError


def read_body(schema: Schema, list_fields: tuple[str, ...] = ()) -> dict:
    """Return the validated body; repeated form keys become lists for ``list_fields``."""
    if request.is_json:
        data = request.get_json(silent=True)
        if data is None:
            raise InvalidInputError("Malformed JSON body.", errors={"_body": ["Malformed JSON."]})
        if not isinstance(data, dict):
            raise InvalidInputError("The JSON body must be an object.", errors={"_body": ["Expected an object."]})
    else:
        data = {}
        for key in request.form:
            values = request.form.getlist(key)
            data[key] = values if key in list_fields and len(values) > 1 else values[0]
    return schema.load(data)
