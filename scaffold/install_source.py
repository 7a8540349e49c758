"""What to ``pip install`` to get *this* scaffold, for the files scaffold generates.

The CI workflow of ``scaffold new``/``scaffold init`` and the ``requirements.txt``
of ``scaffold generate`` install scaffold on another machine. They should get the
scaffold that generated them, so :func:`install_source` reads how the running
scaffold was installed, from its distribution's metadata:

* from a package index: an installer recorded it (``INSTALLER``) and wrote no
  ``direct_url.json``, so the published version is on that index: ``scaffold-iac==X.Y.Z``;
* from a VCS URL (``pip install git+https://...``): PEP 610's ``direct_url.json``
  holds the URL and the commit it resolved to: ``scaffold-iac @ git+https://...@<commit>``;
* from an archive URL (``pip install https://.../scaffold_iac-X.Y.Z.tar.gz``): that URL;
* anything else (an editable or local-folder install, a local wheel, a source tree
  that was never installed, a ``file://`` clone): nothing another machine can
  install. :attr:`InstallSource.requirement` is then ``None`` and
  :attr:`InstallSource.reason` says why; :attr:`InstallSource.line` falls back to
  ``scaffold-iac==X.Y.Z`` for the generated file, which marks it ``REPLACE``.

Credentials in a recorded URL are never copied (PEP 610 asks installers to strip
them; a ``user:token@`` that slipped through is dropped here), except ``git@`` and
``${ENV_VAR}`` forms, which hold no secret.

This module imports nothing from pulumi (``scaffold new`` uses it).
"""

from __future__ import annotations

import importlib.metadata
import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from scaffold import __version__

#: The distribution name of scaffold on package indexes (``pip install scaffold-iac``).
DISTRIBUTION = "scaffold-iac"
#: A user part of a URL that is not a secret (PEP 610): ``git@host`` or ``${VAR}`` / ``${VAR}:${VAR}``.
_SAFE_USERINFO = re.compile(r"git|\$\{[A-Za-z_][A-Za-z0-9_]*\}(:\$\{[A-Za-z_][A-Za-z0-9_]*\})?")
#: What a URL may hold to be written into a YAML string, a comment line and requirements.txt.
_PLAIN_URL = re.compile(r"[^\s\"'\\\x00-\x1f\x7f]+")
#: Remote schemes another machine can fetch from.
_REMOTE_SCHEMES = {"http", "https", "ssh", "git"}


@dataclass(frozen=True)
class InstallSource:
    """How to install the running scaffold elsewhere.

    Attributes:
        version: The installed version (``X.Y.Z``).
        requirement: A pip requirement that installs exactly this scaffold
            (``scaffold-iac==X.Y.Z`` or ``scaffold-iac @ git+https://...@<commit>``),
            or ``None`` when there is none.
        reason: Why ``requirement`` is ``None`` (a sentence fragment), else ``None``.
    """

    version: str
    requirement: str | None
    reason: str | None = None

    @property
    def line(self) -> str:
        """The requirement for a generated file: :attr:`requirement`, or ``scaffold-iac==X.Y.Z``."""
        return self.requirement or f"{DISTRIBUTION}=={self.version}"

    @property
    def note(self) -> str:
        """``""``, or the warning a generated file and ``scaffold new`` print when there is no requirement."""
        if self.requirement is not None:
            return ""
        return (f"scaffold was {self.reason}, so no package index or VCS URL is known to install it; "
                f"{self.line} is a guess: replace it with a published version or a git URL at a commit")


def install_source(distribution: str = DISTRIBUTION) -> InstallSource:
    """How the running scaffold was installed, as something another machine can ``pip install``."""
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return InstallSource(__version__, None, "run from a source tree without being installed")
    version = dist.version or __version__
    text = _read(dist, "direct_url.json")
    if text is None and _read(dist, "INSTALLER") is None:
        # Not written by an installer: the egg-info of a source tree (setuptools), found first on
        # sys.path when scaffold runs from its own checkout.
        return InstallSource(version, None, "run from a source tree (its metadata is not an installed "
                                            "distribution's)")
    if text is None:  # PEP 610: no direct URL, so it came from an index
        return InstallSource(version, f"{distribution}=={version}")
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return InstallSource(version, None, "installed from a direct URL whose record (direct_url.json) "
                                            "is not valid JSON")
    return _from_direct_url(distribution, version, data)


def _read(dist: importlib.metadata.Distribution, name: str) -> str | None:
    try:
        return dist.read_text(name)
    except OSError:
        return None


def _from_direct_url(distribution: str, version: str, data: Any) -> InstallSource:
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        return InstallSource(version, None, "installed from a direct URL that direct_url.json does not name")
    url = _without_credentials(data["url"])
    if not _PLAIN_URL.fullmatch(url + str(data.get("subdirectory") or "")):
        return InstallSource(version, None, "installed from a URL with spaces, quotes or control characters")
    scheme = urlsplit(url).scheme.lower()
    fragment = ""
    if isinstance(data.get("subdirectory"), str) and data["subdirectory"]:
        fragment = f"#subdirectory={data['subdirectory']}"
    vcs_info, archive_info = data.get("vcs_info"), data.get("archive_info")
    if isinstance(vcs_info, dict):
        vcs, commit = vcs_info.get("vcs"), vcs_info.get("commit_id")
        if not (isinstance(vcs, str) and isinstance(commit, str) and commit):
            return InstallSource(version, None, f"installed from {url} without a recorded commit")
        if scheme not in _REMOTE_SCHEMES:
            return InstallSource(version, None, f"installed from the local {vcs} clone {url}")
        return InstallSource(version, f"{distribution} @ {vcs}+{url}@{commit}{fragment}")
    if isinstance(archive_info, dict) and scheme in {"http", "https"}:
        return InstallSource(version, f"{distribution} @ {url}{fragment}")
    if isinstance(data.get("dir_info"), dict):
        editable = data["dir_info"].get("editable") is True
        return InstallSource(version, None, f"installed from the local folder {url}"
                                            + (" (editable)" if editable else ""))
    return InstallSource(version, None, f"installed from the local file {url}")


def _without_credentials(url: str) -> str:
    """``url`` without a ``user:secret@`` part (``git@`` and ``${VAR}`` stay: they are no secret)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    if _SAFE_USERINFO.fullmatch(userinfo):
        return url
    return urlunsplit(parts._replace(netloc=host))


def template_context(source: InstallSource | None = None) -> dict[str, str]:
    """The ``scaffold new`` template's variables for installing scaffold in the generated workflow."""
    source = source or install_source()
    return {"_scaffold_version": source.version, "_scaffold_requirement": source.line,
            "_scaffold_install_note": source.note}
