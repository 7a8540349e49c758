"""``scaffold plan --format markdown``: the plan of one environment as a summary for humans.

Written to be posted as a pull-request comment (docs/plan.md, "Markdown summary"):

* a title with the project, environment, profile and region, and the resource total;
* a table with one row per component: its kind, how many AWS resources it has, its key
  settings (from the blueprint: Multi-AZ, readers, replicas, scaling range, HTTPS, WAF …),
  and its alarms and where they go;
* with ``--against``, the changes that lose data;
* a Mermaid diagram of the components and their links (:mod:`stacks.graph`), which GitHub
  renders in comments.

The result stays under GitHub's 65 536-character comment limit (:data:`COMMENT_LIMIT`): the
diagram is left out first, then table rows from the end, each with a note. Pulumi-free: it
reads a :class:`stacks.plan.Plan` and the blueprint it was made from, or a plan read back from its
JSON document (:class:`SavedPlan`, for ``scaffold plan --from``: no planning, no pulumi).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scaffold.spec.units import format_duration
from stacks.graph import Graph, component_graph, has_alarms, to_mermaid

if TYPE_CHECKING:
    from scaffold.spec.blueprint import Blueprint
    from scaffold.spec.replacement import Replacement
    from stacks.plan import Plan

#: GitHub refuses a comment (issue, pull request) longer than this many characters.
COMMENT_LIMIT = 65_536
#: Mermaid's default ``maxTextSize``: a longer diagram is not rendered.
MERMAID_MAX_TEXT = 50_000
#: Mermaid's default ``maxEdges``: a diagram with more edges is not rendered.
MERMAID_MAX_EDGES = 500
ALARM_TYPE = "aws:cloudwatch/metricAlarm:MetricAlarm"
#: What the shared (non-spec) top-level components are.
SHARED = {"network": "VPC", "services": "ECS cluster"}
DASH = "\u2013"  # an en dash, for ranges such as 2 to 20

_MARKDOWN_SPECIAL = set("\\`*_[]<>|~")


def _text(value: Any) -> str:
    """``value`` as Markdown text that renders as written: markup characters escaped, one line."""
    text = " ".join(str(value).split())
    return "".join("\\" + ch if ch in _MARKDOWN_SPECIAL else ch for ch in text)


def _code(value: Any) -> str:
    """``value`` as inline code (its ``|`` escaped, as a table cell needs even inside code)."""
    text = " ".join(str(value).split()).replace("|", "\\|")
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _on(flag: bool) -> str:
    return "on" if flag else "off"


def _count(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# A plan read back from its JSON document (``scaffold plan --from``): what render_markdown reads of a
# Plan and of a Replacement, with nothing planned again.


@dataclass(frozen=True)
class SavedResource:
    """A resource of a saved plan: the members :func:`render_markdown` reads."""

    type: str
    component: str | None


class SavedPlan:
    """One environment's plan read back from the document ``scaffold plan --json`` printed.

    It has what :func:`render_markdown` reads of a :class:`stacks.plan.Plan` (``project``,
    ``stack``, ``profile``, ``region``, ``resources``, ``schedules``, ``summary()``), so the
    Markdown of a saved plan is byte for byte the Markdown of the plan it was saved from.
    """

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.project: str = document["project"]
        self.stack: str = document["stack"]
        self.profile: str = document["profile"]
        self.region: str = document["region"]
        self.resources = [SavedResource(r["type"], r.get("component")) for r in document["resources"]]
        self.schedules: dict[str, dict[str, Any]] = dict(document.get("schedules") or {})
        self._summary: dict[str, Any] = document["summary"]

    def summary(self) -> dict[str, Any]:
        """The document's ``summary`` (what :meth:`stacks.plan.Plan.summary` returned when it was saved)."""
        return self._summary


