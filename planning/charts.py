"""Server-side SVG bar charts: the geometry here, the markup in `planning/_bars.html`."""

from dataclasses import dataclass, field

WIDTH = 640
LABEL_WIDTH = 190
BAR_AREA = 330
ROW_HEIGHT = 26
BAR_HEIGHT = 18


@dataclass
class Bar:
    label: str
    value_text: str
    y: int
    width: float
    flagged: bool = False

    @property
    def text_y(self) -> int:
        return self.y + BAR_HEIGHT - 4

    @property
    def value_x(self) -> float:
        return LABEL_WIDTH + self.width + 6


@dataclass
class BarChart:
    title: str
    bars: list[Bar] = field(default_factory=list)
    marker_x: float | None = None  # a threshold line
    marker_text: str = ""
    width: int = WIDTH
    label_width: int = LABEL_WIDTH
    bar_height: int = BAR_HEIGHT

    @property
    def height(self) -> int:
        return len(self.bars) * ROW_HEIGHT + (24 if self.marker_x is not None else 6)

    @property
    def marker_label_y(self) -> int:
        return self.height - 6


def bar_chart(
    *,
    title: str,
    rows: list[tuple[str, float, str, bool]],
    scale_max: float | None = None,
    marker: float | None = None,
    marker_text: str = "",
) -> BarChart:
    """Rows are (label, value, value as text, flagged); bars scale to the largest value."""
    top = max([scale_max or 0, marker or 0, *(value for _, value, _, _ in rows)]) or 1
    chart = BarChart(title=title, marker_text=marker_text)
    for index, (label, value, text, flagged) in enumerate(rows):
        chart.bars.append(
            Bar(
                label=label if len(label) <= 28 else label[:27] + "…",
                value_text=text,
                y=index * ROW_HEIGHT + 4,
                width=round(BAR_AREA * value / top, 1),
                flagged=flagged,
            )
        )
    if marker is not None:
        chart.marker_x = round(LABEL_WIDTH + BAR_AREA * marker / top, 1)
    return chart


def shade(count: int, top: int) -> int:
    """A heat level 0-4 for a coupling matrix cell."""
    if count <= 0 or top <= 0:
        return 0
    return max(1, min(4, round(4 * count / top)))
