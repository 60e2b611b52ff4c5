"""Organizations, members and invitations, as the API shows them."""

from __future__ import annotations

from marshmallow import fields

from scanapp.schemas.fields import AlwaysPresent, UtcDateTime


class OrganizationSchema(AlwaysPresent):
    """An organization; ``role`` is the caller's in it."""

    name = fields.String()
    description = fields.String()
    website = fields.String()
    billing_email = fields.String()
    role = fields.String()
    created_date = UtcDateTime()
    updated_date = UtcDateTime()


class MemberRoleSchema(AlwaysPresent):
    """A member of an organization and their role."""

    username = fields.String()
    role = fields.String()


class MemberSchema(MemberRoleSchema):
    """A member of an organization, their role and since when."""

    created_date = UtcDateTime()


class InvitationSchema(AlwaysPresent):
    """A pending invitation: who (a username or an e-mail), to what, with which role."""

    uuid = fields.String()
    organization = fields.String()
    invitee = fields.String()
    role = fields.String()
    invited_by = fields.String()
    created_date = UtcDateTime()


def organization_data(organization, role: str) -> dict:
    """Return an organization and the caller's role as ``OrganizationSchema`` dumps them."""
    return {**organization.model_dump(), "role": role}


def invitation_data(invitation, organization: str) -> dict:
    """Return an invitation as ``InvitationSchema`` dumps it."""
    return {**invitation.model_dump(), "organization": organization}


class AggregateSchema(AlwaysPresent):
    """A count of events of one day: Scarf's ``AggregateV1``.

    ``type`` and ``username`` are null unless the breakdown is by them.
    """

    breakdown = fields.String(metadata={"description": "total, type or user"})
    date = fields.String(metadata={"description": "YYYY-MM-DD (UTC)"})
    type = fields.String(allow_none=True, dump_default=None)
    username = fields.String(allow_none=True, dump_default=None)
    total = fields.Integer()


class PermissionSchema(AlwaysPresent):
    """A user's permission on a project: Scarf's ``PackagePermissionGetV1``."""

    username = fields.String()
    permission_level = fields.String()
