"""Every private piece of LangGraph the events code leans on, in this one file.

LangGraph is pinned (``langgraph>=1.2,<1.3``); nothing here is its public API, so each
name is checked against the installed LangGraph by tests/test_events_hooks.py, and the
events heard through ``hooked_config`` are compared with those of the public stream modes
(tests/test_events.py, ``test_the_runner_hears_what_the_stream_modes_say``). When a
LangGraph without these hooks is installed, ``hooked_config`` returns None and the
extractor listens through the public stream modes only.

Nothing is imported from LangGraph when this module is: reading a recording must not
pay for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

#: ``langgraph._internal._constants.CONFIG_KEY_TASK_ID``: the task a node runs as, in its config.
CONFIG_KEY_TASK_ID = "__pregel_task_id"

#: The logger of LangGraph's RetryPolicy loop (``langgraph.pregel._retry``).
RETRY_LOGGER = "langgraph.pregel._retry"

#: The line that logger writes before each new attempt: task, backoff, attempt, exception type.
RETRY_LINE = re.compile(r"^Retrying task (\S+) after ([\d.]+) seconds \(attempt (\d+)\) after (\w+)")

#: The note LangGraph adds to an exception raised in a task: its node and task id.
TASK_NOTE = re.compile(r"During task with name '([^']*)' and id '([^']*)'")

Part = tuple[tuple[str, ...], str, Any]
"""A stream part as LangGraph hands it to a parent: (namespace, mode, chunk)."""


def available() -> bool:
    """Whether the installed LangGraph has the hooks ``hooked_config`` uses."""
    try:
        _private()
    except ImportError:
        return False
    return True


def _private() -> tuple[Any, ...]:
    # The stream a parent hands its subgraphs, the runtime whose writer get_stream_writer()
    # returns, the messages handler that stream_mode="messages" installs.
    from langgraph._internal._constants import CONFIG_KEY_RUNTIME, CONFIG_KEY_STREAM
    from langgraph.pregel._messages import StreamMessagesHandler
    from langgraph.pregel.protocol import StreamProtocol
    from langgraph.runtime import Runtime

    return CONFIG_KEY_RUNTIME, CONFIG_KEY_STREAM, StreamMessagesHandler, StreamProtocol, Runtime


def hooked_config(
    config: Mapping[str, Any],
    *,
    store: Any,
    modes: Sequence[str],
    on_part: Callable[[Part], None],
    on_custom: Callable[[Any], None],
    on_message: Callable[[Part], None],
) -> dict[str, Any] | None:
    """``config`` wired so that LangGraph hands what a run makes to callbacks, on the
    thread that makes it: ``on_part`` the stream parts (``modes``) of subgraphs, as a
    parent graph receives them; ``on_custom`` each value a node writes with
    ``get_stream_writer()``; ``on_message`` the chat-model messages, as
    ``stream_mode="messages"`` would yield them. ``store``: the graph's store, which the
    runtime placed in the config must keep providing.

    None when this LangGraph lacks the hooks, or when the caller already wired them
    (that wiring is left alone).
    """
    try:
        config_key_runtime, config_key_stream, messages_handler, stream_protocol, runtime = _private()
    except ImportError:
        return None
    configurable = dict(config.get("configurable") or {})
    if configurable.keys() & {config_key_runtime, config_key_stream}:
        return None
    configurable[config_key_stream] = stream_protocol(on_part, set(modes))
    # Stored there, the runtime also provides the graph's store (None would hide it).
    configurable[config_key_runtime] = runtime(store=store, stream_writer=on_custom)
    handler = messages_handler(on_message, True)
    callbacks = config.get("callbacks")
    if callbacks is None:
        callbacks = [handler]
    elif isinstance(callbacks, list):
        callbacks = [*callbacks, handler]
    else:  # a callback manager
        callbacks = callbacks.copy()
        callbacks.add_handler(handler, inherit=True)
    return {**config, "configurable": configurable, "callbacks": callbacks}
