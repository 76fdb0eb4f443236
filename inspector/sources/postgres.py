"""Reading a ``PostgresSaver`` database (langgraph-checkpoint-postgres 3.x) without writing to it.

LangGraph keeps a checkpoint as JSONB with primitive channel values (None, str, int,
float, bool) inline and every other value in ``checkpoint_blobs``, keyed by the
channel's version. Listing threads and history reads the JSONB maps and ids only;
blobs are fetched when a checkpoint's state is asked for (plus the small pending-Send
blob of a thread's latest checkpoint, which names the nodes that run next).

Read-only by construction: the session's default is ``default_transaction_read_only``
and every read runs in a ``BEGIN READ ONLY`` transaction, so the server itself refuses
writes, even through a pooler that drops session settings. Nothing here runs DDL.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Collection, Hashable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote, urlsplit

from agent_debug.inspector.decode import decode_structure, read_queued
from agent_debug.inspector.exceptions import StoreReadError, TargetError
from agent_debug.inspector.langgraph_names import TASKS
from agent_debug.inspector.sources.checkpoints import (
    group_sends,
    group_task_paths,
    CheckpointRow,
    Decoder,
    FullRow,
    HeadRow,
    StoreReader,
    WriteRow,
    json_kind,
    maps_problem,
    unreadable_head,
    why,
)
from agent_debug.inspector.targets import redact

if TYPE_CHECKING:
    import psycopg

    from agent_debug.inspector.model import NamespaceInfo

_T = TypeVar("_T")

CONNECT_TIMEOUT_S = 5
_TABLES = ("checkpoints", "checkpoint_blobs", "checkpoint_writes")
_INSTALL = "pip install 'agent-debug-tui[postgres]'"

# A JSONB value if it is an object, else an empty one.
_OBJ = "CASE WHEN jsonb_typeof({0}) = 'object' THEN {0} ELSE '{{}}'::jsonb END"

# The checkpoint's JSONB is taken apart once per head (``m``, kept from being inlined by
# OFFSET 0): each ``->`` on a TOASTed value detoasts and decompresses the whole of it
# again, and PostgresSaver keeps string values inline, so a head can be megabytes.
_HEADS_SQL = f"""
    WITH h AS (
        SELECT thread_id, max(checkpoint_id) AS cid, count(*) AS n
        FROM checkpoints WHERE checkpoint_ns = %(ns)s /*only*/ GROUP BY thread_id
    )
    SELECT c.thread_id, c.checkpoint_id, c.parent_checkpoint_id, c.metadata, m.versions, m.seen, m.inline,
           -- Channels whose value sits in a blob: a primary-key probe each, the blob itself unread.
           ARRAY(
               SELECT v.key FROM jsonb_each_text({_OBJ.format("m.versions")}) AS v
               WHERE NOT (v.key = ANY(m.inline)) AND EXISTS (
                   SELECT 1 FROM checkpoint_blobs b
                   WHERE b.thread_id = c.thread_id AND b.checkpoint_ns = c.checkpoint_ns
                     AND b.channel = v.key AND b.version = v.value AND b.type <> 'empty'
               )
           ),
           t.type, CASE WHEN octet_length(t.blob) <= %(small)s THEN t.blob END, octet_length(t.blob),
           m.versions ->> '{TASKS}', h.n
    FROM h
    JOIN checkpoints c
      ON c.thread_id = h.thread_id AND c.checkpoint_ns = %(ns)s AND c.checkpoint_id = h.cid
    CROSS JOIN LATERAL (
        SELECT x.body -> 'channel_versions' AS versions, x.body -> 'versions_seen' AS seen,
               ARRAY(SELECT jsonb_object_keys({_OBJ.format("x.body -> 'channel_values'")})) AS inline
        -- '{{}}' || body hands back body detoasted, so the three lookups above decompress nothing.
        FROM (SELECT '{{}}'::jsonb || c.checkpoint AS body OFFSET 0) AS x
    ) AS m
    -- Pending Sends are the one blob read here: they name nodes that run next. A large one
    -- (a Send carries its argument) is fetched apart, one at a time.
    LEFT JOIN checkpoint_blobs t
      ON t.thread_id = c.thread_id AND t.checkpoint_ns = c.checkpoint_ns
     AND t.channel = '{TASKS}' AND t.version = m.versions ->> '{TASKS}'
