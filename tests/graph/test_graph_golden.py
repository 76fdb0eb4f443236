"""Golden files: the sample workflows in every format, compared byte for byte.

After an intended change, rewrite them with
``AGENT_DEBUG_UPDATE_GOLDENS=1 pytest tests/graph/test_graph_golden.py`` and review the diff.
"""

from __future__ import annotations

import difflib
import importlib
import os
from pathlib import Path
from typing import Any

import pytest

from agent_debug.graphviz_export import (
    apply_status,
    graph_model,
    layout,
    render_text,
    to_dot,
    to_json,
    to_mermaid,
)
from tests.graph.samples import build_router_graph

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("AGENT_DEBUG_UPDATE_GOLDENS") == "1"

# (golden name, fixture module or "router", xray, status overlay)
CASES: list[tuple[str, str, bool, dict[str, str] | None]] = [
    ("feature_request", "feature_request", False, None),
    ("tool_agent", "tool_agent", False, None),
    ("supervisor", "supervisor", False, None),
    ("supervisor.xray", "supervisor", True, None),
    (
        "feature_request.status",
        "feature_request",
        False,
        {"analyze": "visited", "plan": "visited", "synthesize": "visited", "sandbox_test": "failed", "review": "next"},
    ),
    (
        "supervisor.xray.status",
        "supervisor",
        True,
        # a whole subgraph (its frame) and a node inside one, by checkpoint namespace
        {"supervisor": "visited", "researcher": "visited", "writer:def|sign_off": "interrupted"},
    ),
    ("router.xray", "router", True, None),
]
WRITERS = {
    "ascii.txt": lambda g: render_text(layout(g)) + "\n",
    "ascii-only.txt": lambda g: render_text(layout(g, ascii_only=True)) + "\n",
    "dot": to_dot,
    "mmd": to_mermaid,
    "json": to_json,
}


def _compiled(source: str) -> Any:
    if source == "router":
        return build_router_graph()
    module = importlib.import_module(f"agent_debug.fixtures.{source}")
    return module.graph


@pytest.mark.parametrize("name,source,xray,status", CASES, ids=[c[0] for c in CASES])
def test_golden(name: str, source: str, xray: bool, status: dict[str, str] | None) -> None:
    g = graph_model(_compiled(source), xray=xray)
    if status:
        g = apply_status(g, status)
    stale: list[str] = []
    for suffix, write in WRITERS.items():
        path = GOLDEN / f"{name}.{suffix}"
        actual = write(g)
        if UPDATE:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(actual, encoding="utf-8")
            continue
        if not path.exists():
            stale.append(f"{path.name} is missing (AGENT_DEBUG_UPDATE_GOLDENS=1 writes it)")
            continue
        expected = path.read_text(encoding="utf-8")
        if actual != expected:
            diff = "".join(
                difflib.unified_diff(
                    expected.splitlines(keepends=True), actual.splitlines(keepends=True), str(path), "actual"
                )
            )
            stale.append(diff)
    assert not stale, "\n".join(stale)