@dataclass(frozen=True)
class SavedReplacement:
    """A member of a saved plan's ``replacements`` (``plan --against``): what the Data loss list shows."""

    type: str
    name: str
    field: str
    reason: str
    refused: bool

    @property
    def type_and_name(self) -> str:
        return f"{self.type} {self.name}"


def saved_replacements(document: Mapping[str, Any]) -> list[SavedReplacement] | None:
    """The ``replacements`` of a saved plan, or ``None`` when it was planned without ``--against``.

    ``refused`` is the document's ``refused_in_production``: a saved plan does not say whether the
    deployed database had deletion protection on, which the live ``--against`` also marks refused.
    """
    if "replacements" not in document:
        return None
    return [SavedReplacement(r["type"], r["name"], r["field"], r["reason"], bool(r.get("refused_in_production")))
            for r in document["replacements"]]


# Key settings, by kind: (name, component, plan, blueprint) -> short phrases. A kind without an
# entry shows its scalar fields (see _generic).

ENGINES = {"postgres": "Aurora PostgreSQL", "mysql": "Aurora MySQL", "redis": "Redis", "valkey": "Valkey"}


def _failover(replicas: int) -> str:
    return "Multi-AZ yes (automatic failover)" if replicas >= 1 else "Multi-AZ no"


def _database(name: str, c: Any, plan: Plan, bp: Blueprint) -> list[str]:
    size = (f"Serverless v2 {c.serverless.min:g}{DASH}{c.serverless.max:g} ACU" if c.serverless
            else f"instance {_code(c.instance)}")
    return [f"{ENGINES.get(c.engine, _text(c.engine))} {_code(c.version)}", size, f"readers {c.replicas}",
            _failover(c.replicas), f"proxy {_yes(c.proxy)}", f"backups {format_duration(c.backup_retention)}",
            f"deletion protection {_yes(c.deletion_protection)}"]


def _cache(name: str, c: Any, plan: Plan, bp: Blueprint) -> list[str]:
    return [f"{ENGINES.get(c.engine, _text(c.engine))} {_code(c.version)}", f"node {_code(c.node)}",
            f"replicas {c.replicas}", _failover(c.replicas)]


def _front_door(c: Any) -> str:
    if c.domain and c.certificate:
        return f"HTTPS {_text(c.domain)} (own certificate)"
    if c.domain:
        return f"HTTPS {_text(c.domain)}"
    if c.certificate:
        return "HTTPS (own certificate)"
    return "plain HTTP"


def _api(name: str, c: Any, plan: Plan, bp: Blueprint) -> list[str]:
    s = c.scaling
    targets = [f"{name} {value}{'%' if name != 'requests' else '/min'}"
               for name, value in (("cpu", s.cpu), ("memory", s.memory), ("requests", s.requests)) if value]
    waf = f"WAF {_on(c.waf)}" if c.public else "WAF off (internal)"
    return ["public" if c.public else "internal", _front_door(c), waf,
            f"scaling {s.min}{DASH}{s.max} ({', '.join(targets)})"]


def _worker(name: str, c: Any, plan: Plan, bp: Blueprint) -> list[str]:
    s = c.scaling
    return [f"consumes {_text(c.consumes)}", f"scaling {s.min}{DASH}{s.max}", f"backlog {s.backlog_per_task} per task"]


def _job(name: str, c: Any, plan: Plan, bp: Blueprint) -> list[str]:
    schedule = plan.schedules.get(name)
    expression = schedule["expression"] if schedule else c.schedule
    timezone = schedule["timezone"] if schedule else c.timezone
    runs = (schedule or {}).get("next_runs") or []
    found = [f"schedule {_code(expression)} in {_text(timezone)}"]
    if runs:  # ISO-8601 times: nothing to escape
        found.append("next runs " + ", ".join(runs))
    return [*found, f"timeout {format_duration(c.timeout)}", f"retries {c.retries}"]


