"""Log records emitted inside nodes, as events attributed to the node that emitted them.

LangGraph runs sync nodes in a thread pool and copies the context into it, so
``langgraph.config.get_config()`` called from a handler on the logging thread returns the
node's runnable config (``metadata["langgraph_node"]``, ``langgraph_step``,
``langgraph_checkpoint_ns``, the task id). LangGraph's own retry records
(``langgraph.pregel._retry``: "Retrying task X ... (attempt N) after Exc ...") become
error events with ``attempt`` and ``will_retry``: the stream itself never shows a failed
attempt that a RetryPolicy absorbed.
"""

from __future__ import annotations

import logging
import threading
from types import TracebackType
from typing import Any

from agent_debug.inspector.events import EventExtractor, node_context

__all__ = ["LogCapture", "node_context"]


class LogCapture(logging.Handler):
    """Feeds log records made inside nodes to an ``EventExtractor`` while installed.

    Use as a context manager around a run. It adds itself to the root logger and, when
    the logging configuration would drop records below ``level`` (the default root level
    is WARNING), lowers the level of the loggers for the run only, raising the user's own
    handlers to their previous threshold so their output neither grows nor shrinks.
    Records outside any node are ignored unless ``outside_nodes``.
    """

    def __init__(self, extractor: EventExtractor, *, level: int = logging.INFO, outside_nodes: bool = False) -> None:
        # The handler itself takes every record that reaches it, so that it can stand in for
        # logging.lastResort even for records below the capture level.
        super().__init__(logging.NOTSET)
        self.capture_level = level
        self.extractor = extractor
        self.outside_nodes = outside_nodes
        self._installed = False

    # -- installing ------------------------------------------------------------------------

    def __enter__(self) -> LogCapture:
        self.install()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.remove()

    def install(self) -> None:
        """Start capturing (idempotent)."""
        with _shared_lock:
            if self._installed:
                return
            _lower_levels(self.capture_level)
            _active.append(self)
            logging.getLogger().addHandler(self)
            self._installed = True

    def remove(self) -> None:
        """Stop capturing; the last capture removed puts every level back (idempotent)."""
        with _shared_lock:
            if not self._installed:
                return
            logging.getLogger().removeHandler(self)
            _active.remove(self)
            self._installed = False
            if not _active:
                # Sessions may overlap (two runs in one process): levels come back only
                # when no capture needs them lowered any more.
                for thing, level in reversed(_restore):
                    thing.setLevel(level)
                _restore.clear()

    # -- handling --------------------------------------------------------------------------

    def handle(self, record: logging.LogRecord) -> bool:  # type: ignore[override]
        # No handler lock: the extractor has its own, and taking both in two orders (a
        # consumer logging inside on_event) could deadlock.
        if record.levelno >= self.capture_level and self.filter(record):
            self.emit(record)
        self._last_resort(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:
        """Turn one record into events (called on the thread that logged)."""
        if self.extractor.delivering:
            return  # logged by a consumer of our own events, not by the workflow
        try:
            self.extractor.feed_log(record, node_context(), outside_nodes=self.outside_nodes)
        except Exception:
            self.handleError(record)

    def _last_resort(self, record: logging.LogRecord) -> None:
        # With no handler of the user's anywhere on the record's path, Python prints
        # WARNING and above to stderr (logging.lastResort). Our handler on the root would
        # silence that; print it as Python would have.
        last = logging.lastResort
        if last is None or record.levelno < last.level or _active[:1] != [self]:  # one capture stands in
            return
        logger: logging.Logger | None = logging.getLogger(record.name)
        while logger is not None:
            if any(not isinstance(h, LogCapture) for h in logger.handlers):
                return
            logger = logger.parent if logger.propagate else None
        last.handle(record)


_shared_lock = threading.Lock()
_active: list[LogCapture] = []
_restore: list[tuple[Any, int]] = []  # (logger or handler, level to put back)


def _lower_levels(level: int) -> None:
    """Let records at ``level`` reach the root logger without the user's handlers printing more."""
    root = logging.getLogger()
    if root.getEffectiveLevel() <= level:
        return
    loggers = [root, *(lg for lg in root.manager.loggerDict.values() if isinstance(lg, logging.Logger))]
    before = {lg: lg.getEffectiveLevel() for lg in loggers}
    _restore.append((root, root.level))
    root.setLevel(level)
    # The lower root level reaches loggers without a level of their own; their handlers get
    # the threshold the logger had, so the user's output is unchanged. A handler on several
    # loggers keeps the lowest threshold it needs.
    needed: dict[logging.Handler, int] = {}
    for lg in loggers:
        for handler in lg.handlers:
            if not isinstance(handler, LogCapture):
                needed[handler] = min(needed.get(handler, before[lg]), before[lg])
    for handler, threshold in needed.items():
        if handler.level < threshold:
            _restore.append((handler, handler.level))
            handler.setLevel(threshold)
