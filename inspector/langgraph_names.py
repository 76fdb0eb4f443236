"""LangGraph's on-disk and in-graph names, in one place.

These are what LangGraph writes into checkpoints and pending writes (channel names, task
paths) and the names of its own nodes; readers, the session and the front ends take them
from here rather than spelling them out.
"""

from __future__ import annotations

START = "__start__"
"""A StateGraph's entry node (and the input channel of the functional API's entrypoint)."""

END = "__end__"
"""The end node a graph's edges can name."""

TASKS = "__pregel_tasks"
"""The channel queuing ``Send`` packets for the next step."""

PULL = "__pregel_pull"
"""A task path's first part for a node triggered by its channels."""

PUSH = "__pregel_push"
"""A task path's first part for a ``Send`` or functional-API call."""

INTERRUPT = "__interrupt__"
"""The pending-write channel of an ``interrupt()``."""

ERROR = "__error__"
"""The pending-write channel of a task's exception."""

RESUME = "__resume__"
"""The pending-write channel of a resume value."""

NS_SEP = "|"
"""Separates the parts of a nested checkpoint namespace (``outer:task|inner:task``)."""

NS_END = ":"
"""Separates a namespace part's node name from its task id."""

BRANCH_PREFIX = "branch:"
"""Channels LangGraph adds for conditional edges (``branch:to:node``)."""

BRANCH_TO = "branch:to:"
"""The channel triggering a node after a conditional edge chose it (``branch:to:node``)."""


def is_internal_channel(name: str) -> bool:
    """Whether a channel is LangGraph's own (``__…__``, ``branch:…``), not a state key."""
    return name.startswith(("__", BRANCH_PREFIX))
