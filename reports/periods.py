"""Report periods: a year, the first six months, a quarter, or any date range."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _

ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    kind: str  # "year", "h1", "q1".."q4", "range"

    @property
    def label(self) -> str:
        y = self.start.year
        if self.kind == "year":
            return _("Năm %(y)s") % {"y": y}
        if self.kind == "h1":
            return _("6 tháng đầu năm %(y)s") % {"y": y}
        if self.kind.startswith("q"):
            return _("Quý %(q)s năm %(y)s") % {"q": ROMAN[int(self.kind[1])], "y": y}
        return _("Từ ngày %(a)s đến ngày %(b)s") % {"a": f"{self.start:%d/%m/%Y}", "b": f"{self.end:%d/%m/%Y}"}

    @property
    def slug(self) -> str:
        if self.kind == "range":
            return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"
        return f"{self.start.year}" if self.kind == "year" else f"{self.start.year}-{self.kind}"

    def query(self) -> str:
        if self.kind == "range":
            return f"period=range&start={self.start:%d/%m/%Y}&end={self.end:%d/%m/%Y}"
        return f"period={self.kind}&year={self.start.year}"

    @property
    def years(self) -> range:
        return range(self.start.year, self.end.year + 1)

    @property
    def as_of(self) -> date:
        """The day "members now" is counted: the end of the period, or today while it runs."""
        return min(self.end, timezone.localdate())


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), "year")


def year_asked(params, years, default: int) -> int:
    """The year of ``?year=`` when it is one of ``years`` (the pages that offer a choice of years), else
    ``default``."""
    return next((y for y in years if str(y) == params.get("year")), default)


def recent_years(params, *, back: int = 0) -> tuple[list[int], int]:
    """The years offered on a page that shows one year (this year and the four before) and the one asked for
    in ``?year=``: by default ``back`` years ago."""
    this_year = timezone.localdate().year
    years = list(range(this_year, this_year - 5, -1))
    return years, year_asked(params, years, this_year - back)


def year_just_ended(params, asked: str) -> int | None:
    """In January, on a page opened on the year just begun (no ``asked`` parameter in ``params``), the year that
    has ended: the page links to it. None otherwise."""
    today = timezone.localdate()
    return today.year - 1 if today.month == 1 and asked not in params else None


def rating_years(params) -> tuple[list[int], int]:
    """The years offered on the rating pages and the one asked for: by default last year, whose review is the
    one done at the year's turn."""
    return recent_years(params, back=1)


def parse_date(value: str) -> date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value.strip(), fmt).date()
        except (ValueError, AttributeError):
            continue
    return None


def period_from(params) -> Period:
    """The period asked for in the query string; the current year when absent or invalid."""
    today = timezone.localdate()
    kind = params.get("period", "year")
    try:
        year = int(params.get("year", today.year))
    except ValueError:
        year = today.year
    if not 2000 <= year <= today.year + 1:
        year = today.year
    if kind == "h1":
        return Period(date(year, 1, 1), date(year, 6, 30), "h1")
    if kind in ("q1", "q2", "q3", "q4"):
        q = int(kind[1])
        first = 3 * (q - 1) + 1
        return Period(date(year, first, 1), date(year, first + 2, calendar.monthrange(year, first + 2)[1]), kind)
    if kind == "range":
        start, end = parse_date(params.get("start", "")), parse_date(params.get("end", ""))
        if start and end and start <= end and (end - start).days <= 366 * 5:
            return Period(start, end, "range")
    return year_period(year)
