"""The component graph of one environment, as Mermaid or Graphviz DOT (``scaffold graph``).

Nodes are the spec's components; edges are their links, derived from fields,
so a new kind needs no edit here:

* ``uses`` (a list of component names): the user -> the used component, ``uses``;
* ``consumes`` (a name, or a list): the consumed queue -> the consumer, ``consumes``;
* ``subscribers`` (a list of ``{protocol, endpoint}``): the topic -> each endpoint that
  names a component (a queue), ``subscription``;
* ``alarms.notify``: each component whose kind creates CloudWatch alarms (its wiring's
  :attr:`stacks.kinds.Wiring.children` lists an alarm), when the environment's alarms are on
  -> the notifications component, ``alarms``, drawn dashed.

Pulumi-free: it reads only the blueprint and the wiring registry (which imports no pulumi).
Component names (lowercase letters, digits and hyphens) are mapped to safe node ids
in Mermaid (``c_orders_db``: no hyphen, never the keyword ``end``, never starting with the
``o``/``x`` of an edge head) and quoted in DOT.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scaffold.spec.blueprint import Blueprint

#: Edge relations, in the order they are listed.
USES, CONSUMES, SUBSCRIPTION, ALARMS = "uses", "consumes", "subscription", "alarms"
#: Fields whose value names other components: field -> (relation, whether the edge points
#: from the named component to the one that has the field).
LINK_FIELDS: Mapping[str, tuple[str, bool]] = {
    "uses": (USES, False),
    "consumes": (CONSUMES, True),
    "subscribers": (SUBSCRIPTION, False),
}
#: Kinds drawn as a cylinder (they hold data); every other kind is a rounded box.
STORES = frozenset({"database", "cache", "bucket"})
#: Output formats of :func:`render`.
FORMATS = ("mermaid", "dot")


@dataclass(frozen=True)
class Node:
    """One component: its name and kind."""

    name: str
    kind: str


@dataclass(frozen=True)
class Edge:
    """A link from ``source`` to ``target`` (component names); ``relation`` is one of
    :data:`USES`, :data:`CONSUMES`, :data:`SUBSCRIPTION`, :data:`ALARMS`."""

    source: str
    target: str
    relation: str

    @property
    def dashed(self) -> bool:
        """Alarms are drawn dashed: they are notifications, not data paths."""
        return self.relation == ALARMS


@dataclass(frozen=True)
class Graph:
    """The components of one environment and their links, in spec order."""

    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def _names(value: Any) -> Iterator[str]:
    """The component names a link field holds: a name, a list of names, or subscribers."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        endpoint = value.get("endpoint")
        if isinstance(endpoint, str):
            yield endpoint
    elif isinstance(value, Iterable):
        for item in value:
            yield from _names(item)


def has_alarms(component: Any) -> bool:
    """Whether ``component``'s kind creates CloudWatch alarms (when the environment's alarms are on)."""
    from stacks.kinds import ALARM, WIRING

    wiring = WIRING.get(component.kind)
    if wiring is None:
        return False
    return any(ALARM in types for types in wiring.children(component).values())


def component_graph(bp: Blueprint) -> Graph:
    """The graph of ``bp``'s components and links (see the module docstring)."""
    names = set(bp.components)
    nodes = tuple(Node(name, c.kind) for name, c in bp.components.items())
    edges: list[Edge] = []
    for name, c in bp.components.items():
        for field, (relation, inbound) in LINK_FIELDS.items():
            value = getattr(c, field, None)
            if value is None:
                continue
            if not isinstance(value, str):
                value = [v.model_dump() if hasattr(v, "model_dump") else v for v in value]
            for other in _names(value):
                if other in names and other != name:
                    edges.append(Edge(other, name, relation) if inbound else Edge(name, other, relation))
    notify = bp.alarms.notify
    if bp.alarms.enabled and notify in names:
        edges.extend(Edge(name, notify, ALARMS) for name, c in bp.components.items()
                     if name != notify and has_alarms(c))
    unique = tuple(dict.fromkeys(edges))  # a name listed twice is one edge
    return Graph(title=f"{bp.project}/{bp.environment}", nodes=nodes, edges=unique)


def mermaid_ids(names: Iterable[str]) -> dict[str, str]:
    """A Mermaid-safe node id for each name: ``c_`` and the name with every other character
    than a letter or digit as ``_``; a clash (``a-b``, ``a_b``) gets a numeric suffix."""
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        base = "c_" + re.sub(r"[^A-Za-z0-9]", "_", name)
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}_{n}", n + 1
        taken.add(candidate)
        ids[name] = candidate
    return ids


def _mermaid_text(text: str) -> str:
    """Text for a quoted Mermaid label or edge label: quotes and markup-like characters as entities."""
    return "".join(f"#{ord(ch)};" if ch in '"#<>|`' else ch for ch in text)


def to_mermaid(graph: Graph) -> str:
    """A Mermaid ``flowchart LR`` (no code fence): one node line per component, then one line per edge."""
    ids = mermaid_ids(n.name for n in graph.nodes)
    lines = ["flowchart LR"]
    for node in graph.nodes:
        label = _mermaid_text(f"{node.name} ({node.kind})")
        lines.append(f'  {ids[node.name]}[("{label}")]' if node.kind in STORES else f'  {ids[node.name]}("{label}")')
    for edge in graph.edges:
        arrow = "-.->" if edge.dashed else "-->"
        lines.append(f"  {ids[edge.source]} {arrow}|{_mermaid_text(edge.relation)}| {ids[edge.target]}")
    return "\n".join(lines) + "\n"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_dot(graph: Graph) -> str:
    """A Graphviz ``digraph``: every id quoted (component names have hyphens)."""
    lines = [f"digraph {_dot_quote(graph.title)} {{", "  rankdir=LR;", '  node [shape=box, style=rounded];']
    for node in graph.nodes:
        shape = ", shape=cylinder, style=solid" if node.kind in STORES else ""
        lines.append(f"  {_dot_quote(node.name)} [label={_dot_quote(node.name + chr(10) + node.kind)}{shape}];")
    for edge in graph.edges:
        style = ", style=dashed" if edge.dashed else ""
        lines.append(f"  {_dot_quote(edge.source)} -> {_dot_quote(edge.target)} "
                     f"[label={_dot_quote(edge.relation)}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def render(graph: Graph, fmt: str) -> str:
    """``graph`` as ``mermaid`` or ``dot`` (:data:`FORMATS`).

    Raises:
        ValueError: An unknown format.
    """
    if fmt == "mermaid":
        return to_mermaid(graph)
    if fmt == "dot":
        return to_dot(graph)
    raise ValueError(f"unknown graph format {fmt!r}")
