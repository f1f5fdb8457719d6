"""Speed of Phase 5 (amenities and the community feed) on realistic volume: prints figures against the
targets of issue 13; asserts nothing. Run from the repository root (after `scripts/test` installed
PostgreSQL 15):

    .venv/bin/python -m benchmarks.phase5_speed [--communities 200] [--reservations 250] [--posts 5000]
                                                [--seconds 5] [--out DIR]

One throwaway cluster: Supabase bootstrap, this checkout's migrations, then
`benchmarks/phase5_seed.sql` (by default 1,000,000 reservations over 200 communities x 20
amenities x 2 years, and 1,000,000 posts over the same communities). Every scenario is a pgbench
script (`-n -M prepared -c 1`) of PostgREST-shaped transactions as resident 1 of community 1, an
owner of unit 1 (`set_config('role', 'authenticated')` and the JWT claims, the statements,
commit): the availability of one amenity for one week (`is_amenity_open` for a slot, and the
amenity's bookings overlapping the week), a booking of the resident's unit (a new two-hour slot a
week after the last one, committed: exclusion, booking rules with the weekly quota, the fee
posted through `record_charge`), the community feed (newest 50 published posts with their counts,
over the channels the resident reads) and one channel's feed. Reported: median and p10-p90 of the
per-transaction latency (see `rls_speed.pgbench`); `EXPLAIN (ANALYZE, BUFFERS)` of each statement,
in the same role and claims after a warm-up, goes to `OUT/plans/`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.pgcluster import PgCluster

from benchmarks.ledger_speed import _uuid
from benchmarks.rls_speed import BOOTSTRAP, REPO, SERVER_SETTINGS, client_env, compile_build, pgbench, summary

SEED = REPO / "benchmarks" / "phase5_seed.sql"
DATABASE = "phase5_speed"
AMENITIES = 20
UNITS = 100
ZONE = "America/Mexico_City"


@dataclass(frozen=True)
class Scenario:
    name: str
    statements: tuple[str, ...]  # may use pgbench variables set by `setup`
    explained: tuple[str, ...]  # the statements with the variables filled in, for EXPLAIN
    target_ms: float
    setup: str = ""


def week_start(week: str) -> str:
    """Local Monday 00:00 of week `week` (0 = the first full week of the seeded history)."""
    return f"((date '2025-01-06' + {week} * 7)::timestamp at time zone '{ZONE}')"


def availability(amenity: str, week: str) -> tuple[str, ...]:
    start = week_start(week)
    slot = f"tstzrange({start} + interval '2 days 10 hours', {start} + interval '2 days 12 hours')"
    return (f"select * from public.is_amenity_open({amenity}, {slot})",
            f"select id, unit_id, reserved_range, status from public.reservations "
            f"where amenity_id = {amenity} and reserved_range && tstzrange({start}, {start} + interval '7 days') "
            f"and status in ('pending', 'confirmed') order by reserved_range")


def booking(slot: str) -> str:
    """A resident's booking of amenity 1 for unit 1: two hours from 10:00 local on Monday of week `slot` of 2027."""
    start = f"((date '2027-01-04' + {slot} * 7) + time '10:00') at time zone '{ZONE}'"
    # The start is read once: `slot` may draw from a sequence.
    return (f"insert into public.reservations (amenity_id, unit_id, reserved_range, guest_count) "
            f"values ('{_uuid('1-1-amenity')}', '{_uuid('1-1-unit')}', "
            f"(select tstzrange(s, s + interval '2 hours') from (select {start} as s) slot), 4)")


FEED = ("select id, channel_id, author_id, body, is_pinned, comment_count, reaction_count, reaction_counts, created_at "
        "from public.posts where status = 'published' {channel}order by created_at desc limit 50")


def scenarios() -> list[Scenario]:
    some_amenity = "md5('1-' || :a || '-amenity')::uuid"
    one_amenity = "md5('1-7-amenity')::uuid"
    channel = "md5('1-' || :k || '-channel')::uuid"
    return [
        Scenario("availability of one amenity and week", availability(some_amenity, ":w"),
                 availability(one_amenity, "52"), 2.0, f"\\set a random(1, {AMENITIES})\n\\set w random(0, 103)\n"),
        Scenario("booking insert, committed", (booking("nextval('public.bench_slot')::integer"),),
                 (booking("0"),), 5.0),
        Scenario("community feed, newest 50", (FEED.format(channel=""),), (FEED.format(channel=""),), 5.0),
        Scenario("one channel's feed, newest 50", (FEED.format(channel=f"and channel_id = {channel} "),),
                 (FEED.format(channel=f"and channel_id = '{_uuid('1-2-channel')}' "),), 5.0,
                 "\\set k random(1, 4)\n"),
    ]


def claims() -> str:
    return json.dumps({"sub": _uuid("1-1-user"), "role": "authenticated",
                       "app_metadata": {"role": "resident", "community_id": _uuid("c1")}})


