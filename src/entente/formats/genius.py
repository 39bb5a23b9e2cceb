"""GENIUS XML: a domain file and one profile (utility space) per party.

Read as GENIUS reads them: a discrete item's evaluation is divided by the issue's largest
evaluation; an integer evaluator gives offset + slope * (x - lowerbound), clamped to [0, 1];
a real evaluator (linear, constant, triangular) is sampled on a grid of options (`resolution`,
by default a hundredth of the issue's range); issues are matched between domain and profile
by name and weights by issue index, so a root objective numbered 1 with issues from 2 reads
right; a discount factor of 0 or 1 means none. ANAC 2014 nonlinear profiles become
`HyperRectangles`, divided by their `maxutility` and capped at 1. An ANAC 2019 profile of type
UNCERTAIN keeps its true utility as the party's preferences, and its party records the
`Uncertainty` (comparisons, errors) that `prefs_ranking` turns into what the agent sees.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from entente.errors import EntenteError, ScenarioError, quoted
from entente.formats.genius_domain import space_of
from entente.formats.genius_profile import prefs_of
from entente.formats.genius_uncertain import uncertainty_of
from entente.formats.genius_xml import DOMAIN, PROFILE, Doc
from entente.formats.safe import BOM, check_text, kind, parse_xml, parse_xml_bytes, read_bytes
from entente.scenario import Party, Scenario

_GENIUS_TAGS = {DOMAIN, PROFILE, "objective", "issue", "weight", "evaluator", "hyperRectangle"}


def load(
    source: str | Path,
    profiles: Sequence[str | Path] | None = None,
    *,
    resolution: float | None = None,
) -> Scenario:
    """A scenario from a GENIUS folder, or a domain file and its profiles.

    A folder: its one `negotiation_template` file is the domain and every `utility_space` file
    a party, in sorted file-name order, named by file stem. A domain file without `profiles`:
    the profiles beside it. A profile file: the scenario of its folder. Other XML documents of
    the folder (no GENIUS element in them), and files of plain numbers (GENIUS's pareto.xml),
    are not part of the scenario; any other file that cannot be read is refused.
    """
    src = Path(source)
    if kind(src) == "folder":
        folder = src
        domains, found = _scan(folder)
        if len(domains) != 1:
            names = ", ".join(quoted(d.path.name) for d in domains[:3]) or "none"
            raise ScenarioError(
                f"expected one GENIUS domain file (<{DOMAIN}>), found {names}", file=str(src)
            )
        domain = domains[0]
    else:
        folder = src.parent
        given = Doc(src, parse_xml(src))
        tag = given.root.tag
        if tag not in (DOMAIN, PROFILE):
            raise ScenarioError(
                f"expected a GENIUS domain (<{DOMAIN}>) or profile (<{PROFILE}>), "
                f"found <{quoted(tag)[1:-1]}>",
                file=str(src),
            )
        domains, found = _scan(folder, given) if profiles is None or tag == PROFILE else ([], [])
        if tag == DOMAIN:
            domain = given
        elif len(domains) == 1:
            domain = domains[0]
        else:
            names = ", ".join(quoted(d.path.name) for d in domains[:3]) or "none"
            raise ScenarioError(
                f"is a GENIUS profile: its folder must hold one domain file (<{DOMAIN}>), "
                f"found {names}",
                file=str(src),
            )
    if profiles is not None:
        found = [Doc(Path(p), parse_xml(Path(p))) for p in profiles]
    check_text([folder.resolve().name], folder, "folder name")
    for d in found:
        check_text([d.path.stem], d.path, "file name (the party's id)")
    space = space_of(domain, resolution)
    if len(found) < 2:
        beside = "" if folder is src or profiles is not None else " in its folder"
        raise ScenarioError(
            f"needs at least two GENIUS profiles (<{PROFILE}>){beside}, found {len(found)}",
            file=str(src),
        )
    parties = tuple(
        Party(d.path.stem, d.path.stem, prefs_of(d, space), uncertainty=uncertainty_of(d))
        for d in sorted(found, key=lambda d: d.path.name)
    )
    sid = re.sub(r"[^A-Za-z0-9_-]", "_", folder.resolve().name) or "genius"
    try:
        return Scenario(
            id=sid, title=folder.resolve().name, space=space, parties=parties, path=str(src)
        )
    except EntenteError as e:
        raise ScenarioError(str(e), file=str(src)) from None


def _scan(folder: Path, given: Doc | None = None) -> tuple[list[Doc], list[Doc]]:
    """The domain files and the profile files of a folder, each parsed once.

    `.xml` files only (other files are not GENIUS's). An XML document with no GENIUS element
    and a file of plain numbers (GENIUS writes pareto.xml so) are not part of the scenario; a
    file that is neither, cannot be read or holds GENIUS elements under another root is refused.
    """
    try:
        entries = sorted(folder.iterdir())
    except OSError as e:
        raise ScenarioError(
            f"cannot list the folder: {e.strerror or e}", file=str(folder)
        ) from None
    domains: list[Doc] = []
    profiles: list[Doc] = []
    for f in entries:
        if f.suffix.lower() != ".xml":
            continue
        if given is not None and f.name == given.path.name:
            doc = given
        else:
            if kind(f) == "folder":
                continue
            data = read_bytes(f)
            if _numbers_only(data):
                continue
            doc = Doc(f, parse_xml_bytes(data, f))
        tag = doc.root.tag
        if tag == DOMAIN:
            domains.append(doc)
        elif tag == PROFILE:
            profiles.append(doc)
        elif any(_local(e.tag) in _GENIUS_TAGS for e in doc.root.iter()):
            raise ScenarioError(
                f"root element <{quoted(tag)[1:-1]}> is neither <{DOMAIN}> (a GENIUS domain) "
                f"nor <{PROFILE}> (a profile)",
                file=str(f),
            )
    return domains, profiles


def _numbers_only(data: bytes) -> bool:
    """Whether a file holds only numbers and separators (GENIUS's pareto.xml), no markup."""
    body = data.removeprefix(BOM)
    rest = body.translate(None, b"0123456789.,;eE+- \t\r\n")
    return not rest and any(c in body for c in b"0123456789")


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]
