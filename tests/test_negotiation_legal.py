"""Strategies act on the legal actions their view carries, and protocols derive the end of the
talks from the history: play is the same as before either change (recorded traces)."""

from __future__ import annotations

import json

import pytest

from negotiation_traces import RECORDED, cases, play

RECORDS: dict[str, str] = json.loads(RECORDED.read_text())


def test_every_case_was_recorded() -> None:
    labels = {f"{c[4]}|{c[3]}|{c[5]}" for c in cases()}
    assert labels == set(RECORDS)


@pytest.mark.parametrize("case", list(cases()), ids=lambda c: f"{c[4]}|{c[3]}|{c[5]}")
def test_same_play_as_recorded(
    case: tuple[str, str, int, str, str, int, float, float, float | None],
) -> None:
    proto, med, k, s, label, seed, rv, d, limit = case
    assert play(proto, med, k, s, seed, rv, d, limit) == RECORDS[f"{label}|{s}|{seed}"]