def slug(name: str) -> str:
    return name.split(",")[0].replace(" ", "_").replace("'", "")


def script(scenario: Scenario) -> str:
    quoted = claims().replace("'", "''")
    statements = "".join(f"{statement};\n" for statement in scenario.statements)
    return (f"{scenario.setup}begin;\nselect set_config('role', 'authenticated', true), "
            f"set_config('request.jwt.claims', '{quoted}', true);\n{statements}commit;\n")


def explain(cluster: PgCluster, scenario: Scenario) -> str:
    plans = []
    with cluster.connect(DATABASE) as conn, conn.transaction(force_rollback=True):
        conn.execute("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true)",
                     (claims(),))
        for statement in scenario.explained:
            with conn.transaction(force_rollback=True):  # the warm-up's writes do not meet the measured run's
                conn.execute(statement)
            plan = conn.execute(f"explain (analyze, buffers) {statement}").fetchall()
            plans.append(f"-- {statement}\n" + "\n".join(row[0] for row in plan) + "\n")
    return "\n".join(plans)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--communities", type=int, default=200)
    parser.add_argument("--reservations", type=int, default=250, help="per amenity (20 amenities a community)")
    parser.add_argument("--posts", type=int, default=5000, help="per community")
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--out", type=Path)
    return parser.parse_args(argv)


def seed(cluster: PgCluster, args: argparse.Namespace) -> dict[str, int]:
    """Load the seed; the rows it wrote, and prints how long it took."""
    start = time.perf_counter()
    variables = {"communities": args.communities, "units": UNITS, "amenities": AMENITIES,
                 "reservations": args.reservations, "posts": args.posts}
    subprocess.run([str(cluster.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                    *[f"--variable={name}={value}" for name, value in variables.items()],
                    "-d", cluster.dsn(DATABASE), "-f", str(SEED)],
                   check=True, capture_output=True, text=True, env=client_env())
    with cluster.connect(DATABASE) as conn:
        rows = {table: conn.execute(f"select count(*) from public.{table}").fetchone()[0]
                for table in ("reservations", "posts")}
    print(f"seeded {rows['reservations']} reservations and {rows['posts']} posts "
          f"in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    return rows


def main(argv: Sequence[str] | None = None, cluster: PgCluster | None = None) -> dict[str, Any]:
    """Measure in `cluster` when given (its database dropped afterwards), else in a cluster of its own."""
    args = parse_args(argv)
    out: Path = args.out or Path(tempfile.mkdtemp(prefix="upoe-phase5-speed-"))
    (out / "plans").mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="upoe-phase5-speed-work-"))
    own_cluster = cluster is None
    cluster = cluster or PgCluster(settings=SERVER_SETTINGS)
    try:
        if own_cluster:
            cluster.start()
        migrations = compile_build(REPO, work / "build")
        cluster.create_database(DATABASE)
        cluster.psql_file(DATABASE, BOOTSTRAP)
        for migration in sorted(migrations.glob("*.sql")):
            cluster.psql_file(DATABASE, migration)
        rows = seed(cluster, args)
        results = []
        for scenario in scenarios():
            (out / "plans" / f"{slug(scenario.name)}.txt").write_text(explain(cluster, scenario))
            path = work / "script.sql"
            path.write_text(script(scenario))
            latencies = pgbench(cluster, DATABASE, path, ["-T", str(args.seconds)], work / "logs")
            figures = summary(latencies, 0.001)
            results.append({"scenario": scenario.name, "target_ms": scenario.target_ms, **figures,
                            "transactions": len(latencies), "met": figures["median"] <= scenario.target_ms})
        with cluster.connect(DATABASE) as conn:
            version = conn.execute("show server_version").fetchone()[0]
            # The history was free: every charged reservation is one of the committed bookings.
            charged = conn.execute("select count(*) from public.reservations where status = 'confirmed' "
                                   "and charge_transaction_id is not null").fetchone()[0]
            booked = conn.execute("select last_value from public.bench_slot").fetchone()[0]
        report = {"machine": {"nproc": os.cpu_count(), "postgres": version, "communities": args.communities,
                              "amenities": args.communities * AMENITIES, **rows},
                  "committed_bookings": booked, "charged_bookings": charged, "results": results}
        (out / "results.json").write_text(json.dumps(report, indent=2) + "\n")
        lines = ["| scenario | median ms (p10-p90) | transactions | target | met |", "|---|---|---|---|---|"]
        lines += [f"| {r['scenario']} | {r['median']:.2f} ({r['p10']:.2f}-{r['p90']:.2f}) | {r['transactions']} | "
                  f"{r['target_ms']:g} ms | {'yes' if r['met'] else 'NO'} |" for r in results]
        (out / "results.md").write_text("\n".join(lines) + "\n")
        print("\n".join(lines))
        print(f"\nresults and plans in {out}")
        return report
    finally:
        if own_cluster:
            cluster.stop()
        else:
            cluster.drop_database(DATABASE)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
