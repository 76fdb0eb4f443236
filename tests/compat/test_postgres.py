"""The same field-by-field checks on PostgreSQL: the apps written by LangGraph's ``PostgresSaver``
into the session's real server, read by agent-debug from the DSN; and a resume there."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from agent_debug.inspector.targets import open_source
from tests.pg_server import postgres_saver
from tests.compat.apps import APPS, config
from tests.compat.conftest import (
    CompatStore,
    Run,
    check_errors,
    check_every_checkpoint,
    check_history,
    check_interrupts,
    check_messages,
    check_namespaces,
    check_summary,
    check_values,
    checkpoint_id,
    expected_status,
    run_all,
)

pytestmark = pytest.mark.postgres

ON_POSTGRES = ("deep_agent", "functional", "supervisor")
CHECKS = (check_summary, check_values, check_messages, check_interrupts, check_errors, check_history, check_every_checkpoint)




@pytest.fixture(scope="module")
def pg_stores(make_database) -> Iterator[dict[str, CompatStore]]:
    """Each app of ON_POSTGRES in a database of its own; the writers stay open."""
    with postgres_saver(make_database()) as s1, postgres_saver(make_database()) as s2, postgres_saver(make_database()) as s3:
        stores = {}
        for name, saver in zip(ON_POSTGRES, (s1, s2, s3)):
            app = APPS[name]
            graph = app.build(saver)
            stores[name] = CompatStore(app=app, target=_url(saver), graph=graph, runs=app.run(graph))
        yield stores


def _url(saver: Any) -> str:
    info = saver.conn.info
    return f"postgresql://{info.user}@{info.host}:{info.port}/{info.dbname}"


PG_CASES = [pytest.param(name, state, id=f"{name}-{state}") for name in ON_POSTGRES for state in APPS[name].states]


@pytest.mark.parametrize(("name", "state"), PG_CASES)
@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_field_by_field_on_postgres(pg_stores, name, state, check):
    store = pg_stores[name]
    with open_source(store.target) as source:
        check(source, store, store.thread(state))


@pytest.mark.parametrize(("name", "state"), PG_CASES)
def test_namespaces_on_postgres(pg_stores, name, state):
    store = pg_stores[name]
    with open_source(store.target) as source:
        check_namespaces(source, store, store.thread(state), store.graph.checkpointer)


def _rows(dsn: str) -> tuple[int, ...]:
    import psycopg

    with psycopg.connect(dsn) as conn:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("checkpoints", "checkpoint_blobs", "checkpoint_writes"))


def test_resume_on_postgres(make_database):
    """deepagents' interrupt approved through agent-debug on PostgreSQL; a value outside the
    functional API's response_schema refused there without a row written."""
    deep, func = APPS["deep_agent"], APPS["functional"]
    with postgres_saver(make_database()) as saver:
        dsn = _url(saver)
        deep_graph = deep.build(saver)
        runs = deep.run(deep_graph)
        func_graph = func.build(saver)
        func_runs = func.run(func_graph)
        thread, func_thread = runs["interrupted"], func_runs["interrupted"]
        before = _rows(dsn)
        refused = Run(["resume", dsn, "--thread", func_thread, "--graph", func.ref, "--value", '"yes"'])
        approve = Run(["resume", dsn, "--thread", thread, "--graph", deep.ref, "--approve", "--json"])
        run_all([refused])
        assert refused.returncode == 1, refused.explain()
        assert _rows(dsn) == before and "Traceback" not in refused.stderr
        run_all([approve])
        assert approve.returncode == 0, approve.explain()
        snap = deep_graph.get_state(config(thread))
        outcome = approve.json
        assert outcome["head"] == checkpoint_id(snap) and outcome["status"] == expected_status(snap) == "done"
        assert deep.approved(snap.values)
        assert "/report.md" in snap.values["files"]
        with open_source(dsn) as source:
            state = source.state(thread)
        assert "/report.md" in state.values["files"]
        assert [m.text for m in state.messages] == [m.text for m in snap.values["messages"]]
