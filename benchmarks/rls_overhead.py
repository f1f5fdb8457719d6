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
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
from tests.support.pgcluster import PgCluster

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


def insert_ratios(conn: psycopg.Connection, community: str, bulk: int, single: int) -> list[tuple[str, float, float]]:
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

    def single_inserts(table: str) -> Callable[[], None]:
        def run() -> None:
            for _ in range(single):
                with conn.transaction():
                    conn.execute(f"insert into {table} (community_id, code) values (%s, 's' || gen_random_uuid())",
                                 (community,))
        return run

    return [
        (f"bulk insert of {bulk} rows", timed(bulk_insert("widgets"), 3), timed(bulk_insert("bench_plain"), 3)),
        (f"{single} single-row transactions", timed(single_inserts("widgets"), 3),
         timed(single_inserts("bench_plain"), 3)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--communities", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="upoe-rls-"))
    # The bundled spec, plus `widgets`: a tenant table with nothing but the standard patterns.
    shutil.copytree(REPO / "spec", root / "spec")
    for case in (REPO / "tests" / "cases" / "widgets").glob("*.yaml"):
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
            for label, upoe, plain in insert_ratios(conn, communities[0], 10_000, 200):
                print(f"{label:34} {upoe:>9.1f} {plain:>9.1f} {upoe / plain:>7.2f}")


if __name__ == "__main__":
    main()
