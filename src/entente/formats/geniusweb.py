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
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from entente.errors import EntenteError, ScenarioError, quoted
from entente.formats.additive import affine, from_tables, tables, weighted
from entente.formats.safe import check_text, kind, read_json, write_atomic
from entente.prefs import Floats, Preferences
from entente.scenario import Party, Scenario
from entente.space import Issue, OutcomeSpace, integer, real

PROFILE = "LinearAdditiveUtilitySpace"
MAX_OPTIONS = 1_000_000
_KEYS = {"issuesValues", "issueWeights", "issueUtilities", "domain", "reservationBid"}
"""Keys that mark a JSON object as GeniusWeb's (a profile of any type holds a domain)."""


def load(source: str | Path) -> Scenario:
    """A scenario from a folder of GeniusWeb profiles (or one profile file: its folder).

    Every `.json` file of the folder is read: a domain, a LinearAdditiveUtilitySpace profile,
    or a JSON document with nothing of GeniusWeb in it (not part of the scenario). A profile of
    another type, or a file that cannot be read, is refused.
    """
    src = Path(source)
    folder = src if kind(src) == "folder" else src.parent
    profiles: list[tuple[Path, dict[str, Any]]] = []
    domain: dict[str, Any] | None = None
    domain_file = src
    try:
        entries = sorted(folder.iterdir())
    except OSError as e:
        raise ScenarioError(
            f"cannot list the folder: {e.strerror or e}", file=str(folder)
        ) from None
    for f in entries:
        if f.suffix.lower() != ".json" or (f != src and kind(f) == "folder"):
            continue
        data = read_json(f)
        if not isinstance(data, dict):
            raise ScenarioError(
                f"expected a GeniusWeb domain or profile (a JSON object), got {_type(data)}",
                file=str(f),
            )
        if PROFILE in data:
            body = data[PROFILE]
            if not isinstance(body, dict):
                raise ScenarioError(
                    f"expected an object, got {_type(body)}", file=str(f), field=PROFILE
                )
            profiles.append((f, body))
        elif "issuesValues" in data:
            if domain is None:
                domain, domain_file = data, f
        elif (
            len(data) == 1
            and isinstance(body := next(iter(data.values())), dict)
            and (_KEYS & body.keys())
        ):
            raise ScenarioError(
                f"GeniusWeb profile type {quoted(next(iter(data)))} is not supported "
                f"(expected {PROFILE})",
                file=str(f),
            )
        elif _KEYS & data.keys():
            raise ScenarioError(
                f"expected a GeniusWeb domain ('issuesValues') or profile ({PROFILE!r})",
                file=str(f),
            )
    if len(profiles) < 2:
        beside = " in its folder" if folder is not src else ""
        raise ScenarioError(
            f"needs at least two GeniusWeb {PROFILE} profiles{beside}, found {len(profiles)}",
            file=str(src),
        )
    check_text([folder.resolve().name], folder, "folder name")
    for f, _ in profiles:
        check_text([f.stem], f, "file name (the party's id)")
    first, body = profiles[0]
    if "domain" in body:
        space = read_domain(body["domain"], first)
    elif domain is not None:
        space = read_domain(domain, domain_file)
    else:
        raise ScenarioError(
            "profile holds no 'domain' and its folder no GeniusWeb domain file", file=str(first)
        )
    parties = tuple(Party(f.stem, f.stem, read_profile(p, space, f)) for f, p in profiles)
    named = (domain or body.get("domain") or {}).get("name")
    name = named if isinstance(named, str) and named.strip() else folder.resolve().name
    check_text([name], src, "domain name")
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


