"""The guard of inspector/events/hooks.py, the one file of the events code that uses
LangGraph's private API: each private name it spells is LangGraph's (pinned version),
the hooks are really there (a run is not silently heard through the fallback), and no
other file of the events code reaches into LangGraph's internals. The events heard
through the hooks are compared with the public stream modes' in tests/test_events.py
(``test_the_runner_hears_what_the_stream_modes_say``)."""

from __future__ import annotations

import ast
import logging
from pathlib import Path
from typing import Any, TypedDict

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import START, StateGraph
from langgraph.types import RetryPolicy

from agent_debug.inspector.events import ATTACHED_STREAM_MODES, EventExtractor, failing_task, hooks, retry_of

ROOT = Path(__file__).resolve().parents[1]
EVENTS_CODE = sorted((ROOT / "inspector" / "events").glob("*.py")) + [ROOT / "inspector" / "logcapture.py"]
# Spelled only in hooks.py: LangGraph's private config keys and modules.
PRIVATE_SPELLINGS = ("__pregel_", "langgraph._internal", "langgraph.pregel._")


def test_the_private_names_are_langgraphs():
    from langgraph._internal import _constants
    from langgraph.pregel import _retry

    assert hooks.CONFIG_KEY_TASK_ID == _constants.CONFIG_KEY_TASK_ID
    assert hooks.RETRY_LOGGER == _retry.logger.name == _retry.__name__


def test_the_pinned_langgraph_has_the_hooks():
    assert hooks.available()
    config, modes, subgraphs = EventExtractor("t").attach(_flaky_graph([]), {"configurable": {"thread_id": "t"}})
    # Hooked: custom events, messages and subgraph parts come through the config, not the stream.
    assert (modes, subgraphs) == (list(ATTACHED_STREAM_MODES), False)
    from langgraph._internal._constants import CONFIG_KEY_RUNTIME, CONFIG_KEY_STREAM

    assert {CONFIG_KEY_RUNTIME, CONFIG_KEY_STREAM} <= config["configurable"].keys() and config["callbacks"]


def test_a_config_wired_by_the_caller_is_left_alone():
    from langgraph._internal._constants import CONFIG_KEY_STREAM

    wired = {"configurable": {"thread_id": "t", CONFIG_KEY_STREAM: object()}}
    assert hooks.hooked_config(wired, store=None, modes=(), on_part=print, on_custom=print, on_message=print) is None


class _State(TypedDict, total=False):
    n: int


def _flaky_graph(calls: list[int]) -> Any:
    def flaky(state: _State) -> _State:
        calls.append(1)
        if len(calls) < 3:
            raise TimeoutError("not yet")
        return {"n": len(calls)}

    g = StateGraph(_State)
    g.add_node("flaky", flaky, retry_policy=RetryPolicy(initial_interval=0.001, jitter=False, retry_on=TimeoutError))
    g.add_edge(START, "flaky")
    return g.compile(checkpointer=InMemorySaver())


def test_the_retry_line_is_the_one_langgraph_logs(caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.INFO, logger=hooks.RETRY_LOGGER):
        _flaky_graph([]).invoke({}, {"configurable": {"thread_id": "r"}})
    retries = [retry_of(r) for r in caplog.records if r.name == hooks.RETRY_LOGGER]
    assert [(r.node, r.attempt, r.error_type) for r in retries if r is not None] == [("flaky", 1, "TimeoutError"), ("flaky", 2, "TimeoutError")]
    assert all(r is not None and r.backoff_s >= 0 for r in retries)


def test_the_task_note_is_the_one_langgraph_adds():
    def broken(state: _State) -> _State:
        raise ValueError("no")

    g = StateGraph(_State)
    g.add_node("broken", broken)
    g.add_edge(START, "broken")
    with pytest.raises(ValueError) as caught:
        g.compile().invoke({})
    found = failing_task(caught.value)
    assert found is not None and found[0] == "broken" and found[1]


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _strings(tree: ast.AST) -> list[str]:
    """String constants that are not docstrings."""
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docstrings]


@pytest.mark.parametrize("path", EVENTS_CODE, ids=lambda p: p.name)
def test_only_hooks_py_reaches_into_langgraph(path: Path):
    tree = ast.parse(path.read_text(), str(path))
    langgraph = {name for name in _imports(tree) if name == "langgraph" or name.startswith("langgraph.")}
    spelled = [s for s in _strings(tree) if any(p in s for p in PRIVATE_SPELLINGS)]
    if path.name == "hooks.py":
        assert spelled and langgraph, "the private names are spelled here"
    else:
        # Public LangGraph only: a node's own config.
        assert langgraph <= {"langgraph.config"}, f"{path.name} imports {langgraph}"
        assert not spelled, f"{path.name} spells LangGraph's private names: {spelled}"
