"""The catalogue's test fixtures (REQUIREMENTS §0.2) as far as the built phases reach.

Organizations O1, O2; communities C1 (in O1) and C2 (in O2); super admin S; in C1 users of
every community role; in C2 the admin A2. Seeded as `postgres`, which acts for the platform,
so no policy stands in the way.

CRM (Phase 2): units U1 (departamento, coefficient 40) and U2 (departamento, 60) in C1, U3
(coefficient 100) in C2; residents R1 (owner of U1), T1 (tenant of U1), R2 (owner of U2) and
R3 (owner of U3, in C2), each a `resident` user with an active `residents` row linked by
`user_id`; their occupancies start 2025-01-01 and are open; R1 and R2 are the voting
representatives of U1 and U2.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import psycopg

from tests.support.session import claims_for

if TYPE_CHECKING:
    from tests.support.pgcluster import PgCluster

C1_ROLES = ("admin", "manager", "guard", "accountant", "board_member", "resident")
# (name, community, unit_number, coefficient) of the catalogue's units.
UNITS = (("U1", "c1", "101", 40), ("U2", "c1", "102", 60), ("U3", "c2", "301", 100))
# (user, community, unit, occupancy_type, is_voting_representative) of its residents.
RESIDENTS = (("R1", "c1", "U1", "owner", True), ("T1", "c1", "U1", "tenant", False),
             ("R2", "c1", "U2", "owner", True), ("R3", "c2", "U3", "owner", False))


@dataclass
class User:
    id: uuid.UUID
    community: uuid.UUID | None
    role: str

    def claims(self, **overrides: Any) -> dict[str, Any]:
        return claims_for(self.id, self.community, self.role, **overrides)


@dataclass
class World:
    o1: uuid.UUID
    o2: uuid.UUID
    c1: uuid.UUID
    c2: uuid.UUID
    users: dict[str, User] = field(default_factory=dict)
    # CRM fixtures by catalogue name: units ("U1"), residents rows and occupancies ("R1").
    unit_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    resident_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    occupancy_ids: dict[str, uuid.UUID] = field(default_factory=dict)

    def __getitem__(self, name: str) -> User:
        return self.users[name]

    @property
    def u1(self) -> uuid.UUID:
        return self.unit_ids["U1"]

    @property
    def u2(self) -> uuid.UUID:
        return self.unit_ids["U2"]

    @property
    def u3(self) -> uuid.UUID:
        return self.unit_ids["U3"]


def _insert(cur: psycopg.Cursor, sql: str, *params: Any) -> uuid.UUID:
    cur.execute(sql, params)
    row = cur.fetchone()
    assert row is not None
    return row[0]


def seed_world(conn: psycopg.Connection) -> World:
    with conn.cursor() as cur:
        o1 = _insert(cur, "insert into organizations (name) values ('O1') returning id")
        o2 = _insert(cur, "insert into organizations (name) values ('O2') returning id")
        c1 = _insert(cur, "insert into communities (organization_id, name, slug) values (%s, 'C1', 'c1') "
                          "returning id", o1)
        c2 = _insert(cur, "insert into communities (organization_id, name, slug) values (%s, 'C2', 'c2') "
                          "returning id", o2)
        world = World(o1, o2, c1, c2)
        people = [("S", None, "super_admin"), ("A2", c2, "admin")]
        people += [(name, getattr(world, community), "resident") for name, community, *_ in RESIDENTS]
        people += [(role, c1, role) for role in C1_ROLES if role != "resident"]
        for name, community, role in people:
            user_id = uuid.uuid4()
            cur.execute(
                "insert into auth.users (id, email, raw_app_meta_data) values (%s, %s, %s)",
                (user_id, f"{name.lower()}@example.test",
                 psycopg.types.json.Jsonb({"role": role, "community_id": str(community) if community else None})),
            )
            world.users[name] = User(user_id, community, role)
        _seed_crm(cur, world)
    return world


def _seed_crm(cur: psycopg.Cursor, world: World) -> None:
    for name, community, number, coefficient in UNITS:
        world.unit_ids[name] = _insert(
            cur, "insert into units (community_id, unit_number, unit_type, coefficient) "
                 "values (%s, %s, 'departamento', %s) returning id",
            getattr(world, community), number, coefficient)
    for name, community, unit, occupancy_type, voting in RESIDENTS:
        user = world.users[name]
        world.resident_ids[name] = _insert(
            cur, "insert into residents (community_id, user_id, first_name, last_name, email, "
                 "onboarding_status) values (%s, %s, %s, 'Fixture', %s, 'active') returning id",
            getattr(world, community), user.id, name, f"{name.lower()}@example.test")
        world.occupancy_ids[name] = _insert(
            cur, "insert into occupancies (community_id, resident_id, unit_id, occupancy_type, start_date, "
                 "is_voting_representative) values (%s, %s, %s, %s, '2025-01-01', %s) returning id",
            getattr(world, community), world.resident_ids[name], world.unit_ids[unit], occupancy_type, voting)


@contextmanager
def committed_world(pg_cluster: PgCluster, template: str, name: str) -> Iterator[tuple[str, World]]:
    """A database of its own for tests that commit (concurrency tests on several connections):
    made from `template`, the world seeded and committed, dropped afterwards; yields its dsn."""
    pg_cluster.create_database(name, template=template)
    try:
        with pg_cluster.connect(name) as conn:
            world = seed_world(conn)
            conn.commit()
        yield pg_cluster.dsn(name), world
    finally:
        pg_cluster.drop_database(name)
