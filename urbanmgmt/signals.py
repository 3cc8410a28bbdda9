"""Audit rows for changes that do not pass through one of our services."""

from __future__ import annotations

from typing import Any

from gis.models import LayerImport
from urbanmgmt.audit import record


def layer_import_audited(sender: Any, instance: LayerImport, created: bool, **kwargs: Any) -> None:
    """An import replaces part of a layer from the command line: the system is the actor."""
    if not created:
        return
    record(
        actor=None,
        post=None,
        action="layer.import",
        obj=instance,
        changes={
            "kind": instance.kind,
            "source": instance.source,
            "created": instance.created,
            "updated": instance.updated,
            "refused": instance.refused,
        },
    )
