"""Turn Pulumi Automation API failures into :class:`scaffold.errors.ScaffoldError`.

The Automation API raises ``pulumi.automation.errors.CommandError`` subclasses
chosen by matching the CLI's stderr; a missing ``pulumi`` binary is the builtin
``FileNotFoundError``. :func:`translate` maps each to an error with a one-line
message, a hint and an exit code (see :mod:`scaffold.exit_codes`):

==============================================  ======================  ====
failure                                         error                   exit
==============================================  ======================  ====
``pulumi`` not on PATH / too old                PrerequisiteError       3
``pulumi version`` fails, hangs or prints junk  OperationError          1
passphrase missing (the CLI says so)            PrerequisiteError       3
AWS credentials missing, invalid or expired     OperationError          1
stack locked by another update                  OperationError          1
stack not found (outputs, refresh, destroy)     OperationError          1
an ECS rollout failed (circuit breaker) or      OperationError          1
never reached a steady state
an API's Route 53 zone does not exist           OperationError          1
the Pulumi program raised                       OperationError          1
output the Automation API cannot parse, an      OperationError          1
operation without a summary (``unexpected``)
any other engine failure                        OperationError          1
Ctrl-C (SIGINT) during an operation             OperationError          130
SIGTERM during an operation                     OperationError          143
==============================================  ======================  ====

Messages never show credentials: :func:`redact` removes the user-info part of every
URL (``s3://KEY:SECRET@bucket`` -> ``s3://***@bucket``) and credential-like query
parameters, and every error made here goes through it. Messages quote at most the
last :data:`TAIL_LINES` lines of the engine's output (:func:`tail`).
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterable
from types import TracebackType

from scaffold.errors import OperationError, PrerequisiteError, ScaffoldError
from scaffold.exit_codes import ExitStatus

INSTALL_URL = "https://www.pulumi.com/docs/iac/download-install/"
#: How many of the engine's last output lines an error message quotes.
TAIL_LINES = 5
#: ``scheme://user:password@host``: the user-info part of a URL (RFC 3986 section 3.2.1).
_URL_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/?#@\s]+)@")
#: Query parameters of a backend or secrets URL that carry credentials
#: (gocloud.dev blob URLs: ``s3://b?access_key_id=...``, Azure ``?sig=...`` SAS tokens).
_URL_SECRET_PARAM = re.compile(
    r"(?P<key>[?&](?:[A-Za-z0-9_]*(?:secret|token|password|passwd|access_key|accesskey|sig"
    r"|signature|credential)[A-Za-z0-9_]*))=(?P<value>[^&#\s]+)", re.I)
REDACTED = "***"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` without credentials: URL user-info, credential query values, and ``secrets``.

    ``s3://AKIA:wJalr@bucket/x`` -> ``s3://***@bucket/x``;
    ``https://h/?token=abc`` -> ``https://h/?token=***``. Each of ``secrets`` (e.g. the
    parts of a backend URL's user-info) is replaced wherever it appears, when at least
    4 characters long (shorter ones would mangle unrelated text).
    """
    text = _URL_USERINFO.sub(lambda m: f"{m['scheme']}{REDACTED}@", text)
    text = _URL_SECRET_PARAM.sub(lambda m: f"{m['key']}={REDACTED}", text)
    for secret in sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def url_secrets(url: str) -> list[str]:
    """The credential parts of ``url``: its user-info (whole, user, password, with
    percent-decoded forms) and the values of credential-like query parameters."""
    from urllib.parse import unquote

    found: list[str] = []
    match = _URL_USERINFO.search(url)
    if match:
        userinfo = match["userinfo"]
        found += [userinfo, unquote(userinfo)]
        for part in userinfo.split(":", 1):
            found += [part, unquote(part)]
    found += [m["value"] for m in _URL_SECRET_PARAM.finditer(url)]
    return [f for f in found if f]


def has_credentials(url: str) -> bool:
    """True when ``url`` carries credentials (user-info or a credential query parameter)."""
    return redact(url) != url


def redacted_error(error: ScaffoldError, secrets: Iterable[str] = ()) -> ScaffoldError:
    """``error`` with its message and hint passed through :func:`redact` (same object)."""
    secrets = list(secrets)
    error.message = redact(error.message, secrets)
    error.hint = redact(error.hint, secrets)
    error.args = (error.message,)
    return error


