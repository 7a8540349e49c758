"""The migration report: what each Copilot construct became, and what did not come across.

Four sections, in this order, each sorted by file and line so the report is deterministic:

- **Imported**: each Copilot construct and the scaffold component or field it became.
- **Left out**: what has no equivalent in scaffold, with the reason.
- **To decide**: what scaffold could not know and the user must settle (an account, an image
  tag, a renamed component, a guessed profile ...).
- **Behaviour changes**: what works differently after the move, e.g. production now gets a
  database reader in another Availability Zone.

:meth:`Report.markdown` is the text ``scaffold import copilot`` prints and ``--report`` writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from scaffold.importers.copilot.yamlsource import Origin


class Section(Enum):
    """A section of the report, in print order."""

    IMPORTED = "Imported"
    LEFT_OUT = "Left out"
    DECIDE = "To decide"
    BEHAVIOUR = "Behaviour changes"


@dataclass(frozen=True, order=True)
class Entry:
    """One line of the report.

    Attributes:
        origin: Where in the workspace the construct is (``Origin("")`` when nowhere).
        subject: The Copilot construct, e.g. ``api: http.path`` or ``addon AuroraDBCluster``.
        text: What became of it, or why it did not come across; one or two sentences.
        section: The report section.
    """

    origin: Origin
    subject: str
    text: str
    section: Section = field(compare=False)


@dataclass
class Report:
    """The entries of one import, by section (see the module docstring)."""

    entries: list[Entry] = field(default_factory=list)

    def add(self, section: Section, origin: Origin, subject: str, text: str) -> None:
        """Add an entry; an identical entry is kept once."""
        entry = Entry(origin, subject, text, section)
        if entry not in self.entries:
            self.entries.append(entry)

    def imported(self, origin: Origin, subject: str, text: str) -> None:
        """A construct that became part of the spec."""
        self.add(Section.IMPORTED, origin, subject, text)

    def left_out(self, origin: Origin, subject: str, reason: str) -> None:
        """A construct with no equivalent in scaffold, and why."""
        self.add(Section.LEFT_OUT, origin, subject, reason)

    def decide(self, origin: Origin, subject: str, text: str) -> None:
        """Something the user must settle: what was assumed, and how to change it."""
        self.add(Section.DECIDE, origin, subject, text)

    def behaviour(self, origin: Origin, subject: str, text: str) -> None:
        """A change in how the app behaves once scaffold runs it."""
        self.add(Section.BEHAVIOUR, origin, subject, text)

    def section(self, section: Section) -> list[Entry]:
        """The entries of ``section``, sorted by file, line, subject and text."""
        return sorted(e for e in self.entries if e.section is section)

    def markdown(self, title: str) -> str:
        """The report as Markdown: a heading, then one list per non-empty section."""
        lines = [f"# {title}", ""]
        for section in Section:
            entries = self.section(section)
            lines += [f"## {section.value} ({len(entries)})", ""]
            if not entries:
                lines += ["Nothing.", ""]
                continue
            for e in entries:
                where = f"`{e.origin}` " if e.origin.file else ""
                lines.append(f"- {where}**{e.subject}**: {e.text}")
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"
