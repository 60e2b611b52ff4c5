"""Pipelines as ``/api/pipelines/`` lists them: name, docs, steps and optional groups."""

from __future__ import annotations

from marshmallow import fields

from scanapp.schemas.fields import AlwaysPresent, text_list


class StepSchema(AlwaysPresent):
    """One step: its method name, its documentation and the groups it belongs to."""

    name = fields.String()
    doc = fields.String()
    groups = text_list()


class PipelineSchema(AlwaysPresent):
    """A pipeline: ``name:Group1,Group2`` selects the optional groups of its steps."""

    name = fields.String()
    summary = fields.String()
    description = fields.String()
    steps = fields.List(fields.Nested(StepSchema))
    available_groups = text_list()
    is_addon = fields.Boolean()
    is_available = fields.Boolean(metadata={"description": "Whether it can run on this machine."})
    unavailable_reason = fields.String(metadata={"description": "Why not, when it cannot."})