def tail(text: str, lines: int = TAIL_LINES) -> str:
    """The last ``lines`` non-blank lines of ``text``, joined by `` | `` (``""`` if none)."""
    kept = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(kept[-lines:])

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


def interrupted(stack: str, cancelled: bool, signum: int = signal.SIGINT,
                operation: str = "update") -> OperationError:
    """The error after Ctrl-C (SIGINT, exit 130) or SIGTERM (exit 143) during an operation.

    ``cancelled`` says whether ``pulumi cancel`` released the stack's update;
    ``operation`` is ``"update"`` (up, destroy, refresh: may be half-done), else what was
    stopped without changing anything (``"preview"``, ``"outputs read"``).
    """
    by = "SIGTERM" if signum == signal.SIGTERM else "Ctrl-C"
    status = ExitStatus.TERMINATED if signum == signal.SIGTERM else ExitStatus.INTERRUPTED
    if operation != "update":
        return OperationError(f"interrupted ({by}): stopped the {operation} of stack '{stack}'",
                              "nothing was changed; run the command again", exit_status=status)
    what = "cancelled the update" if cancelled else "the update was interrupted"
    return OperationError(
        f"interrupted ({by}): {what} of stack '{stack}'",
        "some resources may be half-done; run `scaffold refresh` and then `scaffold deploy` "
        "again to converge",
        exit_status=status,
    )


def version_failure(command: str, reason: str, output: str = "") -> OperationError:
    """The error for a ``pulumi version`` that failed, hung or printed no version (exit 1)."""
    last = tail(output)
    return OperationError(
        f"`{command} version` {reason}" + (f": {last}" if last else ""),
        f"check the pulumi installation (run `{command} version` yourself); reinstall it from "
        f"{INSTALL_URL} if it is broken",
    )


def _frames(tb: TracebackType | None) -> list[str]:
    names = []
    while tb is not None:
        names.append(str(tb.tb_frame.f_globals.get("__name__", "")))
        tb = tb.tb_next
    return names


#: Modules whose exceptions are scaffold's own bugs, never engine faults.
_OWN_PACKAGES = ("scaffold", "stacks", "blueprints", "tests")


def raised_by_automation_api(exc: BaseException) -> bool:
    """True when ``exc`` was raised inside ``pulumi.automation`` (or the standard library
    code it called, e.g. ``json``) rather than in scaffold's own code.

    Walks the traceback from the innermost frame outwards: a ``pulumi.automation`` frame
    before any frame of scaffold's packages means the Automation API choked on what the
    CLI printed (``json.JSONDecodeError`` on ``stack output``, ``RuntimeError("summary
    event never found")``, an ``AssertionError`` on a missing history entry...).
    """
    for name in reversed(_frames(exc.__traceback__)):
        if name.split(".")[0] in _OWN_PACKAGES:
            return False
        if name.startswith("pulumi.automation"):
            return True
    return False


def unexpected_output(exc: BaseException, *, stack: str, command: str, stderr: str) -> OperationError:
    """The error for a CLI result the Automation API could not understand (exit 1).

    Args:
        exc: What the Automation API raised (e.g. ``JSONDecodeError``).
        stack: The stack name.
        command: The last ``pulumi`` command run, e.g. ``stack output --json``.
        stderr: That command's stderr; its last lines are quoted.
    """
    reason = str(exc).strip() or type(exc).__name__
    if isinstance(exc, AssertionError) or "summary" in reason.lower():
        reason = "the operation ended without a summary of its changes"
    last = tail(stderr)
    where = f" after `pulumi {command}`" if command else ""
    return OperationError(
        f"unexpected output from pulumi on stack '{stack}'{where}: {reason}"
        + (f"; its stderr ended with: {last}" if last else "; it printed nothing on stderr"),
        "check `pulumi version` and the pulumi installation; re-run with "
        "PULUMI_DEBUG_COMMANDS=true to see the engine's output, then `scaffold refresh` "
        "if an update may have run",
    )