"""

_BLOBS_SQL = """
    SELECT b.channel, b.type, b.blob
    FROM jsonb_each_text(%(versions)s) AS v
    JOIN checkpoint_blobs b
      ON b.thread_id = %(tid)s AND b.checkpoint_ns = %(ns)s AND b.channel = v.key AND b.version = v.value
    WHERE b.type <> 'empty'
    ORDER BY b.channel
"""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


# A pending-Send blob up to this size comes with the listing's query; a larger one is
# fetched on its own and walked, its Sends' arguments skipped.
_SENDS_INLINE = 64 * 1024


def _sends(type_: str | None, blob: bytes | None) -> list[str]:
    """Target nodes of the pending Sends in a ``__pregel_tasks`` blob (read as a skeleton).

    Raises ValueError when the blob is damaged or not of a type LangGraph writes.
    """
    if type_ == "empty":
        return []
    if type_ not in ("msgpack", "json"):
        raise ValueError("no type (NULL)" if type_ is None else f"stored as {str(type_)[:40]!r}")
    if blob is None:
        raise ValueError("no data (the blob is NULL)")
    queued = read_queued(blob) if type_ == "msgpack" and len(blob) > _SENDS_INLINE else decode_structure(type_, blob)
    if not isinstance(queued, list):
        return []
    return [v["node"] for v in queued if isinstance(v, dict) and isinstance(v.get("node"), str)]


class _Dsn:
    """What a DSN says, and how to keep its password out of every message."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self.display = redact(dsn)
        secrets: set[str] = set()
        try:
            raw = urlsplit(dsn).password
        except ValueError:
            raw = None
        if raw:
            secrets |= {raw, unquote(raw)}
        secrets |= {m.group(1).strip("'\"") for m in re.finditer(r"password=([^\s&]+)", dsn)}
        self.params: dict[str, Any] = {}
        try:
            from psycopg.conninfo import conninfo_to_dict

            self.params = conninfo_to_dict(dsn)
        except Exception:
            pass  # a malformed DSN is reported by connect(), scrubbed
        if self.params.get("password"):
            secrets.add(str(self.params["password"]))
        # Longest first, so a secret that contains another is replaced whole.
        self._secrets = sorted((s for s in secrets if s), key=len, reverse=True)

    @property
    def host(self) -> str:
        return str(self.params.get("host") or os.environ.get("PGHOST") or "localhost")

    @property
    def port(self) -> str:
        return str(self.params.get("port") or os.environ.get("PGPORT") or "5432")

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    def scrub(self, text: str) -> str:
        """``text`` on one line with the DSN's password replaced by ``***``."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return " ".join(text.split())


def _reason(exc: Exception) -> str:
    """The server's or libpq's own reason, without psycopg's 'connection to server ... failed:' prefix."""
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    reason = first.rsplit(" failed: ", 1)[-1]
    return re.sub(r"^(FATAL|ERROR):\s+", "", reason).strip()


