"""The monthly trend as a chart: SVG for the page (no chart library), PNG for a download.

Both are drawn from one layout, so the picture a leader pastes into a report is the one on
the page. The PNG is drawn with Pillow (matplotlib is not a dependency) at four times its
size and scaled down, which smooths its lines; text is set in DejaVu Sans when the system
has it (every Vietnamese letter), else in Pillow's own font.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils import formats
from django.utils.html import escape
from PIL import Image, ImageDraw, ImageFont

from urbanmgmt.leaders.services import Trend

WIDTH, HEIGHT = 760, 330
LEFT, RIGHT, TOP, BOTTOM = 58, 18, 62, 40
GRID, INK, MUTED = "#e5e7eb", "#111827", "#6b7280"
FONT_FILES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)


@dataclass(frozen=True)
class Line:
    label: str
    color: str
    points: list[tuple[float, float, float] | None]  # (x, y, value), None for no value


@dataclass(frozen=True)
class Layout:
    title: str
    y_ticks: list[tuple[float, str]]  # (y, label)
    x_labels: list[tuple[float, str]]
    lines: list[Line]
    plot: tuple[float, float, float, float]  # left, top, right, bottom


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * magnitude >= raw:
            return factor * magnitude
    return 10 * magnitude


def _number(value: float) -> str:
    decimals = 0 if float(value).is_integer() else 1
    return formats.number_format(value, decimals, use_l10n=True, force_grouping=True)


def layout(trend: Trend) -> Layout:
    values = [v for s in trend.series for v in s.values if v is not None]
    top_value = 100.0 if trend.unit == "%" else max(values, default=0.0)
    step = _nice_step(top_value) if top_value > 0 else 1.0
    y_max = step * max(1, math.ceil(top_value / step))
    left, top, right, bottom = LEFT, TOP, WIDTH - RIGHT, HEIGHT - BOTTOM
    n = len(trend.months)

    def x(i: int) -> float:
        return left + (right - left) * ((i + 0.5) / n if n else 0.5)

    def y(value: float) -> float:
        return bottom - (bottom - top) * value / y_max

    ticks = []
    value = 0.0
    while value <= y_max + step / 2:
        ticks.append((y(value), _number(value) + ("%" if trend.unit == "%" else "")))
        value += step
    every = max(1, math.ceil(n / 12))
    x_labels = [(x(i), label) for i, label in enumerate(trend.labels) if i % every == 0]
    lines = [
        Line(
            series.label,
            series.color,
            [None if v is None else (x(i), y(v), v) for i, v in enumerate(series.values)],
        )
        for series in trend.series
    ]
    return Layout(trend.title, ticks, x_labels, lines, (left, top, right, bottom))


def _segments(points: list[tuple[float, float, float] | None]) -> list[list[tuple[float, float]]]:
    segments: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            if segments[-1]:
                segments.append([])
        else:
            segments[-1].append(point[:2])
    return [s for s in segments if s]


def _legend_positions(chart: Layout, measure) -> list[float]:
    positions, x = [], chart.plot[0]
    for line in chart.lines:
        positions.append(x)
        x += 22 + measure(line.label) + 18
    return positions


def svg(trend: Trend, *, element_id: str = "trend") -> str:
    """The chart as an SVG element for inlining in a page (and as a file)."""
    chart = layout(trend)
    left, _top, right, bottom = chart.plot
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="{element_id}-title" '
        f'font-family="DejaVu Sans, system-ui, sans-serif" font-size="12" class="trend-chart">',
        f'<title id="{element_id}-title">{escape(chart.title)}</title>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{left}" y="20" font-size="15" font-weight="bold" fill="{INK}">'
        f"{escape(chart.title)}</text>",
    ]
    for ty, label in chart.y_ticks:
        parts.append(
            f'<line x1="{left}" x2="{right}" y1="{ty:.1f}" y2="{ty:.1f}" stroke="{GRID}"/>'
            f'<text x="{left - 6}" y="{ty + 4:.1f}" text-anchor="end" fill="{MUTED}">'
            f"{escape(label)}</text>"
        )
    for tx, label in chart.x_labels:
        parts.append(
            f'<text x="{tx:.1f}" y="{bottom + 18}" text-anchor="middle" fill="{MUTED}">'
            f"{escape(label)}</text>"
        )
    parts.append(f'<line x1="{left}" x2="{right}" y1="{bottom}" y2="{bottom}" stroke="{MUTED}"/>')
    positions = _legend_positions(chart, lambda text: 7 * len(text))
    for line, lx in zip(chart.lines, positions, strict=True):
        parts.append(
            f'<line x1="{lx}" x2="{lx + 16}" y1="40" y2="40" stroke="{line.color}" '
            f'stroke-width="3"/><text x="{lx + 22}" y="44" fill="{INK}">{escape(line.label)}</text>'
        )
    for line in chart.lines:
        for segment in _segments(line.points):
            coords = " ".join(f"{px:.1f},{py:.1f}" for px, py in segment)
            parts.append(
                f'<polyline points="{coords}" fill="none" stroke="{line.color}" '
                f'stroke-width="2.5" stroke-linejoin="round"/>'
            )
        for point in line.points:
            if point is not None:
                px, py, value = point
                parts.append(
                    f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.5" fill="{line.color}">'
                    f"<title>{escape(line.label)}: {escape(_number(value))}</title></circle>"
                )
    parts.append("</svg>")
    return "".join(parts)


@cache
def _font_file() -> Path | None:
    return next((path for path in FONT_FILES if path.exists()), None)


def _font(size: float) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _font_file()
    if path is not None:
        return ImageFont.truetype(str(path), round(size))
    return ImageFont.load_default(size=round(size))


def png(trend: Trend, *, scale: int = 2) -> bytes:
    """The chart as a PNG, `scale` times the SVG's size (for a sharp print)."""
    chart = layout(trend)
    over = 4 * scale  # drawn larger, then scaled down: smooth lines

    def s(v: float) -> float:
        return v * over

    image = Image.new("RGB", (WIDTH * over, HEIGHT * over), "#ffffff")
    draw = ImageDraw.Draw(image)
    text, title = _font(12 * over), _font(15 * over)
    left, _top, right, bottom = chart.plot
    draw.text((s(left), s(8)), chart.title, font=title, fill=INK)
    for ty, label in chart.y_ticks:
        draw.line([(s(left), s(ty)), (s(right), s(ty))], fill=GRID, width=over)
        draw.text((s(left - 6), s(ty)), label, font=text, fill=MUTED, anchor="rm")
    for tx, label in chart.x_labels:
        draw.text((s(tx), s(bottom + 6)), label, font=text, fill=MUTED, anchor="mt")
    draw.line([(s(left), s(bottom)), (s(right), s(bottom))], fill=MUTED, width=over)
    positions = _legend_positions(chart, lambda t: draw.textlength(t, font=text) / over)
    for line, lx in zip(chart.lines, positions, strict=True):
        draw.line([(s(lx), s(40)), (s(lx + 16), s(40))], fill=line.color, width=3 * over)
        draw.text((s(lx + 22), s(40)), line.label, font=text, fill=INK, anchor="lm")
    for line in chart.lines:
        for segment in _segments(line.points):
            if len(segment) > 1:
                draw.line(
                    [(s(px), s(py)) for px, py in segment],
                    fill=line.color,
                    width=round(2.5 * over),
                    joint="curve",
                )
        for point in line.points:
            if point is not None:
                px, py, _value = point
                r = 3.5 * over
                draw.ellipse([s(px) - r, s(py) - r, s(px) + r, s(py) + r], fill=line.color)
    image = image.resize((WIDTH * scale, HEIGHT * scale), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
