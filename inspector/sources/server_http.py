"""Plain HTTP to a LangGraph server (``langgraph dev``, the Agent Server, LangGraph Platform).

The read commands must stay fast, and ``import langgraph_sdk`` alone costs more than a
whole listing, so the server source speaks the API through httpx and orjson. Two rules
the SDK does not keep:

- **Credentials go only where the user sent them.** The key is ``--api-key``, else
  ``LANGGRAPH_API_KEY``, else ``LANGSMITH_API_KEY``; it is sent as ``x-api-key`` to the
  TARGET the user named and nowhere else, and every key and ``--header`` value is
  registered with ``targets.scrub`` so no output shows it.
- **A server that is down fails at once.** No retries, a 2 s connect timeout: one line
  (``TargetError``), not a 7 s wait.

Every failure is one line: unreachable, timed out, refused (401/403), not found (404 →
``NotFoundError``), a server error (5xx, the server's own message shown). The client
keeps no state between requests, so it recovers from a 500 by itself.
"""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import orjson

from agent_debug.inspector.exceptions import InspectorError, NotFoundError, TargetError
from agent_debug.inspector.server_options import KEY_HEADER, ServerOptions, options


def _import_httpx() -> Any:
    """httpx, without the command-line client it imports for ``httpx.main`` (click and
    rich: 70 ms, and the inspector loads no UI library). A ``None`` in ``sys.modules``
    makes that one import fail, which httpx expects; the entry is removed afterwards."""
    if "httpx" in sys.modules:
        return sys.modules["httpx"]
    blocked = "httpx._main" not in sys.modules
    if blocked:
        sys.modules["httpx._main"] = None  # type: ignore[assignment]
    try:
        import httpx
    finally:
        if blocked:
            del sys.modules["httpx._main"]
    return httpx


httpx = _import_httpx()

CONNECT_TIMEOUT = 2.0
"""Seconds to wait for the server to accept a connection: a server that is down fails fast."""
def base_url(target: str) -> str:
    """The server's base URL from TARGET (a trailing slash dropped; a path prefix kept)."""
    parts = urlsplit(target)
    if not parts.hostname:
        raise TargetError(f"not a server URL: {display(target)} (use http://host:port)")
    if parts.query or parts.fragment:
        raise TargetError(f"a server URL takes no ?query or #fragment: {display(target)}")
    return target.rstrip("/")


def display(target: str) -> str:
    """TARGET safe to print: no user:password in it."""
    parts = urlsplit(target)
    if parts.username or parts.password:
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        return parts._replace(netloc=host).geturl()
    return target


class ServerError(InspectorError):
    """The server answered with an error (a 5xx, or a 4xx that is not ours to name)."""


