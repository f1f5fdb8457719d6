"""get_community_setting(p_key, p_default, p_community) reads another community only for the platform.

FOUND-02 / X-13: settings are read by dotted path, the caller's current community by default.
X-10: a function taking p_community acts only on the caller's current community (else 42501)
unless the caller is service_role, a job (no JWT, as postgres) or super_admin.
"""

from __future__ import annotations

import psycopg
import pytest

from tests.support.session import as_service, as_user, claims_for, expect_sqlstate
from tests.support.world import World

SETTINGS = {"c1": '{"packages": {"retention_days": 10}}', "c2": '{"packages": {"retention_days": 30}}'}


@pytest.fixture
def settings(db: psycopg.Connection, world: World) -> World:
    for name, value in SETTINGS.items():
        db.execute("update communities set settings = %s where id = %s", (value, getattr(world, name)))
    return world


def read(cur: psycopg.Cursor, community: object = None) -> object:
    if community is None:
        row = cur.execute("select get_community_setting('packages.retention_days', '15')").fetchone()
    else:
        row = cur.execute("select get_community_setting('packages.retention_days', '15', %s)",
                          (community,)).fetchone()
    assert row is not None
    return row[0]


@pytest.mark.requirement("FOUND-02")
def test_the_default_path_reads_the_current_community(db: psycopg.Connection, settings: World) -> None:
    with as_user(db, settings["R1"].claims()) as cur:
        assert read(cur) == 10
    with as_user(db, settings["A2"].claims()) as cur:
        assert read(cur) == 30
    with as_user(db, settings["R1"].claims()) as cur:
        assert cur.execute("select get_community_setting('packages.missing', '15')").fetchone() == (15,)
        assert cur.execute("select get_community_setting('nothing.here')").fetchone() == (None,)


@pytest.mark.requirement("FOUND-02")
@pytest.mark.parametrize("user", ["R1", "admin", "guard"])
def test_a_user_reads_their_own_community_explicitly(db: psycopg.Connection, settings: World,
                                                     user: str) -> None:
    with as_user(db, settings[user].claims()) as cur:
        assert read(cur, settings.c1) == 10


@pytest.mark.requirement("FOUND-02")
@pytest.mark.parametrize("user", ["R1", "admin", "guard"])
def test_a_user_cannot_name_another_community(db: psycopg.Connection, settings: World, user: str) -> None:
    with as_user(db, settings[user].claims()) as cur:
        with expect_sqlstate(cur, "42501") as failure:
            read(cur, settings.c2)
        assert str(failure.error).startswith("not_authorized:")
        # The transaction stays usable, and the default path still works.
        assert read(cur) == 10


@pytest.mark.requirement("FOUND-02")
def test_a_user_without_a_current_community_cannot_name_one(db: psycopg.Connection, settings: World) -> None:
    claims = settings["R1"].claims()
    claims["app_metadata"] = {"role": "resident"}
    with as_user(db, claims) as cur:
        assert read(cur) == 15
        with expect_sqlstate(cur, "42501"):
            read(cur, settings.c1)


@pytest.mark.requirement("FOUND-02")
def test_the_platform_reads_any_community(db: psycopg.Connection, settings: World) -> None:
    with as_service(db) as cur:
        assert read(cur, settings.c1) == 10
        assert read(cur, settings.c2) == 30
        assert read(cur) == 15
    with as_user(db, settings["S"].claims()) as cur:
        assert read(cur, settings.c2) == 30
        assert read(cur, settings.c1) == 10
        assert read(cur) == 15
    # A super admin with C1 active still reads C2.
    with as_user(db, claims_for(settings["S"].id, settings.c1, "super_admin")) as cur:
        assert read(cur) == 10
        assert read(cur, settings.c2) == 30
    # A job: no JWT at all, as postgres.
    assert read(db.cursor(), settings.c2) == 30
