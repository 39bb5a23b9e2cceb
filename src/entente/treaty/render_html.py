"""A treaty as a self-contained HTML page (escaped text, a little print-friendly CSS).

Every string from a scenario goes through `_e` (characters no document may hold replaced,
then HTML-escaped with quotes); element ids are slugs made unique, never the raw keys.
"""

from __future__ import annotations

import re
from html import escape

from entente.treaty.build import for_party, printable, signed_on
from entente.treaty.model import Article, Treaty

_CSS = """
body { font-family: Georgia, serif; max-width: 46em; margin: 2em auto; line-height: 1.5; }
h1 { text-align: center; } h2, h3 { margin-top: 1.6em; }
.preamble p, .conclusions p { font-style: italic; }
table { border-collapse: collapse; font-size: 0.9em; } td, th { border: 1px solid #999; padding: 0.2em 0.5em; }
"""


def _e(text: str) -> str:
    return escape(printable(text), quote=True)


def _ids(treaty: Treaty) -> dict[str, str]:
    """An id for each article: 'art-' or 'add-' and its key as a slug, unique in the page."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for a in treaty.articles:
        base = ("add-" if a.kind == "additional" else "art-") + (
            re.sub(r"[^a-z0-9_]+", "-", a.key.lower()).strip("-") or "x"
        )
        eid, n = base, 1
        while eid in used:
            n += 1
            eid = f"{base}-{n}"
        used.add(eid)
        out[a.key] = eid
    return out


def _article(a: Article, label: str, eid: str) -> str:
    heading = f"{label} {a.num}" + (f". {_e(a.heading)}" if a.heading else "")
    paras = "".join(f"<p>{_e(p)}</p>" for p in a.paragraphs)
    return f'<section class="article" id="{eid}"><h3>{heading}</h3>{paras}</section>'


def render_html(treaty: Treaty, *, obligations: bool = True) -> str:
    """HTML page of the treaty; `obligations` appends the schedule of obligations."""
    ids = _ids(treaty)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(treaty.short_title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{_e(treaty.title)}</h1>",
        '<div class="preamble">',
        *(f"<p>{_e(p)}</p>" for p in treaty.preamble),
        "</div>",
        *(_article(a, "Article", ids[a.key]) for a in treaty.body),
    ]
    if treaty.additional:
        parts.append("<h2>Additional articles</h2>")
        parts += [_article(a, "Additional article", ids[a.key]) for a in treaty.additional]
    parts.append('<div class="conclusions">')
    parts.append(f"<p>{_e(signed_on(treaty))}</p>")
    if treaty.languages:
        parts.append(f"<p>Authentic texts: {_e(', '.join(treaty.languages))}.</p>")
    parts.append(f"<p>{_e(treaty.attestation)}</p><ul>")
    for s in treaty.signatories:
        title = f", {_e(s.title)}" if s.title else ""
        parts.append(
            f"<li>{_e(for_party(s.party_name))}: <strong>{_e(s.name)}</strong>{title}</li>"
        )
    parts.append("</ul></div>")
    if obligations and treaty.obligations:
        parts.append(
            "<h2>Schedule of obligations</h2><table><tr><th>id</th><th>article</th>"
            "<th>holder</th><th>kind</th><th>undertaking</th></tr>"
        )
        for row in treaty.schedule():
            parts.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)
