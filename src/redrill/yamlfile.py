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
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                line = event.start_mark.line + 1
                raise InputError(
                    [
                        Problem(
                            name,
                            line,
                            None,
                            "YAML anchors and aliases (&name, *name) are not allowed; write the value out",
                        )
                    ]
                )
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        context_mark = getattr(exc, "context_mark", None)
        if context and context_mark is not None and (mark is None or context_mark.line != mark.line):
            context += f" that started on line {context_mark.line + 1}"
        msg = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
        raise InputError([Problem(name, line, None, msg)]) from None
    lines: dict[tuple, int] = {}
    if node is not None:
        _index(node, (), lines)
    return data, lines


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


def _index(node, path: tuple, lines: dict[tuple, int]) -> None:
    import yaml

    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            lines[path + (key,)] = key_node.start_mark.line + 1
            _index(value_node, path + (key,), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[path + (i,)] = item.start_mark.line + 1
            _index(item, path + (i,), lines)


def _kind(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "true/false"}.get(
        type(value), type(value).__name__
    )


def kind_of(value: Any) -> str:
    """A user-facing name of a YAML value's type."""
    return _kind(value)
