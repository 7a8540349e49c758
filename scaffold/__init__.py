"""scaffold: one YAML spec to production-shaped AWS backends on Pulumi.

This package holds the command-line interface, the spec (``scaffold.yaml``: its
models, profiles, validation and resolution into a blueprint) and the project
template used by ``scaffold new``. It never imports ``pulumi`` at module level,
so that ``scaffold --help`` and ``scaffold validate`` start instantly.

Pulumi components live in :mod:`blueprints`; turning a blueprint into a stack
and running it lives in :mod:`stacks`.
"""

__version__ = "0.1.0"
