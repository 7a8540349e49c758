"""Turn Pulumi Automation API failures into :class:`scaffold.errors.ScaffoldError`.

The Automation API raises ``pulumi.automation.errors.CommandError`` subclasses
chosen by matching the CLI's stderr; a missing ``pulumi`` binary is the builtin
``FileNotFoundError``. :func:`translate` maps each to an error with a one-line
message, a hint and an exit code (see :mod:`scaffold.exit_codes`):

==============================================  ======================  ====
failure                                         error                   exit
==============================================  ======================  ====
``pulumi`` not on PATH / too old                PrerequisiteError       3
passphrase missing (the CLI says so)            PrerequisiteError       3
AWS credentials missing, invalid or expired     OperationError          1
stack locked by another update                  OperationError          1
stack not found (outputs, refresh, destroy)     OperationError          1
an ECS rollout failed (circuit breaker) or      OperationError          1
never reached a steady state
an API's Route 53 zone does not exist           OperationError          1
the Pulumi program raised                       OperationError          1
any other engine failure                        OperationError          1
Ctrl-C during an operation (see ``interrupted``)  OperationError        1
==============================================  ======================  ====
"""

from __future__ import annotations

import re

from scaffold.errors import OperationError, PrerequisiteError, ScaffoldError

INSTALL_URL = "https://www.pulumi.com/docs/iac/download-install/"

#: Texts in pulumi/terraform-provider output that mean AWS credentials are the problem.
CREDENTIAL_PATTERNS = re.compile(
    r"NoCredentialProviders|no valid credential sources|InvalidClientTokenId|ExpiredToken"
    r"|UnrecognizedClientException|SignatureDoesNotMatch|failed to refresh cached credentials"
    r"|the SSO session has expired|InvalidAccessKeyId|AuthFailure",
    re.IGNORECASE,
)
_PASSPHRASE_MISSING = re.compile(r"passphrase must be set|PULUMI_CONFIG_PASSPHRASE", re.I)
_PASSPHRASE_WRONG = re.compile(r"incorrect passphrase", re.I)

#: What terraform-provider-aws reports when an ECS service created or updated with
#: ``wait_for_steady_state`` does not become stable. From internal/service/ecs/service.go:
#: ``sdkdiag.AppendErrorf(diags, "waiting for ECS Service (%s) create: %s", d.Id(), err)`` (and
#: ``update``), where ``err`` is either the deployment's ``StatusReason`` (``findDeploymentStatus``:
#: the service deployment ended ``ROLLBACK_SUCCESSFUL``, ``ROLLBACK_FAILED`` or ``STOPPED``, i.e.
#: the deployment circuit breaker gave up; ``"Deployment failed"`` without a reason) or the
#: waiter's timeout, ``timeout while waiting for state to become 'tfSTABLE' (last state:
#: 'tfPENDING', timeout: 20m0s)``. ``d.Id()`` is the service ARN
#: ``arn:aws:ecs:<region>:<account>:service/<cluster>/<service>``.
ECS_ROLLOUT_FAILED = re.compile(
    r"waiting for ECS Service \((?P<service>[^)\s]+)\) (?P<operation>create|update): "
    r"(?P<reason>.*?)(?::\s*provider=\S+)?\s*$", re.M)
#: The aws:route53/getZone invoke (an API's ``domain``) found no public hosted zone. Wording of
#: terraform-provider-aws internal/service/route53 (zone data source); pulumi-aws <= 6.37 said
#: "no matching Route53Zone found".
MISSING_ZONE = re.compile(r"no matching Route ?53 ?(?:Hosted )?Zone found", re.I)
_ECS_TIMEOUT = re.compile(r"timeout while waiting for state to become 'tfSTABLE'.*?timeout: (?P<limit>[0-9hms.]+)")


def command_output(exc: BaseException) -> tuple[str, str]:
    """``(stdout, stderr)`` of a ``CommandError`` (parsed from its text; it keeps no result)."""
    text = str(exc)
    match = re.search(r"\n stdout: (.*)\n stderr: (.*)\Z", text, re.S)
    return (match.group(1), match.group(2)) if match else ("", text)


def first_error_line(*texts: str) -> str:
    """The first line starting with ``error:`` in ``texts`` (without the prefix), or ``""``."""
    for text in texts:
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.lower().startswith("error:"):
                return stripped[len("error:"):].strip()
    return ""


def missing_pulumi() -> PrerequisiteError:
    """The error for a ``pulumi`` CLI that is not on PATH."""
    return PrerequisiteError(
        "the `pulumi` CLI is not installed (or not on PATH)",
        f"install it: {INSTALL_URL} (e.g. `curl -fsSL https://get.pulumi.com | sh`), "
        "then open a new shell",
    )


def interrupted(stack: str, cancelled: bool) -> OperationError:
    """The error after Ctrl-C. Exit 1, like any other failed operation."""
    what = "cancelled the update" if cancelled else "the update was interrupted"
    return OperationError(
        f"interrupted: {what} of stack '{stack}'",
        "some resources may be half-done; run `scaffold refresh` and then `scaffold deploy` "
        "again to converge",
    )


