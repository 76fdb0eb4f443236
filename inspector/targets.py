"""Turning a TARGET on the command line into a ``Source``, and keeping its secrets out of sight.

TARGET is a SQLite path or ``sqlite:///path``, a PostgreSQL DSN (a ``postgresql://`` URL
or libpq's keyword form ``host=db port=5432 password='…'``), a recording, or a LangGraph
server (``http(s)://host[:port][/prefix]``). Everything
opens read-only; acting verbs ask for write access explicitly.

DSNs are read by libpq's own rules (``PQconninfoParse``, through psycopg when it is
installed): spaces around ``=``, single-quoted values with backslash escapes, the last
of a repeated keyword winning. The keyword form is tokenized here without psycopg, so
a DSN is recognised (and never taken for a file name) and redacted on installs
without the ``postgres`` extra too.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from agent_debug.inspector.exceptions import TargetError
from agent_debug.inspector.server_options import is_server_url
from agent_debug.inspector.server_options import options as server_options
from agent_debug.inspector.sources.base import Source

_PG_SCHEMES = ("postgresql://", "postgres://")
MASK = "***"
# libpq's connection keywords (PostgreSQL 18); psycopg's libpq adds any newer ones.
_KEYWORDS = frozenset(
    """application_name channel_binding client_encoding connect_timeout dbname
    fallback_application_name gssdelegation gssencmode gsslib host hostaddr keepalives
    keepalives_count keepalives_idle keepalives_interval krbsrvname load_balance_hosts
    max_protocol_version min_protocol_version oauth_client_id oauth_client_secret
    oauth_issuer oauth_scope options passfile password port replication require_auth
    requirepeer requiressl scram_client_key scram_server_key service
    ssl_max_protocol_version ssl_min_protocol_version sslcert sslcertmode sslcompression
    sslcrl sslcrldir sslkey sslkeylogfile sslmode sslnegotiation sslpassword sslrootcert
    sslsni target_session_attrs tcp_user_timeout user""".split()
)
# Keywords whose value is a secret: never shown, never echoed.
SECRET_KEYWORDS = frozenset({"password", "sslpassword", "oauth_client_secret", "scram_client_key", "scram_server_key"})
# Environment variables libpq takes a secret from.
_SECRET_ENV = ("PGPASSWORD",)
# C isspace() in libpq's parser; Python's str.isspace() also knows Unicode spaces.
_SPACE = " \t\n\v\f\r"
_LOOKS_KEYWORD = re.compile(r"(?:^|[ \t\n\v\f\r])(" + "|".join(sorted(_KEYWORDS)) + r")[ \t\n\v\f\r]*=")


class DsnSyntaxError(ValueError):
    """A keyword DSN libpq would reject; the message never quotes a value.

    ``at`` is where parsing stopped: past it, no telling a value from a keyword.
    """

    def __init__(self, message: str, at: int = 0) -> None:
        super().__init__(message)
        self.at = at


@dataclass(frozen=True)
class _Pair:
    keyword: str
    value: str
    start: int  # where the keyword starts
    value_start: int  # where the value's text starts (its opening quote included)
    end: int  # just after the value's text


@functools.cache
def _known_keywords() -> frozenset[str]:
    try:
        from psycopg import pq

        return _KEYWORDS | {d.keyword.decode() for d in pq.Conninfo.get_defaults()}
    except Exception:  # psycopg missing, or a libpq without PQconndefaults
        return _KEYWORDS


def _tokens(text: str) -> Iterator[_Pair]:
    """libpq's ``conninfo_parse`` as a generator; raises DsnSyntaxError (with ``.at``) where it stops."""
    i, n = 0, len(text)
    while i < n:
        if text[i] in _SPACE:
            i += 1
            continue
        start = i
        while i < n and text[i] != "=" and text[i] not in _SPACE:
            i += 1
        keyword = text[start:i]
        while i < n and text[i] in _SPACE:
            i += 1
        if i >= n or text[i] != "=":
            raise DsnSyntaxError("a keyword without '=' (quote values that hold spaces: password='two words')", start)
        i += 1
        while i < n and text[i] in _SPACE:
            i += 1
        value_start = i
        chars: list[str] = []
        if i < n and text[i] == "'":
            i += 1
            while True:
                if i >= n:
                    raise DsnSyntaxError("an unterminated quoted value", value_start)
                if text[i] == "\\":
                    i += 1
                    if i < n:
                        chars.append(text[i])
                        i += 1
                    continue
                if text[i] == "'":
                    i += 1
                    break
                chars.append(text[i])
                i += 1
            end = i
        else:
            while i < n and text[i] not in _SPACE:
                if text[i] == "\\":
                    i += 1
                    if i < n:
                        chars.append(text[i])
                        i += 1
                else:
                    chars.append(text[i])
                    i += 1
            end = i
        yield _Pair(keyword, "".join(chars), start, value_start, end)


