"""Keep CPython's cyclic garbage collector from stalling the UI.

A decoded 10 MB state is about a million small containers. Building it in a worker
triggers several full collections, each walking every tracked object with the GIL held
(100–300 ms on this project's machine), and every later full collection walks it again.
The values the debugger holds are acyclic (decoded msgpack, records): reference
counting frees them, so the collector only costs here. Two measures:

- ``settle()`` once the app has started: what the imports made (modules, classes,
  LangGraph's and Textual's tables) is frozen into the permanent generation, never
  scanned again.
- ``quiet()`` around a worker that may build something big: no collection runs while
  it builds; if it built a lot, what it built is frozen too instead of being walked by
  the next full collections. Garbage cycles that happen to exist at that moment are
  frozen with it and never reclaimed: a bounded cost, paid only after big reads.
- ``kept()`` as run events are drained into the events pane: every 2,000 of them,
  what is alive is frozen, so a flood's held events are not walked again and again.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

# Tracked objects allocated (net) while collection was off that make a read "big".
BIG = 50_000

_lock = threading.Lock()
_depth = 0
_was_enabled = True


def settle() -> None:
    """Freeze what exists now (call after start-up, once the first screen is built)."""
    gc.freeze()


@contextmanager
def quiet() -> Iterator[None]:
    """Suspend collection while the body runs (nestable, across threads)."""
    global _depth, _was_enabled
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                if gc.get_count()[0] > BIG:
                    gc.freeze()
                if _was_enabled:
                    gc.enable()


# Held run events (and the pane's lines for them) between two freezes: a flood keeps
# hundreds of thousands of objects alive, and every full collection would walk them.
FREEZE_EVERY = 2_000
_kept = 0


def kept(count: int) -> None:
    """Note ``count`` more long-lived items kept (events drained into the pane)."""
    global _kept
    _kept += count
    if _kept >= FREEZE_EVERY:
        _kept = 0
        gc.freeze()
