"""scaffold against the CDK peer, its scaling and its start-up, in one run (issue 11).

Prints, with the commands alternated run by run and medians taken (the machine is shared:
only ratios measured side by side are stable):

(a) ``scaffold plan -e prod --json -f examples/shop.yaml`` against ``node app.js`` of the CDK
    peer (``../shared/peers/cdk``, copied to a temporary folder and ``npm install``-ed once):
    wall time, peak RSS and the ratio; skipped, with the reason, when ``node``/``npm`` are absent;
(b) the fixed and per-resource cost of ``plan``, fitted (least squares) over specs of 1, 10, 50
    and 200 API+queue pairs (``--sizes``): ms and KiB per resource;
(c) the medians of ``scaffold validate`` and ``scaffold --help``.

Peak RSS is each child's own ``ru_maxrss`` (``os.wait4``), not a maximum over all children.
Run: .venv/bin/python benchmarks/compare.py [--runs N] [--sizes 1,10,50,200] [--no-cdk]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from plan_scaling import spec_with

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "shop.yaml"
CDK_PEER = ROOT.parent / "shared" / "peers" / "cdk"
SCAFFOLD = [sys.executable, "-m", "scaffold"]


class Run:
    """One finished child process: wall seconds, peak RSS in KiB, and its stdout."""

    def __init__(self, argv: Sequence[str], *, cwd: Path = ROOT, env: dict[str, str] | None = None) -> None:
        with tempfile.TemporaryFile() as stdout:
            start = time.perf_counter()
            proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=stdout, stderr=subprocess.PIPE)
            assert proc.stderr is not None
            error = proc.stderr.read()  # a child's stderr is small; read it before waiting
            _, status, usage = os.wait4(proc.pid, 0)
            self.seconds = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            proc.stderr.close()
            if proc.returncode != 0:
                raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}:\n{error.decode(errors='replace')}")
            self.peak_kib = usage.ru_maxrss  # KiB on Linux
            stdout.seek(0)
            self.stdout = stdout.read().decode()


def alternate(commands: dict[str, tuple[list[str], Path, dict[str, str] | None]], runs: int) -> dict[str, list[Run]]:
    """Run each command ``runs`` times, one of each in turn, so that load hits all alike."""
    results: dict[str, list[Run]] = {label: [] for label in commands}
    for _ in range(runs):
        for label, (argv, cwd, env) in commands.items():
            results[label].append(Run(argv, cwd=cwd, env=env))
    return results


def med_s(runs: list[Run]) -> float:
    return statistics.median(run.seconds for run in runs)


def med_mib(runs: list[Run]) -> float:
    return statistics.median(run.peak_kib for run in runs) / 1024


def resources(run: Run) -> int:
    """How many resources the plan JSON printed by ``run`` lists."""
    return len(json.loads(run.stdout)["resources"])


def fit(xs: Sequence[float], ys: Sequence[float]) -> tuple[float, float]:
    """Least-squares ``y = a + b x``: (a, b)."""
    if len(set(xs)) < 2:
        return ys[0], 0.0
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    slope = (sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
             / sum((x - mean_x) ** 2 for x in xs))
    return mean_y - slope * mean_x, slope


def bytecode_state() -> str:
    """Whether the project's own modules have up-to-date cached bytecode (``__pycache__``)."""
    sources = [path for top in ("scaffold", "blueprints", "stacks") for path in (ROOT / top).rglob("*.py")]
    fresh = 0
    for path in sources:
        cached = Path(importlib.util.cache_from_source(str(path)))
        fresh += cached.exists() and cached.stat().st_mtime >= path.stat().st_mtime
    writes = "off" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "on"
    return f"project bytecode: {fresh}/{len(sources)} modules cached; PYTHONDONTWRITEBYTECODE: writes {writes}"


