"""The worked example of docs/import-copilot.md is the importer's real output, not a copy that drifts.

It imports the same corpus workspace with the same options as the doc and checks that the spec
shown there is the spec written, byte for byte, and that every report line the doc quotes is a
line of the report (a line the doc cuts with ``…`` must match up to the cut).
"""

from __future__ import annotations

import re

import pytest

from scaffold.importers.copilot import Imported
from tests.importers.copilot.conftest import CORPUS, ROOT, run_import

DOC = ROOT / "docs" / "import-copilot.md"
WORKSPACE = CORPUS / "aws--copilot-cli--e2e-worker-svc"
#: As in the doc: `scaffold import copilot worker-svc -o scaffold.yaml --report MIGRATION.md --region eu-west-1`.
TITLE = "Migration report: Copilot workspace worker-svc → scaffold.yaml"


def _example() -> tuple[str, str]:
    """The doc's spec block and its report block, from the worked example."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("### Import", 1)[1]
    spec = re.search(r"complete \(it validates[^\n]*\n\n```\n(.*?)```", section, re.S)
    report = re.search(r"```markdown\n(# Migration report.*?)```", section, re.S)
    assert spec and report, "the worked example's spec or report block moved: update this test"
    return spec.group(1), report.group(1)


@pytest.fixture(scope="module")
def imported() -> Imported:
    if not WORKSPACE.is_dir():
        pytest.fail(f"the corpus is missing: {WORKSPACE}")
    return run_import(WORKSPACE, region="eu-west-1", account=None)


def test_the_documented_spec_is_the_spec_written(imported: Imported) -> None:
    spec, _ = _example()
    assert spec == imported.spec


def test_every_documented_report_line_is_in_the_report(imported: Imported) -> None:
    _, quoted = _example()
    actual = imported.report.markdown(TITLE).splitlines()
    missing = []
    for line in quoted.splitlines():
        if not line.strip():
            continue
        if "…" in line:
            head, _, tail = line.partition("…")
            tail = tail.strip()
            if not any(a.startswith(head.rstrip()) or (head.startswith("- ") and tail and tail in a
                                                       and a.startswith(head.split("**")[0]))
                       for a in actual):
                missing.append(line)
        elif line not in actual:
            missing.append(line)
    assert not missing, "lines of the doc's report that the importer does not write:\n" + "\n".join(missing)
