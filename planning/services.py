"""Write-side services of the planning app: decisions, their supersession, and plan imports.

Each is keyword-only, atomic, writes an audit row and raises `PlanningError` with a message
a person can act on. The admin, the management commands and the demo loader call them.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from gis.importer import ImportFailed, ImportSummary, run_import
from planning.models import DecisionStatus, PlanDecision, PlanKind
from urbanmgmt.audit import record


class PlanningError(Exception):
    """A planning change that cannot be made; the message says why."""


@transaction.atomic
def record_decision(
    *,
    number: str,
    decided_on: dt.date,
    authority: str,
    kind: str,
    scale: int,
    title: str = "",
    valid_from: dt.date | None = None,
    supersedes: Sequence[PlanDecision] = (),
    actor: Any = None,
) -> PlanDecision:
    """Record a plan decision, or update the one with that number; supersede older ones.

    A decision comes into force on `valid_from` (its date by default). Each decision in
    `supersedes` stops being in force the day before and points to this one; its zones stay,
    so the plan of any past day can still be read.
    """
    number = number.strip()
    if not number:
        raise PlanningError(_("A plan decision needs its number."))
    if kind not in PlanKind.values:
        raise PlanningError(
            _("Unknown plan kind “%(kind)s”; use one of: %(kinds)s.")
            % {"kind": kind, "kinds": ", ".join(PlanKind.values)}
        )
    if scale <= 0:
        raise PlanningError(_("The scale is the N of 1/N and must be positive."))
    valid_from = valid_from or decided_on
    decision, created = PlanDecision.objects.update_or_create(
        number=number,
        defaults={
            "decided_on": decided_on,
            "authority": authority,
            "kind": kind,
            "scale": scale,
            "title": title,
            "valid_from": valid_from,
        },
    )
    record(
        actor=actor,
        post=None,
        action="plandecision.create" if created else "plandecision.change",
        obj=decision,
        changes={"number": number, "valid_from": valid_from},
    )
    for older in supersedes:
        supersede_decision(old=older, new=decision, actor=actor)
    return decision


@transaction.atomic
def supersede_decision(*, old: PlanDecision, new: PlanDecision, actor: Any = None) -> PlanDecision:
    """Mark `old` superseded by `new` from the day `new` comes into force."""
    if old.pk == new.pk:
        raise PlanningError(_("A decision cannot supersede itself."))
    if new.valid_from <= old.valid_from:
        raise PlanningError(
            _(
                "Decision %(new)s comes into force on %(date)s, not after %(old)s, so it cannot supersede it."
            )
            % {"new": new.number, "old": old.number, "date": new.valid_from.isoformat()}
        )
    old.status = DecisionStatus.SUPERSEDED
    old.valid_to = new.valid_from - dt.timedelta(days=1)
    old.superseded_by = new
    old.save(update_fields=["status", "valid_to", "superseded_by", "updated_at"])
    record(
        actor=actor,
        post=None,
        action="plandecision.supersede",
        obj=old,
        changes={"superseded_by": new.number, "valid_to": old.valid_to},
    )
    return old


@transaction.atomic
def import_plan_layer(
    *,
    kind: str,
    path: str | os.PathLike[str],
    decision: PlanDecision | None,
    mapping: dict[str, str] | None = None,
    srid: int | None = None,
    encoding: str | None = None,
    layer: str | None = None,
    progress: bool = False,
    actor: Any = None,
) -> ImportSummary:
    """Import a decision's zones (`plan_zones`) or road boundaries (`road_boundaries`).

    The file is the decision's whole layer: zones no longer in it are removed, new ones
    added with their parcel overlaps, unchanged ones kept. All or nothing.
    """
    if kind not in ("plan_zones", "road_boundaries"):
        raise PlanningError(
            _("Plans import plan_zones or road_boundaries, not “%(kind)s”.") % {"kind": kind}
        )
    try:
        summary = run_import(
            kind,
            path,
            layer=layer,
            srid=srid,
            encoding=encoding,
            mapping=mapping,
            options={"decision": decision.number if decision else None},
            progress=progress,
        )
    except ImportFailed as exc:
        raise PlanningError(str(exc)) from exc
    if decision is not None:
        record(
            actor=actor,
            post=None,
            action=f"plandecision.import_{kind}",
            obj=decision,
            changes={"source": str(path), "created": summary.created, "read": summary.read},
        )
    return summary
