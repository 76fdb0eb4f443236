"""Which interrupts are new: the ones a thread reached while the app is open.

The app feeds it every thread listing (the first ones, read when it opens, are the
baseline: threads already waiting then are not news) and the outcome of each run it
starts; each interrupt is news once, however many polls list it again. An interrupt is
known by its id (by its task and node when the store gives none), so a thread resumed
and interrupted again is news again.

No Textual here: the app turns the news into a notification and a bell.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from agent_debug.inspector.model import InterruptInfo, ThreadSummary
from agent_debug.tui.safe_text import visible

QUESTION_WIDTH = 120
# Keys under which the interrupts of LangGraph's libraries put what they ask.
_QUESTION_KEYS = ("question", "message", "prompt", "description", "content", "text")


@dataclass(frozen=True)
class NewInterrupt:
    """A thread that reached an interrupt since the app looked last: its first new interrupt."""

    thread_id: str
    interrupt: InterruptInfo
    count: int  # new interrupts of the thread (parallel tasks may ask at once)

    @property
    def question(self) -> str:
        """What the interrupt asks, its first line, safe for a terminal."""
        return question_line(self.interrupt.value)


def _key(interrupt: InterruptInfo) -> str:
    return interrupt.id or f"{interrupt.task_id}\x00{interrupt.node}"


def _asked(value: Any) -> Any:
    """The part of an interrupt's value that is the question (HITL requests nest it)."""
    for _ in range(4):  # a few levels: {"action_requests": [{"description": …}]}
        if isinstance(value, dict):
            found = next((value[k] for k in _QUESTION_KEYS if isinstance(value.get(k), str) and value[k].strip()), None)
            if found is not None:
                return found
            nested = next((v for v in value.values() if isinstance(v, (dict, list)) and v), None)
            if nested is None:
                return value
            value = nested
        elif isinstance(value, list) and value:
            value = value[0]
        else:
            return value
    return value


def question_line(value: Any, width: int = QUESTION_WIDTH) -> str:
    """The first non-empty line of what ``value`` asks, cut to ``width``, control characters escaped."""
    asked = _asked(value)
    if not isinstance(asked, str):
        try:
            asked = json.dumps(asked, ensure_ascii=False, default=repr)
        except (TypeError, ValueError):
            asked = repr(asked)
    line = next((part.strip() for part in asked.splitlines() if part.strip()), "")
    line = visible(line)
    return line if len(line) <= width else line[: width - 1] + "…"


class InterruptWatch:
    """Tells which listed interrupts are new since the app opened."""

    def __init__(self) -> None:
        self._known: dict[str, set[str]] = {}
        self._baseline = True  # until the first whole listing is in

    def listing(self, threads: Iterable[ThreadSummary], *, partial: bool = False) -> list[NewInterrupt]:
        """The new interrupts in a thread listing (``partial``: only its first page). The
        listings read until the first whole one are the baseline and report nothing."""
        news: list[NewInterrupt] = []
        for thread in threads:
            found = self._seen(thread.thread_id, thread.interrupts, report=not self._baseline)
            if found is not None:
                news.append(found)
        if not partial:
            self._baseline = False
        return news

    def outcome(self, thread_id: str, interrupts: list[InterruptInfo]) -> NewInterrupt | None:
        """A run the app started stopped at ``interrupts``: the news, unless a listing told it first."""
        return self._seen(thread_id, interrupts, report=True, forget_others=False)

    def _seen(self, thread_id: str, interrupts: list[InterruptInfo], *, report: bool, forget_others: bool = True) -> NewInterrupt | None:
        keys = {_key(i) for i in interrupts}
        known = self._known.setdefault(thread_id, set())
        new = [i for i in interrupts if _key(i) not in known]
        if forget_others:
            # A listing is the thread's whole truth: answered interrupts are gone.
            self._known[thread_id] = keys
        else:
            known |= keys
        if not report or not new:
            return None
        return NewInterrupt(thread_id, new[0], len(new))
