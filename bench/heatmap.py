"""Benchmark: heat-map surfaces of a million reports, against scipy's gaussian_kde, in one run.

    .venv/bin/python bench/heatmap.py [--points 1000000] [--repeat 5] [--kde-cells 20000]

The city is the demo generator's (fixtures/demo.py) layout for a million parcels: 20 districts
of about 21 km² each, 465 km² in all (28 × 24 km), in UTM 48N, the first one the demo's Bình
Thạnh. Its reports are synthetic and clustered: three quarters follow the generator's density
field (dense round the old centres, sparse on the peninsula), a quarter sit in 500 tight
problem spots (a market, a building site, a flooded street: 15–120 m wide, sizes lognormal)
placed by the same field. They are handed over in lon/lat, as `points_from_sql` gives them.

Timed (best and median of --repeat runs; peak memory of one more run under tracemalloc):

- a district surface at 10 m cells (default for its 6.7 km: 100 m Gaussian) from the
  district's own reports, projection to UTM included, as a view filtering by district runs it;
- the same from all the city's reports (the function cuts them to the district's margin);
- a city surface at 50 m cells (default for 28 km: 500 m Gaussian) from all of them;
- a city surface at 10 m, the largest grid the cell limit lets through in one piece, for the
  memory a cell costs;
- then on the district surface: 10 hot spots, the Leaflet overlay, the GeoTIFF;
- reading the million reports back from PostGIS with `points_from_sql`, against fetching
  rows of (ST_X, ST_Y) (a database of its own, `urbanmgmt_bench_heat`, table report_points,
  reloaded each run; `--no-db` skips this).

The peer is a naive `scipy.stats.gaussian_kde`: fitted on a 10,000-report sample of the
district, its kernel set to the same bandwidth (geometric mean of its axes; it follows the
sample's covariance, as gaussian_kde does), evaluated at --kde-cells of the district grid's
cell centres drawn at random, and scaled up by (cells of the grid / cells evaluated) × (reports
/ 10,000): its cost is proportional to both. It runs in its own virtualenv, var/peers/scipy
(scipy pinned, with the app's numpy; never in the app's requirements: the app's .venv has no
scipy), in a child process, whose peak RSS (VmHWM) is reported. Its values are checked against ours on
the same sample (correlation and peak position) so the comparison is of like with like.

The machine has 2 cores and is shared with other engineers' test runs: the load average is
printed before and after. numpy's FFT and scipy's gaussian_kde each use one core.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import shapely  # noqa: E402
from pyproj import Transformer  # noqa: E402

from fixtures import demo  # noqa: E402
from gis import heat  # noqa: E402

PEERS_DIR = ROOT / "var" / "peers"
WORK_DIR = ROOT / "var" / "bench" / "heatmap"
SCIPY_VERSION = "1.17.1"
NUMPY_VERSION = np.__version__  # the app's, so both sides run the same numpy
KDE_SAMPLE = 10_000
SEED = 765
GOAL_DISTRICT_SECONDS = 1.0

KDE_SCRIPT = r"""
import json, sys, time, tracemalloc
import numpy as np
import scipy
from scipy.stats import gaussian_kde

