"""The first page of threads, read while the app is still starting.

``agent-debug attach`` spends most of its first half second importing and composing the
app; the store's first page of threads (its newest ``FIRST_THREADS``) does not need the
app. ``FirstPage.start`` reads it in a thread of its own from then on (SQLite and the
network release the GIL), and the app's first listing takes it instead of reading again.
Imports no UI library: the command line starts it before it imports the app.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent_debug.inspector.model import ThreadList
    from agent_debug.inspector.sources.base import Source

FIRST_THREADS = 200
"""Threads of the first listing, shown before the whole list (which a big store takes a
second or more to give): more than a tall terminal shows."""


class FirstPage:
    """One read of a source's first page of threads, in a thread: ``take`` waits for it."""

    def __init__(self, source: Source, *, token: bool, limit: int = FIRST_THREADS) -> None:
        """``token``: take the store's change token first, the baseline the app's poll compares with."""
        self._source = source
        self._token_wanted = token
        self._limit = limit
        self._token: Hashable | None = None
        self._page: ThreadList | None = None
        self._error: BaseException | None = None
        # A daemon: an app that fails to start must not wait for a slow store on its way out.
        self._thread = threading.Thread(target=self._read, name="agent-debug-first-page", daemon=True)

    @classmethod
    def start(cls, source: Source, *, token: bool, limit: int = FIRST_THREADS) -> FirstPage:
        """Begin reading the first page of ``source``."""
        page = cls(source, token=token, limit=limit)
        page._thread.start()
        return page

    def _read(self) -> None:
        try:
            if self._token_wanted:
                # Taken before the read, as the app's loader does: a commit made while we
                # read moves the token away from it, and the first poll reloads.
                self._token = self._source.change_token()
            self._page = self._source.threads(limit=self._limit)
        except BaseException as exc:  # raised again where the page is taken, in the app's worker
            self._error = exc

    def take(self) -> tuple[Hashable | None, ThreadList]:
        """The change token (None when not asked for) and the page; what the read raised, raised here."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._page is not None
        return self._token, self._page
