"""A container run on a schedule: EventBridge Scheduler, Step Functions and one Fargate task.

The component is in :mod:`blueprints.job.component`; its settings, which import
no ``pulumi``, in :mod:`blueprints.job.settings`; the schedule grammar and the
offline next-run computation in :mod:`blueprints.job.schedule`. Names load lazily (PEP 562).
"""

from __future__ import annotations

from blueprints.exports import lazy_exports

__all__, __getattr__ = lazy_exports(__name__, {
    "schedule": [
        "Schedule",
        "ScheduleError",
        "SHORTHANDS",
        "next_runs",
        "parse_schedule",
        "timezone_problem",
    ],
    "settings": [
        "DEFAULT_TIMEZONE",
        "DEFAULT_TIMEOUT",
        "DEFAULT_RETRIES",
        "MAX_EXECUTION_SECONDS",
        "SCHEDULE_NAME",
        "STATE_MACHINE_NAME",
        "JobSettings",
        "job_problems",
        "worst_case_seconds",
    ],
    "component": [
        "Job",
        "state_machine_definition",
        "state_machine_policy",
    ],
})
