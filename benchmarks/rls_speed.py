"""Speed of the generated RLS policies and write path against explicit queries, on realistic data.

Prints figures; asserts nothing. Run from the repository root (after `scripts/test` installed
PostgreSQL 15 and pgbench):

    .venv/bin/python -m benchmarks.rls_speed [--base REV] [--rows 1000000] [--communities 200]
        [--rounds 7] [--seconds 2] [--out DIR]

What it measures. Each build (this checkout, and with --base the spec and code of another git
revision, compiled in a temporary worktree) gets its own database in one throwaway cluster:
Supabase bootstrap, the build's migrations, then `benchmarks/rls_seed.sql` (`--rows` access_logs
over `--communities` communities, into the real tables). Every scenario runs on community 1 as a
PostgREST-shaped transaction, the same on both sides:

    begin; select set_config('role', ROLE, true), set_config('request.jwt.claims', CLAIMS, true);
    QUERY; commit;

- generated: role `authenticated`, the plain query; the generated policies, defaults and triggers
  do the work;
- explicit: role `upoe_bench_explicit` (the privileges of `authenticated`, but BYPASSRLS), the same
  claims, and the query with the filters written out; for inserts, community_id and guard_id given
  explicitly and the table's user triggers disabled (foreign keys stay on).

Each (build, scenario, side) is one pgbench script (`-n -M prepared -c 1`, `-T --seconds`, or
`-t 3` for the 10,000-row bulk insert) with a per-transaction log; a transaction's latency is the
time from the end of the one before it to its own end (the log's latency column is unreliable in
pgbench 15), so the first transaction of each run (connection, prepare) counts not. Rounds interleave: every round
runs every variant once, the order of the sides and builds alternating between rounds; rows the
writes add are removed (and the table vacuumed) after each write variant, outside the timing.
Reported per variant: median and p10-p90 of the per-transaction latency over all rounds; per
(build, scenario): the median of the per-round ratios generated/explicit, with their p10-p90.
Targets printed next to each ratio: reads within 1.10x or 0.05 ms of explicit, one-row insert
1.15x, bulk insert 1.3x. `EXPLAIN (ANALYZE, BUFFERS)` of every query on both sides, taken in the
same role and claims after a warm-up, goes to `OUT/plans/BUILD/SCENARIO.SIDE.txt`; all figures to
`OUT/results.json`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.pgcluster import PgCluster

REPO = Path(__file__).resolve().parents[1]
BOOTSTRAP = REPO / "tests" / "support" / "supabase_bootstrap.sql"
SEED = REPO / "benchmarks" / "rls_seed.sql"
SERVER_SETTINGS = {
    "shared_buffers": "'512MB'",
    # Vacuum and analyze run when the harness says so, never in the middle of a timed run.
    "autovacuum": "off",
}
EXPLICIT_ROLE = "upoe_bench_explicit"
SIDES = ("generated", "explicit")
BULK_ROWS = 10_000


def seed_id(kind: int, ordinal: int) -> str:
    """The id rls_seed.sql gives object `kind` (8001 community, 8002 unit, ...) number `ordinal`."""
    return f"00000000-0000-7000-{kind}-{ordinal:012x}"


C1 = seed_id(8001, 1)
ADMIN_USER = seed_id(8009, 1)
GUARD_USER, GUARD = seed_id(8006, 1001), seed_id(8007, 1001)
RESIDENT_USER, RESIDENT, UNIT = seed_id(8003, 1001), seed_id(8004, 1001), seed_id(8002, 1001)
ACCESS_POINT = seed_id(8005, 1001)
COMMUNITY_FILTER = f"community_id = '{C1}' and deleted_at is null"
RESIDENT_FILTER = f"{COMMUNITY_FILTER} and (unit_id = any('{{{UNIT}}}') or resident_id = '{RESIDENT}')"
INSERT_COLUMNS = "access_point_id, direction, method, result, person_type, unit_id, plate_normalized"
INSERT_VALUES = f"'{ACCESS_POINT}', 'entry', 'pin', 'granted', 'visitor', '{UNIT}', 'abc-123'"


def claims(user: str, app_role: str) -> str:
    return json.dumps({"sub": user, "role": "authenticated", "aud": "authenticated",
                       "app_metadata": {"community_id": C1, "role": app_role}})


@dataclass(frozen=True)
class Scenario:
    """One query, as the generated side and the explicit side write it."""

    name: str
    kind: str  # read | insert | bulk
    claims: str
    generated: str
    explicit: str

    @property
    def target(self) -> str:
        return {"read": "<=1.10x or +0.05 ms", "insert": "<=1.15x", "bulk": "<=1.3x"}[self.kind]

    def met(self, generated_ms: float, explicit_ms: float, ratio: float) -> bool:
        if self.kind == "read":
            return ratio <= 1.10 or generated_ms - explicit_ms <= 0.05
        return ratio <= (1.15 if self.kind == "insert" else 1.3)


def scenarios(admin_row: str, resident_row: str) -> list[Scenario]:
    """The scenarios on community 1; the two ids are rows picked in the build's database."""
    admin, guard, resident = claims(ADMIN_USER, "admin"), claims(GUARD_USER, "guard"), claims(RESIDENT_USER, "resident")
    newest = "order by logged_at desc limit 50"
    explicit_insert = f"insert into public.access_logs (community_id, guard_id, {INSERT_COLUMNS})"
    bulk_values = f"select {INSERT_VALUES} from generate_series(1, {BULK_ROWS})"
    return [
        Scenario("admin newest 50", "read", admin, f"select * from public.access_logs {newest}",
                 f"select * from public.access_logs where {COMMUNITY_FILTER} {newest}"),
        Scenario("admin point lookup", "read", admin, f"select * from public.access_logs where id = '{admin_row}'",
                 f"select * from public.access_logs where id = '{admin_row}' and {COMMUNITY_FILTER}"),
        Scenario("admin count", "read", admin, "select count(*) from public.access_logs",
                 f"select count(*) from public.access_logs where {COMMUNITY_FILTER}"),
        Scenario("guard newest 50", "read", guard, f"select * from public.access_logs {newest}",
                 f"select * from public.access_logs where {COMMUNITY_FILTER} {newest}"),
        Scenario("resident newest 50", "read", resident, f"select * from public.access_logs {newest}",
                 f"select * from public.access_logs where {RESIDENT_FILTER} {newest}"),
        # What Supabase advises clients to send anyway: the caller's own filter, which an
        # index of the owned column answers whatever plan the policy leaves.
        Scenario("resident newest 50, own unit filter", "read", resident,
                 f"select * from public.access_logs where unit_id = '{UNIT}' {newest}",
                 f"select * from public.access_logs where unit_id = '{UNIT}' and {COMMUNITY_FILTER} {newest}"),
        Scenario("resident count", "read", resident, "select count(*) from public.access_logs",
                 f"select count(*) from public.access_logs where {RESIDENT_FILTER}"),
        Scenario("resident own-row lookup", "read", resident,
                 f"select * from public.access_logs where id = '{resident_row}'",
                 f"select * from public.access_logs where id = '{resident_row}' and {RESIDENT_FILTER}"),
        Scenario("guard one-row insert", "insert", guard,
                 f"insert into public.access_logs ({INSERT_COLUMNS}) values ({INSERT_VALUES})",
                 f"{explicit_insert} values ('{C1}', '{GUARD}', {INSERT_VALUES})"),
        Scenario(f"guard bulk insert ({BULK_ROWS} rows)", "bulk", guard,
                 f"insert into public.access_logs ({INSERT_COLUMNS}) {bulk_values}",
                 f"{explicit_insert} select '{C1}', '{GUARD}', {INSERT_VALUES} "
                 f"from generate_series(1, {BULK_ROWS})"),
    ]


