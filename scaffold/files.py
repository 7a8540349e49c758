"""Safe file writes for ``new``, ``generate`` and ``schema -o``: atomic, locked, refused cleanly.

* :func:`exclusive_lock` takes an exclusive :func:`fcntl.flock` lock on a lock
  file, so two scaffold runs on one target never interleave: the second waits
  (polling, at most ``timeout`` seconds, default :data:`LOCK_TIMEOUT_SECONDS`)
  and then refuses with :class:`~scaffold.errors.UsageError` (exit 2). The lock
  file is removed when the lock is released; a lock file left by a killed run
  holds no lock and is simply taken over.
* :class:`StagedWrites` writes every file to a temporary file beside its target
  (same folder, so the same file system), and only when all of them are written
  renames each into place with :func:`os.replace`. A failure while staging
  removes the temporary files: the target is left exactly as it was. A reader
  sees a file's old content or its new content, never a half-written file.
* :func:`cannot_write` turns an :class:`OSError` into a ``UsageError`` (exit 2)
  that says why and where: a path through a file, a folder where a file should
  be, a dangling symbolic link, a read-only folder, a full disk.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from scaffold.errors import UsageError

#: The lock file ``generate`` (and ``new`` into an existing folder) takes inside the target folder.
LOCK_NAME = ".scaffold.lock"
#: How long a run waits for another scaffold run on the same target before it refuses (seconds).
LOCK_TIMEOUT_SECONDS = 60.0
_POLL_SECONDS = 0.05
_TEMP_PREFIX = ".scaffold-tmp-"


def blocking_part(path: Path) -> Path | None:
    """The first existing ancestor of ``path`` (or ``path``'s parent) that is not a folder."""
    for ancestor in reversed(path.parents):
        if ancestor.exists() and not ancestor.is_dir():
            return ancestor
        if ancestor.is_symlink() and not ancestor.exists():
            return ancestor
    return None


def describe_os_error(path: Path, error: OSError) -> str:
    """Why ``path`` cannot be written, in words: ``"/a/b is a file, not a folder"``, ``"permission denied"``."""
    blocking = blocking_part(path)
    if blocking is not None:
        if blocking.is_symlink() and not blocking.exists():
            return f"{blocking} is a dangling symbolic link (to {os.readlink(blocking)})"
        return f"{blocking} is a file, not a folder"
    if path.is_symlink() and not path.exists():
        return f"{path} is a dangling symbolic link (to {os.readlink(path)})"
    if error.errno in (errno.EEXIST, errno.ENOTDIR) and path.exists() and not path.is_dir():
        return f"{path} is a file, not a folder"
    if error.errno == errno.EISDIR or (path.is_dir() and error.errno in (errno.EEXIST, errno.ENOTEMPTY)):
        return f"{path} is a folder, not a file"
    if error.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied ({error.filename or path})"
    if error.errno == errno.EROFS:
        return "the file system is read-only"
    if error.errno == errno.ENOSPC:
        return "no space left on the device"
    return error.strerror or str(error)


def cannot_write(path: Path, error: OSError, hint: str) -> UsageError:
    """The exit-2 error for ``path`` that could not be written because of ``error``."""
    return UsageError(f"cannot write {path}: {describe_os_error(path, error)}; nothing was written", hint)


def check_file_target(path: Path, hint: str) -> Path:
    """The path to write for ``path``: itself, or the file a symbolic link to a file points to.

    Raises:
        UsageError: ``path`` is a folder, a dangling symbolic link, or lies
            through a file (``notes.txt/out.json``).
    """
    blocking = blocking_part(path)
    if blocking is not None:
        raise cannot_write(path, NotADirectoryError(errno.ENOTDIR, "not a folder"), hint)
    if path.is_symlink() and not path.exists():
        raise UsageError(f"cannot write {path}: it is a dangling symbolic link (to {os.readlink(path)}); "
                         "nothing was written", hint)
    if path.is_dir():
        raise UsageError(f"cannot write {path}: it is a folder, not a file; nothing was written", hint)
    return path.resolve() if path.is_symlink() else path


@contextlib.contextmanager
def exclusive_lock(lock_path: Path, *, what: Path, hint: str, timeout: float = LOCK_TIMEOUT_SECONDS,
                   on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``lock_path`` (created if missing, removed on release).

    Args:
        lock_path: The lock file; its folder must exist.
        what: The target the lock guards, for messages.
        hint: The hint of an error that the lock file cannot be created.
        timeout: Seconds to wait for another run to finish before refusing.
        on_wait: Called once when another run holds the lock (e.g. to print "waiting").

    Raises:
        UsageError: The lock file cannot be created (a read-only folder, a path
            through a file), or another run held the lock for ``timeout`` seconds (exit 2).
    """
    deadline = time.monotonic() + timeout
    waited = False
    while True:
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o644)
        except OSError as error:
            raise cannot_write(what, error, hint) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if not waited and on_wait is not None:
                on_wait()
            waited = True
            if time.monotonic() >= deadline:
                raise UsageError(
                    f"{what} is in use by another scaffold run (lock {lock_path}, waited {timeout:.0f} s); "
                    "nothing was written",
                    "wait for the other run to finish, then run again") from None
            time.sleep(_POLL_SECONDS)
            continue
        # The holder before us unlinks the file before unlocking: a lock on an unlinked file is no lock.
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(lock_path, follow_symlinks=False))
        except FileNotFoundError:
            same = False
        if same:
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock_path)
        os.close(fd)


def make_folder(path: Path, hint: str) -> list[Path]:
    """Create ``path`` and its missing parents; return the folders created, outermost first.

    Raises:
        UsageError: A part of the path is a file or a dangling link, or a folder is read-only.
    """
    missing = [p for p in (path, *path.parents) if not p.is_dir()]
    missing.reverse()
    for folder in missing:
        try:
            folder.mkdir()
        except FileExistsError as error:
            if not folder.is_dir():
                raise cannot_write(path, error, hint) from None
        except OSError as error:
            raise cannot_write(path, error, hint) from None
    return missing


def remove_empty_folders(folders: list[Path]) -> None:
    """Remove ``folders`` (as returned by :func:`make_folder`), innermost first, where still empty."""
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            folder.rmdir()


class StagedWrites:
    """Files written beside their targets first, then renamed into place all together.

    Use as a context manager: :meth:`stage` each file, then :meth:`commit`.
    Leaving the block without committing (an error, Ctrl-C) removes every
    temporary file and every folder :meth:`stage` created.
    """

    def __init__(self, hint: str) -> None:
        self.hint = hint
        self._staged: list[tuple[Path, Path]] = []
        self._created: list[Path] = []
        self._committed = False

    def __enter__(self) -> StagedWrites:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._committed:
            self.abort()

    def stage(self, path: Path, text: str) -> None:
        """Write ``text`` (UTF-8, ``\\n`` line ends) to a temporary file beside ``path``.

        Raises:
            UsageError: ``path`` cannot be written (see :func:`check_file_target`), or the
                write failed (a read-only folder, a full disk).
        """
        real = check_file_target(path, self.hint)
        self._created += make_folder(real.parent, self.hint)
        try:
            fd, tmp = tempfile.mkstemp(prefix=f"{_TEMP_PREFIX}{real.name}.", dir=real.parent)
        except OSError as error:
            raise cannot_write(path, error, self.hint) from None
        self._staged.append((Path(tmp), real))
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            mode = real.stat().st_mode & 0o7777 if real.exists() else 0o666 & ~_umask()
            os.chmod(tmp, mode)
        except OSError as error:
            raise cannot_write(path, error, self.hint) from None

    def commit(self) -> None:
        """Rename every staged file into place (:func:`os.replace`).

        Raises:
            UsageError: A rename failed (e.g. a folder appeared where a file goes).
        """
        self._committed = True
        for index, (tmp, real) in enumerate(self._staged):
            try:
                os.replace(tmp, real)
            except OSError as error:
                for leftover, _ in self._staged[index:]:
                    with contextlib.suppress(OSError):
                        leftover.unlink()
                raise cannot_write(real, error, self.hint) from None

    def abort(self) -> None:
        """Remove the temporary files and the folders created for them."""
        for tmp, _ in self._staged:
            with contextlib.suppress(OSError):
                tmp.unlink()
        self._staged.clear()
        remove_empty_folders(self._created)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_file(path: Path, text: str, hint: str) -> Path:
    """Write one file atomically (temporary file beside it, then :func:`os.replace`); return the path written."""
    with StagedWrites(hint) as writes:
        writes.stage(path, text)
        writes.commit()
    return path
