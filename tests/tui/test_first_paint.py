"""The first paint of ``attach``: the first page read ahead, the whole list after it is on
screen, the first page built without validating it again, a footer styled once."""

from __future__ import annotations

from pathlib import Path

from textual.widgets._footer import FooterKey

from agent_debug.inspector.model import ThreadList as ThreadListDoc
from agent_debug.inspector.model import trusted_thread_list
from agent_debug.inspector.targets import open_source
from agent_debug.tui import app as app_module
from agent_debug.tui import store_loader
from agent_debug.tui.app import AgentDebugApp
from agent_debug.tui.first_page import FirstPage
from agent_debug.tui.widgets.threads.thread_list import ThreadList
from tests.tui.conftest import fixed_clock, settle

SIZE = (140, 45)


class ListingSpy:
    """Counts a real source's thread listings (first pages and whole lists) and what the
    thread list had shown when each began."""

    def __init__(self, source, shown: list[list[str]]) -> None:
        self.calls: list[tuple[int | None, int]] = []
        read = source.threads

        def threads(**kw):
            self.calls.append((kw.get("limit"), len(shown)))
            return read(**kw)

        source.threads = threads


def watch_shown(monkeypatch) -> list[list[str]]:
    shown: list[list[str]] = []
    original = ThreadList.show

    def spy(self, threads, total, now):
        shown.append([t.thread_id for t in threads])
        original(self, threads, total, now)

    monkeypatch.setattr(ThreadList, "show", spy)
    return shown


async def test_the_first_page_read_ahead_is_the_one_shown(snapshot_db: Path, monkeypatch) -> None:
    """attach starts reading the first page before the app exists; the app shows that
    page and does not read it again."""
    shown = watch_shown(monkeypatch)
    source = open_source(str(snapshot_db))
    with open_source(str(snapshot_db)) as other:
        expected = [t.thread_id for t in other.threads().threads]
    first = FirstPage.start(source, token=False)
    spy = ListingSpy(source, shown)  # after the read began: it counts the app's own reads only
    app = AgentDebugApp(source, clock=fixed_clock(snapshot_db), poll_interval=0, first_page=first)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert shown and shown[0] == expected
        assert all(limit is None for limit, _ in spy.calls), spy.calls  # no second first page
        assert app.thread_id == expected[0]


async def test_the_whole_list_is_read_once_the_first_page_is_shown(snapshot_db: Path, monkeypatch) -> None:
    """Read at once, the whole list took the GIL from the first page's paint: it begins
    only after the first page is in the thread list (and on screen)."""
    monkeypatch.setattr(store_loader, "FIRST_THREADS", 3)
    shown = watch_shown(monkeypatch)
    source = open_source(str(snapshot_db))
    spy = ListingSpy(source, shown)
    app = AgentDebugApp(source, clock=fixed_clock(snapshot_db), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert [limit for limit, _ in spy.calls] == [3, None]
        whole_began_after = spy.calls[1][1]
        assert whole_began_after == 1, "the whole list was read before the first page was shown"
        assert len(shown) == 2 and len(shown[0]) == 3 and len(shown[1]) > 3


async def test_an_app_closed_before_its_first_frame_does_not_wait_for_the_listing(snapshot_db: Path, monkeypatch) -> None:
    """The whole listing waits for the first frame; an app that closes first lets it go
    at once, and the cancelled listing reads nothing."""
    monkeypatch.setattr(store_loader, "FIRST_THREADS", 3)
    monkeypatch.setattr(store_loader, "FIRST_PAINT_WAIT_S", 600.0)  # a wait the test would notice
    monkeypatch.setattr(app_module, "FIRST_PAINT_WAIT_S", 600.0)
    shown = watch_shown(monkeypatch)
    source = open_source(str(snapshot_db))
    spy = ListingSpy(source, shown)
    app = AgentDebugApp(source, clock=fixed_clock(snapshot_db), poll_interval=0)

    async def never() -> None:
        """The frame after the first page never comes (the app closes first)."""

    monkeypatch.setattr(app, "_fill_panes", never)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(200):
            if shown:
                break
            await pilot.pause(0.01)
        assert shown
    assert [limit for limit, _ in spy.calls] == [3]


def test_a_first_page_built_without_validation_equals_the_validated_one(snapshot_db: Path) -> None:
    """The first page is made with ``model_construct``: the same records, interrupts and
    errors included, as validating the document gives."""
    with open_source(str(snapshot_db)) as source:
        doc = source.threads_document(limit=200)
        assert any(t["interrupts"] for t in doc["threads"]) and any(t["errors"] for t in doc["threads"])
        trusted = trusted_thread_list(doc)
        validated = ThreadListDoc.model_validate(doc)
        assert trusted == validated
        assert trusted.model_dump(mode="json") == validated.model_dump(mode="json")
        assert source.threads(limit=200) == validated


def test_the_first_page_read_ahead_takes_the_token_first(snapshot_db: Path) -> None:
    """The token is the poll's baseline, taken before the read, as the loader takes it."""
    with open_source(str(snapshot_db)) as source:
        token, page = FirstPage.start(source, token=True).take()
        assert token == source.change_token()
        assert page == source.threads(limit=200)
        assert FirstPage.start(source, token=False).take()[0] is None


def test_a_first_page_that_cannot_be_read_fails_where_it_is_taken(snapshot_db: Path) -> None:
    """What the read raised is raised in the app's worker (a store problem shown there)."""
    source = open_source(str(snapshot_db))
    source.close()
    first = FirstPage.start(source, token=False)
    try:
        first.take()
    except Exception as exc:  # the closed connection's own error
        assert "closed" in str(exc).lower()
    else:
        raise AssertionError("a closed store gave a first page")


async def test_footer_keys_are_styled_once(snapshot_db: Path, monkeypatch) -> None:
    """Each footer key is born with the footer's compact style: none is restyled as it
    mounts (~40 keys restyled twice were most of the first frame's CSS work)."""
    restyled: list[str] = []
    original = FooterKey.update_node_styles

    def spy(self, *args, **kw):
        restyled.append(self.action)
        return original(self, *args, **kw)

    monkeypatch.setattr(FooterKey, "update_node_styles", spy)
    app = AgentDebugApp(open_source(str(snapshot_db)), clock=fixed_clock(snapshot_db), poll_interval=0)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        keys = list(app.query(FooterKey))
        assert len(keys) > 5
        assert not any(k.has_class("-compact") for k in keys if not k.has_class("-command-palette"))
        assert set(restyled) <= {"command_palette"}, restyled  # the palette key alone is compact


async def test_the_first_history_is_read_once_the_first_listing_is_on_screen(snapshot_db: Path, monkeypatch) -> None:
    """The first thread's history (and the state, graph and timeline after it) waits for
    the frame that shows the thread list: read at once, they took the GIL from it."""
    source = open_source(str(snapshot_db))
    app = AgentDebugApp(source, clock=fixed_clock(snapshot_db), poll_interval=0)
    order: list[str] = []
    shown = app.loader.first_page_shown
    read = source.history

    def first_page_shown():
        order.append("on screen")
        shown()

    def history(*args, **kw):
        order.append("history")
        return read(*args, **kw)

    monkeypatch.setattr(app.loader, "first_page_shown", first_page_shown)
    source.history = history
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "history" in order and order.index("on screen") < order.index("history"), order
        assert app.checkpoint_id is not None  # and the rest of the screen followed
