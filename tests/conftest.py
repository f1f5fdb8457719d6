"""Shared fixtures: one real PostgreSQL 15 cluster per session, Supabase-like template databases.

Database layering (each step is a cheap ``create database ... template ...`` copy):

    upoe_bootstrap           tests/support/supabase_bootstrap.sql applied     (bootstrap_template)
      └─ <name>              + every *.sql of a migrations dir, in order     (make_template)
           └─ t_<n>_<hex>    a private, disposable copy for one test          (fresh_db)
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.support.pgcluster import (
    FreshDb,
    MakeTemplate,
    PgCluster,
    PgClusterError,
    PsqlError,
    find_bindir,
)
from tests.support.traceability import carried_requirements, mark_problem

BOOTSTRAP_SQL = Path(__file__).parent / "support" / "supabase_bootstrap.sql"
BOOTSTRAP_DB = "upoe_bootstrap"

_db_counter = itertools.count(1)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite golden files with the current output instead of comparing against them",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.update_golden = bool(config.getoption("--update-golden"))  # type: ignore[attr-defined]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Anything that (transitively) needs the cluster is a db test, so `-m "not db"` works
    # without every test module having to remember the marker.
    for item in items:
        if "pg_cluster" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.db)
    # A tag that names no requirement of the spec would trace nothing: refuse to run rather than mislead.
    marked = [(item, mark) for item in items for mark in item.iter_markers("requirement")]
    carried = carried_requirements() if marked else None
    problems: set[tuple[str, int, str]] = set()
    for item, mark in marked:
        problem = mark_problem((*mark.args, *(None for _ in mark.kwargs)), carried)
        if problem is not None:
            path, line, _name = item.location
            name = getattr(item, "originalname", item.name)
            problems.add((path, (line or 0) + 1, f"{name}: @pytest.mark.requirement {problem}"))
    if problems:
        raise pytest.UsageError("requirement tags that trace nothing:\n"
                                + "\n".join(f"{path}:{line}: {problem}" for path, line, problem in sorted(problems)))


@pytest.fixture(scope="session")
def update_golden(pytestconfig: pytest.Config) -> bool:
    return bool(pytestconfig.getoption("--update-golden"))


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """The session's PostgreSQL server, started on first use and deleted at the end."""
    if find_bindir() is None:
        # Deliberately a failure, not a skip: a green run must mean the SQL really was executed.
        pytest.fail(
            "PostgreSQL 15 server binaries are missing (/usr/lib/postgresql/15/bin/postgres). "
            "Run the suite through scripts/test, which installs them via scripts/setup-test-env.",
            pytrace=False,
        )
    cluster = PgCluster()
    try:
        cluster.start()
    except PgClusterError as exc:
        pytest.fail(f"could not start the PostgreSQL test cluster:\n{exc}", pytrace=False)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def bootstrap_template(pg_cluster: PgCluster) -> str:
    """Name of the database holding only the Supabase compatibility layer (a template)."""
    pg_cluster.create_database(BOOTSTRAP_DB)
    pg_cluster.psql_file(BOOTSTRAP_DB, BOOTSTRAP_SQL)
    pg_cluster.mark_template(BOOTSTRAP_DB)
    return BOOTSTRAP_DB


@pytest.fixture(scope="session")
def make_template(pg_cluster: PgCluster, bootstrap_template: str) -> MakeTemplate:
    """Factory ``make_template(name, migrations_dir, *, allow_empty=False) -> name``.

    Copies the bootstrap template and applies every ``*.sql`` file of ``migrations_dir`` in
    lexical order, each in its own transaction (as ``supabase db push`` does).  Session-scoped so
    that a module-scoped fixture can build a schema once; asking again for the same name and
    directory returns the existing database.
    """
    built: dict[str, Path] = {}

    def make(name: str, migrations_dir: Path | str, *, allow_empty: bool = False) -> str:
        migrations_dir = Path(migrations_dir).resolve()
        if name in built:
            if built[name] != migrations_dir:
                raise ValueError(f"template {name!r} already built from {built[name]}, not {migrations_dir}")
            return name
        files = sorted(migrations_dir.glob("*.sql"), key=lambda p: p.name)
        if not files and not allow_empty:
            # Most likely the compiler wrote somewhere else; an empty schema would pass vacuously.
            raise FileNotFoundError(f"no *.sql migrations in {migrations_dir}")
        pg_cluster.create_database(name, template=bootstrap_template)
        try:
            for path in files:
                pg_cluster.psql_file(name, path)
        except PsqlError:
            pg_cluster.drop_database(name)
            raise
        pg_cluster.mark_template(name)
        built[name] = migrations_dir
        return name

    return make


@pytest.fixture
def fresh_db(pg_cluster: PgCluster, bootstrap_template: str) -> Iterator[FreshDb]:
    """Factory ``fresh_db(template=None) -> psycopg.Connection`` (autocommit off).

    Each call makes a new database copied from ``template`` (default: the bootstrap template),
    connected as superuser ``postgres``; connections are closed and databases dropped at teardown.
    """
    created: list[tuple[str, psycopg.Connection]] = []

    def make(template: str | None = None) -> psycopg.Connection:
        name = f"t_{next(_db_counter)}_{uuid.uuid4().hex[:8]}"
        pg_cluster.create_database(name, template=template or bootstrap_template)
        conn = psycopg.connect(pg_cluster.dsn(name), autocommit=False)
        created.append((name, conn))
        return conn

    yield make

    for name, conn in reversed(created):
        conn.close()
        pg_cluster.drop_database(name)
