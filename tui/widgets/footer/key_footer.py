"""The footer, fitted to its width: the keys that matter most always show whole."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer
from textual.widgets._footer import FooterKey  # Textual's own footer key (not exported)

from agent_debug.tui.layout import footer_fit, footer_key_width


class KeyFooter(Footer):
    """Textual's footer, but a key is either shown whole or left out: when the keys do not
    all fit, the most important (``layout.FOOTER_PRIORITY``) stay and ``?`` lists the rest.
    It shows the keys in effect, one per action, as Textual's footer does."""

    def __init__(self) -> None:
        super().__init__()
        self._fitted_for: tuple[str, ...] | None = None

    def _shown(self) -> list[tuple[Binding, bool, str]]:
        """The bindings to show, one per action (its first key), in their order."""
        seen: dict[str, tuple[Binding, bool, str]] = {}
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if binding.show:
                seen.setdefault(binding.action, (binding, enabled, tooltip))
        return list(seen.values())

    def _palette(self) -> tuple[Binding, bool, str] | None:
        """The command palette's binding, shown apart at the right (None: no palette)."""
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return None
        entry = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        return None if entry is None else (entry[1], entry[2], entry[1].tooltip or entry[1].description)

    def _fit(self) -> list[tuple[Binding, bool, str]]:
        """The bindings that fit beside the palette key in this footer's width."""
        shown = self._shown()
        room = self.size.width or self.app.size.width
        palette = self._palette()
        if palette is not None:
            room -= footer_key_width(self.app.get_key_display(palette[0]), palette[0].description) + 2
        widths = [(b.id, footer_key_width(self.app.get_key_display(b), b.description)) for b, _, _ in shown]
        return [shown[i] for i in footer_fit(widths, room)]

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        fitted = self._fit()
        self._fitted_for = tuple(b.action for b, _, _ in fitted)
        for binding, enabled, tooltip in fitted:
            key = FooterKey(
                binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                disabled=not enabled, tooltip=tooltip,
            )  # fmt: skip
            # Born with the footer's value: a key made compact on mount, then bound to a
            # footer that is not, restyled itself twice (~40 keys: most of a first frame's CSS work).
            key.set_reactive(FooterKey.compact, self.compact)
            yield key.data_bind(compact=Footer.compact)
        palette = self._palette()
        if palette is not None:
            binding, enabled, tooltip = palette
            yield FooterKey(
                binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                classes="-command-palette", disabled=not enabled, tooltip=tooltip,
            )  # fmt: skip

    def on_resize(self, _: events.Resize) -> None:
        """A new width may fit other keys: show them."""
        if self._bindings_ready and tuple(b.action for b, _, _ in self._fit()) != self._fitted_for:
            self.call_after_refresh(self.recompose)
