"""The pull-request job of the generated workflow: the old commands against the new, alternated (issue 11).

The spec is ``examples/shop.yaml`` with a third environment (``staging``), committed on ``main`` in a
temporary git repository; the working copy raises the API's scaling maximum (a change, no data loss).

* **old**, per environment (12 processes for 3): ``plan -e ENV --json``, ``diff -e ENV --base main
  --format markdown``, ``plan -e ENV --format markdown``, then ``diff -e ENV --base main --fail-on
  data-loss``;
* **new** (3 processes): ``plan --all --json > plans.json``, ``diff --all --base main --format markdown
  --fail-on data-loss``, ``plan --from plans.json --format markdown``.

Each sequence's wall time is the sum of its processes' (they run one after the other in the job),
its peak the largest of their ``ru_maxrss``. The sequences alternate run by run; medians are printed.
It checks that the new Markdown is the old, joined (the same plans and diffs).
Run: .venv/bin/python benchmarks/pr_workflow.py [--runs N]; with nothing cached at all:
PYTHONDONTWRITEBYTECODE=1 PYTHONPYCACHEPREFIX=$(mktemp -d) .venv/bin/python benchmarks/pr_workflow.py
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import EXAMPLE, SCAFFOLD, Run, bytecode_state

ENVIRONMENTS = ("staging", "dev", "prod")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=b", "-c", "user.email=b@example.com", "-c", "commit.gpgsign=false",
                    "-C", str(repo), *args], check=True, capture_output=True)


def make_repo(root: Path) -> Path:
    """A git repository: the spec with three environments on ``main``, a scaling change in the working copy."""
    repo = root / "repo"
    repo.mkdir()
    spec = repo / "scaffold.yaml"
    text = EXAMPLE.read_text().replace("\nenvironments:\n", "\nenvironments:\n  staging:\n    profile: staging\n", 1)
    spec.write_text(text)
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "spec")
    assert "scaling: {max: 40}" in text
    spec.write_text(text.replace("scaling: {max: 40}", "scaling: {max: 60}"))
    return repo


def old_sequence(repo: Path, env: dict[str, str]) -> list[tuple[str, Run]]:
    runs = []
    for name in ENVIRONMENTS:
        for argv in (["plan", "-e", name, "--json"], ["diff", "-e", name, "--base", "main", "--format", "markdown"],
                     ["plan", "-e", name, "--format", "markdown"],
                     ["diff", "-e", name, "--base", "main", "--fail-on", "data-loss"]):
            runs.append((" ".join(argv), Run([*SCAFFOLD, *argv], cwd=repo, env=env)))
    return runs


def new_sequence(repo: Path, env: dict[str, str]) -> list[tuple[str, Run]]:
    plans = Run([*SCAFFOLD, "plan", "--all", "--json"], cwd=repo, env=env)
    (repo / "plans.json").write_text(plans.stdout)
    diff = Run([*SCAFFOLD, "diff", "--all", "--base", "main", "--format", "markdown", "--fail-on", "data-loss"],
               cwd=repo, env=env)
    markdown = Run([*SCAFFOLD, "plan", "--from", "plans.json", "--format", "markdown"], cwd=repo, env=env)
    return [("plan --all --json", plans), ("diff --all --base main --format markdown --fail-on data-loss", diff),
            ("plan --from plans.json --format markdown", markdown)]


def check_same_output(old: list[tuple[str, Run]], new: list[tuple[str, Run]]) -> None:
    """The new commands print what the old ones did, environment by environment."""
    by_label = dict(old)
    old_diffs = "\n".join(by_label[f"diff -e {e} --base main --format markdown"].stdout for e in ENVIRONMENTS)
    old_plans = "\n".join(by_label[f"plan -e {e} --format markdown"].stdout for e in ENVIRONMENTS)
    assert new[1][1].stdout == old_diffs, "diff --all --format markdown differs from the diffs one by one"
    assert new[2][1].stdout == old_plans, "plan --from --format markdown differs from the plans one by one"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="alternations (default 5)")
    args = parser.parse_args(argv)
    env = {**os.environ, "SCAFFOLD_NOW": "2026-01-01T00:00:00Z", "NO_COLOR": "1"}
    prefix = os.environ.get("PYTHONPYCACHEPREFIX")
    cache = f"PYTHONPYCACHEPREFIX={prefix} (bytecode read from there only)" if prefix else bytecode_state()
    print(f"{cache}; cpus {os.cpu_count()}; load {os.getloadavg()[0]:.1f}; python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="scaffold-pr-") as tmp:
        repo = make_repo(Path(tmp))
        totals: dict[str, list[float]] = {"old": [], "new": []}
        peaks: dict[str, list[int]] = {"old": [], "new": []}
        per_command: dict[str, list[float]] = {}
        for index in range(args.runs):
            old_runs, new_runs = old_sequence(repo, env), new_sequence(repo, env)
            check_same_output(old_runs, new_runs)
            for label, runs in (("old", old_runs), ("new", new_runs)):
                totals[label].append(sum(run.seconds for _, run in runs))
                peaks[label].append(max(run.peak_kib for _, run in runs))
            for name, run in new_runs:
                per_command.setdefault(name, []).append(run.seconds)
            print(f"run {index + 1}: old {totals['old'][-1]:.2f} s, new {totals['new'][-1]:.2f} s", flush=True)
    old_s, new_s = statistics.median(totals["old"]), statistics.median(totals["new"])
    old_mib, new_mib = statistics.median(peaks["old"]) / 1024, statistics.median(peaks["new"]) / 1024
    print(f"old: {len(ENVIRONMENTS) * 4} processes, {old_s:.2f} s (median of {args.runs}), peak {old_mib:.0f} MiB")
    print(f"new: 3 processes, {new_s:.2f} s, peak {new_mib:.0f} MiB")
    print(f"ratio new/old: {new_s / old_s:.2f}x wall")
    for name, seconds in per_command.items():
        print(f"  {name}: {statistics.median(seconds):.2f} s")


if __name__ == "__main__":
    main()
