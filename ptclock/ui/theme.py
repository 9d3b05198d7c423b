"""The few colours ptclock paints itself, for a light and a dark palette alike.

Everything else comes from the palette (the system's light or dark theme). The strong
colours are chosen for text contrast of at least 4.5:1 (WCAG 2.x, level AA) against what
they are painted on, in both themes (tests/ui/test_glance.py computes it): the running
fill, the "unit reached" flash and the "next unit close" highlight. Colour is never the only
cue: every state also has its mark and its words (▶ RUNNING, ❚❚ PAUSED, Unit 3 reached).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QFont, QFontInfo, QPalette

RUNNING_FILL = "#166534"
"""A deep green: the running code's tile and the now band while a timer runs."""
RUNNING_TEXT = "#ffffff"
WON_FILL = "#facc15"
"""A bright yellow flash for about two seconds when the visit reaches another unit."""
WON_TEXT = "#1a1300"
NEAR_FILL_LIGHT = "#c2410c"
"""Orange behind "1 more … minute for unit N" (light theme)."""
NEAR_TEXT_LIGHT = "#ffffff"
NEAR_FILL_DARK = "#fb923c"
NEAR_TEXT_DARK = "#1a1000"
ACCENT_LIGHT = RUNNING_FILL
"""The running green as text or an outline on the window's own background."""
ACCENT_DARK = "#4ade80"


@dataclass(frozen=True)
class Theme:
    dark: bool
    base: QColor
    """What tiles and the idle band are painted on."""
    text: QColor
    muted: QColor
    """Secondary words (the key number, "■ stopped"), still ≥ 4.5:1 on ``base``."""
    edge: QColor
    """A tile's outline while nothing runs."""
    running_fill: QColor
    running_text: QColor
    accent: QColor
    """Running green as text or outline on ``base`` (a paused tile's outline, its mark)."""
    won_fill: QColor
    won_text: QColor
    near_fill: QColor
    near_text: QColor


_cache: dict[tuple[int, int], Theme] = {}


def theme_of(palette: QPalette) -> Theme:
    """The colours to paint with under ``palette`` (computed once per palette)."""
    base = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Text)
    key = (base.rgba(), text.rgba())
    found = _cache.get(key)
    if found is None:
        found = _cache[key] = _make(palette, base, text)
    return found


def _make(palette: QPalette, base: QColor, text: QColor) -> Theme:
    dark = base.lightnessF() < 0.5
    muted = _muted(text, base)
    edge = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Mid)
    return Theme(
        dark=dark,
        base=base,
        text=text,
        muted=muted,
        edge=edge,
        running_fill=QColor(RUNNING_FILL),
        running_text=QColor(RUNNING_TEXT),
        accent=QColor(ACCENT_DARK if dark else ACCENT_LIGHT),
        won_fill=QColor(WON_FILL),
        won_text=QColor(WON_TEXT),
        near_fill=QColor(NEAR_FILL_DARK if dark else NEAR_FILL_LIGHT),
        near_text=QColor(NEAR_TEXT_DARK if dark else NEAR_TEXT_LIGHT),
    )


def _muted(text: QColor, base: QColor) -> QColor:
    """``text`` moved toward ``base`` as far as 4.5:1 contrast allows (at most 40%)."""
    for share in (0.4, 0.3, 0.2, 0.1):
        mixed = mix(text, base, share)
        if contrast(mixed, base) >= 4.5:
            return mixed
    return QColor(text)


def mix(a: QColor, b: QColor, share_of_b: float) -> QColor:
    keep = 1.0 - share_of_b
    return QColor.fromRgbF(
        a.redF() * keep + b.redF() * share_of_b,
        a.greenF() * keep + b.greenF() * share_of_b,
        a.blueF() * keep + b.blueF() * share_of_b,
    )


def luminance(colour: QColor) -> float:
    """Relative luminance (WCAG 2.x)."""

    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours, 1 to 21."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def font(base: QFont, pixels: int, bold: bool = False, digits: bool = False) -> QFont:
    """``base`` at ``pixels`` pixels; ``digits``: tabular figures, so a ticking time keeps
    its width."""
    made = QFont(base)
    made.setPixelSize(pixels)
    made.setBold(bold)
    if digits:
        made.setFeature(QFont.Tag("tnum"), 1)
    return made


def pixel_size(of: QFont) -> int:
    """The size ``of`` is really drawn at, in pixels (what the tests measure)."""
    return QFontInfo(of).pixelSize()


def dark_palette() -> QPalette:
    """A dark palette (for the Fusion style) to look at and test the dark theme with."""
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#202124",
        QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#17181a",
        QPalette.ColorRole.AlternateBase: "#2a2b2e",
        QPalette.ColorRole.Text: "#e8eaed",
        QPalette.ColorRole.Button: "#2d2e31",
        QPalette.ColorRole.ButtonText: "#e8eaed",
        QPalette.ColorRole.BrightText: "#ffffff",
        QPalette.ColorRole.Highlight: "#3b82f6",
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#9aa0a6",
        QPalette.ColorRole.ToolTipBase: "#2d2e31",
        QPalette.ColorRole.ToolTipText: "#e8eaed",
        QPalette.ColorRole.Link: "#8ab4f8",
        QPalette.ColorRole.Light: "#3c4043",
        QPalette.ColorRole.Midlight: "#34363a",
        QPalette.ColorRole.Mid: "#5f6368",
        QPalette.ColorRole.Dark: "#111214",
        QPalette.ColorRole.Shadow: "#000000",
    }
    for role, colour in colours.items():
        palette.setColor(role, QColor(colour))
    for role in (
        QPalette.ColorRole.WindowText,
        QPalette.ColorRole.Text,
        QPalette.ColorRole.ButtonText,
    ):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#80868b"))
    return palette
