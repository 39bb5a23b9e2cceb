"""Old Style / New Style conversion, checked against convertdate and against published dates."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from entente.calendar import Date, gregorian_to_jdn, julian_to_jdn, offset_days

convertdate = pytest.importorskip("convertdate")

JDN_1_AD = 1721426  # 1 January 1 AD, Gregorian
JDN_4000 = 3182030  # about AD 4000


@given(st.integers(JDN_1_AD + 400, JDN_4000))
def test_julian_and_gregorian_agree_with_convertdate(jdn: int) -> None:
    d = Date(jdn)
    jd = jdn - 0.5  # convertdate counts astronomical Julian dates from noon
    assert d.gregorian == convertdate.gregorian.from_jd(jd)
    assert d.julian == convertdate.julian.from_jd(jd)
    assert convertdate.julian.to_gregorian(*d.julian) == d.gregorian


@given(st.integers(1, 3999), st.integers(1, 12), st.integers(1, 28))
def test_round_trip_through_either_calendar(y: int, m: int, day: int) -> None:
    for cal in ("julian", "gregorian"):
        d = Date.of(y, m, day, cal)  # type: ignore[arg-type]
        assert d.ymd(cal) == (y, m, day)  # type: ignore[arg-type]
        assert Date.parse(d.iso()).jdn == d.jdn


@pytest.mark.parametrize(
    ("year", "month", "day", "gap"),
    [
        (1582, 10, 15, 10),
        (1700, 2, 28, 10),
        (1700, 3, 1, 11),
        (1800, 3, 1, 12),
        (1899, 12, 31, 12),
        (1900, 2, 28, 12),
        (1900, 3, 1, 13),
        (1905, 9, 5, 13),
        (2000, 2, 29, 13),
        (2100, 2, 28, 13),
        (2100, 3, 1, 14),
    ],
)
def test_gap_between_calendars(year: int, month: int, day: int, gap: int) -> None:
    assert offset_days(year, month, day) == gap


def test_twelve_days_in_the_nineteenth_century_thirteen_until_2100() -> None:
    """The same date label read in both calendars, every day from 1 March 1800 to 28 Feb 2100."""
    for jdn in range(gregorian_to_jdn(1800, 3, 1), gregorian_to_jdn(2100, 3, 1)):
        label = Date(jdn).gregorian
        assert julian_to_jdn(*label) - jdn == (12 if label < (1900, 3, 1) else 13)


@pytest.mark.parametrize(
    ("old_style", "new_style"),
    [
        ("1905-07-27", "1905-08-09"),  # first meeting at Portsmouth
        ("1905-08-23", "1905-09-05"),  # signature
        ("1905-10-01", "1905-10-14"),  # ratification by both emperors
        ("1907-05-31", "1907-06-13"),  # railway connection convention
        ("1907-07-15", "1907-07-28"),  # fisheries convention, commerce treaty
        ("1907-07-17", "1907-07-30"),  # political convention
        ("1917-10-25", "1917-11-07"),  # the October revolution
    ],
)
def test_published_double_dates(old_style: str, new_style: str) -> None:
    assert Date.parse(old_style + " OS").iso() == new_style


def test_signature_renders_in_both_calendars() -> None:
    assert Date.parse("1905-08-23 OS").render() == "23 August (5 September) 1905"
