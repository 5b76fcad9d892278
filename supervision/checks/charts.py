"""Trend charts drawn on the server as inline SVG: no script (the admin's CSP), no external library."""

from django.utils.html import format_html, format_html_join

from .rules import PASS_MARK


def trend_svg(points, width=240, height=60, title="近 30 天得分"):
    """A line of daily scores (``[(day, score, passed)]``, oldest first) on a 0–100 scale, with the
    pass mark drawn as a dashed line and failing days as red dots."""
    if not points:
        return format_html('<span class="supervision-trend--none">{}</span>', "暂无数据")
    pad = 4
    span = max(len(points) - 1, 1)

    def x(i):
        return pad + (width - 2 * pad) * i / span

    def y(score):
        return pad + (height - 2 * pad) * (1 - max(0.0, min(100.0, score)) / 100)

    line = " ".join(f"{x(i):.1f},{y(score):.1f}" for i, (_day, score, _passed) in enumerate(points))
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="2.5" fill="{}"><title>{} {} 分{}</title></circle>',
        (
            (
                f"{x(i):.1f}",
                f"{y(score):.1f}",
                "#1a7f37" if passed else "#cf222e",
                f"{day:%Y-%m-%d}",
                score,
                "" if passed else " 不合格",
            )
            for i, (day, score, passed) in enumerate(points)
        ),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{w}" height="{h}" viewBox="0 0 {w} {h}">'
        "<title>{title}</title>"
        '<line x1="{pad}" x2="{x2}" y1="{pm}" y2="{pm}" stroke="#888" stroke-dasharray="3 3"/>'
        '<polyline points="{line}" fill="none" stroke="#0b4f9c" stroke-width="1.5"/>{dots}</svg>',
        w=width,
        h=height,
        title=title,
        pad=pad,
        x2=width - pad,
        pm=f"{y(PASS_MARK):.1f}",
        line=line,
        dots=dots,
    )