def translate(exc: BaseException, *, stack: str, backend_url: str) -> ScaffoldError | None:
    """Map an exception from the Automation API to a user-facing error, or None.

    Args:
        exc: What the Automation API raised.
        stack: The stack name, for the message.
        backend_url: The backend in use, for "not found" hints.

    Returns:
        A :class:`ScaffoldError` subclass, or ``None`` when ``exc`` is not a known
        engine failure (a bug that should surface as one).
    """
    from pulumi.automation import errors as auto_errors

    if isinstance(exc, ScaffoldError):
        return exc
    if isinstance(exc, FileNotFoundError) and "pulumi" in str(exc.filename or ""):
        return missing_pulumi()
    if isinstance(exc, auto_errors.InvalidVersionError):
        return PrerequisiteError(f"the installed `pulumi` CLI is too old: {exc}",
                                 f"upgrade it: {INSTALL_URL}")
    if not isinstance(exc, auto_errors.CommandError):
        return None
    stdout, stderr = command_output(exc)
    detail = first_error_line(stderr, stdout)
    return (_credentials(stdout, stderr, detail)
            or ecs_rollout_failure(stdout, stderr)
            or _missing_zone(stdout, stderr)
            or _by_type(exc, stack, backend_url, stdout, detail)
            or _passphrase(stderr, detail)
            or OperationError(f"pulumi failed on stack '{stack}': {detail or 'see output above'}",
                              "re-run with the output above; `pulumi` logs more with "
                              "PULUMI_DEBUG_COMMANDS=true"))


def _credentials(stdout: str, stderr: str, detail: str) -> ScaffoldError | None:
    match = CREDENTIAL_PATTERNS.search(stderr) or CREDENTIAL_PATTERNS.search(stdout)
    if not match:
        return None
    return OperationError(
        f"AWS credentials are missing, invalid or expired ({match.group(0)})",
        "set AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or run "
        "`aws sso login`; check with `aws sts get-caller-identity`",
    )


def ecs_rollout_failure(stdout: str, stderr: str) -> OperationError | None:
    """The error for an API whose new tasks never became healthy, or ``None``.

    ``pulumi up`` fails this way because every ECS service waits for a steady state
    (``wait_for_steady_state``): the deployment circuit breaker stopped a rollout whose
    tasks kept failing to start or failing their health checks, and rolled the service
    back to its last working task definition (on a first deploy there is none to go back
    to), or the tasks were still not stable when the provider's 20-minute wait ran out.
    The message names the service; the hint names its events and its log group
    (``/ecs/<service>``, the API's log group: both carry the same physical name).
    """
    match = ECS_ROLLOUT_FAILED.search(stdout) or ECS_ROLLOUT_FAILED.search(stderr)
    if not match:
        return None
    parts = match["service"].split(":")[-1].split("/")  # service/<cluster>/<name>
    name = parts[-1]
    cluster = parts[-2] if len(parts) >= 3 else None
    reason = match["reason"].strip() or "Deployment failed"
    describe = (f"`aws ecs describe-services --cluster {cluster} --services {name}`" if cluster
                else f"`aws ecs describe-services --services {name}`")
    hint = (f"see the service events ({describe}) and the container logs in /ecs/{name}; "
            "fix the image, port, health_check or secrets and deploy again")
    timeout = _ECS_TIMEOUT.search(reason)
    if timeout:
        return OperationError(
            f"service {name}: new tasks did not become healthy within {timeout['limit']}; "
            "the deploy stopped waiting (the ECS deployment may still be rolling back)", hint)
    undone = ("ECS rolled the deployment back" if match["operation"] == "update"
              else "ECS stopped the deployment (a new service has nothing to roll back to)")
    return OperationError(
        f"service {name}: new tasks never became healthy; {undone} (circuit breaker): {reason}", hint)


def _missing_zone(stdout: str, stderr: str) -> OperationError | None:
    if not (MISSING_ZONE.search(stdout) or MISSING_ZONE.search(stderr)):
        return None
    return OperationError(
        "an API's `domain` has no public Route 53 hosted zone in this AWS account",
        "create the zone (or delegate the domain to it), set `zone:` to the zone that holds the "
        "domain, or, with DNS hosted elsewhere, set `certificate:` to an issued ACM certificate ARN "
        "(docs/blueprints.md, DNS hosted elsewhere)")


def _by_type(exc: BaseException, stack: str, backend_url: str, stdout: str,
             detail: str) -> ScaffoldError | None:
    from pulumi.automation import errors as auto_errors

    if isinstance(exc, auto_errors.ConcurrentUpdateError):
        return OperationError(
            f"stack '{stack}' is locked by another update",
            "wait for it to finish; if no update is running (a crashed or killed run), "
            f"release the lock with `pulumi cancel --stack {stack}` from the stack's "
            "work directory (.scaffold/<env>)",
        )
    if isinstance(exc, auto_errors.StackNotFoundError):
        return OperationError(
            f"no stack '{stack}' in backend {backend_url}",
            f"run `scaffold deploy -e {stack}` first, or check -e and the backend "
            "(the spec's `backend`, PULUMI_BACKEND_URL)",
        )
    if isinstance(exc, auto_errors.CompilationError | auto_errors.InlineSourceRuntimeError
                  | auto_errors.RuntimeError):
        reason = detail or _last_line(stdout) or "see output above"
        return OperationError(
            f"the Pulumi program for stack '{stack}' failed: {reason}",
            f"run `scaffold plan -e {stack}` to reproduce it offline",
        )
    return None


def _passphrase(stderr: str, detail: str) -> ScaffoldError | None:
    if _PASSPHRASE_WRONG.search(stderr):
        return OperationError(
            "the passphrase does not decrypt this stack's secrets",
            "set PULUMI_CONFIG_PASSPHRASE (or _FILE) to the passphrase the stack was "
            "created with",
        )
    if _PASSPHRASE_MISSING.search(stderr):
        return PrerequisiteError(
            f"pulumi needs a passphrase: {detail or 'passphrase must be set'}",
            "set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE",
        )
    return None


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""
