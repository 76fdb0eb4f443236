"""A real, throwaway PostgreSQL server for the test session (a pytest plugin).

``postgres_dsn`` runs ``initdb`` into a temporary directory and starts ``postgres`` on
a free 127.0.0.1 port with durability switched off (the data dies with the session
anyway), then stops it and removes the directory at session end, also on failure.
``fresh_database`` gives each test an empty database of its own on that server.

PostgreSQL refuses to run as root, so under root the server runs as ``nobody`` in a
directory owned by ``nobody``. Missing binaries fail the fixture (a skipped test is not
a passing one): ``.ci/install-system-packages`` installs them.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

_NOBODY = 65534
PASSWORD_ROLE = "agent_debug_pw"
"""A role that must give a password over TCP (every other role is trusted): tests of
authentication errors create it with ``CREATE ROLE ... LOGIN PASSWORD ...``."""
_INSTALL_HINT = "run .ci/install-system-packages (it installs the 'postgresql' Debian package)"
# Durability off: nothing here must survive a crash, and it halves start-up and write time.
_FAST = "-c fsync=off -c full_page_writes=off -c synchronous_commit=off"


def find_pg_bin() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres: PATH first, else the newest Debian install."""
    on_path = shutil.which("initdb")
    if on_path:
        bindir = Path(os.path.realpath(on_path)).parent
        if (bindir / "pg_ctl").exists() and (bindir / "postgres").exists():
            return bindir

    def version(path: str) -> tuple[int, ...]:
        found = re.search(r"/postgresql/([\d.]+)/bin", path)
        return tuple(int(p) for p in found.group(1).split(".")) if found else ()

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=version, reverse=True)
    for bindir in candidates:
        if all(os.access(os.path.join(bindir, exe), os.X_OK) for exe in ("initdb", "pg_ctl", "postgres")):
            return Path(bindir)
    return None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PostgresServer:
    """A running server: where it lives and how to reach it."""

    bindir: Path
    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def dsn_for(self, database: str) -> str:
        """A DSN naming another database on this server."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


def _run(cmd: list[str], cwd: Path, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    as_nobody: dict[str, Any] = {}
    if os.geteuid() == 0:
        # initdb and postgres refuse root; subprocess switches user after fork, before exec.
        as_nobody = {"user": _NOBODY, "group": _NOBODY, "extra_groups": []}
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C", "HOME": str(cwd)}
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, **as_nobody, **kwargs)


def start_server(bindir: Path) -> PostgresServer:
    """initdb and start a server; raises RuntimeError with the server log when it cannot."""
    root = Path(tempfile.mkdtemp(prefix="agent-debug-pg-"))
    if os.geteuid() == 0:
        os.chown(root, _NOBODY, _NOBODY)
    server = PostgresServer(bindir=bindir, root=root, port=0)
    try:
        init = _run(
            [str(bindir / "initdb"), "-D", str(server.data), "-U", "postgres", "--auth=trust",
             "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions"],
            cwd=root, timeout=60,
        )
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed: {init.stderr.strip() or init.stdout.strip()}")
        # First match wins: the password role first, then trust for everyone else.
        (server.data / "pg_hba.conf").write_text(
            f"host all {PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256\n"
            "local all all trust\n"
            "host all all 127.0.0.1/32 trust\n"
        )
        # A port found free can be taken before the server binds it; a second try covers that.
        for _ in range(3):
            server.port = _free_port()
            opts = f"-c listen_addresses=127.0.0.1 -p {server.port} -k {root} {_FAST}"
            started = _run(
                [str(bindir / "pg_ctl"), "-D", str(server.data), "-l", str(root / "server.log"),
                 "-w", "-t", "30", "-o", opts, "start"],
                cwd=root, timeout=60,
            )
            if started.returncode == 0:
                return server
        log = (root / "server.log").read_text(errors="replace")[-2000:] if (root / "server.log").exists() else ""
        raise RuntimeError(f"pg_ctl start failed: {started.stderr.strip()}\n{log}")
    except BaseException:
        stop_server(server)
        raise


def stop_server(server: PostgresServer) -> None:
    """Stop the server at once (its data is thrown away) and remove its directory."""
    try:
        if (server.data / "postmaster.pid").exists():
            _run([str(server.bindir / "pg_ctl"), "-D", str(server.data), "-m", "immediate", "-w", "stop"],
                 cwd=server.root, timeout=30)
    finally:
        shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole session (fails, never skips, without the binaries)."""
    bindir = find_pg_bin()
    if bindir is None:
        pytest.fail(
            "PostgreSQL server binaries (initdb, pg_ctl, postgres) not found on PATH or under "
            f"/usr/lib/postgresql/*/bin; {_INSTALL_HINT}",
            pytrace=False,
        )
    try:
        server = start_server(bindir)
    except (RuntimeError, OSError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"cannot start a PostgreSQL test server from {bindir}: {exc}", pytrace=False)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="session")
def postgres_dsn(postgres_server: PostgresServer) -> str:
    """DSN of the session's server (superuser ``postgres``, trust auth, database ``postgres``)."""
    return postgres_server.dsn


def create_database(server: PostgresServer, name: str | None = None) -> str:
    """Create an empty database on ``server`` and return its DSN."""
    import psycopg

    name = name or f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server.dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.dsn_for(name)


def drop_database(server: PostgresServer, dsn: str) -> None:
    """Drop a database made by ``create_database``, closing whatever still uses it."""
    import psycopg

    name = dsn.rsplit("/", 1)[-1]
    with psycopg.connect(server.dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def fresh_database(postgres_server: PostgresServer) -> Iterator[str]:
    """DSN of an empty database of this test's own, dropped afterwards."""
    dsn = create_database(postgres_server)
    try:
        yield dsn
    finally:
        drop_database(postgres_server, dsn)


@pytest.fixture(scope="session")
def make_database(postgres_server: PostgresServer) -> Iterator[Callable[[], str]]:
    """A factory of empty databases that live as long as the server (for module fixtures)."""
    yield lambda: create_database(postgres_server)


@contextmanager
def postgres_saver(dsn: str) -> Iterator[Any]:
    """LangGraph's own PostgresSaver on a test database, connected as an app connects it,
    its tables set up."""
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver
    from psycopg.rows import dict_row

    with psycopg.connect(dsn, autocommit=True, prepare_threshold=0, row_factory=dict_row) as conn:
        saver = PostgresSaver(conn)
        saver.setup()
        yield saver
