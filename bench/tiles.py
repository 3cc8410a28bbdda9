"""Benchmark: our zoom-16 parcel tiles against tipg's, on the same table, in one run.

    .venv/bin/python bench/tiles.py [--parcels 250000] [--concurrency 8] [--tiles 3000]

Loads (or reuses, keyed by size and seed) the generator's city of N parcels into a database of
its own, `urbanmgmt_bench_tiles`, then starts

- our app as `make serve` runs it (gunicorn, 2 sync workers), with a file cache of its own
  under var/bench/tiles/ours/cache, emptied first;
- tipg (pinned, in its own virtualenv var/peers/tipg, uvicorn with 2 workers) on a view of
  the same table with the same public columns as our parcels layer (key, ward_code, sheet_no,
  parcel_no, land_use, area_m2) and its EPSG:4326 geometry, which tipg transforms to Web
  Mercator per row; its tile buffer is set to ours (64 of 4096), everything else is tipg's
  default (gzip, ORDER BY id LIMIT 10000, ST_Intersects on the tile).

It lists the zoom-16 tiles that hold parcels (every one, or a sample of --tiles of them),
shuffles them, and requests the list from both at the same concurrency: ours cold (empty
cache), tipg, ours warm (the same list again), tipg again. It prints tiles/s, p50/p95 latency,
mean tile size as sent (gzip), empty tiles and errors for each pass, the ratios against the
goals (cold ≥ 1.5× tipg, warm ≥ 10× tipg) and the servers' peak memory; then it decodes a
sample of tiles from both to check that they carry the same parcels. It asserts nothing.
"""

from __future__ import annotations

