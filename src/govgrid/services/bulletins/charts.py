"""A bulletin's three charts — 30 days of intake and closure, the streets' 按期结案率, case density by community
— as SVG for the HTML and the PDF, and as PNG for the .docx (drawn with Pillow in a free CJK font the server
has; without one the labels fall back to Pillow's own font and the .docx still opens)."""

from __future__ import annotations

import io
from datetime import date
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

W, H, PAD = 640, 260, 40
FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
BLUE, GREEN, RED, GREY = "#1565c0", "#2e7d32", "#c62828", "#9e9e9e"


def _scale(values: list[float], low: float, high: float) -> list[float]:
    top = max(values + [1.0])
    return [high - (high - low) * v / top for v in values]


def trend_svg(trend: list[tuple[date, int, int]]) -> str:
    if not trend:
        return ""
    xs = [PAD + (W - 2 * PAD) * n / max(len(trend) - 1, 1) for n in range(len(trend))]
    series = [[float(r) for _, r, _ in trend], [float(c) for _, _, c in trend]]
    top = max(max(s) for s in series) or 1.0
    ys = [[H - PAD - (H - 2 * PAD) * v / top for v in s] for s in series]
    lines = "".join(
        f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, y_values, strict=True))}"/>'
        for colour, y_values in ((BLUE, ys[0]), (GREEN, ys[1]))
    )
    labels = "".join(
        f'<text x="{xs[n]:.1f}" y="{H - PAD + 16}" font-size="11" text-anchor="middle">{trend[n][0]:%m-%d}</text>'
        for n in range(0, len(trend), 5)
    )
    legend = (
        f'<text x="{PAD}" y="18" font-size="13" fill="{BLUE}">— 上报</text>'
        f'<text x="{PAD + 70}" y="18" font-size="13" fill="{GREEN}">— 结案</text>'
        f'<text x="{W - PAD}" y="18" font-size="12" text-anchor="end">最多 {int(top)} 件/日</text>'
    )
    axis = f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - PAD}" y2="{H - PAD}" stroke="{GREY}"/>'
    return _svg("近30日上报与结案", axis + lines + labels + legend)


def bars_svg(rates: list[tuple[str, float | None]]) -> str:
    shown = [(name, rate) for name, rate in rates if rate is not None]
    if not shown:
        return ""
    height = 24 * len(shown) + 30
    rows = []
    for n, (name, rate) in enumerate(sorted(shown, key=lambda item: -item[1])):
        y = 20 + 24 * n
        width = (W - 200) * rate
        rows.append(
            f'<text x="150" y="{y + 14}" font-size="12" text-anchor="end">{escape(name)}</text>'
            f'<rect x="160" y="{y}" width="{width:.1f}" height="16" fill="{BLUE if rate >= 0.8 else RED}"/>'
            f'<text x="{165 + width:.1f}" y="{y + 13}" font-size="11">{rate * 100:.2f}%</text>'
        )
    return _svg("各街道按期结案率", "".join(rows), height)


def density_svg(density: list[tuple[str, float, float, int]]) -> str:
    if not density:
        return ""
    lngs, lats = [d[1] for d in density], [d[2] for d in density]
    most = max(d[3] for d in density)
    x0, x1, y0, y1 = min(lngs), max(lngs), min(lats), max(lats)
    dots = []
    for name, lng, lat, count in density:
        x = PAD + (W - 2 * PAD) * ((lng - x0) / ((x1 - x0) or 1))
        y = H - PAD - (H - 2 * PAD) * ((lat - y0) / ((y1 - y0) or 1))
        r = 3 + 12 * (count / most) ** 0.5
        dots.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{RED}" fill-opacity="0.45"><title>{escape(name)} {count} 件</title></circle>'
        )
    note = (
        f'<text x="{W - PAD}" y="18" font-size="12" text-anchor="end">圆越大案件越多（最多 {most} 件）</text>'
    )
    return _svg("案件密度（按社区）", "".join(dots) + note)


def _svg(title: str, body: str, height: int = H) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {height}" width="{W}" height="{height}" '
        f'role="img" aria-label="{escape(title)}" font-family="Noto Sans CJK SC, sans-serif">{body}</svg>'
    )


@lru_cache(maxsize=4)
def _font(size: int) -> Any:
    from PIL import ImageFont

    for path in FONTS:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def trend_png(trend: list[tuple[date, int, int]]) -> bytes:
    """The 30-day chart as a PNG (2× for print), for the .docx."""
    from PIL import Image, ImageDraw

    scale = 2
    image = Image.new("RGB", (W * scale, H * scale), "white")
    draw = ImageDraw.Draw(image)
    if trend:
        top = max(max(r, c) for _, r, c in trend) or 1
        xs = [scale * (PAD + (W - 2 * PAD) * n / max(len(trend) - 1, 1)) for n in range(len(trend))]
        for colour, values in ((BLUE, [r for _, r, _ in trend]), (GREEN, [c for _, _, c in trend])):
            ys = [scale * (H - PAD - (H - 2 * PAD) * value / top) for value in values]
            draw.line(list(zip(xs, ys, strict=True)), fill=colour, width=2 * scale)
        draw.line([(scale * PAD, scale * (H - PAD)), (scale * (W - PAD), scale * (H - PAD))], fill=GREY)
        for n in range(0, len(trend), 5):
            draw.text(
                (xs[n] - 14 * scale, scale * (H - PAD + 4)),
                f"{trend[n][0]:%m-%d}",
                fill="black",
                font=_font(11 * scale),
            )
        draw.text((scale * PAD, scale * 6), "— 上报", fill=BLUE, font=_font(13 * scale))
        draw.text((scale * (PAD + 70), scale * 6), "— 结案", fill=GREEN, font=_font(13 * scale))
        draw.text(
            (scale * (W - PAD - 110), scale * 6), f"最多 {top} 件/日", fill="black", font=_font(12 * scale)
        )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
