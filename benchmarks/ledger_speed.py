"""Speed of the Phase 4 ledger on realistic volume: prints figures against the targets of issue 11;
asserts nothing. Run from the repository root (after `scripts/test` installed PostgreSQL 15):

    .venv/bin/python -m benchmarks.ledger_speed [--communities 200] [--units 500] [--seconds 5] [--out DIR]

One throwaway cluster: Supabase bootstrap, this checkout's migrations, then
`benchmarks/ledger_seed.sql` (1,000,000 ledger entries over 200 communities of 500 units, 24
months). Every scenario is a pgbench script (`-n -M prepared -c 1`) of PostgREST-shaped
transactions as the accountant of community 1 (`set_config('role', 'authenticated')` and the
JWT claims, the statement, commit): one unit's row of `unit_balances`; the community's aging
report (every unit's row of `unit_balances`, summed); `record_payment` of a random unit; and
`generate_period_charges` of a 500-unit community for a new period each time. Reported: median
and p10-p90 of the per-transaction latency (see `rls_speed.pgbench`); `EXPLAIN (ANALYZE, BUFFERS)`
of each statement, in the same role and claims after a warm-up, goes to `OUT/plans/`.
"""

from __future__ import annotations

import argparse
import hashlib
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

from benchmarks.rls_speed import BOOTSTRAP, REPO, SERVER_SETTINGS, client_env, compile_build, pgbench, summary

SEED = REPO / "benchmarks" / "ledger_seed.sql"
DATABASE = "ledger_speed"


@dataclass(frozen=True)
class Scenario:
    name: str
    statement: str   # may use pgbench variables set by `setup`
    target_ms: float
    setup: str = ""
    explained: str = ""  # the statement with the variables filled in, for EXPLAIN
    transactions: int = 0  # 0: run for --seconds


def scenarios() -> list[Scenario]:
    unit = "md5('1-' || :u || '-unit')::uuid"
    one_unit = "md5('1-250-unit')::uuid"
    aging = ("select count(*), sum(balance), sum(overdue_amount), sum(aging_0_30), sum(aging_31_60), "
             "sum(aging_61_90), sum(aging_90_plus) from public.unit_balances")
    return [
        Scenario("one unit's balance", f"select * from public.unit_balances where unit_id = {unit}", 2.0,
                 "\\set u random(1, 500)\n", f"select * from public.unit_balances where unit_id = {one_unit}"),
        Scenario("a community's aging", aging, 100.0, explained=aging),
        Scenario("record_payment", f"select public.record_payment({unit}, 100, 'spei', null, null, now())", 3.0,
                 "\\set u random(1, 500)\n",
                 f"select public.record_payment({one_unit}, 100, 'spei', null, null, now())"),
        Scenario("generate_period_charges, 500 units",
                 "select public.generate_period_charges(md5('schedule')::uuid, "
                 "date '2030-01-01' + nextval('public.bench_period')::integer * 31)", 1000.0,
                 explained="select public.generate_period_charges(md5('schedule')::uuid, date '2029-01-01')",
                 transactions=6),
    ]


def claims() -> str:
    return json.dumps({"sub": _uuid("accountant1"), "role": "authenticated",
                       "app_metadata": {"role": "accountant", "community_id": _uuid("c1")}})


def _uuid(text: str) -> str:
    """The id the seed gives a thing: the md5 of its name, as PostgreSQL's md5(...)::uuid spells it."""
    digest = hashlib.md5(text.encode()).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-{digest[12:16]}-{digest[16:20]}-{digest[20:]}"


def script(scenario: Scenario) -> str:
    quoted = claims().replace("'", "''")
    return (f"{scenario.setup}begin;\nselect set_config('role', 'authenticated', true), "
            f"set_config('request.jwt.claims', '{quoted}', true);\n{scenario.statement};\ncommit;\n")


def explain(cluster: PgCluster, scenario: Scenario) -> str:
    with cluster.connect(DATABASE) as conn, conn.transaction(force_rollback=True):
        conn.execute("select set_config('role', 'authenticated', true), set_config('request.jwt.claims', %s, true)",
                     (claims(),))
        conn.execute(scenario.explained)
        plan = conn.execute(f"explain (analyze, buffers) {scenario.explained}").fetchall()
    return "\n".join(row[0] for row in plan) + "\n"


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--communities", type=int, default=200)
    parser.add_argument("--units", type=int, default=500)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--out", type=Path)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    args = parse_args(argv)
    out: Path = args.out or Path(tempfile.mkdtemp(prefix="upoe-ledger-speed-"))
    (out / "plans").mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="upoe-ledger-speed-work-"))
    cluster = PgCluster(settings=SERVER_SETTINGS)
    try:
        cluster.start()
        migrations = compile_build(REPO, work / "build")
        cluster.create_database(DATABASE)
        cluster.psql_file(DATABASE, BOOTSTRAP)
        for migration in sorted(migrations.glob("*.sql")):
            cluster.psql_file(DATABASE, migration)
        start = time.perf_counter()
        subprocess.run([str(cluster.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
                        "-v", f"communities={args.communities}", "-v", f"units={args.units}",
                        "-d", cluster.dsn(DATABASE), "-f", str(SEED)],
                       check=True, capture_output=True, text=True, env=client_env())
        with cluster.connect(DATABASE) as conn:
            entries = conn.execute("select count(*) from public.ledger_entries").fetchone()[0]
        print(f"seeded {entries} ledger entries in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
        results = []
        for scenario in scenarios():
            (out / "plans" / f"{scenario.name.split(',')[0].replace(' ', '_')}.txt").write_text(
                explain(cluster, scenario))
            path = work / "script.sql"
            path.write_text(script(scenario))
            limit = ["-t", str(scenario.transactions)] if scenario.transactions else ["-T", str(args.seconds)]
            latencies = pgbench(cluster, DATABASE, path, limit, work / "logs")
            figures = summary(latencies, 0.001)
            results.append({"scenario": scenario.name, "target_ms": scenario.target_ms, **figures,
                            "transactions": len(latencies), "met": figures["median"] <= scenario.target_ms})
        with cluster.connect() as conn:
            version = conn.execute("show server_version").fetchone()[0]
        report = {"machine": {"nproc": os.cpu_count(), "postgres": version, "entries": entries,
                              "communities": args.communities, "units": args.units}, "results": results}
        (out / "results.json").write_text(json.dumps(report, indent=2) + "\n")
        lines = ["| scenario | median ms (p10-p90) | target | met |", "|---|---|---|---|"]
        lines += [f"| {r['scenario']} | {r['median']:.2f} ({r['p10']:.2f}-{r['p90']:.2f}) | {r['target_ms']:g} ms | "
                  f"{'yes' if r['met'] else 'NO'} |" for r in results]
        (out / "results.md").write_text("\n".join(lines) + "\n")
        print("\n".join(lines))
        print(f"\nresults and plans in {out}")
        return report
    finally:
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
