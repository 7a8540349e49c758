"""The spec: ``scaffold.yaml``, its validation and its resolution into blueprints.

Public API:

* :func:`check_file` — read, validate and resolve every environment.
* :func:`load_blueprint` — the resolved :class:`Blueprint` of one environment.
* :class:`Spec`, :class:`Blueprint` — the models; :data:`PROFILES` — the profile defaults.
"""

from scaffold.spec.blueprint import Blueprint
from scaffold.spec.loader import (
    DEFAULT_SPEC_FILE,
    CheckedSpec,
    check_file,
    choose_environment,
    load_blueprint,
)
from scaffold.spec.models import Spec
from scaffold.spec.profiles import PROFILES

__all__ = [
    "DEFAULT_SPEC_FILE",
    "PROFILES",
    "Blueprint",
    "CheckedSpec",
    "Spec",
    "check_file",
    "choose_environment",
    "load_blueprint",
]
