"""A small, dependency-free SVG writer: a line chart and a heat map with axes, labels and legend.

kunde writes its plots as SVG text itself rather than through matplotlib: SVG is a text file any
browser (and the console) shows, the output is deterministic and testable as XML, and the engine
does not pull a 40 MB plotting stack (and its one-second import) into every process.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

import numpy as np
import numpy.typing as npt

__all__ = ["Svg", "heat_map", "line_chart", "nice_ticks"]

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")
_MARGIN = {"left": 70, "right": 20, "top": 46, "bottom": 56}


def _num(v: float) -> str:
    return f"{v:.2f}".rstrip("0").rstrip(".")


class Svg:
    """An SVG document built from a few primitives; :meth:`render` returns the text."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self._parts: list[str] = [f'<rect width="{width}" height="{height}" fill="white"/>']

    def rect(self, x: float, y: float, w: float, h: float, fill: str, stroke: str = "none") -> None:
        self._parts.append(
            f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" '
            f'fill="{fill}" stroke="{stroke}"/>'
        )

    def line(
        self, x1: float, y1: float, x2: float, y2: float, stroke: str = "#000", width: float = 1
    ) -> None:
        self._parts.append(
            f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
            f'stroke="{stroke}" stroke-width="{_num(width)}"/>'
        )

    def polyline(
        self, points: Sequence[tuple[float, float]], stroke: str, width: float = 2, dash: str = ""
    ) -> None:
        coords = " ".join(f"{_num(x)},{_num(y)}" for x, y in points)
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        self._parts.append(
            f'<polyline points="{coords}" fill="none" stroke="{stroke}" '
            f'stroke-width="{_num(width)}"{dashed}/>'
        )

    def circle(self, x: float, y: float, r: float, fill: str) -> None:
        self._parts.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{_num(r)}" fill="{fill}"/>')

    def text(
        self,
        x: float,
        y: float,
        content: str,
        *,
        size: int = 12,
        anchor: str = "middle",
        rotate: int = 0,
        bold: bool = False,
    ) -> None:
        turn = f' transform="rotate({rotate} {_num(x)} {_num(y)})"' if rotate else ""
        weight = ' font-weight="bold"' if bold else ""
        self._parts.append(
            f'<text x="{_num(x)}" y="{_num(y)}" font-size="{size}" text-anchor="{anchor}"'
            f"{weight}{turn}>{escape(content)}</text>"
        )

    def render(self) -> str:
        body = "\n".join(self._parts)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.width}" '
            f'height="{self.height}" viewBox="0 0 {self.width} {self.height}" '
            f'font-family="{FONT}">\n{body}\n</svg>\n'
        )


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 2.5, 5 x 10^k steps) covering [lo, hi]."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else [0.0]
    raw = (hi - lo) / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * power >= raw)
    first = math.floor(lo / step)
    last = math.ceil(hi / step)
    ticks = [round(k * step, 10) for k in range(first, last + 1)]
    return ticks


def _frame(svg: Svg, title: str, x_label: str, y_label: str) -> tuple[float, float, float, float]:
    """Title and axis labels; returns the plot area (left, top, width, height)."""
    left, top = _MARGIN["left"], _MARGIN["top"]
    w = svg.width - left - _MARGIN["right"]
    h = svg.height - top - _MARGIN["bottom"]
    svg.text(svg.width / 2, 26, title, size=16, bold=True)
    svg.text(left + w / 2, svg.height - 14, x_label, size=13)
    svg.text(18, top + h / 2, y_label, size=13, rotate=-90)
    return left, top, w, h


