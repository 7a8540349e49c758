"""Job schedules as the spec writes them: parsed, checked and converted for EventBridge Scheduler, offline.

Pure Python (``re``, ``datetime``, ``zoneinfo``): ``scaffold validate`` and ``plan``
import it without ``pulumi``. Three spellings are accepted:

* ``cron(minutes hours day-of-month month day-of-week year)``: EventBridge's
  six-field cron. Exactly one of day-of-month and day-of-week is ``?``; ranges
  ``a-b``, lists ``a,b``, steps ``*/n``, ``a/n``, ``a-b/n``; month names
  ``JAN``-``DEC`` and day names ``SUN``-``SAT`` (day-of-week 1 is Sunday);
  ``L`` (last day of the month; in day-of-week the last day of the week,
  Saturday, or ``<day>L``, the last such day of the month), ``<n>W`` (the
  weekday nearest day ``n``, in the same month) and ``<day>#<n>`` (the n-th such
  day of the month, alone in its field). Names are sent upper-case.
* ``rate(<value> <unit>)``: a whole number >= 1 of ``minute``/``hour``/``day``,
  singular for 1 and plural otherwise (``rate(1 hour)``, ``rate(15 minutes)``).
* Shorthands, each a cron at minute 0 in the job's time zone: ``@hourly``
  (every hour), ``@daily`` (00:00), ``@weekly`` (Sunday 00:00), ``@monthly``
  (the 1st, 00:00), ``@yearly``/``@annually`` (1 January, 00:00), as in Vixie cron.

Sources: EventBridge Scheduler, "Schedule types"
(https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html) and
the cron reference it shares with EventBridge
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html:
fields, values, wildcards, "you can't use * in both the Day-of-month and
Day-of-week fields", "if you use '#', you can define only one expression in the
day-of-week field"); rate units and the singular/plural rule
(https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html);
terraform-provider-aws internal/service/scheduler/schedule.go (``schedule_expression``:
1 to 256 characters; ``schedule_expression_timezone``: 1 to 50).

Daylight saving time, as EventBridge Scheduler applies it and :func:`next_runs`
reproduces it: a cron time that does not exist on the day clocks go forward is
skipped, and a time that happens twice when they go back runs once (the first
time); a rate counts elapsed time, so ``rate(1 day)`` runs every 24 hours
(https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

#: Longest schedule expression EventBridge Scheduler accepts, in characters
#: (terraform-provider-aws internal/service/scheduler/schedule.go: StringLenBetween(1, 256)).
MAX_EXPRESSION_LENGTH = 256
#: Longest time-zone name EventBridge Scheduler accepts, in characters (same file,
#: ``schedule_expression_timezone``: StringLenBetween(1, 50)).
MAX_TIMEZONE_LENGTH = 50
#: Where the cron rules come from, for messages.
CRON_SOURCE = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html"
RATE_SOURCE = "https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html"
TIMEZONE_SOURCE = "https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#time-zones"

#: Shorthand -> the cron expression sent to AWS (evaluated in the job's time zone).
SHORTHANDS: dict[str, str] = {
    "@hourly": "cron(0 * * * ? *)",
    "@daily": "cron(0 0 * * ? *)",
    "@weekly": "cron(0 0 ? * SUN *)",
    "@monthly": "cron(0 0 1 * ? *)",
    "@yearly": "cron(0 0 1 1 ? *)",
    "@annually": "cron(0 0 1 1 ? *)",
}

#: The six cron fields, in order, as the messages name them.
CRON_FIELDS = ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")
_RANGES = {"minutes": (0, 59), "hours": (0, 23), "day-of-month": (1, 31), "month": (1, 12),
           "day-of-week": (1, 7), "year": (1970, 2199)}
_MONTHS = {name: i for i, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1)}
#: Day-of-week numbers: 1 is Sunday, 7 is Saturday.
_DAYS = {name: i for i, name in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"), start=1)}
_WILDCARDS = {"minutes": ",-*/", "hours": ",-*/", "day-of-month": ",-*?/LW", "month": ",-*/",
              "day-of-week": ",-*?L#", "year": ",-*/"}

#: A month or day name inside a term, removed before looking for the wildcards L and W.
_NAME = re.compile("|".join([*_MONTHS, *_DAYS]))
_RATE = re.compile(r"^rate\((?P<body>.*)\)\Z", re.DOTALL)
_CRON = re.compile(r"^cron\((?P<body>.*)\)\Z", re.DOTALL)
_RATE_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


class ScheduleError(ValueError):
    """A schedule EventBridge Scheduler would refuse, or that never runs.

    Attributes:
        message: What is wrong, naming the cron field when one is at fault
            (``"cron field 'hours' (2nd): 24 is out of range 0-23"``).
        hint: How to fix it, often a corrected expression.
        source: The AWS documentation of the rule.
    """

    def __init__(self, message: str, hint: str = "", source: str = CRON_SOURCE) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.source = source


@dataclass(frozen=True)
class DayOfMonth:
    """The day-of-month field: plain ``days``, ``last`` (``L``) and ``nearest_weekday`` (``<n>W``)."""

    days: frozenset[int] = frozenset()
    last: bool = False
    nearest_weekday: frozenset[int] = frozenset()

    def matches(self, day: date) -> bool:
        """Whether ``day`` is one of the days this field names."""
        last_day = _days_in_month(day.year, day.month)
        if day.day in self.days or (self.last and day.day == last_day):
            return True
        return any(_nearest_weekday(day.year, day.month, n) == day.day for n in self.nearest_weekday)


@dataclass(frozen=True)
class DayOfWeek:
    """The day-of-week field (1 = Sunday): ``days``, ``last_of_month`` (``<d>L``) and ``nth`` (``<d>#<n>``)."""

    days: frozenset[int] = frozenset()
    last_of_month: frozenset[int] = frozenset()
    nth: frozenset[tuple[int, int]] = frozenset()

    def matches(self, day: date) -> bool:
        """Whether ``day`` is one of the days this field names."""
        weekday = day.isoweekday() % 7 + 1  # ISO Monday=1..Sunday=7 -> cron Sunday=1..Saturday=7
        if weekday in self.days:
            return True
        if weekday in self.last_of_month and day.day + 7 > _days_in_month(day.year, day.month):
            return True
        return (weekday, (day.day - 1) // 7 + 1) in self.nth


@dataclass(frozen=True)
class Schedule:
    """A parsed schedule.

    Attributes:
        source: The schedule as written in the spec, e.g. ``"@daily"``.
        expression: What EventBridge Scheduler receives as ``ScheduleExpression``,
            e.g. ``"cron(0 0 * * ? *)"``.
        kind: ``"cron"`` or ``"rate"``.
        rate_seconds: For a rate, the interval in seconds; ``0`` for a cron.
    """

    source: str
    expression: str
    kind: Literal["cron", "rate"]
    rate_seconds: int = 0
    minutes: frozenset[int] = field(default=frozenset(), repr=False)
    hours: frozenset[int] = field(default=frozenset(), repr=False)
    day_of_month: DayOfMonth | None = field(default=None, repr=False)
    months: frozenset[int] = field(default=frozenset(), repr=False)
    day_of_week: DayOfWeek | None = field(default=None, repr=False)
    years: frozenset[int] = field(default=frozenset(), repr=False)

    def matches_day(self, day: date) -> bool:
        """For a cron: whether ``day`` is in its months and years and matches its day field."""
        if day.month not in self.months or day.year not in self.years:
            return False
        if self.day_of_month is not None:
            return self.day_of_month.matches(day)
        return self.day_of_week is not None and self.day_of_week.matches(day)


def _days_in_month(year: int, month: int) -> int:
    """28 to 31, without importing ``calendar`` (and ``locale`` with it)."""
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return (following - timedelta(days=1)).day


def _nearest_weekday(year: int, month: int, n: int) -> int | None:
    """The weekday (Monday-Friday) nearest day ``n`` of the month, never in another month."""
    last = _days_in_month(year, month)
    if n > last:
        return None
    weekday = date(year, month, n).weekday()  # Monday=0 .. Sunday=6
    if weekday == 5:  # Saturday: the Friday before, or the Monday after the 1st
        return n - 1 if n > 1 else n + 2
    if weekday == 6:  # Sunday: the Monday after, or the Friday before the month's last day
        return n + 1 if n < last else n - 2
    return n


def _ordinal(i: int) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(i, f"{i}th")


def _field_error(index: int, text: str, why: str, hint: str = "") -> ScheduleError:
    name = CRON_FIELDS[index]
    low, high = _RANGES[name]
    names = {"month": " or JAN-DEC", "day-of-week": " or SUN-SAT (1 = SUN)"}.get(name, "")
    wild = " ".join(_WILDCARDS[name])
    return ScheduleError(
        f"cron field {name!r} ({_ordinal(index + 1)}) {text!r}: {why}",
        hint or f"{name} takes {low}-{high}{names} with the wildcards {wild}",
    )


def _value(index: int, term: str, token: str) -> int:
    name = CRON_FIELDS[index]
    low, high = _RANGES[name]
    names = _MONTHS if name == "month" else _DAYS if name == "day-of-week" else {}
    if token in names:
        return names[token]
    if not token.isascii() or not token.isdigit():
        if re.fullmatch(r"[A-Z]{3}", token) and name in ("minutes", "hours", "day-of-month", "year"):
            raise _field_error(index, term, f"{token!r} is a name; {name} takes numbers only")
        raise _field_error(index, term, f"{token!r} is not a number{' or a name' if names else ''}")
    value = int(token)
    if not low <= value <= high:
        why = f"{value} is out of range {low}-{high}"
        hint = ""
        if name == "day-of-week" and value == 0:
            why += " (EventBridge counts days of the week from 1 = Sunday to 7 = Saturday)"
            hint = "use 1 or SUN for Sunday"
        raise _field_error(index, term, why, hint)
    return value


def _term_values(index: int, term: str) -> set[int]:
    """The values of one comma-separated term of a plain field: ``*``, ``a``, ``a-b``, with ``/n``."""
    name = CRON_FIELDS[index]
    low, high = _RANGES[name]
    base, slash, step_text = term.partition("/")
    step = 1
    if slash:
        if "/" not in _WILDCARDS[name]:
            raise _field_error(index, term, "'/' (steps) is not allowed in day-of-week",
                               "list the days, e.g. MON,WED,FRI, or use a range such as MON-FRI")
        if not step_text.isascii() or not step_text.isdigit() or int(step_text) < 1:
            raise _field_error(index, term, f"the step after '/' must be a whole number >= 1, not {step_text!r}")
        step = int(step_text)
    if base == "*":
        start, end = low, high
    elif "-" in base:
        first, _, second = base.partition("-")
        start, end = _value(index, term, first), _value(index, term, second)
        if start > end:
            raise _field_error(index, term, f"the range starts after it ends ({first} > {second})",
                               f"write it as two ranges, e.g. {first}-{high},{low}-{second}")
    else:
        start = _value(index, term, base)
        end = high if slash else start
    return set(range(start, end + 1, step))


def _plain_field(index: int, text: str) -> frozenset[int]:
    values: set[int] = set()
    for term in text.split(","):
        if not term:
            raise _field_error(index, text, "has an empty item (two commas, or a comma at an end)")
        for ch in "?LW#":
            if ch in _NAME.sub("", term):  # JUL holds an L, WED a W
                raise _field_error(index, text, f"{ch!r} is not allowed in {CRON_FIELDS[index]}")
        values |= _term_values(index, term)
    return frozenset(values)


def _day_of_month(text: str) -> DayOfMonth | None:
    index = 2
    if text == "?":
        return None
    days: set[int] = set()
    last = False
    nearest: set[int] = set()
    for term in text.split(","):
        if not term:
            raise _field_error(index, text, "has an empty item (two commas, or a comma at an end)")
        if "?" in term:
            raise _field_error(index, text, "'?' must stand alone in its field")
        if "#" in term:
            raise _field_error(index, text, "'#' is allowed only in day-of-week", "e.g. cron(0 9 ? * MON#1 *)")
        if term == "L":
            last = True
        elif term.endswith("W"):
            day = term[:-1]
            if day == "L":
                raise _field_error(index, text, "'LW' is not among EventBridge's wildcards",
                                   "use L (the last day) or e.g. 28W (the weekday nearest the 28th)")
            if not day or "-" in day or "/" in day or "*" in day:
                raise _field_error(index, text, "W takes one day of the month before it, e.g. 15W")
            nearest.add(_value(index, term, day))
        elif "L" in term:
            raise _field_error(index, text, "L stands alone in day-of-month (the last day of the month)",
                               "use L, or e.g. 28W for the weekday nearest the 28th")
        else:
            days |= _term_values(index, term)
    return DayOfMonth(frozenset(days), last, frozenset(nearest))


def _day_of_week(text: str) -> DayOfWeek | None:
    index = 4
    if text == "?":
        return None
    terms = text.split(",")
    if "#" in text and len(terms) > 1:
        raise _field_error(index, text, "with '#', day-of-week holds a single expression ('3#1,6#3' is two)",
                           "use one <day>#<n> per job, e.g. MON#1")
    days: set[int] = set()
    last: set[int] = set()
    nth: set[tuple[int, int]] = set()
    for term in terms:
        if not term:
            raise _field_error(index, text, "has an empty item (two commas, or a comma at an end)")
        if "?" in term:
            raise _field_error(index, text, "'?' must stand alone in its field")
        if "W" in _NAME.sub("", term):
            raise _field_error(index, text, "'W' is allowed only in day-of-month")
        if "#" in term:
            day, _, n = term.partition("#")
            if not n.isascii() or not n.isdigit() or not 1 <= int(n) <= 5:
                raise _field_error(index, text, f"the week after '#' must be 1-5, not {n!r}",
                                   "e.g. MON#1 for the first Monday of the month")
            nth.add((_value(index, term, day), int(n)))
        elif term == "L":
            days.add(_DAYS["SAT"])  # the last day of the week
        elif term.endswith("L"):
            last.add(_value(index, term, term[:-1]))
        elif "L" in term:
            raise _field_error(index, text, "L follows a single day (e.g. FRIL or 6L, the last Friday)")
        else:
            days |= _term_values(index, term)
    return DayOfWeek(frozenset(days), frozenset(last), frozenset(nth))


def _cron_hint(fields: list[str]) -> str:
    """A corrected cron for a five-field (Unix) cron or one with both day fields set, or ``""``."""
    if len(fields) == 5:
        minutes, hours, dom, month, dow = fields
        if dow == "*":
            return f"cron({minutes} {hours} {dom} {month} ? *)"
        if dom == "*" and re.fullmatch(r"[A-Z,\-]+", dow):
            return f"cron({minutes} {hours} ? {month} {dow} *)"
        return ""
    if len(fields) == 6:
        minutes, hours, dom, month, dow, year = fields
        if dow == "*":
            return f"cron({minutes} {hours} {dom} {month} ? {year})"
        if dom == "*":
            return f"cron({minutes} {hours} ? {month} {dow} {year})"
    return ""


def _parse_cron(source: str, body: str) -> Schedule:
    fields = body.upper().split()
    if len(fields) != 6:
        fixed = _cron_hint(fields)
        extra = (" (a Unix cron has five; EventBridge adds the year and needs ? in day-of-month "
                 "or day-of-week)") if len(fields) == 5 else ""
        raise ScheduleError(
            f"cron() takes 6 fields ({' '.join(CRON_FIELDS)}), found {len(fields)}{extra}",
            f"did you mean {fixed}?" if fixed else "e.g. cron(0 3 * * ? *) runs at 03:00 every day")
    dom_text, dow_text = fields[2], fields[4]
    if (dom_text == "?") == (dow_text == "?"):
        fixed = _cron_hint(fields)
        why = ("day-of-month and day-of-week are both set; EventBridge needs ? in exactly one of them"
               if dom_text != "?" else "day-of-month and day-of-week are both ?; one of them must name days")
        raise ScheduleError(why, f"did you mean {fixed}?" if fixed else
                            "put ? in the one you do not use, e.g. cron(0 3 * * ? *) or cron(0 3 ? * MON-FRI *)")
    schedule = Schedule(
        source=source, expression=f"cron({' '.join(fields)})", kind="cron",
        minutes=_plain_field(0, fields[0]), hours=_plain_field(1, fields[1]),
        day_of_month=_day_of_month(dom_text), months=_plain_field(3, fields[3]),
        day_of_week=_day_of_week(dow_text), years=_plain_field(5, fields[5]),
    )
    if _first_day(schedule) is None:
        raise ScheduleError(f"{schedule.expression} names no date that exists, so it never runs",
                            "check day-of-month against the months (e.g. there is no 30 FEB)")
    return schedule


def _parse_rate(source: str, body: str) -> Schedule:
    parts = body.split()
    example = "e.g. rate(15 minutes), rate(1 hour), rate(2 days)"
    if len(parts) != 2:
        raise ScheduleError(f"rate() takes a value and a unit, found {body.strip()!r}", example, RATE_SOURCE)
    value_text, unit = parts[0], parts[1].lower()
    singular = unit[:-1] if unit.endswith("s") else unit
    if singular not in _RATE_UNITS:
        hint = example
        if singular in ("second", "sec", "min", "week", "month", "year"):
            hint = "use minutes, hours or days (e.g. rate(7 days) for weekly), or a cron() for calendar times"
        raise ScheduleError(f"rate unit {parts[1]!r} is not minute(s), hour(s) or day(s)", hint, RATE_SOURCE)
    if not value_text.isascii() or not value_text.isdigit():
        hint = example
        if re.fullmatch(r"\d+\.\d+", value_text):
            hint = "use a smaller unit, e.g. rate(90 minutes) instead of rate(1.5 hours)"
        raise ScheduleError(f"rate value {value_text!r} must be a whole number", hint, RATE_SOURCE)
    value = int(value_text)
    if value < 1:
        raise ScheduleError(f"rate value must be at least 1, not {value}", example, RATE_SOURCE)
    expected = singular if value == 1 else singular + "s"
    if unit != expected:
        raise ScheduleError(
            f"rate({value} {parts[1]}): the unit is singular for 1 and plural otherwise",
            f"write rate({value} {expected})",
            "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html")
    return Schedule(source=source, expression=f"rate({value} {expected})", kind="rate",
                    rate_seconds=value * _RATE_UNITS[singular])


def parse_schedule(text: str) -> Schedule:
    """Parse a job's ``schedule`` as the spec writes it.

    Returns:
        The :class:`Schedule`; its ``expression`` is what EventBridge Scheduler receives.

    Raises:
        ScheduleError: The text is not a cron, rate or shorthand EventBridge Scheduler
            accepts (the message names the cron field and why), or it names no real date.

    >>> parse_schedule("@daily").expression
    'cron(0 0 * * ? *)'
    >>> parse_schedule("cron(0 3 ? * mon-fri *)").expression
    'cron(0 3 ? * MON-FRI *)'
    """
    stripped = text.strip()
    if not stripped:
        raise ScheduleError("must not be empty", "e.g. cron(0 3 * * ? *), rate(1 hour) or @daily")
    if len(stripped) > MAX_EXPRESSION_LENGTH:
        raise ScheduleError(f"is {len(stripped)} characters; EventBridge Scheduler accepts at most "
                            f"{MAX_EXPRESSION_LENGTH}", "shorten the lists, e.g. with ranges",
                            "terraform-provider-aws internal/service/scheduler/schedule.go")
    lowered = stripped.lower()
    if lowered.startswith("@"):
        if lowered not in SHORTHANDS:
            raise ScheduleError(f"unknown shorthand {stripped!r}",
                                "use one of " + ", ".join(SHORTHANDS) + ", or a cron() or rate()")
        return _parse_cron(stripped, SHORTHANDS[lowered][5:-1])
    if (match := _CRON.match(stripped)) is not None:
        return _parse_cron(stripped, match["body"])
    if (match := _RATE.match(stripped)) is not None:
        return _parse_rate(stripped, match["body"])
    fields = stripped.upper().split()
    if len(fields) in (5, 6) and not stripped.startswith(("cron", "rate")):
        fixed = _cron_hint(fields)
        raise ScheduleError(f"{stripped!r} is a bare cron; EventBridge Scheduler needs cron(...) around "
                            "six fields (minutes hours day-of-month month day-of-week year)",
                            f"did you mean {fixed}?" if fixed else "e.g. cron(0 3 * * ? *)")
    raise ScheduleError(f"{stripped[:60]!r} is not a cron(), rate() or shorthand",
                        "e.g. cron(0 3 * * ? *), rate(1 hour) or @daily")


def _days(schedule: Schedule, start: date) -> Iterator[date]:
    """The days a cron runs on, from ``start`` on, in order."""
    for year in sorted(y for y in schedule.years if y >= start.year):
        for month in sorted(schedule.months):
            if (year, month) < (start.year, start.month):
                continue
            first = start.day if (year, month) == (start.year, start.month) else 1
            for day in range(first, _days_in_month(year, month) + 1):
                candidate = date(year, month, day)
                if schedule.matches_day(candidate):
                    yield candidate


def _first_day(schedule: Schedule) -> date | None:
    return next(_days(schedule, date(min(schedule.years), 1, 1)), None)


def _zone(timezone: str) -> Any:
    from zoneinfo import ZoneInfo

    return UTC if timezone == "UTC" else ZoneInfo(timezone)


def next_runs(schedule: str | Schedule, timezone: str, after: datetime, count: int = 3) -> list[datetime]:
    """The next ``count`` times the schedule starts the job, strictly after ``after``, offline.

    Cron times are wall-clock times in ``timezone``: a time skipped when clocks go
    forward does not run, and a time that happens twice when they go back runs
    once, the first time (as EventBridge Scheduler does, see the module docstring).
    A rate has no calendar: EventBridge starts it when the schedule is created (no
    start date is set), so the times are ``after`` plus 1, 2, 3 … intervals, as if
    it were created at ``after``.

    Args:
        schedule: The spec's text (parsed with :func:`parse_schedule`) or a :class:`Schedule`.
        timezone: An IANA time zone name, e.g. ``"Europe/Berlin"``.
        after: A timezone-aware moment.
        count: How many run times to return; fewer when the cron's years run out.

    Returns:
        Timezone-aware datetimes in ``timezone``, earliest first, each at a whole minute.

    Raises:
        ScheduleError: ``schedule`` does not parse.
        ValueError: ``after`` is naive.
        zoneinfo.ZoneInfoNotFoundError: ``timezone`` is unknown (see :func:`timezone_problem`).
    """
    if after.tzinfo is None or after.utcoffset() is None:
        raise ValueError("after must be timezone-aware, e.g. datetime.now(UTC)")
    parsed = parse_schedule(schedule) if isinstance(schedule, str) else schedule
    zone = _zone(timezone)
    if parsed.kind == "rate":
        step = timedelta(seconds=parsed.rate_seconds)
        times: list[datetime] = []
        for i in range(1, count + 1):
            try:
                # In UTC: adding to an aware datetime in its own zone would add wall-clock time.
                times.append((after.astimezone(UTC) + step * i).astimezone(zone))
            except OverflowError:  # past year 9999
                break
        return times
    runs: list[datetime] = []
    local = after.astimezone(zone)
    # fold=0 for every wall-clock time makes wall-clock order the order of instants, so the
    # walk can start at the wall-clock minute of `after` and stop at `count`.
    start = (local.hour, local.minute)
    hours, minutes = sorted(parsed.hours), sorted(parsed.minutes)
    for day in _days(parsed, local.date()):
        for hour in hours:
            for minute in minutes:
                if day == local.date() and (hour, minute) < start:
                    continue
                wall = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
                if wall.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall.replace(tzinfo=None):
                    continue  # skipped when clocks go forward
                if wall <= after:
                    continue
                runs.append(wall)
                if len(runs) == count:
                    return runs
    return runs


@functools.cache
def _zone_names() -> frozenset[str]:
    """Every IANA zone name the ``tzdata`` package lists (exact spelling), without ``Factory``."""
    from importlib import resources

    text = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(text.split()) - {"Factory"}


def timezone_problem(timezone: str) -> tuple[str, str] | None:
    """``(message, hint)`` when ``timezone`` is not an IANA time zone name, else ``None``.

    The name must be spelt exactly as in the IANA database (``Europe/Berlin``, not
    ``europe/berlin`` or ``CET+1``); the hint suggests the closest names.

    >>> timezone_problem("Europe/Berlin") is None
    True
    >>> timezone_problem("europe/berlin")[1]
    'did you mean Europe/Berlin?'
    """
    if timezone == "UTC":
        return None
    if not timezone or len(timezone) > MAX_TIMEZONE_LENGTH:
        return (f"must be 1 to {MAX_TIMEZONE_LENGTH} characters, not {len(timezone)}",
                "use an IANA name such as Europe/Berlin")
    names = _zone_names()
    if timezone in names:
        return None
    import difflib

    by_lower = {n.lower(): n for n in names}
    close = ([by_lower[timezone.lower()]] if timezone.lower() in by_lower
             else difflib.get_close_matches(timezone, sorted(names), n=3, cutoff=0.6))
    hint = ("did you mean " + " or ".join(close) + "?") if close else \
        "use an IANA name such as Europe/Berlin, America/New_York or UTC"
    return f"{timezone!r} is not an IANA time zone name", hint

