"""Dates in the calendars a scenario states, and an audit that says everything it assumes.

A modern scenario writes one date everywhere (run header, treaty, HTML, Akoma Ntoso, audit);
the dual form belongs to scenarios whose parties used both calendars. The audit shows late
performance as a cured breach, reads a timeline without entry into force in one stated way,
fits 80 columns without cutting an id, and bounds the work a long selector can cause.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cli_run import cli
from entente.audit.audit import audit
from entente.audit.timeline import Event
from entente.calendar import BOTH, GREGORIAN, MONTHS, Date, calendars_of
from entente.errors import ScenarioError
from entente.formats.scenario_toml import json_schema, loads
from entente.scenario import Scenario
from entente.treaty.build import build, definite
from entente.treaty.model import Article, Obligation, Period, Treaty
from entente.treaty.render_akn import render_akn
from entente.treaty.render_html import render_html
from entente.treaty.render_md import render_md

MODERN = """
id = "accords"
title = "Talks of 1978"
venue = "Camp David"
{calendars}
[dates]
opened = "1978-09-05"
signed = "1978-09-17"
[protocol]
name = "alternating"
deadline = 10
[[issues]]
id = "sinai"
options = ["withdrawal", "stay"]
[[parties]]
id = "egypt"
name = "Egypt"
delegates = [{{ name = "Anwar Sadat", title = "President" }}]
weights = {{ sinai = 1 }}
values = {{ sinai = {{ withdrawal = 1.0, stay = 0.0 }} }}
[[parties]]
id = "israel"
name = "State of Israel"
delegates = [{{ name = "Menachem Begin" }}]
weights = {{ sinai = 1 }}
values = {{ sinai = {{ withdrawal = 0.3, stay = 1.0 }} }}
[[mediators]]
id = "usa"
name = "United States of America"
[history]
outcome = {{ sinai = "withdrawal" }}
date = "{signed}"
[treaty]
title = "Framework"
place = "Washington"
[treaty.clauses.sinai]
withdrawal = {{ text = "Israel shall withdraw from the Sinai.", obligations = [{{ id = "withdraw", holder = "israel", action = "withdraw from the Sinai", within = "30 days" }}] }}
{timeline}
"""

TIMELINE = """
[[timeline]]
date = "1978-09-17"
kind = "signature"
title = "Signed at the White House"
[[timeline]]
date = "1978-12-01"
kind = "act"
title = "Withdrawal completed"
fulfils = ["withdraw"]
"""


def modern(
    calendars: str = "", signed: str = "1978-09-17", timeline: str = TIMELINE, **more: str
) -> str:
    text = MODERN.format(calendars=calendars, signed=signed, timeline=timeline)
    for old, new in more.items():
        text = text.replace(old, new)
    return text


# ------------------------------------------------------------------------------- calendars


def test_a_modern_scenario_writes_one_date_everywhere(tmp_path: Path) -> None:
    sc = loads(modern())
    assert sc.calendars == GREGORIAN
    assert sc.history is not None and sc.history.outcome is not None
    t = build(sc, sc.history.outcome)
    md, html, akn = render_md(t), render_html(t), render_akn(t, sc.timeline)
    assert "Done at Washington, on 17 September 1978." in md
    assert "Done at Washington, on 17 September 1978." in html
    assert ">17 September 1978</date>" in akn
    for text in (md, html, akn):
        assert "(17)" not in text and "4 September" not in text
    assert audit(t, sc.timeline).to_dict()["timeline"][0]["date_text"] == "17 September 1978"


def test_the_run_header_and_the_audit_of_a_modern_scenario(tmp_path: Path) -> None:
    f = tmp_path / "accords.toml"
    f.write_text(modern(), encoding="utf-8")
    code, out, _ = cli("run", str(f))
    assert code == 0 and "17 September 1978" in out and "(17)" not in out
    code, out, _ = cli("audit", str(f), "--at", "1979-01-01")
    assert code == 0 and "17 September 1978" in out and "(17)" not in out


def test_portsmouth_keeps_both_calendars(portsmouth: Scenario) -> None:
    assert portsmouth.calendars == BOTH
    assert portsmouth.dates["signed"].render(portsmouth.calendars) == "23 August (5 September) 1905"
    # a date the file writes New Style is written New Style: the Mukden incident of 1931
    assert Date.parse("1931-09-18").render(portsmouth.calendars) == "18 September 1931"


def test_stated_calendars_win_over_the_markers() -> None:
    assert loads(modern(signed="1978-09-04 OS")).calendars == BOTH  # inferred from ' OS'
    sc = loads(modern('calendars = ["gregorian"]', signed="1978-09-04 OS"))
    assert sc.calendars == GREGORIAN
    assert sc.history is not None and sc.history.date is not None
    assert sc.history.date.render(sc.calendars) == "17 September 1978"
    sc = loads(modern('calendars = ["julian"]'))
    assert sc.calendars == ("julian",)
    assert sc.dates["signed"].render(sc.calendars) == "4 September 1978"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('calendars = ["gregorian", "gregorian"]', "each once"),
        ('calendars = ["coptic"]', "calendars"),
    ],
)
def test_bad_calendars_are_refused(line: str, expected: str) -> None:
    with pytest.raises(ScenarioError, match=expected):
        loads(modern(line), file="x.toml")


def test_the_schema_documents_calendars() -> None:
    desc = json_schema()["properties"]["calendars"]["description"]
    assert "' OS'" in desc and "Gregorian alone" in desc


@given(st.integers(2300000, 2500000), st.sampled_from(["julian", "gregorian"]))
def test_rendering_follows_the_setting(jdn: int, written: str) -> None:
    d = Date(jdn, written)  # type: ignore[arg-type]
    gy, gm, gd = d.gregorian
    jy, jm, jd = d.julian
    assert d.render(GREGORIAN) == f"{gd} {MONTHS[gm - 1]} {gy}"
    assert d.render(("julian",)) == f"{jd} {MONTHS[jm - 1]} {jy}"
    both = d.render(BOTH)
    if written == "gregorian":
        assert both == d.render(GREGORIAN)
    else:
        assert both == d.render() and str(gd) in both and str(jd) in both and "(" in both
    assert calendars_of([d]) == (BOTH if written == "julian" else GREGORIAN)


# ------------------------------------------------------------------------------ grammar


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("United States of America", "the United States of America"),
        ("Russian Empire", "the Russian Empire"),
        ("Empire of Japan", "the Empire of Japan"),
        ("President of the United States", "the President of the United States"),
        ("the Holy See", "the Holy See"),
        ("Egypt", "Egypt"),
        ("Jimmy Carter", "Jimmy Carter"),
        ("King Abdullah", "King Abdullah"),
        ("Catherine of Aragon", "Catherine of Aragon"),
    ],
)
def test_definite_names(name: str, expected: str) -> None:
    assert definite(name) == expected


def test_a_generic_treaty_reads_well() -> None:
    sc = loads(modern())
    md = render_md(build(sc, (0,)))
    assert "Egypt and the State of Israel, wishing" in md
    assert "having accepted the good offices of the United States of America," in md
    assert "- For Egypt: **Anwar Sadat**, President" in md
    assert "- For the State of Israel: **Menachem Begin**" in md


# ------------------------------------------------------------------- options without a clause

NO_CLAUSE = {'[[issues]]\nid = "sinai"\noptions = ["withdrawal", "stay"]': (
    '[[issues]]\nid = "sinai"\noptions = ["withdrawal", "stay"]\n'
    '[[issues]]\nid = "canal"\noptions = ["open", "closed"]'
)}  # fmt: skip


def _with_canal(clauses: str) -> str:
    text = modern()
    for old, new in NO_CLAUSE.items():
        text = text.replace(old, new)
    text = text.replace("weights = { sinai = 1 }", "weights = { sinai = 1, canal = 1 }")
    text = text.replace('values = { sinai = { withdrawal = 1.0, stay = 0.0 } }', 'values = { sinai = { withdrawal = 1.0, stay = 0.0 }, canal = { open = 1.0, closed = 0.0 } }')  # fmt: skip
    text = text.replace('values = { sinai = { withdrawal = 0.3, stay = 1.0 } }', 'values = { sinai = { withdrawal = 0.3, stay = 1.0 }, canal = { open = 0.5, closed = 1.0 } }')  # fmt: skip
    text = text.replace('outcome = { sinai = "withdrawal" }', 'outcome = { sinai = "withdrawal", canal = "closed" }')  # fmt: skip
    return text.replace("[treaty.clauses.sinai]", clauses + "\n[treaty.clauses.sinai]")


def test_an_option_without_a_clause_is_reported(tmp_path: Path) -> None:
    f = tmp_path / "canal.toml"
    f.write_text(_with_canal('[treaty.clauses.canal]\nopen = "The canal is open."'), "utf-8")
    sc = loads(f.read_text("utf-8"))
    t = build(sc, (0, 1))
    assert t.warnings == (
        "option 'closed' of issue 'canal' has no treaty clause: it leaves out article 'canal'",
    )
    code, out, err = cli("treaty", str(f))
    assert code == 0 and out.startswith("# Framework") and "canal" not in out.lower()
    assert err == f"entente: warning: {t.warnings[0]}\n"
    code, out, err = cli("treaty", str(f), "--json")
    assert code == 0 and json.loads(out)["warnings"] == list(t.warnings)
    # written empty on purpose: nothing to say, nothing to warn about
    f.write_text(_with_canal('[treaty.clauses.canal]\nopen = "Open."\nclosed = ""'), "utf-8")
    code, out, err = cli("treaty", str(f))
    assert code == 0 and err == ""


def test_portsmouth_treaty_has_no_warning(portsmouth: Scenario) -> None:
    assert portsmouth.history is not None and portsmouth.history.outcome is not None
    assert build(portsmouth, portsmouth.history.outcome).warnings == ()


# ------------------------------------------------------------------------------------ audit

D = Date.parse


def _small(*obligations: Obligation, date: Date | None = None) -> Treaty:
    art = Article("a", "I", "", ("text",), obligations)
    return Treaty("t", "T", "T", (("p", "P"), ("q", "Q")), (), (), None, (), (art,), "", date, (), "", ())  # fmt: skip


def _ev(date: str, kind: str = "act", **kw: object) -> Event:
    return Event(D(date), kind, kw.pop("title", kind), **kw)  # type: ignore[arg-type]


PAY = Obligation("pay", "p", "obligation", "pay", within=Period(30, "days"))


def test_late_performance_is_a_cured_breach_in_every_view(tmp_path: Path) -> None:
    v = audit(_small(PAY), [_ev("1900-01-01", "entry_into_force"), _ev("1900-03-01", fulfils=("pay",))]).verdict("pay")  # fmt: skip
    assert v.status == "cured"
    assert [(c.status, c.date.iso()) for c in v.steps()] == [("violated", "1900-01-31"), ("cured", "1900-03-01")]  # fmt: skip
    # the same through the command: the withdrawal is due 30 days after signature (no entry
    # into force recorded) and comes on 1 December 1978
    f = tmp_path / "accords.toml"
    f.write_text(modern(), encoding="utf-8")
    code, out, _ = cli("audit", str(f))
    assert code == 0
    flat = " ".join(out.split())
    assert (
        "withdraw israel violated on 1978-10-17 (deadline passed), cured on 1978-12-01 #2" in flat
    )


def test_without_entry_into_force_obligations_bind_from_signature() -> None:
    signed = [_ev("1900-01-01", "signature"), _ev("1900-03-01", fulfils=("pay",))]
    report = audit(_small(PAY), signed)
    assert report.verdict("pay").status == "cured"  # the deadline ran from the signature
    assert report.warnings == (
        "the timeline records no entry into force: the obligations are taken to bind from the "
        "signature on 1 January 1900, and their deadlines run from it",
    )
    assert [e.kind for e in report.events] == ["signature", "act"]  # nothing invented shown
    # the treaty's own date stands in for a signature the timeline does not record
    dated = audit(_small(PAY, date=D("1900-01-01")), signed[1:])
    assert dated.verdict("pay").status == "cured" and "1 January 1900" in dated.warnings[0]
    # with no date at all, nothing binds, performance is still recorded, and it is said
    bare = audit(_small(PAY), signed[1:])
    assert bare.verdict("pay").status == "fulfilled"
    assert bare.warnings == (
        "the timeline records no entry into force and the treaty no date of signature: "
        "no obligation binds and no deadline is checked",
    )


@given(
    st.integers(0, 400),
    st.lists(st.tuples(st.integers(0, 400), st.sampled_from(["fulfils", "violates"])), max_size=4),
)
def test_a_missing_entry_into_force_reads_as_entry_into_force_on_signature(
    signed: int, acts: list[tuple[int, str]]
) -> None:
    """The rule, checked against its statement: same verdicts as an explicit entry into force."""
    base = Date.parse("1900-01-01").jdn
    obligations = (PAY, Obligation("ban", "q", "prohibition", "fortify"))
    events = [Event(Date(base + signed), "signature", "signed")]
    events += [Event(Date(base + signed + d), "act", "act", **{k: ("pay", "ban")}) for d, k in acts]  # type: ignore[arg-type]
    explicit = [*events, Event(Date(base + signed), "entry_into_force", "in force")]
    a, b = audit(_small(*obligations), events), audit(_small(*obligations), explicit)
    assert [(v.status, v.since) for v in a.verdicts] == [(v.status, v.since) for v in b.verdicts]
    assert len(a.warnings) == 1 and not b.warnings


def test_json_and_stderr_say_there_is_no_entry_into_force(tmp_path: Path) -> None:
    f = tmp_path / "accords.toml"
    f.write_text(modern(), encoding="utf-8")
    code, out, err = cli("audit", str(f), "--json")
    data = json.loads(out)
    assert code == 0 and len(data["warnings"]) == 1 and "no entry into force" in data["warnings"][0]
    assert err == f"entente: warning: {data['warnings'][0]}\n"
    ob = data["obligations"][0]
    assert ob["status"] == "cured" and [h["status"] for h in ob["history"]] == ["pending", "violated", "cured"]  # fmt: skip


def test_portsmouth_audit_fits_80_columns_and_keeps_every_id(portsmouth: Scenario) -> None:
    code, out, err = cli("audit")
    lines = out.splitlines()
    assert code == 0 and err == ""
    assert max(len(line.rstrip()) for line in lines) <= 80
    assert len(lines) <= 120  # 296 before the obligations table kept to one line each
    assert portsmouth.history is not None and portsmouth.history.outcome is not None
    for ob in build(portsmouth, portsmouth.history.outcome).obligations:
        assert re.search(rf"\s{re.escape(ob.id)}\s", out), ob.id
    assert "…" not in out
    assert "fulfilled on 1907-04-15 #7, violated on 1931-09-18 #13" in " ".join(out.split())


def test_a_long_selector_costs_no_more_than_a_short_one(tmp_path: Path) -> None:
    """The warning quotes a short prefix, so the output (and the work of laying it out) is
    the same for a selector of 30 characters and one of 30,000."""
    outputs = []
    for n in (30, 30_000):
        f = tmp_path / f"sel{n}.toml"
        f.write_text(modern(timeline=TIMELINE.replace('fulfils = ["withdraw"]', f'fulfils = ["withdraw", "{"x" * n}"]')), "utf-8")  # fmt: skip
        code, out, err = cli("audit", str(f))
        assert code == 0 and len(err.splitlines()) == 2 and max(map(len, err.splitlines())) < 300
        outputs.append(out)
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize("command", ["treaty", "audit"])
def test_a_negative_seed_is_refused_in_one_line(command: str) -> None:
    code, out, err = cli(command, "--outcome", "negotiated", "--seed", "-1")
    assert (code, out) == (2, "")
    assert err.startswith("entente: error: ") and "--seed" in err and err.count("\n") == 1


def test_names_are_never_read_as_markup(tmp_path: Path) -> None:
    text = modern().replace('"Signed at the White House"', '"Signed [/x] at [bold]the White House"')  # fmt: skip
    text = text.replace('id = "egypt"', 'id = "P [/x]"').replace('holder = "israel"', 'holder = "P [/x]"')  # fmt: skip
    text = text.replace("[[parties]]\nid", "[ratification.'P [/x]']\nconstituencies = [{ id = \"c\", name = \"C [/x]\" }]\n[[parties]]\nid", 1)  # fmt: skip
    f = tmp_path / "markup.toml"
    f.write_text(text, encoding="utf-8")
    code, out, err = cli("audit", str(f))
    assert code == 0, err
    flat = " ".join(out.split())
    assert "Signed [/x] at [bold]the White House" in flat and "P [/x]" in flat and "C [/x]" in flat
