"""One assertion for the rule every tenant table obeys (X-01): another community's rows are
invisible, untouchable and cannot be written into, whatever the caller's role."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

import psycopg
from psycopg import sql

from tests.support.session import as_user, expect_sqlstate
from tests.support.world import User


def assert_tenant_isolation(conn: psycopg.Connection, table: str, foreign_row: Mapping[str, object],
                            user: User) -> uuid.UUID:
    """`foreign_row` holds valid column values of a row in a community other than `user`'s,
    `community_id` included. It is inserted as the platform, then `user` must not see it,
    must update 0 rows of it (or hold no update privilege), and must fail (42501) to insert it.
    Returns its id."""
    assert foreign_row.get("community_id") not in (None, user.community), "the row must be of another community"
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in foreign_row)
    values = sql.SQL(", ").join(sql.Placeholder() * len(foreign_row))
    target = sql.Identifier(table)
    row_id = conn.execute(sql.SQL("insert into {} ({}) values ({}) returning id").format(target, columns, values),
                          list(foreign_row.values())).fetchone()[0]
    with as_user(conn, user.claims()) as cur:
        seen = cur.execute(sql.SQL("select count(*) from {} where id = %s").format(target), (row_id,)).fetchone()
        assert seen == (0,), f"{user.role} of another community sees a row of {table}"
        update = sql.SQL("update {} set updated_at = now() where id = %s").format(target)
        if cur.execute("select has_table_privilege(%s, 'update')", (table,)).fetchone() == (True,):
            touched = cur.execute(update, (row_id,))
            assert touched.rowcount == 0, f"{user.role} of another community updated a row of {table}"
        else:
            # Append-only tables grant clients no update at all.
            with expect_sqlstate(cur, "42501"):
                cur.execute(update, (row_id,))
        copy = {**foreign_row, "id": uuid.uuid4()}
        with expect_sqlstate(cur, "42501"):
            cur.execute(sql.SQL("insert into {} ({}) values ({})").format(
                target, sql.SQL(", ").join(sql.Identifier(c) for c in copy),
                sql.SQL(", ").join(sql.Placeholder() * len(copy))), list(copy.values()))
    return row_id
