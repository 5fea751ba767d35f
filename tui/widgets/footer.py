"""A footer whose keys fit one line: where they do not, it gives way in a stated order, never losing a key from the
help screen (F1) or the command palette, which list every action whatever the footer shows.

Textual's compact footer cuts what does not fit at the right: at 80 columns that was Save, Solve and, in a text
field, Esc (the way out of the field). Here, step by step until the keys fit beside the palette key:

1. the view keys F2-F5 drop their names and read ``F2 F3 F4 F5 Views`` (the tab bar names the views, in that order);
2. ``^o Open`` and ``^e Export`` go (the palette and F1 have them);
3. ``^r Solve`` goes (every edit is solved anyway);
4. ``^q Quit`` goes (``q`` quits off a text field; F1 says so).

What the focused view adds (``^l Clear filters``, ``e Evaluate``) and Help, Save and Esc stay.

The app's keys keep one order, in a text field as outside one: the order of ``tui.keys.APP_BINDINGS``, after what
the focused view adds. (Textual lists the active bindings from the focused widget outwards, and a priority app
binding takes over the place of the focused widget's binding of the same key: in a field, whose ``ctrl+e`` moves to
the line's end, ``^e Export`` came first.)

Version trap: ``FooterKey`` lives in Textual's private ``textual.widgets._footer`` (8.x has no public name for it).
Should a Textual release move it, the footer falls back to Textual's own (cut at the right, nothing lost from F1 or
the palette) rather than the app failing to start.
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer

try:  # (private in Textual 8: see the module's version trap)
    from textual.widgets._footer import FooterKey
except ImportError:  # pragma: no cover - a Textual that moved it
    FooterKey = None  # type: ignore[assignment,misc]

from tui.keys import APP_BINDINGS, VIEW_KEYS

#: The view actions in tab order (``show_view('recommend')`` …): step 1 groups them.
VIEW_ACTIONS = [f"show_view('{view}')" for view in VIEW_KEYS]
#: Steps 2-4: the actions dropped, in order.
DROPPED = [("open_scenario", "export"), ("solve_now",), ("quit",)]
#: Cells the palette key takes at the right (its border, "^p palette").
PALETTE_CELLS = 11


def _app_order() -> dict[str, int]:
    order: dict[str, int] = {}
    for place, binding in enumerate(APP_BINDINGS):
        if isinstance(binding, Binding):
            order.setdefault(binding.action, place)
    return order


#: Each app action's place in the footer: its first binding's in ``APP_BINDINGS`` (the focused view's own keys first).
APP_ORDER = _app_order()


def in_app_order(keys: list[FooterKey]) -> list[FooterKey]:
    """``keys`` with the app's in :data:`APP_ORDER`, after the others (the focused view's), each kept in its order."""
    return sorted(keys, key=lambda k: APP_ORDER.get(k.action, -1))


def key_cells(key: FooterKey) -> int:
    """Cells a compact footer key takes: its key, a space and its description, and one cell of margin."""
    return len(key.key_display) + (1 + len(key.description) if key.description else 0) + 1


def fit_keys(keys: list[FooterKey], width: int) -> list[FooterKey]:
    """The keys shown in ``width`` cells (see the module's steps); the palette key is not among ``keys``."""
    shown = list(keys)

    def fits() -> bool:
        return sum(key_cells(k) for k in shown) <= width - PALETTE_CELLS

    if fits():
        return shown
    views = [k for k in shown if k.action in VIEW_ACTIONS]
    for k in views:
        k.description = "Views" if k is views[-1] else ""
    for actions in DROPPED:
        if fits():
            break
        shown = [k for k in shown if k.action not in actions]
    return shown


class FitFooter(Footer):
    """Textual's compact footer, its keys fitted to the width by :func:`fit_keys` (recomposed on a resize)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(compact=True, **kwargs)
        self._fitted_width = 0

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())  # (the app's bindings use no groups: every key is a FooterKey)
        if FooterKey is None:  # Textual's own footer, unfitted
            yield from widgets
            return
        keys = in_app_order([w for w in widgets if isinstance(w, FooterKey) and not w.has_class("-command-palette")])
        rest = [w for w in widgets if all(w is not k for k in keys)]  # the palette key, at the right
        self._fitted_width = self.app.size.width
        shown = fit_keys(keys, self._fitted_width)
        yield from (*shown, *rest)

    def on_resize(self, event: events.Resize) -> None:
        if self.app.size.width != self._fitted_width:
            self.call_after_refresh(self.recompose)

