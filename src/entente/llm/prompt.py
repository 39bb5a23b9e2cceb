"""The prompt a language model reads, the schema its reply must follow, and the reply read back.

The prompt says only what the party may see: the issues and their options, its own
preferences (as numbers, or as a ranking in words), the offers so far, what is on the table and
the time left. It is a template with `$placeholders` (`PLACEHOLDERS`), which a user may replace
with a file of their own. The reply is a JSON object whose `action` is one of the view's legal
actions and whose `offer` names an option id for every issue: both lists are enums of the
schema, so a server that decodes under the schema can only answer with legal names.
"""

from __future__ import annotations

import json
import re
import string
from pathlib import Path
from typing import Any

import numpy as np

from entente.errors import EntenteError, one_of, quoted
from entente.negotiation.actions import Accept, Action, Offer, Reject, Walk, kind, kind_names
from entente.negotiation.view import View

PLACEHOLDERS: dict[str, str] = {
    "party": "who the model speaks for: 'party 1 of 2'",
    "issues": "every issue with its option ids (and labels, where the scenario gives them)",
    "preferences": "the party's own preferences: a value per option and issue weights "
    "(mode='utilities'), or issues and options ranked in words (mode='ranking')",
    "reservation": "what the party gets with no agreement",
    "time": "the round, the deadline and the share of time left",
    "history": "the moves so far, oldest first (the last `history` of them)",
    "table": "the offer or text on the table, who put it there, and its worth to the party",
    "actions": "the actions the party may take now",
    "reply": "how to reply: the JSON object's fields",
}
"""The placeholders a template may use, and what each becomes."""

TEMPLATE = """\
You negotiate for $party. Get the best agreement you can for your side; an agreement needs \
everyone at the table.

Issues and their options:
$issues

$preferences
$reservation

$time

Moves so far:
$history

$table

$actions

$reply
"""
"""The default template."""

