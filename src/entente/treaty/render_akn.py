"""A treaty as Akoma Ntoso 3.0 XML: an act with meta, preface, preamble, body and conclusions.

Persons, organisations, places and events are declared once as TLC references in the meta
block and pointed to from the text; the timeline's events become lifecycle event references.
Output is built with the standard library and validates against the official schema. Every
text and attribute passes through `printable`, so that a control character in a scenario
cannot make the document ill-formed (ElementTree escapes markup but keeps such characters).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from entente.audit.timeline import Event
from entente.treaty.build import for_party, printable, signed_on
from entente.treaty.model import Article, Treaty

NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
_SOURCE = "#entente"
_LIFE = {
    "signature": "generation",
    "ratification": "generation",
    "exchange": "generation",
    "entry_into_force": "generation",
    "denunciation": "repeal",
    "termination": "repeal",
}


def slug(text: str) -> str:
    """A name safe for eIds and URIs: lower-case letters, digits and underscores."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "x"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k.rstrip("_"): printable(v) for k, v in attrs.items()})
    if text is not None:
        el.text = printable(text)
    return el


def render_akn(treaty: Treaty, events: Sequence[Event] = ()) -> str:
    """Akoma Ntoso XML of the treaty; `events` (its timeline) fill the lifecycle block."""
    root = ET.Element("akomaNtoso", {"xmlns": NS})
    act = _sub(root, "act", name="treaty")
    date = treaty.date.iso() if treaty.date else "1900-01-01"
    work = f"/akn/int/act/treaty/{date}/{slug(treaty.id)}"
    _meta(act, treaty, events, work, date)

    preface = _sub(act, "preface")
    p = _sub(_sub(preface, "longTitle"), "p")
    _sub(p, "docTitle", treaty.title)
    if treaty.short_title != treaty.title:
        _sub(_sub(preface, "p"), "shortTitle", treaty.short_title)

    preamble = _sub(act, "preamble")
    for text in treaty.preamble:
        _sub(preamble, "p", text)

    body = _sub(act, "body")
    for a in treaty.body:
        _article(body, a, "art", "Article")
    if treaty.additional:
        box = _sub(body, "hcontainer", eId="hcontainer_additional", name="additionalArticles")
        _sub(box, "heading", "Additional articles")
        for a in treaty.additional:
            _article(box, a, "hcontainer_additional__art", "Additional article")

    _conclusions(act, treaty)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _article(parent: ET.Element, a: Article, prefix: str, label: str) -> None:
    eid = f"{prefix}_{_arabic(a.num)}"
    art = _sub(parent, "article", eId=eid)
    _sub(art, "num", f"{label} {a.num}")
    if a.heading:
        _sub(art, "heading", a.heading)
    if len(a.paragraphs) == 1:
        _sub(_sub(art, "content"), "p", a.paragraphs[0])
        return
    for k, text in enumerate(a.paragraphs, start=1):
        para = _sub(art, "paragraph", eId=f"{eid}__para_{k}")
        _sub(para, "num", f"{k}.")
        _sub(_sub(para, "content"), "p", text)