work = sys.argv[1]
sample = np.load(f"{work}/sample.npy")
cells = np.load(f"{work}/cells.npy")
bandwidth = float(sys.argv[2])
kde = gaussian_kde(sample.T)
# gaussian_kde's kernel covariance is the sample's times factor²: pick the factor that gives
# it the same area as an isotropic Gaussian of σ = bandwidth.
factor = bandwidth / np.linalg.det(kde.covariance / kde.factor**2) ** 0.25
kde.set_bandwidth(bw_method=factor)
tracemalloc.start()
start = time.perf_counter()
values = kde(cells.T)
seconds = time.perf_counter() - start
peak = tracemalloc.get_traced_memory()[1]
tracemalloc.stop()
np.save(f"{work}/kde_values.npy", values)
axes = np.sqrt(np.linalg.eigvalsh(kde.covariance))
print(json.dumps({
    "seconds": seconds, "traced_peak": peak, "scipy": scipy.__version__,
    # VmHWM, not ru_maxrss: Linux carries the parent's ru_maxrss over fork and exec.
    "hwm_kib": int(next(l for l in open("/proc/self/status") if l.startswith("VmHWM")).split()[1]),
    "kernel_axes_m": axes.tolist(),
}))
"""


# --- the peer's environment -------------------------------------------------------------


def scipy_python() -> Path:
    """scipy's own virtualenv (var/peers/scipy), made or brought to the pinned versions."""
    venv = PEERS_DIR / "scipy"
    python = venv / "bin" / "python"
    marker = venv / f"installed-scipy-{SCIPY_VERSION}-numpy-{NUMPY_VERSION}"
    if marker.exists():
        return python
    print(f"Installing scipy {SCIPY_VERSION} into {venv} (its own virtualenv, once)…", flush=True)
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [
            *(str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"),
            *(f"scipy=={SCIPY_VERSION}", f"numpy=={NUMPY_VERSION}"),
        ],
        check=True,
    )
    marker.touch()
    return python


# --- the data set -----------------------------------------------------------------------


def city_reports(total: int, seed: int = SEED) -> tuple[list[Any], np.ndarray, np.ndarray]:
    """(district specs, x, y in UTM 48N) of `total` clustered reports over the demo city."""
    specs = demo._city_layout(1_000_000, seed)  # 20 districts; only their outlines and fields
    rng = np.random.default_rng([seed, 8])
    n_spread = round(total * 0.75)
    # Uniform candidates in each district's box, kept where inside it with the probability
    # of its density field; box sizes set the number drawn, so districts fill as they should.
    boxes = np.array([s.polygon.bounds for s in specs])
    box_area = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    xs, ys = [], []
    for spec, bounds, area in zip(specs, boxes, box_area, strict=True):
        n = round(n_spread * 6 * area / box_area.sum())  # about 1 in 4 is kept
        x = rng.uniform(bounds[0], bounds[2], n)
        y = rng.uniform(bounds[1], bounds[3], n)
        inside = shapely.contains_xy(spec.polygon, x, y)
        xy = np.column_stack([x[inside], y[inside]])
        keep = rng.random(len(xy)) < demo._density(spec, xy)
        xs.append(xy[keep, 0])
        ys.append(xy[keep, 1])
    x, y = np.concatenate(xs), np.concatenate(ys)
    if len(x) < n_spread:
        raise RuntimeError(f"drew {len(x)} spread reports, fewer than {n_spread}")
    pick = rng.choice(len(x), n_spread, replace=False)
    x, y = x[pick], y[pick]
    # Problem spots: centres drawn among the spread reports (so, by the same field).
    n_spots = total - n_spread
    centres = rng.choice(n_spread, 500, replace=False)
    sizes = rng.lognormal(0, 1.0, 500)
    sizes = np.floor(sizes / sizes.sum() * n_spots).astype(int)
    sizes[: n_spots - sizes.sum()] += 1
    spread = np.repeat(rng.uniform(15, 120, 500), sizes)
    sx = np.repeat(x[centres], sizes) + rng.normal(0, 1, n_spots) * spread
    sy = np.repeat(y[centres], sizes) + rng.normal(0, 1, n_spots) * spread
    return specs, np.concatenate([x, sx]), np.concatenate([y, sy])


# --- reading points from PostGIS ------------------------------------------------------------

BENCH_DB = "urbanmgmt_bench_heat"


