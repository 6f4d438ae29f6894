"""The SVG writer: well-formed documents with title, axes, legend and colour bar."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from kunde._svg import heat_map, line_chart, nice_ticks

NS = "{http://www.w3.org/2000/svg}"


def _texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{NS}text")]


def test_line_chart_has_title_axes_legend_and_escapes_text() -> None:
    svg = line_chart(
        "A <title> & more",
        "x axis",
        "y axis",
        ["0", "1", "2+"],
        {"actual": [0.2, 0.7, float("nan")], "model": [0.1, 0.6, 1.5]},
    )
    texts = _texts(svg)
    assert texts[0] == "A <title> & more"
    assert {"x axis", "y axis", "actual", "model", "2+"} <= set(texts)
    lines = ET.fromstring(svg).findall(f"{NS}polyline")
    assert len(lines) == 2
    assert len(lines[0].get("points", "").split()) == 2  # the NaN point is left out


def test_heat_map_cells_and_colour_bar() -> None:
    matrix = np.array([[0.0, np.nan, 1.0], [0.5, 0.25, 0.75]])
    svg = heat_map("P", "recency", "frequency", matrix, [0, 1, 2], [0, 1], scale_label="p")
    root = ET.fromstring(svg)
    fills = [r.get("fill") for r in root.iter(f"{NS}rect")]
    assert "#cccccc" in fills  # the NaN cell
    assert "#f7fbff" in fills and "#08306b" in fills  # 0 and 1 at the ends of the scale
    assert {"P", "recency", "frequency", "p"} <= set(_texts(svg))


@given(
    st.floats(-1e6, 1e6, allow_nan=False),
    st.floats(1e-3, 1e6, allow_nan=False),
)
def test_ticks_cover_the_range_in_round_steps(lo: float, span: float) -> None:
    ticks = nice_ticks(lo, lo + span)
    assert ticks[0] <= lo + 1e-9 * max(1.0, abs(lo)) and ticks[-1] >= lo + span * (1 - 1e-9)
    assert 2 <= len(ticks) <= 12
    steps = np.diff(ticks)
    assert np.allclose(steps, steps[0], rtol=1e-6, atol=1e-9 * max(1.0, abs(lo)))
