"""Gaps an independent verifier found in ``scaffold validate`` and ``scaffold blueprint``.

Each test runs the CLI on a spec file and checks what a user sees: the exit code,
``file:line:col: error|warning: path: message`` and the printed blueprint.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

from typer.testing import CliRunner

from scaffold.cli import app

runner = CliRunner()

HEAD = """\
scaffold: 1
name: shop
region: us-east-1
"""
ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:1"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/stripe-AbCdEf"
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/10e0208c-c51e-51ea-b06e-e9e5baf23e74"
DIGEST = "a" * 64


def _run(tmp_path: Path, text: str, *args: str) -> tuple[int, str, Path]:
    spec = tmp_path / "scaffold.yaml"
    spec.write_text(HEAD + textwrap.dedent(text))
    result = runner.invoke(app, [*(args or ("validate",)), "-f", str(spec)])
    assert "Traceback" not in result.output
    return result.exit_code, result.output, spec


def _lines(output: str, severity: str = "error") -> list[str]:
    return [ln for ln in output.splitlines() if f": {severity}: " in ln]


def _line_of(spec: Path, fragment: str) -> int:
    return next(i for i, ln in enumerate(spec.read_text().splitlines(), 1) if fragment in ln)


# 1. nat: none and a secret in another region


def test_nat_none_refuses_a_secret_of_another_region(tmp_path: Path) -> None:
    code, out, spec = _run(tmp_path, f"""\
        network: {{nat: none}}
        environments:
          dev: {{profile: dev}}
        components:
          api:
            kind: api
            image: {ECR}
            public: false
            secrets:
              SM: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/stripe-AbCdEf"
              PS: "arn:aws:ssm:eu-west-1:123456789012:parameter/shop/key"
              OK: "{SECRET}"
        """)
    assert code == 2, out
    errors = _lines(out)
    sm = [e for e in errors if e.startswith(f"{spec}:{_line_of(spec, 'SM:')}:")]
    ps = [e for e in errors if e.startswith(f"{spec}:{_line_of(spec, 'PS:')}:")]
    assert sm and "components.api.secrets.SM: network.nat is none" in sm[0] and "Secrets Manager" in sm[0]
    assert "eu-west-1" in sm[0] and "network.nat: single" in sm[0]
    assert ps and "SSM Parameter Store" in ps[0]
    assert not [e for e in errors if "secrets.OK" in e]


def test_a_secret_of_another_region_is_fine_with_a_nat_gateway(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path, f"""\
        network: {{nat: single}}
        environments:
          dev: {{profile: dev}}
        components:
          api: {{kind: api, image: {ECR}, public: false,
                 secrets: {{SM: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/stripe-AbCdEf"}}}}
        """)
    assert code == 0, out


# 2. image references ECS refuses


def test_malformed_image_references_are_refused(tmp_path: Path) -> None:
    code, out, spec = _run(tmp_path, f"""\
        environments:
          dev: {{profile: dev}}
        components:
          api: {{kind: api, image: "ghcr.io/acme/shop api:1.4.2", public: false}}
          web: {{kind: api, image: "{ECR.split(':')[0]}@sha256:not-a-digest", public: false}}
          long: {{kind: api, image: "ghcr.io/{'a' * 260}:1", public: false}}
        """)
    assert code == 2, out
    errors = _lines(out)
    assert any(e.startswith(f"{spec}:{_line_of(spec, '  api:')}:") and "components.api.image:" in e
               and "' '" in e for e in errors), out
    assert any(e.startswith(f"{spec}:{_line_of(spec, '  web:')}:") and "components.web.image:" in e
               and "sha256: followed by 64 hexadecimal digits" in e for e in errors), out
    assert any("components.long.image:" in e and "at most 255" in e for e in errors), out


def test_real_image_references_stay_valid(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path, f"""\
        environments:
          dev: {{profile: dev}}
        components:
          a: {{kind: api, image: "public.ecr.aws/nginx/nginx:stable", public: false}}
          b: {{kind: api, image: "ghcr.io/acme/shop-api:1.4.2", public: false}}
          c: {{kind: api, image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/shop/api@sha256:{DIGEST}",
              public: false}}
          d: {{kind: api, image: "nginx:1.27", public: false}}
        """)
    assert code == 0, out


# 3. a certificate of another partition


def test_certificate_of_another_partition_is_refused(tmp_path: Path) -> None:
    code, out, spec = _run(tmp_path, f"""\
        environments:
          prod: {{profile: production}}
        components:
          api: {{kind: api, image: nginx, certificate: "{CERT.replace('arn:aws:', 'arn:aws-cn:')}"}}
        """)
    assert code == 2, out
    assert any(e.startswith(f"{spec}:{_line_of(spec, 'certificate')}:") and "components.api.certificate:" in e
               and "partition 'aws-cn'" in e for e in _lines(out)), out


# 4. waf: true on an internal API


def test_waf_on_an_internal_api_is_a_warning(tmp_path: Path) -> None:
    code, out, spec = _run(tmp_path, f"""\
        environments:
          prod: {{profile: production}}
        components:
          api: {{kind: api, image: nginx, certificate: "{CERT}"}}
          internal-api:
            kind: api
            image: nginx
            public: false
            waf: true
        """)
    assert code == 0, out
    warnings = _lines(out, "warning")
    assert any(w.startswith(f"{spec}:{_line_of(spec, 'waf: true')}:") and "components.internal-api.waf:" in w
               and "no web ACL is created for an internal load balancer" in w for w in warnings), out


def test_the_production_default_waf_on_an_internal_api_is_not_warned_about(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path, """\
        environments:
          prod: {profile: production}
        components:
          internal-api: {kind: api, image: nginx, public: false}
        """)
    assert code == 0, out
    assert "waf" not in out


# 5. null overrides and numbers YAML reads as text


def test_a_null_override_says_a_mapping_is_expected_with_the_fields_description(tmp_path: Path) -> None:
    code, out, spec = _run(tmp_path, """\
        environments:
          prod:
            profile: production
            components:
              api: {domain: ~, scaling: null}
        components:
          api: {kind: api, image: nginx, domain: api.example.com}
        """)
    assert code == 2, out
    errors = _lines(out)
    assert errors == [e for e in errors if "Blueprint" not in e and "dictionary" not in e], out
    assert any(e.startswith(f"{spec}:{_line_of(spec, 'scaling: null')}:")
               and "environments.prod.components.api.scaling: expected a mapping of fields, got null "
               "(Autoscaling range and targets.)" in e for e in errors), out


def test_serverless_max_out_of_range_is_reported_once_without_a_wrong_unit(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path, """\
        environments:
          dev: {profile: dev}
        components:
          db: {kind: database, serverless: {min: 0.5, max: 1e3}}
        """)
    assert code == 2, out
    errors = _lines(out)
    assert len(errors) == 1, out
    assert "components.db.serverless.max: must be at most 256, got '1e3'" in errors[0]
    assert "ACU" in errors[0] and "256s" not in errors[0] and "is required" not in errors[0]


# 6. what is wrong with a secret ARN


def test_a_secret_arn_with_a_bad_account_or_region_says_which(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path, """\
        environments:
          dev: {profile: dev}
        components:
          api:
            kind: api
            image: nginx
            public: false
            secrets:
              H: "arn:aws:secretsmanager:us-east-1:12345678901:secret:shop/stripe-AbCdEf"
              K: "arn:aws:secretsmanager:us-east-l:123456789012:secret:shop/stripe-AbCdEf"
              P: "arn:aws:secretsmanager:us-east-1:123456789012:secret:shop/stripe"
        """)
    assert code == 2, out
    errors = _lines(out)
    h = next(e for e in errors if "secrets.H:" in e)
    k = next(e for e in errors if "secrets.K:" in e)
    p = next(e for e in errors if "secrets.P:" in e)
    assert "account '12345678901'" in h and "12 digits" in h and "partial" not in h
    assert "region 'us-east-l'" in k and "partial" not in k
    assert "partial secret ARN" in p


# 7. the replicas hint stays within network.azs' range


def test_the_replicas_hint_never_suggests_more_azs_than_a_vpc_can_have(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path, """\
        environments:
          dev: {profile: dev}
        components:
          db: {kind: database, replicas: 9}
        """)
    assert code == 2, out
    error = next(e for e in _lines(out) if "components.db.replicas:" in e)
    suggested = [int(n) for n in re.findall(r"network\.azs to (\d+)", error)]
    assert suggested and max(suggested) <= 6, error
    assert "at most 5 replicas" in error


# 8. blueprint prints values as written


def test_blueprint_prints_non_ascii_values_as_written(tmp_path: Path) -> None:
    value = "ünïcødé ✓ \\[x]"
    text = f"""\
        environments:
          dev: {{profile: dev}}
        components:
          api: {{kind: api, image: nginx, public: false, environment: {{B: "{value.replace(chr(92), chr(92) * 2)}"}}}}
        """
    code, out, _ = _run(tmp_path, text, "blueprint")
    assert code == 0, out
    assert f"B: {value}" in out, out
    code, out, _ = _run(tmp_path, text, "blueprint", "--format", "json")
    assert code == 0, out
    assert '"B": "ünïcødé ✓ \\\\[x]"' in out, out
    assert json.loads(out)["components"]["api"]["environment"]["B"] == value


# 9. an override that breaks a rule is reported at its own line


def test_an_override_that_makes_the_api_public_is_reported_at_its_line(tmp_path: Path) -> None:
    code, out, spec = _run(tmp_path, """\
        environments:
          dev: {profile: dev}
          prod:
            profile: production
            components:
              api: {public: true}
        components:
          api: {kind: api, image: nginx, public: false}
        """)
    assert code == 2, out
    errors = _lines(out)
    assert len(errors) == 1, out
    assert errors[0].startswith(f"{spec}:{_line_of(spec, 'public: true')}:"), out
    assert "environments.prod.components.api.public: a public API in production must serve HTTPS" in errors[0]
    assert "(in environment" not in errors[0]


# 10. one run reports everything


def test_a_duplicate_key_does_not_hide_the_other_problems(tmp_path: Path) -> None:
    code, out, spec = _run(tmp_path, """\
        environments:
          dev: {profile: dev}
        components:
          api: {kind: api, image: nginx, public: false, cpu: 256, memory: 4096, cpu: 512}
          c: {kind: cache, version: "7.1.0"}
        """)
    assert code == 2, out
    errors = _lines(out)
    api_line, cache_line = _line_of(spec, "api:"), _line_of(spec, "kind: cache")
    assert any(e.startswith(f"{spec}:{api_line}:") and "duplicate key 'cpu'" in e for e in errors), out
    # The first cpu (256) is kept: 4096 MiB does not fit it.
    assert any("components.api.memory: cpu 256 takes memory" in e for e in errors), out
    assert any(e.startswith(f"{spec}:{cache_line}:") and "components.c.version:" in e for e in errors), out


def test_a_bad_subscriber_entry_does_not_hide_the_fifo_rule_on_another(tmp_path: Path) -> None:
    code, out, spec = _run(tmp_path, """\
        environments:
          dev: {profile: dev}
        components:
          q: {kind: queue, fifo: true}
          t: {kind: notifications, subscribers: [{queue: q}, {email: oncall}]}
        """)
    assert code == 2, out
    errors = _lines(out)
    line = _line_of(spec, "subscribers:")
    assert any(e.startswith(f"{spec}:{line}:") and "components.t.subscribers[1].email:" in e for e in errors), out
    assert any(e.startswith(f"{spec}:{line}:") and "components.t.subscribers[0].queue: 'q' is a FIFO queue" in e
               for e in errors), out
    assert len(errors) == 2, out  # nothing about the entry that stood in for subscribers[1]
