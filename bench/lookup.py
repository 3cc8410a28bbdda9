"""Benchmark: the planning lookup API against tipg's items-by-bbox, on the same parcels, in one run.

    .venv/bin/python bench/lookup.py [--parcels 2500000] [--requests 3000] [--concurrency 8 32]

Loads (or reuses, keyed by size and seed) the generator's city of N parcels into a database of
its own, `urbanmgmt_bench_city` (bench/tiles.py's too), with the demo plan on it (`load_demo_plan`: zones on every
block, the parcel × zone overlaps, road boundaries), then starts

- our app as `make run` serves it (gunicorn's ASGI worker, 3 workers; the lookup answers on
  their event loops, Django in 4 threads of each), through bench/peers.py;
- tipg (pinned, its own virtualenv, uvicorn with as many workers) on a view of the same
  parcel table with our parcels layer's public columns and its EPSG:4326 geometry.

It draws a seeded sample of parcels and asks, for each, at the same concurrency:

- ours by point: `GET /api/planning/lookup?lon=&lat=` (a point inside the parcel): the
  parcel, ward, district, zones with shares and limits, decisions, road boundaries;
- ours by key: `GET /api/planning/lookup?parcel=<ward>-<sheet>-<parcel>`: the same answer;
- tipg: `GET /collections/public.<view>/items?bbox=<a 2 m box round the point>`: the parcels
  touching the box, as GeoJSON (less than our answer holds);
- gunicorn alone: the same gunicorn (ASGI worker, workers, access log) serving bench/floor.py,
  a fixed body of our answer's size: what the server itself costs under any answer.

The load comes from wrk (Debian's package, installed once): `--concurrency` keep-alive
connections asking those paths round and round for `--seconds` a pass. It costs 0.02-0.06 ms
of CPU a request (the "driver" column), where this script's own threads (`--driver python`,
every path once a pass) cost 0.17-0.20 ms: on two cores that share went to the driver instead
of the servers, the same for both, which narrowed the ratio between them.

For each concurrency it prints requests/s and p50/p95/p99 latency of each (best of --rounds
passes), the CPU each request cost the server, PostgreSQL and the load driver, the ratios
against the goals (p50 under 10 ms, at least 3× tipg's throughput) and
checks on a sample that tipg's features include the parcel our answer names. It asserts
nothing. On a shared machine, run it twice; --app head serves a copy of the last commit.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import peers  # noqa: E402

VIEW = "bench_lookup_parcels"
BOX_DEG = 0.00001  # half the side of tipg's box: about 1.1 m
GOAL_P50_MS, GOAL_RATIO = 10.0, 3.0


def load_plan(url: str, parcels: int, seed: int, app_dir: Path) -> None:
    """The demo plan on the bench city, from the same generated files (once)."""
    started = time.perf_counter()
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run(
        [
            *(peers.PYTHON, "manage.py", "load_demo_plan"),
            *("--parcels", str(parcels), "--seed", str(seed), "--dir", str(peers.BENCH_DIR)),
        ],
        check=True,
        env=env,
        cwd=app_dir,
    )
    print(f"  plan ready in {time.perf_counter() - started:.1f} s", flush=True)


def create_tipg_view(url: str) -> None:
    """tipg's collection: our parcels layer's source, its public columns and EPSG:4326 geometry."""
    import psycopg

    from gis.publish import PARCELS_SOURCE

    with psycopg.connect(peers.conninfo(url), autocommit=True) as conn:
        conn.execute(f"DROP VIEW IF EXISTS {VIEW}")
        conn.execute(
            f"""CREATE VIEW {VIEW} AS
                SELECT s.id, s.geom, s.key, s.ward_code, s.sheet_no, s.parcel_no, s.land_use,
                       s.area_m2
                FROM ({PARCELS_SOURCE}) s"""
        )
        conn.execute("ANALYZE")


def sample(url: str, count: int, seed: int) -> list[tuple[str, float, float]]:
    """`count` parcels drawn with a seed: their key and a point inside each."""
    import psycopg

    with psycopg.connect(peers.conninfo(url)) as conn:
        (total,) = conn.execute("SELECT count(*) FROM spatial_parcel").fetchone()
        percent = min(100.0, 100.0 * count * 1.5 / max(total, 1))
        rows = conn.execute(
            f"""SELECT w.code || '-' || lpad(p.sheet_no::text, greatest(3, length(p.sheet_no::text)), '0')
                         || '-' || lpad(p.parcel_no::text, greatest(4, length(p.parcel_no::text)), '0'),
                       ST_X(ST_PointOnSurface(p.geom)), ST_Y(ST_PointOnSurface(p.geom))
                FROM spatial_parcel p TABLESAMPLE BERNOULLI ({percent}) REPEATABLE ({seed})
                JOIN spatial_adminunit w ON w.id = p.ward_id
                ORDER BY md5(p.id::text || '{seed}') LIMIT {count}"""
        ).fetchall()
    return [(key, lon, lat) for key, lon, lat in rows]


def prewarm(url: str) -> None:
    import psycopg

    with psycopg.connect(peers.conninfo(url), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        for (relation,) in conn.execute(
            """SELECT c.oid::regclass::text FROM pg_class c
               WHERE c.relname IN ('spatial_parcel', 'spatial_adminunit', 'planning_planzone',
                                   'planning_parcelzoneoverlap', 'planning_parcelroad',
                                   'planning_roadboundary',
                                   'planning_plandecision')
                  OR c.oid IN (SELECT indexrelid FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
                               WHERE t.relname IN ('spatial_parcel', 'spatial_adminunit',
                                   'planning_planzone', 'planning_parcelzoneoverlap',
                                   'planning_parcelroad', 'planning_roadboundary'))"""
        ).fetchall():
            conn.execute("SELECT pg_prewarm(%s::regclass, 'read')", [relation])


@dataclass
class Measured:
    result: peers.Pass | peers.Load
    server_cpu: float  # seconds, the server's processes (master and workers)
    db_cpu: float  # seconds, PostgreSQL's client backends of the bench database

    def per_request_ms(self, seconds: float) -> float:
        return 1000 * seconds / max(1, self.result.requests)

    @property
    def serving_cpu_ms(self) -> float:
        return self.per_request_ms(self.server_cpu + self.db_cpu)


def start_floor(args: argparse.Namespace, work: Path, *, body_bytes: int) -> peers.Server:
    """gunicorn as it serves our app, serving bench/floor.py instead."""
    return peers.start_gunicorn(
        "gunicorn alone",
        "floor:application",
        cwd=ROOT / "bench",
        log=work / "floor.log",
        workers=args.workers,
        env={**os.environ, "BENCH_FLOOR_BODY_BYTES": str(body_bytes)},
    )


def measure(
    server: peers.Server, url: str, paths: list[str], concurrency: int, args: argparse.Namespace
) -> Measured:
    server_before = peers.cpu_seconds(server.pids())
    db_before = peers.cpu_seconds(peers.backend_pids(url))
    if args.driver == "wrk":
        result = peers.drive_wrk(server.port, paths, concurrency=concurrency, seconds=args.seconds)
    else:
        result = peers.drive(server.port, paths, concurrency=concurrency)
    server_cpu = peers.cpu_used(server_before, peers.cpu_seconds(server.pids()))
    db_cpu = peers.cpu_used(db_before, peers.cpu_seconds(peers.backend_pids(url)))
    return Measured(result, server_cpu, db_cpu)


def best(passes: list[Measured]) -> Measured:
    return max(passes, key=lambda p: p.result.rate)


def row(label: str, measured: Measured) -> str:
    result = measured.result
    return (
        f"{label:<16}{result.requests:>7,}{result.rate:>10,.0f}"
        f"{result.latency_ms(0.50):>9.1f}{result.latency_ms(0.95):>9.1f}{result.latency_ms(0.99):>9.1f}"
        f"{result.failed:>8}{measured.per_request_ms(measured.server_cpu):>29.2f}"
        f"{measured.per_request_ms(measured.db_cpu):>12.2f}"
        f"{measured.per_request_ms(result.driver_cpu):>8.2f}"
    )


def check(ours: peers.Server, tipg: peers.Server, points: list[tuple[str, float, float]]) -> None:
    """Our answer names the parcel the sample drew, and tipg's box holds that parcel too."""
    agree = 0
    for key, lon, lat in points:
        a = peers.drive(ours.port, [ours_point(lon, lat)], concurrency=1, keep_bodies=True)
        b = peers.drive(tipg.port, [tipg_box(lon, lat)], concurrency=1, keep_bodies=True)
        body_a = _json(a.answers[0])
        body_b = _json(b.answers[0])
        ours_key = (body_a.get("parcel") or {}).get("key")
        tipg_keys = {f["properties"]["key"] for f in body_b.get("features", [])}
        agree += ours_key == key and key in tipg_keys
    print(f"check: {agree}/{len(points)} sampled points give the same parcel from both")


