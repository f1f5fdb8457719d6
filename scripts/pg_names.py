"""Regenerate src/upoe_compiler/pg15_names.txt: the names of PostgreSQL 15's built-in functions and
system relations, and of the functions of the extensions upoe enables, read from a real server.

Run from the repository root after `scripts/test` has installed PostgreSQL 15:

    .venv/bin/python scripts/pg_names.py

It starts a throwaway cluster (tests/support/pgcluster.py: as the `postgres` user when run as root,
in a temporary folder), creates the extensions, reads pg_proc and pg_class, and stops the cluster.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.pgcluster import PgCluster  # noqa: E402

OUTPUT = ROOT / "src" / "upoe_compiler" / "pg15_names.txt"
# The extensions migrations create (resolve/model.py), and those a spec may add later.
EXTENSIONS = ("pgcrypto", "btree_gist", "citext", "pg_trgm", "unaccent", "uuid-ossp")

FUNCTIONS = """
    select distinct 'function ' || coalesce(e.extname, n.nspname) || ' ' || p.proname
    from pg_proc p
    join pg_namespace n on n.oid = p.pronamespace
    left join pg_depend d on d.objid = p.oid and d.classid = 'pg_proc'::regclass and d.deptype = 'e'
    left join pg_extension e on e.oid = d.refobjid
    where n.nspname in ('pg_catalog', 'information_schema') or e.extname is not null
"""
RELATIONS = """
    select distinct 'relation ' || n.nspname || ' ' || c.relname
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname in ('pg_catalog', 'information_schema') and c.relkind in ('r', 'v', 'm', 'p', 'f')
"""


def main() -> None:
    with PgCluster() as pg, pg.connect(autocommit=True) as connection:
        version = connection.execute("select current_setting('server_version')").fetchone()[0]
        available = {row[0] for row in connection.execute("select name from pg_available_extensions")}
        created = [name for name in EXTENSIONS if name in available]
        for name in created:
            connection.execute(f'create extension "{name}"')
        lines = sorted(row[0] for query in (FUNCTIONS, RELATIONS) for row in connection.execute(query))
    header = [
        f"# Built-in names of PostgreSQL {version}: `function <schema or extension> <name>` for every",
        "# function of pg_catalog, information_schema and the extensions " + ", ".join(created) + ",",
        "# `relation <schema> <name>` for every table and view of pg_catalog and information_schema.",
        "# Made by scripts/pg_names.py from a throwaway cluster (select distinct proname from pg_proc, …);",
        "# run it again to regenerate this file. Read by src/upoe_compiler/sql_references.py.",
    ]
    OUTPUT.write_text("\n".join([*header, *lines]) + "\n", encoding="utf-8")
    print(f"{OUTPUT.relative_to(ROOT)}: {len(lines)} names")


if __name__ == "__main__":
    main()
