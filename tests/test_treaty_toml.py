"""The [treaty], [ratification.*] and [[timeline]] sections: valid files load, mistakes are located."""

from __future__ import annotations

from pathlib import Path

import pytest

from entente.errors import ScenarioError
from entente.formats.scenario_toml import json_schema, loads
from entente.formats.treaty_toml import load_timeline

BASE = """
id = "mini"
title = "Mini"
[[issues]]
id = "border"
options = ["river", "ridge"]
[[parties]]
id = "a"
name = "A"
weights = { border = 1 }
values = { border = { river = 1, ridge = 0 } }
[[parties]]
id = "b"
name = "B"
weights = { border = 1 }
values = { border = { river = 0, ridge = 1 } }
"""

GOOD = (
    BASE
    + """
[ratification.a]
rule = "two_thirds"
on_failure = "renegotiate"
constituencies = [{ id = "council", weight = 2 }, { id = "army", threshold = 0.5, weights = { border = 1 }, values = { border = { river = 1, ridge = 0 } } }]

[treaty]
title = "Treaty of the Border"
date = "1700-02-18 OS"

[treaty.clauses.border]
river = { text = "The border follows the river.", obligations = [{ id = "posts", holder = ["a", "b"], kind = "prohibition", action = "build posts", object = "on the river", lasts = "20 years" }] }
ridge = "The border follows the ridge."

[[treaty.articles]]
key = "final"
kind = "final"
text = "Ratified within a month."
obligations = [{ id = "ratify", holder = "a", action = "ratify", within = "1 month after signature" }]

[[timeline]]
date = "1700-02-18 OS"
kind = "signature"
title = "Signed"
"""
)


def test_sections_load() -> None:
    s = loads(GOOD)
    assert s.treaty is not None and s.treaty.date is not None
    assert s.treaty.date.render() == "18 (28) February 1700"  # 10 days until Julian 29 Feb 1700
    assert [c.id for c in s.ratification[0].constituencies] == ["council", "army"]
    assert s.ratification[0].constituencies[0].threshold == 0.0  # the party's reservation
    assert s.timeline[0].kind == "signature"
    river = s.treaty.clauses[0][0]
    assert river is not None and [o.id for o in river.obligations] == ["posts.a", "posts.b"]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            ('holder = ["a", "b"]', 'holder = ["a", "c"]'),
            "treaty.clauses.border.river.obligations[0].holder",
            "no party 'c'",
        ),
        (
            ('ridge = "The border', 'hill = "The border'),
            "treaty.clauses.border.hill",
            "no option 'hill'",
        ),
        (
            ('lasts = "20 years"', 'lasts = "twenty years"'),
            "treaty.clauses.border.river.obligations[0].lasts",
            "expected '<n>",
        ),
        (('kind = "signature"', 'kind = "signing"'), "timeline[0].kind", "signature"),
        (('rule = "two_thirds"', 'rule = "most"'), "ratification.a.rule", "majority"),
        (('title = "Treaty of the Border"', 'titel = "x"'), "treaty.title", "required"),
        (
            ('date = "1700-02-18 OS"\nkind', 'date = "1700-02-30 OS"\nkind'),
            "timeline[0].date",
            "does not exist",
        ),
        (("[ratification.a]", "[ratification.z]"), "ratification.z", "names no party"),
    ],
)
def test_mistakes_are_located(change: tuple[str, str], field: str, words: str) -> None:
    text = GOOD.replace(*change)
    assert text != GOOD
    with pytest.raises(ScenarioError) as info:
        loads(text, file="mini.toml")
    err = info.value
    assert err.file == "mini.toml" and err.line is not None
    assert err.field == field and words in str(err)


def test_timeline_file(tmp_path: Path) -> None:
    p = tmp_path / "life.toml"
    p.write_text(
        '[[timeline]]\ndate = "1907-07-15 OS"\nkind = "convention"\ntitle = "Fisheries"\n'
        'fulfils = ["fishing"]\n'
        '[[timeline]]\ndate = "1925-01-20"\nkind = "succession"\ntitle = "Recognition"\n'
        'succession = { predecessor = "russia", successor = "ussr", reservations = ["none"] }\n',
        encoding="utf-8",
    )
    events = load_timeline(p)
    assert events[0].date.iso() == "1907-07-28" and events[1].succession is not None
    p.write_text('[[timeline]]\ndate = "1907-07-15"\nkind = "treaty"\ntitle = "x"\n')
    with pytest.raises(ScenarioError) as info:
        load_timeline(p)
    assert info.value.line == 3 and info.value.field == "timeline[0].kind"
    p.write_text('[[timeline]]\ndate = "1925-01-20"\nkind = "succession"\ntitle = "x"\n')
    with pytest.raises(ScenarioError, match="needs a 'succession' table"):
        load_timeline(p)


def test_schema_lists_the_new_sections() -> None:
    props = json_schema()["properties"]
    assert {"treaty", "ratification", "timeline"} <= set(props)