def line_chart(
    title: str,
    x_label: str,
    y_label: str,
    x_tick_labels: Sequence[str],
    series: Mapping[str, Sequence[float]],
    *,
    width: int = 720,
    height: int = 440,
) -> str:
    """Series over evenly spaced categories (e.g. frequency 0..7+), with a legend.

    The first series is drawn solid black with dots (the actual values); the others in colours,
    dashed, so the eye finds the reference line first. NaN values leave a gap.
    """
    svg = Svg(width, height)
    left, top, w, h = _frame(svg, title, x_label, y_label)
    values = np.array([v for s in series.values() for v in s], dtype=np.float64)
    finite = values[np.isfinite(values)]
    hi = float(finite.max()) if finite.size else 1.0
    ticks = nice_ticks(0.0, hi if hi > 0 else 1.0)
    y_max = ticks[-1]
    n = len(x_tick_labels)

    def px(i: int) -> float:
        return left + (i + 0.5) * w / max(n, 1)

    def py(v: float) -> float:
        return top + h - v / y_max * h

    for t in ticks:
        svg.line(left, py(t), left + w, py(t), stroke="#e5e5e5")
        svg.text(left - 8, py(t) + 4, f"{t:g}", anchor="end")
    svg.line(left, top, left, top + h)
    svg.line(left, top + h, left + w, top + h)
    for i, label in enumerate(x_tick_labels):
        svg.line(px(i), top + h, px(i), top + h + 5)
        svg.text(px(i), top + h + 20, label)

    legend_y = top + 8
    for k, (name, ys) in enumerate(series.items()):
        colour = "#000000" if k == 0 else PALETTE[(k - 1) % len(PALETTE)]
        points = [(px(i), py(float(v))) for i, v in enumerate(ys) if math.isfinite(float(v))]
        svg.polyline(points, colour, width=2.5 if k == 0 else 2, dash="" if k == 0 else "6 4")
        for x, y in points:
            svg.circle(x, y, 3.5 if k == 0 else 2.5, colour)
        ly = legend_y + 18 * k
        svg.line(left + 14, ly, left + 40, ly, stroke=colour, width=2.5)
        svg.text(left + 46, ly + 4, name, anchor="start")
    return svg.render()


def _colour(v: float) -> str:
    """White (0) to dark blue (1), a sequential scale readable in greyscale too."""
    v = min(max(v, 0.0), 1.0) if math.isfinite(v) else 0.0
    lo, hi = (247, 251, 255), (8, 48, 107)
    r, g, b = (round(a + (c - a) * v) for a, c in zip(lo, hi, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def heat_map(
    title: str,
    x_label: str,
    y_label: str,
    matrix: npt.NDArray[np.float64],
    x_values: Sequence[float],
    y_values: Sequence[float],
    *,
    scale_label: str = "",
    note: str = "",
    width: int = 720,
    height: int = 560,
) -> str:
    """A matrix with values in [0, 1] as coloured cells: rows along y (bottom up), columns along x.

    Args:
        matrix: shape (len(y_values), len(x_values)); NaN cells are left grey.
        x_values: value of each column (ticks show a few of them).
        y_values: value of each row.
        scale_label: caption of the colour bar.
        note: a line in small print under the title (e.g. what grey cells mean).
    """
    svg = Svg(width, height)
    left, top, w, h = _frame(svg, title, x_label, y_label)
    if note:
        svg.text(width / 2, 42, note, size=11)
        top, h = top + 8, h - 8
    w -= 70  # room for the colour bar
    n_y, n_x = matrix.shape
    cw, ch = w / max(n_x, 1), h / max(n_y, 1)
    for i in range(n_y):
        for j in range(n_x):
            v = float(matrix[i, j])
            fill = _colour(v) if math.isfinite(v) else "#cccccc"
            svg.rect(left + j * cw, top + h - (i + 1) * ch, cw + 0.3, ch + 0.3, fill)
    svg.rect(left, top, w, h, "none", stroke="#000")
    for axis, values, size in (("x", x_values, n_x), ("y", y_values, n_y)):
        lo, hi = float(values[0]), float(values[-1])
        for t in nice_ticks(lo, hi, 6):
            if not lo <= t <= hi or hi == lo:
                continue
            frac = (t - lo) / (hi - lo) * (size - 1) + 0.5
            if axis == "x":
                x = left + frac * cw
                svg.line(x, top + h, x, top + h + 5)
                svg.text(x, top + h + 20, f"{t:g}")
            else:
                y = top + h - frac * ch
                svg.line(left - 5, y, left, y)
                svg.text(left - 8, y + 4, f"{t:g}", anchor="end")
    bar_x, steps = left + w + 24, 50
    for k in range(steps):
        svg.rect(bar_x, top + h - (k + 1) * h / steps, 16, h / steps + 0.3, _colour(k / steps))
    svg.rect(bar_x, top, 16, h, "none", stroke="#000")
    for t in (0.0, 0.25, 0.5, 0.75, 1.0):
        svg.text(bar_x + 20, top + h - t * h + 4, f"{t:g}", anchor="start", size=11)
    if scale_label:
        svg.text(bar_x + 8, top - 8, scale_label, size=11)
    return svg.render()
