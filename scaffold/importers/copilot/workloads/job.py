"""Scheduled Job → ``job``: ``on.schedule``, ``retries``, ``timeout``.

Reference: aws/copilot-cli ``site/content/docs/manifest/scheduled-job.en.md``. How Copilot turned
a schedule into an EventBridge expression: ``internal/pkg/deploy/cloudformation/stack/scheduled_job.go``
(``awsSchedule``): ``cron(…)`` and ``rate(…)`` pass through; ``@every <duration>`` becomes
``rate(<minutes> minutes)``; ``@hourly``/``@daily``/``@midnight``/``@weekly``/``@monthly``/``@yearly``/
``@annually`` become fixed crons; a five-field Unix cron gets ``?`` in the day field it does not
use, day-of-week numbers counted from 1 (Sunday) instead of 0, and a year ``*``. EventBridge
rules evaluate cron in UTC, so the job keeps ``timezone: UTC``. Every schedule written is checked
with scaffold's own parser (:func:`blueprints.job.schedule.parse_schedule`).
"""

from __future__ import annotations

import re

from scaffold.importers.copilot.workloads.conv import Conv, go_duration
from scaffold.importers.copilot.yamlsource import Located, Origin

#: Copilot's shorthands → scaffold's (the same times: scaffold's ``@weekly`` is Sunday 00:00 too).
SHORTHANDS = {"@hourly": "@hourly", "@daily": "@daily", "@midnight": "@daily", "@weekly": "@weekly",
              "@monthly": "@monthly", "@yearly": "@yearly", "@annually": "@yearly"}


class NoSchedule(Exception):
    """The job has no schedule scaffold can run (reported); it is not imported."""


def on(conv: Conv, data: Located) -> None:
    """``on.schedule`` → ``schedule`` (and ``timezone: UTC``)."""
    from blueprints.job.schedule import ScheduleError, parse_schedule

    raw = data.get("on")
    origin = data.at("on")
    if not isinstance(raw, Located) or not isinstance(raw.get("schedule"), str):
        conv.left_out(origin, "on.schedule", "a Scheduled Job needs `on.schedule`; the job is not imported")
        raise NoSchedule
    conv.unknown(raw, {"schedule"}, "on.", "scheduled-job")
    origin = raw.at("schedule")
    text = raw["schedule"].strip()
    schedule = to_schedule(conv, text, origin)
    try:
        parse_schedule(schedule)
    except ScheduleError as err:
        conv.left_out(origin, "on.schedule", f"`{text}` became `{schedule}`, which scaffold refuses: {err.message}"
                      f"{f' ({err.hint})' if err.hint else ''}; the job is not imported")
        raise NoSchedule from None
    conv.fields["schedule"] = schedule
    conv.fields["timezone"] = "UTC"
    if schedule != text:
        conv.notes.append(f"schedule `{text}` → `{schedule}` (UTC, as Copilot's EventBridge rule)")


def to_schedule(conv: Conv, text: str, origin: Origin) -> str:
    """A Copilot schedule as scaffold writes it (see the module docstring)."""
    if text == "none":
        conv.left_out(origin, "on.schedule", "`none` (a job run only by hand) has no equivalent: a scaffold job "
                      "runs on a schedule; the job is not imported")
        raise NoSchedule
    if re.fullmatch(r"(rate|cron)\(.*\)", text, re.DOTALL):
        return text
    lowered = text.lower()
    if lowered.startswith("@every "):
        return _every(conv, text[len("@every "):].strip(), origin)
    if lowered in SHORTHANDS:
        return SHORTHANDS[lowered]
    fields = text.split()
    if len(fields) == 5:
        return _unix_cron(conv, fields, origin)
    if len(fields) == 6:
        conv.decide(origin, "on.schedule", f"`{text}` has six fields: read as EventBridge's cron "
                    "(minutes hours day-of-month month day-of-week year); Copilot only took six fields inside "
                    "`cron(...)`")
        return f"cron({text})"
    return text  # refused by parse_schedule, reported there


