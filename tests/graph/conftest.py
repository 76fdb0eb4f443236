"""Fixtures for the graph tests: the sample workflows, and a clean import state."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.graph.samples import build_nested_graph, build_router_graph


@pytest.fixture(scope="session")
def router_graph() -> Any:
    return build_router_graph()


@pytest.fixture(scope="session")
def nested_graph() -> Any:
    return build_nested_graph()


@pytest.fixture
def clean_imports() -> Iterator[None]:
    """Undo what loading a GRAPH_REF does to ``sys.path`` and ``sys.modules``."""
    path = list(sys.path)
    modules = set(sys.modules)
    yield
    sys.path[:] = path
    for name in set(sys.modules) - modules:
        del sys.modules[name]