def parse_keywords(text: str) -> dict[str, str]:
    """A keyword-form DSN as libpq reads it (``{keyword: value}``, the last repeat winning).

    Raises DsnSyntaxError on what libpq refuses: a missing ``=``, an unterminated quote,
    an unknown keyword. The message names an unknown keyword only when no secret comes
    before it (after a password it may be the rest of an unquoted password).
    """
    known = _known_keywords()
    params: dict[str, str] = {}
    secret_seen = False
    for pair in _tokens(text):
        if pair.keyword not in known:
            if secret_seen or not pair.keyword:
                raise DsnSyntaxError("an unknown keyword after a secret (quote a password that holds spaces: password='…')")
            raise DsnSyntaxError(f"unknown keyword '{pair.keyword}' (keywords are lowercase: host, port, dbname, user, password, …)")
        secret_seen = secret_seen or pair.keyword in SECRET_KEYWORDS
        if pair.keyword == "requiressl":  # libpq's old spelling of sslmode=require
            params["sslmode"] = "require" if pair.value.startswith("1") else "prefer"
        else:
            params[pair.keyword] = pair.value
    return params


def is_url_dsn(target: str) -> bool:
    """True for a ``postgresql://`` or ``postgres://`` URL."""
    return target.startswith(_PG_SCHEMES)


def is_keyword_dsn(target: str) -> bool:
    """True when TARGET is written in libpq's keyword form (it names a libpq keyword then ``=``).

    Such a string is never a file name to us: a typo in it must not create ``host=… password=….db``.
    """
    return "://" not in target.split("=", 1)[0] and _LOOKS_KEYWORD.search(target) is not None


def is_dsn(target: str) -> bool:
    """True when TARGET is a PostgreSQL DSN, in either form."""
    return is_url_dsn(target) or is_keyword_dsn(target)


def check_dsn(target: str) -> None:
    """Refuse a keyword DSN libpq would refuse, with a message that quotes no secret."""
    if not is_keyword_dsn(target):
        return
    try:
        parse_keywords(target)
    except DsnSyntaxError as exc:
        raise TargetError(f"invalid PostgreSQL DSN {redact(target)}: {exc}") from None


def _redact_keywords(text: str) -> str:
    known = _known_keywords()
    out: list[str] = []
    last = 0
    secret_seen = False
    try:
        for pair in _tokens(text):
            if pair.keyword in SECRET_KEYWORDS:
                out.append(text[last : pair.value_start] + MASK)
                secret_seen = True
            elif pair.keyword not in known:
                # Perhaps the rest of an unquoted password, perhaps a typo of one: hide its value,
                # and its name too when a secret came before it.
                out.append(text[last : pair.start] + (MASK if secret_seen else text[pair.start : pair.value_start] + MASK))
            elif pair.keyword == "dbname" and is_dsn(pair.value):
                out.append(text[last : pair.value_start] + "'" + redact(pair.value).replace("\\", "\\\\").replace("'", "\\'") + "'")
            else:
                out.append(text[last : pair.end])
            last = pair.end
    except DsnSyntaxError as exc:
        # Past a syntax error there is no telling a value from a keyword: hide all of it.
        out.append(text[last : exc.at] + MASK)
        return "".join(out)
    out.append(text[last:])
    return "".join(out)


def _redact_url(url: str) -> str:
    scheme, rest = url.split("://", 1)
    before_query, sep, query = rest.partition("?")
    # libpq ends the user part at the first '@' or '/'; a password holding an unencoded '/'
    # or '@' is still hidden whole by taking the last '@' before the query.
    at = before_query.rfind("@")
    if at >= 0:
        userinfo, hostpart = before_query[:at], before_query[at:]
        if ":" in userinfo:
            userinfo = userinfo.split(":", 1)[0] + ":" + MASK
        before_query = userinfo + hostpart
    if sep:
        params = []
        for item in query.split("&"):
            key, eq, value = item.partition("=")
            if unquote(key) in SECRET_KEYWORDS and eq:
                item = f"{key}={MASK}"
            elif unquote(key) == "dbname" and is_dsn(unquote(value)):
                item = f"{key}={MASK}"
            params.append(item)
        query = "&".join(params)
    return f"{scheme}://{before_query}{sep}{query}"


def redact(target: str) -> str:
    """TARGET safe to print: every secret of a DSN replaced by ``***``; anything else unchanged."""
    if is_url_dsn(target):
        return _redact_url(target)
    if is_keyword_dsn(target):
        return _redact_keywords(target)
    if "://" in target and not target.startswith("sqlite:"):
        return _redact_url(target)  # a server URL, or a misspelt scheme, may carry user:password@ too
    return target


