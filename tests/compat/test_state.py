"""What agent-debug reads from each app's store, field by field against LangGraph's own API (SQLite)."""

from __future__ import annotations

import pytest

from agent_debug.inspector.targets import open_source
from tests.compat.apps import APPS
from tests.compat.conftest import (
    CASES,
    check_errors,
    check_every_checkpoint,
    check_history,
    check_interrupts,
    check_messages,
    check_namespaces,
    check_summary,
    check_values,
)


@pytest.fixture
def case(request, compat_store):
    name, state = request.param
    store = compat_store(name)
    with open_source(store.target) as source:
        yield source, store, store.thread(state)


every_case = pytest.mark.parametrize("case", [p.values for p in CASES], ids=[p.id for p in CASES], indirect=True)


@every_case
def test_summary(case):
    check_summary(*case)


@every_case
def test_values(case):
    check_values(*case)


@every_case
def test_messages(case):
    check_messages(*case)


@every_case
def test_interrupts(case):
    check_interrupts(*case)


@every_case
def test_errors(case):
    check_errors(*case)


@every_case
def test_history(case):
    check_history(*case)


@every_case
def test_every_checkpoint(case):
    check_every_checkpoint(*case)


@every_case
def test_namespaces(case):
    source, store, thread_id = case
    check_namespaces(source, store, thread_id, store.graph.checkpointer)


@every_case
def test_the_end_state_is_what_the_runner_meant(case):
    """The apps themselves: each thread really is in the end state it is named for."""
    from tests.compat.conftest import expected_status

    _, store, thread_id = case
    meant = thread_id.rsplit("-", 1)[-1]
    assert expected_status(store.snapshot(thread_id)) == {"paused": "pending"}.get(meant, meant)
    assert thread_id in store.runs.values() and store.app.name in APPS


ERROR_CASES = [p for p in CASES if p.values[1] == "error"]


@pytest.mark.parametrize("case", [p.values for p in ERROR_CASES], ids=[p.id for p in ERROR_CASES], indirect=True)
def test_stored_errors_are_classified(case):
    """A stored error gets a class and a suggestion, as a live one does; quoting the user's
    words ("Forbidden City Tours") does not make a lookup failure a credentials problem."""
    source, store, thread_id = case
    [error] = source.thread(thread_id).errors
    assert error.classification in ("transient", "permanent", "recoverable", "unknown")
    assert error.suggestion
    if store.app.name.startswith("hitl"):
        assert "Forbidden City Tours" in error.message
        assert not any(word in error.suggestion.lower() for word in ("credential", "api key", "permission")), error.suggestion
