"""Run one environment's stack for real, through the Pulumi Automation API.

:class:`StackTarget` says where and how: project, stack (= environment), region,
backend, secrets provider, default tags and a stable work directory. It is built
from a blueprint by :meth:`StackTarget.from_blueprint`, which resolves the backend
(:func:`resolve_backend`) and the secrets (:func:`resolve_secrets`) and refuses
unsafe or impossible set-ups before any engine call.

:class:`StackRunner` opens the stack (``auto.create_or_select_stack`` for
preview/up, ``auto.select_stack`` otherwise), sets its config
(``aws:region``, ``aws:defaultTags``), installs the provider plugins and runs
``preview``, ``up``, ``destroy``, ``refresh`` or reads ``outputs``. Every failure
leaves as a :class:`scaffold.errors.ScaffoldError` (see :mod:`stacks.engine_errors`).

This module never prints; live progress goes to an ``on_step`` callback.
``pulumi`` is imported inside functions so that importing this module is cheap.

While an operation runs, SIGINT and SIGTERM stop it promptly: the signal is forwarded to
the ``pulumi`` process (:class:`stacks.engine_command.EngineCommand`), ``pulumi cancel``
releases an interrupted update, and the operation ends with exit 130 (SIGINT) or 143
(SIGTERM). A backend URL with credentials (``s3://KEY:SECRET@bucket``) reaches the CLI
only through ``PULUMI_BACKEND_URL`` in its environment, never ``Pulumi.yaml``, and
never appears in an error message.

Automation API: https://www.pulumi.com/docs/iac/packages-and-automation/automation-api/
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import re
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scaffold.errors import PrerequisiteError, UsageError
from stacks.engine_errors import has_credentials, interrupted, translate
from stacks.progress import OperationSummary, ResourceStep, StepTracker, normalise_changes

if TYPE_CHECKING:
    from pulumi.automation import PulumiCommand, Stack

PASSPHRASE_PROVIDER = "passphrase"
STATE_DIR = ".scaffold"  # under the spec's directory: work dirs (see work_dir_name) and state/
#: The spec file whose work directories are plain ``.scaffold/<env>``.
DEFAULT_SPEC_NAME = "scaffold.yaml"
#: Seconds ``pulumi cancel`` may take after an interrupted update.
CANCEL_TIMEOUT = 30.0
_SAFE_FILE_NAME = re.compile(r"[A-Za-z0-9._-]+")
#: Provider plugins to install before an operation: plugin name -> Python package.
PROVIDER_PACKAGES: dict[str, str] = {"aws": "pulumi_aws", "random": "pulumi_random"}

Program = Callable[[], None]


@dataclass(frozen=True, kw_only=True)
class StackTarget:
    """Everything needed to open one environment's stack.

    Attributes:
        project: Pulumi project name (the spec's ``project``).
        stack: Stack name, the environment (``dev``, ``prod``...).
        region: AWS region, set as ``aws:region``.
        profile: ``dev``, ``staging`` or ``production``.
        backend_url: Where state lives: ``s3://...``, ``https://api.pulumi.com``, ``file://...``.
            It may hold credentials: it is left out of ``repr`` and reaches the CLI only
            through ``env_vars`` (``PULUMI_BACKEND_URL``).
        secrets_provider: ``"passphrase"`` or a KMS URL such as
            ``awskms://alias/x?region=eu-west-1``.
        tags: Default tags for every taggable resource (``aws:defaultTags``).
        work_dir: ``<spec dir>/.scaffold/<work_dir_name(spec, stack)>``; holds
            ``Pulumi.yaml`` and ``Pulumi.<stack>.yaml`` (the stack's encryption salt or
            key: keep it). Keyed by the spec file and the stack, so two spec files in one
            folder never share it.
        env_vars: Extra environment for the ``pulumi`` CLI (passphrase, backend).
    """

    project: str
    stack: str
    region: str
    profile: str
    backend_url: str = field(repr=False)
    secrets_provider: str
    tags: Mapping[str, str] = field(default_factory=dict)
    work_dir: Path
    env_vars: Mapping[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def from_blueprint(cls, blueprint: Any, spec_path: Path, *,
                       environ: Mapping[str, str] | None = None,
                       allow_local_state: bool = False) -> StackTarget:
        """Build the target of ``blueprint``, whose spec file is ``spec_path``.

        Creates the work directory (and the local state directory when used).

        Raises:
            UsageError: local state under ``CI=true`` without ``allow_local_state`` (exit 2).
            PrerequisiteError: passphrase secrets but no passphrase in the
                environment, or an unreadable passphrase file (exit 3).
        """
        environ = os.environ if environ is None else environ
        project_dir = spec_path.resolve().parent
        backend = resolve_backend(blueprint.backend, project_dir, environ=environ,
                                  allow_local_state=allow_local_state)
        provider, secret_env = resolve_secrets(blueprint.secrets_provider, environ=environ)
        work_dir = project_dir / STATE_DIR / work_dir_name(spec_path.resolve().name,
                                                           blueprint.environment)
        work_dir.mkdir(parents=True, exist_ok=True)
        return cls(
            project=blueprint.project, stack=blueprint.environment, region=blueprint.region,
            profile=blueprint.profile, backend_url=backend, secrets_provider=provider,
            tags=dict(blueprint.tags), work_dir=work_dir,
            env_vars={"PULUMI_BACKEND_URL": backend, "PULUMI_SKIP_UPDATE_CHECK": "true",
                      **secret_env},
        )


def work_dir_name(spec_name: str, stack: str) -> str:
    """The work directory of ``stack`` for the spec file named ``spec_name``, under ``.scaffold/``.

    ``scaffold.yaml`` keeps the plain ``<stack>`` (``dev``); any other spec file gets
    ``<stack>@<file name>`` (``dev@billing.yaml``), so two spec files in one folder never
    share a work directory and its encryption salt. ``@`` cannot occur in an environment
    name, so the two forms never collide. A file name with characters outside
    ``A-Z a-z 0-9 . _ -`` has them replaced by ``_`` and gets the first 8 hex digits of
    the SHA-256 of the real name appended (``dev@my_spec.yaml-1a2b3c4d``).
    """
    if spec_name == DEFAULT_SPEC_NAME:
        return stack
    if _SAFE_FILE_NAME.fullmatch(spec_name):
        return f"{stack}@{spec_name}"
    digest = hashlib.sha256(spec_name.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", spec_name)[:100]
    return f"{stack}@{safe}-{digest}"


#: Values of ``CI`` that mean "this is a CI runner" (compared case-insensitively).
TRUTHY = frozenset({"1", "true", "yes", "on"})


def _truthy(value: str | None) -> bool:
    """True for ``1``, ``true``, ``yes`` and ``on`` in any case, spaces ignored."""
    return (value or "").strip().lower() in TRUTHY


def resolve_backend(spec_backend: str | None, project_dir: Path, *,
                    environ: Mapping[str, str], allow_local_state: bool = False) -> str:
    """The backend URL: the spec's ``backend``, else ``PULUMI_BACKEND_URL``, else a
    local file backend ``file://<project dir>/.scaffold/state`` (created).

    Raises:
        UsageError: the local default under ``CI`` set to ``true``, ``1``, ``yes`` or ``on``
            (any case) without ``allow_local_state``:
            the state would vanish with the CI runner, and the next run would try to
            create every resource again (exit 2).
    """
    if spec_backend:
        return spec_backend
    if environ.get("PULUMI_BACKEND_URL"):
        return environ["PULUMI_BACKEND_URL"]
    state_dir = project_dir / STATE_DIR / "state"
    if _truthy(environ.get("CI")) and not allow_local_state:
        raise UsageError(
            f"refusing to keep Pulumi state in {state_dir} on a CI runner: it is lost when "
            "the runner goes away, and the next deploy would not know the resources exist",
            "set `backend:` in the spec or PULUMI_BACKEND_URL (e.g. s3://my-state-bucket), "
            "or pass --allow-local-state if this runner's disk really persists",
        )
    state_dir.mkdir(parents=True, exist_ok=True)
    return state_dir.as_uri()


def resolve_secrets(secrets_provider: str | None, *,
                    environ: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """The secrets provider and the environment the CLI needs for it.

    With a provider URL (``awskms://...``, ``azurekeyvault://...``, ...) nothing else
    is needed. Without one, secrets are encrypted with a passphrase taken from
    ``PULUMI_CONFIG_PASSPHRASE`` (set, even empty) or ``PULUMI_CONFIG_PASSPHRASE_FILE``.

    Returns:
        ``(provider, env_vars)``, e.g. ``("passphrase", {"PULUMI_CONFIG_PASSPHRASE": "..."})``.

    Raises:
        PrerequisiteError: no passphrase, or a passphrase file that cannot be read (exit 3).
    """
    if secrets_provider and secrets_provider != PASSPHRASE_PROVIDER:
        return secrets_provider, {}
    if "PULUMI_CONFIG_PASSPHRASE" in environ:
        return PASSPHRASE_PROVIDER, {"PULUMI_CONFIG_PASSPHRASE": environ["PULUMI_CONFIG_PASSPHRASE"]}
    path = environ.get("PULUMI_CONFIG_PASSPHRASE_FILE")
    if path:
        if not os.access(path, os.R_OK) or not Path(path).is_file():
            raise PrerequisiteError(f"cannot read the passphrase file {path}",
                                    "fix PULUMI_CONFIG_PASSPHRASE_FILE or create that file")
        return PASSPHRASE_PROVIDER, {"PULUMI_CONFIG_PASSPHRASE_FILE": path}
    raise PrerequisiteError(
        "no passphrase for the stack's secrets",
        "set PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE), or set "
        "`secrets_provider:` in the spec to a KMS key (awskms://alias/...)",
    )


def stack_config(target: StackTarget) -> dict[str, Any]:
    """The stack config: ``aws:region`` and ``aws:defaultTags`` (``{"tags": {...}}`` JSON)."""
    from pulumi.automation import ConfigValue

    tags = json.dumps({"tags": dict(sorted(target.tags.items()))}, separators=(",", ":"))
    return {"aws:region": ConfigValue(value=target.region),
            "aws:defaultTags": ConfigValue(value=tags)}


def provider_plugins() -> list[tuple[str, str]]:
    """``[(plugin, "v<version>")]`` for each installed provider package (aws, random)."""
    plugins = []
    for plugin, package in PROVIDER_PACKAGES.items():
        try:
            plugins.append((plugin, "v" + importlib.metadata.version(package)))
        except importlib.metadata.PackageNotFoundError:
            continue
    return plugins


def default_pulumi_command() -> PulumiCommand:
    """The real ``pulumi`` CLI from PATH (:class:`stacks.engine_command.EngineCommand`).

    Raises:
        PrerequisiteError: ``pulumi`` missing or too old (exit 3).
        OperationError: ``pulumi version`` failed, hung or printed no version (exit 1).
    """
    from stacks.engine_command import EngineCommand

    return EngineCommand()


def project_backend_url(backend_url: str) -> str | None:
    """The backend URL to write into ``Pulumi.yaml``: ``backend_url`` unless it holds
    credentials (``s3://KEY:SECRET@bucket``, ``https://user:pass@host``, ``?secret=...``),
    then ``None`` and the CLI gets it from ``PULUMI_BACKEND_URL`` only."""
    return None if has_credentials(backend_url) else backend_url


@contextmanager
def engine_signals() -> Iterator[None]:
    """While active (main thread only), SIGINT and SIGTERM raise
    :class:`stacks.engine_command.EngineSignal` (a ``KeyboardInterrupt``) in the main
    thread, wherever it is waiting. The previous handlers come back afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    from stacks.engine_command import EngineSignal

    def handler(signum: int, frame: Any) -> None:
        raise EngineSignal(signum)

    previous = {signum: signal.signal(signum, handler)
                for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old if old is not None else signal.SIG_DFL)


def _no_program() -> None:
    """Inline program for read-only access (outputs): never run."""


class StackRunner:
    """One environment's stack, run through the Automation API.

    Args:
        target: Where and how (see :class:`StackTarget`).
        program: The inline Pulumi program (``stacks.program.build_program``);
            ``None`` is enough for :meth:`outputs`.
        pulumi_command: The CLI seam; ``None`` uses :func:`default_pulumi_command`.
        on_step: Receives each :class:`ResourceStep` while an operation runs.

    Every method raises :class:`scaffold.errors.ScaffoldError` subclasses only.
    """

    def __init__(self, target: StackTarget, program: Program | None = None, *,
                 pulumi_command: PulumiCommand | None = None,
                 on_step: Callable[[ResourceStep], None] | None = None) -> None:
        self.target = target
        self.program = program
        self.on_step = on_step
        self._command = pulumi_command
        self._stack: Stack | None = None
        self._prepared = False

    # -- operations -------------------------------------------------------------

    def preview(self) -> OperationSummary:
        """Show what ``up`` would change. Creates the stack if it does not exist."""
        with self._engine() as stack:
            self._prepare(stack)
            tracker = StepTracker(self.on_step)
            result = stack.preview(on_event=tracker)
            return OperationSummary("preview", normalise_changes(result.change_summary))

    def up(self) -> OperationSummary:
        """Create or update the stack's resources; returns the changes and outputs."""
        with self._engine(update=True) as stack:
            self._prepare(stack)
            result = stack.up(on_event=StepTracker(self.on_step))
            outputs = {k: v.value for k, v in result.outputs.items()}
            secret = frozenset(k for k, v in result.outputs.items() if v.secret)
            return OperationSummary("update", normalise_changes(result.summary.resource_changes),
                                    outputs, secret)

    def destroy(self) -> OperationSummary:
        """Delete every resource of the stack (the stack and its history stay)."""
        with self._engine(create=False, update=True) as stack:
            self._prepare(stack)
            result = stack.destroy(on_event=StepTracker(self.on_step))
            return OperationSummary("destroy", normalise_changes(result.summary.resource_changes))

    def refresh(self) -> OperationSummary:
        """Read the real state of every resource into the stack's state."""
        with self._engine(create=False, update=True) as stack:
            self._prepare(stack)
            result = stack.refresh(on_event=StepTracker(self.on_step))
            return OperationSummary("refresh", normalise_changes(result.summary.resource_changes))

    def outputs(self) -> dict[str, tuple[Any, bool]]:
        """The stack outputs: ``{name: (value, is_secret)}``. Does not create the stack."""
        with self._engine(create=False, operation="outputs read") as stack:
            return {k: (v.value, v.secret) for k, v in stack.outputs().items()}

    # -- plumbing ---------------------------------------------------------------

    @contextmanager
    def _engine(self, *, create: bool = True, update: bool = False,
                operation: str = "preview") -> Iterator[Stack]:
        """Open the stack and translate whatever the engine raises.

        On SIGINT/SIGTERM (or Ctrl-C): the running ``pulumi`` is stopped (see
        :class:`stacks.engine_command.EngineCommand`), ``pulumi cancel`` runs when
        ``update`` (an update, destroy or refresh was in flight), and
        :func:`stacks.engine_errors.interrupted` is raised (exit 130 or 143) naming
        ``operation`` (used when not ``update``).
        """
        operation = "update" if update else operation
        with engine_signals():
            try:
                stack = self._open(create=create)
            except KeyboardInterrupt as exc:
                raise interrupted(self.target.stack, False, _signum(exc), operation) from None
            except Exception as exc:
                raise self._translated(exc) from exc
            try:
                yield stack
            except KeyboardInterrupt as exc:
                cancelled = self._cancel(stack) if update else False
                raise interrupted(self.target.stack, cancelled, _signum(exc), operation) from None
            except Exception as exc:
                raise self._translated(exc) from exc

    def _translated(self, exc: Exception) -> Exception:
        argv, stderr = getattr(self._stack_command(), "last", ([], ""))
        return translate(exc, stack=self.target.stack, backend_url=self.target.backend_url,
                         work_dir=str(self.target.work_dir), last_command=" ".join(argv[:3]),
                         last_stderr=stderr) or exc

    def _stack_command(self) -> PulumiCommand | None:
        if self._stack is not None:
            return getattr(self._stack.workspace, "pulumi_command", None)
        return self._command

    def _cancel(self, stack: Stack) -> bool:
        """Ask the backend to cancel the running update (at most :data:`CANCEL_TIMEOUT`
        seconds; a further Ctrl-C gives up on it). True when that worked."""
        command = self._stack_command()
        if command is not None and hasattr(command, "timeout"):
            command.timeout = CANCEL_TIMEOUT
        try:
            stack.cancel()
        except (Exception, KeyboardInterrupt):  # no update running, or the backend cannot cancel
            return False
        finally:
            if command is not None and hasattr(command, "timeout"):
                command.timeout = None
        return True

    def _open(self, *, create: bool) -> Stack:
        if self._stack is not None:
            return self._stack
        from pulumi import automation as auto

        t = self.target
        command = self._command or default_pulumi_command()
        url = project_backend_url(t.backend_url)
        settings = auto.ProjectSettings(name=t.project, runtime="python", main=str(t.work_dir),
                                        backend=auto.ProjectBackend(url=url) if url else None)
        opts = auto.LocalWorkspaceOptions(
            work_dir=str(t.work_dir), project_settings=settings,
            secrets_provider=t.secrets_provider, env_vars=dict(t.env_vars),
            pulumi_command=command,
        )
        open_stack = auto.create_or_select_stack if create else auto.select_stack
        self._stack = open_stack(stack_name=t.stack, project_name=t.project,
                                 program=self.program or _no_program, opts=opts)
        return self._stack

    def _prepare(self, stack: Stack) -> None:
        """Set the stack config and install provider plugins (once per runner)."""
        if self._prepared:
            return
        stack.set_all_config(stack_config(self.target))
        for plugin, version in provider_plugins():
            stack.workspace.install_plugin(plugin, version)
        self._prepared = True


def _signum(exc: BaseException) -> int:
    return int(getattr(exc, "signum", signal.SIGINT))
