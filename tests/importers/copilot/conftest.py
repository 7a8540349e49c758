"""Shared helpers of the ``scaffold import copilot`` tests.

- :data:`CORPUS`: the real workspaces (``../shared/corpora/copilot`` beside the repository; never
  edited), :data:`WORKSPACES`: the hand-written ones (``workspaces/<owner>-<case>/copilot/...``).
- :func:`run_import`: import a workspace with the fixed :data:`REGION` and :data:`ACCOUNT`.
- :func:`check_spec`: the written spec through ``validate``'s own code, with the example value of
  each variable the spec reads; a failure names every problem.
- :func:`entries` / :func:`assert_reported`: find report entries by section, ``file:line`` and text.
- :func:`write_workspace`: a workspace made from ``{relative path: text}`` in a temporary folder.
- :func:`match_snapshot`: compare text with a committed file under ``snapshots/``, byte for byte.
  To accept an intended change, run
  ``SCAFFOLD_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/importers/copilot`` and review the
  diff of ``tests/importers/copilot/snapshots/`` like code (the convention of
  ``tests/stacks/test_plan_snapshots.py``).
"""

from __future__ import annotations

import difflib
import os
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from scaffold.importers.copilot import Imported, import_workspace
from scaffold.importers.copilot.report import Entry, Report, Section

if TYPE_CHECKING:
    from scaffold.spec.loader import CheckedSpec

ROOT = Path(__file__).resolve().parents[3]
#: The real workspaces: one folder per source repository (README.md there lists them).
CORPUS = (ROOT / ".." / "shared" / "corpora" / "copilot").resolve()
#: The hand-written workspaces, one per mapping row or robustness case.
WORKSPACES = Path(__file__).resolve().with_name("workspaces")
SNAPSHOTS = Path(__file__).resolve().with_name("snapshots")
#: Every test imports with these, so that specs and reports are stable.
REGION = "eu-west-2"
ACCOUNT = "123456789012"
#: The "now" of every plan (job schedules' next runs), as in tests/stacks/test_plan_snapshots.py.
NOW = "2026-01-01T00:00:00Z"


def corpus_workspaces() -> list[Path]:
    """Every workspace folder of :data:`CORPUS`, sorted by name (empty when the corpus is absent)."""
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.iterdir() if p.is_dir() and (p / "copilot").is_dir())


def run_import(path: Path, *, region: str = REGION, account: str | None = ACCOUNT) -> Imported:
    """Import the workspace in ``path`` (a hand-written case name under :data:`WORKSPACES` also works)."""
    if not path.is_absolute() and not path.exists():
        path = WORKSPACES / path
    return import_workspace(path, region=region, account=account)


def check_spec(imported: Imported, file: str = "scaffold.yaml") -> CheckedSpec:
    """The imported spec checked by ``scaffold validate``'s code; fails the test with every problem."""
    from scaffold.errors import SpecError
    from scaffold.spec.loader import check_source
    from scaffold.spec.source import parse_yaml

    try:
        return check_source(parse_yaml(imported.spec, file, imported.example_environ({})))
    except SpecError as error:
        problems = "\n".join(f"  {p}" for p in error.problems)
        numbered = "\n".join(f"{n:4} {line}" for n, line in enumerate(imported.spec.splitlines(), 1))
        raise AssertionError(f"the imported spec does not validate:\n{problems}\n--- spec ---\n{numbered}") from None


def entries(report: Report, section: Section | None = None, *, where: str | None = None,
            subject: str | None = None, text: str | None = None) -> list[Entry]:
    """The entries of ``report`` that match every criterion given.

    ``where`` is ``"copilot/api/manifest.yml:12"`` (exact) or a file alone (any line of it);
    ``subject`` and ``text`` are fragments (case-insensitive).
    """
    found = []
    for e in report.entries:
        if section is not None and e.section is not section:
            continue
        if where is not None and str(e.origin) != where and e.origin.file != where:
            continue
        if subject is not None and subject.lower() not in e.subject.lower():
            continue
        if text is not None and text.lower() not in e.text.lower():
            continue
        found.append(e)
    return found


def describe(report: Report) -> str:
    """Every entry of ``report``, one a line, for assertion messages."""
    return "\n".join(f"  [{e.section.value}] {e.origin} {e.subject}: {e.text}" for e in report.entries)


def assert_reported(report: Report, section: Section | None = None, *, where: str | None = None,
                    subject: str | None = None, text: str | None = None) -> Entry:
    """The first entry matching (see :func:`entries`); fails with the whole report when none does."""
    found = entries(report, section, where=where, subject=subject, text=text)
    assert found, (f"no {section.value if section else ''} entry where={where!r} subject={subject!r} "
                   f"text={text!r} in the report:\n{describe(report)}")
    return found[0]


def write_workspace(root: Path, files: dict[str, str]) -> Path:
    """Write ``files`` ({path relative to ``root``: text, dedented}) and return ``root``."""
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def updating_snapshots() -> bool:
    """Whether this run rewrites the snapshots (``SCAFFOLD_UPDATE_SNAPSHOTS=1``)."""
    return os.environ.get("SCAFFOLD_UPDATE_SNAPSHOTS") == "1"


def match_snapshot(name: str, text: str) -> None:
    """Compare ``text`` with ``snapshots/<name>`` byte for byte (rewritten with SCAFFOLD_UPDATE_SNAPSHOTS=1)."""
    snapshot = SNAPSHOTS / name
    if updating_snapshots():
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_bytes(text.encode("utf-8"))
    assert snapshot.exists(), f"no snapshot {snapshot.name}; set SCAFFOLD_UPDATE_SNAPSHOTS=1 to write it"
    expected = snapshot.read_bytes().decode("utf-8")
    same = text == expected
    if not same:
        diff = list(difflib.unified_diff(expected.splitlines(), text.splitlines(), f"snapshots/{name}", "now",
                                         lineterm="", n=1))
        shown = "\n".join(diff[:60]) + (f"\n... ({len(diff) - 60} more diff lines)" if len(diff) > 60 else "")
        raise AssertionError(f"{name} changed; if intended, regenerate with SCAFFOLD_UPDATE_SNAPSHOTS=1 and "
                             f"review the diff:\n{shown}")
    assert same
