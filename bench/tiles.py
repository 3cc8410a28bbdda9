"""Benchmark: our zoom-16 parcel tiles against tipg's, on the same table, in one run.

    .venv/bin/python bench/tiles.py [--parcels 2500000] [--concurrency 8] [--tiles 3000]

Loads (or reuses, keyed by size and seed) the generator's city of N parcels (2,500,000 by
default, the city-size data set) into a database of its own, `urbanmgmt_bench_city` (the one
bench/lookup.py uses too), then starts

- our app as `make serve` runs it (gunicorn's ASGI worker, tiles answered by Django's side in
  4 threads of each worker), with a file cache of its own
  under var/bench/tiles/ours/cache, emptied first;
- tipg (pinned, in its own virtualenv var/peers/tipg, uvicorn with 2 workers) on a view of
  the same table with the same public columns as our parcels layer (key, ward_code, sheet_no,
  parcel_no, land_use, area_m2) and its EPSG:4326 geometry, which tipg transforms to Web
  Mercator per row; its tile buffer is set to ours (64 of 4096), everything else is tipg's
  default (gzip, ORDER BY id LIMIT 10000, ST_Intersects on the tile).

It lists the zoom-16 tiles that hold parcels (every one, or a sample of --tiles of them:
3,648 for 2,500,000 parcels, 426 for 250,000), shuffles them, and requests the list from both at the same
concurrency, in rounds of four passes: ours cold (cache emptied), tipg, ours warm (the same
list again), tipg again (tipg has no cache: its two passes do the same work). It prints, for
each pass, the best round's tiles/s, p50/p95 latency, mean tile size as sent (gzip), empty
tiles and errors, and the median CPU time per tile of the server, of PostgreSQL and of the
load driver; then the ratios against the goals (cold ≥ 1.5× tipg, warm ≥ 10× tipg) and the
servers' peak memory; and it decodes a sample of tiles from both to check that they carry the
same parcels with the same properties. It asserts nothing. On a busy machine the tiles/s
follow the load (and favour tipg, which keeps more queries running than our workers do);
the CPU per tile is steadier. --app head serves a copy of the last commit, which work in
progress in a shared checkout can neither break nor change.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import re
import shutil
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import peers  # noqa: E402

WORLD_HALF = 20037508.342789244
EXTENT = 4096
VIEW = "bench_tipg_parcels"
GOAL_COLD, GOAL_WARM = 1.5, 10.0


def create_tipg_view(url: str, geom_column: str) -> None:
    """tipg's collection: our parcels layer's source, the columns our tiles carry, one geometry."""
    import psycopg

    from gis.publish import PARCEL_TILE_PROPERTIES, PARCELS_SOURCE

    columns = "".join(f", s.{name}" for name in PARCEL_TILE_PROPERTIES)
    with psycopg.connect(peers.conninfo(url), autocommit=True) as conn:
        conn.execute(f"DROP VIEW IF EXISTS {VIEW}")
        conn.execute(
            f"""CREATE VIEW {VIEW} AS
                SELECT s.id, s.{geom_column} AS geom{columns}
                FROM ({PARCELS_SOURCE}) s"""
        )


def prewarm(url: str) -> None:
    """Read the parcel table and its indexes once, so that neither server meets a cold disk."""
    import psycopg

    with psycopg.connect(peers.conninfo(url), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        for (relation,) in conn.execute(
            """SELECT c.oid::regclass::text FROM pg_class c
               WHERE c.oid IN (SELECT 'spatial_parcel'::regclass
                               UNION SELECT indexrelid FROM pg_index
                                     WHERE indrelid = 'spatial_parcel'::regclass
                               UNION SELECT 'spatial_adminunit'::regclass)"""
        ).fetchall():
            conn.execute("SELECT pg_prewarm(%s::regclass, 'read')", [relation])


def tile_list(url: str, zoom: int, limit: int, seed: int) -> list[tuple[int, int, int]]:
    """The tiles at `zoom` that hold the centre of at least one parcel, shuffled."""
    import psycopg

    size = 2 * WORLD_HALF / (1 << zoom)
    with psycopg.connect(peers.conninfo(url)) as conn:
        rows = conn.execute(
            """SELECT DISTINCT
                 floor(((ST_XMin(geom_3857) + ST_XMax(geom_3857)) / 2 + %(w)s) / %(s)s)::int,
                 floor((%(w)s - (ST_YMin(geom_3857) + ST_YMax(geom_3857)) / 2) / %(s)s)::int
               FROM spatial_parcel ORDER BY 1, 2""",
            {"w": WORLD_HALF, "s": size},
        ).fetchall()
    tiles = [(zoom, x, y) for x, y in rows]
    rng = random.Random(seed)
    rng.shuffle(tiles)
    return tiles[:limit]


def ours_path(tile: tuple[int, int, int]) -> str:
    return "/tiles/parcels/{}/{}/{}.pbf".format(*tile)


def tipg_path(tile: tuple[int, int, int]) -> str:
    return "/collections/public.{}/tiles/WebMercatorQuad/{}/{}/{}".format(VIEW, *tile)


def show_progress(label: str):
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 2.0 or done == total:
            last[0] = now
            print(f"  {label}: {done:,}/{total:,}", flush=True)

    return progress


@dataclass
class Measured:
    """One pass over the tile list, with the CPU time it cost on each side."""

    result: peers.Pass
    server_cpu: float  # the server's processes (master and workers)
    db_cpu: float  # PostgreSQL client backends of the bench database (not parallel workers)

    def per_tile_ms(self, seconds: float) -> float:
        return 1000 * seconds / max(len(self.result.answers), 1)


def run_pass(
    server: peers.Server, url: str, label: str, paths: list[str], concurrency: int
) -> Measured:
    server_before = peers.cpu_seconds(server.pids())
    db_before = peers.cpu_seconds(peers.backend_pids(url))
    result = peers.drive(server.port, paths, concurrency=concurrency, progress=show_progress(label))
    server_cpu = peers.cpu_used(server_before, peers.cpu_seconds(server.pids()))
    db_cpu = peers.cpu_used(db_before, peers.cpu_seconds(peers.backend_pids(url)))
    print(f"  {label}: {result.rate:,.0f} tiles/s", flush=True)
    return Measured(result, server_cpu, db_cpu)


def cpu_ms(runs: list[Measured]) -> tuple[float, float, float]:
    """Median over the rounds of the CPU per tile: server, PostgreSQL, load driver."""
    return (
        statistics.median(m.per_tile_ms(m.server_cpu) for m in runs),
        statistics.median(m.per_tile_ms(m.db_cpu) for m in runs),
        statistics.median(m.per_tile_ms(m.result.driver_cpu) for m in runs),
    )


def row(label: str, runs: list[Measured]) -> str:
    """The best round's throughput, latency and sizes; the median CPU per tile."""
    p = max(runs, key=lambda m: m.result.rate).result
    sent = [a.size for a in p.answers if a.status == 200 and a.size]
    empty = sum(1 for a in p.answers if a.status == 204 or (a.status == 200 and not a.size))
    mean_kb = sum(sent) / len(sent) / 1024 if sent else 0.0
    server, db, driver = cpu_ms(runs)
    return (
        f"{label:<10}{len(p.answers):>6,}{p.rate:>9,.0f}{p.latency_ms(0.5):>8.1f}"
        f"{p.latency_ms(0.95):>8.1f}{mean_kb:>9.1f}{empty:>7,}{len(p.errors()):>7,}"
        f"{server:>9.2f}{db:>7.2f}{driver:>8.2f}{server + db + driver:>7.2f}"
    )


