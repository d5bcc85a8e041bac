"""A bulletin as HTML (the preview, and the source of its PDF) and as PDF: rendered by WeasyPrint with the
CJK fonts the server has embedded (subset), so every glyph shows wherever it is opened."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from govgrid.domain.bulletins import span, written
from govgrid.services.bulletins.charts import bars_svg, density_svg, trend_svg
from govgrid.services.bulletins.content import Bulletin

HERE = Path(__file__).resolve().parent
STYLESHEET = HERE.parents[1] / "web" / "static" / "css" / "bulletin.css"
_templates = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(["html"]))


def render_html(bulletin: Bulletin, stylesheet: str = "/static/css/bulletin.css") -> str:
    charts = {
        "trend": trend_svg(bulletin.trend),
        "bars": bars_svg(bulletin.rates),
        "density": density_svg(bulletin.density),
    }
    return _templates.get_template("bulletin.html").render(
        b=bulletin,
        charts=charts,
        stylesheet=stylesheet,
        period_text=span(bulletin.period),
        issued_text=written(bulletin.issued_on),
    )


def render_pdf(bulletin: Bulletin) -> bytes:
    from weasyprint import HTML

    html = render_html(bulletin, stylesheet=STYLESHEET.as_uri())
    return bytes(HTML(string=html, base_url=str(HERE)).write_pdf())