import argparse
import gzip
import os
import random
import sys
import time
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
    """tipg's collection: our parcels layer's source, its public columns and one geometry."""
    import psycopg

    from gis.publish import PARCELS_SOURCE

    with psycopg.connect(peers.conninfo(url), autocommit=True) as conn:
        conn.execute(f"DROP VIEW IF EXISTS {VIEW}")
        conn.execute(
            f"""CREATE VIEW {VIEW} AS
                SELECT s.id, s.{geom_column} AS geom, s.key, s.ward_code, s.sheet_no,
                       s.parcel_no, s.land_use, s.area_m2
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


def run_pass(server: peers.Server, label: str, paths: list[str], concurrency: int) -> peers.Pass:
    result = peers.drive(server.port, paths, concurrency=concurrency, progress=show_progress(label))
    print(f"  {label}: {result.rate:,.0f} tiles/s", flush=True)
    return result


def row(label: str, p: peers.Pass) -> str:
    sent = [a.size for a in p.answers if a.status == 200 and a.size]
    empty = sum(1 for a in p.answers if a.status == 204 or (a.status == 200 and not a.size))
    mean_kb = sum(sent) / len(sent) / 1024 if sent else 0.0
    return (
        f"{label:<22}{len(p.answers):>7,}{p.rate:>10,.0f}{p.latency_ms(0.5):>9.1f}"
        f"{p.latency_ms(0.95):>9.1f}{mean_kb:>10.1f}{empty:>7,}{len(p.errors()):>8,}"
    )


def _bbox(coords) -> tuple[float, float, float, float]:
    xs, ys = [], []

    def walk(c) -> None:
        if c and isinstance(c[0], (int, float)):
            xs.append(c[0])
            ys.append(c[1])
        else:
            for item in c:
                walk(item)

    walk(coords)
    return min(xs), min(ys), max(xs), max(ys)


def _inside(feature: dict) -> bool:
    """Does the feature reach into the tile itself, not only into its buffer?"""
    x0, y0, x1, y1 = _bbox(feature["geometry"]["coordinates"])
    return x1 > 0 and x0 < EXTENT and y1 > 0 and y0 < EXTENT


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
    """Decode the same tiles from both: the parcels reaching into each tile must be the same."""
    mine = peers.drive(ours.port, [ours_path(t) for t in tiles], concurrency=1, keep_bodies=True)
    theirs = peers.drive(tipg.port, [tipg_path(t) for t in tiles], concurrency=1, keep_bodies=True)
    same = buffer_only = mismatched = total_ours = total_tipg = 0
    raw_ours = raw_tipg = props_differ = 0
    worst = ""
    for tile, a, b in zip(tiles, mine.answers, theirs.answers, strict=True):
        fa, size_a = _features(a.body or b"", a.encoding, "parcels")
        fb, size_b = _features(b.body or b"", b.encoding, "default")
        raw_ours += size_a
        raw_tipg += size_b
        total_ours += len(fa)
        total_tipg += len(fb)
        inside_a = {fid for fid, f in fa.items() if _inside(f)}
        extra_a = set(fa) - set(fb)
        only_b = set(fb) - set(fa)
        if inside_a == set(fb) and not only_b:
            same += 1
        else:
            mismatched += 1
            worst = worst or (
                f"{tile}: ours {len(fa)} ({len(inside_a)} inside), tipg {len(fb)}, "
                f"tipg-only {len(only_b)}, ours-only inside {len(extra_a & inside_a)}"
            )
        buffer_only += len(extra_a - inside_a)
        for fid in set(fa) & set(fb):
            pa, pb = fa[fid]["properties"], dict(fb[fid]["properties"])
            pb.pop("id", None)
            if pa != pb:
                props_differ += 1
    n = len(tiles)
    print(f"Same parcels check on {n} tiles (decoded with mapbox_vector_tile):")
    print(f"  features: ours {total_ours:,}, tipg {total_tipg:,}")
    print(
        f"  tiles whose parcels reaching into the tile are the same in both: {same}/{n}"
        + (f" (first difference: {worst})" if worst else "")
    )
    print(
        f"  ours also carries {buffer_only:,} parcels that lie only in the 64-px buffer "
        "(our filter is the tile widened by the buffer; tipg's is the tile itself)"
    )
    print(f"  shared parcels whose properties differ: {props_differ}")
    print(
        f"  mean size before gzip: ours {raw_ours / max(n, 1) / 1024:.1f} KB, "
        f"tipg {raw_tipg / max(n, 1) / 1024:.1f} KB (tipg also sends id as a property)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--parcels", type=int, default=250_000)
    parser.add_argument("--seed", type=int, default=765)
    parser.add_argument("--database", default="urbanmgmt_bench_tiles")
    parser.add_argument("--zoom", type=int, default=16)
    parser.add_argument("--tiles", type=int, default=3000, help="at most this many tiles")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="of each server")
    parser.add_argument("--check", type=int, default=50, help="tiles decoded from both")
    parser.add_argument(
        "--tipg-geom",
        choices=["geom", "geom_3857"],
        default="geom",
        help="the column tipg reads: the stored EPSG:4326 geometry (default), or our "
        "Web-Mercator copy (to see what tipg's per-row transform costs)",
    )
    args = parser.parse_args()

    load = os.getloadavg()
    print(f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    url = peers.bench_database(args.database, parcels=args.parcels, seed=args.seed)
    create_tipg_view(url, args.tipg_geom)
    prewarm(url)
    tiles = tile_list(url, args.zoom, args.tiles, args.seed)
    print(f"{len(tiles):,} zoom-{args.zoom} tiles holding parcels, shuffled")

    work = peers.BENCH_DIR / "tiles"
    ours = peers.start_ours(
        url, var_dir=work / "ours", workers=args.workers, ready_path="/tiles/parcels.json"
    )
    tipg = peers.start_tipg(
        url,
        tables=[f"public.{VIEW}"],
        log=work / "tipg.log",
        workers=args.workers,
        extra_env={"TIPG_TILE_BUFFER": "64"},
    )
    with peers.running(ours), peers.running(tipg):
        print(f"ours on {ours.base_url}, tipg {peers.TIPG_VERSION} on {tipg.base_url}")
        # Every worker imports and connects before the clock starts: a tile outside the data.
        for server, path in ((ours, ours_path), (tipg, tipg_path)):
            peers.drive(server.port, [path((args.zoom, 0, 0))] * 32, concurrency=args.concurrency)
        our_paths = [ours_path(t) for t in tiles]
        tipg_paths = [tipg_path(t) for t in tiles]
        c = args.concurrency
        passes = {
            "ours cold": run_pass(ours, "ours cold", our_paths, c),
            "tipg pass 1": run_pass(tipg, "tipg pass 1", tipg_paths, c),
            "ours warm": run_pass(ours, "ours warm", our_paths, c),
            "tipg pass 2": run_pass(tipg, "tipg pass 2", tipg_paths, c),
        }
        rss = {"ours": ours.peak_rss_kib(), "tipg": tipg.peak_rss_kib()}
        print()
        check_same_features(ours, tipg, tiles[: args.check])

    print()
    print(
        f"{args.parcels:,} parcels, {len(tiles):,} zoom-{args.zoom} tiles, concurrency {c}, "
        f"{args.workers} workers each, tipg {peers.TIPG_VERSION} reading {args.tipg_geom}"
    )
    print(
        f"{'':<22}{'tiles':>7}{'tiles/s':>10}{'p50 ms':>9}{'p95 ms':>9}{'mean KB':>10}"
        f"{'empty':>7}{'errors':>8}"
    )
    for label, result in passes.items():
        print(row(label, result))
    cold = passes["ours cold"].rate / passes["tipg pass 1"].rate
    warm = passes["ours warm"].rate / passes["tipg pass 2"].rate
    print(f"ours / tipg, cold      {cold:>6.2f}×  (goal ≥ {GOAL_COLD}×)")
    print(f"ours / tipg, warm      {warm:>6.2f}×  (goal ≥ {GOAL_WARM:.0f}×)")
    for name, (total, largest) in rss.items():
        print(
            f"peak RSS {name:<5}         {total / 1024:>6.0f} MiB in all its processes "
            f"(largest {largest / 1024:.0f} MiB)"
        )
    load = os.getloadavg()
    print(f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    for result in passes.values():
        for answer in result.errors()[:3]:
            print(f"error: {answer.status} {answer.path}")


if __name__ == "__main__":
    main()
