"""Bar charts as geometry: labelled values in, rectangles, ticks and a viewBox out.

Pure Python and no drawing: a template turns a `BarChart` into SVG (templates/admin/_chart.html)
with a title, a description and a data table beside it. Coordinates are in the viewBox's units;
the SVG scales to the width of its container. Numbers are written by a `number(value, decimals)`
function the caller may give (the reader's locale); by default as in English.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 640, 240
# Room around the plot: value labels on the left, category labels and the axis title below.
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 58, 8, 12, 48
NICE_STEPS = (1, 2, 2.5, 5, 10)
NumberText = Callable[[float, int], str]


def plain_number(value: float, decimals: int) -> str:
    """1,234 · 0.25: grouped thousands and a decimal point, as in English."""
    return f"{value:,.{decimals}f}"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str  # what the bar stands for: "Fri 6 Nov", "2:30–3:00"
    value: float
    text: str  # the value as shown: "46", "0.35"


@dataclass(frozen=True)
class Tick:
    at: float  # y of a value tick, x (the middle of a bar) of a label tick
    text: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float  # the baseline (value 0)
    bars: tuple[Bar, ...]
    value_ticks: tuple[Tick, ...]
    label_ticks: tuple[Tick, ...]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def middle(self) -> float:
        """The horizontal middle of the plot (for the axis title below it)."""
        return round((self.left + self.right) / 2, 2)

    @property
    def value_middle(self) -> float:
        """The vertical middle of the plot (for the value axis title beside it)."""
        return round((self.top + self.bottom) / 2, 2)


def nice_ticks(maximum: float, count: int = 4, whole: bool = True) -> list[float]:
    """0, a round step (1, 2, 2.5 or 5 × a power of ten), … up to the first tick ≥ maximum,
    in about `count` steps. With `whole` the step is at least 1 (values that are counts)."""
    if not math.isfinite(maximum) or maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / max(count, 1)
    if whole:
        raw = max(raw, 1.0)
    power = 10 ** math.floor(math.log10(raw))
    step = next(
        n * power
        for n in NICE_STEPS
        if n * power >= raw * (1 - 1e-9) and (not whole or _counts(n * power))
    )
    steps = math.ceil(maximum / step - 1e-9)
    return [round(n * step, 10) for n in range(steps + 1)]


def _counts(step: float) -> bool:
    """A step between counts: a whole number (not 0.5, not 2.5)."""
    return step >= 1 and abs(step - round(step)) < 1e-9


def tick_text(value: float, step: float, number: NumberText = plain_number) -> str:
    """A tick value with as many decimals as its step needs: 0, 1,000, 0.25, 0.50."""
    if value == 0:
        return number(0, 0)
    decimals = 0 if _counts(step) else _decimals(step)
    return number(value, decimals)


def _decimals(step: float) -> int:
    for decimals in range(1, 7):
        if abs(round(step, decimals) - step) < 1e-9:
            return decimals
    return 6


def bar_chart(
    points: Sequence[tuple[str, float]],
    *,
    whole: bool = True,
    value_text: Callable[[float], str] | None = None,
    short_label: Callable[[str], str] | None = None,
    max_labels: int = 8,
    width: int = WIDTH,
    height: int = HEIGHT,
    number: NumberText = plain_number,
) -> BarChart:
    """Bars for (label, value) points, left to right, on a value axis from 0.

    `value_text` formats a bar's value (default: its tick format); at most `max_labels`
    category labels are written under the axis (every n-th bar, from the first), shortened by
    `short_label`."""
    left, right = float(MARGIN_LEFT), float(width - MARGIN_RIGHT)
    top, bottom = float(MARGIN_TOP), float(height - MARGIN_BOTTOM)
    values = [max(float(value), 0.0) for _label, value in points]
    ticks = nice_ticks(max(values, default=0.0), whole=whole)
    step, ceiling = ticks[1] - ticks[0], ticks[-1]
    scale = (bottom - top) / ceiling
    value_ticks = tuple(
        Tick(_r(bottom - tick * scale), tick_text(tick, step, number)) for tick in ticks
    )
    slot = (right - left) / max(len(points), 1)
    gap = min(slot * 0.2, 6.0)
    bars, label_ticks = [], []
    every = max(math.ceil(len(points) / max(max_labels, 1)), 1)
    for n, ((label, _value), value) in enumerate(zip(points, values, strict=True)):
        height_ = value * scale
        if value > 0:
            height_ = max(height_, 1.0)  # a small value stays visible
        x = left + n * slot + gap / 2
        text = value_text(value) if value_text else tick_text(value, step, number)
        bars.append(
            Bar(_r(x), _r(bottom - height_), _r(slot - gap), _r(height_), label, value, text)
        )
        if n % every == 0:
            shown = short_label(label) if short_label else label
            label_ticks.append(Tick(_r(left + (n + 0.5) * slot), shown))
    return BarChart(
        width, height, left, right, top, bottom, tuple(bars), value_ticks, tuple(label_ticks)
    )


def _r(value: float) -> float:
    return round(value, 2)
