"""Row-level-security and trigger overhead of the generated schema, side by side in one run.

Prints figures; asserts nothing. Run from the repository root:
`.venv/bin/python -m benchmarks.rls_overhead [--rows 1000000] [--communities 200]`
(needs what scripts/setup-test-env installs). Targets (DESIGN.md §7): a policy-filtered
list / count / point lookup within 5 % (or 0.05 ms) of the same query with an explicit
filter; inserts with UUID v7 and the audit trigger within 1.3x plain in bulk and 1.05x
for single-row transactions.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
from tests.support.pgcluster import PgCluster, find_bindir

from upoe_compiler.api import compile_project

REPO = Path(__file__).resolve().parents[1]
BOOTSTRAP = REPO / "tests" / "support" / "supabase_bootstrap.sql"


def timed(run: Callable[[], object], repeat: int) -> float:
    """Median milliseconds of `repeat` runs, after one warm-up."""
    run()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def seed(conn: psycopg.Connection, rows: int, communities: int) -> list[str]:
    conn.execute("insert into organizations (name) values ('bench')")
    conn.execute(
        "insert into communities (organization_id, name, slug) "
        "select (select id from organizations), 'c' || n, 'c' || n from generate_series(1, %s) n", (communities,))
    ids = [row[0] for row in conn.execute("select id::text from communities order by name")]
    conn.execute(
        "insert into widgets (community_id, code) select c.id, 'w' || n "
        "from generate_series(1, %s) n join lateral (select id from communities order by id "
        "offset (n %% %s) limit 1) c on true", (rows, communities))
    conn.execute("analyze")
    conn.commit()
    return ids


def query_ratios(conn: psycopg.Connection, community: str, unit: str, repeat: int) -> list[tuple[str, float, float]]:
    claims = json.dumps({"sub": "00000000-0000-0000-0000-000000000001", "role": "authenticated",
                         "app_metadata": {"community_id": community, "role": "admin"}})
    queries = {
        "list (50 newest)": ("select id from widgets order by created_at desc limit 50",
                             "select id from widgets where community_id = %(c)s and deleted_at is null "
                             "order by created_at desc limit 50"),
        "count": ("select count(*) from widgets",
                  "select count(*) from widgets where community_id = %(c)s and deleted_at is null"),
        "point lookup": ("select id from widgets where id = %(u)s",
                         "select id from widgets where community_id = %(c)s and deleted_at is null and id = %(u)s"),
    }
    results = []
    for label, (with_rls, explicit) in queries.items():
        # Both sides make the same round trips; only the role and the filter differ.
        def as_user(sql: str = with_rls) -> None:
            with conn.transaction():
                conn.execute("select set_config('role', 'authenticated', true), "
                             "set_config('request.jwt.claims', %s, true)", (claims,))
                conn.execute(sql, {"u": unit}).fetchall()

        def as_platform(sql: str = explicit) -> None:
            with conn.transaction():
                conn.execute("select set_config('role', 'service_role', true), "
                             "set_config('request.jwt.claims', %s, true)", (claims,))
                conn.execute(sql, {"c": community, "u": unit}).fetchall()

        results.append((label, timed(as_user, repeat), timed(as_platform, repeat)))
    return results


def insert_ratios(conn: psycopg.Connection, community: str, bulk: int) -> list[tuple[str, float, float]]:
    # The same table, keys, checks and indexes, without the UUID v7 default and the triggers.
    conn.execute("create table bench_plain (like widgets including all)")
    conn.execute("alter table bench_plain alter column id set default gen_random_uuid()")
    conn.execute("alter table bench_plain add foreign key (community_id) references communities (id)")

    bulk_sql = {table: f"insert into {table} (community_id, code) select %s, 'b' || gen_random_uuid() "
                       "from generate_series(1, %s)" for table in ("widgets", "bench_plain")}

    def bulk_insert(table: str) -> Callable[[], None]:
        def run() -> None:
            with conn.transaction():
                conn.execute(bulk_sql[table], (community, bulk))
        return run

    return [
        (f"bulk insert of {bulk} rows", timed(bulk_insert("widgets"), 3), timed(bulk_insert("bench_plain"), 3)),
    ]


def single_row_latency(cluster: PgCluster, community: str, transactions: int) -> list[tuple[str, float, float]]:
    """pgbench's average latency of one-row insert transactions, alternating the tables
    three times and keeping each one's median (a Python loop would measure itself)."""
    pgbench = find_bindir() / "pgbench"  # type: ignore[operator]
    env = dict(os.environ, PGHOST=str(cluster.socket_dir), PGPORT=str(cluster.port), PGUSER="postgres")
    latencies: dict[str, list[float]] = {"widgets": [], "bench_plain": []}
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(3):
            for table in latencies:
                script = Path(folder) / f"{table}.sql"
                script.write_text(f"insert into {table} (community_id, code) "
                                  f"values ('{community}', md5(random()::text));\n")
                run = subprocess.run([str(pgbench), "-n", "-M", "prepared", "-t", str(transactions), "-f", str(script),
                                      "bench"], capture_output=True, text=True, env=env, check=True)
                match = re.search(r"latency average = ([0-9.]+) ms", run.stdout)
                assert match, run.stdout
                latencies[table].append(float(match.group(1)))
    return [(f"{transactions} one-row transactions (ms each)", statistics.median(latencies["widgets"]),
             statistics.median(latencies["bench_plain"]))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--communities", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="upoe-rls-"))
    # The bundled spec, plus `widgets`: a tenant table with nothing but the standard patterns.
    shutil.copytree(REPO / "spec", root / "spec")
    for case in (REPO / "tests" / "db" / "widgets").glob("*.yaml"):
        shutil.copy(case, root / "spec")
    compile_project(root / "spec", root / "build")
    build = root / "build"
    with PgCluster() as cluster:
        cluster.create_database("bench")
        cluster.psql_file("bench", BOOTSTRAP)
        for migration in sorted((build / "supabase" / "migrations").glob("*.sql")):
            cluster.psql_file("bench", migration)
        with cluster.connect("bench", autocommit=True) as conn:
            start = time.perf_counter()
            communities = seed(conn, args.rows, args.communities)
            print(f"seeded {args.rows} widgets in {args.communities} communities in "
                  f"{time.perf_counter() - start:.1f} s")
            unit = conn.execute("select id::text from widgets where community_id = %s limit 1",
                                (communities[0],)).fetchone()[0]
            print(f"{'query (median ms)':34} {'RLS':>9} {'explicit':>9} {'ratio':>7}")
            for label, rls, explicit in query_ratios(conn, communities[0], unit, args.repeat):
                print(f"{label:34} {rls:>9.3f} {explicit:>9.3f} {rls / explicit:>7.2f}")
            print(f"{'insert (median ms)':34} {'UPOE':>9} {'plain':>9} {'ratio':>7}")
            rows = insert_ratios(conn, communities[0], 10_000) + single_row_latency(cluster, communities[0], 3000)
            for label, upoe, plain in rows:
                print(f"{label:34} {upoe:>9.3f} {plain:>9.3f} {upoe / plain:>7.2f}")


if __name__ == "__main__":
    main()
