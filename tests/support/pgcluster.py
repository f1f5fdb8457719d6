"""A throwaway PostgreSQL 15 server for tests and scripts.

Usage::

    with PgCluster() as pg:
        pg.create_database("scratch")
        pg.psql_file("scratch", Path("schema.sql"))
        with psycopg.connect(pg.dsn("scratch")) as conn:
            ...
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Protocol

import psycopg
from psycopg import sql

PG_MAJOR = 15
DEFAULT_BINDIR = Path(f"/usr/lib/postgresql/{PG_MAJOR}/bin")
SUPERUSER = "postgres"

SERVER_SETTINGS: dict[str, str] = {
    # Durability is worthless for a cluster that is deleted after the run, and costs seconds.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "timezone": "'UTC'",
    "max_connections": "100",
}


class MakeTemplate(Protocol):
    """Signature of the ``make_template`` fixture (see tests/conftest.py)."""

    def __call__(self, name: str, migrations_dir: Path | str, *, allow_empty: bool = False) -> str: ...


class FreshDb(Protocol):
    """Signature of the ``fresh_db`` fixture (see tests/conftest.py)."""

    def __call__(self, template: str | None = None) -> psycopg.Connection: ...


class PgClusterError(RuntimeError):
    """The server could not be set up, started or stopped."""


class PsqlError(RuntimeError):
    """psql exited non-zero; ``stderr`` holds its complete error output."""

    def __init__(self, path: Path, dbname: str, returncode: int, stderr: str) -> None:
        self.path = path
        self.dbname = dbname
        self.returncode = returncode
        self.stderr = stderr
        super().__init__(f"psql failed (exit {returncode}) applying {path} to database {dbname!r}:\n{stderr}")


def find_bindir() -> Path | None:
    """The PostgreSQL 15 binary directory, or None when the server is not installed."""
    if (DEFAULT_BINDIR / "postgres").is_file():
        return DEFAULT_BINDIR
    pg_config = shutil.which("pg_config")
    if pg_config is None:
        return None
    try:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True)
        version = subprocess.run([pg_config, "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    # The Debian pg_config wrapper reports the newest installed major, which may not be ours.
    if not version.stdout.split()[-1].startswith(f"{PG_MAJOR}."):
        return None
    bindir = Path(out.stdout.strip())
    return bindir if (bindir / "postgres").is_file() else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class PgCluster:
    """One private PostgreSQL server: its own data dir, socket dir and TCP port on 127.0.0.1."""

    def __init__(self, bindir: Path | None = None, settings: Mapping[str, str] | None = None) -> None:
        """``settings``: extra postgresql.conf lines (name -> value as written in the file, strings
        quoted), applied over the defaults, e.g. ``{"shared_buffers": "'512MB'"}``."""
        found = bindir or find_bindir()
        if found is None:
            raise PgClusterError(
                f"PostgreSQL {PG_MAJOR} binaries not found in {DEFAULT_BINDIR} nor via pg_config --bindir"
            )
        self.bindir = found
        self.settings = dict(settings or {})
        self.port: int | None = None
        self.base_dir: Path | None = None
        self._running = False
        # The server refuses to run as root, and tests in containers usually are root.
        self._as_postgres = os.geteuid() == 0

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        return self._base() / "data"

    @property
    def socket_dir(self) -> Path:
        return self._base() / "sock"

    @property
    def log_file(self) -> Path:
        return self._base() / "server.log"

    def start(self) -> PgCluster:
        if self._running:
            return self
        self.base_dir = Path(tempfile.mkdtemp(prefix="upoe-pg-"))
        try:
            self.socket_dir.mkdir()
            if self._as_postgres:
                pw = pwd.getpwnam(SUPERUSER)
                for path in (self.base_dir, self.socket_dir):
                    os.chown(path, pw.pw_uid, pw.pw_gid)
            self._run_server_tool(
                "initdb",
                "-D", str(self.data_dir),
                "-U", SUPERUSER,
                "--auth=trust",
                "-E", "UTF8",
                "--locale=C.UTF-8",
                # Nothing survives the run, so skip initdb's fsync of every catalog file.
                "--no-sync",
            )  # fmt: skip
            self._start_server()
        except BaseException:
            self._remove_base_dir()
            raise
        atexit.register(self.stop)
        return self

    def _start_server(self) -> None:
        # A free port can be taken between probing and binding; retry with a new one.
        last_error: PgClusterError | None = None
        for _attempt in range(3):
            self.port = _free_port()
            settings = {
                **SERVER_SETTINGS,
                **self.settings,
                "listen_addresses": "'127.0.0.1'",
                "port": str(self.port),
                "unix_socket_directories": f"'{self.socket_dir}'",
            }
            auto_conf = self.data_dir / "postgresql.auto.conf"
            auto_conf.write_text("".join(f"{k} = {v}\n" for k, v in settings.items()))
            try:
                self._run_server_tool(
                    "pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-w", "-t", "60", "start"
                )
            except PgClusterError as exc:
                last_error = exc
                continue
            self._running = True
            return
        assert last_error is not None
        raise last_error

    def stop(self) -> None:
        """Stop the server and delete all its files; safe to call more than once."""
        with contextlib.suppress(Exception):
            atexit.unregister(self.stop)
        try:
            if self._running:
                self._run_server_tool("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")
                self._running = False
        finally:
            self._remove_base_dir()

    def __enter__(self) -> PgCluster:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- connecting ----------------------------------------------------------------------------

    def dsn(self, dbname: str = "postgres") -> str:
        """A libpq connection string; uses the private Unix socket, which is faster than TCP."""
        if not self._running:
            raise PgClusterError("cluster is not running")
        return f"host={self.socket_dir} port={self.port} user={SUPERUSER} dbname={dbname}"

    def connect(self, dbname: str = "postgres", *, autocommit: bool = False) -> psycopg.Connection:
        return psycopg.connect(self.dsn(dbname), autocommit=autocommit)

    def psql_file(self, dbname: str, path: Path | str) -> None:
        """Apply one SQL file in a single transaction, stopping at the first error."""
        path = Path(path)
        cmd = [
            str(self.bindir / "psql"),
            "-X", "-q", "-1",
            "-v", "ON_ERROR_STOP=1",
            "-d", self.dsn(dbname),
            "-f", str(path),
        ]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, env=self._client_env())
        if proc.returncode != 0:
            raise PsqlError(path, dbname, proc.returncode, proc.stderr)

    # -- databases -----------------------------------------------------------------------------

    def create_database(self, name: str, template: str | None = None) -> None:
        query = sql.SQL("create database {}").format(sql.Identifier(name))
        if template is not None:
            query = sql.SQL("{} template {}").format(query, sql.Identifier(template))
        with self.connect(autocommit=True) as conn:
            conn.execute(query)

    def drop_database(self, name: str) -> None:
        # FORCE because a test that failed mid-way may still hold a connection to its database.
        query = sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(name))
        with self.connect(autocommit=True) as conn:
            conn.execute(query)

    def mark_template(self, name: str) -> None:
        query = sql.SQL("alter database {} is_template true").format(sql.Identifier(name))
        with self.connect(autocommit=True) as conn:
            conn.execute(query)

    # -- internals -----------------------------------------------------------------------------

    def _base(self) -> Path:
        if self.base_dir is None:
            raise PgClusterError("cluster has not been started")
        return self.base_dir

    def _client_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["PGTZ"] = "UTC"
        return env

    def _run_server_tool(self, tool: str, *args: str) -> None:
        cmd: Sequence[str] = [str(self.bindir / tool), *args]
        if self._as_postgres:
            cmd = ["runuser", "-u", SUPERUSER, "--", *cmd]
        started = time.monotonic()
        # cwd: the postgres user may not be allowed into the caller's working directory.
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=self._base(), env=self._client_env())
        if proc.returncode != 0:
            log = ""
            if self.log_file.exists():
                tail = self.log_file.read_text().splitlines()[-30:]
                log = "\n--- server log (tail) ---\n" + "\n".join(tail)
            raise PgClusterError(
                f"{tool} failed (exit {proc.returncode}, {time.monotonic() - started:.1f}s):\n"
                f"{proc.stdout}{proc.stderr}{log}"
            )

    def _remove_base_dir(self) -> None:
        if self.base_dir is not None:
            shutil.rmtree(self.base_dir, ignore_errors=True)
            self.base_dir = None
