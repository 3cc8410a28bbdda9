"""Benchmark: `import_layer parcels` against `ogr2ogr -f PostgreSQL` on the same GeoPackage.

    .venv/bin/python bench/import_parcels.py [--parcels 1000000] [--repeat 1]

Generates (once, cached in var/bench/) a city of N parcels with the demo generator, makes a
scratch PostGIS database `urbanmgmt_bench` next to the app's (same server, same
credentials), loads the administrative units, then in the same run times:

- ogr2ogr (GDAL's own loader, `PG_USE_COPY=YES`, GiST index built) into a plain table;
- our `manage.py import_layer parcels` into the empty parcel table (text decoded and checked,
  geometries validated, wards resolved and natural keys checked in Python, one binary COPY
  straight into the table with its generated Web-Mercator copy and area, then two GiST
  indexes, the natural key's unique index and the ward foreign key built after the load).

It prints both times, the ratio (ours / ogr2ogr) and the peak memory of our import, for the
best run of each and as the spread over all runs (`--repeat`): on a machine shared with
other work the times swing widely, so repeat and say so. Goal: ratio <= 1.5 with peak
memory under 1 GB. This is a benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import peers  # noqa: E402

PYTHON = sys.executable


def run(cmd: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, cwd=ROOT)
    return time.perf_counter() - started


def manage(args: list[str]) -> list[str]:
    return [PYTHON, "manage.py", *args]


# Runs import_layer in a child process and prints that process's own peak RSS (KiB) last.
MEASURED_IMPORT = """
import os, resource, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urbanmgmt.settings")
import django
django.setup()
from django.core.management import call_command
call_command("import_layer", "parcels", sys.argv[1], "--no-progress")
print("PEAK_KIB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--parcels", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=765)
    parser.add_argument(
        "--repeat", type=int, default=1, help="timed runs of each loader; the best is kept"
    )
    args = parser.parse_args()

    if shutil.which("ogr2ogr") is None:
        sys.exit("ogr2ogr is missing: apt-get install gdal-bin")
    base_url, bench_url = (peers.base_database_url(), peers.database_url("urbanmgmt_bench"))
    env = {**os.environ, "DATABASE_URL": bench_url}

    data_dir = ROOT / "var" / "bench" / f"{args.parcels}-{args.seed}"
    parcels_file = data_dir / "parcels.gpkg"
    if not parcels_file.exists():
        print(f"Generating {args.parcels:,} parcels into {data_dir} (once)…", flush=True)
        data_dir.mkdir(parents=True, exist_ok=True)
        from fixtures.demo import generate

        generate(data_dir, parcels=args.parcels, seed=args.seed, progress=True)

    import psycopg

    bench_db = urlparse(bench_url).path.lstrip("/")
    with psycopg.connect(peers.conninfo(base_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{bench_db}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{bench_db}"')
    with psycopg.connect(peers.conninfo(bench_url), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    subprocess.run(manage(["migrate", "-v", "0"]), check=True, env=env, cwd=ROOT)
    subprocess.run(
        manage(["import_layer", "units", str(data_dir / "units.gpkg"), "--no-progress", "-v", "0"]),
        check=True,
        env=env,
        cwd=ROOT,
    )
    with psycopg.connect(peers.conninfo(bench_url)) as conn:
        features = conn.execute("SELECT count(*) FROM spatial_adminunit").fetchone()[0]
    print(f"Bench database {bench_db}: {features} administrative units loaded")

    ogr_times, our_times, peaks = [], [], []
    for attempt in range(args.repeat):
        ogr_times.append(
            run(
                [
                    "ogr2ogr",
                    "-f",
                    "PostgreSQL",
                    f"PG:{peers.conninfo(bench_url)}",
                    str(parcels_file),
                    "-nln",
                    "bench_ogr_parcels",
                    "-overwrite",
                    "-lco",
                    "GEOMETRY_NAME=geom",
                    "-lco",
                    "SPATIAL_INDEX=GIST",
                    "-nlt",
                    "PROMOTE_TO_MULTI",
                ],
                env={**os.environ, "PG_USE_COPY": "YES"},
            )
        )
        with psycopg.connect(peers.conninfo(bench_url), autocommit=True) as conn:
            # CASCADE: the scratch database's dossiers and plan overlaps point at parcels.
            conn.execute("TRUNCATE spatial_parcel CASCADE")
            conn.execute("VACUUM ANALYZE")
        started = time.perf_counter()
        out = subprocess.run(
            [PYTHON, "-c", MEASURED_IMPORT, str(parcels_file)],
            check=True,
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout
        our_times.append(time.perf_counter() - started)
        print(out.strip().splitlines()[0])
        peaks.append(int(out.rsplit("PEAK_KIB", 1)[1].split()[0]))
        print(
            f"run {attempt + 1}: ogr2ogr {ogr_times[-1]:.1f} s, import_layer {our_times[-1]:.1f} s"
            f" (load average {os.getloadavg()[0]:.1f})",
            flush=True,
        )

    with psycopg.connect(peers.conninfo(bench_url)) as conn:
        ours = conn.execute("SELECT count(*) FROM spatial_parcel").fetchone()[0]
        theirs = conn.execute("SELECT count(*) FROM bench_ogr_parcels").fetchone()[0]

    best_ogr, best_ours = min(ogr_times), min(our_times)
    ratios = [o / g for o, g in zip(our_times, ogr_times, strict=True)]
    print()
    print(f"parcels asked for        {args.parcels:>12,}")
    print(f"rows loaded              ours {ours:,}, ogr2ogr {theirs:,}")
    print(f"ogr2ogr (PG_USE_COPY)    {best_ogr:>10.1f} s  (runs {spread(ogr_times)})")
    print(f"import_layer             {best_ours:>10.1f} s  (runs {spread(our_times)})")
    print(
        f"ratio ours / ogr2ogr     {best_ours / best_ogr:>10.2f}   (goal <= 1.5; "
        f"run by run {spread(ratios, 2)})"
    )
    print(f"peak memory (ours)       {max(peaks) / 1024:>10.0f} MiB (goal < 1024)")
    load = os.getloadavg()
    print(
        f"load average (1/5/15 min) {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} CPUs"
    )


def spread(values: list[float], digits: int = 1) -> str:
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{min(values):.{digits}f}-{max(values):.{digits}f}"


if __name__ == "__main__":
    main()
