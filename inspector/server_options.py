"""How this process talks to LangGraph servers: the key, extra headers, the read timeout.

Standard library only: the CLI sets these from ``--api-key``/``--header``/``--timeout``
before anything imports httpx, and ``targets.secrets`` reads them to hide every value.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

from agent_debug.inspector.exceptions import UsageError

READ_TIMEOUT = 30.0
"""Seconds to wait for an answer once connected (a page of history is megabytes of state)."""
KEY_HEADER = "x-api-key"
KEY_VARIABLES = ("LANGGRAPH_API_KEY", "LANGSMITH_API_KEY")
"""Where the key comes from when ``--api-key`` is not given, in that order."""


def is_server_url(target: str) -> bool:
    """Whether TARGET names a LangGraph server (an ``http(s)://`` URL)."""
    return target.startswith(("http://", "https://"))


@dataclass
class ServerOptions:
    """How to talk to a server: the key, extra headers, the read timeout."""

    api_key: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = READ_TIMEOUT

    def key(self) -> str | None:
        """The key to send: ``--api-key``, else the first of ``KEY_VARIABLES`` set."""
        if self.api_key:
            return self.api_key
        for name in KEY_VARIABLES:
            value = os.environ.get(name)
            if value:
                return value
        return None

    def secrets(self) -> list[str]:
        """Every value that must never be shown."""
        found = [v for v in (self.key(), *self.headers.values()) if v]
        return [v for v in found if len(v) >= 4]


_options = ServerOptions()
_lock = threading.Lock()


def configure(*, api_key: str | None = None, headers: Mapping[str, str] | None = None, timeout: float | None = None) -> ServerOptions:
    """Set how this process talks to servers (the CLI's ``--api-key``/``--header``/``--timeout``)."""
    global _options
    with _lock:
        _options = ServerOptions(api_key=api_key or None, headers=dict(headers or {}), timeout=timeout or READ_TIMEOUT)
    return _options


def options() -> ServerOptions:
    """The options set by ``configure`` (defaults: the key from the environment)."""
    return _options


def parse_header(text: str) -> tuple[str, str]:
    """``K=V`` (or ``K: V``) from ``--header``; a ``UsageError`` otherwise."""
    for sep in ("=", ":"):
        if sep in text:
            name, value = text.split(sep, 1)
            name = name.strip()
            if name and all(c.isalnum() or c in "-_" for c in name):
                return name, value.strip()
    raise UsageError("--header takes NAME=VALUE (e.g. --header Authorization='Bearer …')")


