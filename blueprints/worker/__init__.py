"""A queue worker: ECS Fargate tasks with no load balancer, scaled on the consumed queue's backlog.

The component is in :mod:`blueprints.worker.component`; its settings, which import
no ``pulumi``, in :mod:`blueprints.worker.settings`. Names load lazily (PEP 562).
"""

from __future__ import annotations

from blueprints.exports import lazy_exports

__all__, __getattr__ = lazy_exports(__name__, {
    "settings": [
        "DEFAULT_MIN_TASKS",
        "DEFAULT_MAX_TASKS",
        "DEFAULT_BACKLOG_PER_TASK",
        "DEFAULT_CPU_TARGET",
        "MIN_VISIBILITY_TIMEOUT",
        "WorkerScalingSettings",
        "WorkerSettings",
        "consumed_queue_problem",
        "visibility_timeout_problem",
        "worker_problems",
        "worker_scaling_problems",
    ],
    "component": [
        "Worker",
        "BACKLOG_EXPRESSION",
        "NO_TASK_ALARM_EXPRESSION",
    ],
})
