"""``${VAR}`` interpolation in the spec's values (docs/spec.md, "Interpolation").

The CLI tests run ``validate``, ``blueprint`` and ``plan`` on a spec file with the variables
set or unset in the process environment, and check what a user sees: the exit code, the
``file:line:col: error: path: message`` lines, and the resolved values printed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from scaffold.spec.interpolate import InterpolationError, interpolate

runner = CliRunner()
ROOT = Path(__file__).parents[2]

HEAD = """\
scaffold: 1
name: shop
region: us-east-1
"""
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/stripe-AbCdEf"
#: Variables the tests set; each test starts with all of them unset.
VARIABLES = ("IMAGE_TAG", "RELEASE", "MODE", "EMPTY", "FALLBACK", "STATE_BUCKET", "DB_PASSWORD",
             "STRIPE_KEY_ARN", "UPSTREAM_URL", "KMS_ALIAS")


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)


def _spec(tmp_path: Path, body: str) -> Path:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(HEAD + textwrap.dedent(body))
    return spec


def _cli(*args: str) -> tuple[int, str]:
    from scaffold.cli import app

    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def _errors(output: str) -> list[str]:
    return [ln for ln in output.splitlines() if ": error: " in ln]


API = """\
environments:
  dev: {profile: dev}
components:
  api:
    kind: api
    image: ghcr.io/acme/api:${IMAGE_TAG}
"""


# -- the forms, on one string -------------------------------------------------------------------


@pytest.mark.parametrize(("text", "environ", "expected"), [
    ("app:${TAG}", {"TAG": "1.4.2"}, "app:1.4.2"),                      # set
    ("${A}-${B}", {"A": "x", "B": "y"}, "x-y"),                          # two in one value
    ("app:${TAG:-latest}", {}, "app:latest"),                            # default, unset
    ("app:${TAG:-latest}", {"TAG": ""}, "app:latest"),                   # default, empty (as Compose)
    ("app:${TAG:-latest}", {"TAG": "2"}, "app:2"),                       # default, set
    ("app:${TAG-latest}", {"TAG": ""}, "app:"),                          # -: only when unset
    ("app:${TAG-latest}", {}, "app:latest"),
    ("app:${TAG}", {"TAG": ""}, "app:"),                                 # set but empty: empty
    ("${TAG:-}", {}, ""),                                                # an empty default
    ("${A:-${B:-deep}}", {}, "deep"),                                    # nested
    ("${A:-${B}}", {"A": "a"}, "a"),                                     # an unused operand is not read
    ("${A:+on}", {"A": "x"}, "on"),                                      # alternative value
    ("${A:+on}", {"A": ""}, ""),
    ("${A+on}", {"A": ""}, "on"),
    ("${A:?needed}", {"A": "v"}, "v"),
    ("price $$5 and $${HOME}", {"HOME": "/root"}, "price $5 and ${HOME}"),   # $$ is a literal $
    ("cost $5, ^a$ and $", {}, "cost $5, ^a$ and $"),                    # a $ that starts no expression
    ("${A}", {"A": "${B}"}, "${B}"),                                     # a value is not interpolated again
    ("plain text", {}, "plain text"),
])
def test_interpolate_forms(text: str, environ: dict[str, str], expected: str) -> None:
    assert interpolate(text, environ)[0] == expected


@pytest.mark.parametrize(("text", "environ", "message"), [
    ("app:${TAG}", {}, "variable TAG is not set"),
    ("${A:-${B}}", {}, "variable B is not set"),
    ("${A:?the pipeline sets A}", {}, "variable A is not set: the pipeline sets A"),
    ("${A:?}", {"A": ""}, "variable A is empty: A is required"),
    ("${A", {"A": "x"}, "${ is never closed"),
    ("${A:-x", {}, "${ is never closed"),
    ("${", {}, "${ is never closed"),
    ("${}", {}, "${} names no variable"),
    ("${9A}", {}, "must be followed by a variable name"),
    ("${A B}", {"A": "x"}, "is not a form scaffold reads"),
    ("${A/x/y}", {"A": "x"}, "is not a form scaffold reads"),
    ("$TAG", {"TAG": "x"}, "$TAG is not interpolated: scaffold reads only the braced form"),
    ("${A:-$B}", {}, "$B is not interpolated"),                         # also in an unused operand
])
def test_interpolate_refuses(text: str, environ: dict[str, str], message: str) -> None:
    with pytest.raises(InterpolationError) as caught:
        interpolate(text, environ)
    assert message in caught.value.message


# -- validate: errors at their line and column --------------------------------------------------


def test_unset_variable_is_an_error_at_its_column(tmp_path: Path) -> None:
    spec = _spec(tmp_path, API)
    code, out = _cli("validate", "-f", str(spec))
    assert code == 2
    # image: is on line 9; its ${ at column 29
    assert _errors(out) == [f"{spec}:9:29: error: components.api.image: variable IMAGE_TAG is not set "
                            "(export IMAGE_TAG=… or write ${IMAGE_TAG:-default})"]


def test_every_interpolation_problem_is_reported_in_one_run(tmp_path: Path) -> None:
    spec = _spec(tmp_path, API + '    command: ["serve", "--mode=${MODE}", "$RELEASE"]\n')
    code, out = _cli("validate", "-f", str(spec))
    assert code == 2
    errors = _errors(out)
    assert [e.split(": error: ")[0] for e in errors] == [f"{spec}:9:29", f"{spec}:10:32", f"{spec}:10:43"]
    assert "components.api.command[1]: variable MODE is not set" in errors[1]
    assert "components.api.command[2]: $RELEASE is not interpolated" in errors[2]


def test_set_variable_validates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGE_TAG", "1.4.2")
    code, out = _cli("validate", "-f", str(_spec(tmp_path, API)))
    assert code == 0, out


def test_empty_variable_is_empty_and_the_default_is_used_for_colon_dash(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMPTY", "")
    spec = _spec(tmp_path, API.replace("ghcr.io/acme/api:${IMAGE_TAG}", "${EMPTY}")
                 + "    environment: {A: 'x${EMPTY}y', B: '${EMPTY:-fallback}', C: '${EMPTY-kept}'}\n")
    code, out = _cli("validate", "-f", str(spec))
    assert code == 2
    assert any(":9:" in e and "components.api.image:" in e for e in _errors(out)), out  # an empty image
    spec.write_text(spec.read_text().replace("${EMPTY}\n", "ghcr.io/acme/api:1\n"))
    code, out = _cli("blueprint", "-f", str(spec), "-e", "dev")
    assert code == 0, out
    environment = yaml.safe_load(out)["components"]["api"]["environment"]
    assert (environment["A"], environment["B"], environment["C"]) == ("xy", "fallback", "")


# -- blueprint and plan show the resolved values ------------------------------------------------


OVERRIDES = """\
backend: s3://${STATE_BUCKET:-acme-state}/shop
environments:
  dev: {profile: dev}
  prod:
    profile: production
    components:
      api:
        public: false
        environment:
          RELEASE: "release-${RELEASE}"