def _inside_area(feature: dict) -> float:
    """How much of the feature lies in the tile itself, not in its buffer (square pixels)."""
    from shapely.geometry import box, shape

    geometry = shape(feature["geometry"])
    if not geometry.is_valid:
        geometry = geometry.buffer(0)
    return geometry.intersection(box(0, 0, EXTENT, EXTENT)).area


def _features(body: bytes, encoding: str, layer: str) -> tuple[dict[int, dict], int]:
    import mapbox_vector_tile

    raw = gzip.decompress(body) if encoding == "gzip" else body
    if not raw:
        return {}, 0
    decoded = mapbox_vector_tile.decode(raw).get(layer, {"features": []})
    features = {}
    for f in decoded["features"]:
        fid = f.get("id") if layer == "parcels" else f["properties"].get("id")
        features[int(fid)] = f
    return features, len(raw)


def check_same_features(
    ours: peers.Server, tipg: peers.Server, tiles: list[tuple[int, int, int]]
) -> None:
    """Decode the same tiles from both: the same parcels must reach into each tile.

    tipg selects the parcels that intersect the tile, we those that intersect the tile
    widened by the buffer, so ours may also carry parcels lying in the buffer alone (less
    than a square pixel inside the tile, after rounding to the tile's grid); nothing else
    may differ, neither the parcels nor their properties.
    """
    mine = peers.drive(ours.port, [ours_path(t) for t in tiles], concurrency=1, keep_bodies=True)
    theirs = peers.drive(tipg.port, [tipg_path(t) for t in tiles], concurrency=1, keep_bodies=True)
    same = buffer_only = total_ours = total_tipg = raw_ours = raw_tipg = props_differ = 0
    first = ""
    for tile, a, b in zip(tiles, mine.answers, theirs.answers, strict=True):
        fa, size_a = _features(a.body or b"", a.encoding, "parcels")
        fb, size_b = _features(b.body or b"", b.encoding, "default")
        raw_ours, raw_tipg = raw_ours + size_a, raw_tipg + size_b
        total_ours, total_tipg = total_ours + len(fa), total_tipg + len(fb)
        only_theirs = set(fb) - set(fa)
        only_ours = set(fa) - set(fb)
        reaching_in = {fid for fid in only_ours if _inside_area(fa[fid]) >= 1.0}
        buffer_only += len(only_ours) - len(reaching_in)
        if not only_theirs and not reaching_in:
            same += 1
        elif not first:
            first = (
                f"{tile}: only tipg has {sorted(only_theirs)[:5]}, "
                f"only ours has, reaching into the tile, {sorted(reaching_in)[:5]}"
            )
        for fid in set(fa) & set(fb):
            pb = dict(fb[fid]["properties"])
            pb.pop("id", None)
            if fa[fid]["properties"] != pb:
                props_differ += 1
    n = len(tiles)
    print(f"Same parcels check on {n} tiles (decoded with mapbox_vector_tile):")
    print(f"  features: ours {total_ours:,}, tipg {total_tipg:,}")
    print(
        f"  tiles with the same parcels in both: {same}/{n}"
        + (f"; first: {first}" if first else "")
    )
    print(
        f"  ours also carries {buffer_only:,} parcels that lie in the 64-px buffer only "
        "(our filter is the tile widened by the buffer, tipg's the tile itself)"
    )
    print(f"  parcels in both whose properties differ: {props_differ}")
    print(
        f"  mean tile before gzip: ours {raw_ours / max(n, 1) / 1024:.1f} KB, "
        f"tipg {raw_tipg / max(n, 1) / 1024:.1f} KB (tipg also sends the id as a property)"
    )


