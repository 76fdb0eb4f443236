"""The test server's checkpointer on PostgreSQL (``langgraph_pg.json``: ``"checkpointer": {"path": ...}``).

The in-memory runtime of ``langgraph dev`` enters ``make()`` once per thread that asks for a
checkpointer and closes it at shutdown (langgraph_api/_checkpointer/_adapter.py). The
database comes from the environment, set by the ``langgraph_pg_server`` fixture.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from langgraph.checkpoint.postgres.aio import AsyncPostgresSaver

DSN_ENV = "AGENT_DEBUG_TEST_SERVER_PG_DSN"


@asynccontextmanager
async def make() -> AsyncIterator[AsyncPostgresSaver]:
    async with AsyncPostgresSaver.from_conn_string(os.environ[DSN_ENV]) as saver:
        await saver.setup()
        yield saver
