"""Problems with a component's settings, reported field by field, without ``pulumi``.

Every settings class of :mod:`blueprints` checks itself with a pulumi-free
function that yields :class:`SettingProblem`\\ s; its ``__post_init__`` raises
:class:`SettingsError` with all of them. ``scaffold validate`` runs the same
functions (through :mod:`stacks.settings`) and reports each problem at the
spec field it came from, so a rule is written once.

Also here: the characters AWS accepts in EC2 security-group and rule
descriptions, which every component's descriptions must respect.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class SettingProblem:
    """One broken rule of a settings object.

    Attributes:
        field: The settings field, dotted for nested settings (``"scaling.min"``);
            ``""`` for the settings as a whole.
        message: What is wrong, e.g. ``"cpu 256 takes memory 512, 1024 or 2048 MiB, not 1536"``.
        hint: How to fix it, or ``""``.
        source: Where the rule comes from (an AWS API reference or a
            terraform-provider-aws validator), or ``""``.
    """

    field: str
    message: str
    hint: str = ""
    source: str = ""


class SettingsError(ValueError):
    """Settings that break one or more rules; ``problems`` lists each.

    A ``ValueError``, so callers that caught the old single-message errors still work.
    """

    def __init__(self, problems: Iterable[SettingProblem]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(
            f"{p.field}: {p.message}" if p.field else p.message for p in self.problems))


def raise_problems(problems: Iterable[SettingProblem]) -> None:
    """Raise :class:`SettingsError` when ``problems`` is not empty."""
    found = list(problems)
    if found:
        raise SettingsError(found)


#: Retention periods CloudWatch Logs accepts, in days (container logs, flow logs …).
#: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
#: (retentionInDays); terraform-provider-aws internal/service/logs/group.go (validRetentionInDays).
LOG_RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
    2922, 3288, 3653,
)


#: Characters EC2 accepts in security-group and security-group-rule descriptions:
#: a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$*
#: Source: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html (Description),
#: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html (GroupDescription)
#: and terraform-provider-aws internal/service/ec2/validate.go (validSecurityGroupRuleDescription:
#: ``^[A-Za-z0-9 \.\_\-\:\/\(\)\#\,\@\[\]\+\=\&\;\{\}\!\$\*]*$``, at most 255).
#: ``\Z``, not ``$``: Python's ``$`` also matches before a trailing newline, which EC2 refuses.
EC2_DESCRIPTION = re.compile(r"^[a-zA-Z0-9. _\-:/()#,@\[\]+=&;{}!$*]*\Z")
#: Longest EC2 security-group (rule) description, in characters.
EC2_DESCRIPTION_MAX = 255


def ec2_description(text: str) -> str:
    """``text`` with every character EC2 refuses in a description replaced by a space, cut to 255.

    >>> ec2_description("api -> orders-db")
    'api to orders-db'
    """
    text = text.replace("->", "to")
    cleaned = "".join(c if EC2_DESCRIPTION.match(c) else " " for c in text)
    return re.sub(r" {2,}", " ", cleaned).strip()[:EC2_DESCRIPTION_MAX]


def zone_spread_problem(nodes: int, zones: int, *, replicas_field: str = "replicas") -> str | None:
    """Why ``nodes`` copies of a data store (primary plus replicas) cannot each have their own AZ, or ``None``.

    scaffold places no two copies of the data in one availability zone, so an AZ
    outage never takes a primary and its replica together. Used by
    :func:`blueprints.placement.spread_over_zones` when it places nodes and by
    ``scaffold validate`` on the resolved ``network.azs``.
    """
    if zones < 1:
        return "the network has no availability zones to place nodes in"
    if nodes > zones:
        return (f"{replicas_field}={nodes - 1} needs {nodes} distinct availability zones (one per node), "
                f"but the network has {zones}")
    return None