def slug(name: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-").replace("--", "-")


def role_of(side: str) -> str:
    return "authenticated" if side == "generated" else EXPLICIT_ROLE


def query_of(scenario: Scenario, side: str) -> str:
    return scenario.generated if side == "generated" else scenario.explicit


# -- builds and databases ------------------------------------------------------------------------


def compile_build(source: Path, out: Path) -> Path:
    """Compile `source`'s spec with `source`'s own code in a fresh interpreter; the migrations dir."""
    env = {"PYTHONPATH": str(source / "src"), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-m", "upoe_compiler", "compile", "--spec", str(source / "spec"),
                    "--out", str(out)], check=True, capture_output=True, text=True, env=env, cwd=source)
    return out / "supabase" / "migrations"


def client_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")} | {"PGTZ": "UTC"}


def make_database(cluster: PgCluster, name: str, migrations: Path, rows: int, communities: int) -> float:
    """Bootstrap, migrate and seed database `name`; the seconds the seed took."""
    cluster.create_database(name)
    cluster.psql_file(name, BOOTSTRAP)
    for migration in sorted(migrations.glob("*.sql")):
        cluster.psql_file(name, migration)
    start = time.perf_counter()
    subprocess.run([str(cluster.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-v", f"rows={rows}",
                    "-v", f"communities={communities}", "-d", cluster.dsn(name), "-f", str(SEED)],
                   check=True, capture_output=True, text=True, env=client_env())
    seconds = time.perf_counter() - start
    with cluster.connect(name, autocommit=True) as conn:
        # Roles belong to the cluster: the second build's database finds it made.
        if conn.execute("select 1 from pg_roles where rolname = %s", (EXPLICIT_ROLE,)).fetchone() is None:
            conn.execute(f"create role {EXPLICIT_ROLE} nologin bypassrls")
            conn.execute(f"grant authenticated to {EXPLICIT_ROLE}")
    return seconds


def pick_rows(cluster: PgCluster, name: str) -> tuple[str, str]:
    """An access_logs id of community 1, and one of resident 1 of community 1 (added if the seed
    happened to give that resident none)."""
    with cluster.connect(name, autocommit=True) as conn:
        admin_row = conn.execute("select id::text from public.access_logs where community_id = %s "
                                 "order by logged_at limit 1 offset (select count(*) / 2 from public.access_logs "
                                 "where community_id = %s)", (C1, C1)).fetchone()
        resident_row = conn.execute("select id::text from public.access_logs where community_id = %s "
                                    "and resident_id = %s limit 1", (C1, RESIDENT)).fetchone()
        if resident_row is None:
            conn.execute("set session_replication_role = replica")
            resident_row = conn.execute(
                "insert into public.access_logs (community_id, access_point_id, direction, method, result, "
                "person_type, unit_id, resident_id, guard_id, logged_at) values (%s, %s, 'entry', 'pin', "
                "'granted', 'resident', %s, %s, %s, timestamptz '2026-06-01') returning id::text",
                (C1, ACCESS_POINT, UNIT, RESIDENT, GUARD)).fetchone()
            conn.execute("set session_replication_role = origin")
            conn.execute("analyze public.access_logs")
    assert admin_row is not None and resident_row is not None
    return admin_row[0], resident_row[0]


def remove_written_rows(cluster: PgCluster, name: str) -> None:
    """Delete what the insert scenarios wrote (the only `visitor` rows) and vacuum, so that every
    variant reads and writes the same table. access_logs refuses deletes, hence the replica role."""
    with cluster.connect(name, autocommit=True) as conn:
        conn.execute("set session_replication_role = replica")
        conn.execute("delete from public.access_logs where community_id = %s and person_type = 'visitor'", (C1,))
        conn.execute("set session_replication_role = origin")
        conn.execute("vacuum public.access_logs")


def set_user_triggers(cluster: PgCluster, name: str, enabled: bool) -> None:
    with cluster.connect(name, autocommit=True) as conn:
        conn.execute(f"alter table public.access_logs {'enable' if enabled else 'disable'} trigger user")


# -- measuring -----------------------------------------------------------------------------------


def script_text(scenario: Scenario, side: str) -> str:
    """The pgbench script of one variant: the PostgREST-shaped transaction."""
    role_claims = scenario.claims.replace("'", "''")
    return (f"begin;\n"
            f"select set_config('role', '{role_of(side)}', true), "
            f"set_config('request.jwt.claims', '{role_claims}', true);\n"
            f"{query_of(scenario, side)};\n"
            f"commit;\n")


def pgbench(cluster: PgCluster, database: str, script: Path, limit: Sequence[str], logs: Path) -> list[float]:
    """Run one pgbench (one client) and return its per-transaction latencies in microseconds."""
    if logs.exists():
        shutil.rmtree(logs)
    logs.mkdir(parents=True)
    assert cluster.port is not None
    subprocess.run([str(cluster.bindir / "pgbench"), "-n", "-M", "prepared", "-c", "1", *limit, "-l",
                    f"--log-prefix={logs / 'tx'}", "-f", str(script), "-h", str(cluster.socket_dir),
                    "-p", str(cluster.port), "-U", "postgres", database],
                   check=True, capture_output=True, text=True, env=client_env(), cwd=logs)
    # Columns: client, transaction, latency, script, end time s, end time us. pgbench 15's latency
    # column is sometimes 0 or too small (a stale cached clock reading), while the end times are
    # read fresh; with one client, one transaction starts where the one before ended, so the
    # latency is the difference of consecutive end times. The first transaction, which also
    # prepares the statements, has no predecessor and is left out.
    ends = sorted(int(fields[4]) * 1_000_000 + int(fields[5])
                  for log in logs.glob("tx*") for fields in map(str.split, log.read_text().splitlines()))
    shutil.rmtree(logs)
    if len(ends) < 2:
        raise RuntimeError(f"pgbench logged fewer than two transactions for {script}")
    return [float(b - a) for a, b in itertools.pairwise(ends)]


def explain(cluster: PgCluster, database: str, scenario: Scenario, side: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the variant's query in its role and claims, in a transaction
    that is rolled back."""
    with cluster.connect(database) as conn, conn.transaction(force_rollback=True):
        if side == "explicit" and scenario.kind != "read":
            conn.execute("alter table public.access_logs disable trigger user")
        conn.execute("select set_config('role', %s, true), set_config('request.jwt.claims', %s, true)",
                     (role_of(side), scenario.claims))
        # Once unexplained first, so the plan shows a warm session (function caches, catalog).
        conn.execute(query_of(scenario, side))
        plan = conn.execute(f"explain (analyze, buffers) {query_of(scenario, side)}").fetchall()
    return "\n".join(row[0] for row in plan) + "\n"


def quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[round(q * (len(ordered) - 1))]


def summary(values: Sequence[float], scale: float = 1.0) -> dict[str, float]:
    return {"median": statistics.median(values) * scale, "p10": quantile(values, 0.1) * scale,
            "p90": quantile(values, 0.9) * scale}


@dataclass
class Build:
    label: str
    database: str
    scenarios: list[Scenario]
    seed_seconds: float


def run_variant(cluster: PgCluster, build: Build, scenario: Scenario, side: str, limit: Sequence[str],
                work: Path) -> list[float]:
    script = work / "scripts" / build.label / f"{slug(scenario.name)}.{side}.sql"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(script_text(scenario, side))
    explicit_write = side == "explicit" and scenario.kind != "read"
    if explicit_write:
        set_user_triggers(cluster, build.database, False)
    try:
        latencies = pgbench(cluster, build.database, script, limit, work / "logs")
    finally:
        if explicit_write:
            set_user_triggers(cluster, build.database, True)
    if scenario.kind != "read":
        remove_written_rows(cluster, build.database)
    return latencies


def measure(cluster: PgCluster, builds: list[Build], args: argparse.Namespace, work: Path,
            out: Path) -> dict[str, Any]:
    def limit(scenario: Scenario) -> list[str]:
        if scenario.kind == "bulk":
            return ["-t", str(args.bulk_transactions)]
        return ["-t", str(args.transactions)] if args.transactions else ["-T", str(args.seconds)]

    # Warm-up: every variant once, briefly (caches, shared buffers), then the plans.
    for build in builds:
        for scenario in build.scenarios:
            for side in SIDES:
                run_variant(cluster, build, scenario, side, ["-t", "2" if scenario.kind == "bulk" else "20"], work)
                plan = out / "plans" / build.label / f"{slug(scenario.name)}.{side}.txt"
                plan.parent.mkdir(parents=True, exist_ok=True)
                plan.write_text(explain(cluster, build.database, scenario, side))

    latencies: dict[tuple[str, str, str], list[list[float]]] = {}
    for round_ in range(args.rounds):
        order = builds if round_ % 2 == 0 else builds[::-1]
        sides = SIDES if round_ % 2 == 0 else SIDES[::-1]
        for build in order:
            for scenario in build.scenarios:
                for side in sides:
                    sample = run_variant(cluster, build, scenario, side, limit(scenario), work)
                    latencies.setdefault((build.label, scenario.name, side), []).append(sample)
        print(f"round {round_ + 1}/{args.rounds} done", file=sys.stderr, flush=True)

    results: dict[str, Any] = {}
    for build in builds:
        per_scenario: dict[str, Any] = {}
        for scenario in build.scenarios:
            rounds = {side: latencies[(build.label, scenario.name, side)] for side in SIDES}
            entry: dict[str, Any] = {"kind": scenario.kind, "target": scenario.target}
            for side in SIDES:
                pooled = [x for sample in rounds[side] for x in sample]
                entry[side] = {**{f"{k}_ms": v for k, v in summary(pooled, 1e-3).items()},
                               "transactions": len(pooled), "query": query_of(scenario, side)}
            ratios = [statistics.median(g) / statistics.median(e)
                      for g, e in zip(rounds["generated"], rounds["explicit"], strict=True)]
            entry["ratio"] = {**summary(ratios), "rounds": ratios}
            entry["met"] = scenario.met(entry["generated"]["median_ms"], entry["explicit"]["median_ms"],
                                        entry["ratio"]["median"])
            per_scenario[scenario.name] = entry
        results[build.label] = {"seed_seconds": build.seed_seconds, "scenarios": per_scenario}
    return results


# -- reporting -----------------------------------------------------------------------------------


def cell(figures: dict[str, float]) -> str:
    return f"{figures['median_ms']:.3f} ({figures['p10_ms']:.3f}-{figures['p90_ms']:.3f})"


def ratio_cell(entry: dict[str, Any]) -> str:
    ratio = entry["ratio"]
    verdict = "pass" if entry["met"] else "MISS"
    return f"{ratio['median']:.3f}x ({ratio['p10']:.3f}-{ratio['p90']:.3f}) {verdict} {entry['target']}"


def table(report: dict[str, Any]) -> str:
    labels = list(report["builds"])
    header = ["scenario"]
    for label in labels:
        prefix = "" if label == "this" else f"{label} "
        header += [f"{prefix}explicit ms", f"{prefix}generated ms", f"{prefix}ratio (median, p10-p90)"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for name in report["builds"][labels[0]]["scenarios"]:
        row = [name]
        for label in labels:
            entry = report["builds"][label]["scenarios"][name]
            row += [cell(entry["explicit"]), cell(entry["generated"]), ratio_cell(entry)]
        lines.append("| " + " | ".join(row) + " |")
    machine = report["machine"]
    lines.append("")
    lines.append(f"{machine['nproc']} cores, PostgreSQL {machine['postgres']}, {machine['rows']} rows over "
                 f"{machine['communities']} communities, {machine['rounds']} rounds of "
                 f"{machine['per_run']} per variant (bulk: -t {machine['bulk_transactions']}); "
                 f"ms = per-transaction median (p10-p90) over all rounds, ratio = median of per-round ratios")
    return "\n".join(lines)


# -- main ----------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", help="a git revision to measure the same way, its own code and spec")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--communities", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=int, default=2, help="pgbench -T per variant and round")
    parser.add_argument("--transactions", type=int, default=0,
                        help="pgbench -t per variant and round instead of --seconds (smoke runs)")
    parser.add_argument("--bulk-transactions", type=int, default=3, help="pgbench -t for the bulk insert")
    parser.add_argument("--out", type=Path, help="where results.json and plans/ go (default: a temp dir)")
    args = parser.parse_args(argv)
    if args.bulk_transactions < 2 or args.transactions == 1:
        parser.error("a run needs at least 2 transactions: the first one is not timed")
    return args


def main(argv: Sequence[str] | None = None, cluster: PgCluster | None = None) -> dict[str, Any]:
    """Run the benchmark; `cluster`: an already running one to use (its databases are dropped at
    the end) instead of a private one."""
    args = parse_args(argv)
    out: Path = args.out or Path(tempfile.mkdtemp(prefix="upoe-rls-speed-"))
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="upoe-rls-speed-work-"))
    sources = {"this": REPO}
    if args.base:
        base = work / "base-worktree"
        subprocess.run(["git", "worktree", "add", "--detach", str(base), args.base], check=True, cwd=REPO,
                       capture_output=True)
        sources[f"base {args.base}"] = base
    own_cluster = cluster is None
    active = cluster or PgCluster(settings=SERVER_SETTINGS)
    databases: list[str] = []
    try:
        if own_cluster:
            active.start()
        builds = []
        for index, (label, source) in enumerate(sources.items()):
            migrations = compile_build(source, work / f"build-{index}")
            database = f"rls_speed_{index}"
            databases.append(database)
            seconds = make_database(active, database, migrations, args.rows, args.communities)
            print(f"{label}: seeded {args.rows} rows over {args.communities} communities in {seconds:.1f} s",
                  file=sys.stderr, flush=True)
            builds.append(Build(label, database, scenarios(*pick_rows(active, database)), seconds))
        results = measure(active, builds, args, work, out)
        with active.connect() as conn:
            version = conn.execute("show server_version").fetchone()
        report = {
            "machine": {"nproc": os.cpu_count(), "postgres": version[0] if version else "?", "rows": args.rows,
                        "communities": args.communities, "rounds": args.rounds,
                        "per_run": f"-t {args.transactions}" if args.transactions else f"-T {args.seconds}",
                        "bulk_transactions": args.bulk_transactions},
            "builds": results,
        }
        (out / "results.json").write_text(json.dumps(report, indent=2) + "\n")
        print(table(report))
        print(f"\nresults and plans in {out}")
        return report
    finally:
        if own_cluster:
            active.stop()
        else:
            for database in databases:
                active.drop_database(database)
            with active.connect(autocommit=True) as conn:
                conn.execute(f"drop role if exists {EXPLICIT_ROLE}")
        if args.base:
            subprocess.run(["git", "worktree", "remove", "--force", str(work / "base-worktree")], cwd=REPO,
                           capture_output=True)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
