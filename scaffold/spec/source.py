"""Reading a spec file: YAML with the line and column of every key and value.

PyYAML composes the document into nodes that carry marks; :func:`parse_yaml`
walks them into plain Python data and a :class:`Positions` map from field path
to position, so that every later error can name the line and column. It then
interpolates ``${VAR}`` in the string values (:mod:`scaffold.spec.interpolate`),
before any validation, so every later step sees the resolved values.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from scaffold.errors import SpecError, SpecProblem
from scaffold.spec.interpolate import interpolate_data

#: A field path: mapping keys and sequence indexes, e.g. ``("components", "api", "uses", 0)``.
FieldPath = tuple[str | int, ...]

#: Limits on what a spec file may ask of the reader (docs/cli.md, "Limits"). A real spec is
#: a few KiB, some hundred nodes and under 10 levels deep; these stop hostile files early.
#: The largest spec file read, in bytes (1 MiB).
MAX_FILE_BYTES = 1024 * 1024
#: The deepest nesting of mappings and lists.
MAX_DEPTH = 64
#: The most nodes (keys, values, list items) a file may hold, counting every alias
#: (``*name``) as a full copy of what it refers to: a "billion laughs" stops here.
MAX_NODES = 20_000

_MERGE_TAG = "tag:yaml.org,2002:merge"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"


class _Refused(yaml.MarkedYAMLError):
    """A limit of the reader was passed (depth, alias expansion, recursion), at ``problem_mark``."""

    def __init__(self, problem: str, mark: Any, hint: str) -> None:
        super().__init__(problem=problem, problem_mark=mark)
        self.hint = hint


class _SpecLoader(yaml.SafeLoader):
    """PyYAML's safe loader with bounds, and YAML 1.2 booleans.

    Composing counts nodes, aliases included (each alias counts the size of what it
    refers to), and the nesting depth, and refuses an alias inside the node it names;
    so the walk in :func:`_walk` is bounded by :data:`MAX_NODES` and :data:`MAX_DEPTH`.
    Only ``true`` and ``false`` (any case) are booleans, as in YAML 1.2: ``yes``, ``no``,
    ``on`` and ``off`` are text (a boolean field still accepts them, see docs/spec.md).
    Integers are YAML 1.2's too: decimal, ``0o`` octal and ``0x`` hex (``1:30`` is text).
    """

    # YAML 1.1's booleans and integers are replaced by YAML 1.2's, below the class.
    yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in (_BOOL_TAG, _INT_TAG)]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0
        self._aliases = 0
        self._sizes: dict[int, int] = {}
        self._open: set[str] = set()

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self._open:
                raise _Refused(f"the alias *{event.anchor} is inside the node &{event.anchor} it refers to",
                               event.start_mark, "a value cannot contain itself: remove the alias or "
                               "move the anchor")
            node = super().compose_node(parent, index)
            self._aliases += 1
            self._count(self._sizes.get(id(node), 1), event.start_mark)
            return node
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _Refused(f"nested more than {MAX_DEPTH} levels deep", event.start_mark,
                               "a spec is a few levels deep; check the brackets and indentation")
        before = self._nodes
        if event.anchor is not None:
            self._open.add(event.anchor)
        node = super().compose_node(parent, index)
        if event.anchor is not None:
            self._open.discard(event.anchor)
        if isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            self._depth -= 1
        self._count(1, event.start_mark)
        self._sizes[id(node)] = self._nodes - before
        return node

    def _count(self, size: int, mark: Any) -> None:
        self._nodes += size
        if self._nodes > MAX_NODES:
            if self._aliases:
                raise _Refused(f"the file expands to more than {MAX_NODES:,} values (aliases count as copies)",
                               mark, "a spec needs far fewer; check the aliases (*name) around this spot")
            raise _Refused(f"the file holds more than {MAX_NODES:,} values", mark,
                           "a spec needs far fewer; split it, or check that this is the right file")


_BOOL_12 = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_SpecLoader.add_implicit_resolver(_BOOL_TAG, _BOOL_12, list("tTfF"))
#: YAML 1.2 core integers: decimal, ``0o`` octal, ``0x`` hex. YAML 1.1's ``010`` (octal 8),
#: ``1_000`` and ``1:30`` (sexagesimal 90) are not numbers: ``010`` is 10, the others text.
_INT_12 = re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")
_SpecLoader.add_implicit_resolver(_INT_TAG, _INT_12, list("-+0123456789"))


def _construct_int_12(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    """A YAML 1.2 integer; an explicit ``!!int`` tag reads the same forms."""
    text = str(loader.construct_scalar(node))
    if re.fullmatch(r"0o[0-7]+|0x[0-9a-fA-F]+", text):
        return int(text, 0)
    if not re.fullmatch(r"[-+]?[0-9]+", text):
        raise ValueError(text)
    return int(text, 10)


_SpecLoader.add_constructor(_INT_TAG, _construct_int_12)


def format_path(path: Sequence[str | int]) -> str:
    """``("components", "api", "uses", 0)`` -> ``components.api.uses[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not part.isprintable() or not part:
            out += f"[{part!r}]"  # a key with a newline or a control character: show it escaped
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


def _merged(node: yaml.MappingNode, loader: yaml.SafeLoader, source_file: str,
            problems: list[SpecProblem]) -> list[tuple[yaml.Node, yaml.Node]]:
    """The pairs a mapping's merge keys (``<<: *base``) bring in, in the order YAML gives them.

    Per the merge key type (https://yaml.org/type/merge.html): keys written in the mapping
    override merged ones, and in ``<<: [*a, *b]`` a key of ``a`` overrides the same key of
    ``b``. The caller keeps the first of each key, so explicit pairs go before these.
    """
    sources: list[yaml.Node] = []
    for key_node, value_node in node.value:
        if key_node.tag != _MERGE_TAG:
            continue
        if isinstance(value_node, yaml.SequenceNode):
            sources += value_node.value
        else:
            sources.append(value_node)
    pairs: list[tuple[yaml.Node, yaml.Node]] = []
    for merged in sources:
        if not isinstance(merged, yaml.MappingNode):
            line, col = _mark(merged)
            problems.append(SpecProblem(source_file, line, col, "", "a merge key (<<) takes a mapping or a "
                                        "list of mappings", "write `<<: *name` where &name marks a mapping"))
            continue
        own = [(k, v) for k, v in merged.value if k.tag != _MERGE_TAG]
        pairs += own + _merged(merged, loader, source_file, problems)
    return pairs


def _construct(node: yaml.Node, path: FieldPath, loader: yaml.SafeLoader, source_file: str,
               problems: list[SpecProblem]) -> Any:
    """A scalar's value, or ``None`` with a problem when PyYAML cannot construct it."""
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        what = getattr(exc, "problem", None) or str(exc)
        hint = "quote the value, or remove the tag"
    except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
        tag = str(node.tag).rsplit(":", 1)[-1]
        value = str(node.value)
        if tag == "int" and len(value) > 4000 and isinstance(exc, ValueError):
            # Python refuses to read an integer of more than 4300 digits.
            what = f"the number is too large to read ({len(value)} digits)"
            hint = "no AWS limit is anywhere near this; see docs/spec.md for each field's range"
        else:
            shown = value if len(value) <= 40 else value[:37] + "..."
            what = f"cannot read {shown!r} as a {_TAG_NAMES.get(tag, tag)}"
            hint = ('quote it to keep it text, e.g. "2024-01-31"' if tag == "timestamp"
                    else "quote the value, or remove the tag")
    finally:
        # A failed construction stays marked as in progress; an alias to it would then be
        # reported as recursive.
        loader.recursive_objects.pop(node, None)
    line, col = _mark(node)
    problems.append(SpecProblem(source_file, line, col, format_path(path), what, hint))
    return None


_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")

_TAG_NAMES = {"int": "whole number", "float": "number", "bool": "boolean (true or false)",
              "timestamp": "date", "null": "null", "binary": "base64 binary", "str": "text"}


def _walk(node: yaml.Node, path: FieldPath, loader: yaml.SafeLoader, source_file: str,
          positions: Positions, problems: list[SpecProblem], duplicates: list[SpecProblem]) -> Any:
    """The plain data of ``node``; bounded, because :class:`_SpecLoader` bounded the nodes."""
    positions.values[path] = _mark(node)
    if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in _COLLECTION_TAGS:
        line, col = _mark(node)
        problems.append(SpecProblem(source_file, line, col, format_path(path),
                                    f"cannot read a {'mapping' if isinstance(node, yaml.MappingNode) else 'list'} "
                                    f"tagged {node.tag!r}", "remove the tag: a spec holds plain mappings, "
                                    "lists and values"))
        return None
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        explicit = [(k, v) for k, v in node.value if k.tag != _MERGE_TAG]
        merged = _merged(node, loader, source_file, problems)
        for i, (key_node, value_node) in enumerate(explicit + merged):
            from_merge = i >= len(explicit)
            key = _construct(key_node, path, loader, source_file, problems) \
                if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str | int | bool | float) or key is None:
                line, col = _mark(key_node)
                problems.append(SpecProblem(source_file, line, col, format_path(path),
                                            "a key must be a plain name", "write the key as text"))
                continue
            key = str(key) if not isinstance(key, str) else key
            child = (*path, key)
            if key in result:
                if from_merge:
                    continue  # a merged key that the mapping (or an earlier merge) overrides
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
    return _construct(node, path, loader, source_file, problems)


