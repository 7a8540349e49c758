"""``scaffold diff``: what changes between two plans of one stack, and what it does to stateful resources.

:func:`diff_plans` compares two plan JSON documents (``scaffold plan --json``, schema in
``docs/plan.md``) resource by resource, matched by URN, then by type and logical name:

* resources **added** and **removed**;
* resources **changed**, with each changed input as a dotted path. An input that is a JSON
  document in a string (IAM and KMS policies, ECS ``containerDefinitions``, a state machine's
  ``definition``, a queue's ``redrivePolicy``) is parsed on both sides, so a one-field change
  shows as one path: ``policy.Statement[2].Resource``;
* each change of a **stateful** resource (:data:`stacks.replacement_rules.STATEFUL_TYPES`)
  classified as ``in place``, ``replace`` (an input the provider documents as ForceNew
  changes, its URN changes, or the stack moves region) or ``delete``. A replace or delete of
  a resource that holds data is **data loss**.

Fabricated ids and ARNs are functions of the resource's type, name, region and project, so they
are identical in both plans unless the resource itself is renamed: they make no noise.
Secret values are ``"[secret]"`` in both plans, so a changed secret is not visible here.

Renders as text (:func:`render_text`), Markdown for a pull-request comment
(:func:`render_markdown`) or JSON (:meth:`PlanDiff.to_json`, shape in ``docs/plan.md``).
Imports no ``pulumi``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from stacks.replacement_rules import STATEFUL_TYPES, forcing_rules

#: Version of the diff JSON document; bumped only on incompatible changes.
DIFF_FORMAT = 1
#: Type-token prefix of scaffold's component resources (they have no AWS counterpart).
_COMPONENT_PREFIX = "scaffold:blueprints:"
#: Longest value shown in text and Markdown (the JSON has every value in full).
_SHOWN = 160
#: Most characters of Markdown output whose input details are shown (a GitHub comment holds 65,536).
MARKDOWN_LIMIT = 60_000
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class InputChange:
    """One changed input, or one element of it.

    Attributes:
        path: Dotted path into the inputs, e.g. ``policy.Statement[2].Resource``.
        kind: ``changed``, ``added`` (absent before) or ``removed`` (absent after).
        old: The value before (``None`` when added).
        new: The value after (``None`` when removed).
    """

    path: str
    kind: str
    old: Any = None
    new: Any = None

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class Reason:
    """Why a stateful resource is replaced.

    Attributes:
        input: The input that forces it (``urn`` or ``region`` for those cases).
        why: One sentence.
        source: Where the provider documents it (``None`` for a URN or region change).
    """

    input: str
    why: str
    source: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"input": self.input, "why": self.why, "source": self.source}


@dataclass
class ResourceDiff:
    """One resource that is added, removed or changed.

    Attributes:
        action: ``add``, ``remove`` or ``change``.
        type: Type token.
        name: Logical name.
        urn: URN in the new plan (the old plan's for a removed resource).
        old_urn: URN in the old plan when it differs from ``urn``, else ``None``.
        component: The spec component, or ``None`` for the shared network and cluster.
        changes: The changed inputs (empty for add and remove).
        classification: For a stateful type: ``in place``, ``replace``, ``delete`` or
            ``create``; ``None`` otherwise.
        reasons: Why it is replaced.
    """

    action: str
    type: str
    name: str
    urn: str
    component: str | None
    old_urn: str | None = None
    changes: list[InputChange] = field(default_factory=list)
    classification: str | None = None
    reasons: list[Reason] = field(default_factory=list)

    @property
    def what(self) -> str | None:
        """What the stateful resource is (``Aurora cluster``), or ``None`` for a stateless type."""
        stateful = STATEFUL_TYPES.get(self.type)
        return stateful.what if stateful else None

    @property
    def data_loss(self) -> bool:
        """A replace or delete of a resource that holds data."""
        stateful = STATEFUL_TYPES.get(self.type)
        return bool(stateful and stateful.holds_data and self.classification in ("replace", "delete"))

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "action": self.action, "type": self.type, "name": self.name, "urn": self.urn,
            "old_urn": self.old_urn, "component": self.component,
            "stateful": None, "data_loss": self.data_loss,
            "changes": [c.to_json() for c in self.changes],
        }
        if self.what is not None:
            document["stateful"] = {"what": self.what, "classification": self.classification,
                                    "reasons": [r.to_json() for r in self.reasons]}
        return document


@dataclass
class PlanDiff:
    """The difference between two plans.

    Attributes:
        old: The old plan's ``project``, ``stack`` and ``region`` (``None``: no old plan,
            everything is added).
        new: The new plan's.
        resources: Every added, removed and changed resource, in the new plan's order
            (removed ones last, in the old plan's order).
        notes: Remarks on the comparison (different stacks, a region move).
    """

    old: dict[str, Any] | None
    new: dict[str, Any]
    resources: list[ResourceDiff]
    notes: list[str] = field(default_factory=list)

    def of(self, action: str) -> list[ResourceDiff]:
        """The resources with ``action`` (``add``, ``remove`` or ``change``)."""
        return [r for r in self.resources if r.action == action]

    @property
    def data_loss(self) -> list[ResourceDiff]:
        """The stateful resources that would lose their data."""
        return [r for r in self.resources if r.data_loss]

    def summary(self) -> dict[str, int]:
        return {"added": len(self.of("add")), "removed": len(self.of("remove")),
                "changed": len(self.of("change")), "data_loss": len(self.data_loss)}

    def to_json(self) -> dict[str, Any]:
        """The diff document; shape in ``docs/plan.md`` ("scaffold diff")."""
        return {
            "format": DIFF_FORMAT,
            "old": self.old,
            "new": self.new,
            "summary": self.summary(),
            "notes": self.notes,
            "data_loss": [{"type": r.type, "name": r.name, "urn": r.urn, "component": r.component,
                           "what": r.what, "classification": r.classification,
                           "reasons": [x.to_json() for x in r.reasons]} for r in self.data_loss],
            "resources": [r.to_json() for r in self.resources],
        }


# ---------------------------------------------------------------------------------------------
# Inputs


def _parsed(value: Any) -> tuple[bool, Any]:
    """``(True, document)`` when ``value`` is a string holding a JSON object or array."""
    if isinstance(value, str) and value.lstrip()[:1] in ("{", "["):
        try:
            return True, json.loads(value)
        except ValueError:
            pass
    return False, value


def _key_path(path: str, key: str) -> str:
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}" if path else key
    return f"{path}[{json.dumps(key, ensure_ascii=False)}]"


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def diff_values(old: Any, new: Any, path: str = "") -> list[InputChange]:
    """Every difference between ``old`` and ``new``, as paths below ``path``.

    Mappings are compared key by key; lists element by element (aligned on equal elements when
    their lengths differ, so one inserted element is one ``added`` change); strings holding
    JSON are parsed first.
    """
    found: list[InputChange] = []
    _diff(old, new, path, found)
    return found


def _diff(old: Any, new: Any, path: str, found: list[InputChange]) -> None:
    if old == new:
        return
    old_is_json, old_doc = _parsed(old)
    new_is_json, new_doc = _parsed(new)
    if old_is_json and new_is_json:
        if old_doc != new_doc:  # else only the formatting differs
            _diff(old_doc, new_doc, path, found)
        return
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new), key=str):
            sub = _key_path(path, str(key))
            if key not in old:
                found.append(InputChange(sub, "added", None, new[key]))
            elif key not in new:
                found.append(InputChange(sub, "removed", old[key], None))
            else:
                _diff(old[key], new[key], sub, found)
        return
    if isinstance(old, list) and isinstance(new, list):
        _diff_lists(old, new, path, found)
        return
    found.append(InputChange(path, "changed", old, new))


def _diff_lists(old: list[Any], new: list[Any], path: str, found: list[InputChange]) -> None:
    if len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            _diff(a, b, f"{path}[{i}]", found)
        return
    matcher = SequenceMatcher(a=[_canonical(x) for x in old], b=[_canonical(x) for x in new], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        paired = min(i2 - i1, j2 - j1)
        for k in range(paired):
            _diff(old[i1 + k], new[j1 + k], f"{path}[{j1 + k}]", found)
        for i in range(i1 + paired, i2):
            found.append(InputChange(f"{path}[{i}]", "removed", old[i], None))
        for j in range(j1 + paired, j2):
            found.append(InputChange(f"{path}[{j}]", "added", None, new[j]))


# ---------------------------------------------------------------------------------------------
# Resources


def _header(plan: Mapping[str, Any]) -> dict[str, Any]:
    return {"project": plan.get("project"), "stack": plan.get("stack"), "region": plan.get("region")}


def _aws(plan: Mapping[str, Any] | None) -> list[Mapping[str, Any]]:
    if plan is None:
        return []
    return [r for r in plan.get("resources", []) if not str(r.get("type", "")).startswith(_COMPONENT_PREFIX)]


def diff_plans(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> PlanDiff:
    """Compare plan ``old`` (``None``: nothing deployed yet) with plan ``new``.

    Resources are matched by URN, then the rest by type and logical name (a resource whose
    parent changes keeps its type and name but gets a new URN).
    """
    old_resources, new_resources = _aws(old), _aws(new)
    same_stack = old is not None and (old.get("project"), old.get("stack")) == (new.get("project"),
                                                                                new.get("stack"))
    notes: list[str] = []
    if old is not None and not same_stack:
        notes.append(f"the plans are of different stacks ({old.get('project')}/{old.get('stack')} and "
                     f"{new.get('project')}/{new.get('stack')}): resources are matched by type and name, "
                     "and a changed URN is not counted as a replacement")
    moved = same_stack and old is not None and old.get("region") != new.get("region")
    if moved:
        notes.append(f"the stack moves from {old.get('region')} to {new.get('region')} "  # type: ignore[union-attr]
                     "(a new provider region): Pulumi replaces every resource")

    by_urn = {r["urn"]: r for r in old_resources}
    matched: dict[str, Mapping[str, Any]] = {}  # new urn -> old resource
    for r in new_resources:
        if r["urn"] in by_urn:
            matched[r["urn"]] = by_urn[r["urn"]]
    used = {id(r) for r in matched.values()}
    by_name: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
    for r in old_resources:
        if id(r) not in used:
            by_name.setdefault((r["type"], r["name"]), []).append(r)
    for r in new_resources:
        if r["urn"] in matched:
            continue
        candidates = by_name.get((r["type"], r["name"]))
        if candidates:
            matched[r["urn"]] = candidates.pop(0)
            used.add(id(matched[r["urn"]]))

    result: list[ResourceDiff] = []
    for r in new_resources:
        before = matched.get(r["urn"])
        if before is None:
            result.append(ResourceDiff("add", r["type"], r["name"], r["urn"], r.get("component"),
                                       classification="create" if r["type"] in STATEFUL_TYPES else None))
            continue
        changed = _changed(before, r, same_stack=same_stack, moved=moved)
        if changed is not None:
            result.append(changed)
    for r in old_resources:
        if id(r) not in used:
            deleted = ResourceDiff("remove", r["type"], r["name"], r["urn"], r.get("component"),
                                   classification="delete" if r["type"] in STATEFUL_TYPES else None)
            if deleted.what is not None:
                deleted.reasons.append(Reason("", f"the {deleted.what} is gone from the new plan: Pulumi "
                                                  "deletes it"))
            result.append(deleted)
    return PlanDiff(_header(old) if old is not None else None, _header(new), result, notes)


def _changed(before: Mapping[str, Any], after: Mapping[str, Any], *, same_stack: bool,
             moved: bool) -> ResourceDiff | None:
    """The change of one matched resource, or ``None`` when nothing about it changes."""
    changes = diff_values(before.get("inputs", {}), after.get("inputs", {}))
    urn_changed = before["urn"] != after["urn"] and same_stack
    if not changes and not urn_changed and not moved:
        return None
    diff = ResourceDiff("change", after["type"], after["name"], after["urn"], after.get("component"),
                        old_urn=before["urn"] if before["urn"] != after["urn"] else None, changes=changes)
    stateful = STATEFUL_TYPES.get(after["type"])
    if stateful is None:
        return diff
    for rule in forcing_rules(after["type"], before.get("inputs", {}), after.get("inputs", {})):
        diff.reasons.append(Reason(rule.input, f"{rule.input} changes, and the provider cannot change it in "
                                               "place", rule.cite()))
    if urn_changed:
        diff.reasons.append(Reason("urn", "its URN changes (a new parent or name): without an alias, Pulumi "
                                          "creates a new one and deletes the old one"))
    if moved:
        diff.reasons.append(Reason("region", "the stack moves to another region: the resource is created "
                                             "there and the old one is deleted"))
    diff.classification = "replace" if diff.reasons else "in place"
    return diff


def forced_paths(resource: ResourceDiff) -> set[str]:
    """The top-level inputs of ``resource`` that force its replacement."""
    return {r.input for r in resource.reasons if r.source is not None}


# ---------------------------------------------------------------------------------------------
# Rendering


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= _SHOWN else text[:_SHOWN - 1] + "…"


def _describe_change(change: InputChange) -> str:
    if change.kind == "added":
        return f"{change.path}: added {_show(change.new)}"
    if change.kind == "removed":
        return f"{change.path}: removed (was {_show(change.old)})"
    return f"{change.path}: {_show(change.old)} -> {_show(change.new)}"


def _top(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _stack(header: Mapping[str, Any] | None) -> str:
    return "nothing" if header is None else f"{header['project']}/{header['stack']} ({header['region']})"


def _loss_line(r: ResourceDiff) -> str:
    why = "; ".join(x.why + (f" [{x.source}]" if x.source else "") for x in r.reasons)
    return f"{r.classification} {r.type} {r.name} ({r.what}): {why}"


def render_text(diff: PlanDiff, old_label: str, new_label: str) -> list[str]:
    """The diff as lines of plain text: DATA LOSS first, then added, removed and changed."""
    lines = [f"diff {_stack(diff.old)} [{old_label}] -> {_stack(diff.new)} [{new_label}]"]
    lines += [f"note: {n}" for n in diff.notes]
    loss = diff.data_loss
    if loss:
        lines.append(f"DATA LOSS: {len(loss)} stateful resource{'s' if len(loss) != 1 else ''} would be "
                     "replaced or deleted, with their data:")
        lines += [f"  {_loss_line(r)}" for r in loss]
    if not diff.resources:
        lines.append("No changes.")
        return lines
    added, removed, changed = diff.of("add"), diff.of("remove"), diff.of("change")
    if added:
        lines.append(f"Added ({len(added)}):")
        lines += [f"  + {r.type} {r.name}" for r in added]
    if removed:
        lines.append(f"Removed ({len(removed)}):")
        lines += [f"  - {r.type} {r.name}" + ("  DATA LOSS" if r.data_loss else "") for r in removed]
    if changed:
        lines.append(f"Changed ({len(changed)}):")
        for r in changed:
            tag = ""
            if r.classification is not None:
                tag = f"  [{r.classification}{', DATA LOSS' if r.data_loss else ''}]"
            lines.append(f"  ~ {r.type} {r.name}{tag}")
            if r.old_urn is not None:
                lines.append(f"      urn: {r.old_urn} -> {r.urn}")
            forced = forced_paths(r)
            for change in r.changes:
                mark = "  (forces replacement)" if _top(change.path) in forced else ""
                lines.append(f"      {_describe_change(change)}{mark}")
    s = diff.summary()
    lines.append(f"Diff: {s['added']} to add, {s['removed']} to remove, {s['changed']} to change; "
                 f"{s['data_loss']} stateful resource{'s' if s['data_loss'] != 1 else ''} losing data")
    return lines


def _md(text: str) -> str:
    """``text`` as inline code in a Markdown table cell."""
    text = text.replace("|", "\\|").replace("\n", " ")
    fence = "``" if "`" in text else "`"
    return f"{fence}{text}{fence}" if fence == "`" else f"{fence} {text} {fence}"


def render_markdown(diff: PlanDiff, old_label: str, new_label: str, limit: int | None = None) -> str:
    """The diff as GitHub-flavoured Markdown, for a pull-request comment.

    ``limit``: the characters above which the changed inputs are left out (:data:`MARKDOWN_LIMIT`
    when ``None``; ``diff --all`` gives each environment its share).
    """
    limit = MARKDOWN_LIMIT if limit is None else limit
    new = diff.new
    out = [f"### scaffold diff: {new['project']}/{new['stack']}", ""]
    out.append(f"From {_md(old_label)} to {_md(new_label)}.")
    out.append("")
    for note in diff.notes:
        out += [f"> [!NOTE]\n> {note}", ""]
    loss = diff.data_loss
    if loss:
        out.append("> [!CAUTION]")
        out.append(f"> **DATA LOSS**: {len(loss)} stateful resource{'s' if len(loss) != 1 else ''} would be "
                   "replaced or deleted, with their data.")
        for r in loss:
            why = "; ".join(x.why + (f" ({x.source})" if x.source else "") for x in r.reasons)
            out.append(f"> - **{r.classification}** {_md(r.name)} ({r.what}, {_md(r.type)}): {why}")
        out.append("")
    s = diff.summary()
    out.append(f"**{s['added']} to add, {s['removed']} to remove, {s['changed']} to change**"
               + (f", **{s['data_loss']} losing data**" if s["data_loss"] else ""))
    out.append("")
    if not diff.resources:
        out.append("No changes.")
        return "\n".join(out) + "\n"
    out += ["| | Resource | Type | Stateful |", "|---|---|---|---|"]
    symbol = {"add": "+", "remove": "-", "change": "~"}
    for r in diff.resources:
        state = ""
        if r.classification is not None and r.action != "add":
            state = f"**{r.classification}**" + (" ⚠️ data loss" if r.data_loss else "")
        out.append(f"| {symbol[r.action]} | {_md(r.name)} | {_md(r.type)} | {state} |")
    changed = diff.of("change")
    if changed:
        details = ["", "<details><summary>Changed inputs</summary>", ""]
        for r in changed:
            details.append(f"**{_md(r.name)}** ({_md(r.type)})"
                           + (f": {r.classification}" if r.classification else ""))
            details.append("")
            details += ["| Input | Before | After |", "|---|---|---|"]
            if r.old_urn is not None:
                details.append(f"| urn | {_md(r.old_urn)} | {_md(r.urn)} |")
            forced = forced_paths(r)
            for c in r.changes:
                mark = " (forces replacement)" if _top(c.path) in forced else ""
                before = "" if c.kind == "added" else _md(_show(c.old))
                after = "" if c.kind == "removed" else _md(_show(c.new))
                details.append(f"| {_md(c.path)}{mark} | {before} | {after} |")
            details.append("")
        details.append("</details>")
        if sum(len(line) + 1 for line in out + details) > limit:
            count = sum(len(r.changes) for r in changed)
            details = ["", f"_Changed inputs: {count}, too long to show in one comment; run "
                           "`scaffold diff` (or `--json`) to see them._"]
        out += details
    return "\n".join(out) + "\n"
