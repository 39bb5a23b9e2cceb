"""Historical dates that know their calendar: Old Style (Julian) and New Style (Gregorian).

A date is stored once, as a Julian Day Number, and renders in either calendar, as in
"23 August (5 September) 1905".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from entente.errors import EntenteError

Calendar = Literal["gregorian", "julian"]
Calendars = tuple[Calendar, ...]
"""The calendars a scenario's parties used: dates render in these, and only these."""

GREGORIAN: Calendars = ("gregorian",)
BOTH: Calendars = ("julian", "gregorian")

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


def gregorian_to_jdn(year: int, month: int, day: int) -> int:
    """Julian Day Number of a proleptic Gregorian date (astronomical years: 1 BC is 0)."""
    a = (14 - month) // 12
    y = year + 4800 - a
    m = month + 12 * a - 3
    return day + (153 * m + 2) // 5 + 365 * y + y // 4 - y // 100 + y // 400 - 32045


def julian_to_jdn(year: int, month: int, day: int) -> int:
    """Julian Day Number of a proleptic Julian date (astronomical years)."""
    a = (14 - month) // 12
    y = year + 4800 - a
    m = month + 12 * a - 3
    return day + (153 * m + 2) // 5 + 365 * y + y // 4 - 32083


def jdn_to_gregorian(jdn: int) -> tuple[int, int, int]:
    """(year, month, day) in the proleptic Gregorian calendar."""
    a = jdn + 32044
    b = (4 * a + 3) // 146097
    c = a - 146097 * b // 4
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    day = e - (153 * m + 2) // 5 + 1
    month = m + 3 - 12 * (m // 10)
    year = 100 * b + d - 4800 + m // 10
    return year, month, day


def jdn_to_julian(jdn: int) -> tuple[int, int, int]:
    """(year, month, day) in the proleptic Julian calendar."""
    c = jdn + 32082
    d = (4 * c + 3) // 1461
    e = c - 1461 * d // 4
    m = (5 * e + 2) // 153
    day = e - (153 * m + 2) // 5 + 1
    month = m + 3 - 12 * (m // 10)
    year = d - 4800 + m // 10
    return year, month, day


_TO_JDN = {"gregorian": gregorian_to_jdn, "julian": julian_to_jdn}
_FROM_JDN = {"gregorian": jdn_to_gregorian, "julian": jdn_to_julian}
_ISO = re.compile(r"^(-?\d{1,4})-(\d{2})-(\d{2})$")


@dataclass(frozen=True, order=True)
class Date:
    """A day, whatever the calendar it was written in; `calendar` is how it was given."""

    jdn: int
    calendar: Calendar = "gregorian"

    @classmethod
    def of(cls, year: int, month: int, day: int, calendar: Calendar = "gregorian") -> Date:
        """The date `year-month-day` read in `calendar`; raises on a day that does not exist."""
        if calendar not in _TO_JDN:
            raise EntenteError(f"unknown calendar {calendar!r}: expected 'gregorian' or 'julian'")
        if not 1 <= month <= 12:
            raise EntenteError(f"month {month} is not between 1 and 12")
        jdn = _TO_JDN[calendar](year, month, day)
        if _FROM_JDN[calendar](jdn) != (year, month, day):
            raise EntenteError(
                f"{year:04d}-{month:02d}-{day:02d} does not exist in the {calendar} calendar"
            )
        return cls(jdn, calendar)

    @classmethod
    def parse(cls, text: str, calendar: Calendar = "gregorian") -> Date:
        """Read 'YYYY-MM-DD' in `calendar`; a trailing ' OS' or ' NS' overrides it."""
        s = text.strip()
        for suffix, cal in ((" OS", "julian"), (" NS", "gregorian")):
            if s.upper().endswith(suffix):
                s, calendar = s[: -len(suffix)].strip(), cal  # type: ignore[assignment]
        m = _ISO.match(s)
        if not m:
            raise EntenteError(
                f"date {text!r} is not of the form YYYY-MM-DD (optionally ' OS'/' NS')"
            )
        return cls.of(int(m[1]), int(m[2]), int(m[3]), calendar)

    def ymd(self, calendar: Calendar | None = None) -> tuple[int, int, int]:
        """(year, month, day) in `calendar` (the date's own one by default)."""
        return _FROM_JDN[calendar or self.calendar](self.jdn)

    @property
    def gregorian(self) -> tuple[int, int, int]:
        return jdn_to_gregorian(self.jdn)

    @property
    def julian(self) -> tuple[int, int, int]:
        return jdn_to_julian(self.jdn)

    def iso(self) -> str:
        """ISO 8601 (Gregorian) text: the form used in JSON and in sorting."""
        y, m, d = self.gregorian
        return f"{y:04d}-{m:02d}-{d:02d}"

    def render(self, calendars: Sequence[Calendar] | None = None, *, both: bool = True) -> str:
        """'5 September 1905', or with both calendars '23 August (5 September) 1905'.

        `calendars` is the setting of the scenario the date belongs to. With one calendar,
        every date renders in it alone, whatever calendar it was written in. With both, a date
        written Old Style renders in both, the Old Style first as Russian documents of the time
        wrote it, and a date written New Style in the Gregorian calendar alone: the file marks
        with ' OS' the dates that the parties wrote in both calendars. Without a setting, both
        calendars are shown for dates given Old Style, and for dates given New Style when
        `both` is true.
        """
        gy, gm, gd = self.gregorian
        jy, jm, jd = self.julian
        if calendars is not None:
            if "julian" not in calendars or (self.calendar == "gregorian" and len(calendars) > 1):
                return f"{gd} {MONTHS[gm - 1]} {gy}"
            if "gregorian" not in calendars:
                return f"{jd} {MONTHS[jm - 1]} {jy}"
        elif not both and self.calendar == "gregorian":
            return f"{gd} {MONTHS[gm - 1]} {gy}"
        if jy != gy:
            return f"{jd} {MONTHS[jm - 1]} {jy} ({gd} {MONTHS[gm - 1]} {gy})"
        if jm != gm:
            return f"{jd} {MONTHS[jm - 1]} ({gd} {MONTHS[gm - 1]}) {gy}"
        return f"{jd} ({gd}) {MONTHS[gm - 1]} {gy}"

    def __str__(self) -> str:
        return self.render()


def calendars_of(dates: Iterable[Date]) -> Calendars:
    """The setting a scenario that states none implies: both calendars when any of its dates
    was written Old Style (' OS'), the Gregorian calendar alone otherwise."""
    return BOTH if any(d.calendar == "julian" for d in dates) else GREGORIAN


def check_calendars(calendars: Sequence[str]) -> Calendars:
    """A stated setting, checked: one or both of 'julian' and 'gregorian', each once."""
    if not calendars or len(set(calendars)) != len(calendars):
        raise EntenteError("calendars: expected one or both of 'julian' and 'gregorian', each once")
    for c in calendars:
        if c not in _TO_JDN:
            raise EntenteError(
                f"calendars: unknown calendar {c!r}: expected 'gregorian' or 'julian'"
            )
    if len(calendars) == 2:
        return BOTH
    return GREGORIAN if calendars[0] == "gregorian" else ("julian",)


def offset_days(year: int, month: int = 3, day: int = 1) -> int:
    """Days by which the Gregorian calendar runs ahead of the Julian one on that day (13 in 1905)."""
    return julian_to_jdn(year, month, day) - gregorian_to_jdn(year, month, day)
