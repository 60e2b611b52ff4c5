"""Queries more than one layer needs: the relations of a project with their two paths."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import aliased
from sqlmodel import select

from scanapp.models import CodebaseRelation, CodebaseResource


@dataclass(frozen=True)
class RelationQuery:
    """A project's relations with the paths of both resources; ``paths`` by filter name."""

    statement: object
    paths: dict


def relations_query(project_id: int) -> RelationQuery:
    """Select ``(relation, from path, to path)`` rows of a project's relations."""
    source, target = aliased(CodebaseResource), aliased(CodebaseResource)
    statement = (
        select(CodebaseRelation, source.path, target.path)
        .join(source, source.id == CodebaseRelation.from_resource_id)
        .join(target, target.id == CodebaseRelation.to_resource_id)
        .where(CodebaseRelation.project_id == project_id)
    )
    return RelationQuery(statement, {"from_resource": source.path, "to_resource": target.path})


def relation_values(row) -> dict:
    """Return one relation as ``{from_resource, to_resource, map_type, score, extra_data}``."""
    relation, from_path, to_path = row
    return {
        "from_resource": from_path,
        "to_resource": to_path,
        "map_type": relation.map_type,
        "score": relation.score,
        "extra_data": relation.extra_data or {},
    }