def _bucket(name: str, c: Any, plan: Plan, bp: Blueprint) -> list[str]:
    encryption = {"s3": "SSE-S3", "kms": "SSE-KMS"}.get(c.encryption, _text(c.encryption))
    expiry = f"expire after {format_duration(c.expire_after)}" if c.expire_after else "no expiry"
    return [f"versioning {_on(c.versioning)}", f"encryption {encryption}", f"retain on destroy {_yes(c.retain)}",
            expiry]


def _queue(name: str, c: Any, plan: Plan, bp: Blueprint) -> list[str]:
    return ["FIFO" if c.fifo else "standard", f"DLQ after {c.max_receives} receives",
            f"visibility {format_duration(c.visibility_timeout)}", f"retention {format_duration(c.retention)}"]


def _notifications(name: str, c: Any, plan: Plan, bp: Blueprint) -> list[str]:
    # Addresses are not secrets, but a comment is no place for them: counts by protocol only,
    # except queues, which are this spec's components.
    by_protocol: dict[str, int] = {}
    for sub in c.subscribers:
        by_protocol[sub.protocol] = by_protocol.get(sub.protocol, 0) + 1
    found = ["subscribers: " + (", ".join(f"{n} {_text(p)}" for p, n in by_protocol.items()) or "none")]
    queues = [sub.endpoint for sub in c.subscribers if sub.protocol == "queue"]
    if queues:
        found.append("delivers to " + ", ".join(_text(q) for q in queues))
    return found


def _generic(name: str, c: Any, plan: Plan, bp: Blueprint) -> list[str]:
    """A kind without an entry: its scalar fields, ``field value``."""
    data = c.model_dump(mode="json")
    return [f"{_text(k)} {_yes(v) if isinstance(v, bool) else _text(v)}" for k, v in data.items()
            if k != "kind" and isinstance(v, str | int | float | bool)][:6]


#: Key settings by kind; see :func:`_generic` for a kind without an entry.
KEY_SETTINGS: Mapping[str, Callable[[str, Any, Any, Any], list[str]]] = {
    "database": _database, "cache": _cache, "api": _api, "worker": _worker, "job": _job,
    "bucket": _bucket, "queue": _queue, "notifications": _notifications,
}


def _network(bp: Blueprint) -> list[str]:
    n = bp.network
    nat = {"none": "no NAT", "single": "one NAT gateway", "per_az": "a NAT gateway per AZ"}.get(n.nat, _text(n.nat))
    return [f"VPC {_code(n.cidr)}", f"{n.azs} AZs", nat, f"flow logs {_on(n.flow_logs)}"]


def _alarms(name: str, component: Any, count: int, bp: Blueprint) -> str:
    if count:
        if bp.alarms.notify:
            return f"{count} → {_text(bp.alarms.notify)}"
        return f"{count}, not sent (no alarms.notify)"
    if component is not None and has_alarms(component) and not bp.alarms.enabled:
        return "off"
    return "—"


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _rows(plan: Plan | SavedPlan, bp: Blueprint) -> list[str]:
    by_component: dict[str, int] = plan.summary()["by_component"]
    alarms: dict[str, int] = {}
    for r in plan.resources:
        if r.type == ALARM_TYPE and r.component:
            alarms[r.component] = alarms.get(r.component, 0) + 1
    names = [n for n in by_component if n not in bp.components] + list(bp.components)
    rows = []
    for name in names:
        component = bp.components.get(name)
        if component is None:
            kind = "shared"
            settings = _network(bp) if name == "network" else [SHARED.get(name, "")]
        else:
            kind = _text(component.kind)
            settings = KEY_SETTINGS.get(component.kind, _generic)(name, component, plan, bp)
        rows.append(_row([_text(name), kind, str(by_component.get(name, 0)),
                          "; ".join(s for s in settings if s) or "—",
                          _alarms(name, component, alarms.get(name, 0), bp)]))
    return rows