components:
  api:
    kind: api
    image: ghcr.io/acme/api:${IMAGE_TAG:-latest}
    cpu: ${CPU:-256}
    command:
      - run
      - $$HOME
      - ${MODE:-serve}
    secrets: {STRIPE_KEY: "${STRIPE_KEY_ARN}"}
"""


def test_blueprint_shows_the_resolved_values(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGE_TAG", "1.4.2")
    monkeypatch.setenv("RELEASE", "42")
    monkeypatch.setenv("STATE_BUCKET", "ci-state")
    monkeypatch.setenv("STRIPE_KEY_ARN", SECRET_ARN)
    spec = _spec(tmp_path, OVERRIDES)
    code, out = _cli("blueprint", "-f", str(spec), "-e", "prod")
    assert code == 0, out
    bp = yaml.safe_load(out)
    api = bp["components"]["api"]
    assert bp["backend"] == "s3://ci-state/shop"
    assert api["image"] == "ghcr.io/acme/api:1.4.2"
    assert api["cpu"] == 256                             # a number from a default is a number
    assert api["command"] == ["run", "$HOME", "serve"]  # nested in a list; $$ is a literal $
    assert api["environment"] == {"RELEASE": "release-42"}  # inside an environment override
    assert api["secrets"] == {"STRIPE_KEY": SECRET_ARN}


def test_an_override_is_interpolated_only_where_it_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """RELEASE is read by prod's override: unset, the whole file is refused, at the override's line."""
    monkeypatch.setenv("STRIPE_KEY_ARN", SECRET_ARN)
    spec = _spec(tmp_path, OVERRIDES)
    code, out = _cli("blueprint", "-f", str(spec), "-e", "dev")
    assert code == 2
    assert _errors(out) == [f"{spec}:13:29: error: environments.prod.components.api.environment.RELEASE: "
                            "variable RELEASE is not set (export RELEASE=… or write ${RELEASE:-default})"]


def test_plan_shows_the_resolved_image(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGE_TAG", "9.9.9-ci")
    spec = _spec(tmp_path, API)
    code, out = _cli("plan", "-f", str(spec), "-e", "dev", "--json")
    assert code == 0, out
    plan = json.loads(out)
    definitions = [r["inputs"]["containerDefinitions"] for r in plan["resources"]
                   if "containerDefinitions" in r.get("inputs", {})]
    assert [json.loads(d)[0]["image"] for d in definitions] == ["ghcr.io/acme/api:9.9.9-ci"]


def test_keys_are_not_interpolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGE_TAG", "1")
    spec = _spec(tmp_path, API + "    environment: {'${IMAGE_TAG}': x}\n")
    code, out = _cli("validate", "-f", str(spec))
    assert code == 2
    assert "components.api.environment.${IMAGE_TAG}: '${IMAGE_TAG}' is not a valid environment variable name" in out


# -- secrets never reach a plain field ----------------------------------------------------------


def test_a_secret_named_variable_is_refused_in_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGE_TAG", "1")
    monkeypatch.setenv("DB_PASSWORD", "hunter2-correct-horse")
    spec = _spec(tmp_path, API + "    environment:\n      DATABASE_PASS: 'p=${DB_PASSWORD}'\n")
    code, out = _cli("validate", "-f", str(spec))
    assert code == 2
    [error] = _errors(out)
    assert error.startswith(f"{spec}:11:25: error: components.api.environment.DATABASE_PASS: variable "
                            "DB_PASSWORD is named like a secret (password) and its value is not an ARN")
    assert "secrets:" in error
    assert "hunter2" not in out  # the value is never printed


def test_a_credential_looking_value_is_refused_whatever_the_name(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGE_TAG", "1")
    monkeypatch.setenv("UPSTREAM_URL", "https://bot:s3cr3tPa55@api.example.com/v1")
    monkeypatch.setenv("MODE", "AKIAABCDEFGHIJKLMNOP")
    spec = _spec(tmp_path, API + "    environment: {UPSTREAM: '${UPSTREAM_URL}'}\n"
                 "    command: ['run', '${MODE}']\n")
    code, out = _cli("validate", "-f", str(spec))
    assert code == 2
    errors = _errors(out)
    assert len(errors) == 2
    assert "components.api.environment.UPSTREAM: the value of variable UPSTREAM_URL looks like a URL with a " \
           "password in it" in out
    assert "components.api.command[1]: the value of variable MODE looks like an AWS access key ID" in out
    assert "s3cr3t" not in out and "AKIAABCD" not in out


def test_a_secret_named_variable_holding_an_arn_is_allowed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGE_TAG", "1")
    monkeypatch.setenv("STRIPE_KEY_ARN", SECRET_ARN)
    spec = _spec(tmp_path, API + "    secrets: {STRIPE_KEY: '${STRIPE_KEY_ARN}'}\n")
    code, out = _cli("blueprint", "-f", str(spec), "-e", "dev")
    assert code == 0, out
    assert yaml.safe_load(out)["components"]["api"]["secrets"] == {"STRIPE_KEY": SECRET_ARN}


def test_a_secret_named_variable_is_refused_in_secrets_unless_an_arn(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The ARN check of secrets: quotes the value; a secret put there by mistake is stopped first."""
    monkeypatch.setenv("IMAGE_TAG", "1")
    monkeypatch.setenv("STRIPE_KEY_ARN", "sk_test_plainsecretvalue")
    spec = _spec(tmp_path, API + "    secrets: {STRIPE_KEY: '${STRIPE_KEY_ARN}'}\n")
    code, out = _cli("validate", "-f", str(spec))
    assert code == 2
    assert "components.api.secrets.STRIPE_KEY: variable STRIPE_KEY_ARN is named like a secret (key)" in out
    assert "plainsecretvalue" not in out