class PostgresReader(StoreReader):
    """Row access to a LangGraph PostgreSQL checkpoint database, read-only by construction."""

    def __init__(self, dsn: str) -> None:
        self._dsn = _Dsn(dsn)
        self.target = self._dsn.display
        try:
            import psycopg  # noqa: F401  (optional dependency)
        except ImportError:
            raise TargetError(f"reading a PostgreSQL store needs psycopg: {_INSTALL}") from None
        self._lock = threading.Lock()
        self._conn = self._connect()
        try:
            self._check_schema()
        except BaseException:
            self._conn.close()
            raise

    # -- connection ------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[tuple[Any, ...]]:
        import psycopg

        extra: dict[str, Any] = {}
        if "connect_timeout" not in self._dsn.params:
            extra["connect_timeout"] = CONNECT_TIMEOUT_S  # an unreachable host fails fast
        if "application_name" not in self._dsn.params:
            extra["application_name"] = "agent-debug"  # so a DBA can tell who is reading
        try:
            # prepare_threshold=None: no server-side prepared statements, which break
            # behind transaction-pooling PgBouncer; these queries are cheap to plan.
            conn = psycopg.connect(self._dsn.dsn, autocommit=True, prepare_threshold=None, **extra)
        except psycopg.Error as exc:
            raise TargetError(self._connect_error(exc)) from None
        try:
            conn.execute("SET default_transaction_read_only = on")
            conn.read_only = True  # our explicit transactions start as BEGIN READ ONLY
        except psycopg.Error as exc:
            conn.close()
            raise TargetError(f"cannot open {self.target} read-only: {self._dsn.scrub(_reason(exc))}") from None
        return conn

    def _connect_error(self, exc: psycopg.Error) -> str:
        import psycopg

        reason = self._dsn.scrub(_reason(exc))
        low = reason.lower()
        where = self._dsn.where
        if "authentication failed" in low:
            named = re.search(r'for user "(.+?)"', reason)
            user = named.group(1) if named else self._dsn.params.get("user") or os.environ.get("PGUSER")
            return f"authentication failed for user '{user}' at {where}: check the user and password in {self.target}"
        if "no password supplied" in low:
            return f"the server at {where} asks for a password and {self.target} gives none"
        if m := re.search(r'database "(.+)" does not exist', reason):
            return f"database '{m.group(1)}' does not exist on the PostgreSQL server at {where} ({self.target})"
        if m := re.search(r'role "(.+)" does not exist', reason):
            return f"user '{m.group(1)}' does not exist on the PostgreSQL server at {where} ({self.target})"
        if "connection refused" in low:
            return f"cannot connect to PostgreSQL at {where}: connection refused (is the server running and listening there?)"
        if "timeout expired" in low or "timed out" in low:
            timeout = self._dsn.params.get("connect_timeout") or CONNECT_TIMEOUT_S
            return f"cannot connect to PostgreSQL at {where}: no answer within {timeout} s"
        if "resolve host" in low or "translate host name" in low:
            return f"cannot connect to PostgreSQL at {where}: unknown host '{self._dsn.host}'"
        if isinstance(exc, psycopg.ProgrammingError):
            return f"invalid PostgreSQL DSN {self.target}: {reason}"
        return f"cannot connect to PostgreSQL at {where}: {reason}"

    def _check_schema(self) -> None:
        regs = ", ".join(f"to_regclass('{t}') IS NOT NULL" for t in _TABLES)
        present = self._query(f"SELECT {regs}")[0]
        if not all(present):
            raise TargetError(
                f"not a LangGraph checkpoint store: {self.target} has no "
                "'checkpoints', 'checkpoint_blobs' and 'checkpoint_writes' tables"
            )
        privs = ", ".join(f"has_table_privilege('{t}', 'SELECT')" for t in _TABLES)
        allowed = self._query(f"SELECT {privs}")[0]
        if not all(allowed):
            denied = ", ".join(f"'{t}'" for t, ok in zip(_TABLES, allowed, strict=True) if not ok)
            raise TargetError(f"cannot read {self.target}: the user may not SELECT from {denied}")
        # Stores made before langgraph-checkpoint-postgres added task_path lack the column.
        has_path = self._query(
            "SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'checkpoint_writes'::regclass "
            "AND attname = 'task_path' AND NOT attisdropped)"
        )[0][0]
        self._task_path = "w.task_path" if has_path else "''"

    def _transact(self, work: Callable[[psycopg.Connection[tuple[Any, ...]]], _T]) -> _T:
        """Run ``work`` in one read-only transaction, serialised for worker threads.

        Reads are idempotent, so when the session was lost (server restart, dropped
        network) the work is retried once on a new one instead of failing a poll.
        """
        import psycopg

        with self._lock:
            for attempt in (1, 2):
                try:
                    if self._conn.closed:
                        self._conn = self._connect()
                    with self._conn.transaction():
                        return work(self._conn)
                except TargetError as exc:
                    raise StoreReadError(f"reading {self.target} failed: {exc.message}") from None
                except psycopg.OperationalError as exc:
                    if attempt == 1 and self._conn.closed:
                        continue
                    raise StoreReadError(f"reading {self.target} failed: {self._dsn.scrub(_reason(exc))}") from exc
                except psycopg.Error as exc:
                    raise StoreReadError(f"reading {self.target} failed: {self._dsn.scrub(_reason(exc))}") from exc
        raise AssertionError("unreachable")

    def _query(self, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
        return self._transact(lambda conn: conn.execute(sql, params).fetchall())  # type: ignore[arg-type]

    # -- StoreReader ---------------------------------------------------------------

    def heads(self, namespace: str, thread_ids: Sequence[str] | None = None) -> list[HeadRow]:
        params: dict[str, Any] = {"ns": namespace, "small": _SENDS_INLINE}
        only = ""
        if thread_ids is not None:
            only = "AND thread_id = ANY(%(ids)s)"
            params["ids"] = list(thread_ids)
        out = []
        for tid, cid, parent, meta, versions, seen, inline, stored, t_type, t_blob, t_size, t_version, n in self._query(
            _HEADS_SQL.replace("/*only*/", only), params
        ):
            head = (tid, cid, parent, int(n), meta)
            problem = None
            if not isinstance(meta, dict):
                problem = f"latest checkpoint: metadata is {json_kind(meta)}, not an object"
            elif (wrong := maps_problem({}, versions, seen)) is not None:
                problem = f"latest checkpoint: {wrong}"
            if problem is None:
                if t_blob is None and t_size is not None:
                    t_blob = self._sends_blob(tid, namespace, t_version)
                try:
                    sends = _sends(t_type, t_blob) if t_type is not None or t_size is not None else []
                except Exception as exc:  # noqa: BLE001 - stored bytes: any failure is the row's
                    problem = f"latest checkpoint: its '{TASKS}' blob is not readable ({why(exc)})"
            if problem is not None:
                out.append(unreadable_head(*head, problem))
                continue
            out.append(
                HeadRow(
                    thread_id=tid,
                    checkpoint_id=cid,
                    parent_id=parent,
                    count=int(n),
                    metadata=meta,
                    channel_versions=versions,
                    versions_seen=seen,
                    available=frozenset(inline) | frozenset(stored),
                    pending_sends=sends,
                )
            )
        return out

    def _sends_blob(self, thread_id: str, namespace: str, version: str | None) -> bytes | None:
        rows = self._query(
            "SELECT blob FROM checkpoint_blobs WHERE thread_id = %s AND checkpoint_ns = %s AND channel = %s AND version = %s",
            (thread_id, namespace, TASKS, version),
        )
        return bytes(rows[0][0]) if rows and rows[0][0] is not None else None

    def rows(self, thread_id: str, namespace: str, limit: int | None, before: str | None) -> list[CheckpointRow]:
        sql = (
            "SELECT checkpoint_id, parent_checkpoint_id, metadata FROM checkpoints "
            "WHERE thread_id = %s AND checkpoint_ns = %s"
        )
        params: list[Any] = [thread_id, namespace]
        if before is not None:
            sql += " AND checkpoint_id < %s"
            params.append(before)
        # Same order (and collation) as PostgresSaver.list(), so pages agree with LangGraph.
        sql += " ORDER BY checkpoint_id DESC"
        if limit:
            sql += " LIMIT %s"
            params.append(limit)
        return [CheckpointRow(cid, parent, _dict(meta)) for cid, parent, meta in self._query(sql, params)]

    def rows_by_ids(self, thread_id: str, namespace: str, checkpoint_ids: Collection[str]) -> list[CheckpointRow]:
        if not checkpoint_ids:
            return []
        rows = self._query(
            "SELECT checkpoint_id, parent_checkpoint_id, metadata FROM checkpoints "
            "WHERE thread_id = %s AND checkpoint_ns = %s AND checkpoint_id = ANY(%s)",
            (thread_id, namespace, list(checkpoint_ids)),
        )
        return [CheckpointRow(cid, parent, _dict(meta)) for cid, parent, meta in rows]

    def count(self, thread_id: str, namespace: str) -> int:
        rows = self._query(
            "SELECT count(*) FROM checkpoints WHERE thread_id = %s AND checkpoint_ns = %s", (thread_id, namespace)
        )
        return int(rows[0][0])

    def newest_threads(self, namespace: str, limit: int) -> tuple[int, list[str]]:
        total = self._query("SELECT count(DISTINCT thread_id) FROM checkpoints WHERE checkpoint_ns = %s", (namespace,))
        newest = self._query(
            "SELECT thread_id FROM checkpoints WHERE checkpoint_ns = %s GROUP BY thread_id ORDER BY max(checkpoint_id) DESC LIMIT %s",
            (namespace, limit),
        )
        return int(total[0][0]), [r[0] for r in newest]

    def first_write(self, thread_id: str, namespace: str, channel: str) -> tuple[str | None, bytes | None] | None:
        rows = self._query(
            "SELECT type, blob FROM checkpoint_writes WHERE thread_id = %s AND checkpoint_ns = %s AND channel = %s "
            "ORDER BY checkpoint_id, task_id, idx LIMIT 1",
            (thread_id, namespace, channel),
        )
        return (rows[0][0], bytes(rows[0][1]) if rows[0][1] is not None else None) if rows else None

    def has_checkpoint(self, thread_id: str, namespace: str, checkpoint_id: str) -> bool:
        return bool(
            self._query(
                "SELECT 1 FROM checkpoints WHERE thread_id = %s AND checkpoint_ns = %s AND checkpoint_id = %s",
                (thread_id, namespace, checkpoint_id),
            )
        )

    def ids_named_by(self, thread_id: str, namespace: str, text: str, limit: int) -> list[str]:
        # left/right, not LIKE: no wildcards (_ %) to escape. The primary key's index
        # narrows the scan to the thread's ids.
        rows = self._query(
            "SELECT checkpoint_id FROM checkpoints WHERE thread_id = %(t)s AND checkpoint_ns = %(ns)s"
            " AND (left(checkpoint_id, %(n)s) = %(text)s OR right(checkpoint_id, %(n)s) = %(text)s)"
            " ORDER BY checkpoint_id DESC LIMIT %(limit)s",
            {"t": thread_id, "ns": namespace, "n": len(text), "text": text, "limit": limit},
        )
        return [r[0] for r in rows]

    def checkpoint(self, thread_id: str, namespace: str, checkpoint_id: str | None, decode: Decoder) -> FullRow | None:
        from psycopg.types.json import Jsonb

        sql = (
            "SELECT checkpoint_id, parent_checkpoint_id, metadata, checkpoint FROM checkpoints "
            "WHERE thread_id = %s AND checkpoint_ns = %s"
        )
        params: list[Any] = [thread_id, namespace]
        if checkpoint_id is None:
            sql += " ORDER BY checkpoint_id DESC LIMIT 1"
        else:
            sql += " AND checkpoint_id = %s"
            params.append(checkpoint_id)

        def read(conn: psycopg.Connection[tuple[Any, ...]]) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]] | None:
            row = conn.execute(sql, params).fetchone()
            if row is None:
                return None
            versions = _dict(_dict(row[3]).get("channel_versions"))
            blobs = conn.execute(_BLOBS_SQL, {"versions": Jsonb(versions), "tid": thread_id, "ns": namespace})
            return row, blobs.fetchall()

        found = self._transact(read)
        if found is None:
            return None
        (cid, parent, meta, body), blobs = found
        body = _dict(body)
        versions = _dict(body.get("channel_versions"))
        # Inline primitives are already plain; a blob wins over an inline marker
        # (a DeltaChannel snapshot leaves `true` inline with its value in the blob).
        values = dict(_dict(body.get("channel_values")))
        for channel, type_, blob in blobs:
            try:
                values[channel] = decode(type_, blob)
            except Exception as exc:
                raise StoreReadError(
                    f"cannot decode channel '{channel}' of checkpoint {cid}: {type(exc).__name__}: {exc}"
                ) from exc
        return FullRow(
            checkpoint_id=cid,
            parent_id=parent,
            metadata=_dict(meta),
            channel_values=values,
            channel_versions=versions,
            versions_seen=_dict(body.get("versions_seen")),
        )

    def _keyed(
        self, select: str, namespace: str, keys: Collection[tuple[str, str]], tail: str = "", **params: Any
    ) -> list[tuple[Any, ...]]:
        """Run ``select`` over the writes at each (thread_id, checkpoint_id) key."""
        unique = sorted(set(keys))
        sql = f"""
            SELECT {select}
            FROM unnest(%(t)s::text[], %(c)s::text[]) AS k(t, c)
            JOIN checkpoint_writes w
              ON w.thread_id = k.t AND w.checkpoint_ns = %(ns)s AND w.checkpoint_id = k.c
            {tail}
        """
        return self._query(sql, {"t": [t for t, _ in unique], "c": [c for _, c in unique], "ns": namespace, **params})

    def writes(
        self, namespace: str, keys: Collection[tuple[str, str]], value_channels: Collection[str] | None
    ) -> list[WriteRow]:
        if not keys:
            return []
        params: dict[str, Any] = {}
        if value_channels is None:
            value_sql = "w.blob"
        else:
            # Other channels' values are left in the table (TOASTed values are never read).
            value_sql = "CASE WHEN w.channel = ANY(%(vc)s) THEN w.blob END"
            params["vc"] = list(value_channels)
        rows = self._keyed(
            f"w.thread_id, w.checkpoint_id, w.task_id, {self._task_path}, w.idx, w.channel, w.type, {value_sql}",
            namespace,
            keys,
            "ORDER BY w.thread_id, w.checkpoint_id, w.task_id, w.idx",
            **params,
        )
        return [WriteRow(*r) for r in rows]

    def task_paths(self, namespace: str, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
        if not keys:
            return {}
        return group_task_paths(
            self._keyed(
                f"w.thread_id, w.checkpoint_id, min({self._task_path})", namespace, keys,
                "GROUP BY w.thread_id, w.checkpoint_id, w.task_id",
            )
        )

    def sends(self, namespace: str, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], list[str | None]]:
        if not keys:
            return {}
        return group_sends(
            self._keyed(
                "w.thread_id, w.checkpoint_id, w.type, w.blob", namespace, keys,
                f"WHERE w.channel = %(tasks)s ORDER BY w.thread_id, w.checkpoint_id, {self._task_path}, w.task_id, w.idx",
                tasks=TASKS,
            )
        )

    def namespaces(self, thread_id: str) -> list[NamespaceInfo]:
        from agent_debug.inspector.model import NamespaceInfo

        rows = self._query(
            "SELECT checkpoint_ns, count(*), max(checkpoint_id) FROM checkpoints WHERE thread_id = %s "
            "GROUP BY checkpoint_ns ORDER BY checkpoint_ns",
            (thread_id,),
        )
        return [NamespaceInfo(namespace=ns, checkpoint_count=int(n), latest_checkpoint_id=cid) for ns, n, cid in rows]

    def change_token(self) -> Hashable:
        # The current snapshot (xmin:xmax:in-progress xids) changes whenever any
        # transaction that wrote something ends: a commit either leaves the in-progress
        # list or pushes xmax past its xid. So every commit adding checkpoints or writes
        # changes it. It is O(1) (no table is read, unlike max(checkpoint_id), which
        # has no index across threads, or count(*)); it works in a read-only
        # transaction and on a hot standby (pg_current_wal_lsn() fails there, and moves
        # with hint-bit and vacuum WAL, even from our own reads); and our reads never
        # change it, since a read-only transaction gets no xid. Writes elsewhere in the
        # cluster change it too: that costs a needless refresh, never a missed one.
        fn = "pg_current_snapshot" if self._server_version >= 130000 else "txid_current_snapshot"
        return self._query(f"SELECT {fn}()::text")[0][0]

    @property
    def _server_version(self) -> int:
        return int(self._conn.info.server_version)

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def stats_rows(
    reader: PostgresReader, thread_ids: Sequence[str], value_channels: Collection[str], marker: bytes
) -> tuple[list[tuple[str, str, CheckpointRow]], list[tuple[str, WriteRow]]]:
    """Every checkpoint and write of the given threads in one transaction of two queries
    (``agent-debug stats``): (thread, namespace, row) and (namespace, write), each thread's
    in the order ``rows`` and ``writes`` return them. A write's value is read only for
    ``value_channels`` or when its bytes hold ``marker``; no checkpoint JSONB nor blob is read."""
    params = {"ids": list(thread_ids), "vc": list(value_channels), "marker": marker}
    checkpoint_sql = (
        "SELECT thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, metadata FROM checkpoints"
        " WHERE thread_id = ANY(%(ids)s) ORDER BY thread_id, checkpoint_ns, checkpoint_id DESC"
    )
    write_sql = (
        f"SELECT w.thread_id, w.checkpoint_ns, w.checkpoint_id, w.task_id, {reader._task_path}, w.idx, w.channel, w.type,"
        " CASE WHEN w.channel = ANY(%(vc)s) OR position(%(marker)s::bytea IN w.blob) > 0 THEN w.blob END"
        " FROM checkpoint_writes w WHERE w.thread_id = ANY(%(ids)s)"
        " ORDER BY w.thread_id, w.checkpoint_ns, w.checkpoint_id, w.task_id, w.idx"
    )

    def read(conn: psycopg.Connection[tuple[Any, ...]]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
        return conn.execute(checkpoint_sql, params).fetchall(), conn.execute(write_sql, params).fetchall()

    checkpoints, writes = reader._transact(read)
    return (
        [(t, ns, CheckpointRow(cid, parent, _dict(meta))) for t, ns, cid, parent, meta in checkpoints],
        [(ns, WriteRow(t, cid, task, path, idx, channel, type_, value)) for t, ns, cid, task, path, idx, channel, type_, value in writes],
    )