def _every(conv: Conv, duration: str, origin: Origin) -> str:
    seconds = go_duration(duration)
    if seconds is None or seconds < 60 or seconds % 60:
        conv.left_out(origin, "on.schedule", f"`@every {duration}` is not a whole number of minutes (Copilot "
                      "refused it too); the job is not imported")
        raise NoSchedule
    minutes = int(seconds // 60)
    for unit, size in (("day", 1440), ("hour", 60), ("minute", 1)):
        if minutes % size == 0:
            n = minutes // size
            return f"rate({n} {unit}{'' if n == 1 else 's'})"
    raise AssertionError(minutes)  # pragma: no cover: minute always divides


def _unix_cron(conv: Conv, fields: list[str], origin: Origin) -> str:
    """A five-field (Unix, robfig/cron) schedule as EventBridge's six-field cron, as Copilot made it."""
    minute, hour, dom, month, dow = fields

    def given(f: str) -> bool:
        return not any(c in f for c in "*?")

    if not given(dom) and not given(dow):
        dom, dow = "*", "?"
    elif not given(dom):
        dom = "?"
    elif not given(dow):
        dow = "?"
    else:
        conv.left_out(origin, "on.schedule", f"`{' '.join(fields)}` sets both day-of-month and day-of-week, which "
                      "EventBridge (and Copilot) refuse; the job is not imported")
        raise NoSchedule
    return f"cron({minute} {hour} {dom} {month} {_day_of_week(dow)} *)"


def _day_of_week(field: str) -> str:
    """Unix day-of-week numbers (0 or 7 = Sunday) → EventBridge's (1 = Sunday); steps stay."""
    def shift(match: re.Match[str]) -> str:
        return str(int(match[0]) % 7 + 1)

    out = []
    for term in field.split(","):
        values, slash, step = term.partition("/")
        out.append(re.sub(r"\d+", shift, values) + slash + step)
    return ",".join(out)


def retries(conv: Conv, data: Located) -> None:
    """``retries`` → ``retries``."""
    raw = data["retries"]
    if raw is None:
        return
    from blueprints.job.settings import MAX_STATES_INTEGER

    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= MAX_STATES_INTEGER:
        conv.fields["retries"] = raw
    else:
        conv.wrong_type(data.at("retries"), "retries", f"a whole number from 0 to {MAX_STATES_INTEGER}", raw)


def timeout(conv: Conv, data: Located) -> None:
    """``timeout`` (a Go duration such as ``1h30m``) → ``timeout``."""
    from scaffold.spec.units import format_duration

    raw = data["timeout"]
    if raw is None:
        return
    from blueprints.job.settings import MAX_STATES_INTEGER

    seconds = go_duration(raw)
    if seconds is None or not 1 <= seconds <= MAX_STATES_INTEGER:
        conv.wrong_type(data.at("timeout"), "timeout", "a duration of at least 1s", raw)
        return
    conv.fields["timeout"] = format_duration(int(seconds))


def worst_case(conv: Conv, data: Located) -> None:
    """``retries`` and ``timeout`` together must fit in Step Functions' one-year execution limit
    (:func:`blueprints.job.settings.worst_case_seconds`); otherwise ``retries`` is left out."""
    from blueprints.job.settings import DEFAULT_TIMEOUT, MAX_EXECUTION_SECONDS, worst_case_seconds
    from scaffold.spec.units import parse_duration

    retries = conv.fields.get("retries")
    if retries is None:
        return
    timeout = parse_duration(conv.fields.get("timeout", DEFAULT_TIMEOUT))
    if worst_case_seconds(timeout, retries) > MAX_EXECUTION_SECONDS:
        del conv.fields["retries"]
        conv.left_out(data.at("retries"), "retries", f"{retries} retries of up to {timeout}s each do not fit in "
                      "one Step Functions execution (1 year); the profile's retries are used")
