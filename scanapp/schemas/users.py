"""Users and their tokens, as the API shows them (a key only once, when created)."""

from __future__ import annotations

from marshmallow import fields

from scanapp.schemas.fields import AlwaysPresent, UtcDateTime


class PublicUserSchema(AlwaysPresent):
    """What anyone may see of a user (``GET /api/users/{username}``)."""

    username = fields.String()
    created_date = UtcDateTime()


class UserSchema(PublicUserSchema):
    """The caller (``GET /api/user``)."""

    uuid = fields.String()
    email = fields.String()
    updated_date = UtcDateTime()


class TokenSchema(AlwaysPresent):
    """One of the caller's tokens; ``prefix`` is the key's first characters (not the key)."""

    uuid = fields.String()
    name = fields.String()
    scope = fields.String()
    prefix = fields.String()
    created_date = UtcDateTime()
    expires_date = UtcDateTime(allow_none=True)
    last_used_date = UtcDateTime(allow_none=True)


class NewTokenSchema(TokenSchema):
    """A token just created, with its key: shown this once, stored only as its hash."""

    key = fields.String()
