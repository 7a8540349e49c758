"""Reading a spec file: YAML with the line and column of every key and value.

PyYAML composes the document into nodes that carry marks; :func:`parse_yaml`
walks them into plain Python data and a :class:`Positions` map from field path
to position, so that every later error can name the line and column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scaffold.errors import SpecError, SpecProblem

#: A field path: mapping keys and sequence indexes, e.g. ``("components", "api", "uses", 0)``.
FieldPath = tuple[str | int, ...]


def format_path(path: Sequence[str | int]) -> str:
    """``("components", "api", "uses", 0)`` -> ``components.api.uses[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


@dataclass
class Positions:
    """Where each key and value of a spec file stands (1-based line and column).

    Attributes:
        values: Position of each field's value, by field path.
        keys: Position of each mapping key, by the field path it names.
    """

    values: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)

    def of(self, path: FieldPath, *, key: bool = False) -> tuple[int, int] | None:
        """The position of ``path`` (its key when ``key``), or ``None`` if it is not in the file."""
        table = self.keys if key else self.values
        return table.get(tuple(path))

    def nearest(self, path: FieldPath, *, key: bool = False) -> tuple[int, int]:
        """The position of ``path``, else of its nearest ancestor present in the file, else ``(1, 1)``."""
        parts = tuple(path)
        while parts:
            found = self.of(parts, key=key) or self.of(parts)
            if found:
                return found
            parts = parts[:-1]
        return self.values.get((), (1, 1))


@dataclass
class Source:
    """A spec file's text, parsed.

    Attributes:
        file: The path as the user named it (used in messages).
        data: The parsed document, a mapping.
        positions: Where each key and value stands.
        problems: What was wrong in the YAML but did not stop reading it: a duplicate
            key (its first value is kept), so that the rest of the spec is still checked
            in the same run; :func:`scaffold.spec.loader.check_source` reports them.
    """

    file: str
    data: dict[str, Any]
    positions: Positions
    problems: list[SpecProblem] = field(default_factory=list)

    def problem(self, path: FieldPath, message: str, hint: str = "", *, key: bool = False,
                candidates: Sequence[FieldPath] = (), severity: str = "error") -> SpecProblem:
        """A :class:`SpecProblem` at ``path``; the first of ``candidates`` present in the file wins."""
        for candidate in candidates:
            found = self.positions.of(candidate, key=key) or self.positions.of(candidate)
            if found:
                line, col = found
                break
        else:
            line, col = self.positions.nearest(path, key=key)
        return SpecProblem(self.file, line, col, format_path(path), message, hint, severity)


def _line_col(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _walk(node: yaml.Node, path: FieldPath, loader: yaml.SafeLoader, source_file: str,
          positions: Positions, problems: list[SpecProblem], duplicates: list[SpecProblem]) -> Any:
    positions.values[path] = _mark(node)
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | bool | float) or key is None:
                line, col = _mark(key_node)
                problems.append(SpecProblem(source_file, line, col, format_path(path),
                                            "a key must be a plain name", "write the key as text"))
                continue
            key = str(key) if not isinstance(key, str) else key
            child = (*path, key)
            if key in result:
                line, col = _mark(key_node)
                first_line = positions.keys[child][0]
                duplicates.append(SpecProblem(
                    source_file, line, col, format_path(child),
                    f"duplicate key {key!r}, first defined on line {first_line}",
                    "names must be unique: rename or merge the two entries"))
                continue  # keep the first value, and check the rest
            positions.keys[child] = _mark(key_node)
            result[key] = _walk(value_node, child, loader, source_file, positions, problems, duplicates)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, (*path, i), loader, source_file, positions, problems, duplicates)
                for i, item in enumerate(node.value)]
    try:
        return loader.construct_object(node, deep=True)
    except ValueError:  # Python refuses to read an integer of more than 4300 digits
        line, col = _mark(node)
        problems.append(SpecProblem(source_file, line, col, format_path(path),
                                    f"the number is too large to read ({len(str(node.value))} digits)",
                                    "no AWS limit is anywhere near this; see docs/spec.md for each field's range"))
        return None


def parse_yaml(text: str, file: str) -> Source:
    """Parse a spec's YAML text, keeping positions.

    Args:
        text: The file's contents.
        file: The path to name in messages.

    A repeated key does not stop reading: its first value is kept and the problem is
    recorded in :attr:`Source.problems`.

    Raises:
        SpecError: The text is not YAML, is empty, holds several documents, is
            not a mapping, or has a key or number that cannot be read.
    """
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        line, col = _line_col(text, exc.position)
        raise SpecError([SpecProblem(file, line, col, "", f"invalid YAML: character #x{exc.character:04x} "
                                     "is not allowed", "remove the control character")]) from None
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            what = exc.problem or str(exc)
            if exc.context_mark is not None and "<stream end>" in what:
                # An unclosed bracket or quote: point at where it was opened.
                mark = exc.context_mark
                what = f"{exc.context} that is never closed ({what})"
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            raise SpecError([SpecProblem(file, line, col, "", f"invalid YAML: {what}",
                                         "check indentation, colons and quotes around this spot")]) from None
        except yaml.YAMLError as exc:
            raise SpecError([SpecProblem(file, 1, 1, "", f"invalid YAML: {exc}",
                                         "check the file's syntax")]) from None
        if node is None:
            raise SpecError([SpecProblem(file, 1, 1, "", "the file is empty",
                                         "start from `scaffold new`, or see docs/spec.md")])
        if not isinstance(node, yaml.MappingNode):
            line, col = _mark(node)
            raise SpecError([SpecProblem(file, line, col, "", "the spec must be a mapping of fields",
                                         "start with `scaffold: 1` and `name: ...` at the top level")])
        positions = Positions()
        problems: list[SpecProblem] = []
        duplicates: list[SpecProblem] = []
        try:
            data = _walk(node, (), loader, file, positions, problems, duplicates)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            what = getattr(exc, "problem", None) or str(exc)
            raise SpecError([SpecProblem(file, line, col, "", f"invalid YAML value: {what}",
                                         "quote the value, or remove the tag")]) from None
        if problems:
            raise SpecError(sorted(problems + duplicates))
        return Source(file=file, data=data, positions=positions, problems=duplicates)
    finally:
        loader.dispose()


def read_source(path: Path) -> Source:
    """Read and parse a spec file.

    Raises:
        SpecError: The file is missing, unreadable, not UTF-8, or not a YAML mapping.
    """
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError([SpecProblem(name, 0, 0, "", "no such file",
                                     "run `scaffold new NAME` to create a project, or pass -f PATH")]) from None
    except IsADirectoryError:
        raise SpecError([SpecProblem(name, 0, 0, "", "is a directory, not a spec file",
                                     f"pass the file inside it, e.g. -f {path / 'scaffold.yaml'}")]) from None
    except UnicodeDecodeError as exc:
        raise SpecError([SpecProblem(name, 1, 1, "", f"not UTF-8 text ({exc.reason})",
                                     "save the file as UTF-8")]) from None
    except OSError as exc:
        raise SpecError([SpecProblem(name, 0, 0, "", f"cannot read the file: {exc.strerror}",
                                     "check the path and its permissions")]) from None
    return parse_yaml(text, name)
