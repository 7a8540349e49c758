"""Names scaffold refuses for being too long are cut at a hyphen, so they stay readable."""

from __future__ import annotations

from pathlib import Path

from scaffold.importers.copilot.report import Section
from scaffold.spec.models import COMPONENT_NAME_MAX

from .conftest import assert_reported, run_import, write_workspace


def test_a_long_workload_name_is_cut_at_a_hyphen_and_reported(tmp_path: Path) -> None:
    wanted = "thrifty-white-refresh-appointments"  # 34 characters, from the covid-vaccine-spotter corpus
    root = write_workspace(tmp_path, {f"copilot/{wanted}/manifest.yml": f"""\
        name: {wanted}
        type: Backend Service
        image:
          location: nginx:1.27
          port: 80
        """})
    imported = run_import(root)
    assert "\n  thrifty-white-refresh:\n" in imported.spec
    entry = assert_reported(imported.report, Section.DECIDE, text="renamed `thrifty-white-refresh-appointments`")
    assert "`thrifty-white-refresh`" in entry.text


def test_a_long_name_without_a_late_hyphen_is_cut_at_the_limit(tmp_path: Path) -> None:
    wanted = "ab-" + "c" * 40
    root = write_workspace(tmp_path, {f"copilot/{wanted}/manifest.yml": """\
        type: Backend Service
        image:
          location: nginx:1.27
          port: 80
        """})
    imported = run_import(root)
    cut = ("ab-" + "c" * 40)[:COMPONENT_NAME_MAX]
    assert f"\n  {cut}:\n" in imported.spec
