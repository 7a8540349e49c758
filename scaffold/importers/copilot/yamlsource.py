"""Reading Copilot's YAML files with the line of every key, anchors and CloudFormation tags.

Copilot manifests are hand-written YAML 1.1 (anchors, ``<<`` merge keys); addons are
CloudFormation templates whose YAML form uses short-form intrinsic tags (``!Ref``,
``!Sub``, ``!GetAtt``, ``!If`` ...; see
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html).
:func:`load_yaml` reads both into plain data where every mapping is a :class:`Located`
(a ``dict`` that also knows its own line and each key's line), so the migration report can
name the file and line of whatever it mentions. A short-form tag becomes the long form:
``!Ref X`` → ``{"Ref": "X"}``, ``!GetAtt A.B`` → ``{"Fn::GetAtt": ["A", "B"]}``, ``!Sub s``
→ ``{"Fn::Sub": "s"}``, any other ``!Name v`` → ``{"Fn::Name": v}``; an unknown tag never fails.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

#: The largest file read, in bytes: a manifest or template is a few KiB (CloudFormation's own
#: limit for a template body is 1 MiB).
MAX_FILE_BYTES = 1024 * 1024


@dataclass(frozen=True, order=True)
class Origin:
    """Where something was written: a path relative to the workspace root and a 1-based line.

    ``line`` is 0 when the thing is a whole file, or is not in any file (a default).
    """

    file: str
    line: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


class Located(dict[str, Any]):
    """A YAML mapping that knows where it and each of its keys were written.

    Attributes:
        origin: The mapping's own position (its first key).
        key_lines: Each key's 1-based line.
    """

    origin: Origin
    key_lines: dict[str, int]

    def at(self, key: str) -> Origin:
        """The position of ``key`` (the mapping's own position when the key is absent)."""
        line = self.key_lines.get(key)
        return Origin(self.origin.file, line) if line else self.origin


class YamlProblem(Exception):
    """A file that cannot be read as YAML. ``origin`` says where; the message says why."""

    def __init__(self, origin: Origin, message: str) -> None:
        super().__init__(f"{origin}: {message}")
        self.origin = origin
        self.message = message


def at(value: Any, key: str, fallback: Origin) -> Origin:
    """The position of ``key`` in ``value`` when it is a :class:`Located`, else ``fallback``."""
    return value.at(key) if isinstance(value, Located) else fallback


def what(value: Any) -> str:
    """``value``'s YAML type, for messages: "a mapping", "a list", "a string", "nothing" …"""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (int, float)):
        return "a number"
    return "a string"


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader: YAML 1.1 as Copilot reads it, mappings as :class:`Located`."""

    file = ""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> Located:
    explicit = sum(1 for k, _ in node.value if k.tag != "tag:yaml.org,2002:merge")
    loader.flatten_mapping(node)  # << merge keys: their pairs come first, in the order PyYAML resolves
    merged = len(node.value) - explicit  # by "last wins"; a key written here overrides a merged one
    from_merge: set[str] = set()
    mapping = Located()
    mapping.origin = Origin(loader.file, node.start_mark.line + 1)
    mapping.key_lines = {}
    for index, (key_node, value_node) in enumerate(node.value):
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            # `8080: ...` or `on: ...`: keys are names here, as written (YAML 1.1 reads `on` as true;
            # Copilot's Go YAML reads the key `on` of a Scheduled Job as the string "on")
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key)
        if index < merged:
            from_merge.add(key)
        elif key in from_merge:
            from_merge.discard(key)  # written here: overrides the merged value
        elif key in mapping.key_lines:
            continue  # a repeated key: the first one wins, as in scaffold's own reader
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_tag(loader: _Loader, suffix: str, node: yaml.Node) -> Any:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = _construct_mapping(loader, node)  # type: ignore[arg-type]
    if suffix == "Ref":
        return {"Ref": value}
    if suffix == "GetAtt" and isinstance(value, str):
        return {"Fn::GetAtt": value.split(".", 1)}
    if suffix == "Condition":
        return {"Condition": value}
    return {f"Fn::{suffix}": value}


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_multi_constructor("!", _construct_tag)


def load_yaml(path: Path, relative: str) -> Any:
    """The data of the YAML file ``path``, with positions named by ``relative``.

    Returns ``None`` for an empty file. Only the first document of a file is read.

    Raises:
        YamlProblem: The file cannot be read, is larger than :data:`MAX_FILE_BYTES`, is not
            UTF-8, or is not YAML (the line and column of the error are in the origin).
    """
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise YamlProblem(Origin(relative), f"is {size} bytes; at most {MAX_FILE_BYTES} are read")
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise YamlProblem(Origin(relative), "is not UTF-8 text") from None
    except OSError as exc:
        raise YamlProblem(Origin(relative), f"cannot be read: {exc.strerror or exc}") from None
    loader = _Loader(text)
    loader.file = relative
    try:
        return loader.get_single_data() if text.count("\n---") == 0 else _first(loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 0
        raise YamlProblem(Origin(relative, line), f"is not valid YAML: {exc.problem or exc}") from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise YamlProblem(Origin(relative), f"is not valid YAML: {exc}") from None
    finally:
        loader.dispose()


def _first(loader: _Loader) -> Any:
    """The first document of a stream that may hold several."""
    return loader.construct_document(loader.get_node()) if loader.check_node() else None
