"""The share chart: a PNG readable on a phone, bars sorted best first, coloured against the target."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from handlers.reports.charts import BAD, GOOD, MAX_BARS, NEUTRAL, share_chart


def _image(png: bytes) -> Image.Image:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return Image.open(io.BytesIO(png)).convert("RGB")


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))


def _rows_with(img: Image.Image, colour: str) -> list[int]:
    """The pixel rows that contain the bar colour (a bar is a solid block of it)."""
    rgb, (w, h) = _rgb(colour), img.size
    px = img.load()
    return [y for y in range(h) if sum(1 for x in range(0, w, 4) if px[x, y] == rgb) >= 5]


def test_chart_is_wide_and_sorted_best_first():
    png = share_chart("Capaian tugas per satker", ["POLRES RENDAH", "POLRES TINGGI"], [12.5, 96.0], target=90.0,
                      subtitle="DIREKTORAT BINMAS · 25 November 2026")
    img = _image(png)
    assert img.width >= 1080 and img.height >= 500
    green, red = _rows_with(img, GOOD), _rows_with(img, BAD)
    assert green and red
    assert max(green) < min(red)  # the 96% bar (at/above target) is drawn above the 12.5% bar (below target)


def test_chart_without_target_is_one_colour_and_grows_with_units():
    few = _image(share_chart("X", ["A", "B"], [10, 20], target=None))
    many = _image(share_chart("X", [f"POLRES {i}" for i in range(30)], [i * 3.0 for i in range(30)], target=None))
    assert _rows_with(few, NEUTRAL) and not _rows_with(few, GOOD) and not _rows_with(few, BAD)
    assert many.width == few.width >= 1080
    assert many.height > few.height  # ~40 px a bar, so 30 satker stay readable


def test_chart_bounds_its_input():
    with pytest.raises(ValueError):
        share_chart("X", ["A"], [1.0, 2.0], target=None)
    with pytest.raises(ValueError):
        share_chart("X", [], [], target=None)
    with pytest.raises(ValueError):
        share_chart("X", ["A"], [float("nan")], target=None)
    with pytest.raises(ValueError):
        share_chart("X", ["A"], [1.0], target=150)
    # very many units and very long names: a bounded picture, not a 20 000 px one
    img = _image(share_chart("=" * 500, ["N" * 300 + str(i) for i in range(500)], [i / 5 for i in range(500)],
                             target=50))
    assert img.width >= 1080 and img.height <= 100 * (2.4 + 0.42 * MAX_BARS) + 1
