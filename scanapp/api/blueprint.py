"""The blueprint of every API module: request bodies as JSON, form or multipart, one schema.

``@blp.arguments(Schema, location="body")`` loads the body with the schema whatever its
content type (JSON object, ``application/x-www-form-urlencoded`` or ``multipart/form-data``
with files), and documents the one schema under each of those content types.
"""

from __future__ import annotations

import copy

import flask_smorest
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from scanapp.api.body import json_body
from scanapp.errors import InvalidInputError

BODY = "body"
BODY_CONTENT_TYPES = ("application/json", "multipart/form-data",
                      "application/x-www-form-urlencoded")


class Parser(FlaskParser):
    """Webargs' Flask parser with the ``body`` location; invalid arguments are a 400."""

    DEFAULT_VALIDATION_STATUS = 400
    #: Each schema's ``Meta.unknown`` decides what an unknown field or parameter is.
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "query": None, "querystring": None, BODY: None
    }
    __location_map__ = {**FlaskParser.__location_map__, BODY: "load_body"}

    def load_body(self, req, schema):
        """Return the JSON object, or the form fields and files, of the request.

        A schema with ``many`` takes a JSON array or one object (a list of one).
        """
        if not req.is_json:
            form = self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)
            return [form] if schema.many else form
        data = json_body()
        if data is None:
            raise InvalidInputError("Malformed JSON body.", errors={"_body": ["Malformed JSON."]})
        if schema.many and isinstance(data, list):
            return data
        if not isinstance(data, dict):
            expected = "an object or an array of objects" if schema.many else "an object"
            raise InvalidInputError(
                f"The JSON body must be {expected}.", errors={"_body": [f"Expected {expected}."]}
            )
        return [data] if schema.many else data


class Blueprint(flask_smorest.Blueprint):
    """A flask-smorest blueprint whose ``body`` arguments take JSON, form or multipart."""

    ARGUMENTS_PARSER = Parser()

    def _prepare_arguments_doc(self, doc, doc_info, *, api, spec, **kwargs):
        operation = doc_info.get("arguments")
        if operation and any(item.get("in") == BODY for item in operation["parameters"]):
            operation = copy.copy(operation)
            operation["parameters"] = list(operation["parameters"])
            for item in [p for p in operation["parameters"] if p.get("in") == BODY]:
                operation["parameters"].remove(item)
                operation["requestBody"] = {
                    "required": item["required"],
                    "content": {kind: {"schema": item["schema"]} for kind in BODY_CONTENT_TYPES},
                }
            doc_info = {**doc_info, "arguments": operation}
        doc = super()._prepare_arguments_doc(doc, doc_info, api=api, spec=spec, **kwargs)
        if doc.get("parameters") == []:
            del doc["parameters"]
        return doc
