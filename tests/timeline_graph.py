"""A real graph whose timeline the tests know: a subgraph that waits at an interrupt, a
node that fails once and passes when the thread is run again.

``prep → writer[draft → sign (interrupt)] → flaky (fails while FAILING)``
"""

from __future__ import annotations

import operator
import sqlite3
from pathlib import Path
from typing import Annotated, Any, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.types import Command, interrupt


class TState(TypedDict, total=False):
    x: int
    trail: Annotated[list, operator.add]


FAILING = {"on": True}


def _draft(state: TState) -> dict[str, Any]:
    return {"trail": ["draft"]}


def _sign(state: TState) -> dict[str, Any]:
    return {"trail": [f"sign:{interrupt('sign off?')}"]}


def _flaky(state: TState) -> dict[str, Any]:
    if FAILING["on"]:
        raise RuntimeError("upstream down")
    return {"trail": ["flaky"]}


def timeline_builder() -> StateGraph:
    """The graph (uncompiled)."""
    sub = StateGraph(TState).add_sequence([("draft", _draft), ("sign", _sign)])
    sub.add_edge(START, "draft")
    g = StateGraph(TState)
    g.add_node("prep", lambda s: {"x": 1})
    g.add_node("writer", sub.compile())
    g.add_node("flaky", _flaky)
    g.add_edge(START, "prep")
    g.add_edge("prep", "writer")
    g.add_edge("writer", "flaky")
    return g


def cfg(thread_id: str) -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id}}


def write_threads(path: Path) -> Any:
    """Write the threads into a SQLite store at ``path``; returns the compiled graph (its
    checkpointer closed: use it with another saver to read LangGraph's own history).

    - ``answered``: waited at the sign-off, was answered, flaky failed, run again: done;
    - ``waiting``: waits at the sign-off;
    - ``failing``: answered, flaky failed, not run again.
    """
    conn = sqlite3.connect(path, check_same_thread=False)
    graph = timeline_builder().compile(checkpointer=SqliteSaver(conn))
    try:
        for thread in ("answered", "waiting", "failing"):
            graph.invoke({"x": 0}, cfg(thread))
        for thread in ("answered", "failing"):
            FAILING["on"] = True
            try:
                graph.invoke(Command(resume="yes"), cfg(thread))
            except RuntimeError:
                pass
        FAILING["on"] = False
        graph.invoke(None, cfg("answered"))
    finally:
        FAILING["on"] = True
        conn.close()
    return graph
