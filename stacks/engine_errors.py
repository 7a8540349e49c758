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
