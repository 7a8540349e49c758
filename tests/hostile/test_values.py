"""What hostile values mean once read: merge keys, YAML 1.2 booleans, regions, CIDRs, secrets."""

from __future__ import annotations

import subprocess
import sys

import pytest

from scaffold.errors import SpecError
from scaffold.spec.fields import closest, did_you_mean
from scaffold.spec.loader import check_source
from scaffold.spec.regions import REGIONS
from scaffold.spec.rules import credential_kind
from scaffold.spec.source import parse_yaml

HEAD = "scaffold: 1\nname: shop\nregion: us-east-1\nenvironments:\n  dev: {profile: dev}\n"


def _errors(text: str) -> list[str]:
    with pytest.raises(SpecError) as caught:
        check_source(parse_yaml(text, "s.yaml"))
    return [f"{p.line}: {p.path}: {p.message}" for p in caught.value.problems]


def test_merge_key_explicit_key_overrides_the_merged_one() -> None:
    text = HEAD + ("base: &base {kind: queue, max_receives: 3, retention: 1d}\n"
                   "components:\n  q:\n    <<: *base\n    max_receives: 5\n")
    source = parse_yaml(text, "s.yaml")
    assert source.data["components"]["q"] == {"kind": "queue", "max_receives": 5, "retention": "1d"}
    assert source.problems == []  # no duplicate-key error for the overridden key
    assert source.positions.of(("components", "q", "max_receives")) == (10, 19)


def test_merge_key_earlier_mapping_of_a_list_wins() -> None:
    text = HEAD + ("a: &a {max_receives: 1}\nb: &b {max_receives: 2, fifo: true}\n"
                   "components:\n  q:\n    <<: [*a, *b]\n    kind: queue\n")
    q = parse_yaml(text, "s.yaml").data["components"]["q"]
    assert q == {"kind": "queue", "max_receives": 1, "fifo": True}


def test_an_explicit_duplicate_key_is_still_an_error() -> None:
    text = HEAD + "components:\n  q:\n    kind: queue\n    kind: cache\n"
    assert parse_yaml(text, "s.yaml").problems[0].message == "duplicate key 'kind', first defined on line 8"


def test_yes_no_on_off_are_text_and_booleans_only_in_boolean_fields() -> None:
    text = HEAD + ("components:\n  q: {kind: queue, fifo: yes}\n"
                   "  api:\n    kind: api\n    image: nginx:1.27\n    public: off\n"
                   "    environment: {DEBUG: on, NORWAY: no, STRICT: true}\n")
    data = parse_yaml(text, "s.yaml").data
    assert data["components"]["api"]["environment"] == {"DEBUG": "on", "NORWAY": "no", "STRICT": True}
    assert data["components"]["q"]["fifo"] == "yes"
    # A boolean field reads yes/off; a text field keeps them, but `true` is still not text.
    assert _errors(text) == ["12: components.api.environment.STRICT: expected a valid string, got True"]


@pytest.mark.parametrize(("field", "value"), [("max_receives", "yes"), ("max_receives", "true"),
                                              ("max_receives", "false")])
def test_booleans_are_not_numbers(field: str, value: str) -> None:
    errors = _errors(HEAD + f"components:\n  q: {{kind: queue, {field}: {value}}}\n")
    assert len(errors) == 1 and errors[0].startswith(f"7: components.q.{field}: expected a valid integer")


def test_scaffold_true_is_not_version_one() -> None:
    assert _errors(HEAD.replace("scaffold: 1", "scaffold: true")) == ["1: scaffold: expected 1, got true (a boolean)"]


def test_regions_match_the_installed_pulumi_aws_enum() -> None:
    from pulumi_aws._enums import Region

    assert tuple(r.value for r in Region) == REGIONS