MODES = ("utilities", "ranking")
_ACTIONS = {
    "offer": 'offer: propose an outcome (fill in "offer": one option id for every issue)',
    "accept": "accept: accept the outcome on the table",
    "reject": 'reject: turn down the text on the table (list in "objections" the issues you '
    "object to)",
    "walk": "walk: leave the talks with no agreement",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
MESSAGE_CHARS = 280
"""The longest message the schema allows by default (and a trace keeps)."""


class Invalid(ValueError):
    """A reply that is not a legal action in the form the schema asks for (the reason)."""


def load_template(path: str) -> string.Template:
    """The template in file `path` ('' for the default), with every placeholder checked."""
    if not path:
        return string.Template(TEMPLATE)
    try:
        text = Path(path).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        why = getattr(e, "strerror", None) or str(e)
        raise EntenteError(f"llm template {path}: cannot read it ({why})") from None
    t = string.Template(text)
    if not t.is_valid():
        raise EntenteError(
            f"llm template {path}: a '$' that starts no placeholder; "
            "write $$ for a dollar sign, $name or ${name} for a placeholder"
        )
    unknown = [n for n in t.get_identifiers() if n not in PLACEHOLDERS]
    if unknown:
        raise EntenteError(
            f"llm template {path}: unknown placeholder {quoted(unknown[0])}; "
            f"expected one of {one_of(PLACEHOLDERS)}"
        )
    return t


def schema(view: View, messages: int) -> dict[str, Any]:
    """The JSON schema of a reply: enums of the legal actions and of every issue's option ids,
    and a message of at most `messages` characters (0: none)."""
    legal = kind_names(view.legal)
    props: dict[str, Any] = {"action": {"type": "string", "enum": legal}}
    required = ["action"]
    issues = view.space.issues
    if "offer" in legal:
        props["offer"] = {
            "type": "object",
            "properties": {i.id: {"type": "string", "enum": list(i.options)} for i in issues},
            "required": [i.id for i in issues],
            "additionalProperties": False,
        }
        required.append("offer")
    if "reject" in legal:
        props["objections"] = {
            "type": "array",
            "items": {"type": "string", "enum": [i.id for i in issues]},
            "maxItems": len(issues),
        }
        required.append("objections")
    if messages:
        props["message"] = {"type": "string", "maxLength": messages}
        required.append("message")
    return {
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": False,
    }


def read(text: str, view: View, messages: int) -> tuple[Action, str | None]:
    """The action a reply names, and its message of at most `messages` characters (None when
    messages are off (0) or empty).

    Raises `Invalid` with the reason when the reply is not JSON, names an action that is not
    legal now, or an option or issue that does not exist. Control characters inside strings
    are accepted (some servers let them through) and removed from the message.
    """
    try:
        data = json.loads(text, strict=False)
    except ValueError:
        raise Invalid(f"not a JSON object: {quoted(text, 80)}") from None
    if not isinstance(data, dict):
        raise Invalid(f"not a JSON object: {quoted(text, 80)}")
    legal = kind_names(view.legal)
    name = data.get("action")
    if name not in legal:
        raise Invalid(f"action {quoted(name)} is not one of {', '.join(legal)}")
    message = None
    if messages and isinstance(data.get("message"), str):
        text = data["message"].encode("utf-8", "replace").decode("utf-8")  # no lone surrogate
        message = " ".join(_CONTROL.sub(" ", text).split())[:messages] or None
    match name:
        case "offer":
            return Offer(_outcome(data.get("offer"), view)), message
        case "reject":
            return Reject(_objections(data.get("objections", []), view)), message
        case "accept":
            return Accept(), message
    return Walk(), message


def _outcome(offer: object, view: View) -> tuple[int, ...]:
    if not isinstance(offer, dict):
        raise Invalid('"offer" is not an object naming an option for every issue')
    out = []
    for issue in view.space.issues:
        got = offer.get(issue.id)
        if got not in issue.options:
            raise Invalid(
                f"offer: issue {issue.id}: {quoted(got)} is not one of its options "
                f"({one_of(issue.options, 8)})"
            )
        out.append(issue.options.index(got))
    return tuple(out)


def _objections(names: object, view: View) -> tuple[int, ...]:
    ids = [i.id for i in view.space.issues]
    if not isinstance(names, list) or any(n not in ids for n in names):
        raise Invalid(f'"objections" must list issue ids ({one_of(ids, 8)})')
    return tuple(dict.fromkeys(ids.index(n) for n in names))


def render(template: string.Template, view: View, mode: str, history: int, messages: bool) -> str:
    """The prompt for this view: the template with every placeholder filled in."""
    return template.substitute(fill(view, mode, history, messages))


def fill(view: View, mode: str, history: int, messages: bool) -> dict[str, str]:
    """What each placeholder becomes for this view."""
    own = view.me_own
    k = view.n_parties
    return {
        "party": f"party {view.me + 1} of {k}",
        "issues": _issues(view),
        "preferences": _preferences(view, mode),
        "reservation": f"With no agreement you get {own.prefs.reservation:.3f}.",
        "time": _time(view),
        "history": _history(view, history),
        "table": _table(view),
        "actions": "You may now: " + "; ".join(_ACTIONS[n] for n in kind_names(view.legal)) + ".",
        "reply": _reply(view, messages),
    }


def _who(view: View, actor: int) -> str:
    if actor == view.me:
        return "you"
    return f"party {actor + 1}" if actor < view.n_parties else "the mediator"


def _issues(view: View) -> str:
    lines = []
    for i in view.space.issues:
        options = ", ".join(
            o if i.label(j) == o else f"{o} ({i.label(j)})" for j, o in enumerate(i.options)
        )
        title = f"{i.id} ({i.name})" if i.name and i.name != i.id else i.id
        lines.append(f"- {title}: {options}")
    return "\n".join(lines)


def _outcome_text(view: View, outcome: tuple[int, ...]) -> str:
    return ", ".join(
        f"{i.id}={i.options[k]}" for i, k in zip(view.space.issues, outcome, strict=True)
    )


def _preferences(view: View, mode: str) -> str:
    own = view.me_own
    prefs, issues = own.prefs, view.space.issues
    linear = prefs.linear
    lines: list[str] = []
    if linear is not None:
        values = [np.asarray(linear.issue_values(j)) for j in range(len(issues))]
        if mode == "utilities":
            plus = f" plus {prefs.offset:.3f}" if prefs.offset else ""
            lines.append(f"Your utility of an outcome is the sum of its options' values{plus}:")
            for i, v in zip(issues, values, strict=True):
                shown = ", ".join(f"{o} {x:.3f}" for o, x in zip(i.options, v, strict=True))
                lines.append(f"- {i.id}: {shown}")
        else:
            span = [float(v.max() - v.min()) for v in values]
            by_weight = sorted(range(len(issues)), key=lambda j: -span[j])
            lines.append(
                "Issues from most to least important to you: "
                + ", ".join(issues[j].id for j in by_weight)
                + ". Options of each issue from best to worst for you:"
            )
            for j in by_weight:
                order = np.argsort(-values[j], kind="stable")
                lines.append(
                    f"- {issues[j].id}: " + " > ".join(issues[j].options[o] for o in order)
                )
    else:
        best = own.ideal
        lines.append(f"Your best outcome: {_outcome_text(view, best)} (utility {own.best:.3f}).")
        if own.table is not None:
            top = [own.outcome(int(f)) for f in own.order[:5]]
            words = "from best to worst" if mode == "ranking" else "with their utilities"
            lines.append(f"Your five best outcomes, {words}:")
            for o in top:
                worth = "" if mode == "ranking" else f" ({own.utility(o):.3f})"
                lines.append(f"- {_outcome_text(view, o)}{worth}")
    for line in prefs.red_lines:
        cond = " and ".join(
            f"{issues[i].id} in {{{', '.join(issues[i].options[o] for o in sorted(opts))}}}"
            for i, opts in line.conditions
        )
        lines.append(f"You never accept an outcome with {cond}.")
    return "\n".join(lines)


def _time(view: View) -> str:
    left = max(0.0, 1.0 - view.time)
    if view.deadline >= 2**62:
        return f"{left:.0%} of the time is left."
    return f"This is round {view.round + 1} of {view.deadline}; {left:.0%} of the time is left."


def _history(view: View, limit: int) -> str:
    moves = view.state.history
    shown = moves[-limit:] if limit else ()
    if not shown:
        return "none yet." if not moves else f"({len(moves)} moves, not shown)"
    own = view.me_own
    lines = (
        [f"({len(moves) - len(shown)} earlier moves not shown)"] if len(shown) < len(moves) else []
    )
    for m in shown:
        who = _who(view, m.actor)
        match m.action:
            case Offer(outcome):
                worth = own.utility(outcome)
                lines.append(
                    f"- round {m.round + 1}: {who} offered {_outcome_text(view, outcome)} "
                    f"(worth {worth:.3f} to you)"
                )
            case Reject(objections):
                named = ", ".join(view.space.issues[i].id for i in objections) or "nothing named"
                lines.append(f"- round {m.round + 1}: {who} rejected (objecting to {named})")
            case _:
                lines.append(f"- round {m.round + 1}: {who} chose {kind(m.action)}")
    return "\n".join(lines)


def _table(view: View) -> str:
    if view.table is None:
        return "Nothing is on the table yet."
    who = _who(view, view.state.proposer) if view.state.proposer >= 0 else "someone"
    worth = view.me_own.utility(view.table)
    return (
        f"On the table: {_outcome_text(view, view.table)}, put there by {who}; "
        f"worth {worth:.3f} to you."
    )


def _reply(view: View, messages: bool) -> str:
    legal = kind_names(view.legal)
    fields = [f'"action" (one of: {", ".join(legal)})']
    if "offer" in legal:
        fields.append('"offer" (issue id: option id, for every issue)')
    if "reject" in legal:
        fields.append('"objections" (a list of issue ids)')
    if messages:
        fields.append('"message" (one or two sentences to the others at the table)')
    return "Reply with one JSON object only, with " + ", ".join(fields) + "."