def _replacement_lines(replaced: Iterable[Replacement | SavedReplacement]) -> list[str]:
    lines = []
    for r in replaced:
        verb = "Deletes" if r.field in ("component", "environment") else "Replaces"
        refused = " (`validate --against` refuses this in production without `allow_replacement: true`)" \
            if r.refused else ""
        lines.append(f"- **{verb}** {_code(r.type_and_name)}: {_text(r.reason)}; its data is lost{refused}")
    return lines


def _diagram(graph: Graph, env: str) -> list[str]:
    text = to_mermaid(graph)
    if len(graph.edges) > MERMAID_MAX_EDGES or len(text) > MERMAID_MAX_TEXT:
        return [f"_Diagram left out: {len(graph.edges)} links ({len(text)} characters) are more than GitHub's "
                f"Mermaid renders; see {_code(f'scaffold graph -e {env} --format dot')}._"]
    return ["```mermaid", text.rstrip("\n"), "```"]


def render_markdown(plan: Plan | SavedPlan, bp: Blueprint,
                    replaced: Sequence[Replacement | SavedReplacement] | None = None,
                    limit: int = COMMENT_LIMIT) -> str:
    """The Markdown summary of ``plan`` (made from ``bp``), at most ``limit`` characters.

    ``replaced``: the changes ``--against`` found (:func:`scaffold.spec.replacement.find_replacements`),
    or a saved plan's (:func:`saved_replacements`).
    """
    summary = plan.summary()
    spec_count = len(bp.components)
    head = [
        f"### Plan of {_text(plan.project)}/{_text(plan.stack)}: profile {_text(plan.profile)}, "
        f"region {_text(plan.region)}",
        "",
        f"**{summary['total']}** AWS resources in {_count(spec_count, 'component')}, plus the shared "
        + ("network and ECS cluster" if "services" in summary["by_component"] else "network") + ". Alarms: "
        + (f"on, sent to **{_text(bp.alarms.notify)}**." if bp.alarms.enabled and bp.alarms.notify
           else "on, sent nowhere (no `alarms.notify`)." if bp.alarms.enabled else "off."),
        "",
    ]
    table_head = [_row(["component", "kind", "resources", "key settings", "alarms"]),
                  "|---|---|---:|---|---|"]
    rows = _rows(plan, bp)
    losses = _replacement_lines(replaced or ())
    loss_block = [f"**Data loss** ({_count(len(losses), 'change')} against the deployed spec):", "", *losses, ""] \
        if losses else []
    graph = component_graph(bp)
    foot = ["", "<sub>Computed offline by `scaffold plan`: nothing was read from AWS; ids and ARNs are "
                "fabricated.</sub>"]

    def assemble(kept_rows: list[str], diagram: list[str], notes: list[str]) -> str:
        lines = [*head, *loss_block, *table_head, *kept_rows, *notes, "", *diagram, *foot]
        return "\n".join(lines) + "\n"

    text = assemble(rows, _diagram(graph, plan.stack), [])
    if len(text) <= limit:
        return text
    # Too long for one comment: the diagram goes first, then table rows from the end.
    no_diagram = [f"_Diagram left out to stay under GitHub's {limit}-character comment limit; see "
                  f"{_code(f'scaffold graph -e {plan.stack}')}._"]
    text = assemble(rows, no_diagram, [])
    if len(text) <= limit:
        return text

    def note(left_out: int) -> list[str]:
        return [f"| … {_count(left_out, 'more component')} left out to stay under GitHub's {limit}-character "
                f"comment limit; see {_code(f'scaffold plan -e {plan.stack} --json')} | | | | |"]

    room = limit - len(assemble([], no_diagram, note(len(rows))))  # the longest note
    kept: list[str] = []
    for row in rows:
        if len(row) + 1 > room:
            break
        kept.append(row)
        room -= len(row) + 1
    return assemble(kept, no_diagram, note(len(rows) - len(kept)))[:limit]
