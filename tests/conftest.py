"""Shared fixtures: stores filled by real graph runs, and the PostgreSQL server (tests/pg_server.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["tests.pg_server", "tests.server_proc"]


@pytest.fixture(scope="session")
def scenario_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict]]:
    """A SQLite store holding every scenario of tests/graphs.py; the writer is closed afterwards."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    from tests.graphs import run_scenarios

    path = tmp_path_factory.mktemp("scenarios") / "runs.db"
    conn = sqlite3.connect(path, check_same_thread=False)
    saver = SqliteSaver(conn)
    scenarios = run_scenarios(saver)
    yield path, scenarios
    conn.close()


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory):
    """The demo store: 24 threads of the fixture workflows in every end state."""
    from agent_debug.fixtures.seed import seed_store

    path = tmp_path_factory.mktemp("seeded") / "demo.db"
    report = seed_store(path, threads=24)
    return path, report
