"""The installed ``agent-debug attach`` on a store with more threads than its first page:
the newest threads show first (read while the app started), then every thread.

The store is seeded by real runs (``fixtures.seed.seed_bulk``): 205 threads and the long
loop thread, one more than ``first_page.FIRST_THREADS`` leaves out of the first page.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from agent_debug.inspector.targets import open_source
from agent_debug.tui.first_page import FIRST_THREADS
from tests.e2e.test_tmux import AGENT_DEBUG, Terminal, files_of

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


@pytest.fixture(scope="module")
def bulk_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from agent_debug.fixtures.seed import seed_bulk

    db = tmp_path_factory.mktemp("bulk") / "bulk.db"
    seed_bulk(db, threads=FIRST_THREADS + 5, long_thread_checkpoints=3)
    return db


def test_attach_shows_the_newest_threads_then_every_thread(term: Terminal, bulk_store: Path) -> None:
    with open_source(str(bulk_store)) as source:
        listing = source.threads()
    total = listing.total
    assert total > FIRST_THREADS
    before = files_of(bulk_store.parent)
    term.start([AGENT_DEBUG, "attach", str(bulk_store)])

    # The caption counts the threads listed of the threads in the store: first the page,
    # then the whole list, which is read once the page is on screen.
    screen = term.wait_for(f"threads: {total} of {total}", timeout=30)
    assert listing.threads[0].thread_id in screen  # the newest thread is at the top
    assert f"{total} threads" in term.wait_for(f"{total} threads")  # the header's status line
    term.press("q")
    assert term.exit_status() == 0
    assert files_of(bulk_store.parent) == before  # looking wrote nothing
