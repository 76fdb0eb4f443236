"""Classifying workflow errors: transient, permanent, recoverable or unknown.

One table (``RULES``) decides, first match wins. A rule matches on exception class
names (the whole class hierarchy when the exception object is at hand, only the
stored type name otherwise) and/or a pattern in the message, so the same table
classifies a live exception and an error read back from a checkpoint store, which
keeps only the type name and the message.

Order matters: LangGraph's own recoverable errors first, then transient and permanent
errors known by their class, then what the message says (an SDK may raise a plain
``ValueError`` for an HTTP 429), then weaker guesses by class.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

ErrorClass = Literal["transient", "permanent", "recoverable", "unknown"]

#: What a suggestion builder receives: the message match (if the rule has a pattern) and the node.
Suggest = Callable[["re.Match[str] | None", str], str]


@dataclass(frozen=True)
class Classification:
    """What kind of failure this is, what to do about it, and how sure we are (0..1)."""

    kind: ErrorClass
    suggestion: str
    confidence: float
    rule: str = "unknown"


@dataclass(frozen=True)
class Rule:
    """One row of the table: class names and/or a message pattern → a classification."""

    name: str
    kind: ErrorClass
    confidence: float
    suggestion: str | Suggest
    types: frozenset[str] = frozenset()
    pattern: re.Pattern[str] | None = None

    def match(self, type_names: set[str], message: str) -> re.Match[str] | None | Literal[False]:
        """False when the rule does not apply; otherwise the message match (None without a pattern)."""
        if self.types and not (self.types & type_names):
            return False
        if self.pattern is None:
            return None
        found = self.pattern.search(message)
        return found if found is not None else False


def _retry_snippet(retry_on: str, initial: float, attempts: int = 5) -> Suggest:
    def suggest(_: re.Match[str] | None, node: str) -> str:
        return (
            f"transient: retry it with backoff, e.g. builder.add_node('{node}', {node}, "
            f"retry_policy=RetryPolicy(max_attempts={attempts}, initial_interval={initial}, "
            f"backoff_factor=2.0, retry_on={retry_on}))"
        )

    return suggest


def _recursion(found: re.Match[str] | None, node: str) -> str:
    limit = int(found.group(1)) if found and found.group(1) else None
    if limit is None:
        return (
            "raise recursion_limit in the config, e.g. config={'recursion_limit': 50} "
            "(the default is 25); if the graph should have ended, check the conditional edge that loops"
        )
    return (
        f"raise recursion_limit in the config, e.g. config={{'recursion_limit': {limit * 2}}} "
        f"(current limit {limit}); if the graph should have ended, check the conditional edge that loops"
    )


def _one_value_per_step(found: re.Match[str] | None, node: str) -> str:
    channel = found.group(1) if found else "X"
    return (
        f"several nodes wrote '{channel}' in the same step; give channel '{channel}' a reducer such as "
        f"{channel}: Annotated[list, operator.add] in the state schema, or let only one node write it per step"
    )


def _node_return(found: re.Match[str] | None, node: str) -> str:
    return f"node '{node}' must return a dict of state updates (or a Command), not what it returned"


def _names(*names: str) -> frozenset[str]:
    return frozenset(names)


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_RATE_LIMIT_TYPES = _names("RateLimitError", "TooManyRequests", "TooManyRequestsError", "ResourceExhausted", "ThrottlingException")
_TIMEOUT_TYPES = _names(
    "TimeoutError",  # builtin; asyncio.TimeoutError and socket.timeout are the same class
    "NodeTimeoutError",  # LangGraph's TimeoutPolicy
    "TimeoutException",  # httpx base class
    "ReadTimeout",
    "ConnectTimeout",
    "WriteTimeout",
    "PoolTimeout",
    "Timeout",  # requests base class
    "APITimeoutError",  # openai / anthropic SDKs
    "DeadlineExceeded",
)
_CONNECTION_TYPES = _names(
    "ConnectionError",  # builtin base of reset/refused/aborted, and requests' ConnectionError
    "ConnectionResetError",
    "ConnectionRefusedError",
    "ConnectionAbortedError",
    "BrokenPipeError",
    "RemoteDisconnected",
    "ConnectError",
    "RemoteProtocolError",
    "APIConnectionError",
    "ServerDisconnectedError",
)
_SERVER_TYPES = _names(
    "InternalServerError", "ServiceUnavailable", "ServiceUnavailableError", "OverloadedError", "BadGateway", "GatewayTimeout"
)

RULES: tuple[Rule, ...] = (
    # -- recoverable: LangGraph tells us which setting to change -------------------------
    Rule(
        "recursion-limit",
        "recoverable",
        0.95,
        _recursion,
        types=_names("GraphRecursionError"),
        pattern=_rx(r"(?:recursion limit of (\d+))?"),
    ),
    Rule(
        "concurrent-update",
        "recoverable",
        0.9,
        _one_value_per_step,
        types=_names("InvalidUpdateError"),
        pattern=_rx(r"at key '([^']+)': can receive only one value per step"),
    ),
    Rule(
        "overwrite-twice",
        "recoverable",
        0.85,
        "two nodes sent Overwrite(...) to the same channel in one step; let only one of them overwrite it",
        types=_names("InvalidUpdateError"),
        pattern=_rx(r"only one overwrite value per super-step"),
    ),
    Rule(
        "node-return-value",
        "recoverable",
        0.85,
        _node_return,
        types=_names("InvalidUpdateError"),
        pattern=_rx(r"expected dict, got|INVALID_GRAPH_NODE_RETURN_VALUE"),
    ),
    Rule(
        "invalid-update",
        "recoverable",
        0.7,
        "the state update does not fit the channels: check the keys the node returns against the state schema, "
        "and give channels that several nodes write a reducer (Annotated[list, operator.add])",
        types=_names("InvalidUpdateError"),
    ),
    # -- transient, known by class ---------------------------------------------------------
    Rule("rate-limit", "transient", 0.95, _retry_snippet("RateLimitError", 1.0), types=_RATE_LIMIT_TYPES),
    Rule("timeout", "transient", 0.9, _retry_snippet("TimeoutError", 0.5, 3), types=_TIMEOUT_TYPES),
    Rule("connection", "transient", 0.9, _retry_snippet("ConnectionError", 0.5, 3), types=_CONNECTION_TYPES),
    Rule("server-error", "transient", 0.85, _retry_snippet("InternalServerError", 2.0), types=_SERVER_TYPES),
    # -- permanent, known by class: retrying runs the same code on the same data -------------
    Rule(
        "validation",
        "permanent",
        0.85,
        "the data does not match its schema: fix the input or the schema; if a model's structured output is "
        "invalid, a RetryPolicy(retry_on=ValidationError) may get a valid answer on the next try",
        types=_names("ValidationError"),
    ),
    Rule(
        "import",
        "permanent",
        0.95,
        "a module is missing or broken: install it in the environment the graph runs in (pip install ...) "
        "and check the import path",
        types=_names("ImportError", "ModuleNotFoundError"),
    ),
    Rule(
        "auth",
        "permanent",
        0.9,
        "the provider refused the credentials: check the API key (environment variable) and its permissions",
        types=_names("AuthenticationError", "PermissionDeniedError", "PermissionError", "Unauthorized", "Forbidden"),
    ),
    Rule(
        "code-bug",
        "permanent",
        0.8,
        "a bug in the node's code or a value of the wrong shape in the state: fix the code (see the traceback), "
        "then replay the phase",
        types=_names(
            "TypeError", "KeyError", "AttributeError", "NameError", "IndexError", "NotImplementedError", "ZeroDivisionError", "SyntaxError"
        ),
    ),
    # -- what the message says ---------------------------------------------------------------
    Rule(
        "rate-limit-message",
        "transient",
        0.85,
        _retry_snippet("RateLimitError", 1.0),
        pattern=_rx(r"\b429\b|rate.?limit|too many requests|quota exceeded|throttl"),
    ),
    Rule(
        "timeout-message",
        "transient",
        0.8,
        _retry_snippet("TimeoutError", 0.5, 3),
        pattern=_rx(r"timed? ?out\b|\btimeout\b|deadline exceeded"),
    ),
    Rule(
        "connection-message",
        "transient",
        0.8,
        _retry_snippet("ConnectionError", 0.5, 3),
        pattern=_rx(r"connection (?:reset|refused|aborted|closed|error)|broken pipe|remote end closed|server disconnected"),
    ),
    Rule(
        "server-error-message",
        "transient",
        0.75,
        _retry_snippet("Exception", 2.0),
        pattern=_rx(
            r"\b50[0234]\b|\b529\b|service unavailable|overloaded|bad gateway|gateway time|temporarily unavailable"
            r"|internal server error"
        ),
    ),
    Rule(
        "auth-message",
        "permanent",
        0.8,
        "the provider refused the credentials: check the API key (environment variable) and its permissions",
        pattern=_rx(r"\b40[13]\b|unauthori[sz]ed|forbidden|invalid api key|incorrect api key"),
    ),
    Rule(
        "not-found",
        "permanent",
        0.8,
        "something the node needs does not exist: fix the name or create it, then replay the phase",
        types=_names("ValueError", "FileNotFoundError", "LookupError", "NotFoundError", "RuntimeError", "OSError"),
        pattern=_rx(r"not found|no such|does not exist|\b404\b"),
    ),
    Rule(
        "bad-value",
        "permanent",
        0.6,
        "the node rejected a value: fix the input or the code that produced it, then replay the phase",
        types=_names("ValueError", "AssertionError", "UnicodeError"),
    ),
)

_UNKNOWN = Classification(
    "unknown",
    "not a known kind of failure: read the traceback; replay the phase to see whether it happens again",
    0.2,
)


def classify(exc_type_name: str, message: str, exc: BaseException | None = None, *, node: str | None = None) -> Classification:
    """Classify a failure by type name and message; with ``exc``, its class hierarchy counts too.

    ``node`` only personalises the suggestion (the RetryPolicy snippet names it).
    """
    names = {exc_type_name.rsplit(".", 1)[-1]}
    if exc is not None:
        names |= {cls.__name__ for cls in type(exc).__mro__}
        status = _http_status(exc)
        if status is not None:
            # SDK errors carry the HTTP status as an attribute, not always in the message.
            message = f"{message} (HTTP {status})"
    for rule in RULES:
        found = rule.match(names, message)
        if found is False:
            continue
        text = rule.suggestion if isinstance(rule.suggestion, str) else rule.suggestion(found, node or "node")
        return Classification(rule.kind, text, rule.confidence, rule.name)
    return _UNKNOWN


def classify_exception(exc: BaseException, *, node: str | None = None) -> Classification:
    """``classify`` for a live exception."""
    return classify(type(exc).__name__, str(exc), exc, node=node)


def _http_status(exc: BaseException) -> int | None:
    for candidate in (getattr(exc, "status_code", None), getattr(getattr(exc, "response", None), "status_code", None)):
        if isinstance(candidate, int) and 100 <= candidate <= 599:
            return candidate
    return None
