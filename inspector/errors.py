"""Classifying workflow errors: transient, permanent, recoverable or unknown.

One table (``RULES``) decides, first match wins. A rule matches on exception class
names (the whole class hierarchy when the exception object is at hand, only the
stored type name otherwise) and/or a pattern in the message, so the same table
classifies a live exception and an error read back from a checkpoint store, which
keeps only the type name and the message.

Order matters: LangGraph's own recoverable errors first, then transient and permanent
errors known by their class, then what the message says (an SDK may raise a plain
``ValueError`` for an HTTP 429), then weaker guesses by class. A message counts only
in an HTTP-status-like context ("HTTP 401", "Error code: 403", "401 Unauthorized",
"invalid API key"), never for a lone word such as "forbidden": messages quote the
user's own text.

What the run knows about retries changes the suggestion, not the class: a node whose
``RetryPolicy`` already retried the error is told which knob of that policy to turn
(``max_attempts``, the backoff, ``retry_on``), never to add a policy it has.

Nothing here imports more than the standard library: stored errors are classified on
the listing paths, which stay free of pydantic and LangGraph.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

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
    #: retry: retrying is the remedy (the suggestion is a RetryPolicy snippet);
    #: maybe: a retry may help (the suggestion ends with a RetryPolicy hint);
    #: no: retrying runs the same code on the same data
    retry: Literal["retry", "maybe", "no"] = "no"

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


# What introduces an HTTP status in an error message: "HTTP 401", "HTTP/1.1 403",
# "status code: 429", "status=503", "Error code: 401" (openai, anthropic), "code 403".
_STATUS_CONTEXT = r"(?:\bhttp(?:/\d(?:\.\d)?)?|\bstatus(?:[ _-]?code)?|\berror[ _-]?code|\bcode|\bresponse)\s*[:=]?\s*['\"(\[]?\s*"


def _status(codes: str, reasons: str = "") -> str:
    """A pattern for HTTP status ``codes`` in a status-like context, or followed by a reason
    phrase ("401 Unauthorized", httpx) or "Client/Server Error" (requests)."""
    found = [rf"{_STATUS_CONTEXT}(?:{codes})\b", rf"\b(?:{codes})\s+(?:client|server)\s+error\b"]
    if reasons:
        found.append(rf"\b(?:{codes})\s*[-:]?\s*['\"]?(?:{reasons})\b")
    return "|".join(found)


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
_AUTH_TYPES = _names(
    "AuthenticationError",  # openai, anthropic, litellm
    "PermissionDeniedError",  # openai, anthropic (HTTP 403)
    "Unauthorized",  # google.api_core
    "Forbidden",
    "Unauthenticated",
    "PermissionDenied",  # google.api_core (gRPC PERMISSION_DENIED)
    "InvalidAPIKeyError",
)
_AUTH_SUGGESTION = "the provider refused the credentials: check the API key (environment variable) and its permissions"

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
    Rule("rate-limit", "transient", 0.95, _retry_snippet("RateLimitError", 1.0), types=_RATE_LIMIT_TYPES, retry="retry"),
    Rule("timeout", "transient", 0.9, _retry_snippet("TimeoutError", 0.5, 3), types=_TIMEOUT_TYPES, retry="retry"),
    Rule("connection", "transient", 0.9, _retry_snippet("ConnectionError", 0.5, 3), types=_CONNECTION_TYPES, retry="retry"),
    Rule("server-error", "transient", 0.85, _retry_snippet("InternalServerError", 2.0), types=_SERVER_TYPES, retry="retry"),
    # -- permanent, known by class: retrying runs the same code on the same data -------------
    Rule(
        "validation",
        "permanent",
        0.85,
        "the data does not match its schema: fix the input or the schema",
        types=_names("ValidationError"),
        retry="maybe",
    ),
    Rule(
        "import",
        "permanent",
        0.95,
        "a module is missing or broken: install it in the environment the graph runs in (pip install ...) "
        "and check the import path",
        types=_names("ImportError", "ModuleNotFoundError"),
    ),
    Rule("auth", "permanent", 0.9, _AUTH_SUGGESTION, types=_AUTH_TYPES),
    Rule(
        # Code that raises the builtin PermissionError for an HTTP 401/403 says so in the message.
        "auth-permission-error",
        "permanent",
        0.75,
        _AUTH_SUGGESTION,
        types=_names("PermissionError"),
        pattern=_rx(r"\b40[13]\b|\bhttps?://"),
    ),
    Rule(
        # Otherwise the builtin PermissionError is the file system's (EACCES, EPERM), not a provider's.
        "os-permission",
        "permanent",
        0.85,
        "the process may not open or change a file (or run a program): check the path and its permissions, "
        "and the user the graph runs as",
        types=_names("PermissionError"),
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
        pattern=_rx(_status("429", "too many requests") + r"|rate.?limit|too many requests|quota exceeded|throttl"),
        retry="retry",
    ),
    Rule(
        "timeout-message",
        "transient",
        0.8,
        _retry_snippet("TimeoutError", 0.5, 3),
        pattern=_rx(r"timed? ?out\b|\btimeout\b|deadline exceeded"),
        retry="retry",
    ),
    Rule(
        "connection-message",
        "transient",
        0.8,
        _retry_snippet("ConnectionError", 0.5, 3),
        pattern=_rx(r"connection (?:reset|refused|aborted|closed|error)|broken pipe|remote end closed|server disconnected"),
        retry="retry",
    ),
    Rule(
        "server-error-message",
        "transient",
        0.75,
        _retry_snippet("Exception", 2.0),
        pattern=_rx(
            _status("50[0234]|529")
            + r"|service unavailable|overloaded|bad gateway|gateway time|temporarily unavailable|internal server error"
        ),
        retry="retry",
    ),
    Rule(
        # Status codes and the providers' own wording only: "forbidden" or "unauthorized"
        # alone is as likely to be the user's text quoted in the message.
        "auth-message",
        "permanent",
        0.8,
        _AUTH_SUGGESTION,
        pattern=_rx(
            _status("401|403", r"unauthori[sz]ed|forbidden|unauthenticated|permission denied|access denied")
            + r"|\b(?:invalid|incorrect|missing|expired|revoked|bad)\s+(?:x-)?api[ _-]?key\b"
            + r"|\bapi[ _-]?key\s+(?:is\s+)?(?:invalid|not valid|incorrect|missing|expired|revoked|not set|not provided)\b"
            + r"|\b(?:invalid_api_key|authentication_error|permission_error|PERMISSION_DENIED|UNAUTHENTICATED)\b"
        ),
    ),
    Rule(
        "not-found",
        "permanent",
        0.8,
        "something the node needs does not exist: fix the name or create it, then replay the phase",
        types=_names("ValueError", "FileNotFoundError", "LookupError", "NotFoundError", "RuntimeError", "OSError"),
        pattern=_rx(r"not found|no such|does not exist|" + _status("404")),
    ),
    Rule(
        "bad-value",
        "permanent",
        0.6,
        "the node rejected a value: fix the input or the code that produced it, then replay the phase",
        types=_names("ValueError", "AssertionError", "UnicodeError"),
    ),
)

_UNKNOWN = Rule(
    "unknown",
    "unknown",
    0.2,
    "not a known kind of failure: read the traceback; replay the phase to see whether it happens again",
)


def classify(
    exc_type_name: str,
    message: str,
    exc: BaseException | None = None,
    *,
    node: str | None = None,
    retry_policy: Sequence[Any] | None = None,
    attempts: int | None = None,
    will_retry: bool = False,
) -> Classification:
    """Classify a failure by type name and message; with ``exc``, its class hierarchy counts too.

    ``node`` only personalises the suggestion (the RetryPolicy snippet names it). What
    is known of the node's retries shapes the suggestion, never the class:
    ``retry_policy``: the node's LangGraph ``RetryPolicy`` objects (``()``: it has none;
    None: not known); ``attempts``: attempts made, the failed one included (1-based);
    ``will_retry``: LangGraph is going to try again.
    """
    names = {exc_type_name.rsplit(".", 1)[-1]}
    if exc is not None:
        names |= {cls.__name__ for cls in type(exc).__mro__}
        status = _http_status(exc)
        if status is not None:
            # SDK errors carry the HTTP status as an attribute, not always in the message.
            message = f"{message} (HTTP {status})"
    rule, found = _UNKNOWN, None
    for candidate in RULES:
        matched = candidate.match(names, message)
        if matched is not False:
            rule, found = candidate, matched
            break
    text = rule.suggestion if isinstance(rule.suggestion, str) else rule.suggestion(found, node or "node")
    facts = _RetryFacts.of(exc_type_name.rsplit(".", 1)[-1], names, exc, retry_policy, attempts, will_retry)
    return Classification(rule.kind, facts.suggest(rule, text), rule.confidence, rule.name)


def classify_exception(
    exc: BaseException,
    *,
    node: str | None = None,
    retry_policy: Sequence[Any] | None = None,
    attempts: int | None = None,
    will_retry: bool = False,
) -> Classification:
    """``classify`` for a live exception."""
    return classify(
        type(exc).__name__, str(exc), exc, node=node, retry_policy=retry_policy, attempts=attempts, will_retry=will_retry
    )


def stored_error_fields(
    type_name: str,
    message: str,
    node: str | None,
    *,
    retry_policy: Sequence[Any] | None = None,
    attempts: int | None = None,
) -> dict[str, Any]:
    """The classification fields of ``ErrorInfo`` for an error read back from a store.

    ``{"classification": ..., "suggestion": ..., "confidence": ...}``, plain values in
    the order of ``ErrorInfo``'s fields, the same as a live error of that type and
    message gets. A store keeps neither the node's RetryPolicy nor the attempts made:
    pass them when known (a graph was supplied).
    """
    found = classify(type_name, message, node=node, retry_policy=retry_policy, attempts=attempts)
    return {"classification": found.kind, "suggestion": found.suggestion, "confidence": found.confidence}


def _http_status(exc: BaseException) -> int | None:
    for candidate in (getattr(exc, "status_code", None), getattr(getattr(exc, "response", None), "status_code", None)):
        if isinstance(candidate, int) and 100 <= candidate <= 599:
            return candidate
    return None


# -- what is known of the node's retries ---------------------------------------------------


def _retries(policy: Any, names: set[str], exc: BaseException | None) -> bool | None:
    """Whether ``policy`` retries this error, as LangGraph decides it; None when it cannot be told."""
    retry_on = getattr(policy, "retry_on", None)
    if isinstance(retry_on, type):
        classes: tuple[type, ...] = (retry_on,)
    elif isinstance(retry_on, Sequence) and not isinstance(retry_on, str):
        classes = tuple(c for c in retry_on if isinstance(c, type))
    elif callable(retry_on):
        if exc is None or not isinstance(exc, Exception):
            return None
        try:
            return bool(retry_on(exc))
        except Exception:  # noqa: BLE001 - the user's predicate
            return None
    else:
        return None
    if exc is not None:
        return isinstance(exc, classes)
    # Stored: only the type name; a subclass of a listed class cannot be told apart.
    return True if {c.__name__ for c in classes} & names else None


def _retry_on_text(policy: Any) -> str:
    retry_on = getattr(policy, "retry_on", None)
    if isinstance(retry_on, type):
        return retry_on.__name__
    if isinstance(retry_on, Sequence) and not isinstance(retry_on, str):
        return "(" + ", ".join(getattr(c, "__name__", str(c)) for c in retry_on) + ("," if len(retry_on) == 1 else "") + ")"
    return getattr(retry_on, "__name__", "a callable")


def _attempts(n: int | None) -> str:
    return "its attempts" if not n else "1 attempt" if n == 1 else f"{n} attempts"


def _policy_text(policy: Any) -> str:
    fields = ("max_attempts", "initial_interval", "backoff_factor", "max_interval")
    shown = ", ".join(f"{f}={getattr(policy, f)}" for f in fields if hasattr(policy, f))
    return f"RetryPolicy({shown}, retry_on={_retry_on_text(policy)})"


def _add_to_retry_on(policy: Any, type_name: str) -> str:
    retry_on = getattr(policy, "retry_on", None)
    if isinstance(retry_on, type):
        return f"retry_on=({retry_on.__name__}, {type_name})"
    if isinstance(retry_on, Sequence) and not isinstance(retry_on, str):
        return "retry_on=(" + ", ".join([*(getattr(c, "__name__", str(c)) for c in retry_on), type_name]) + ")"
    if getattr(retry_on, "__name__", None) == "default_retry_on":
        # Keep what LangGraph's default retries (connection errors, HTTP 5xx) too.
        return f"retry_on=lambda exc: isinstance(exc, {type_name}) or default_retry_on(exc)"
    return f"retry_on={type_name} (or a predicate that also returns True for it)"


@dataclass(frozen=True)
class _RetryFacts:
    """What the caller knows of the node's retries, and the suggestion that follows."""

    type_name: str
    policies: tuple[Any, ...] | None  # None: not known
    policy: Any  # the policy that applies to this error (or could), if any
    applies: bool | None  # does a policy of the node retry this error (None: cannot tell)
    attempts: int | None
    will_retry: bool

    @classmethod
    def of(
        cls,
        type_name: str,
        names: set[str],
        exc: BaseException | None,
        retry_policy: Sequence[Any] | None,
        attempts: int | None,
        will_retry: bool,
    ) -> _RetryFacts:
        policies = tuple(retry_policy) if retry_policy is not None else None
        policy, applies = None, None if policies is None else False
        for candidate in policies or ():
            verdict = _retries(candidate, names, exc)
            if verdict:
                policy, applies = candidate, True
                break
            if verdict is None and policy is None:
                policy, applies = candidate, None
        return cls(type_name, policies, policy, applies, attempts, will_retry)

    @property
    def retried(self) -> bool:
        """LangGraph retried (or is retrying) this error: the node has a policy that covers it."""
        return self.will_retry or (self.attempts or 0) > 1 or (self.applies is True and self.attempts is None)

    def _max_attempts(self) -> int | None:
        value = getattr(self.policy, "max_attempts", None)
        return value if isinstance(value, int) else None

    def suggest(self, rule: Rule, text: str) -> str:
        if rule.retry == "retry":
            return self._transient(text)
        if rule.retry == "maybe":
            return f"{text}; {self._maybe()}"
        if self.will_retry:
            return (
                f"{text} (LangGraph is retrying it under the node's RetryPolicy, which does not fix this kind of "
                f"error; keep retry_on to transient errors)"
            )
        if self.retried:
            made = _attempts(self.attempts) if self.attempts else "every attempt"
            return (
                f"{text} (the node's RetryPolicy retried it, and it failed on {made}: retrying does not fix this "
                f"kind of error; keep retry_on to transient errors)"
            )
        return text

    def _transient(self, snippet: str) -> str:
        t, maximum = self.type_name, self._max_attempts()
        if self.will_retry or (self.applies and self.attempts is not None and maximum and self.attempts < maximum):
            of = f" of {maximum}" if maximum else ""
            attempt = f"attempt {self.attempts}{of}" if self.attempts else "an attempt"
            return (
                f"transient: LangGraph is retrying it under the node's RetryPolicy ({attempt} failed); if every attempt "
                f"fails, raise max_attempts or wait longer between attempts (initial_interval, backoff_factor)"
            )
        if self.applies is True or (self.policies is None and self.retried):
            return f"transient: {self._exhausted()}"
        if self.applies is False and self.policies:
            policy = self.policies[0]
            return (
                f"transient, but the node's RetryPolicy does not retry {t}: its retry_on ({_retry_on_text(policy)}) "
                f"leaves it out; add it, e.g. {_add_to_retry_on(policy, t)}"
            )
        if self.applies is None and self.policy is not None:
            return (
                f"transient: the node has {_policy_text(self.policy)}; if it retries {t}, it gave up after "
                f"{_attempts(self.attempts or maximum)}: raise max_attempts or the backoff (initial_interval, "
                f"backoff_factor); if not, add {t} to its retry_on"
            )
        if self.policies == ():
            return snippet  # known to have no RetryPolicy
        if self.attempts == 1:
            # Not retried: no policy, or one whose retry_on leaves this error out.
            return f"{snippet}; if the node has a RetryPolicy already, add {t} to its retry_on"
        return f"{snippet}; if the node has a RetryPolicy already, its attempts ran out or its retry_on leaves {t} out"

    def _exhausted(self) -> str:
        maximum = self._max_attempts()
        made = self.attempts or maximum
        if self.policy is None:
            return (
                f"the node's RetryPolicy gave up after {_attempts(made)}: raise its max_attempts, or wait longer between "
                f"attempts (initial_interval, backoff_factor, max_interval); if it keeps failing, the service is down "
                f"or the quota is used up"
            )
        p = self.policy
        more = max(2 * (maximum or made or 1), (made or 0) + 2)
        return (
            f"the node's {_policy_text(p)} gave up after {_attempts(made)}: raise max_attempts (e.g. max_attempts={more}) "
            f"or wait longer between attempts (e.g. initial_interval={2 * getattr(p, 'initial_interval', 0.5):g}, "
            f"backoff_factor={getattr(p, 'backoff_factor', 2.0):g}, max_interval={getattr(p, 'max_interval', 128.0):g}); "
            f"if it keeps failing, the service is down or the quota is used up"
        )

    def _maybe(self) -> str:
        t = self.type_name
        if self.will_retry:
            return f"LangGraph is retrying it under the node's RetryPolicy (attempt {self.attempts or '?'} failed)"
        if self.retried:
            return f"the node's RetryPolicy already retried it ({_attempts(self.attempts)}): another try is unlikely to help"
        if self.applies is False and self.policies:
            return (
                f"if a model's structured output is invalid, a retry may get a valid answer: "
                f"{_add_to_retry_on(self.policies[0], t)} in the node's RetryPolicy"
            )
        return f"if a model's structured output is invalid, a RetryPolicy(retry_on={t}) may get a valid answer on the next try"
