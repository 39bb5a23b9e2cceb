"""GeniusWeb JSON: a domain and LinearAdditiveUtilitySpace profiles, read and written.

A domain is {"name", "issuesValues": {issue: {"values": [...]} or {"range": {low, high,
step}}}}; a profile is {"LinearAdditiveUtilitySpace": {"domain", "issueWeights",
"issueUtilities": {issue: {"discreteutils": {"valueUtilities"}} or {"numberutils": {lowValue,
lowUtility, highValue, highUtility}}}, "reservationBid"?}}. GeniusWeb has no reservation value
or discount: the reservation is the utility of the reservation bid (0 without one), and
writing drops both. Files of a folder are parties in sorted file-name order.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from entente.errors import EntenteError, ScenarioError
from entente.formats.additive import affine, from_tables, tables, weighted
from entente.formats.safe import read_json, write_atomic
from entente.prefs import Floats, Preferences
from entente.scenario import Party, Scenario
from entente.space import Issue, OutcomeSpace, integer, real

PROFILE = "LinearAdditiveUtilitySpace"
MAX_OPTIONS = 1_000_000


def is_geniusweb(data: Any) -> bool:
    """Whether parsed JSON is a GeniusWeb domain or linear additive profile."""
    return isinstance(data, dict) and (PROFILE in data or "issuesValues" in data)


def load(source: str | Path) -> Scenario:
    """A scenario from a folder of GeniusWeb profiles (or one profile file: its folder)."""
    src = Path(source)
    folder = src if src.is_dir() else src.parent
    if not folder.is_dir():
        raise ScenarioError("no such file or folder", file=str(src))
    profiles: list[tuple[Path, dict[str, Any]]] = []
    domain: dict[str, Any] | None = None
    for f in sorted(folder.glob("*.json")):
        data = read_json(f)
        if isinstance(data, dict) and PROFILE in data:
            profiles.append((f, data[PROFILE]))
        elif isinstance(data, dict) and "issuesValues" in data:
            domain = domain or data
    if len(profiles) < 2:
        raise ScenarioError(
            f"needs at least two GeniusWeb {PROFILE} profiles, found {len(profiles)}",
            file=str(folder),
        )
    first, body = profiles[0]
    space = read_domain(body.get("domain", domain), first)
    parties = tuple(Party(f.stem, f.stem, read_profile(p, space, f)) for f, p in profiles)
    name = str((domain or body.get("domain") or {}).get("name") or folder.resolve().name)
    try:
        return Scenario(
            id=re.sub(r"[^A-Za-z0-9_-]", "_", name) or "geniusweb",
            title=name,
            space=space,
            parties=parties,
            path=str(src),
        )
    except EntenteError as e:
        raise ScenarioError(str(e), file=str(src)) from None


def _label(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, str | int | float):
        raise EntenteError(f"value {v!r} is neither text nor a number")
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def read_domain(data: Any, file: Path) -> OutcomeSpace:
    """The outcome space of a GeniusWeb domain object."""
    if not isinstance(data, dict) or not isinstance(data.get("issuesValues"), dict):
        raise ScenarioError("expected a domain with 'issuesValues'", file=str(file))
    issues: list[Issue] = []
    for name, vs in data["issuesValues"].items():
        try:
            if isinstance(vs, dict) and isinstance(vs.get("values"), list):
                if len(vs["values"]) > MAX_OPTIONS:
                    raise EntenteError("too many values")
                issues.append(Issue(name, tuple(_label(v) for v in vs["values"]), name=name))
            elif isinstance(vs, dict) and isinstance(vs.get("range"), dict):
                r = vs["range"]
                lo, hi, step = (float(r[k]) for k in ("low", "high", "step"))
                if step <= 0 or (hi - lo) / step + 1 > MAX_OPTIONS:
                    raise EntenteError("range step must be positive and not too fine")
                if step == 1 and lo.is_integer() and hi.is_integer():
                    issues.append(integer(name, int(lo), int(hi), name))
                else:
                    issues.append(real(name, lo, hi, step, name))
            else:
                raise EntenteError("expected {'values': [...]} or {'range': {...}}")
        except (EntenteError, KeyError, TypeError, ValueError) as e:
            raise ScenarioError(str(e), file=str(file), field=f"issuesValues.{name}") from None
    if not issues:
        raise ScenarioError("declares no issues", file=str(file))
    return OutcomeSpace(tuple(issues))


def read_profile(p: dict[str, Any], space: OutcomeSpace, file: Path) -> Preferences:
    """Preferences from the body of a LinearAdditiveUtilitySpace."""
    weights, utils = p.get("issueWeights"), p.get("issueUtilities")
    if not isinstance(weights, dict) or not isinstance(utils, dict):
        raise ScenarioError("profile needs 'issueWeights' and 'issueUtilities'", file=str(file))
    t: list[Floats] = []
    for iss in space.issues:
        where = f"issueUtilities.{iss.id}"
        try:
            w = float(weights[iss.id])
            t.append(w * _utilities(utils[iss.id], iss))
        except KeyError:
            raise ScenarioError("missing for this issue", file=str(file), field=where) from None
        except (EntenteError, TypeError, ValueError) as e:
            raise ScenarioError(str(e), file=str(file), field=where) from None
    prefs = Preferences(terms=(from_tables(t),))
    bid = p.get("reservationBid")
    if isinstance(bid, dict) and isinstance(bid.get("issuevalues"), dict):
        try:
            labels = {k: _label(v) for k, v in bid["issuevalues"].items()}
            r = prefs(space.parse(labels))
        except EntenteError as e:
            raise ScenarioError(str(e), file=str(file), field="reservationBid") from None
        prefs = Preferences(terms=prefs.terms, reservation=r)
    return prefs


def _utilities(u: Any, iss: Issue) -> Floats:
    if isinstance(u, dict) and "discreteutils" in u:
        vu = u["discreteutils"]["valueUtilities"]
        missing = [o for o in iss.options if o not in vu]
        if missing:
            raise EntenteError(f"no utility for value(s) {', '.join(missing[:3])}")
        return np.array([float(vu[o]) for o in iss.options])
    if isinstance(u, dict) and "numberutils" in u and iss.values is not None:
        n = u["numberutils"]
        x0, u0, x1, u1 = (
            float(n[k]) for k in ("lowValue", "lowUtility", "highValue", "highUtility")
        )
        x = np.clip(np.asarray(iss.values), min(x0, x1), max(x0, x1))
        return u0 + (u1 - u0) * (x - x0) / (x1 - x0) if x1 != x0 else np.full(len(x), u0)
    raise EntenteError("expected 'discreteutils' (or 'numberutils' for a numeric issue)")


def _number(v: float) -> int | float:
    return int(v) if float(v).is_integer() and abs(v) < 2**53 else float(v)


def _domain(scenario: Scenario) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for iss in scenario.space.issues:
        if iss.kind == "integer" and iss.values is not None:
            lo, hi = iss.values[0], iss.values[-1]
            out[iss.id] = {"range": {"low": _number(lo), "high": _number(hi), "step": 1}}
        else:
            out[iss.id] = {"values": list(iss.options)}
    return {"name": scenario.id, "issuesValues": out}


def _profile(scenario: Scenario, party: Party, domain: dict[str, Any]) -> dict[str, Any]:
    t = tables(party.prefs, party.id, "GeniusWeb")
    total = sum(float(ti.max()) for ti in t)
    if total > 1.0 + 1e-3:  # GeniusWeb value utilities and weights are at most 1
        raise ScenarioError(
            f"GeniusWeb utilities range up to 1; this one reaches {total:.6g}: normalise it first",
            field=party.id,
        )
    weights: dict[str, float] = {}
    utils: dict[str, Any] = {}
    for iss, ti in zip(scenario.space.issues, t, strict=True):
        w, ev = weighted(ti)
        weights[iss.id] = w
        line = affine(ev, np.asarray(iss.values)) if iss.kind == "integer" and iss.values else None
        if line is not None and iss.values is not None and len(iss.values) > 1:
            lo, hi = iss.values[0], iss.values[-1]
            utils[iss.id] = {
                "numberutils": {
                    "lowValue": _number(lo),
                    "lowUtility": float(ev[0]),
                    "highValue": _number(hi),
                    "highUtility": float(ev[-1]),
                }
            }
        else:
            vu = {o: float(e) for o, e in zip(iss.options, ev, strict=True)}
            utils[iss.id] = {"discreteutils": {"valueUtilities": vu}}
    body = {"domain": domain, "name": party.id, "issueWeights": weights, "issueUtilities": utils}
    return {PROFILE: body}


def save(scenario: Scenario, folder: str | Path) -> list[Path]:
    """Write `<id>-domain.json` and one `<party>.json` profile per party into `folder`."""
    out = Path(folder)
    domain = _domain(scenario)
    files = {out / f"{scenario.id}-domain.json": domain}
    for p in scenario.parties:
        f = out / f"{p.id}.json"
        if f in files:
            raise ScenarioError(f"party id {p.id!r} clashes with another file name", file=str(f))
        files[f] = _profile(scenario, p, domain)
    for f, data in files.items():
        write_atomic(f, json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    return list(files)