def read_from_database(lon: np.ndarray, lat: np.ndarray, repeat: int) -> None:
    """Time points_from_sql on a table of the reports, against fetching rows of (x, y)."""
    from urllib.parse import urlparse

    import psycopg

    base = urlparse(
        os.environ.get("DATABASE_URL", "postgis://urbanmgmt:urbanmgmt@127.0.0.1:5432/urbanmgmt")
    )
    conninfo = base._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(conninfo, autocommit=True) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone():
            admin.execute(f'CREATE DATABASE "{BENCH_DB}"')
    url = base._replace(path=f"/{BENCH_DB}").geturl()
    with psycopg.connect(base._replace(scheme="postgresql", path=f"/{BENCH_DB}").geturl()) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        conn.execute("DROP TABLE IF EXISTS report_points")
        conn.execute(
            "CREATE TABLE report_points (id bigserial PRIMARY KEY, location geometry(Point, 4326))"
        )
        start = time.perf_counter()
        with conn.cursor().copy("COPY report_points (location) FROM STDIN") as copy:
            for i in range(0, len(lon), 100_000):
                block = "".join(
                    f"SRID=4326;POINT({a} {b})\n"
                    for a, b in zip(
                        lon[i : i + 100_000].tolist(), lat[i : i + 100_000].tolist(), strict=True
                    )
                )
                copy.write(block)
        print(f"  loaded into report_points in {time.perf_counter() - start:.1f} s")

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urbanmgmt.settings")
    import django

    django.setup()
    from django.db import connection

    def rows() -> tuple[np.ndarray, np.ndarray]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT ST_X(location), ST_Y(location) FROM report_points")
            xy = np.array(cursor.fetchall())
        return xy[:, 0], xy[:, 1]

    points, _ = measure(
        "points_from_sql (one bytea of float8s)",
        lambda: heat.points_from_sql("SELECT location FROM report_points"),
        repeat,
    )
    measure("rows of (ST_X, ST_Y) fetched, then numpy", rows, max(1, repeat // 2))
    if len(points) != len(lon):
        raise RuntimeError(f"read {len(points):,} points, not {len(lon):,}")
    connection.close()


# --- measuring --------------------------------------------------------------------------


def measure(label: str, func: Callable[[], Any], repeat: int) -> tuple[Any, dict[str, float]]:
    result = func()  # warm-up: imports, PROJ database, caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    del result
    tracemalloc.start()
    result = func()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    figures = {"best": min(times), "median": statistics.median(times), "peak_mb": peak / 2**20}
    print(
        f"  {label:<58} best {figures['best']:7.3f} s   median {figures['median']:7.3f} s   "
        f"peak {figures['peak_mb']:7.1f} MB",
        flush=True,
    )
    return result, figures


def peak_rss_mb() -> float:
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM"))
    return int(line.split()[1]) / 1024


def load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--kde-cells", type=int, default=20_000)
    parser.add_argument("--no-db", action="store_true", help="skip reading points from PostGIS")
    args = parser.parse_args(argv)
    WORK_DIR.mkdir(parents=True, exist_ok=True)

    print(f"Machine: {os.cpu_count()} cores, shared with other test runs; load {load()}")
    print(f"numpy {np.__version__}; heat grid EPSG:{heat.METRIC_CRS}\n")
    start = time.perf_counter()
    specs, x, y = city_reports(args.points)
    lon, lat = Transformer.from_crs(demo.UTM_EPSG, 4326, always_xy=True).transform(x, y)
    everything = heat.Points(lon, lat)
    district = specs[0].polygon
    city = shapely.union_all([s.polygon for s in specs])
    in_district = shapely.contains_xy(district, x, y)
    district_points = heat.Points(lon[in_district], lat[in_district])
    print(
        f"Data: {len(everything):,} reports over {len(specs)} districts, "
        f"{city.area / 1e6:.0f} km² ({(city.bounds[2] - city.bounds[0]) / 1000:.1f} × "
        f"{(city.bounds[3] - city.bounds[1]) / 1000:.1f} km), made in "
        f"{time.perf_counter() - start:.1f} s; {specs[0].name}: {district.area / 1e6:.1f} km², "
        f"{len(district_points):,} reports"
    )
    to_lonlat = Transformer.from_crs(demo.UTM_EPSG, 4326, always_xy=True)
    district_ll = shapely.transform(
        district, lambda xy: np.column_stack(to_lonlat.transform(*xy.T))
    )
    city_ll = shapely.transform(city, lambda xy: np.column_stack(to_lonlat.transform(*xy.T)))

    print(f"\nOurs (gis/heat.py), {args.repeat} runs each:")
    figures: dict[str, dict[str, float]] = {}
    surface, figures["district"] = measure(
        "district, 10 m cells, its own reports (lon/lat in)",
        lambda: heat.density_surface(district_points, district_ll),
        args.repeat,
    )
    print(
        f"    grid {surface.shape[0]} × {surface.shape[1]} = {surface.density.size:,} cells, "
        f"bandwidth {surface.bandwidth:g} m, {surface.total:,.0f} reports inside"
    )
    _, figures["district_all"] = measure(
        "district, 10 m cells, all the city's reports (lon/lat in)",
        lambda: heat.density_surface(everything, district_ll),
        args.repeat,
    )
    city_surface, figures["city"] = measure(
        "city, 50 m cells, all reports (lon/lat in)",
        lambda: heat.density_surface(everything, city_ll),
        args.repeat,
    )
    print(
        f"    grid {city_surface.shape[0]} × {city_surface.shape[1]} = "
        f"{city_surface.density.size:,} cells, bandwidth {city_surface.bandwidth:g} m"
    )
    big, figures["city10"] = measure(
        "city, 10 m cells, 100 m bandwidth, all reports",
        lambda: heat.density_surface(everything, city_ll, cell_size=10, bandwidth=100),
        max(1, args.repeat // 2),
    )

    def padded(surface: heat.HeatSurface) -> int:
        pad = math.ceil(surface.bandwidth * heat.GAUSSIAN_CUTOFF / surface.cell_size)
        return (surface.shape[0] + 2 * pad) * (surface.shape[1] + 2 * pad)

    # The same million points in both: the difference is what the cells cost.
    per_cell = (
        (figures["city10"]["peak_mb"] - figures["city"]["peak_mb"])
        * 2**20
        / (padded(big) - padded(city_surface))
    )
    print(
        f"    grid {big.shape[0]} × {big.shape[1]} = {big.density.size:,} cells "
        f"({padded(big):,} with margins): {per_cell:.1f} bytes a cell at the peak, "
        f"beyond the points' own {figures['city']['peak_mb']:.0f} MB"
    )
    del big
    spots, figures["hot_spots"] = measure(
        "10 hot spots of the district", lambda: heat.hot_spots(surface, 10), args.repeat
    )
    overlay, figures["overlay"] = measure(
        "district overlay PNG (Web Mercator)", lambda: heat.render_overlay(surface), args.repeat
    )
    tif, figures["geotiff"] = measure(
        "district GeoTIFF", lambda: heat.geotiff_bytes(surface), args.repeat
    )
    print(
        f"    hot spots: {', '.join(str(s.count) for s in spots)} reports; "
        f"PNG {overlay.width} × {overlay.height}, {len(overlay.png) / 1024:.0f} KiB; "
        f"GeoTIFF {len(tif) / 1024:.0f} KiB"
    )

    if not args.no_db:
        print(f"\nReading the {len(everything):,} reports back from PostGIS ({BENCH_DB}):")
        read_from_database(lon, lat, args.repeat)

    # The peer.
    print(f"\nPeer: scipy.stats.gaussian_kde on a {KDE_SAMPLE:,}-report sample of the district")
    python = scipy_python()
    rng = np.random.default_rng([SEED, 9])
    dx, dy = x[in_district], y[in_district]
    sample_idx = rng.choice(len(dx), min(KDE_SAMPLE, len(dx)), replace=False)
    sample = np.column_stack([dx[sample_idx], dy[sample_idx]])
    inside_cells = np.argwhere(surface.inside)
    chosen = inside_cells[rng.choice(len(inside_cells), args.kde_cells, replace=False)]
    cx, cy = surface.transform @ (chosen[:, 1] + 0.5, chosen[:, 0] + 0.5)
    np.save(WORK_DIR / "sample.npy", sample)
    np.save(WORK_DIR / "cells.npy", np.column_stack([cx, cy]))
    done = subprocess.run(
        [str(python), "-c", KDE_SCRIPT, str(WORK_DIR), str(surface.bandwidth)],
        check=True,
        capture_output=True,
        text=True,
    )
    peer = json.loads(done.stdout)
    kde_values = np.load(WORK_DIR / "kde_values.npy") * len(dx) * 1e6  # per km², all reports
    cells_total = int(surface.inside.sum())
    scale_cells = cells_total / args.kde_cells
    district_scaled = peer["seconds"] * scale_cells * len(dx) / len(sample)
    city_cells = int(city_surface.inside.sum())
    city_scaled = peer["seconds"] / args.kde_cells / len(sample) * city_cells * len(everything)
    print(
        f"  scipy {peer['scipy']}: {len(sample):,} reports × {args.kde_cells:,} cells in "
        f"{peer['seconds']:.2f} s (kernel axes "
        f"{' × '.join(f'{a:.0f}' for a in peer['kernel_axes_m'])} m), traced peak "
        f"{peer['traced_peak'] / 2**20:.1f} MB, process peak RSS {peer['hwm_kib'] / 1024:.0f} MB"
    )
    print(
        f"  scaled to the district ({len(dx):,} reports × {cells_total:,} cells): "
        f"{district_scaled:,.0f} s"
    )
    print(
        f"  scaled to the city at 50 m ({len(everything):,} reports × {city_cells:,} cells): "
        f"{city_scaled:,.0f} s"
    )

    # Like with like: our surface of the same sample at the same cells.
    ours = heat.density_surface(
        heat.Points(sample[:, 0], sample[:, 1], crs=demo.UTM_EPSG),
        district,
        frame_crs=demo.UTM_EPSG,
        cell_size=surface.cell_size,
        bandwidth=surface.bandwidth,
    )
    ours_values = ours.density[chosen[:, 0], chosen[:, 1]] * len(dx) / len(sample)
    corr = float(np.corrcoef(ours_values, kde_values)[0, 1])
    gap = float(
        np.hypot(
            cx[np.argmax(ours_values)] - cx[np.argmax(kde_values)],
            cy[np.argmax(ours_values)] - cy[np.argmax(kde_values)],
        )
    )
    print(
        f"  check on the same sample and cells: correlation {corr:.4f}, highest cells "
        f"{gap:.0f} m apart, means {ours_values.mean():,.0f} and {kde_values.mean():,.0f} "
        f"reports/km²"
    )

    best = figures["district"]["best"]
    print("\nSummary")
    print(
        f"  district surface (10 m): {best:.3f} s best, {figures['district']['median']:.3f} s "
        f"median, peak {figures['district']['peak_mb']:.0f} MB: goal < "
        f"{GOAL_DISTRICT_SECONDS:g} s {'met' if best < GOAL_DISTRICT_SECONDS else 'NOT met'}"
    )
    print(
        f"  city surface (50 m): {figures['city']['best']:.3f} s best, peak "
        f"{figures['city']['peak_mb']:.0f} MB"
    )
    print(
        f"  scipy gaussian_kde scaled up: district {district_scaled:,.0f} s "
        f"({district_scaled / best:,.0f}× ours), city {city_scaled:,.0f} s "
        f"({city_scaled / figures['city']['best']:,.0f}× ours)"
    )
    print(
        f"  this process's peak RSS {peak_rss_mb():.0f}"
        f" MB (the reports in lon/lat and UTM, the million rows of the database read, and tracemalloc's own bookkeeping); load {load()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
