"""Run SQL the way Supabase's PostgREST runs an API request, and check expected failures.

PostgREST wraps every request in one transaction that switches role and publishes the JWT claims
as transaction-local settings.  ``as_user`` / ``as_anon`` / ``as_service`` do the same and roll
back at the end, so a test can probe RLS without leaving data behind.

When the connection already has an open transaction (e.g. rows seeded as ``postgres`` that were
never committed) the block runs inside a SAVEPOINT instead; rolling back to it also restores the
role and settings, so the test continues as ``postgres`` with its seed data intact.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql
from psycopg.pq import TransactionStatus

# What Supabase configures as PostgREST's db-schemas + db-extra-search-path.
API_SEARCH_PATH = "public, extensions"


def claims_for(
    user_id: uuid.UUID | str,
    community_id: uuid.UUID | str | None = None,
    role: str | None = None,
    user_metadata: Mapping[str, Any] | None = None,
    *,
    email: str | None = None,
) -> dict[str, Any]:
    """JWT claims shaped like a Supabase access token for a signed-in user.

    ``role`` is the application role stored in app_metadata, not the Postgres role (which is
    always ``authenticated`` for a signed-in user).  Unset app_metadata keys are omitted, as in a
    real token whose user has no such metadata.
    """
    app_metadata: dict[str, Any] = {}
    if community_id is not None:
        app_metadata["community_id"] = str(community_id)
    if role is not None:
        app_metadata["role"] = role
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "role": "authenticated",
        "aud": "authenticated",
        "app_metadata": app_metadata,
        "user_metadata": dict(user_metadata or {}),
    }
    if email is not None:
        claims["email"] = email
    return claims


def _savepoint_name() -> sql.Identifier:
    return sql.Identifier(f"sp_{uuid.uuid4().hex}")


@contextmanager
def _as_role(
    conn: psycopg.Connection,
    db_role: str,
    claims: Mapping[str, Any],
    *,
    commit: bool,
    headers: Mapping[str, str] | None,
) -> Iterator[psycopg.Cursor]:
    if conn.autocommit:
        raise ValueError("as_user & co. need a connection with autocommit=False")
    status = conn.info.transaction_status
    if status == TransactionStatus.INERROR:
        raise RuntimeError("connection is in a failed transaction; roll back before as_user")
    nested = status == TransactionStatus.INTRANS
    if nested and commit:
        raise RuntimeError(
            "as_user_committed must start a transaction of its own; commit or roll back the open one first"
        )

    savepoint = _savepoint_name()
    if nested:
        conn.execute(sql.SQL("savepoint {}").format(savepoint))
    ok = False
    try:
        with conn.cursor() as cur:
            # Same order as PostgREST: search_path and role first, then the request settings.
            cur.execute("select set_config('search_path', %s, true)", (API_SEARCH_PATH,))
            cur.execute(sql.SQL("set local role {}").format(sql.Identifier(db_role)))
            cur.execute(
                "select set_config('request.jwt.claims', %s, true)", (json.dumps(dict(claims), default=str),)
            )
            cur.execute("select set_config('request.headers', %s, true)", (json.dumps(dict(headers or {})),))
            yield cur
        ok = True
    finally:
        if nested:
            conn.execute(sql.SQL("rollback to savepoint {}").format(savepoint))
            conn.execute(sql.SQL("release savepoint {}").format(savepoint))
        elif commit and ok:
            conn.commit()
        else:
            conn.rollback()


@contextmanager
def as_user(
    conn: psycopg.Connection, claims: Mapping[str, Any], *, headers: Mapping[str, str] | None = None
) -> Iterator[psycopg.Cursor]:
    """A request by a signed-in user; everything done in the block is rolled back."""
    with _as_role(conn, "authenticated", claims, commit=False, headers=headers) as cur:
        yield cur


@contextmanager
def as_user_committed(
    conn: psycopg.Connection, claims: Mapping[str, Any], *, headers: Mapping[str, str] | None = None
) -> Iterator[psycopg.Cursor]:
    """Like ``as_user`` but commits when the block exits cleanly (rolls back on an exception)."""
    with _as_role(conn, "authenticated", claims, commit=True, headers=headers) as cur:
        yield cur


@contextmanager
def as_anon(conn: psycopg.Connection) -> Iterator[psycopg.Cursor]:
    """A request without a user session (the anon key); rolled back at the end."""
    with _as_role(conn, "anon", {"role": "anon"}, commit=False, headers=None) as cur:
        yield cur


@contextmanager
def as_service(conn: psycopg.Connection) -> Iterator[psycopg.Cursor]:
    """A request with the service_role key (bypasses RLS); rolled back at the end."""
    with _as_role(conn, "service_role", {"role": "service_role"}, commit=False, headers=None) as cur:
        yield cur


@dataclass
class SqlstateMatch:
    """Filled in when the expected error was raised, for further assertions on the message."""

    expected: str
    error: psycopg.Error | None = None


@contextmanager
def expect_sqlstate(target: psycopg.Connection | psycopg.Cursor, code: str) -> Iterator[SqlstateMatch]:
    """Assert that the block raises a database error with SQLSTATE ``code``.

    The block runs under a SAVEPOINT, so after the expected failure the surrounding transaction
    (and an enclosing ``as_user`` block with its role and claims) is still usable.
    """
    conn: psycopg.Connection = target.connection if isinstance(target, psycopg.Cursor) else target
    match = SqlstateMatch(expected=code)
    # In autocommit mode each statement is its own transaction, so there is nothing to protect.
    savepoint = None if conn.autocommit else _savepoint_name()
    if savepoint is not None:
        conn.execute(sql.SQL("savepoint {}").format(savepoint))
    try:
        yield match
    except psycopg.Error as exc:
        if savepoint is not None:
            conn.execute(sql.SQL("rollback to savepoint {}").format(savepoint))
            conn.execute(sql.SQL("release savepoint {}").format(savepoint))
        if exc.sqlstate != code:
            raise AssertionError(
                f"expected SQLSTATE {code}, got {exc.sqlstate} ({type(exc).__name__}): {exc}"
            ) from exc
        match.error = exc
        return
    except BaseException:
        if savepoint is not None and conn.info.transaction_status != TransactionStatus.UNKNOWN:
            conn.execute(sql.SQL("rollback to savepoint {}").format(savepoint))
            conn.execute(sql.SQL("release savepoint {}").format(savepoint))
        raise
    # Undo whatever the unexpectedly successful statement did before failing the test.
    if savepoint is not None:
        conn.execute(sql.SQL("rollback to savepoint {}").format(savepoint))
        conn.execute(sql.SQL("release savepoint {}").format(savepoint))
    raise AssertionError(f"expected SQLSTATE {code}, but the block raised no database error")


def one(cur: psycopg.Cursor | psycopg.Connection, query: str, *params: object) -> Any:
    """The first column of the one row a query returns."""
    row = cur.execute(query, params).fetchone()
    assert row is not None, query
    return row[0]
