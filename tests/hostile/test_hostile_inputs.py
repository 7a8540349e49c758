"""Hostile spec files: each is validated in a subprocess under memory and time limits.

Every file of ``corpus/`` starts with ``# expect: <line> | <message fragment>``. The
run must exit 2 (a spec error), print no traceback, and report the fragment at
``<file>:<line>:`` within :data:`TIMEOUT` seconds and :data:`MEMORY` bytes of address
space. Inputs that cannot live in the corpus (a FIFO, ``/dev/zero``, an oversized file,
600 typos) are made by the tests below.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from scaffold.spec.source import MAX_FILE_BYTES

CORPUS = sorted((Path(__file__).parent / "corpus").glob("*.yaml"))
#: Seconds a hostile input may take, interpreter start included.
TIMEOUT = 10
#: Address space of the validating process, in bytes (1 GiB).
MEMORY = 1024 ** 3

_RUN = "import sys; from scaffold.cli import main; sys.argv[0] = 'scaffold'; main()"


def _limits() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


def validate(path: Path | str) -> subprocess.CompletedProcess[str]:
    """``scaffold validate -f path`` in a subprocess limited to :data:`MEMORY` and :data:`TIMEOUT`."""
    return subprocess.run([sys.executable, "-c", _RUN, "validate", "-f", str(path)],
                          capture_output=True, text=True, timeout=TIMEOUT, preexec_fn=_limits,
                          cwd=Path(__file__).parents[2], env={**os.environ, "NO_COLOR": "1"}, check=False)


def _expectation(path: Path) -> tuple[int, str]:
    first = path.read_bytes().split(b"\n", 1)[0].decode()
    match = re.fullmatch(r"# expect: (\d+) \| (.+)", first)
    assert match, f"{path.name}: the first line must be '# expect: <line> | <fragment>'"
    return int(match[1]), match[2]


def test_corpus_covers_forty_inputs() -> None:
    assert len(CORPUS) >= 40


@pytest.mark.parametrize("spec_file", CORPUS, ids=[p.stem for p in CORPUS])
def test_hostile_spec_is_refused_with_its_line(spec_file: Path) -> None:
    line, fragment = _expectation(spec_file)
    result = validate(spec_file)
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output
    located = [ln for ln in output.splitlines() if ln.startswith(f"{spec_file}:{line}:")]
    assert any(fragment in ln for ln in located), f"no {fragment!r} at line {line} in:\n{output}"


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "scaffold.yaml"
    os.mkfifo(fifo)
    result = validate(fifo)
    assert result.returncode == 2
    assert "is a named pipe (FIFO), not a regular file" in result.stderr
    assert "Traceback" not in result.stderr


def test_dev_zero_is_refused_without_reading() -> None:
    result = validate("/dev/zero")
    assert result.returncode == 2
    assert "is a character device, not a regular file" in result.stderr


def test_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "scaffold.yaml"
    link.symlink_to("/dev/zero")
    result = validate(link)
    assert result.returncode == 2
    assert "not a regular file" in result.stderr


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "scaffold.yaml"
    big.write_text("scaffold: 1\n# " + "x" * MAX_FILE_BYTES + "\n")
    result = validate(big)
    assert result.returncode == 2
    assert "is larger than 1024 KiB" in result.stderr


def test_file_at_the_size_limit_is_read(tmp_path: Path) -> None:
    spec = (Path(__file__).parents[2] / "examples" / "shop.yaml").read_text()
    padded = tmp_path / "scaffold.yaml"
    padded.write_text(spec + "#" * (MAX_FILE_BYTES - len(spec.encode()) - 1) + "\n")
    assert padded.stat().st_size == MAX_FILE_BYTES
    result = validate(padded)
    assert result.returncode == 0, result.stderr


def test_not_utf8_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "scaffold.yaml"
    bad.write_bytes(b"scaffold: 1\nname: sh\xffop\n")
    result = validate(bad)
    assert result.returncode == 2
    assert f"{bad}:2:9: error: not UTF-8 text" in result.stderr


def test_six_hundred_typos_are_answered_quickly(tmp_path: Path) -> None:
    lines = ["scaffold: 1", "name: shop", "region: us-east-1", "environments:", "  dev:", "    profile: dev",
             "    components:"]
    lines += [f"      queue-nmber-{i:03d}: {{max_receives: 3}}" for i in range(600)]
    lines += ["components:"] + [f"  queue-number-{i:03d}: {{kind: queue}}" for i in range(600)]
    spec = tmp_path / "scaffold.yaml"
    spec.write_text("\n".join(lines) + "\n")
    result = validate(spec)  # was 11 s: each typo compared in full with all 600 names
    assert result.returncode == 2
    errors = [ln for ln in result.stderr.splitlines() if ": error: " in ln]
    assert len(errors) == 600
    assert f"{spec}:307:7: error: environments.dev.components.queue-nmber-299: overrides 'queue-nmber-299', " \
           "which is not a component (did you mean 'queue-number-299'?)" in errors
    assert all(ln.count("did you mean") <= 1 for ln in errors)


def _components(count: int) -> str:
    lines = ["scaffold: 1", "name: shop", "region: us-east-1", "environments:", "  dev: {profile: dev}", "components:"]
    return "\n".join(lines + [f"  q{i:04d}: {{kind: queue}}" for i in range(count)]) + "\n"


def test_four_thousand_components_validate_in_bounded_time(tmp_path: Path) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(_components(4000))
    result = validate(spec)  # was about 20 s: every pair of components compared for name collisions
    assert result.returncode == 0, result.stderr
    assert "4000 components" in result.stdout


def test_more_values_than_the_limit_is_refused_at_the_line(tmp_path: Path) -> None:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(_components(5000))
    result = validate(spec)
    assert result.returncode == 2
    assert f"{spec}:5003:10: error: the file holds more than 20,000 values" in result.stderr