# -- backend and secrets_provider ---------------------------------------------------------------


def test_backend_and_secrets_provider_are_interpolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGE_TAG", "1")
    monkeypatch.setenv("STATE_BUCKET", "acme-ci-state")
    monkeypatch.setenv("KMS_ALIAS", "pulumi-ci")
    spec = _spec(tmp_path, "backend: s3://${STATE_BUCKET}/shop\n"
                 "secrets_provider: awskms://alias/${KMS_ALIAS}?region=us-east-1\n" + API)
    code, out = _cli("blueprint", "-f", str(spec), "-e", "dev")
    assert code == 0, out
    bp = yaml.safe_load(out)
    assert (bp["backend"], bp["secrets_provider"]) == ("s3://acme-ci-state/shop",
                                                       "awskms://alias/pulumi-ci?region=us-east-1")


def test_backend_with_credentials_from_a_variable_is_refused(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMAGE_TAG", "1")
    monkeypatch.setenv("STATE_BUCKET", "user:hunter2hunter2@acme-state")
    spec = _spec(tmp_path, "backend: s3://${STATE_BUCKET}/shop\n" + API)
    code, out = _cli("validate", "-f", str(spec))
    assert code == 2
    assert f"{spec}:4:15: error: backend: with STATE_BUCKET interpolated, the value looks like a URL with a " \
           "password in it" in out
    assert "hunter2" not in out


# -- validate stays pulumi-free and fast --------------------------------------------------------


def test_validate_with_interpolation_imports_no_pulumi(tmp_path: Path) -> None:
    spec = _spec(tmp_path, API)
    code = ("import sys\nfrom scaffold.cli import main\nsys.argv = ['scaffold', 'validate', '-f', sys.argv[1]]\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    print('exit', exc.code)\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pulumi', 'pulumi_aws')))")
    proc = subprocess.run([sys.executable, "-c", code, str(spec)], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, "IMAGE_TAG": "1.0", "NO_COLOR": "1"}, timeout=60)
    assert proc.stdout.split("\n")[-3:] == ["exit 0", "[]", ""], proc.stdout + proc.stderr
