"""Fixtures that compile specs and build template databases from their migrations."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.support.pgcluster import MakeTemplate, PgCluster
from tests.support.world import World, seed_world
from upoe_compiler.api import compile_project

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "spec"
# Test-only domains on top of the bundled spec, exercising every construct together on one database.
WIDGETS = Path(__file__).resolve().parent / "widgets"


def compile_with(tmp: Path, *extra_files: Path) -> Path:
    """Compile the bundled spec plus test-only domain files; return the migrations folder."""
    spec_dir = tmp / "spec"
    shutil.copytree(SPEC, spec_dir)
    for extra in extra_files:
        shutil.copy(extra, spec_dir / extra.name)
    out = tmp / "build"
    compile_project(spec_dir, out)
    return out / "supabase" / "migrations"


@pytest.fixture(scope="session")
def bundled_template(make_template: MakeTemplate, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled spec, applied once."""
    return make_template("upoe_bundled", compile_with(tmp_path_factory.mktemp("bundled")))


@pytest.fixture(scope="session")
def widgets_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The build of the bundled spec plus the test-only widgets domains."""
    migrations = compile_with(tmp_path_factory.mktemp("widgets"), *sorted(WIDGETS.glob("*.yaml")))
    return migrations.parents[1]


@pytest.fixture(scope="session")
def widgets_template(make_template: MakeTemplate, widgets_build: Path) -> str:
    """The widgets build, applied once."""
    return make_template("upoe_widgets", widgets_build / "supabase" / "migrations")


@pytest.fixture(scope="module")
def widgets_db(pg_cluster: PgCluster, widgets_template: str,
               request: pytest.FixtureRequest) -> Iterator[psycopg.Connection]:
    """A module's own copy of the widgets schema, its world seeded and committed."""
    name = f"m_{request.module.__name__.rsplit('.', 1)[-1]}"[:60]
    pg_cluster.create_database(name, template=widgets_template)
    conn = psycopg.connect(pg_cluster.dsn(name), autocommit=False)
    try:
        yield conn
    finally:
        conn.close()
        pg_cluster.drop_database(name)


@pytest.fixture(scope="module")
def world(widgets_db: psycopg.Connection) -> World:
    world = seed_world(widgets_db)
    widgets_db.commit()
    return world


@pytest.fixture
def db(widgets_db: psycopg.Connection, world: World) -> Iterator[psycopg.Connection]:
    """The module's database; whatever a test leaves uncommitted is rolled back."""
    yield widgets_db
    widgets_db.rollback()
