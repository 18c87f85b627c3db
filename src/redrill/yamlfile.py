"""Safe, strict reading of the user's YAML files (question banks, debriefs, settings).

Guards that apply to every YAML file redrill reads: a size cap, UTF-8 only, ``yaml.safe_load`` only,
no anchors or aliases (so an alias bomb cannot blow up memory or time), and a map from each key's
path to its line number so that errors can point at the line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from redrill.errors import InputError, Problem

MAX_BYTES = 1_000_000
MAX_DEPTH = 100  # lists and mappings inside each other; libyaml itself stops at 1,000
ALIASES = "YAML anchors and aliases (&name, *name) are not allowed; write the value out"


def read_yaml(path: Path, *, max_bytes: int = MAX_BYTES) -> tuple[Any, dict[tuple, int]]:
    """Parse ``path``; return the data and ``{key path: line number (1-based)}``.

    Raises :class:`InputError` naming the file (and line) for every known problem.
    """
    import yaml

    from redrill.capped import read_capped

    name = str(path)
    raw = read_capped(path, max_bytes, limit_note=" (1 MB)")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            [Problem(name, line, None, f"not UTF-8 (byte 0x{raw[exc.start]:02x}); save the file as UTF-8")]
        ) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        data, lines = _parse_once(text, name)
    except yaml.YAMLError as exc:
        raise InputError([Problem(name, *_syntax_error(exc))]) from None
    except RecursionError:  # the pure-Python reader, on lists nested hundreds deep
        raise InputError([Problem(name, None, None, f"nested more than {MAX_DEPTH} levels deep")]) from None
    return data, lines


def _parse_once(text: str, name: str) -> tuple[Any, dict[tuple, int]]:
    """Parse (libyaml's C parser when PyYAML has it), check, index lines, then build the data.

    Parsing was three passes of the pure-Python reader (events, nodes, data): 13-26 s for a 1 MB bank.
    Now the text is composed into nodes once; an alias shows up as a node met a second time, refused
    before anything is built from it, so an alias bomb costs no more than reading its text.
    """
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    try:
        node = loader.get_single_node()
        lines: dict[tuple, int] = {}
        if node is None:
            return None, lines
        _check_and_index(node, name, lines)
        try:
            return loader.construct_document(node), lines
        except yaml.YAMLError:
            raise
        except Exception as exc:  # a value its tag cannot hold: 2026-13-45, !!int x, !!timestamp x
            raise InputError([_bad_value(loader, node, name, exc)]) from None
    finally:
        loader.dispose()


def _bad_value(loader, root, name: str, exc: Exception) -> Problem:
    """The first scalar that cannot be built, named with its line (the library's error has none)."""
    import yaml

    loader.recursive_objects.clear()  # the failed attempt left its half-built nodes marked
    loader.constructed_objects.clear()
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            try:
                loader.construct_object(node)
            except Exception as bad:
                reason = str(bad) if isinstance(bad, ValueError) else "not a valid value for its type"
                return Problem(name, node.start_mark.line + 1, None, f"'{node.value}' is not a valid value: {reason}")
        elif isinstance(node, yaml.MappingNode):
            stack.extend(v for pair in reversed(node.value) for v in reversed(pair))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))
    return Problem(name, None, None, f"a value could not be read: {exc}")


def _syntax_error(exc) -> tuple[int | None, None, str]:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else None
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    context_mark = getattr(exc, "context_mark", None)
    if context and context_mark is not None and (mark is None or context_mark.line != mark.line):
        context += f" that started on line {context_mark.line + 1}"
    if problem == "exceeded maximum nesting depth":  # libyaml's own limit
        return line, None, f"nested more than {MAX_DEPTH} levels deep"
    return line, None, f"YAML syntax error: {problem}" + (f" ({context})" if context else "")


def _check_and_index(root, name: str, lines: dict[tuple, int]) -> None:
    """Record ``{key path: line}``; refuse aliases (a node reached twice) and deep nesting.

    Iterative, so no depth of nesting can exhaust Python's stack.
    """
    import yaml

    seen: set[int] = set()
    stack: list[tuple[Any, tuple, bool]] = [
        (root, (), True)
    ]  # (node, key path, whether its lines are indexed: not inside a key)
    while stack:
        node, path, indexed = stack.pop()
        line = node.start_mark.line + 1
        if id(node) in seen:
            raise InputError([Problem(name, line, None, ALIASES)])
        seen.add(id(node))
        if len(path) > MAX_DEPTH:
            raise InputError([Problem(name, line, None, f"nested more than {MAX_DEPTH} levels deep")])
        if indexed:
            lines.setdefault(path, line)
        children: list[tuple[Any, tuple, bool]] = []
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = key_node.value if isinstance(key_node, yaml.ScalarNode) else f"<{key_node.tag}>"
                if indexed:
                    lines[path + (key,)] = key_node.start_mark.line + 1
                children.append((key_node, path + (key,), False))
                children.append((value_node, path + (key,), indexed))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                if indexed:
                    lines[path + (i,)] = item.start_mark.line + 1
                children.append((item, path + (i,), indexed))
        stack.extend(reversed(children))


def read_yaml_mapping(path: Path) -> tuple[dict, dict[tuple, int]]:
    """Like :func:`read_yaml` but the top level must be a mapping (an empty file gives ``{}``)."""
    data, lines = read_yaml(path)
    if data is None:
        return {}, lines
    if not isinstance(data, dict):
        raise InputError(
            [Problem(str(path), 1, None, f"the top level must be a mapping of keys to values, not a {_kind(data)}")]
        )
    return data, lines


def _kind(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def kind_of(value: Any) -> str:
    """A user-facing name of a YAML value's type."""
    return _kind(value)
