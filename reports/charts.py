"""A server-rendered SVG chart of cumulative admissions against the cumulative quarterly target:
only coordinates are computed here; templates/reports/_chart.html draws them (it prints too)."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 16, 36


@dataclass(frozen=True)
class ChartPoint:
    quarter: int
    x: float
    value: int
    y: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot_left: int
    plot_right: int
    plot_top: int
    plot_bottom: int
    target: list[ChartPoint]
    admitted: list[ChartPoint]
    ticks: list[tuple[int, float]]  # (value, y)
    quarters: list[tuple[int, float]]  # (quarter, x)

    @staticmethod
    def _points(points: list[ChartPoint]) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in points)

    @property
    def target_points(self) -> str:
        return self._points(self.target)

    @property
    def admitted_points(self) -> str:
        return self._points(self.admitted)


def _nice_top(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000):
        if value <= step * 4:
            return step * 4
    return (value // 50000 + 1) * 50000


def progress_chart(series: list[dict]) -> Chart:
    """`series`: ProgressReport.quarter_series (quarter, cumulative target, cumulative admitted)."""
    top = _nice_top(max([1] + [p["target"] or 0 for p in series] + [p["admitted"] or 0 for p in series]))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(quarter: int) -> float:
        return LEFT + plot_w * (quarter - 0.5) / 4

    def y(value: int) -> float:
        return TOP + plot_h * (1 - value / top)

    return Chart(
        width=WIDTH,
        height=HEIGHT,
        plot_left=LEFT,
        plot_right=WIDTH - RIGHT,
        plot_top=TOP,
        plot_bottom=HEIGHT - BOTTOM,
        target=[
            ChartPoint(p["quarter"], x(p["quarter"]), p["target"], y(p["target"]))
            for p in series
            if p["target"] is not None
        ],
        admitted=[
            ChartPoint(p["quarter"], x(p["quarter"]), p["admitted"], y(p["admitted"]))
            for p in series
            if p["admitted"] is not None
        ],
        ticks=[(top * i // 4, y(top * i // 4)) for i in range(5)],
        quarters=[(q, x(q)) for q in (1, 2, 3, 4)],
    )