def database_settings(url: str, settings: list[str], *, reset: bool = False) -> None:
    """Set (or reset) PostgreSQL settings of the bench database, for the sessions opened after."""
    import psycopg
    from psycopg import sql

    database = sql.Identifier(url.rsplit("/", 1)[1])
    with psycopg.connect(peers.conninfo(url), autocommit=True) as conn:
        for setting in settings:
            key, _, value = setting.partition("=")
            if not re.fullmatch(r"[a-z_][a-z0-9_.]*", key):
                raise SystemExit(f"--pg-setting: {key!r} is not a setting name")
            name = sql.Identifier(*key.split("."))
            if reset:
                conn.execute(sql.SQL("ALTER DATABASE {} RESET {}").format(database, name))
            else:
                conn.execute(
                    sql.SQL("ALTER DATABASE {} SET {} = {}").format(
                        database, name, sql.Literal(value)
                    )
                )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--parcels", type=int, default=2_500_000)
    parser.add_argument("--seed", type=int, default=765)
    parser.add_argument("--database", default="urbanmgmt_bench_city")
    parser.add_argument("--zoom", type=int, default=16)
    parser.add_argument("--tiles", type=int, default=3000, help="at most this many tiles")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="of each server")
    parser.add_argument(
        "--ours-threads",
        type=int,
        default=4,
        help="threads of Django in each gunicorn worker of ours (WSGI_THREADS); "
        "4 is what `make serve` runs",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="rounds of the four passes (our cache emptied before each); the best of each is kept",
    )
    parser.add_argument("--check", type=int, default=50, help="tiles decoded from both")
    parser.add_argument(
        "--app",
        default="checkout",
        help="what to serve: this checkout as it is (checkout), a copy of its last commit "
        "(head, made into var/bench/app-<sha>), or the app in another folder (a path)",
    )
    parser.add_argument(
        "--tipg-geom",
        choices=["geom", "geom_3857"],
        default="geom",
        help="the column tipg reads: the stored EPSG:4326 geometry (default), or our "
        "Web-Mercator copy (to see what tipg's per-row transform costs)",
    )
    parser.add_argument(
        "--pg-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a PostgreSQL setting for the bench database during the run, for both servers "
        "(e.g. max_parallel_workers_per_gather=0); repeatable",
    )
    args = parser.parse_args()

    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    if args.app in ("checkout", "head"):
        app_dir = peers.export_commit("HEAD") if args.app == "head" else ROOT
    else:
        app_dir = Path(args.app).resolve()
        if not (app_dir / "manage.py").exists():
            raise SystemExit(f"--app: no manage.py in {app_dir}")
    sys.path.insert(0, str(app_dir))
    url = peers.bench_database(args.database, parcels=args.parcels, seed=args.seed, app_dir=app_dir)
    create_tipg_view(url, args.tipg_geom)
    prewarm(url)
    tiles = tile_list(url, args.zoom, args.tiles, args.seed)
    print(f"{len(tiles):,} zoom-{args.zoom} tiles holding parcels, shuffled")

    work = peers.BENCH_DIR / "tiles"
    database_settings(url, args.pg_setting)
    try:
        ours = peers.start_ours(
            url,
            var_dir=work / "ours",
            workers=args.workers,
            ready_path="/tiles/parcels.json",
            app_dir=app_dir,
            threads=args.ours_threads,
        )
        tipg = peers.start_tipg(
            url,
            tables=[f"public.{VIEW}"],
            log=work / "tipg.log",
            workers=args.workers,
            extra_env={"TIPG_TILE_BUFFER": "64"},
        )
        with peers.running(ours), peers.running(tipg):
            print(
                f"ours ({app_dir}) on {ours.base_url}, tipg {peers.TIPG_VERSION} on {tipg.base_url}"
            )
            c = args.concurrency
            # Every worker imports and connects before the clock starts: a tile outside the data.
            for server, path in ((ours, ours_path), (tipg, tipg_path)):
                peers.drive(server.port, [path((args.zoom, 0, 0))] * 32, concurrency=c)
            our_paths = [ours_path(t) for t in tiles]
            tipg_paths = [tipg_path(t) for t in tiles]
            rounds: dict[str, list[Measured]] = {}
            for number in range(1, args.rounds + 1):
                print(f"Round {number} of {args.rounds}")
                # Cold means an empty cache: no tile and no layer version in it.
                shutil.rmtree(work / "ours" / "cache", ignore_errors=True)
                for label, server, paths in (
                    ("ours cold", ours, our_paths),
                    ("tipg cold", tipg, tipg_paths),
                    ("ours warm", ours, our_paths),
                    ("tipg warm", tipg, tipg_paths),
                ):
                    rounds.setdefault(label, []).append(run_pass(server, url, label, paths, c))
            rss = {"ours": ours.peak_rss_kib(), "tipg": tipg.peak_rss_kib()}
            print()
            check_same_features(ours, tipg, tiles[: args.check])
    finally:
        database_settings(url, args.pg_setting, reset=True)

    print()
    settings = ", ".join(args.pg_setting) or "PostgreSQL defaults"
    print(
        f"{args.parcels:,} parcels, {len(tiles):,} zoom-{args.zoom} tiles, concurrency {c}, "
        f"{args.workers} workers each"
        + f" ({args.ours_threads} threads of Django in ours)"
        + f", tipg {peers.TIPG_VERSION} reading {args.tipg_geom}, "
        f"{settings}; best of {args.rounds} rounds, CPU the median"
    )
    print(f"{'':<64}{'CPU ms per tile':-^31}")
    print(
        f"{'':<10}{'tiles':>6}{'tiles/s':>9}{'p50 ms':>8}{'p95 ms':>8}{'mean KB':>9}"
        f"{'empty':>7}{'errors':>7}{'server':>9}{'PG':>7}{'driver':>8}{'all':>7}"
    )
    for label, runs in rounds.items():
        print(row(label, runs))

    def best(label: str) -> float:
        return max(m.result.rate for m in rounds[label])

    def cpu(label: str) -> float:
        return sum(cpu_ms(rounds[label]))

    for kind, goal in (("cold", GOAL_COLD), ("warm", GOAL_WARM)):
        print(
            f"ours / tipg, {kind}: {best(f'ours {kind}') / best(f'tipg {kind}'):5.2f}× the tiles/s "
            f"(goal ≥ {goal:g}×); tipg / ours CPU per tile "
            f"{cpu(f'tipg {kind}') / cpu(f'ours {kind}'):5.2f}×"
        )
    for label, runs in rounds.items():
        print(f"  {label} tiles/s by round: " + ", ".join(f"{m.result.rate:,.0f}" for m in runs))
    for name, (total, largest) in rss.items():
        print(
            f"peak RSS {name}: {total / 1024:.0f} MiB in all its processes "
            f"(largest {largest / 1024:.0f} MiB)"
        )
    print(
        "CPU per tile: server = its master and workers; PG = the bench database's client "
        "backends (PostgreSQL's parallel query workers not counted); driver = this process. "
        "On a busy machine the CPU ratio is the steadier one: the tiles/s follow the load."
    )
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (a shared machine?)")
    errors = [a for runs in rounds.values() for m in runs for a in m.result.errors()]
    for answer in errors[:5]:
        print(f"error: {answer.status} {answer.path}")


if __name__ == "__main__":
    main()