class ServerClient:
    """One server: JSON requests and server-sent event streams, each failure one line."""

    def __init__(self, target: str, opts: ServerOptions | None = None) -> None:
        self.url = base_url(target)
        self.shown = display(self.url)
        opts = opts or options()
        headers = {"accept": "application/json", "user-agent": "agent-debug"}
        headers.update(opts.headers)
        key = opts.key()
        if key:
            headers[KEY_HEADER] = key
        parts = urlsplit(self.url)
        auth = (parts.username or "", parts.password or "") if parts.username else None
        self.timeout = opts.timeout
        self._http = httpx.Client(
            base_url=self.url,
            headers=headers,
            auth=auth,
            timeout=httpx.Timeout(opts.timeout, connect=CONNECT_TIMEOUT),
            # No TLS on http://: no certificate bundle to load (80 ms of start-up).
            transport=httpx.HTTPTransport(retries=0, verify=parts.scheme == "https"),
            follow_redirects=False,
            trust_env=False,  # no proxy from the environment between us and a loopback server
        )

    # -- requests -------------------------------------------------------------------------

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET ``path`` and decode its JSON."""
        return self._json("GET", path, params=params)

    def post(self, path: str, body: Any = None, *, params: Mapping[str, Any] | None = None) -> Any:
        """POST ``body`` (JSON) to ``path`` and decode the answer."""
        return self._json("POST", path, body=body, params=params)

    def patch(self, path: str, body: Any = None) -> Any:
        """PATCH ``body`` to ``path``."""
        return self._json("PATCH", path, body=body)

    def _json(self, method: str, path: str, *, params: Mapping[str, Any] | None = None, body: Any = None, timeout: float | None = None) -> Any:
        content = orjson.dumps(body) if body is not None else None
        headers = {"content-type": "application/json"} if content is not None else None
        try:
            response = self._http.request(method, path, params=params, content=content, headers=headers, timeout=timeout or httpx.USE_CLIENT_DEFAULT)
        except httpx.HTTPError as exc:
            raise self._unreachable(exc) from None
        self._check(response, path)
        if not response.content:
            return None
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise ServerError(f"{self.shown}{path} answered with something that is not JSON: is this a LangGraph server?") from None

    def stream(self, method: str, path: str, body: Any = None, *, params: Mapping[str, Any] | None = None) -> Iterator[tuple[str, Any]]:
        """Server-sent events of ``path``: ``(event, data)`` pairs, data decoded from JSON.

        The read timeout does not apply between events: a run may think for minutes."""
        yield from self.open_stream(method, path, body, params=params).events()

    def open_stream(
        self, method: str, path: str, body: Any = None, *, params: Mapping[str, Any] | None = None, on_open: Callable[[], None] | None = None
    ) -> EventStream:
        """The stream of ``path`` as an ``EventStream``, which another thread can close."""
        return EventStream(self, method, path, body, params=params, on_open=on_open)

    # -- failures, one line each -------------------------------------------------------------

    def _unreachable(self, exc: httpx.HTTPError) -> InspectorError:
        if isinstance(exc, httpx.ConnectTimeout):
            return TargetError(f"cannot reach the LangGraph server at {self.shown}: no answer within {CONNECT_TIMEOUT:g} s")
        if isinstance(exc, httpx.TimeoutException):
            return TargetError(f"the LangGraph server at {self.shown} did not answer within {self.timeout:g} s (--timeout SECONDS)")
        if isinstance(exc, httpx.ConnectError):
            reason = str(exc).split("] ")[-1] or "connection refused"
            return TargetError(f"cannot reach the LangGraph server at {self.shown}: {reason} (is it running?)")
        if isinstance(exc, httpx.RemoteProtocolError):
            return TargetError(f"{self.shown} closed the connection without an HTTP answer: is this a LangGraph server?")
        return TargetError(f"cannot talk to the LangGraph server at {self.shown}: {type(exc).__name__}")

    def _check(self, response: httpx.Response, path: str) -> None:
        status = response.status_code
        if status < 400:
            return
        detail = _detail(response)
        if status in (401, 403):
            hint = "give a key with --api-key or LANGGRAPH_API_KEY, or a header with --header NAME=VALUE"
            raise TargetError(f"the LangGraph server at {self.shown} refused the request ({status} {response.reason_phrase}): {hint}")
        if status == 404:
            if not detail or detail.lower() == "not found":  # the web framework's, not the API's
                raise NotFoundError(f"{self.shown}{path} was not found: is this a LangGraph server, and is the URL's path right?")
            raise NotFoundError(detail)
        if status == 422 or status == 400:
            raise ServerError(f"the server refused the request ({status}): {detail or response.reason_phrase}")
        if status == 409:
            raise ServerError(f"the server refused the request (409 conflict): {detail or 'the thread is busy'}")
        raise ServerError(f"the LangGraph server at {self.shown} failed ({status} {response.reason_phrase}){': ' + detail if detail else ''}; see the server's log")

    def close(self) -> None:
        """Close the connections."""
        self._http.close()


class EventStream:
    """One server-sent event stream that another thread can end at once (``close``): only
    shutting its socket wakes a read that waits for the next event."""

    def __init__(
        self,
        client: ServerClient,
        method: str,
        path: str,
        body: Any = None,
        *,
        params: Mapping[str, Any] | None = None,
        on_open: Callable[[], None] | None = None,
    ) -> None:
        self._client = client
        self._method = method
        self._path = path
        self._body = body
        self._params = dict(params or {})
        self._on_open = on_open
        self._lock = threading.Lock()
        self._response: httpx.Response | None = None
        self.closed = False

    def events(self) -> Iterator[tuple[str, Any]]:
        """``(event, data)`` pairs until the stream ends or is closed."""
        client = self._client
        headers = {"accept": "text/event-stream"}
        content = None
        if self._body is not None:
            content = orjson.dumps(self._body)
            headers["content-type"] = "application/json"
        # No read timeout: a run may think for minutes between two events.
        timeout = httpx.Timeout(None, connect=CONNECT_TIMEOUT)
        request = client._http.build_request(self._method, self._path, params=self._params, content=content, headers=headers, timeout=timeout)
        try:
            response = client._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise client._unreachable(exc) from None
        with self._lock:
            self._response = response
            closed = self.closed
        try:
            if closed:
                return
            if response.status_code >= 400:
                response.read()
                client._check(response, self._path)
            if self._on_open is not None:
                self._on_open()
            yield from _sse(response.iter_lines())
        except httpx.HTTPError as exc:
            if not self.closed:
                raise client._unreachable(exc) from None
        finally:
            response.close()

    def close(self) -> None:
        """End the stream now, from any thread."""
        with self._lock:
            self.closed = True
            response = self._response
        if response is None:
            return
        stream = response.extensions.get("network_stream")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # closed already


def _detail(response: httpx.Response) -> str:
    """The server's one-line reason for an error, if it gave one."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return response.text.strip().splitlines()[0][:200] if response.text.strip() else ""
    if isinstance(body, dict):
        for key in ("detail", "message", "error"):
            value = body.get(key)
            if isinstance(value, str):
                return value.splitlines()[0][:300] if value else ""
    return ""


def _sse(lines: Iterator[str]) -> Iterator[tuple[str, Any]]:
    """Parse a text/event-stream: ``(event, data)`` per event, data as JSON when it is."""
    event, data = "message", []
    for line in lines:
        if not line:
            if data:
                raw = "\n".join(data)
                try:
                    value = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    value = raw
                yield event, value
            event, data = "message", []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
    if data:
        try:
            yield event, orjson.loads("\n".join(data))
        except orjson.JSONDecodeError:
            yield event, "\n".join(data)
