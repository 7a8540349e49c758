"""Median wall time and peak memory of `scaffold plan --json` for 1, 10 and 50 sets of components.

With ``--sets apis`` (the default) each set is an internal API that uses its own queue (2
components); with ``--sets automations`` a queue, the worker that consumes it, a job and a
bucket both use (4 components). A plan linear in the components takes the same time per resource
at every size.
Run: .venv/bin/python benchmarks/plan_scaling.py [--runs N] [--sizes 1,10,50] [--sets apis|automations]
Also prints the example spec's production plan, which the README promises in at most 2 s.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "shop.yaml"


def spec_with(sets: int, kind: str = "apis") -> str:
    lines = ["scaffold: 1", "name: bench", "region: us-east-1",
             "environments:", "  prod: {profile: production}", "components:"]
    for i in range(sets):
        if kind == "apis":
            # Internal: a public production API must serve HTTPS (a domain), which this spec has not.
            lines += [f"  jobs-{i}: {{kind: queue}}",
                      f"  api-{i}:", "    kind: api", "    image: ghcr.io/acme/api:1", "    public: false",
                      f"    uses: [jobs-{i}]"]
        else:
            lines += [f"  jobs-{i}: {{kind: queue, visibility_timeout: 5m}}",
                      f"  files-{i}: {{kind: bucket}}",
                      f"  work-{i}: {{kind: worker, image: ghcr.io/acme/w:1, consumes: jobs-{i}, uses: [files-{i}]}}",
                      f"  cron-{i}: {{kind: job, image: ghcr.io/acme/j:1, schedule: '@daily', uses: [files-{i}]}}"]
    return "\n".join(lines) + "\n"


def measure(spec: Path, env: str, runs: int) -> tuple[float, float, int]:
    """(median seconds, peak RSS MiB, resources) over ``runs`` fresh processes."""
    times, peaks = [], []
    resources = 0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "scaffold", "plan", "-f", str(spec), "-e", env, "--json"],
                              check=True, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        peaks.append(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024)
        resources = proc.stdout.count('"urn":')
    return statistics.median(times), max(peaks), resources


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="1,10,50")
    parser.add_argument("--sets", choices=("apis", "automations"), default="apis")
    args = parser.parse_args()
    seconds, peak, count = measure(EXAMPLE, "prod", args.runs)
    print(f"example prod: median {seconds:6.2f} s  peak {peak:6.0f} MiB  {count} resources")
    with tempfile.TemporaryDirectory() as tmp:
        for size in (int(s) for s in args.sizes.split(",")):
            spec = Path(tmp) / f"bench-{size}.yaml"
            spec.write_text(spec_with(size, args.sets))
            seconds, peak, count = measure(spec, "prod", args.runs)
            print(f"{size:3d} sets of {args.sets}: median {seconds:6.2f} s  peak {peak:6.0f} MiB  "
                  f"{count:5d} resources  {seconds / count * 1000:5.2f} ms/resource")


if __name__ == "__main__":
    main()
