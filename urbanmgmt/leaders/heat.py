"""Heat surfaces of the reports for the leaders' dashboard: cached, recomputed in the background.

A surface is described by a `HeatSpec`: the unit framing it, the SQL (with bound parameters)
that selects its reports, built through `urbanmgmt.policy` for the person asking, so two
people see the same cached surface only when their scope selects the same reports, and the
grid. Its result (`HeatEntry`: the coloured PNG with its bounds and legend, the hot spots
and the GeoTIFF) lives in Django's cache (files under var/cache, or Redis), shared by every
worker, for `ENTRY_TTL`.

Freshness without waiting: saving or deleting a report stamps its ward as changed in the
cache (`mark_changed`, a post_save/post_delete receiver; a few bytes). A surface whose wards
changed after its reports were read is stale: the page still shows it, says when it was
computed and that newer reports wait, and registers the spec as wanted. The background job
(`manage.py refresh_heatmaps`, run by a timer, or with `--loop SECONDS` as a service next to
Redis) recomputes the wanted specs that are stale or older than `MAX_AGE`, and warms the
default surface of every leader's district and wards. The only time a page computes is the
first request for a surface that does not exist yet, and only for a district or ward grid
of at most `SYNC_MAX_CELLS` (a district at 10 m: well under a second; see bench/heatmap.py);
anything larger is left to the job and the page says so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.cache import caches
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from gis import heat as engine
from gis.models import AdminUnit, UnitLevel
from reports.models import Category, Report
from urbanmgmt.leaders.services import (
    DASHBOARD_LEVELS,
    Frame,
    LeadersError,
    Period,
    frame_for,
    reports_of_kind,
    scoped_reports,
)
from urbanmgmt.models import Post, Role

logger = logging.getLogger(__name__)

PREFIX = "leaders:heat:v1:"
ENTRY_TTL = 30 * 86400
CHANGED_TTL = 60 * 86400
WANTED_TTL = 3 * 86400  # a spec nobody asked for in three days is no longer recomputed
WANTED_MAX = 500
LOCK_TTL = 600
MAX_AGE = 24 * 3600  # categories and routing change without a report being saved
SYNC_MAX_CELLS = 4_000_000
HOT_SPOTS = 10
KERNEL_REACH = engine.GAUSSIAN_CUTOFF  # the default kernel reaches 4 σ
MIN_DEFAULT_CELL, MIN_DEFAULT_BANDWIDTH = 10.0, 100.0


def _cache() -> Any:
    return caches["default"]


# --- what a surface is ----------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    sql: str
    params: tuple[Any, ...]


NO_ROWS = Query("SELECT NULL::geometry WHERE false", ())


@dataclass(frozen=True)
class HeatSpec:
    """Everything that decides a surface; `key` names it in the cache."""

    unit_id: int
    unit_code: str
    unit_level: str
    ward_ids: tuple[int, ...]
    later: Query
    earlier: Query | None
    earlier_weight: float
    cell_size: float
    bandwidth: float
    cells: int

    @property
    def key(self) -> str:
        text = repr(
            (
                # One cache may serve several databases (a dev copy, the tests).
                connection.settings_dict["NAME"],
                self.unit_id,
                self.later,
                self.earlier,
                round(self.earlier_weight, 9),
                self.cell_size,
                self.bandwidth,
            )
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    @property
    def small(self) -> bool:
        """May a page compute it while the person waits (first request only)?"""
        return self.unit_level in DASHBOARD_LEVELS and self.cells <= SYNC_MAX_CELLS


def _query(queryset: Any) -> Query:
    try:
        sql, params = queryset.order_by().values_list("location").query.sql_with_params()
    except EmptyResultSet:
        return NO_ROWS
    return Query(sql, tuple(params))


def grid_cells(extent: tuple[float, float, float, float], cell: float, bandwidth: float) -> int:
    """About how many cells the grid of a lon/lat `extent` holds, kernel margins included."""
    west, south, east, north = extent
    latitude = math.radians((south + north) / 2)
    width = (east - west) * 111_320 * math.cos(latitude)
    height = (north - south) * 110_574
    pad = 2 * math.ceil(bandwidth * KERNEL_REACH / cell)
    return (math.ceil(width / cell) + pad + 1) * (math.ceil(height / cell) + pad + 1)


def resolution(
    extent: tuple[float, float, float, float], cell: float | None, bandwidth: float | None
) -> tuple[float, float, int]:
    """The cell size and bandwidth (defaults for the unit's size where not given) and the
    grid's cells; LeadersError when the grid would be too large to compute."""
    west, south, east, north = extent
    across = max(
        (east - west) * 111_320 * math.cos(math.radians((south + north) / 2)),
        (north - south) * 110_574,
    )
    defaults = engine.default_resolution(extent_m=max(across, 1.0))
    # A ward gets the district's grid (not a finer one): colours compare between the two
    # pages, and a few hundred reports over a ward draw blotches at a 50 m bandwidth.
    cell = cell or max(defaults.cell_size, MIN_DEFAULT_CELL)
    bandwidth = bandwidth or max(defaults.bandwidth, MIN_DEFAULT_BANDWIDTH, 2 * cell)
    cells = grid_cells(extent, cell, bandwidth)
    if cells > engine.MAX_CELLS:
        least = cell
        while grid_cells(extent, least, bandwidth) > engine.MAX_CELLS:
            least = math.ceil(least * 1.1)
        raise LeadersError(
            _(
                "Cells of %(cell)s m are too small for this area: use cells of at least "
                "%(least)s m, or a smaller bandwidth."
            )
            % {"cell": f"{cell:g}", "least": f"{least:g}"}
        )
    return cell, bandwidth, cells


def spec_for(
    user: Any,
    frame: Frame,
    *,
    period: Period,
    earlier: Period | None = None,
    category: Category | None = None,
    group: str = "",
    statuses: Iterable[str] = (),
    cell: float | None = None,
    bandwidth: float | None = None,
) -> HeatSpec:
    """The surface of the reports `user` may view, filed in `period` in the frame's wards
    (of a category or group, in some statuses); with `earlier`, the change since then.

    The earlier period's reports are weighed by the ratio of the two periods' lengths, so
    a difference compares like with like whatever their lengths.
    """
    reports = reports_of_kind(
        scoped_reports(user).filter(ward_id__in=frame.ward_ids), category=category, group=group
    )
    statuses = sorted(statuses)
    if statuses:
        reports = reports.filter(status__in=statuses)

    def filed_in(p: Period) -> Query:
        return _query(reports.filter(created_at__gte=p.start_at, created_at__lt=p.end_before))

    cell, bandwidth, cells = resolution(frame.unit.geom.extent, cell, bandwidth)
    return HeatSpec(
        unit_id=frame.unit.id,
        unit_code=frame.unit.code,
        unit_level=frame.unit.level,
        ward_ids=tuple(frame.ward_ids),
        later=filed_in(period),
        earlier=filed_in(earlier) if earlier else None,
        earlier_weight=period.days / earlier.days if earlier else 1.0,
        cell_size=cell,
        bandwidth=bandwidth,
        cells=cells,
    )


# --- what is cached -------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatEntry:
    """A computed surface. `as_of` (epoch seconds) is when its reports were read."""

    key: str
    kind: str  # "density" or "difference"
    as_of: float
    computed_at: dt.datetime
    seconds: float
    points: int
    earlier_points: int | None
    cell_size: float
    bandwidth: float
    png: bytes
    bounds: tuple[tuple[float, float], tuple[float, float]]
    legend: dict[str, Any]
    hot_spots: list[engine.HotSpot]
    tif: bytes


@dataclass
class HeatState:
    """A surface as a page finds it: the entry (if any), whether newer reports wait, and
    whether it was computed for this request or is being computed elsewhere."""

    spec: HeatSpec
    entry: HeatEntry | None
    changed_at: float | None = None
    computed_now: bool = False
    busy: bool = False
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def stale(self) -> bool:
        return bool(
            self.entry is not None
            and self.changed_at is not None
            and self.changed_at > self.entry.as_of
        )

    @property
    def pending(self) -> bool:
        return self.entry is None


def _entry_key(key: str) -> str:
    return f"{PREFIX}entry:{key}"


def _lock_key(key: str) -> str:
    return f"{PREFIX}lock:{key}"


def _wanted_key(key: str) -> str:
    return f"{PREFIX}wanted:{key}"


INDEX_KEY = f"{PREFIX}wanted-index"


def _changed_key(ward_id: int) -> str:
    return f"{PREFIX}changed:{ward_id}"


def cached(spec: HeatSpec) -> HeatEntry | None:
    return _cache().get(_entry_key(spec.key))


def changed_at(ward_ids: Iterable[int]) -> float | None:
    """When a report of these wards last changed (None: not since the markers expired)."""
    stamps = _cache().get_many([_changed_key(w) for w in ward_ids])
    return max(stamps.values(), default=None)


# --- marking changes ------------------------------------------------------------------------


def mark_changed(ward_ids: Iterable[int]) -> None:
    """Stamp the wards as changed now and again when the transaction commits (a surface
    read between the two would otherwise miss the change)."""
    ids = [w for w in set(ward_ids) if w is not None]
    if not ids:
        return

    def stamp() -> None:
        # A report is saved whatever happens to the cache: an unreachable Redis costs the
        # heat maps their freshness (the daily recomputation still comes), never a report.
        try:
            _cache().set_many({_changed_key(w): time.time() for w in ids}, CHANGED_TTL)
        except Exception:
            logger.warning(
                "Could not stamp wards %s as changed for the heat maps", ids, exc_info=True
            )

    stamp()
    transaction.on_commit(stamp)


def _report_changed(sender: Any, instance: Report, **kwargs: Any) -> None:
    mark_changed([instance.ward_id])


def connect_signals() -> None:
    """Receivers for report changes (idempotent; urbanmgmt.leaders.urls calls it at import,
    AppConfig.ready() may too)."""
    post_save.connect(_report_changed, sender=Report, dispatch_uid="leaders-heat-report-saved")
    post_delete.connect(_report_changed, sender=Report, dispatch_uid="leaders-heat-report-deleted")


connect_signals()


# --- computing ------------------------------------------------------------------------------


def compute(spec: HeatSpec) -> HeatEntry:
    """Read the reports, compute the surface (and the earlier one, and their difference),
    colour it, find its hot spots, write its GeoTIFF; store the entry in the cache."""
    as_of = time.time()
    started = time.perf_counter()
    geom = AdminUnit.objects.only("geom").get(pk=spec.unit_id).geom
    options = {"cell_size": spec.cell_size, "bandwidth": spec.bandwidth}
    points = engine.points_from_sql(spec.later.sql, spec.later.params)
    surface = engine.density_surface(points, geom, **options)
    earlier_points = None
    if spec.earlier is not None:
        before = engine.points_from_sql(spec.earlier.sql, spec.earlier.params)
        earlier_points = len(before)
        if spec.earlier_weight != 1.0:
            before = engine.Points(before.x, before.y, np.full(len(before), spec.earlier_weight))
        surface = engine.difference(surface, engine.density_surface(before, geom, **options))
    overlay = engine.render_overlay(surface)
    entry = HeatEntry(
        key=spec.key,
        kind=surface.kind,
        as_of=as_of,
        computed_at=timezone.now(),
        seconds=time.perf_counter() - started,
        points=len(points),
        earlier_points=earlier_points,
        cell_size=surface.cell_size,
        bandwidth=surface.bandwidth,
        png=overlay.png,
        bounds=overlay.bounds,
        legend=overlay.legend.as_dict(),
        hot_spots=engine.hot_spots(surface, HOT_SPOTS),
        tif=engine.geotiff_bytes(surface, with_counts=True),
    )
    _cache().set(_entry_key(spec.key), entry, ENTRY_TTL)
    return entry


def compute_once(spec: HeatSpec) -> HeatEntry | None:
    """Compute unless another process is at it (then None)."""
    lock = _lock_key(spec.key)
    if not _cache().add(lock, 1, LOCK_TTL):
        return None
    try:
        return compute(spec)
    finally:
        _cache().delete(lock)


def want(spec: HeatSpec) -> None:
    """Register the spec for the background job (once an hour at most per spec)."""
    now = time.time()
    cache = _cache()
    seen = cache.get(_wanted_key(spec.key))
    if seen is not None and now - seen[1] < 3600:
        return
    cache.set(_wanted_key(spec.key), (spec, now), WANTED_TTL)
    # A read-modify-write: two specs registered at the same instant may lose one, which is
    # then registered again by its next request an hour later at worst.
    index = {k: t for k, t in (cache.get(INDEX_KEY) or {}).items() if now - t < WANTED_TTL}
    index[spec.key] = now
    if len(index) > WANTED_MAX:
        index = dict(sorted(index.items(), key=lambda kv: kv[1])[-WANTED_MAX:])
    cache.set(INDEX_KEY, index, WANTED_TTL)


def state_for_page(spec: HeatSpec, *, may_compute: bool = True) -> HeatState:
    """The surface for a page, never waiting for a recomputation: the cached entry (stale
    or not: the page says which), or, the very first time and only for a small grid, one
    computed now. Anything else is left to the background job."""
    entry = cached(spec)
    state = HeatState(spec=spec, entry=entry, changed_at=changed_at(spec.ward_ids))
    if entry is None and may_compute and spec.small:
        state.entry = compute_once(spec)
        state.computed_now = state.entry is not None
        state.busy = state.entry is None
    if state.entry is None or state.stale or _age(state.entry) > MAX_AGE:
        want(spec)
    return state


def entry_for_download(spec: HeatSpec) -> HeatEntry | None:
    """The entry for a file someone asked for: the cached one, else computed now (a
    download waits for its file); None while another process computes it."""
    entry = cached(spec)
    if entry is None:
        return compute_once(spec)
    changed = changed_at(spec.ward_ids)
    if (changed is not None and changed > entry.as_of) or _age(entry) > MAX_AGE:
        want(spec)
    return entry


def _age(entry: HeatEntry) -> float:
    return time.time() - entry.as_of


# --- the background job ---------------------------------------------------------------------


@dataclass
class RefreshResult:
    spec: HeatSpec
    reason: str  # "missing", "changed", "old", "forced"
    seconds: float
    points: int | None  # None: another process was computing it


def default_specs(today: dt.date | None = None) -> list[HeatSpec]:
    """The default surface (all reports of the last twelve months) of every district and
    ward that a leader or administrator post leads, as that person sees it."""
    from urbanmgmt.leaders.forms import default_period

    period = default_period(today)
    specs: dict[str, HeatSpec] = {}
    posts = (
        Post.objects.filter(active=True, role__in=[Role.LEADER, Role.ADMIN])
        .select_related("user", "unit")
        .defer("unit__geom", "unit__geom_3857")
        .order_by("id")
    )
    for post in posts:
        user = post.user
        if not user.is_active:
            continue
        codes = [post.unit.code]
        if post.unit.level == UnitLevel.DISTRICT:
            codes += list(
                AdminUnit.objects.valid_on()
                .filter(parent_id=post.unit_id)
                .base_units()
                .values_list("code", flat=True)
            )
        for code in codes:
            frame = frame_for(user, code)
            if frame is None:
                continue
            try:
                spec = spec_for(user, frame, period=period)
            except LeadersError:
                continue
            specs.setdefault(spec.key, spec)
    return list(specs.values())


def wanted_specs() -> list[HeatSpec]:
    cache = _cache()
    index = cache.get(INDEX_KEY) or {}
    found = cache.get_many([_wanted_key(k) for k in index])
    return [spec for spec, _seen in found.values()]


def refresh(
    *,
    defaults: bool = True,
    force: bool = False,
    max_age: float = MAX_AGE,
    on_result: Callable[[RefreshResult], None] | None = None,
) -> list[RefreshResult]:
    """One pass of the background job: recompute what is missing, stale or too old."""
    specs: dict[str, HeatSpec] = {}
    if defaults:
        specs.update((s.key, s) for s in default_specs())
    specs.update((s.key, s) for s in wanted_specs())
    results = []
    for spec in specs.values():
        entry = cached(spec)
        changed = changed_at(spec.ward_ids)
        if force:
            reason = "forced"
        elif entry is None:
            reason = "missing"
        elif changed is not None and changed > entry.as_of:
            reason = "changed"
        elif _age(entry) > max_age:
            reason = "old"
        else:
            continue
        started = time.perf_counter()
        done = compute_once(spec)
        result = RefreshResult(
            spec, reason, time.perf_counter() - started, done.points if done else None
        )
        results.append(result)
        if on_result is not None:
            on_result(result)
    return results
