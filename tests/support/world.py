"""The catalogue's test fixtures (REQUIREMENTS §0.2) as far as the built phases reach.

Organizations O1, O2; communities C1 (in O1) and C2 (in O2); super admin S; in C1 users of
every community role and resident R1; in C2 the admin A2. Seeded as `postgres`, which
acts for the platform, so no policy stands in the way.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import psycopg

from tests.support.session import claims_for

C1_ROLES = ("admin", "manager", "guard", "accountant", "board_member", "resident")


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

    def __getitem__(self, name: str) -> User:
        return self.users[name]


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
        people = [("S", None, "super_admin"), ("A2", c2, "admin"), ("R1", c1, "resident")]
        people += [(role, c1, role) for role in C1_ROLES if role != "resident"]
        for name, community, role in people:
            user_id = uuid.uuid4()
            cur.execute(
                "insert into auth.users (id, email, raw_app_meta_data) values (%s, %s, %s)",
                (user_id, f"{name.lower()}@example.test",
                 psycopg.types.json.Jsonb({"role": role, "community_id": str(community) if community else None})),
            )
            world.users[name] = User(user_id, community, role)
    return world
