"""Values from the pipeline: Compose-style ``${VAR}`` interpolation in a spec's string values.

A CD pipeline sets ``IMAGE_TAG`` and the spec says ``image: ghcr.io/acme/api:${IMAGE_TAG}``.
The forms are those of the Compose specification
(https://github.com/compose-spec/compose-spec/blob/main/12-interpolation.md), with two
differences that make a mistake an error rather than a silent empty string:

- ``${VAR}``: the value of ``VAR``; an unset ``VAR`` is an error (Compose warns and uses "").
- ``${VAR:-default}`` / ``${VAR-default}``: ``default`` when ``VAR`` is unset or empty / unset.
- ``${VAR:?message}`` / ``${VAR?message}``: an error saying ``message`` when ``VAR`` is unset or
  empty / unset.
- ``${VAR:+other}`` / ``${VAR+other}``: ``other`` when ``VAR`` is set and not empty / set, else "".
- The operands nest: ``${A:-${B:-x}}``; only the operand that is used is resolved.
- ``$$`` is a literal ``$``; a ``$`` before anything but ``{``, ``$`` or a name stays as written.
- A bare ``$VAR`` is refused (Compose reads it as ``${VAR}``): the hint says to write ``${VAR}``
  or ``$$VAR``, so that a literal ``$`` in a value is never read as a variable by surprise.

A substituted value is not interpolated again. Only string values are interpolated, never
mapping keys. :func:`interpolate_data` applies this to a parsed spec and checks that no
secret reaches a plain field (:func:`secret_problem`). No message ever shows a variable's value.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

#: A variable name, as in Compose and POSIX shells.
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

#: The operators of ``${VAR<op>operand}``.
_OPERATORS = (":-", ":?", ":+", "-", "?", "+")


@dataclass(frozen=True)
class Use:
    """A variable whose value went into a string.

    Attributes:
        name: The variable's name.
        offset: Where its ``${`` starts in the string.
        value: Its value (never to be printed).
    """

    name: str
    offset: int
    value: str


class InterpolationError(Exception):
    """A string that cannot be interpolated.

    Attributes:
        message: What is wrong; names variables, never their values.
        hint: How to fix it.
        offset: Where in the string (the ``$`` that starts the expression).
        snippet: The expression's opening as written (``${IMAGE_TAG``), to find its column.
    """

    def __init__(self, message: str, hint: str, offset: int, snippet: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.offset = offset
        self.snippet = snippet


def interpolate(text: str, environ: Mapping[str, str]) -> tuple[str, list[Use]]:
    """``text`` with every ``${...}`` replaced, and the variables whose values went in.

    Raises:
        InterpolationError: A variable is unset without a default, ``${`` is malformed or
            unclosed, a ``${VAR:?message}`` fired, or a bare ``$VAR`` is written.
    """
    if "$" not in text:
        return text, []
    uses: list[Use] = []
    out, end = _Parser(text, environ, uses).run(0, evaluate=True, closing=None)
    assert end == len(text)
    return out, uses


class _Parser:
    def __init__(self, text: str, environ: Mapping[str, str], uses: list[Use]) -> None:
        self.text = text
        self.environ = environ
        self.uses = uses

    def run(self, i: int, *, evaluate: bool, closing: int | None) -> tuple[str, int]:
        """Read from ``i`` to the end, or (inside ``${``, opened at ``closing``) to the matching ``}``."""
        text = self.text
        out: list[str] = []
        while i < len(text):
            ch = text[i]
            if ch == "}" and closing is not None:
                return "".join(out), i
            if ch != "$":
                out.append(ch)
                i += 1
                continue
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if nxt == "$":
                out.append("$")
                i += 2
            elif nxt == "{":
                value, i = self.braced(i, evaluate=evaluate)
                out.append(value)
            elif nxt and NAME.match(nxt):
                name = NAME.match(text, i + 1)
                assert name is not None
                raise InterpolationError(
                    f"${name[0]} is not interpolated: scaffold reads only the braced form",
                    f"write ${{{name[0]}}} for the variable, or $${name[0]} for a literal $", i, f"${name[0]}")
            else:
                out.append("$")  # as in Compose: a $ that starts no expression stays
                i += 1
        if closing is not None:
            raise InterpolationError("${ is never closed", "close it with }, or write $${ for a literal ${",
                                     closing, text[closing:closing + 2 + _name_length(text, closing + 2)])
        return "".join(out), i

    def braced(self, start: int, *, evaluate: bool) -> tuple[str, int]:
        """The value of the ``${...}`` at ``start``, and the index after its ``}``."""
        text = self.text
        name_match = NAME.match(text, start + 2)
        if name_match is None:
            rest = text[start + 2:start + 12]
            if rest.startswith("}"):
                raise InterpolationError("${} names no variable", "write ${NAME}, or $${} for a literal ${}",
                                         start, "${}")
            raise InterpolationError(
                f"${{ must be followed by a variable name (letters, digits and _, not starting with a digit), "
                f"got {rest.split('}')[0]!r}" if rest else "${ is never closed",
                "write ${NAME} or ${NAME:-default}, or $${ for a literal ${", start, "${")
        name = name_match[0]
        snippet = f"${{{name}"
        i = name_match.end()
        if i >= len(text):
            raise InterpolationError("${ is never closed", f"close it with }}, e.g. ${{{name}}}; or write $${{ for "
                                     "a literal ${", start, snippet)
        if text[i] == "}":
            value = self.environ.get(name)
            if evaluate:
                if value is None:
                    raise InterpolationError(f"variable {name} is not set",
                                             f"export {name}=… or write ${{{name}:-default}}", start, snippet)
                self.uses.append(Use(name, start, value))
            return value or "", i + 1
        op = next((o for o in _OPERATORS if text.startswith(o, i)), None)
        if op is None:
            raise InterpolationError(
                f"${{{name}{text[i:i + 1]}… is not a form scaffold reads",
                f"write ${{{name}}}, ${{{name}:-default}}, ${{{name}-default}}, ${{{name}:?message}} or "
                f"${{{name}:+other}}; close with }}", start, snippet)
        value = self.environ.get(name)
        is_set = value is not None and (value != "" or not op.startswith(":"))
        operand_start = i + len(op)
        if op.endswith("-"):
            use_operand = not is_set
        elif op.endswith("+"):
            use_operand = is_set
        else:  # ?
            use_operand = False
        operand, end = self.run(operand_start, evaluate=evaluate and use_operand, closing=start)
        if not evaluate:
            return "", end + 1
        if op.endswith("?") and not is_set:
            said = text[operand_start:end].strip() or f"{name} is required"
            raise InterpolationError(
                f"variable {name} is {'not set' if value is None else 'empty'}: {said}",
                f"export {name}=…", start, snippet)
        if use_operand:
            return operand, end + 1
        if op.endswith("+"):
            return "", end + 1
        assert value is not None
        self.uses.append(Use(name, start, value))
        return value, end + 1


def _name_length(text: str, i: int) -> int:
    match = NAME.match(text, i)
    return len(match[0]) if match else 0


@dataclass(frozen=True)
class Problem:
    """An interpolation problem in one value of the spec.

    Attributes:
        path: The field path of the value.
        message: What is wrong (names variables, never their values).
        hint: How to fix it.
        offset: Where in the value's text, or ``None`` for the whole value.
        snippet: The expression as written, to find its column in the file.
    """

    path: tuple[str | int, ...]
    message: str
    hint: str
    offset: int | None = None
    snippet: str = ""


def _is_arn(value: str) -> bool:
    return value.startswith("arn:")


def secret_problem(path: tuple[str | int, ...], use: Use) -> str | None:
    """Why the value of ``use`` may not go into the field at ``path``, or ``None``.

    Every field of a spec ends up in plain text: the blueprint, the plan JSON, the Pulumi
    state and, for ``environment``, the ECS task definition. So a variable named like a
    secret (a word of :data:`scaffold.spec.rules.SECRET_NAME_WORDS`, e.g. ``DB_PASSWORD``)
    is refused in every field unless its value is an ARN (the ARN names a secret, it is not
    one: ``secrets: {DB: ${DB_SECRET_ARN}}`` is fine), and so is any value that looks like
    a credential (:func:`scaffold.spec.rules.credential_kind`), whatever its name.
    """
    from scaffold.spec.rules import SECRET_NAME_WORDS, credential_kind

    looks = credential_kind(use.value)
    if looks:
        return f"the value of variable {use.name} looks like {looks}"
    words = sorted({w for w in use.name.upper().split("_") if w} & SECRET_NAME_WORDS)
    if words and not _is_arn(use.value):
        return f"variable {use.name} is named like a secret ({words[0].lower()}) and its value is not an ARN"
    return None


def _secret_hint(path: tuple[str | int, ...], use: Use) -> str:
    var = str(path[-1]) if len(path) >= 2 and path[-2] in ("environment", "secrets") else use.name
    return (f"store the secret in Secrets Manager and pass its ARN under secrets:, e.g. "
            f"secrets: {{{var}: ${{{use.name}_ARN}}}} with {use.name}_ARN=arn:aws:secretsmanager:…")


def _strings(data: Any, path: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from _strings(value, (*path, i))
    elif isinstance(data, str):
        yield path, data


def _set(data: Any, path: tuple[str | int, ...], value: str) -> None:
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def interpolate_data(data: Any, environ: Mapping[str, str]) -> list[Problem]:
    """Interpolate every string value of ``data`` in place (keys stay as written).

    Returns the problems found: malformed or unset variables, and secrets that would
    reach a plain field (:func:`secret_problem`); a value with a problem stays as written.
    """
    problems: list[Problem] = []
    for path, text in list(_strings(data, ())):
        try:
            value, uses = interpolate(text, environ)
        except InterpolationError as exc:
            problems.append(Problem(path, exc.message, exc.hint, exc.offset, exc.snippet))
            continue
        refused = False
        for use in uses:
            why = secret_problem(path, use)
            if why:
                problems.append(Problem(path, f"{why}: scaffold does not interpolate secrets, every spec value "
                                        "is stored in plain text (plan, Pulumi state, task definition)",
                                        _secret_hint(path, use), use.offset, f"${{{use.name}"))
                refused = True
        if uses and not refused:
            from scaffold.spec.rules import credential_kind

            # A credential may also be made of parts: s3://${USER_PART}@bucket.
            looks = credential_kind(value) if not credential_kind(text) else None
            if looks:
                names = ", ".join(sorted({u.name for u in uses}))
                problems.append(Problem(path, f"with {names} interpolated, the value looks like {looks}: scaffold "
                                        "does not interpolate secrets, every spec value is stored in plain text "
                                        "(plan, Pulumi state, task definition)",
                                        _secret_hint(path, uses[0]), uses[0].offset, f"${{{uses[0].name}"))
                refused = True
        if not refused and value != text:
            _set(data, path, value)
    return problems
