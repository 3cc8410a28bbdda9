"""The append-only audit log: every change to a report, dossier, plan or layer leaves a row.

Services call `record()` inside their own transaction, so a change and its audit row commit
or roll back together.
"""

from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from urbanmgmt.models import AuditEntry, Post


def _plain(changes: dict[str, Any] | None) -> dict[str, Any]:
    """JSON-safe copy: dates, decimals, UUIDs and geometries become text."""
    import json

    if not changes:
        return {}
    return json.loads(json.dumps(changes, cls=DjangoJSONEncoder, default=str))


def record(
    *,
    actor: Any,
    post: Post | None,
    action: str,
    obj: models.Model,
    changes: dict[str, Any] | None = None,
    unit_id: int | None = None,
) -> AuditEntry:
    """Write one audit row: who (`actor`, None for the system), from which post, did what."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEntry.objects.create(
        actor=actor,
        post=post,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        unit_id=unit_id,
        changes=_plain(changes),
    )


def changed_fields(before: models.Model | None, after: models.Model) -> dict[str, Any]:
    """{field: [old, new]} for the concrete fields that differ (all of them for a creation)."""
    changes: dict[str, Any] = {}
    for field in after._meta.concrete_fields:
        if field.primary_key:
            continue
        new = field.value_from_object(after)
        old = field.value_from_object(before) if before is not None else None
        if before is None or old != new:
            changes[field.attname] = [_text(old), _text(new)]
    return changes


def _text(value: Any) -> Any:
    if hasattr(value, "wkt"):
        return f"<{value.geom_type}>"
    return value