def cdk_peer(source: Path, workdir: Path) -> tuple[Path | None, str]:
    """(folder ready for ``node app.js``, None) or (None, why it is skipped)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return None, "node or npm not found"
    if not (source / "app.js").is_file():
        return None, f"no CDK peer at {source}"
    if (source / "node_modules").is_dir():
        return source, ""
    target = workdir / "cdk"
    shutil.copytree(source, target)
    install = subprocess.run([npm, "install", "--silent"], cwd=target, capture_output=True, text=True)
    if install.returncode != 0:
        return None, f"npm install failed: {install.stderr.strip()[-300:]}"
    return target, ""


def compare_with_cdk(args: argparse.Namespace, workdir: Path) -> None:
    peer, why = (None, "--no-cdk") if args.no_cdk else cdk_peer(args.cdk, workdir)
    plan = ([*SCAFFOLD, "plan", "-e", "prod", "--json", "-f", str(EXAMPLE)], ROOT, None)
    if peer is None:
        results = alternate({"plan": plan}, args.runs)
        print(f"(a) plan -e prod --json shop.yaml: median {med_s(results['plan']):6.2f} s  "
              f"peak {med_mib(results['plan']):5.0f} MiB  "
              f"{resources(results['plan'][0])} resources")
        print(f"(a) CDK peer: skipped ({why})")
        return
    env = {**os.environ, "CDK_OUTDIR": str(workdir / "cdk.out")}
    results = alternate({"plan": plan, "cdk": (["node", "app.js"], peer, env)}, args.runs)
    scaffold_s, cdk_s = med_s(results["plan"]), med_s(results["cdk"])
    scaffold_mib, cdk_mib = med_mib(results["plan"]), med_mib(results["cdk"])
    print(f"(a) plan -e prod --json shop.yaml: median {scaffold_s:6.2f} s  peak {scaffold_mib:5.0f} MiB  "
          f"{resources(results['plan'][0])} resources")
    print(f"(a) node app.js (CDK peer):        median {cdk_s:6.2f} s  peak {cdk_mib:5.0f} MiB")
    print(f"(a) ratio scaffold/CDK: time {scaffold_s / cdk_s:.2f}  peak {scaffold_mib / cdk_mib:.2f}  "
          f"(goal: time <= 0.33, peak <= 120 MiB)")


def scaling(args: argparse.Namespace, workdir: Path) -> None:
    commands = {}
    for size in args.sizes:
        spec = workdir / f"pairs-{size}.yaml"
        spec.write_text(spec_with(size, "apis"))
        commands[str(size)] = ([*SCAFFOLD, "plan", "-e", "prod", "--json", "-f", str(spec)], ROOT, None)
    results = alternate(commands, args.runs)
    counts, seconds, kib = [], [], []
    for size in args.sizes:
        runs = results[str(size)]
        count = resources(runs[0])
        counts.append(count)
        seconds.append(med_s(runs))
        kib.append(statistics.median(run.peak_kib for run in runs))
        print(f"(b) {size:4d} pairs: {count:5d} resources  median {seconds[-1]:7.2f} s  peak {kib[-1] / 1024:6.0f} MiB")
    fixed_s, per_s = fit(counts, seconds)
    fixed_kib, per_kib = fit(counts, kib)
    print(f"(b) fit: fixed {fixed_s * 1000:6.0f} ms + {per_s * 1000:5.2f} ms/resource;  "
          f"fixed {fixed_kib / 1024:4.0f} MiB + {per_kib:5.1f} KiB/resource  (goal: <= 3 ms, <= 70 KiB)")


def startup(args: argparse.Namespace) -> None:
    results = alternate({"validate": ([*SCAFFOLD, "validate", "-f", str(EXAMPLE)], ROOT, None),
                         "--help": ([*SCAFFOLD, "--help"], ROOT, None)}, args.startup_runs)
    print(f"(c) validate: median {med_s(results['validate']) * 1000:5.0f} ms  (goal: <= 300 ms)")
    print(f"(c) --help:   median {med_s(results['--help']) * 1000:5.0f} ms  (goal: <= 150 ms)")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="Runs of each plan command (default 5).")
    parser.add_argument("--startup-runs", type=int, default=11, help="Runs of validate and --help (default 11).")
    parser.add_argument("--sizes", default="1,10,50,200",
                        type=lambda text: [int(part) for part in text.split(",")],
                        help="API+queue pairs of the scaling specs (default 1,10,50,200).")
    parser.add_argument("--cdk", type=Path, default=CDK_PEER,
                        help="The CDK peer (default ../shared/peers/cdk); installed in a temporary copy "
                             "unless it has node_modules already.")
    parser.add_argument("--no-cdk", action="store_true", help="Skip the CDK peer.")
    parser.add_argument("--skip", default="", help="Comma-separated parts to skip: a, b, c.")
    args = parser.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} CPUs; "
          f"Python {sys.version.split()[0]}; {bytecode_state()}")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        if "a" not in skip:
            compare_with_cdk(args, workdir)
        if "b" not in skip:
            scaling(args, workdir)
    if "c" not in skip:
        startup(args)


if __name__ == "__main__":
    main()
