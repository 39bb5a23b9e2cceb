"""A treaty as Markdown: the text a reader sees, followed by a schedule of its obligations."""

from __future__ import annotations

from entente.treaty.build import signed_on
from entente.treaty.model import Article, Treaty


def _article(a: Article, label: str) -> list[str]:
    head = f"### {label} {a.num}" + (f". {a.heading}" if a.heading else "")
    return [head, "", *[line for p in a.paragraphs for line in (p, "")]]


def render_md(treaty: Treaty, *, obligations: bool = True) -> str:
    """Markdown text of the treaty; `obligations` appends the schedule of obligations."""
    out = [f"# {treaty.title}", ""]
    if treaty.short_title != treaty.title:
        out += [f"*{treaty.short_title}*", ""]
    out += [line for p in treaty.preamble for line in (p, "")]
    for a in treaty.body:
        out += _article(a, "Article")
    if treaty.additional:
        out += ["## Additional articles", ""]
        for a in treaty.additional:
            out += _article(a, "Additional article")
    out += ["---", "", signed_on(treaty), ""]
    if treaty.languages:
        out += [f"Authentic texts: {', '.join(treaty.languages)}.", ""]
    out += [treaty.attestation, ""]
    for s in treaty.signatories:
        out.append(f"- For the {s.party_name}: **{s.name}**" + (f", {s.title}" if s.title else ""))
    out.append("")
    if obligations and treaty.obligations:
        out += ["## Schedule of obligations", ""]
        out += ["| id | article | holder | kind | undertaking |", "|---|---|---|---|---|"]
        for row in treaty.schedule():
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
        out.append("")
    return "\n".join(out)