def parse_yaml(text: str, file: str, environ: Mapping[str, str] | None = None) -> Source:
    """Parse a spec's YAML text, keeping positions, and interpolate ``${VAR}`` in its values.

    Args:
        text: The file's contents.
        file: The path to name in messages.
        environ: The variables ``${VAR}`` reads (:mod:`scaffold.spec.interpolate`);
            ``os.environ`` when ``None``.

    A repeated key does not stop reading: its first value is kept and the problem is
    recorded in :attr:`Source.problems`.

    Raises:
        SpecError: The text is not YAML, is empty, holds several documents, is
            not a mapping, has a key or number that cannot be read, or a value that
            cannot be interpolated (an unset variable, a malformed ``${``, a secret).
    """
    try:
        loader = _SpecLoader(text)
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
            elif exc.context and "single document" in exc.context:
                what = "the file holds more than one YAML document (a second `---`)"
            elif exc.context_mark is not None and exc.context and "duplicate anchor" in exc.context:
                what = f"{exc.context.removesuffix('; first occurrence')} (first on line {exc.context_mark.line + 1})"
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            if isinstance(exc, _Refused):
                raise SpecError([SpecProblem(file, line, col, "", what, exc.hint)]) from None
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
        except RecursionError:  # not expected: the loader bounds the depth
            raise SpecError([SpecProblem(file, 1, 1, "", f"nested more than {MAX_DEPTH} levels deep",
                                         "check the brackets and indentation")]) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            what = getattr(exc, "problem", None) or str(exc)
            raise SpecError([SpecProblem(file, line, col, "", f"invalid YAML value: {what}",
                                         "quote the value, or remove the tag")]) from None
        if problems:
            raise SpecError(sorted(problems + duplicates))
        problems = _interpolate(text, file, data, positions, os.environ if environ is None else environ)
        if problems:
            raise SpecError(sorted(problems + duplicates))
        return Source(file=file, data=data, positions=positions, problems=duplicates)
    finally:
        loader.dispose()