def _arabic(num: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for i, ch in enumerate(num):
        v = values[ch]
        total += -v if i + 1 < len(num) and values[num[i + 1]] > v else v
    return total


def _person_id(name: str) -> str:
    return "person_" + slug(name)


def _meta(act: ET.Element, t: Treaty, events: Sequence[Event], work: str, date: str) -> None:
    meta = _sub(act, "meta")
    ident = _sub(meta, "identification", source=_SOURCE)
    w = _sub(ident, "FRBRWork")
    _sub(w, "FRBRthis", value=f"{work}/!main")
    _sub(w, "FRBRuri", value=work)
    _sub(w, "FRBRdate", date=date, name="signature")
    for pid, _ in t.parties:
        _sub(w, "FRBRauthor", href=f"#{slug(pid)}")
    _sub(w, "FRBRcountry", value="int")
    _sub(w, "FRBRname", value=t.short_title)
    e = _sub(ident, "FRBRExpression")
    _sub(e, "FRBRthis", value=f"{work}/eng@/!main")
    _sub(e, "FRBRuri", value=f"{work}/eng@")
    _sub(e, "FRBRdate", date=date, name="signature")
    _sub(e, "FRBRauthor", href=_SOURCE)
    _sub(e, "FRBRlanguage", language="eng")
    m = _sub(ident, "FRBRManifestation")
    _sub(m, "FRBRthis", value=f"{work}/eng@/!main.xml")
    _sub(m, "FRBRuri", value=f"{work}/eng@.akn")
    _sub(m, "FRBRdate", date=date, name="generation")
    _sub(m, "FRBRauthor", href=_SOURCE)

    kept = [ev for ev in events if ev.date.iso() >= date] if events else []
    if kept:
        life = _sub(meta, "lifecycle", source=_SOURCE)
        for k, ev in enumerate(kept, start=1):
            _sub(
                life,
                "eventRef",
                eId=f"eventRef_{k}",
                date=ev.date.iso(),
                source=_SOURCE,
                type=_LIFE.get(ev.kind, "amendment"),
                refersTo=f"#event_{k}",
            )

    refs = _sub(meta, "references", source=_SOURCE)
    _sub(
        refs,
        "TLCOrganization",
        eId="entente",
        href="/ontology/organization/entente",
        showAs="entente",
    )
    for pid, name in t.parties:
        _sub(
            refs,
            "TLCOrganization",
            eId=slug(pid),
            href=f"/ontology/organization/int/{slug(pid)}",
            showAs=name,
        )
    if t.mediator:
        _sub(
            refs,
            "TLCOrganization",
            eId="mediator",
            href=f"/ontology/organization/int/{slug(t.mediator[0])}",
            showAs=t.mediator[0],
        )
    for s in t.signatories:
        _sub(
            refs,
            "TLCPerson",
            eId=_person_id(s.name),
            href=f"/ontology/person/{slug(s.name)}",
            showAs=s.name,
        )
    for s in t.signatories:
        if s.title:
            rid = "role_" + slug(s.name)
            _sub(refs, "TLCRole", eId=rid, href=f"/ontology/role/{slug(s.title)}", showAs=s.title)
    if t.place:
        _sub(
            refs,
            "TLCLocation",
            eId="place",
            href=f"/ontology/location/{slug(t.place)}",
            showAs=t.place,
        )
    _sub(refs, "TLCEvent", eId="signature", href="/ontology/event/signature", showAs="Signature")
    for k, ev in enumerate(kept, start=1):
        _sub(
            refs,
            "TLCEvent",
            eId=f"event_{k}",
            href=f"/ontology/event/{slug(ev.kind)}_{ev.date.iso()}",
            showAs=ev.title,
        )


def _conclusions(act: ET.Element, t: Treaty) -> None:
    concl = _sub(act, "conclusions")
    p = _sub(concl, "p", "Done")
    tail: ET.Element | None = None
    if t.place:
        p.text = "Done at "
        tail = _sub(p, "location", t.place, eId="conclusions__location_1", refersTo="#place")
        tail.tail = ", on "
    else:
        p.text = "Done on "
    if t.date:
        d = _sub(p, "date", t.date.render(t.calendars), date=t.date.iso(), refersTo="#signature")
        d.tail = "."
    else:
        p.text = printable(signed_on(t))
    if t.languages:
        _sub(concl, "p", f"Authentic texts: {', '.join(t.languages)}.")
    _sub(concl, "p", t.attestation)
    for k, s in enumerate(t.signatories, start=1):
        line = _sub(concl, "p")
        line.text = printable(f"{for_party(s.party_name)}: ")
        sig = _sub(line, "signature")
        pid = _person_id(s.name)
        person = _sub(sig, "person", s.name, eId=f"conclusions__person_{k}", refersTo=f"#{pid}")
        if s.title:
            person.set("as", "#role_" + slug(s.name))
            person.tail = ", "
            _sub(
                sig, "role", s.title, eId=f"conclusions__role_{k}", refersTo="#role_" + slug(s.name)
            )
