"""Compile and apply times: the bundled spec, and synthetic specs 1x, 5x and 10x its size.

Prints figures; asserts nothing. Run: `.venv/bin/python -m benchmarks.compile_speed [--apply]`
from the repository root. `--apply` also starts a throwaway PostgreSQL and times applying each
build to an empty database (needs what scripts/setup-test-env installs).

In-process compiles are the best of 5 in one interpreter (imports and Jinja's template cache
warm after the first). Cold CLI start-up is what a user waits for: the median wall time of
fresh `python -m upoe_compiler --help` and `compile` processes, imports included (from
bytecode, even where PYTHONDONTWRITEBYTECODE is set: a temporary PYTHONPYCACHEPREFIX holds it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from upoe_compiler.api import compile_project

REPO = Path(__file__).resolve().parents[1]
TABLES_PER_DOMAIN = 10


def synthetic_domain(index: int) -> str:
    """A domain of community tables chained by references, with an enum and checks."""
    tables = {}
    for number in range(TABLES_PER_DOMAIN):
        columns: dict[str, object] = {
            "code": {"type": "text", "required": True, "unique": True},
            "amount": {"type": "money_amount", "default": 0},
            "state": {"type": f"d{index}_state", "required": True, "default": "open"},
            "note": {"type": "text", "check": "note is null or length(note) < 500"},
        }
        if number:
            columns["parent_id"] = {"type": "uuid", "references": f"d{index}_t{number - 1}"}
        tables[f"d{index}_t{number}"] = {
            "description": f"Synthetic table {number} of domain {index}.",
            "tenancy": "community",
            "columns": columns,
            "access": {"insert": ["admin", "manager"], "update": ["admin", "manager"]},
        }
    return yaml.safe_dump({
        "domain": f"synthetic_{index}",
        "title": f"Synthetic {index}",
        "description": "Generated for the benchmark.",
        "phase": 10 + index,
        "enums": {f"d{index}_state": {"description": "State.", "values": ["open", "closed"]}},
        "tables": tables,
    }, sort_keys=False)


def make_spec(root: Path, domains: int, bundled: Path = REPO / "spec") -> Path:
    """The bundled spec (this checkout's, or another revision's) plus `domains` synthetic ones."""
    spec = root / f"spec_{domains}"
    shutil.copytree(bundled, spec)
    for index in range(domains):
        (spec / f"synthetic_{index}.yaml").write_text(synthetic_domain(index))
    return spec


def time_compile(spec: Path, out: Path, repeat: int = 5) -> tuple[float, float, int]:
    best_wall = best_cpu = float("inf")
    tables = 0
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = compile_project(spec, out)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        tables = sum(1 for o in result.model.objects if type(o).__name__ == "Table")
    return best_wall, best_cpu, tables


def time_cold_cli(arguments: list[str], runs: int, pycache: Path) -> float:
    """Median wall time of `runs` fresh interpreters running the CLI with `arguments`, after one
    untimed run that writes the bytecode to `pycache` (as an installed package has it)."""
    environment = {**os.environ, "PYTHONPYCACHEPREFIX": str(pycache)}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "upoe_compiler", *arguments], check=True, cwd=REPO,
                       env=environment, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def time_apply(build: Path) -> float:
    from tests.support.pgcluster import PgCluster

    bootstrap = REPO / "tests" / "support" / "supabase_bootstrap.sql"
    with PgCluster() as cluster:
        cluster.create_database("bench")
        cluster.psql_file("bench", bootstrap)
        start = time.perf_counter()
        for migration in sorted((build / "supabase" / "migrations").glob("*.sql")):
            cluster.psql_file("bench", migration)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--apply", action="store_true", help="also time applying each build")
    parser.add_argument("--cold-runs", type=int, default=9, help="fresh CLI processes per cold figure")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="upoe-bench-"))
    try:
        cases = [("bundled spec", REPO / "spec")]
        bundled_tables = time_compile(REPO / "spec", root / "probe", repeat=1)[2]
        base = max(1, round(160 / TABLES_PER_DOMAIN))  # ~160 tables: the size of the full roadmap
        cases += [(f"synthetic {factor}x (~{160 * factor} tables)", make_spec(root, base * factor))
                  for factor in (1, 5, 10)]
        print(f"{'spec':34} {'tables':>7} {'wall s':>8} {'cpu s':>8} {'cpu ms/table':>13}"
              + (f" {'apply s':>8}" if args.apply else ""))
        for label, spec in cases:
            out = root / f"build_{spec.name}"
            wall, cpu, tables = time_compile(spec, out)
            line = f"{label:34} {tables:>7} {wall:>8.3f} {cpu:>8.3f} {1000 * cpu / max(tables, 1):>13.2f}"
            if args.apply:
                line += f" {time_apply(out):>8.2f}"
            print(line, flush=True)
        print(f"(bundled spec has {bundled_tables} tables; best of 5 compiles each)")
        cold = [("upoe --help", ["--help"]),
                ("upoe compile (bundled spec)", ["compile", "--spec", "spec", "--out", str(root / "cold")])]
        for label, arguments in cold:
            print(f"cold {label:29} {time_cold_cli(arguments, args.cold_runs, root / 'pycache'):>8.3f} s wall "
                  f"(median of {args.cold_runs} fresh processes)", flush=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