def _interpolate(text: str, file: str, data: Any, positions: Positions,
                 environ: Mapping[str, str]) -> list[SpecProblem]:
    """Interpolate ``data``'s string values in place; the problems, at the column of their ``${``
    when the value is on one line of the file, else at the value."""
    found = interpolate_data(data, environ)
    if not found:
        return []
    lines = text.splitlines()
    problems = []
    for p in found:
        line, col = positions.nearest(p.path)
        value = _at(data, p.path)
        if p.offset is not None and p.snippet and isinstance(value, str) and 0 < line <= len(lines):
            # The k-th occurrence of the expression in the value is the k-th on its line
            # (a value on one line; a quoted value with escapes before it may miss: then the value's column).
            nth = value[:p.offset].count(p.snippet)
            at = col - 2
            for _ in range(nth + 1):
                at = lines[line - 1].find(p.snippet, at + 1)
                if at < 0:
                    break
            if at >= 0:
                col = at + 1
        problems.append(SpecProblem(file, line, col, format_path(p.path), p.message, p.hint))
    return problems


def _at(data: Any, path: FieldPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _read_limited(path: Path) -> bytes:
    """At most :data:`MAX_FILE_BYTES` + 1 bytes of ``path``, which must be a regular file.

    The file is opened without blocking and checked on its descriptor (``fstat``), so a
    FIFO, a device such as ``/dev/zero`` or a socket is refused before any read, and a
    swap between a check and the open cannot slip one in.

    Raises:
        OSError: From ``open`` or ``read``.
        IsADirectoryError: ``path`` is a directory.
        _NotRegular: ``path`` is not a regular file.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(mode):
            raise _NotRegular(mode)
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


class _NotRegular(Exception):
    def __init__(self, mode: int) -> None:
        super().__init__(mode)
        self.what = ("a named pipe (FIFO)" if stat.S_ISFIFO(mode) else "a character device" if stat.S_ISCHR(mode)
                     else "a block device" if stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode)
                     else "not a regular file")


def read_source(path: Path, environ: Mapping[str, str] | None = None) -> Source:
    """Read and parse a spec file.

    Only a regular file of at most :data:`MAX_FILE_BYTES` is read (a symlink to one is
    followed); a pipe or a device is refused without reading from it. ``${VAR}`` in its
    values is read from ``environ`` (``os.environ`` when ``None``), see :func:`parse_yaml`.

    Raises:
        SpecError: The file is missing, unreadable, not a regular file, larger than
            :data:`MAX_FILE_BYTES`, not UTF-8, or not a YAML mapping.
    """
    name = str(path)
    try:
        data = _read_limited(path)
    except FileNotFoundError:
        raise SpecError([SpecProblem(name, 0, 0, "", "no such file",
                                     "run `scaffold new NAME` to create a project, or pass -f PATH")]) from None
    except IsADirectoryError:
        raise SpecError([SpecProblem(name, 0, 0, "", "is a directory, not a spec file",
                                     f"pass the file inside it, e.g. -f {path / 'scaffold.yaml'}")]) from None
    except _NotRegular as exc:
        raise SpecError([SpecProblem(name, 0, 0, "", f"is {exc.what}, not a regular file",
                                     "pass a spec file saved on disk, e.g. -f scaffold.yaml")]) from None
    except OSError as exc:
        raise SpecError([SpecProblem(name, 0, 0, "", f"cannot read the file: {exc.strerror or exc}",
                                     "check the path and its permissions")]) from None
    if len(data) > MAX_FILE_BYTES:
        raise SpecError([SpecProblem(name, 0, 0, "", f"is larger than {MAX_FILE_BYTES // 1024} KiB, the most "
                                     "scaffold reads", "a spec is a few KiB; check that this is the right file")])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = data[:exc.start].count(b"\n") + 1, exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise SpecError([SpecProblem(name, line, col, "", f"not UTF-8 text ({exc.reason})",
                                     "save the file as UTF-8")]) from None
    return parse_yaml(text, name, environ)