def _type(v: Any) -> str:
    """What a JSON value is, as a message says it."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return f"the number {quoted(v)}"
    if isinstance(v, str):
        return f"the text {quoted(v)}"
    return "an array" if isinstance(v, list) else "an object"


def _finite(v: Any) -> float:
    """A JSON number (or numeric text), refusing NaN, infinities and everything else."""
    if isinstance(v, bool) or not isinstance(v, int | float | str):
        raise EntenteError(f"expected a finite number, got {_type(v)}")
    try:
        x = float(v)
    except (ValueError, OverflowError):
        x = math.nan
    if not math.isfinite(x):
        raise EntenteError(f"expected a finite number, got {quoted(v)}")
    return x


def _object(v: Any, what: str = "an object") -> dict[str, Any]:
    if not isinstance(v, dict):
        raise EntenteError(f"expected {what}, got {_type(v)}")
    return v


def _label(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, str | int | float):
        raise EntenteError(f"expected text or a number as a value, got {_type(v)}")
    if isinstance(v, float):
        _finite(v)
        if v.is_integer():
            return str(int(v))
    return str(v)


def read_domain(data: Any, file: Path) -> OutcomeSpace:
    """The outcome space of a GeniusWeb domain object."""
    if not isinstance(data, dict) or not isinstance(data.get("issuesValues"), dict):
        raise ScenarioError("expected a domain with 'issuesValues'", file=str(file))
    issues: list[Issue] = []
    for name, vs in data["issuesValues"].items():
        check_text([name], file, "issuesValues")
        try:
            vs = _object(vs, "{'values': [...]} or {'range': {...}}")
            if isinstance(vs.get("values"), list):
                if len(vs["values"]) > MAX_OPTIONS:
                    raise EntenteError(
                        f"{len(vs['values']):,} values, more than the limit of {MAX_OPTIONS:,}"
                    )
                labels = tuple(_label(v) for v in vs["values"])
                check_text(labels, file, _path("issuesValues", name, "values"))
                issues.append(Issue(name, labels, name=name))
            elif "range" in vs:
                r = _object(vs["range"], "{'low', 'high', 'step'}")
                missing = [k for k in ("low", "high", "step") if k not in r]
                if missing:
                    raise EntenteError(f"range lacks {', '.join(missing)}")
                lo, hi, step = (_finite(r[k]) for k in ("low", "high", "step"))
                if not (step > 0 and (hi - lo) / step + 1 <= MAX_OPTIONS):
                    raise EntenteError(
                        f"range step must be positive and give at most {MAX_OPTIONS:,} values"
                    )
                if step == 1 and lo.is_integer() and hi.is_integer():
                    issues.append(integer(name, int(lo), int(hi), name))
                else:
                    issues.append(real(name, lo, hi, step, name))
            else:
                raise EntenteError("expected {'values': [...]} or {'range': {...}}")
        except EntenteError as e:
            raise ScenarioError(str(e), file=str(file), field=_path("issuesValues", name)) from None
    if not issues:
        raise ScenarioError("declares no issues", file=str(file))
    try:
        return OutcomeSpace(tuple(issues))
    except EntenteError as e:
        raise ScenarioError(str(e), file=str(file)) from None


def _path(*keys: str) -> str:
    """A field path such as issueUtilities.price, each key cut short."""
    return ".".join(k if len(k) <= 40 else quoted(k, 40) for k in keys)


def read_profile(p: dict[str, Any], space: OutcomeSpace, file: Path) -> Preferences:
    """Preferences from the body of a LinearAdditiveUtilitySpace."""
    weights, utils = p.get("issueWeights"), p.get("issueUtilities")
    if not isinstance(weights, dict) or not isinstance(utils, dict):
        raise ScenarioError(
            "profile needs 'issueWeights' and 'issueUtilities' (objects)", file=str(file)
        )
    t: list[Floats] = []
    for iss in space.issues:
        for key, table in (("issueWeights", weights), ("issueUtilities", utils)):
            if iss.id not in table:
                raise ScenarioError(
                    "missing for this issue", file=str(file), field=_path(key, iss.id)
                )
        try:
            w = _finite(weights[iss.id])
        except EntenteError as e:
            where = _path("issueWeights", iss.id)
            raise ScenarioError(str(e), file=str(file), field=where) from None
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                t.append(w * _utilities(utils[iss.id], iss))
        except EntenteError as e:
            where = _path("issueUtilities", iss.id)
            raise ScenarioError(str(e), file=str(file), field=where) from None
    if not all(np.isfinite(ti).all() for ti in t) or not np.isfinite(
        sum(float(np.abs(ti).max()) for ti in t)
    ):
        raise ScenarioError(
            "utilities overflow: weights and utilities too large to add up", file=str(file)
        )
    prefs = Preferences(terms=(from_tables(t),))
    bid = p.get("reservationBid")
    if bid is not None:
        try:
            values = _object(_object(bid).get("issuevalues"), "'issuevalues' (an object)")
            labels = {k: _label(v) for k, v in values.items()}
            r = prefs(space.parse(labels))
        except EntenteError as e:
            raise ScenarioError(str(e), file=str(file), field="reservationBid") from None
        prefs = Preferences(terms=prefs.terms, reservation=r)
    return prefs


def _utilities(u: Any, iss: Issue) -> Floats:
    u = _object(u, "{'discreteutils': ...} or {'numberutils': ...}")
    if "discreteutils" in u:
        du = _object(u["discreteutils"], "{'valueUtilities': {...}}")
        vu = _object(du.get("valueUtilities"), "'valueUtilities' (an object)")
        missing = [o for o in iss.options if o not in vu]
        if missing:
            raise EntenteError(
                "no utility for value(s) " + ", ".join(quoted(m) for m in missing[:3])
            )
        vals = []
        for o in iss.options:
            try:
                vals.append(_finite(vu[o]))
            except EntenteError as e:
                raise EntenteError(f"valueUtilities.{quoted(o, 40)}: {e}") from None
        return np.array(vals)
    if "numberutils" in u and iss.values is not None:
        n = _object(u["numberutils"])
        keys = ("lowValue", "lowUtility", "highValue", "highUtility")
        missing = [k for k in keys if k not in n]
        if missing:
            raise EntenteError(f"numberutils lacks {', '.join(missing)}")
        x0, u0, x1, u1 = (_finite(n[k]) for k in keys)
        x = np.clip(np.asarray(iss.values), min(x0, x1), max(x0, x1))
        with np.errstate(over="ignore", invalid="ignore"):
            out = u0 + (u1 - u0) * (x - x0) / (x1 - x0) if x1 != x0 else np.full(len(x), u0)
        if not np.isfinite(out).all():
            raise EntenteError("numberutils too large (the utilities overflow)")
        return np.asarray(out, dtype=float)
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
