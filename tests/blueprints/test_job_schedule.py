"""Job schedules: EventBridge Scheduler's grammar, the expression sent to AWS, next runs offline, and JobSettings."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from blueprints.constraints import SettingsError
from blueprints.job.schedule import (
    CRON_FIELDS,
    ScheduleError,
    next_runs,
    parse_schedule,
    timezone_problem,
)
from blueprints.job.settings import (
    MAX_EXECUTION_SECONDS,
    JobSettings,
    retry_waits,
    worst_case_seconds,
)

BERLIN = ZoneInfo("Europe/Berlin")
IMAGE = "ghcr.io/acme/reports:1.0"


# -- what AWS receives -------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expression"), [
    ("cron(0 3 * * ? *)", "cron(0 3 * * ? *)"),
    ("  cron( 0  3 * *  ?  * ) ", "cron(0 3 * * ? *)"),
    ("cron(0 9 ? * mon-fri *)", "cron(0 9 ? * MON-FRI *)"),
    ("cron(15 10 ? jan,jul 2#1 2026-2030)", "cron(15 10 ? JAN,JUL 2#1 2026-2030)"),
    ("cron(0/15 8-17 ? * MON-FRI *)", "cron(0/15 8-17 ? * MON-FRI *)"),
    ("cron(0 18 L * ? *)", "cron(0 18 L * ? *)"),
    ("cron(0 8 15W * ? *)", "cron(0 8 15W * ? *)"),
    ("cron(0 12 ? * 6L *)", "cron(0 12 ? * 6L *)"),
    ("cron(0 12 ? * FRIL *)", "cron(0 12 ? * FRIL *)"),
    ("cron(0 0 1,15 */3 ? *)", "cron(0 0 1,15 */3 ? *)"),
    ("cron(0 0 1 1 ? 2030/2)", "cron(0 0 1 1 ? 2030/2)"),
    ("rate(1 minute)", "rate(1 minute)"),
    ("rate(15 minutes)", "rate(15 minutes)"),
    ("rate(1 hour)", "rate(1 hour)"),
    ("rate(2 Days)", "rate(2 days)"),
    ("@hourly", "cron(0 * * * ? *)"),
    ("@daily", "cron(0 0 * * ? *)"),
    ("@weekly", "cron(0 0 ? * SUN *)"),
    ("@monthly", "cron(0 0 1 * ? *)"),
    ("@yearly", "cron(0 0 1 1 ? *)"),
    ("@annually", "cron(0 0 1 1 ? *)"),
    ("@DAILY", "cron(0 0 * * ? *)"),
])
def test_valid_schedules_and_the_expression_sent_to_aws(text: str, expression: str) -> None:
    parsed = parse_schedule(text)
    assert parsed.expression == expression
    assert parsed.source == text.strip()
    assert parsed.kind == ("rate" if expression.startswith("rate") else "cron")


@pytest.mark.parametrize(("text", "message", "hint"), [
    ("", "must not be empty", "cron(0 3 * * ? *)"),
    ("cron(0 3 * * *)", "cron() takes 6 fields", "did you mean cron(0 3 * * ? *)?"),
    ("cron(0 3 * * MON-FRI)", "found 5", "did you mean cron(0 3 ? * MON-FRI *)?"),
    ("0 3 * * *", "is a bare cron", "did you mean cron(0 3 * * ? *)?"),
    ("cron(0 3 * * ? * *)", "found 7", ""),
    ("cron(0 3 * * * *)", "both set; EventBridge needs ? in exactly one", "did you mean cron(0 3 * * ? *)?"),
    ("cron(0 3 1 * MON *)", "both set", "put ? in the one you do not use"),
    ("cron(0 3 ? * ? *)", "both ?", ""),
    ("cron(60 3 * * ? *)", "cron field 'minutes' (1st) '60': 60 is out of range 0-59", "minutes takes 0-59"),
    ("cron(0 24 * * ? *)", "cron field 'hours' (2nd) '24': 24 is out of range 0-23", ""),
    ("cron(0 3 32 * ? *)", "'day-of-month' (3rd) '32': 32 is out of range 1-31", ""),
    ("cron(0 3 0 * ? *)", "0 is out of range 1-31", ""),
    ("cron(0 3 * 13 ? *)", "'month' (4th) '13': 13 is out of range 1-12", "or JAN-DEC"),
    ("cron(0 3 * JANUARY ? *)", "'JANUARY' is not a number or a name", "JAN-DEC"),
    ("cron(0 3 ? * 0 *)", "0 is out of range 1-7 (EventBridge counts days of the week from 1 = Sunday",
     "use 1 or SUN for Sunday"),
    ("cron(0 3 ? * 8 *)", "'day-of-week' (5th) '8': 8 is out of range 1-7", ""),
    ("cron(0 3 * * ? 1969)", "'year' (6th) '1969': 1969 is out of range 1970-2199", ""),
    ("cron(0 3 * * ? 2200)", "out of range 1970-2199", ""),
    ("cron(0 MON * * ? *)", "'MON' is a name; hours takes numbers only", ""),
    ("cron(0 22-2 * * ? *)", "the range starts after it ends (22 > 2)", "22-23,0-2"),
    ("cron(0 3 ? * FRI-MON *)", "the range starts after it ends", ""),
    ("cron(*/0 3 * * ? *)", "the step after '/' must be a whole number >= 1", ""),
    ("cron(0 3 ? * */2 *)", "'/' (steps) is not allowed in day-of-week", "MON,WED,FRI"),
    ("cron(0 3 ? * MON#1,FRI#3 *)", "with '#', day-of-week holds a single expression", ""),
    ("cron(0 3 ? * MON#6 *)", "the week after '#' must be 1-5", ""),
    ("cron(0 3 1#1 * ? *)", "'#' is allowed only in day-of-week", ""),
    ("cron(0 3 ? * 2W *)", "'W' is allowed only in day-of-month", ""),
    ("cron(0 3 LW * ? *)", "'LW' is not among EventBridge's wildcards", ""),
    ("cron(0 3 L-2 * ? *)", "L stands alone in day-of-month", ""),
    ("cron(0 3 1-5W * ? *)", "W takes one day of the month before it", ""),
    ("cron(L 3 * * ? *)", "'L' is not allowed in minutes", ""),
    ("cron(0 ? * * ? *)", "'?' is not allowed in hours", ""),
    ("cron(0 3 1,,2 * ? *)", "has an empty item", ""),
    ("cron(0 3 30 2 ? *)", "names no date that exists, so it never runs", "there is no 30 FEB"),
    ("cron(0 3 31 APR,JUN,SEP,NOV ? *)", "never runs", ""),
    ("rate(5)", "rate() takes a value and a unit", "rate(15 minutes)"),
    ("rate(0 minutes)", "rate value must be at least 1, not 0", ""),
    ("rate(-5 minutes)", "must be a whole number", ""),
    ("rate(1.5 hours)", "rate value '1.5' must be a whole number", "rate(90 minutes)"),
    ("rate(30 seconds)", "rate unit 'seconds' is not minute(s), hour(s) or day(s)", "minutes, hours or days"),
    ("rate(1 week)", "is not minute(s)", "rate(7 days)"),
    ("rate(1 hours)", "the unit is singular for 1 and plural otherwise", "write rate(1 hour)"),
    ("rate(5 minute)", "singular for 1 and plural otherwise", "write rate(5 minutes)"),
    ("@every", "unknown shorthand '@every'", "@hourly, @daily, @weekly, @monthly, @yearly"),
    ("@reboot", "unknown shorthand", ""),
    ("daily", "is not a cron(), rate() or shorthand", "@daily"),
    ("cron(" + "0," * 200 + "0 3 * * ? *)", "EventBridge Scheduler accepts at most 256", ""),
])
def test_invalid_schedules_say_which_field_and_why(text: str, message: str, hint: str) -> None:
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(text)
    assert message in caught.value.message
    assert hint in caught.value.hint
    assert caught.value.source.startswith(("https://", "terraform-provider-aws"))


def test_field_names_follow_eventbridge_order() -> None:
    assert CRON_FIELDS == ("minutes", "hours", "day-of-month", "month", "day-of-week", "year")


# -- next runs, offline ------------------------------------------------------------------------
def iso(times: list[datetime]) -> list[str]:
    return [t.isoformat() for t in times]


def test_daily_cron_keeps_local_time_across_the_spring_change_in_berlin() -> None:
    # 29 March 2026: clocks go from 02:00 CET to 03:00 CEST.
    runs = next_runs("cron(0 3 * * ? *)", "Europe/Berlin", datetime(2026, 3, 27, 12, tzinfo=UTC))
    assert iso(runs) == ["2026-03-28T03:00:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T03:00:00+02:00"]
    assert [(t.astimezone(UTC).hour) for t in runs] == [2, 1, 1]  # UTC moves, local time does not


def test_a_time_skipped_when_clocks_go_forward_does_not_run() -> None:
    runs = next_runs("cron(30 2 * * ? *)", "Europe/Berlin", datetime(2026, 3, 27, 12, tzinfo=UTC))
    assert iso(runs) == ["2026-03-28T02:30:00+01:00", "2026-03-30T02:30:00+02:00", "2026-03-31T02:30:00+02:00"]


def test_a_time_repeated_when_clocks_go_back_runs_once() -> None:
    # 25 October 2026: 02:00-02:59 happens twice in Berlin (CEST, then CET).
    runs = next_runs("cron(30 2 * * ? *)", "Europe/Berlin", datetime(2026, 10, 24, 12, tzinfo=UTC), count=3)
    assert iso(runs) == ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00", "2026-10-27T02:30:00+01:00"]
    every_quarter = next_runs("cron(0/30 2 * * ? *)", "Europe/Berlin",
                              datetime(2026, 10, 24, 23, 0, tzinfo=UTC), count=3)
    assert iso(every_quarter) == ["2026-10-25T02:00:00+02:00", "2026-10-25T02:30:00+02:00",
                                  "2026-10-26T02:00:00+01:00"]


def test_next_runs_are_strictly_after_and_in_the_time_zone() -> None:
    after = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)  # 03:00 in Berlin
    runs = next_runs("cron(0 3 * * ? *)", "Europe/Berlin", after)
    assert runs[0] == datetime(2026, 6, 2, 3, 0, tzinfo=BERLIN)
    assert all(t.tzinfo is not None and t.utcoffset() == timedelta(hours=2) for t in runs)
    utc = next_runs("@hourly", "UTC", datetime(2026, 6, 1, 10, 0, 1, tzinfo=UTC), count=2)
    assert iso(utc) == ["2026-06-01T11:00:00+00:00", "2026-06-01T12:00:00+00:00"]


def test_rate_counts_elapsed_time_across_dst() -> None:
    after = datetime(2026, 3, 28, 12, 0, tzinfo=BERLIN)
    runs = next_runs("rate(1 day)", "Europe/Berlin", after)
    assert iso(runs) == ["2026-03-29T13:00:00+02:00", "2026-03-30T13:00:00+02:00", "2026-03-31T13:00:00+02:00"]
    # (in UTC: Python subtracts two datetimes of the same zone by wall clock)
    assert [t.astimezone(UTC) - after.astimezone(UTC) for t in runs] == [timedelta(days=1), timedelta(days=2), timedelta(days=3)]
    assert iso(next_runs("rate(15 minutes)", "UTC", datetime(2026, 1, 1, tzinfo=UTC), count=2)) == [
        "2026-01-01T00:15:00+00:00", "2026-01-01T00:30:00+00:00"]


@pytest.mark.parametrize(("text", "after", "expected"), [
    ("cron(0 9 ? * MON#1 *)", datetime(2026, 1, 1, tzinfo=UTC),
     ["2026-01-05T09:00:00+00:00", "2026-02-02T09:00:00+00:00", "2026-03-02T09:00:00+00:00"]),
    ("cron(0 9 L * ? *)", datetime(2026, 1, 31, 10, tzinfo=UTC),
     ["2026-02-28T09:00:00+00:00", "2026-03-31T09:00:00+00:00", "2026-04-30T09:00:00+00:00"]),
    # 15 Feb 2026 is a Sunday -> Monday 16th; 15 Aug 2026 a Saturday -> Friday 14th
    ("cron(0 9 15W FEB,AUG ? *)", datetime(2026, 1, 1, tzinfo=UTC),
     ["2026-02-16T09:00:00+00:00", "2026-08-14T09:00:00+00:00", "2027-02-15T09:00:00+00:00"]),
    # 1 Aug 2026 is a Saturday: 1W never leaves the month -> Monday 3rd
    ("cron(0 9 1W AUG ? *)", datetime(2026, 1, 1, tzinfo=UTC),
     ["2026-08-03T09:00:00+00:00", "2027-08-02T09:00:00+00:00", "2028-08-01T09:00:00+00:00"]),
    ("cron(0 9 ? * 6L *)", datetime(2026, 1, 1, tzinfo=UTC),
     ["2026-01-30T09:00:00+00:00", "2026-02-27T09:00:00+00:00", "2026-03-27T09:00:00+00:00"]),
    ("cron(0 9 ? * L *)", datetime(2026, 1, 1, tzinfo=UTC),  # the last day of the week: Saturday
     ["2026-01-03T09:00:00+00:00", "2026-01-10T09:00:00+00:00", "2026-01-17T09:00:00+00:00"]),
    ("cron(0 12 29 2 ? *)", datetime(2026, 1, 1, tzinfo=UTC),
     ["2028-02-29T12:00:00+00:00", "2032-02-29T12:00:00+00:00", "2036-02-29T12:00:00+00:00"]),
    ("@weekly", datetime(2026, 1, 1, tzinfo=UTC),  # 1 Jan 2026 is a Thursday
     ["2026-01-04T00:00:00+00:00", "2026-01-11T00:00:00+00:00", "2026-01-18T00:00:00+00:00"]),
])
def test_special_days(text: str, after: datetime, expected: list[str]) -> None:
    assert iso(next_runs(text, "UTC", after)) == expected


def test_fewer_runs_when_the_years_run_out() -> None:
    assert iso(next_runs("cron(0 0 1 1 ? 2027)", "UTC", datetime(2026, 1, 1, tzinfo=UTC))) == [
        "2027-01-01T00:00:00+00:00"]
    assert next_runs("cron(0 0 1 1 ? 2020)", "UTC", datetime(2026, 1, 1, tzinfo=UTC)) == []


def test_next_runs_needs_an_aware_moment() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_runs("@daily", "UTC", datetime(2026, 1, 1))


#: The day before a DST change in Berlin, New York or Lord Howe Island (a 30-minute change), 2026.
DST_EVES = [datetime(2026, 3, 28), datetime(2026, 10, 24), datetime(2026, 3, 7), datetime(2026, 10, 31),
            datetime(2026, 4, 4), datetime(2026, 10, 3)]


@settings(max_examples=60, deadline=None)
@given(
    minutes=st.lists(st.integers(0, 59), min_size=1, max_size=4, unique=True),
    hours=st.lists(st.integers(0, 23), min_size=1, max_size=6, unique=True),
    weekdays=st.lists(st.sampled_from(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]),
                      min_size=2, max_size=4, unique=True),
    start=st.one_of(
        st.tuples(st.sampled_from(DST_EVES), st.integers(0, 47 * 60)).map(
            lambda t: t[0] + timedelta(minutes=t[1])),
        st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31)),
    ),
    zone=st.sampled_from(["UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]),
)
def test_every_next_run_matches_the_cron_and_none_is_missed(
    minutes: list[int], hours: list[int], weekdays: list[str], start: datetime, zone: str,
) -> None:
    """Against a brute force: every existing wall-clock minute after ``start`` for 4 days."""
    text = f"cron({','.join(map(str, minutes))} {','.join(map(str, hours))} ? * {','.join(weekdays)} *)"
    tz = ZoneInfo(zone)
    after = start.replace(tzinfo=UTC)
    runs = next_runs(text, zone, after, count=3)
    days = {"SUN": 6, "MON": 0, "TUE": 1, "WED": 2, "THU": 3, "FRI": 4, "SAT": 5}
    wanted = {days[d] for d in weekdays}
    expected: list[datetime] = []
    instant = after.replace(second=0, microsecond=0) + timedelta(minutes=1)
    seen_wall: set[datetime] = set()
    while len(expected) < 3 and instant < after + timedelta(days=4):
        local = instant.astimezone(tz)
        wall = local.replace(tzinfo=None)
        if (local.minute in minutes and local.hour in hours and local.weekday() in wanted
                and wall not in seen_wall):  # a repeated wall-clock time runs once
            expected.append(local)
        seen_wall.add(wall)
        instant += timedelta(minutes=1)
    assert runs[:len(expected)] == expected
    assert all(t > after for t in runs) and runs == sorted(runs)


# -- time zones --------------------------------------------------------------------------------
@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+5"])
def test_iana_time_zones_pass(zone: str) -> None:
    assert timezone_problem(zone) is None


@pytest.mark.parametrize(("zone", "hint"), [
    ("europe/berlin", "did you mean Europe/Berlin?"),
    ("Europe/Berln", "Europe/Berlin"),
    ("America/NewYork", "America/New_York"),
    ("CEST", "did you mean"),
    ("Factory", "use an IANA name"),
    ("", "IANA"),
    ("A" * 51, "IANA"),
])
def test_unknown_time_zones_get_a_hint(zone: str, hint: str) -> None:
    problem = timezone_problem(zone)
    assert problem is not None
    assert hint in problem[1]


# -- settings ----------------------------------------------------------------------------------
def test_settings_defaults_and_expression() -> None:
    s = JobSettings(image=IMAGE, schedule="@daily")
    assert (s.timezone, s.timeout, s.retries, s.cpu, s.memory, s.port, s.alarms) == (
        "UTC", 3600, 2, 256, 512, None, False)
    assert s.expression == "cron(0 0 * * ? *)"


@pytest.mark.parametrize(("kwargs", "field", "message"), [
    ({"schedule": "cron(0 3 * * *)"}, "schedule", "cron() takes 6 fields"),
    ({"timezone": "Europe/Berln"}, "timezone", "not an IANA time zone name"),
    ({"timeout": 0}, "timeout", "must be 1 to 99999999 seconds, not 0"),
    ({"timeout": 100_000_000}, "timeout", "must be 1 to 99999999 seconds"),
    ({"retries": -1}, "retries", "must be 0 to 99999999, not -1"),
    ({"timeout": 200 * 86400, "retries": 1}, "timeout", "a Step Functions execution ends after 1 year"),
    ({"cpu": 300}, "cpu", "not a Fargate size"),
    ({"command": []}, "command", "at least one element"),
    ({"secrets": {"KEY": "hunter2"}}, "secrets.KEY", "never the value itself"),
    ({"log_retention_days": 10}, "log_retention_days", "cannot keep logs for 10 days"),
])
def test_settings_report_each_problem_on_its_field(kwargs: dict[str, object], field: str, message: str) -> None:
    base: dict[str, object] = {"image": IMAGE, "schedule": "@daily"}
    with pytest.raises(SettingsError) as caught:
        JobSettings(**{**base, **kwargs})  # type: ignore[arg-type]
    assert [(p.field, message in p.message) for p in caught.value.problems] == [(field, True)]


def test_every_problem_at_once() -> None:
    with pytest.raises(SettingsError) as caught:
        JobSettings(image=IMAGE, schedule="rate(0 hours)", timezone="Mars/Base", timeout=0, retries=-2)
    assert [p.field for p in caught.value.problems] == ["schedule", "timezone", "timeout", "retries"]


def test_worst_case_duration() -> None:
    assert [retry_waits(n) for n in range(7)] == [0, 60, 180, 420, 900, 1800, 2700]
    assert worst_case_seconds(1800, 2) == 3 * 1800 + 180
    limit = MAX_EXECUTION_SECONDS
    JobSettings(image=IMAGE, schedule="@daily", timeout=limit - 60 * 2, retries=0)  # within a year
    with pytest.raises(SettingsError):
        JobSettings(image=IMAGE, schedule="@daily", timeout=limit, retries=1)


def test_settings_and_schedule_import_without_pulumi() -> None:
    code = ("import sys, blueprints.job.settings, blueprints.job.schedule, blueprints.job; "
            "blueprints.job.JobSettings; assert 'pulumi' not in sys.modules, sorted(sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
