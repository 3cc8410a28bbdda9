"""Benchmark: the officer's dossier queue and a year of per-ward on-time figures.

    .venv/bin/python bench/dossiers.py [--dossiers 200000] [--repeat 200] [--keep]

Uses its own database `urbanmgmt_bench_dossiers` on the app's server (never the dev one):
migrates it, loads the demo district (the same generated files as `make run`), gives it an
officer of the district's urban-management department and a leader, then
writes N dossiers accepted over the past year with their whole histories (control-sheet
lines, branches, consultations) through `dossiers.demo`. `--keep` reuses a loaded database.

Then it times, each `--repeat` times on one connection:

- the queue query, exactly as the queue page runs it (`dossiers.views.queue_rows` through
  `urbanmgmt.policy`): the district officer's open dossiers, due soonest first (office), and
  nearest first from a random point of the district (field), a page of 200 with their
  procedure and ward;
- the district leader's queue (every department of the district, a wider scope);
- the district's per-ward figures for the year (`dossiers.figures.dossier_figures`,
  received / early / on time / late / on-time rate / average days / inter-agency share).

It prints p50 / p95 / max. Goals (issue 7): queue p95 <= 50 ms, yearly figures for a
district under 1 s. A benchmark, not a test: it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import peers  # noqa: E402

BENCH_DB = "urbanmgmt_bench_dossiers"


def prepare(base_url: str, bench_url: str) -> None:
    import psycopg

    env = {**os.environ, "DATABASE_URL": bench_url}
    with psycopg.connect(peers.conninfo(base_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    with psycopg.connect(peers.conninfo(bench_url), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v", "0"], check=True, env=env, cwd=ROOT)
    subprocess.run([*manage, "load_demo", "-v", "0"], check=True, env=env, cwd=ROOT)


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (
        f"p50 {statistics.median(ordered) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   "
        f"max {ordered[-1] * 1000:7.1f} ms   (n={len(ordered)})"
    )


def timed(func, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dossiers", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="reuse a loaded bench database")
    args = parser.parse_args()

    base_url, bench_url = (peers.base_database_url(), peers.database_url(BENCH_DB))
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "urbanmgmt.settings")

    loaded = False
    if args.keep:
        import psycopg

        try:
            with psycopg.connect(peers.conninfo(bench_url)) as conn:
                loaded = conn.execute("SELECT count(*) FROM dossiers_dossier").fetchone()[0] > 0
        except psycopg.Error:
            loaded = False
    if not loaded:
        print(f"Preparing {BENCH_DB}: migrate, demo district…", flush=True)
        prepare(base_url, bench_url)

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.gis.geos import Point
    from django.db import connection
    from django.utils import timezone

    from dossiers import demo
    from dossiers.figures import dossier_figures
    from dossiers.models import Dossier
    from dossiers.views import queue_rows
    from gis.models import AdminUnit, UnitLevel
    from urbanmgmt.models import Department, Post, Role

    district = (
        AdminUnit.objects.valid_on().filter(level=UnitLevel.DISTRICT).order_by("code").first()
    )
    wards = list(AdminUnit.objects.valid_on().base_units().filter(parent=district).order_by("code"))
    users = get_user_model().objects
    department, _ = Department.objects.get_or_create(
        unit=district, code="QLDT", defaults={"name": "Phòng Quản lý đô thị"}
    )
    officer, _ = users.get_or_create(username="bench-district-officer")
    Post.objects.get_or_create(
        user=officer, unit=district, department=department, role=Role.OFFICER
    )
    leader, _ = users.get_or_create(username="bench-district-leader")
    Post.objects.get_or_create(user=leader, unit=district, role=Role.LEADER)

    today = timezone.localdate()
    start = today - dt.timedelta(days=365)
    if not loaded:
        print(f"Writing {args.dossiers:,} dossiers with their histories…", flush=True)
        began = time.perf_counter()
        summary = demo.generate(
            wards=wards,
            start=start,
            end=today,
            count=args.dossiers,
            seed=765,
            handler=officer,
            leader=leader,
            progress=True,
        )
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(
            f"  {summary.dossiers:,} dossiers, {summary.handoffs:,} control-sheet lines, "
            f"{summary.branches:,} branches, {summary.consultations:,} consultations "
            f"in {time.perf_counter() - began:.0f} s",
            flush=True,
        )

    total = Dossier.objects.count()
    open_count = Dossier.objects.open().count()
    print(f"\n{BENCH_DB}: {total:,} dossiers ({open_count:,} open), {len(wards)} wards\n")

    rng = random.Random(7)
    extent = district.geom.extent

    def office_queue(user=officer) -> None:
        # A fresh user object each time: the policy's per-request cache is part of the cost.
        person = users.get(pk=user.pk)
        list(queue_rows(person, near=None, today=today))

    def field_queue() -> None:
        person = users.get(pk=officer.pk)
        here = Point(
            rng.uniform(extent[0], extent[2]), rng.uniform(extent[1], extent[3]), srid=4326
        )
        list(queue_rows(person, near=here, today=today))

    def yearly_figures() -> None:
        dossier_figures(start=start, end=today, unit=district, by="ward")

    office_queue()
    field_queue()
    yearly_figures()
    print(
        "district officer's queue, due soonest first   ",
        percentiles(timed(office_queue, args.repeat)),
    )
    print(
        "district officer's queue, nearest first       ",
        percentiles(timed(field_queue, args.repeat)),
    )
    print(
        "district leader's queue (every department)    ",
        percentiles(timed(lambda: office_queue(leader), args.repeat)),
    )
    figures = timed(yearly_figures, max(5, args.repeat // 20))
    print("district's per-ward figures for a year        ", percentiles(figures))
    rows = dossier_figures(start=start, end=today, unit=district, by=None)[0]
    print(
        f"\nyear: received {rows.received:,}, finished {rows.finished:,} "
        f"(early {rows.early:,}, on time {rows.on_time:,}, late {rows.late:,}), "
        f"on-time rate {rows.on_time_rate} %, average {rows.average_working_days} working days, "
        f"inter-agency {rows.inter_agency_share} % of permits"
    )
    print("goals: queue p95 <= 50 ms; yearly figures for a district < 1 s")


if __name__ == "__main__":
    main()