def _json(answer: peers.Answer) -> dict:
    import gzip

    body = answer.body or b"{}"
    if answer.encoding == "gzip":
        body = gzip.decompress(body)
    return json.loads(body)


def ours_point(lon: float, lat: float) -> str:
    return f"/api/planning/lookup?lon={lon:.7f}&lat={lat:.7f}"


def ours_key(key: str) -> str:
    return f"/api/planning/lookup?parcel={key}"


def tipg_box(lon: float, lat: float) -> str:
    d = BOX_DEG
    return f"/collections/public.{VIEW}/items?bbox={lon - d:.7f},{lat - d:.7f},{lon + d:.7f},{lat + d:.7f}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--parcels", type=int, default=2_500_000)
    parser.add_argument("--seed", type=int, default=765)
    parser.add_argument("--database", default="urbanmgmt_bench_city")
    parser.add_argument(
        "--requests", type=int, default=3000, help="sampled parcels (the paths of a pass)"
    )
    parser.add_argument(
        "--driver",
        choices=("wrk", "python"),
        default="wrk",
        help="the load driver: wrk (C, Debian's package; each pass lasts --seconds) or this "
        "script's threads (each pass requests every path once, at 3-10× wrk's CPU per request)",
    )
    parser.add_argument("--seconds", type=float, default=5.0, help="of a pass with wrk")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--workers", type=int, default=3, help="of each server (make run: 3)")
    parser.add_argument(
        "--threads", type=int, default=4, help="of Django in our workers (make run: 4)"
    )
    parser.add_argument("--rounds", type=int, default=2, help="passes of each; the best is kept")
    parser.add_argument("--check", type=int, default=50, help="points compared between both")
    parser.add_argument(
        "--app",
        default="checkout",
        help="what to serve: this checkout (checkout) or a copy of its last commit (head)",
    )
    args = parser.parse_args()

    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    app_dir = peers.export_commit("HEAD") if args.app == "head" else ROOT
    sys.path.insert(0, str(app_dir))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urbanmgmt.settings")
    url = peers.bench_database(args.database, parcels=args.parcels, seed=args.seed, app_dir=app_dir)
    load_plan(url, args.parcels, args.seed, app_dir)
    create_tipg_view(url)
    prewarm(url)
    points = sample(url, args.requests, args.seed)
    print(f"{len(points):,} sampled parcels")

    work = peers.BENCH_DIR / "lookup"
    ours = peers.start_ours(
        url,
        var_dir=work / "ours",
        workers=args.workers,
        ready_path="/api/planning/lookup?lon=0&lat=0",
        app_dir=app_dir,
        threads=args.threads,
    )
    tipg = peers.start_tipg(
        url, tables=[f"public.{VIEW}"], log=work / "tipg.log", workers=args.workers
    )
    results: dict[int, dict[str, Measured]] = {}
    with contextlib.ExitStack() as stack:
        stack.enter_context(peers.running(ours))
        stack.enter_context(peers.running(tipg))
        _key, lon, lat = points[0]
        answer = peers.drive(ours.port, [ours_point(lon, lat)], keep_bodies=True).answers[0]
        floor = stack.enter_context(
            peers.running(start_floor(args, work, body_bytes=len(answer.body or b"")))
        )
        print(f"ours on {ours.base_url}, tipg {peers.TIPG_VERSION} on {tipg.base_url}")
        # Every worker imports and connects before the clock starts.
        for c in args.concurrency:
            peers.drive(ours.port, [ours_point(lon, lat)] * 4 * c, concurrency=c)
            peers.drive(tipg.port, [tipg_box(lon, lat)] * 4 * c, concurrency=c)
            peers.drive(floor.port, ["/"] * 4 * c, concurrency=c)
        kinds = {
            "ours by point": (ours, [ours_point(lo, la) for _k, lo, la in points]),
            "ours by key": (ours, [ours_key(k) for k, _lo, _la in points]),
            "tipg bbox": (tipg, [tipg_box(lo, la) for _k, lo, la in points]),
            "gunicorn alone": (floor, [ours_point(lo, la) for _k, lo, la in points]),
        }
        for c in args.concurrency:
            passes: dict[str, list[Measured]] = {}
            for number in range(args.rounds):
                for label, (server, paths) in kinds.items():
                    result = measure(server, url, paths, c, args)
                    passes.setdefault(label, []).append(result)
                    print(
                        f"  concurrency {c}, round {number + 1}: {label} "
                        f"{result.result.rate:,.0f}/s",
                        flush=True,
                    )
            results[c] = {label: best(p) for label, p in passes.items()}
        check(ours, tipg, points[: args.check])
        rss = {"ours": ours.peak_rss_kib(), "tipg": tipg.peak_rss_kib()}

    print()
    print(
        f"{args.parcels:,} parcels, {len(points):,} sampled, "
        f"{f'{args.seconds:g} s a pass (wrk)' if args.driver == 'wrk' else 'each once a pass'}, "
        f"{args.workers} workers each, "
        f"tipg {peers.TIPG_VERSION}; best of {args.rounds} passes"
    )
    for c, by_label in results.items():
        print(f"\nconcurrency {c}")
        print(
            f"{'':<16}{'reqs':>7}{'req/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
            f"   CPU ms per request: server  PostgreSQL  driver"
        )
        for label, measured in by_label.items():
            print(row(label, measured))
        tipg = by_label["tipg bbox"]
        for label in ("ours by point", "ours by key"):
            measured = by_label[label]
            result = measured.result
            print(
                f"{label}: p50 {result.latency_ms(0.5):.1f} ms (goal < {GOAL_P50_MS:g}), "
                f"{result.rate / tipg.result.rate:.2f}× tipg's requests/s (goal ≥ {GOAL_RATIO:g}×); "
                f"tipg and its PostgreSQL use {tipg.serving_cpu_ms / measured.serving_cpu_ms:.2f}× "
                f"our CPU per request"
            )
        print(
            f"gunicorn alone (a fixed answer, the same worker class, workers and access log) costs "
            f"{by_label['gunicorn alone'].per_request_ms(by_label['gunicorn alone'].server_cpu):.2f}"
            f" ms of server CPU per request"
        )
    for name, (total, largest) in rss.items():
        print(
            f"peak RSS {name}: {total / 1024:.0f} MiB in all its processes (largest {largest / 1024:.0f} MiB)"
        )
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (a shared machine?)")


if __name__ == "__main__":
    main()
