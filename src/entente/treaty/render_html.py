"""A treaty as a self-contained HTML page (escaped text, a little print-friendly CSS)."""

from __future__ import annotations

from html import escape

from entente.treaty.build import signed_on
from entente.treaty.model import Article, Treaty

_CSS = """
body { font-family: Georgia, serif; max-width: 46em; margin: 2em auto; line-height: 1.5; }
h1 { text-align: center; } h2, h3 { margin-top: 1.6em; }
.preamble p, .conclusions p { font-style: italic; }
table { border-collapse: collapse; font-size: 0.9em; } td, th { border: 1px solid #999; padding: 0.2em 0.5em; }
"""


def _article(a: Article, label: str, prefix: str) -> str:
    heading = f"{label} {a.num}" + (f". {escape(a.heading)}" if a.heading else "")
    paras = "".join(f"<p>{escape(p)}</p>" for p in a.paragraphs)
    return f'<section class="article" id="{prefix}{a.key}"><h3>{heading}</h3>{paras}</section>'


def render_html(treaty: Treaty, *, obligations: bool = True) -> str:
    """HTML page of the treaty; `obligations` appends the schedule of obligations."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(treaty.short_title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{escape(treaty.title)}</h1>",
        '<div class="preamble">',
        *(f"<p>{escape(p)}</p>" for p in treaty.preamble),
        "</div>",
        *(_article(a, "Article", "art-") for a in treaty.body),
    ]
    if treaty.additional:
        parts.append("<h2>Additional articles</h2>")
        parts += [_article(a, "Additional article", "add-") for a in treaty.additional]
    parts.append('<div class="conclusions">')
    parts.append(f"<p>{escape(signed_on(treaty))}</p>")
    if treaty.languages:
        parts.append(f"<p>Authentic texts: {escape(', '.join(treaty.languages))}.</p>")
    parts.append(f"<p>{escape(treaty.attestation)}</p><ul>")
    for s in treaty.signatories:
        title = f", {escape(s.title)}" if s.title else ""
        parts.append(
            f"<li>For the {escape(s.party_name)}: <strong>{escape(s.name)}</strong>{title}</li>"
        )
    parts.append("</ul></div>")
    if obligations and treaty.obligations:
        parts.append(
            "<h2>Schedule of obligations</h2><table><tr><th>id</th><th>article</th>"
            "<th>holder</th><th>kind</th><th>undertaking</th></tr>"
        )
        for row in treaty.schedule():
            parts.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)
