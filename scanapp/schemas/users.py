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


class DeviceLoginSchema(AlwaysPresent):
    """A login just started: the code to approve at ``verification_url``, the exchange token.

    The command polls the exchange every ``poll_interval`` seconds until ``expires_date``.
    """

    code = fields.String()
    verification_url = fields.String()
    exchange_token = fields.String()
    poll_interval = fields.Integer()
    expires_date = UtcDateTime()


class DeviceLoginDetailsSchema(AlwaysPresent):
    """A login waiting for approval: what it asks for and where it was started from."""

    code = fields.String()
    status = fields.String()
    scope = fields.String()
    token_name = fields.String()
    client_address = fields.String()
    client_user_agent = fields.String()
    created_date = UtcDateTime()
    expires_date = UtcDateTime()


class DeviceTokenSchema(AlwaysPresent):
    """The key an approved login gives (shown this once), its token and its user."""

    token = fields.String()
    token_uuid = fields.String()
    token_name = fields.String()
    scope = fields.String()
    expires_date = UtcDateTime(allow_none=True)
    user = fields.Nested(UserSchema)
