"""A list's ``?field=value`` filters read from a page's query, typed as the API types them.

Each scalar column of the list's model is a filter (``services.listing.filterable_columns``,
the API's own); an empty value is no filter, another parameter is not one. A boolean is
``true`` or ``false``, an integer digits: another value is a 400 page naming the field.
"""

from __future__ import annotations

import sqlalchemy as sa

from scanapp.errors import InvalidInputError
from scanapp.services.listing import filterable_columns

_BOOLEANS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def _typed(name: str, column: sa.Column, text: str):
    if isinstance(column.type, sa.Boolean):
        if text.lower() not in _BOOLEANS:
            raise InvalidInputError.for_field(name, "Give true or false.")
        return _BOOLEANS[text.lower()]
    if isinstance(column.type, sa.Integer):
        if not text.lstrip("-").isdigit():
            raise InvalidInputError.for_field(name, "Give a whole number.")
        return int(text)
    return text


def column_filters(model, args, booleans: tuple = ()) -> dict:
    """Return the filters of ``args`` (a query's values) on ``model``'s columns, typed.

    ``booleans`` names filters that are no column, true or false (``is_resolved``).
    """
    columns = {**filterable_columns(model), **{name: sa.Column(name, sa.Boolean)
                                               for name in booleans}}
    return {name: _typed(name, columns[name], args[name].strip())
            for name in args if name in columns and args[name].strip()}