def translate(exc: BaseException, *, stack: str, backend_url: str, work_dir: str = "",
              last_command: str = "", last_stderr: str = "") -> ScaffoldError | None:
    """Map an exception from the Automation API to a user-facing error, or None.

    Credentials in ``backend_url`` (and any URL user-info) never reach the message or
    hint (:func:`redact`).

    Args:
        exc: What the Automation API raised.
        stack: The stack name, for the message.
        backend_url: The backend in use, for "not found" hints.
        work_dir: The stack's work directory, for the "locked" hint.
        last_command: The last ``pulumi`` argv run (joined), for unexpected output.
        last_stderr: That command's stderr, for unexpected output.

    Returns:
        A :class:`ScaffoldError` subclass, or ``None`` when ``exc`` is not a known
        engine failure (a bug that should surface as one).
    """
    error = _translate(exc, stack=stack, backend_url=backend_url, work_dir=work_dir,
                       last_command=last_command, last_stderr=last_stderr)
    return None if error is None else redacted_error(error, url_secrets(backend_url))


def _translate(exc: BaseException, *, stack: str, backend_url: str, work_dir: str,
               last_command: str, last_stderr: str) -> ScaffoldError | None:
    from pulumi.automation import errors as auto_errors

    if isinstance(exc, ScaffoldError):
        return exc
    if isinstance(exc, FileNotFoundError) and "pulumi" in str(exc.filename or ""):
        return missing_pulumi()
    if isinstance(exc, auto_errors.InvalidVersionError):
        return PrerequisiteError(f"the installed `pulumi` CLI is too old: {exc}",
                                 f"upgrade it: {INSTALL_URL}")
    if not isinstance(exc, auto_errors.CommandError):
        if raised_by_automation_api(exc):
            return unexpected_output(exc, stack=stack, command=last_command, stderr=last_stderr)
        return None
    stdout, stderr = command_output(exc)
    detail = first_error_line(stderr, stdout)
    return (_credentials(stdout, stderr, detail)
            or ecs_rollout_failure(stdout, stderr)
            or _missing_zone(stdout, stderr)
            or _by_type(exc, stack, backend_url, stdout, detail, work_dir)
            or _passphrase(stderr, detail)
            or _other_failure(stack, stdout, stderr, detail, _exit_code(exc)))


def _exit_code(exc: BaseException) -> str:
    match = re.search(r"\n code: (-?\d+)\n", str(exc))
    return match.group(1) if match else "?"


def _other_failure(stack: str, stdout: str, stderr: str, detail: str, code: str) -> OperationError:
    """Any other failed CLI call: its ``error:`` line, else the last lines of its stderr
    (or stdout), else that it printed nothing."""
    hint = ("re-run with PULUMI_DEBUG_COMMANDS=true to see the engine's full output; "
            "`pulumi` logs more with -v=9 --logtostderr")
    if detail:
        return OperationError(f"pulumi failed on stack '{stack}': {detail}", hint)
    last = tail(stderr) or tail(stdout)
    if last:
        return OperationError(f"pulumi failed on stack '{stack}' (exit {code}); its output "
                              f"ended with: {last}", hint)
    return OperationError(f"pulumi failed on stack '{stack}' (exit {code}) and printed "
                          "nothing", "check `pulumi version` and the pulumi installation; " + hint)


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
             detail: str, work_dir: str = "") -> ScaffoldError | None:
    from pulumi.automation import errors as auto_errors

    if isinstance(exc, auto_errors.ConcurrentUpdateError):
        return OperationError(
            f"stack '{stack}' is locked by another update",
            "wait for it to finish; if no update is running (a crashed or killed run), "
            f"release the lock with `pulumi cancel --stack {stack}` from the stack's "
            f"work directory ({work_dir or '.scaffold/<env>'}, with PULUMI_BACKEND_URL set "
            "to the backend)",
        )
    if isinstance(exc, auto_errors.StackNotFoundError):
        return OperationError(
            f"no stack '{stack}' in backend {backend_url}",
            f"run `scaffold deploy -e {stack}` first, or check -e and the backend "
            "(the spec's `backend`, PULUMI_BACKEND_URL)",
        )
    if isinstance(exc, auto_errors.CompilationError | auto_errors.InlineSourceRuntimeError
                  | auto_errors.RuntimeError):
        reason = detail or _last_line(stdout) or tail(stderr_of(exc)) or "it printed nothing"
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


def stderr_of(exc: BaseException) -> str:
    """The stderr of a ``CommandError`` (``""`` if it has none)."""
    return command_output(exc)[1]


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""
