"""Figures shown for administrative units on the ward and district maps.

A figure is a number per unit (parcels, reports, dossiers...) computed for a whole list of
units in one query, never one query per unit. The spatial core registers its own; a
feature app registers its figures from its `AppConfig.ready()`, so the map views show them
without `gis` importing the app:

    register_unit_figure("reports", _("Reports"), count_reports_by_ward)

where `count_reports_by_ward(unit_ids)` returns `{unit_id: number}` (units it leaves out
count as 0).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db.models import Count
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Number = int | float
FigureFunction = Callable[[Sequence[int]], dict[int, Number]]


@dataclass(frozen=True)
class UnitFigure:
    key: str
    title: str | Promise
    func: FigureFunction


_FIGURES: dict[str, UnitFigure] = {}


def register_unit_figure(key: str, title: str | Promise, func: FigureFunction) -> None:
    """Show `func`'s number for each unit under `title`; registering the same again is a no-op."""
    figure = UnitFigure(key, title, func)
    if key in _FIGURES and _FIGURES[key] != figure:
        raise ValueError(f"Another unit figure is already registered as {key!r}")
    _FIGURES[key] = figure


def unregister_unit_figure(key: str) -> None:
    _FIGURES.pop(key, None)


def unit_figures() -> list[UnitFigure]:
    return list(_FIGURES.values())


def compute_figures(unit_ids: Sequence[int]) -> dict[str, dict[int, Number]]:
    """Every registered figure for these units: {figure key: {unit id: number}}, 0 when absent."""
    ids = list(unit_ids)
    results: dict[str, dict[int, Number]] = {}
    for figure in _FIGURES.values():
        values = figure.func(ids) if ids else {}
        results[figure.key] = {unit_id: values.get(unit_id, 0) for unit_id in ids}
    return results


# --- the core's figures -------------------------------------------------------------------


def count_parcels(unit_ids: Sequence[int]) -> dict[int, Number]:
    from gis.models import Parcel

    return dict(
        Parcel.objects.filter(ward_id__in=unit_ids)
        .order_by()
        .values_list("ward_id")
        .annotate(n=Count("id"))
        .values_list("ward_id", "n")
    )


# Registered here rather than from the app's ready(): the parcels come first whoever
# imports this module first, and nothing needs wiring.
register_unit_figure("parcels", _("Parcels"), count_parcels)