def secrets(target: str, *, env: dict[str, str] | None = None) -> list[str]:
    """The secrets TARGET (and libpq's environment) holds, longest first, for scrubbing free text.

    Words of four or more characters of each secret are included too: libpq may quote
    the part of an unquoted password that follows a space.
    """
    found: set[str] = set()
    if is_url_dsn(target):
        rest = target.split("://", 1)[1]
        before_query, _, query = rest.partition("?")
        at = before_query.rfind("@")
        if at >= 0 and ":" in before_query[:at]:
            raw = before_query[:at].split(":", 1)[1]
            found |= {raw, unquote(raw)}
        for item in query.split("&"):
            key, eq, value = item.partition("=")
            if eq and unquote(key) in SECRET_KEYWORDS:
                found |= {value, unquote(value)}
    elif is_keyword_dsn(target):
        secret_seen = False
        try:
            for pair in _tokens(target):
                # After a secret, an unknown keyword may be the rest of an unquoted password.
                trailing = secret_seen and pair.keyword not in _known_keywords()
                if pair.keyword in SECRET_KEYWORDS or trailing:
                    found |= {pair.value, target[pair.value_start : pair.end]}
                    if trailing:
                        found.add(pair.keyword)
                    secret_seen = True
        except DsnSyntaxError as exc:
            found.add(target[exc.at :].strip(_SPACE))
    elif is_server_url(target):
        rest = target.split("://", 1)[1].split("/", 1)[0]
        at = rest.rfind("@")
        if at >= 0 and ":" in rest[:at]:
            raw = rest[:at].split(":", 1)[1]
            found |= {raw, unquote(raw)}
    environ = os.environ if env is None else env
    found |= {environ[name] for name in _SECRET_ENV if environ.get(name)}
    found |= set(server_options().secrets())  # a server's key and --header values (set by the CLI)
    words = {w for s in found for w in re.split(r"[\s'\"=&]+", s) if len(w) >= 4}
    return sorted((s for s in found | words if s), key=len, reverse=True)


def scrub(text: str, target: str | None) -> str:
    """``text`` with TARGET's secrets (and libpq's environment password) replaced by ``***``."""
    for secret in secrets(target or ""):
        text = text.replace(secret, MASK)
    return text


def sqlite_path(target: str) -> Path | None:
    """The file a SQLite TARGET names, or None when TARGET is not SQLite (a DSN never is)."""
    if target.startswith("sqlite:"):
        rest = target[len("sqlite:") :]
        # sqlite:///abs/path and sqlite:///rel/path follow SQLAlchemy: three slashes then the path.
        if rest.startswith("///"):
            return Path(unquote(rest[3:]) or ".")
        return Path(unquote(rest.lstrip("/")))
    if "://" in target or is_keyword_dsn(target):
        return None
    return Path(target)


def runs_of(graph_ref: str) -> Path:
    """The store a GRAPH_REF TARGET names: the embedded store ``run`` writes to, which must
    exist (a ``TargetError`` saying how to start a run otherwise)."""
    from agent_debug.inspector.paths import default_run_store

    store = default_run_store()
    if not store.exists():
        raise TargetError(f"no runs of {graph_ref} yet ({store} does not exist); start one with: agent-debug run {graph_ref}")
    return store


def open_source(target: str, *, writes_too: bool = False) -> Source:
    """Open TARGET read-only; a ``TargetError`` with one clear line if it cannot be.

    ``writes_too``: this process also writes TARGET (an acting store): see ``sqlite_file``.
    """
    if is_dsn(target):
        check_dsn(target)
        from agent_debug.inspector.sources.checkpoints import CheckpointSource
        from agent_debug.inspector.sources.postgres import PostgresReader

        return CheckpointSource(PostgresReader(target))
    if target.endswith(".ndjson"):
        if not Path(target).exists():
            raise TargetError(f"no such recording: {target}")
        from agent_debug.inspector.sources.recording import RecordingSource

        return RecordingSource(target)
    if is_server_url(target):
        from agent_debug.inspector.sources.server import ServerSource

        return ServerSource(target)
    from agent_debug.inspector.paths import is_graph_ref

    if is_graph_ref(target):
        # A graph's runs are in the embedded store `run` writes; reading them needs no graph code.
        store = runs_of(target)
        from agent_debug.inspector.sources.checkpoints import CheckpointSource
        from agent_debug.inspector.sources.sqlite import SqliteReader

        return CheckpointSource(SqliteReader(store, display=str(store), writes_too=writes_too))
    path = sqlite_path(target)
    if path is None:
        scheme = target.split("://", 1)[0]
        raise TargetError(
            f"unknown target scheme '{scheme}://' in {redact(target)} "
            "(use a SQLite path, sqlite:///PATH or postgresql://...)"
        )
    from agent_debug.inspector.sources.checkpoints import CheckpointSource
    from agent_debug.inspector.sources.sqlite import SqliteReader

    return CheckpointSource(SqliteReader(path, display=target, writes_too=writes_too))

