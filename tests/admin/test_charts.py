"""Bar chart geometry: round ticks, bars in proportion inside the plot, thinned labels."""

from __future__ import annotations

import pytest

from durus.admin.charts import bar_chart, nice_ticks, tick_text


@pytest.mark.parametrize(
    "maximum, whole, expected",
    [
        (0, True, [0, 1]),
        (-3, True, [0, 1]),
        (float("nan"), True, [0, 1]),
        (1, True, [0, 1]),
        (3, True, [0, 1, 2, 3]),
        (4, True, [0, 1, 2, 3, 4]),
        (9, True, [0, 5, 10]),  # 2.5 is no step between counts
        (10, True, [0, 5, 10]),
        (46, True, [0, 20, 40, 60]),
        (100, True, [0, 25, 50, 75, 100]),
        (1234, True, [0, 500, 1000, 1500]),
        (0.35, False, [0, 0.1, 0.2, 0.3, 0.4]),
        (0.07, False, [0, 0.02, 0.04, 0.06, 0.08]),
        (7.5, False, [0, 2, 4, 6, 8]),
        (0.35, True, [0, 1]),
    ],
)
def test_ticks_are_round_and_reach_the_maximum(
    maximum: float, whole: bool, expected: list[float]
) -> None:
    ticks = nice_ticks(maximum, whole=whole)
    assert ticks == pytest.approx(expected)
    if maximum == maximum and maximum > 0:  # not NaN
        assert ticks[-1] >= maximum


@pytest.mark.parametrize(
    "value, step, text",
    [
        (0, 1, "0"),
        (0, 0.05, "0"),
        (1500, 500, "1,500"),
        (0.2, 0.1, "0.2"),
        (0.1, 0.05, "0.10"),
        (0.04, 0.02, "0.04"),
        (2.5, 2.5, "2.5"),
    ],
)
def test_tick_text_has_the_decimals_its_step_needs(value: float, step: float, text: str) -> None:
    assert tick_text(value, step) == text


def test_bars_are_in_proportion_and_inside_the_plot() -> None:
    chart = bar_chart([("a", 10), ("b", 5), ("c", 0), ("d", 0.01)])
    assert chart.view_box == "0 0 640 240"
    assert [tick.text for tick in chart.value_ticks] == ["0", "5", "10"]
    plot = chart.bottom - chart.top
    a, b, c, d = chart.bars
    assert a.height == pytest.approx(plot) and a.y == pytest.approx(chart.top)
    assert b.height == pytest.approx(plot / 2)
    assert c.height == 0 and c.y == chart.bottom
    assert d.height == 1.0  # small, but visible
    for bar in chart.bars:
        assert chart.left <= bar.x and bar.x + bar.width <= chart.right + 0.01
        assert bar.y + bar.height == pytest.approx(chart.bottom)
    xs = [bar.x for bar in chart.bars]
    assert xs == sorted(xs)
    assert [(bar.label, bar.text) for bar in chart.bars] == [
        ("a", "10"),
        ("b", "5"),
        ("c", "0"),
        ("d", "0"),
    ]
    assert chart.value_ticks[0].at == chart.bottom and chart.value_ticks[-1].at == chart.top


def test_values_can_be_shown_in_their_own_format() -> None:
    chart = bar_chart([("x", 0.123)], whole=False, value_text=lambda v: f"{v:.3f} h")
    assert chart.bars[0].text == "0.123 h"
    assert [tick.text for tick in chart.value_ticks] == ["0", "0.05", "0.10", "0.15"]


def test_labels_are_thinned_and_shortened() -> None:
    points = [(f"Day {n}", float(n)) for n in range(90)]
    chart = bar_chart(points, max_labels=8, short_label=lambda label: label.split()[1])
    assert len(chart.bars) == 90
    assert 1 < len(chart.label_ticks) <= 8
    assert chart.label_ticks[0].text == "0"
    assert chart.label_ticks[0].at == pytest.approx(chart.bars[0].x + chart.bars[0].width / 2)
    assert all(bar.label.startswith("Day ") for bar in chart.bars)


def test_no_points_no_bars() -> None:
    chart = bar_chart([])
    assert chart.bars == () and chart.label_ticks == ()
    assert [tick.text for tick in chart.value_ticks] == ["0", "1"]
