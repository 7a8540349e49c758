"""Importers: other tools' configuration turned into a scaffold spec.

Each importer reads another tool's files and returns a spec as YAML text plus a migration
report; it never deploys and never touches the cloud. ``scaffold import <tool>`` is the
command (:mod:`scaffold.import_command`). Only AWS Copilot for now: :mod:`scaffold.importers.copilot`.
"""
