"""Heat maps: kernel density of points (reports...) on a metric grid, as rasters.

    points = points_from_queryset(reports, field="location")           # or Points(lon, lat)
    surface = density_surface(points, ward.geom)                       # defaults for its size
    hot = hot_spots(surface, 10)                                       # top places, with bboxes
    tif = geotiff_bytes(surface)                                       # for QGIS
    overlay = render_overlay(surface)                                  # PNG + bounds + legend

The grid is in UTM zone 48N (EPSG:32648) unless asked otherwise. It is on WGS 84, the
datum of the stored coordinates, so lon/lat → metres is a plain projection: there is no
choice of datum transformation that pyproj, GDAL and QGIS could make differently (VN-2000 has
two, 0.8 m apart in Bình Thạnh, each "±1 m"), every GIS knows the code, PostGIS has it in
`spatial_ref_sys`, and the demo generator draws in it. Its scale error over the city is
+0.003 %, as small as EPSG:9210's; pass `crs=9210` for a grid on the cadastral maps' CRS.

Cells are aligned on multiples of the cell size, so two surfaces of one frame and cell size
share their grid and can be subtracted. Points are binned onto the grid (plus a margin as
wide as the kernel, so points just outside the frame still warm its edge), then convolved
with the kernel through FFTs (numpy's, in slabs; results kept in float32). The density is in points per km²: the sum of the
cells times their area is the number of points (kernel mass beyond the margin aside), so
figures do not change with the cell size, and two periods compare directly.

Kernels: "gaussian" (bandwidth = its standard deviation, cut at 4σ; the default) and
"quartic" (bandwidth = its radius, as in QGIS's heatmap); a quartic of radius h smooths about
as much as a Gaussian of σ ≈ 0.38 h.

Errors are `HeatError` (a ValueError) with messages for developers; the views that take
cell sizes or bandwidths from users validate them first.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import rasterio
import rasterio.features
import rasterio.warp
import shapely
from affine import Affine
from pyproj import CRS, Transformer
from rasterio.crs import CRS as RasterioCRS
from rasterio.enums import Resampling
from shapely.geometry.base import BaseGeometry

Kernel = Literal["gaussian", "quartic"]
SurfaceKind = Literal["density", "difference"]

WGS84 = 4326
WEB_MERCATOR = 3857
METRIC_CRS = 32648  # WGS 84 / UTM zone 48N; see the module docstring

# The grid with the kernel's margins may hold at most this many cells: 10–12 bytes a cell are
# live at the peak (bench/heatmap.py measures it; the points add ~55 bytes each), so 16 M
# cells stay near 200 MB, e.g. 40 × 40 km at 10 m. Grids that big belong in a background job.
MAX_CELLS = 16_000_000
# Defaults: about this many cells across the frame's longer side, a bandwidth of ten cells.
CELLS_ACROSS = 600
BANDWIDTH_CELLS = 10
# Report positions come from phones (5–20 m): finer cells and narrower kernels draw noise.
MIN_CELL_SIZE = 5.0
MAX_CELL_SIZE = 1000.0
MIN_BANDWIDTH = 50.0
GAUSSIAN_CUTOFF = 4.0  # in standard deviations
FFT_SLAB = 1 << 20  # values transformed per numpy call (see _in_slabs)
M2_PER_KM2 = 1e6


class HeatError(ValueError):
    """Input a heat map cannot be computed from (the message says what and the limits)."""


# --- input ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Points:
    """Point coordinates in `crs` (lon/lat by default) and optional weights (1 each if None)."""

    x: np.ndarray
    y: np.ndarray
    weight: np.ndarray | None = None
    crs: int = WGS84

    def __post_init__(self) -> None:
        x = np.asarray(self.x, dtype=np.float64).ravel()
        y = np.asarray(self.y, dtype=np.float64).ravel()
        if x.shape != y.shape:
            raise HeatError(f"x and y differ in length ({x.size} and {y.size})")
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            raise HeatError("point coordinates must be finite numbers (no NaN or infinity)")
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)
        if self.weight is not None:
            w = np.asarray(self.weight, dtype=np.float64).ravel()
            if w.shape != x.shape:
                raise HeatError(f"{w.size} weights for {x.size} points")
            if not np.isfinite(w).all():
                raise HeatError("weights must be finite numbers (no NaN or infinity)")
            if (w < 0).any():
                raise HeatError("weights must not be negative")
            object.__setattr__(self, "weight", w)

    def __len__(self) -> int:
        return int(self.x.size)


# --- defaults ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolution:
    cell_size: float  # metres
    bandwidth: float  # metres


def _nice(value: float) -> float:
    """The nearest of 1, 2, 5 × 10ⁿ on a log scale (11 → 10, 46 → 50, 140 → 100)."""
    exponent = math.floor(math.log10(value))
    candidates = [m * 10.0**e for e in (exponent - 1, exponent, exponent + 1) for m in (1, 2, 5)]
    return min(candidates, key=lambda c: abs(math.log(c / value)))


def metres_per_pixel(zoom: float, latitude: float = 10.8) -> float:
    """Ground size of a Web-Mercator (Leaflet) pixel at `zoom` and `latitude`."""
    return 2 * math.pi * 6378137.0 * math.cos(math.radians(latitude)) / (256 * 2.0**zoom)


def default_resolution(
    *, extent_m: float | None = None, zoom: float | None = None, latitude: float = 10.8
) -> Resolution:
    """A cell size and bandwidth for a frame `extent_m` metres across, or a map `zoom`.

    About 600 cells across the frame (a district 6–7 km wide gets 10 m cells, a city 25–30 km
    wide 50 m), or two screen pixels a cell at `zoom`; a Gaussian σ of ten cells; never
    below 5 m cells and a 50 m bandwidth (phone positions are not finer than that).
    """
    if zoom is not None:
        raw = 2 * metres_per_pixel(zoom, latitude)
    elif extent_m is not None:
        if not (math.isfinite(extent_m) and extent_m > 0):
            raise HeatError(f"extent must be a positive number of metres, not {extent_m!r}")
        raw = extent_m / CELLS_ACROSS
    else:
        raise HeatError("give extent_m or zoom")
    cell = min(max(_nice(raw), MIN_CELL_SIZE), MAX_CELL_SIZE)
    return Resolution(cell_size=cell, bandwidth=max(BANDWIDTH_CELLS * cell, MIN_BANDWIDTH))


# --- coordinate systems -----------------------------------------------------------------


@lru_cache(maxsize=32)
def _transformer(src: int, dst: int) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def _project(x: np.ndarray, y: np.ndarray, src: int, dst: int) -> tuple[np.ndarray, np.ndarray]:
    if src == dst:
        return x, y
    px, py = _transformer(src, dst).transform(x, y)
    return np.asarray(px), np.asarray(py)


def _project_geometry(geom: BaseGeometry, src: int, dst: int) -> BaseGeometry:
    if src == dst:
        return geom
    # Densify first, so long straight edges (a bbox) follow the projection's curvature.
    step = 0.0005 if CRS.from_epsg(src).is_geographic else 50.0
    geom = shapely.segmentize(geom, step)
    return shapely.transform(
        geom, lambda xy: np.column_stack(_project(xy[:, 0], xy[:, 1], src, dst))
    )


@lru_cache(maxsize=16)
def _check_metric(crs: int) -> None:
    try:
        info = CRS.from_epsg(crs)
    except Exception as exc:
        raise HeatError(f"EPSG:{crs} is not a coordinate system PROJ knows") from exc
    units = {axis.unit_name for axis in info.axis_info}
    if not info.is_projected or units != {"metre"}:
        raise HeatError(f"EPSG:{crs} is not a projected CRS in metres; heat grids need one")


# --- frames -----------------------------------------------------------------------------

FrameLike = Any  # a shapely geometry, a GEOSGeometry, or a (xmin, ymin, xmax, ymax) bbox


def _frame_geometry(frame: FrameLike, frame_crs: int) -> tuple[BaseGeometry, int, bool]:
    """(geometry, its CRS, whether it is a polygon to clip to rather than a bbox)."""
    if isinstance(frame, BaseGeometry):
        geom, clip = frame, True
    elif hasattr(frame, "wkb") and hasattr(frame, "srid"):  # django.contrib.gis GEOSGeometry
        geom, clip = shapely.from_wkb(bytes(frame.wkb)), True
        frame_crs = frame.srid or frame_crs
    elif isinstance(frame, Sequence) and len(frame) == 4:
        xmin, ymin, xmax, ymax = (float(v) for v in frame)
        if not all(math.isfinite(v) for v in (xmin, ymin, xmax, ymax)):
            raise HeatError(f"the frame's bbox must be finite numbers, not {frame!r}")
        if not (xmax > xmin and ymax > ymin):
            raise HeatError(f"the frame's bbox is empty: {frame!r} (xmin, ymin, xmax, ymax)")
        geom, clip = shapely.box(xmin, ymin, xmax, ymax), False
    else:
        raise HeatError(f"a frame is a geometry or a (xmin, ymin, xmax, ymax) bbox, not {frame!r}")
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise HeatError(f"the frame must be a polygon or multipolygon, not a {geom.geom_type}")
    if geom.is_empty or geom.area <= 0:
        raise HeatError("the frame is empty: it needs a polygon with an area")
    return geom, frame_crs, clip


# --- the surface ------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class HeatSurface:
    """A density raster: row 0 is the northern edge, `transform` maps (col, row) to metres.

    `density` is in points per km² (float32; NaN outside the frame's polygon, or for a
    difference, the later minus the earlier period). `counts` holds the points binned into
    each cell (before smoothing; inside and outside the polygon). `inside` marks the cells
    whose centre lies in the frame's polygon (all True for a bbox frame).
    """

    density: np.ndarray
    counts: np.ndarray
    inside: np.ndarray
    transform: Affine
    crs: int
    cell_size: float
    bandwidth: float
    kernel: Kernel
    kind: SurfaceKind = "density"
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, int]:
        return self.density.shape

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(xmin, ymin, xmax, ymax) of the grid in `crs` metres."""
        rows, cols = self.shape
        xmin, ymax = self.transform @ (0, 0)
        xmax, ymin = self.transform @ (cols, rows)
        return xmin, ymin, xmax, ymax

    @property
    def total(self) -> float:
        """The points (or weights) binned into the frame's cells."""
        return float(self.counts[self.inside].sum())

    def cell_of(self, x: float, y: float) -> tuple[int, int]:
        """(row, col) of the cell holding metric point (x, y); may be outside the grid."""
        col, row = ~self.transform @ (x, y)
        return math.floor(row), math.floor(col)

    def cell_bounds(self, row: int, col: int) -> tuple[float, float, float, float]:
        xmin, ymax = self.transform @ (col, row)
        return xmin, ymax - self.cell_size, xmin + self.cell_size, ymax

    def bounds_lonlat(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) enclosing the grid."""
        return _lonlat_envelope(shapely.box(*self.bounds), self.crs)


def _lonlat_envelope(geom: BaseGeometry, crs: int) -> tuple[float, float, float, float]:
    west, south, east, north = _project_geometry(geom, crs, WGS84).bounds
    return float(west), float(south), float(east), float(north)


def _fast_len(n: int) -> int:
    """The smallest 2ᵃ3ᵇ5ᶜ ≥ n: pocketfft is several times faster on those sizes."""
    best = 2 ** math.ceil(math.log2(n))
    p5 = 1
    while p5 < best:
        p35 = p5
        while p35 < best:
            p = p35
            while p < n:
                p *= 2
            best = min(best, p)
            p35 *= 3
        p5 *= 5
    return best


def _gaussian_1d(sigma_cells: float, pad: int, n: int) -> np.ndarray:
    """A Gaussian averaged over each cell (so narrow kernels keep their mass), wrapped for FFT."""
    edges = (np.arange(-pad, pad + 2) - 0.5) / (sigma_cells * math.sqrt(2))
    cdf = np.array([math.erf(e) for e in edges])
    weights = np.diff(cdf)
    weights /= weights.sum()
    out = np.zeros(n)
    out[: pad + 1] = weights[pad:]
    out[n - pad :] = weights[:pad]
    return out


def _quartic_2d(radius_cells: float, pad: int, shape: tuple[int, int]) -> np.ndarray:
    k = np.arange(-pad, pad + 1, dtype=np.float64)
    r2 = (k[:, None] ** 2 + k[None, :] ** 2) / max(radius_cells, 0.5) ** 2
    weights = np.where(r2 < 1, (1 - r2) ** 2, 0.0)
    weights /= weights.sum()
    out = np.zeros(shape, dtype=np.float32)
    out[: 2 * pad + 1, : 2 * pad + 1] = weights
    return np.roll(out, (-pad, -pad), axis=(0, 1))


def _grid(
    bounds: tuple[float, float, float, float], cell: float, reach: float
) -> tuple[float, float, int, int, int]:
    """(x0, y1, rows, cols, pad): the frame's grid, snapped to multiples of the cell size, and
    the margin in cells that a kernel reaching `reach` metres needs.

    A micro-cell tolerance keeps the grid of a frame that went through lon/lat and back.
    """
    xmin, ymin, xmax, ymax = bounds
    x0, y1 = math.floor(xmin / cell + 1e-6) * cell, math.ceil(ymax / cell - 1e-6) * cell
    cols = max(1, math.ceil((xmax - x0) / cell - 1e-6))
    rows = max(1, math.ceil((y1 - ymin) / cell - 1e-6))
    return x0, y1, rows, cols, max(1, math.ceil(reach / cell))


def _padded_cells(bounds: tuple[float, float, float, float], cell: float, reach: float) -> int:
    _, _, rows, cols, pad = _grid(bounds, cell, reach)
    return (rows + 2 * pad) * (cols + 2 * pad)


def _in_slabs(func: Any, a: np.ndarray, *, axis: int, out: np.ndarray) -> None:
    """out = func(a, axis=axis) (a 1-D FFT along `axis` of a 2-D array), a slab at a time.

    numpy's FFT computes in double precision whatever the input, so a call on a whole
    float32 grid holds about six times the grid again; slabs of FFT_SLAB values bound that.
    `out` may be `a` itself.
    """
    step = max(1, FFT_SLAB // a.shape[axis])
    for start in range(0, a.shape[1 - axis], step):
        part = slice(start, start + step)
        slab = (part, slice(None)) if axis == 1 else (slice(None), part)
        out[slab] = func(a[slab], axis=axis)


def _check_positive(name: str, value: float) -> float:
    try:
        value = float(value)
    except (TypeError, ValueError) as exc:
        raise HeatError(f"{name} must be a number of metres, not {value!r}") from exc
    if not (math.isfinite(value) and value > 0):
        raise HeatError(f"{name} must be a positive number of metres, not {value!r}")
    return value


def density_surface(
    points: Points,
    frame: FrameLike,
    *,
    frame_crs: int = WGS84,
    cell_size: float | None = None,
    bandwidth: float | None = None,
    kernel: Kernel = "gaussian",
    crs: int = METRIC_CRS,
    clip: bool = True,
    max_cells: int = MAX_CELLS,
) -> HeatSurface:
    """The kernel density of `points` over `frame`, on a grid of `cell_size` metres in `crs`.

    `frame` is a unit's geometry (shapely or GEOS; its SRID wins over `frame_crs`) or a
    (xmin, ymin, xmax, ymax) bbox in `frame_crs`. Missing cell size or bandwidth come from
    `default_resolution` for the frame's size. With `clip`, cells outside a polygon frame
    are NaN in `density`. Points anywhere may be passed: those beyond the frame's margin are
    ignored, those within it count (a report across the street warms the ward's edge). Raises
    HeatError for a non-positive cell size or bandwidth, an empty frame, or a grid above
    `max_cells`.
    """
    if kernel not in ("gaussian", "quartic"):
        raise HeatError(f"kernel must be 'gaussian' or 'quartic', not {kernel!r}")
    _check_metric(crs)
    geom, frame_crs, is_polygon = _frame_geometry(frame, frame_crs)
    metric_geom = _project_geometry(geom, frame_crs, crs)
    xmin, ymin, xmax, ymax = metric_geom.bounds
    if cell_size is None or bandwidth is None:
        defaults = default_resolution(extent_m=max(xmax - xmin, ymax - ymin))
        cell_size = defaults.cell_size if cell_size is None else cell_size
        bandwidth = defaults.bandwidth if bandwidth is None else bandwidth
    cell = _check_positive("cell size", cell_size)
    bandwidth = _check_positive("bandwidth", bandwidth)

    reach = bandwidth * (GAUSSIAN_CUTOFF if kernel == "gaussian" else 1.0)
    x0, y1, rows, cols, pad = _grid(metric_geom.bounds, cell, reach)
    prows, pcols = rows + 2 * pad, cols + 2 * pad
    if prows * pcols > max_cells:  # before rounding to FFT sizes: a bound the caller can act on
        least = math.ceil(cell * math.sqrt(prows * pcols / max_cells))
        while _padded_cells(metric_geom.bounds, least, reach) > max_cells:
            least += 1
        raise HeatError(
            f"a grid of {rows:,} × {cols:,} cells of {cell:g} m (plus {pad} cells of margin "
            f"for a {bandwidth:g} m {kernel} kernel) exceeds the limit of {max_cells:,} "
            f"cells; use cells of at least {least} m, a smaller frame or bandwidth"
        )
    fft_rows, fft_cols = _fast_len(prows), _fast_len(pcols)
    if fft_rows * fft_cols > max_cells:
        fft_rows, fft_cols = prows, pcols  # a slower FFT size rather than a refusal
    transform = Affine(cell, 0.0, x0, 0.0, -cell, y1)

    # Bin. Lon/lat points are first cut to the margin's envelope, so a ward's surface does
    # not project the whole city's points.
    px0, py1 = x0 - pad * cell, y1 + pad * cell
    px1, py0 = px0 + pcols * cell, py1 - prows * cell
    x, y, w = points.x, points.y, points.weight
    if points.crs != crs and len(points):
        west, south, east, north = _project_geometry(
            shapely.box(px0, py0, px1, py1), crs, points.crs
        ).bounds
        slack = 1e-6 * max(east - west, north - south)
        near = (
            (x >= west - slack) & (x <= east + slack) & (y >= south - slack) & (y <= north + slack)
        )
        x, y = _project(x[near], y[near], points.crs, crs)
        w = None if w is None else w[near]
    col = np.floor((x - px0) / cell)
    row = np.floor((py1 - y) / cell)
    ok = (col >= 0) & (col < pcols) & (row >= 0) & (row < prows)
    # Binned straight into the FFT's shape (zeros beyond the margins).
    index = row[ok].astype(np.int64) * fft_cols + col[ok].astype(np.int64)
    del col, row
    binned = np.bincount(
        index, weights=None if w is None else w[ok], minlength=fft_rows * fft_cols
    ).reshape(fft_rows, fft_cols)
    del index
    grid = binned.astype(np.float32)  # whole counts stay exact up to 2²⁴ a cell
    del binned
    counts = grid[pad : pad + rows, pad : pad + cols].astype(np.int32 if w is None else np.float32)

    # Smooth: the grid's FFT, times the kernel's, and back, in place where numpy allows.
    spectrum = np.empty((fft_rows, fft_cols // 2 + 1), dtype=np.complex64)
    _in_slabs(np.fft.rfft, grid, axis=1, out=spectrum)
    del grid
    _in_slabs(np.fft.fft, spectrum, axis=0, out=spectrum)
    if kernel == "gaussian":
        sigma = bandwidth / cell
        ky = np.fft.fft(_gaussian_1d(sigma, pad, fft_rows)).real.astype(np.float32)
        kx = np.fft.rfft(_gaussian_1d(sigma, pad, fft_cols)).real.astype(np.float32)
        spectrum *= ky[:, None]
        spectrum *= kx[None, :]
    else:
        kernel_grid = _quartic_2d(bandwidth / cell, pad, (fft_rows, fft_cols))
        kernel_spectrum = np.empty_like(spectrum)
        _in_slabs(np.fft.rfft, kernel_grid, axis=1, out=kernel_spectrum)
        del kernel_grid
        _in_slabs(np.fft.fft, kernel_spectrum, axis=0, out=kernel_spectrum)
        spectrum *= kernel_spectrum.real
        del kernel_spectrum
    _in_slabs(np.fft.ifft, spectrum, axis=0, out=spectrum)
    density = np.empty((rows, cols), dtype=np.float32)
    step = max(1, FFT_SLAB // fft_cols)
    for start in range(0, rows, step):  # only the frame's rows and columns come back
        stop = min(start + step, rows)
        back = np.fft.irfft(spectrum[pad + start : pad + stop], n=fft_cols, axis=1)
        density[start:stop] = back[:, pad : pad + cols]
    del spectrum
    np.maximum(density, 0, out=density)  # FFT round-off leaves tiny negatives far from points
    density *= np.float32(M2_PER_KM2 / (cell * cell))

    if is_polygon:
        inside = rasterio.features.geometry_mask(
            [metric_geom.__geo_interface__],
            out_shape=(rows, cols),
            transform=transform,
            invert=True,
        )
    else:
        inside = np.ones((rows, cols), dtype=bool)
    if clip and is_polygon:
        density[~inside] = np.nan
    return HeatSurface(
        density=density,
        counts=counts,
        inside=inside,
        transform=transform,
        crs=crs,
        cell_size=cell,
        bandwidth=bandwidth,
        kernel=kernel,
        info={"points": len(points), "points_in_margin": int(ok.sum())},
    )


def difference(later: HeatSurface, earlier: HeatSurface) -> HeatSurface:
    """`later` − `earlier` on their common grid: positive where it got worse.

    Both must come from the same frame, cell size, bandwidth and kernel (compute them with
    the same arguments). Compare periods of equal length, or the sign says little.
    """
    if later.kind != "density" or earlier.kind != "density":
        raise HeatError("difference() takes two density surfaces, not a difference")
    for name in ("crs", "cell_size", "bandwidth", "kernel", "shape", "transform"):
        a, b = getattr(later, name), getattr(earlier, name)
        if a != b:
            raise HeatError(f"the surfaces differ in {name} ({a} and {b}); compute both alike")
    return HeatSurface(
        density=later.density - earlier.density,
        counts=later.counts.astype(np.float32) - earlier.counts.astype(np.float32),
        inside=later.inside & earlier.inside,
        transform=later.transform,
        crs=later.crs,
        cell_size=later.cell_size,
        bandwidth=later.bandwidth,
        kernel=later.kernel,
        kind="difference",
        info={"later": later.info, "earlier": earlier.info},
    )


# --- hot spots --------------------------------------------------------------------------


@dataclass(frozen=True)
class HotSpot:
    """A peak of the surface and the square of cells around it.

    `count` is the points binned into that square (for a difference: how many more than in
    the earlier period). A report lies in the square exactly when its projected position is
    in `bbox`; `polygon_lonlat` is that square's corners in lon/lat (a slightly rotated
    quadrilateral, to filter reports with ST_Within), `bbox_lonlat` the lon/lat box around
    it (west, south, east, north) for a `?bbox=` link, which may catch a few more at its
    corners.
    """

    rank: int
    count: float
    peak_density: float
    row: int
    col: int
    center: tuple[float, float]
    center_lonlat: tuple[float, float]
    bbox: tuple[float, float, float, float]
    bbox_lonlat: tuple[float, float, float, float]
    polygon_lonlat: tuple[tuple[float, float], ...]


def _local_maxima(values: np.ndarray) -> np.ndarray:
    """Cells at least as high as their eight neighbours (and above round-off)."""
    rows, cols = values.shape
    padded = np.full((rows + 2, cols + 2), -np.inf, dtype=values.dtype)
    padded[1:-1, 1:-1] = values
    peak = values > 0
    for dr in (-1, 0, 1):
        for dc in (-1, 0, 1):
            if dr or dc:
                peak &= values >= padded[1 + dr : 1 + dr + rows, 1 + dc : 1 + dc + cols]
    return peak


def hot_spots(
    surface: HeatSurface, n: int = 10, *, radius: float | None = None, min_count: float = 1
) -> list[HotSpot]:
    """The `n` busiest places: squares of whole cells around peaks, reaching at least `radius`
    m (the bandwidth by default) from the peak cell's centre each way.

    Peaks are the surface's local maxima inside the frame; each is given the count of points
    in its square; the squares are taken by decreasing count (ties by peak density) and a
    square that overlaps one already taken is skipped, so no point is counted twice. Squares
    with fewer than `min_count` points are left out.
    """
    if not isinstance(n, int) or n < 1:
        raise HeatError(f"n must be a positive whole number, not {n!r}")
    radius = surface.bandwidth if radius is None else _check_positive("radius", radius)
    half = max(0, math.ceil(radius / surface.cell_size - 0.5 - 1e-9))  # ≥ radius from the centre
    rows, cols = surface.shape

    values = np.where(surface.inside & np.isfinite(surface.density), surface.density, -np.inf)
    top = float(values.max()) if values.size else -np.inf
    if not top > 0:
        return []
    peaks = _local_maxima(values) & (values > top * 1e-6)
    prow, pcol = np.nonzero(peaks)
    # Counts in each square from a summed-area table.
    table = np.zeros((rows + 1, cols + 1), dtype=np.float64)
    np.cumsum(np.cumsum(surface.counts, axis=0, dtype=np.float64), axis=1, out=table[1:, 1:])
    r0, r1 = np.clip(prow - half, 0, rows), np.clip(prow + half + 1, 0, rows)
    c0, c1 = np.clip(pcol - half, 0, cols), np.clip(pcol + half + 1, 0, cols)
    square = table[r1, c1] - table[r0, c1] - table[r1, c0] + table[r0, c0]
    peak_values = values[prow, pcol]
    order = np.lexsort((-peak_values, -square))

    taken: list[int] = []
    for i in order:
        if square[i] < min_count or len(taken) == n:
            break
        if any(
            abs(prow[i] - prow[j]) <= 2 * half and abs(pcol[i] - pcol[j]) <= 2 * half for j in taken
        ):
            continue
        taken.append(int(i))

    spots = []
    for rank, i in enumerate(taken, start=1):
        xmin, ymax = surface.transform @ (int(c0[i]), int(r0[i]))
        xmax, ymin = surface.transform @ (int(c1[i]), int(r1[i]))
        cx, cy = surface.transform @ (pcol[i] + 0.5, prow[i] + 0.5)
        corners_x = np.array([xmin, xmax, xmax, xmin])
        corners_y = np.array([ymin, ymin, ymax, ymax])
        lon, lat = _project(corners_x, corners_y, surface.crs, WGS84)
        clon, clat = _project(np.array([cx]), np.array([cy]), surface.crs, WGS84)
        count = float(square[i])
        spots.append(
            HotSpot(
                rank=rank,
                count=int(count) if count.is_integer() else count,
                peak_density=float(peak_values[i]),
                row=int(prow[i]),
                col=int(pcol[i]),
                center=(float(cx), float(cy)),
                center_lonlat=(float(clon[0]), float(clat[0])),
                bbox=(float(xmin), float(ymin), float(xmax), float(ymax)),
                bbox_lonlat=(
                    float(lon.min()),
                    float(lat.min()),
                    float(lon.max()),
                    float(lat.max()),
                ),
                polygon_lonlat=tuple((float(a), float(b)) for a, b in zip(lon, lat, strict=True)),
            )
        )
    return spots


# --- GeoTIFF ----------------------------------------------------------------------------


def _geotiff_profile(surface: HeatSurface, count: int) -> dict[str, Any]:
    rows, cols = surface.shape
    profile: dict[str, Any] = {
        "driver": "GTiff",
        "width": cols,
        "height": rows,
        "count": count,
        "dtype": "float32",
        "crs": RasterioCRS.from_epsg(surface.crs),
        "transform": surface.transform,
        "nodata": float("nan"),
        "compress": "deflate",
        "predictor": 3,  # floating-point predictor: smooth surfaces shrink several times
        # Keep 13 of float32's 23 mantissa bits (values to 1 part in 16,000, far finer than a
        # kernel estimate's own error): the file shrinks by half again.
        "discard_lsb": 10,
    }
    if rows >= 256 and cols >= 256:
        profile.update(tiled=True, blockxsize=256, blockysize=256)
    return profile


def _write(dataset: Any, surface: HeatSurface, with_counts: bool) -> None:
    dataset.write(surface.density.astype(np.float32, copy=False), 1)
    dataset.set_band_description(1, f"{surface.kind} per km2")
    dataset.update_tags(
        kind=surface.kind,
        units="points per km2",
        cell_size_m=f"{surface.cell_size:g}",
        bandwidth_m=f"{surface.bandwidth:g}",
        kernel=surface.kernel,
        AREA_OR_POINT="Area",
    )
    if with_counts:
        counts = surface.counts.astype(np.float32)
        counts[~surface.inside] = np.nan
        dataset.write(counts, 2)
        dataset.set_band_description(2, "points per cell")


def write_geotiff(surface: HeatSurface, path: str | Path, *, with_counts: bool = False) -> Path:
    """Write `surface` as a compressed float32 GeoTIFF (NaN = no data) that GIS software places.

    Values are kept to 1 part in 16,000 (see `_geotiff_profile`).
    Band 1 is the density (points per km², or its change); with `with_counts` band 2 holds
    the points binned in each cell.
    """
    path = Path(path)
    with rasterio.open(path, "w", **_geotiff_profile(surface, 2 if with_counts else 1)) as ds:
        _write(ds, surface, with_counts)
    return path


def geotiff_bytes(surface: HeatSurface, *, with_counts: bool = False) -> bytes:
    """The GeoTIFF of `write_geotiff`, in memory (for an HTTP response)."""
    with rasterio.io.MemoryFile() as memfile:
        with memfile.open(**_geotiff_profile(surface, 2 if with_counts else 1)) as ds:
            _write(ds, surface, with_counts)
        return memfile.read()


# --- coloured overlay for Leaflet -------------------------------------------------------

# (position in [0, 1] of the scale, colour, opacity). Sequential: ColorBrewer YlOrRd, fading
# in from transparent so the base map shows where there is nothing. Diverging: RdBu, blue
# where it got better, red where worse, transparent where nothing changed.
SEQUENTIAL = (
    (0.0, "#ffffb2", 0.0),
    (0.05, "#ffffb2", 0.45),
    (0.25, "#fecc5c", 0.65),
    (0.5, "#fd8d3c", 0.75),
    (0.75, "#f03b20", 0.8),
    (1.0, "#bd0026", 0.85),
)
DIVERGING = (
    (-1.0, "#2166ac", 0.85),
    (-0.5, "#67a9cf", 0.7),
    (-0.05, "#d1e5f0", 0.45),
    (0.0, "#f7f7f7", 0.0),
    (0.05, "#fddbc7", 0.45),
    (0.5, "#ef8a62", 0.7),
    (1.0, "#b2182b", 0.85),
)


@dataclass(frozen=True)
class LegendStop:
    value: float
    color: str
    opacity: float


@dataclass(frozen=True)
class Legend:
    """Colour stops with their values, in points per km² (`unit`); colours in between are linear."""

    kind: SurfaceKind
    vmin: float
    vmax: float
    stops: tuple[LegendStop, ...]
    unit: str = "points_per_km2"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "unit": self.unit,
            "min": self.vmin,
            "max": self.vmax,
            "stops": [
                {"value": s.value, "color": s.color, "opacity": s.opacity} for s in self.stops
            ],
        }


@dataclass(frozen=True)
class Overlay:
    """A PNG in Web Mercator for `L.imageOverlay(url, bounds)`, with bounds [[S, W], [N, E]]."""

    png: bytes
    bounds: tuple[tuple[float, float], tuple[float, float]]
    legend: Legend
    width: int
    height: int


def _lut(stops: Sequence[tuple[float, str, float]], size: int = 256) -> np.ndarray:
    pos = np.array([s[0] for s in stops])
    pos = (pos - pos[0]) / (pos[-1] - pos[0])
    rgba = np.array(
        [[int(c[i : i + 2], 16) for i in (1, 3, 5)] + [round(255 * a)] for _, c, a in stops],
        dtype=np.float64,
    )
    t = np.linspace(0, 1, size)
    return (
        np.stack([np.interp(t, pos, rgba[:, k]) for k in range(4)], axis=1).round().astype(np.uint8)
    )


def render_overlay(
    surface: HeatSurface, *, vmax: float | None = None, max_pixels: int = 4_000_000
) -> Overlay:
    """The surface coloured as a PNG for Leaflet, with its lon/lat bounds and its legend.

    The grid is reprojected to Web Mercator (bilinear) first: a UTM grid is turned 0.3°
    from the map's, 35 m across a district, and Leaflet stretches an image between two
    corners without turning it. `vmax` fixes the top of the scale (pass the same to two
    periods shown side by side); by default it is the surface's maximum (its largest change,
    either way, for a difference). Above `max_pixels` the image is made coarser.
    """
    diverging = surface.kind == "difference"
    finite = surface.density[np.isfinite(surface.density)]
    if vmax is None:
        vmax = float(np.abs(finite).max()) if finite.size else 0.0
        vmax = vmax if vmax > 0 else 1.0
    else:
        vmax = _check_positive("vmax", vmax)
    src_crs = RasterioCRS.from_epsg(surface.crs)
    dst_crs = RasterioCRS.from_epsg(WEB_MERCATOR)
    # Pixels about the size of a cell: Web Mercator stretches ground by 1 / cos(latitude).
    west, south, east, north = _project_geometry(
        shapely.box(*surface.bounds), surface.crs, WEB_MERCATOR
    ).bounds
    _, lat_south, _, lat_north = surface.bounds_lonlat()
    pixel = surface.cell_size / math.cos(math.radians((lat_south + lat_north) / 2))
    pixel *= max(1.0, math.sqrt((east - west) * (north - south) / pixel**2 / max_pixels))
    width, height = math.ceil((east - west) / pixel), math.ceil((north - south) / pixel)
    dst_transform = Affine(pixel, 0.0, west, 0.0, -pixel, north)
    image = np.full((height, width), np.nan, dtype=np.float32)
    rasterio.warp.reproject(
        surface.density.astype(np.float32, copy=False),
        image,
        src_transform=surface.transform,
        src_crs=src_crs,
        src_nodata=np.nan,
        dst_transform=dst_transform,
        dst_crs=dst_crs,
        dst_nodata=np.nan,
        resampling=Resampling.bilinear,
    )
    stops = DIVERGING if diverging else SEQUENTIAL
    lut = _lut(stops)
    scaled = (image / vmax + 1) / 2 if diverging else image / vmax
    index = np.clip(np.nan_to_num(scaled, nan=0.5 if diverging else 0.0) * 255, 0, 255)
    rgba = lut[index.round().astype(np.uint8)]
    rgba[np.isnan(image), 3] = 0

    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buffer, "PNG", compress_level=6)
    east, south = dst_transform @ (width, height)
    lon, lat = _project(np.array([west, east]), np.array([south, north]), WEB_MERCATOR, WGS84)
    legend = Legend(
        kind=surface.kind,
        vmin=-vmax if diverging else 0.0,
        vmax=vmax,
        stops=tuple(LegendStop(value=p * vmax, color=c, opacity=a) for p, c, a in stops),
    )
    return Overlay(
        png=buffer.getvalue(),
        bounds=((float(lat[0]), float(lon[0])), (float(lat[1]), float(lon[1]))),
        legend=legend,
        width=width,
        height=height,
    )


# --- reading points from the database ---------------------------------------------------


def points_from_sql(
    sql: str,
    params: Sequence[Any] | Mapping[str, Any] | None = None,
    *,
    weighted: bool = False,
    using: str = "default",
) -> Points:
    """The points a SELECT gives: its first column a point geometry (any SRID), its second,
    with `weighted`, a number. Parameters are bound (%s placeholders), never formatted in.

    The coordinates travel as one bytea of big-endian float8s (16 or 24 bytes a point), which
    numpy reads as is: a million points in about 0.6 s, a third of the time of building one
    WKB multipoint and a quarter of fetching a million rows. PostgreSQL caps a value at 1 GB,
    about 40 million weighted points. Empty points are skipped.
    """
    from django.db import connections

    columns, weight, values = "geom", "", "float8send(ST_X(p.g)) || float8send(ST_Y(p.g))"
    if weighted:  # a NULL weight becomes NaN, which Points refuses, rather than a silent 0
        columns, weight = "geom, weight", ", COALESCE(q.weight::float8, 'NaN') AS w"
        values += " || float8send(p.w)"
    query = f"""
        SELECT string_agg({values}, ''::bytea)
        FROM (SELECT ST_Transform(q.geom, {WGS84}) AS g{weight}
              FROM ({sql}) AS q({columns}) WHERE q.geom IS NOT NULL) AS p"""
    with connections[using].cursor() as cursor:
        cursor.execute(query, params)
        data = cursor.fetchone()[0]
    width = 3 if weighted else 2
    table = np.frombuffer(bytes(data or b""), dtype=">f8").reshape(-1, width)
    table = table.astype(np.float64)  # native byte order, writable
    return Points(table[:, 0], table[:, 1], table[:, 2] if weighted else None)


def points_from_queryset(queryset: Any, *, field: str, weight: str | None = None) -> Points:
    """The points of `field` (a point field or annotation) of each row of `queryset`.

    `weight` names a numeric field or annotation to weigh each point by.
    """
    names = [field] if weight is None else [field, weight]
    sql, params = queryset.order_by().values_list(*names).query.sql_with_params()
    return points_from_sql(sql, params, weighted=weight is not None, using=queryset.db)
