"""A treaty as Markdown: the text a reader sees, followed by a schedule of its obligations.

Every string that comes from a scenario is escaped, so that it reads as the words it is and
never as Markdown or HTML: a scenario cannot inject a link, an image or a script.
"""

from __future__ import annotations

import re

from entente.treaty.build import for_party, printable, signed_on
from entente.treaty.model import Article, Treaty

# Backslash-escaped anywhere: emphasis, code, links and images, raw HTML and entities,
# strikethrough, table cells. An underscore is escaped only where it could open or close
# emphasis, so that identifiers such as korea_mfn stay as written.
_INLINE = re.compile(r"[\\`*\[\]<>&~|]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")
# What makes a line a heading, quote, list item, rule or setext underline.
_LINE_START = re.compile(r"^([ \t]*)([#>+=-]|\d+(?=[.)]))", re.MULTILINE)


def escape_md(text: str, *, block: bool = False) -> str:
    """`text` as literal Markdown: inline (one line) by default, or a paragraph with `block`."""
    text = printable(text)
    if block:  # an indented line would read as code: Markdown drops the indent anyway
        text = "\n".join(line.lstrip(" \t") for line in text.split("\n"))
    else:
        text = " ".join(text.split())
    text = _INLINE.sub(lambda m: "\\" + m[0], text)
    return _LINE_START.sub(_escape_start, text)


def _escape_start(m: re.Match[str]) -> str:
    lead, mark = m[1], m[2]
    return lead + (mark + "\\" if mark[-1].isdigit() else "\\" + mark)


def _article(a: Article, label: str) -> list[str]:
    head = f"### {label} {a.num}" + (f". {escape_md(a.heading)}" if a.heading else "")
    return [head, "", *[line for p in a.paragraphs for line in (escape_md(p, block=True), "")]]


def render_md(treaty: Treaty, *, obligations: bool = True) -> str:
    """Markdown text of the treaty; `obligations` appends the schedule of obligations."""
    out = [f"# {escape_md(treaty.title)}", ""]
    if treaty.short_title != treaty.title:
        out += [f"*{escape_md(treaty.short_title)}*", ""]
    out += [line for p in treaty.preamble for line in (escape_md(p, block=True), "")]
    for a in treaty.body:
        out += _article(a, "Article")
    if treaty.additional:
        out += ["## Additional articles", ""]
        for a in treaty.additional:
            out += _article(a, "Additional article")
    out += ["---", "", escape_md(signed_on(treaty)), ""]
    if treaty.languages:
        out += [f"Authentic texts: {escape_md(', '.join(treaty.languages))}.", ""]
    out += [escape_md(treaty.attestation, block=True), ""]
    for s in treaty.signatories:
        title = f", {escape_md(s.title)}" if s.title else ""
        out.append(f"- {escape_md(for_party(s.party_name))}: **{escape_md(s.name)}**{title}")
    out.append("")
    if obligations and treaty.obligations:
        out += ["## Schedule of obligations", ""]
        out += ["| id | article | holder | kind | undertaking |", "|---|---|---|---|---|"]
        for row in treaty.schedule():
            out.append("| " + " | ".join(escape_md(c) for c in row) + " |")
        out.append("")
    return "\n".join(out)