def test_validate_reads_regions_without_importing_pulumi() -> None:
    code = ("import sys; from scaffold.spec.loader import check_source; from scaffold.spec.source import parse_yaml; "
            f"check_source(parse_yaml({HEAD!r}, 's.yaml')); print('pulumi' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize("region", ["eusc-de-east-1", "us-gov-west-1", "us-isob-east-1", "ap-southeast-7"])
def test_every_listed_region_is_accepted(region: str) -> None:
    assert check_source(parse_yaml(HEAD.replace("us-east-1", region), "s.yaml")).spec.region == region


@pytest.mark.parametrize(("cidr", "what"), [("8.8.8.0/24", "public"), ("127.0.0.0/16", "reserved"),
                                            ("224.0.0.0/16", "reserved"), ("172.32.0.0/16", "public")])
def test_vpc_cidr_must_be_private(cidr: str, what: str) -> None:
    errors = _errors(HEAD + f"network: {{cidr: {cidr}}}\n")
    assert errors == [f"6: network.cidr: {cidr} is a {what} address block, not a private one (RFC 1918); "
                      "inside the VPC it would hide the internet addresses it covers"]


@pytest.mark.parametrize("cidr", ["10.0.0.0/16", "172.31.0.0/16", "192.168.0.0/20"])
def test_rfc1918_cidrs_pass_without_warning(cidr: str) -> None:
    checked = check_source(parse_yaml(HEAD + f"network: {{cidr: {cidr}}}\n", "s.yaml"))
    assert not [w for w in checked.warnings if w.path == "network.cidr"]


def test_shared_address_space_is_a_warning() -> None:
    checked = check_source(parse_yaml(HEAD + "network: {cidr: 100.64.0.0/16}\n", "s.yaml"))
    assert [(w.line, w.path) for w in checked.warnings] == [(6, "network.cidr")]
    assert "RFC 6598" in checked.warnings[0].message


@pytest.mark.parametrize("value", ["AKIAIOSFODNN7EXAMPLE", "-----BEGIN OPENSSH PRIVATE KEY-----",
                                   "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "https://u:p4ss@example.com/x",
                                   "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"])
def test_credential_values_are_recognised(value: str) -> None:
    assert credential_kind(value)


@pytest.mark.parametrize("value", ["info", "https://api.example.com/v1/orders", "3f786850e387550fdab836ed7e6dc881de23001b",
                                   "123e4567-e89b-12d3-a456-426614174000", "ghcr.io/acme/shop-api:1.4.2",
                                   "postgres://db.internal:5432/app"])
def test_ordinary_values_are_not_credentials(value: str) -> None:
    assert credential_kind(value) is None


@pytest.mark.parametrize("name", ["DB_PASSWORD", "API_KEY", "GITHUB_TOKEN", "client_secret", "SECRET_KEY_BASE"])
def test_environment_names_that_say_secret_are_refused(name: str) -> None:
    text = HEAD + f"components:\n  api:\n    kind: api\n    image: nginx:1.27\n    environment: {{{name}: x}}\n"
    errors = _errors(text)
    assert len(errors) == 1 and f"{name!r} is named like a secret" in errors[0] and errors[0].startswith("10:")


def test_secret_in_an_environment_override_is_reported_at_the_override() -> None:
    text = ("scaffold: 1\nname: shop\nregion: us-east-1\nenvironments:\n  dev:\n    profile: dev\n"
            "    components:\n      api:\n        environment: {AUTH: AKIAIOSFODNN7EXAMPLE}\n"
            "components:\n  api:\n    kind: api\n    image: nginx:1.27\n")
    errors = _errors(text)
    assert len(errors) == 1 and errors[0].startswith("9: environments.dev.components.api.environment.AUTH:")


def test_did_you_mean_gives_one_suggestion_from_many_choices() -> None:
    names = [f"queue-number-{i:03d}" for i in range(600)]
    assert closest("queue-nmber-123", names) == "queue-number-123"
    assert did_you_mean("zzzz", names).endswith("(600 in all)")
    assert did_you_mean("replcas", ["replicas", "engine"]) == "did you mean 'replicas'?"


def test_did_you_mean_ignores_the_tail_of_a_huge_name() -> None:
    assert closest("replicas" + "x" * 100_000, ["replicas"]) is None


def test_path_with_a_newline_prints_on_one_line() -> None:
    errors = _errors(HEAD + 'components:\n  "api\\n": {kind: queue}\n')
    assert errors == ["7: components['api\\n']: component name 'api\\n' must be lowercase letters, digits and "
                      "single hyphens, starting with a letter and not ending with a hyphen"]


def test_integers_have_their_yaml_1_2_forms() -> None:
    text = "a: 010\nb: 1_000\nc: 1:30\nd: 0x1F\ne: 0o17\nf: -5\ng: !!int 12\n"
    assert parse_yaml(text, "s.yaml").data == {"a": 10, "b": "1_000", "c": "1:30", "d": 31, "e": 15, "f": -5, "g": 12}


def test_sexagesimal_is_not_a_port() -> None:
    text = HEAD + "components:\n  api:\n    kind: api\n    image: nginx:1.27\n    port: 1:30\n"
    assert _errors(text) == ["10: components.api.port: expected a valid integer, unable to parse string as an "
                             "integer, got '1:30'"]


@pytest.mark.parametrize("text", ["\u0661\u0665m", "15m\n", "15 m\n", "15\u00a0m"])
def test_durations_take_only_ascii_digits_and_nothing_after(text: str) -> None:
    from scaffold.spec.units import parse_duration

    with pytest.raises(ValueError, match="is not a duration"):
        parse_duration(text)
    assert parse_duration(" 15m ") == 900 and parse_duration("15 m") == 900


@pytest.mark.parametrize("backend", ["s3://AKIAEXAMPLEKEY:wJalrXUtnFEMIsecret@acme-state/shop",
                                     "azblob://state?sig=wJalrXUtnFEMIsecret"])
@pytest.mark.parametrize("command", [["validate"], ["blueprint", "-e", "dev"], ["plan", "-e", "dev"],
                                     ["generate", "-e", "dev", "--out", "{out}"]])
def test_credentials_in_a_backend_url_are_refused_and_never_printed_or_written(
        tmp_path, backend: str, command: list[str]) -> None:
    from typer.testing import CliRunner

    from scaffold.cli import app

    spec = tmp_path / "scaffold.yaml"
    spec.write_text(f'scaffold: 1\nname: shop\nregion: us-east-1\nbackend: "{backend}"\n'
                    "environments: {dev: {profile: dev}}\ncomponents: {q: {kind: queue}}\n")
    out = tmp_path / "out"
    args = [a.replace("{out}", str(out)) for a in command]
    result = CliRunner().invoke(app, [*args, "-f", str(spec)])
    assert result.exit_code == 2
    assert "wJalrXUtnFEMIsecret" not in result.output
    assert "backend: the URL carries credentials" in result.output
    assert not out.exists()
