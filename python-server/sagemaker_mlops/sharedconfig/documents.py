"""Reading a configuration file's text into a JSON value, safely: YAML 1.2 core schema or strict JSON.

Nothing is ever evaluated: YAML is read as PyYAML parser *events* (the layer below its composer and constructor),
and the value is built here, iteratively, so every limit applies while reading, before any recursion could:

- the text: at most ``Limits.max_bytes`` bytes of UTF-8 (a leading BOM is ignored);
- one document only; no tags but the core ones (``!!str !!int !!float !!bool !!null !!map !!seq`` and ``!``);
- nesting at most ``max_depth`` collections deep (an alias counts with the depth of what it repeats);
- at most ``max_aliases`` aliases, and at most ``max_nodes`` nodes once aliases are expanded (billion laughs);
  an alias to a collection that is still open (a recursive structure) is refused;
- duplicate mapping keys are errors (with their line); mapping keys must be scalars.

Plain scalars resolve by the YAML 1.2 *core* schema, as the browser's YAML library does (not PyYAML's 1.1 rules):
``null Null NULL ~`` and empty are null; ``true True TRUE false False FALSE`` booleans (``yes``/``on`` are
strings); integers ``[-+]?[0-9]+``, ``0o[0-7]+``, ``0x[0-9a-fA-F]+``; floats
``[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?``, ``[-+]?.inf`` and ``.nan`` (each in its three cases);
anything else (``1_000``, ``0b101``, ``1:20``, ``2024-01-01``) is a string. Quoted and block scalars are strings.
Mapping keys become strings as JavaScript does it (``1`` -> ``"1"``, ``null`` -> ``""``, ``true`` -> ``"true"``).

The result keeps the line (1-based) of every JSON pointer, for messages.
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass, field
from json.decoder import scanstring
from typing import Any, Optional

import yaml

#: The libyaml parser when PyYAML was built with it (faster); the pure-Python parser otherwise. Both only parse.
_LOADER = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 1024 * 1024
    max_aliases: int = 100
    max_depth: int = 64
    max_nodes: int = 100_000

    def as_json(self) -> dict[str, int]:
        return {
            "maxBytes": self.max_bytes,
            "maxAliases": self.max_aliases,
            "maxDepth": self.max_depth,
            "maxNodes": self.max_nodes,
        }


class DocumentError(Exception):
    """The text cannot be read as a configuration value: ``rule`` says which limit or syntax rule, ``line``
    (1-based) where, if known."""

    def __init__(self, message: str, rule: str, line: Optional[int] = None, pointer: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.rule = rule
        self.line = line
        self.pointer = pointer


@dataclass
class Document:
    value: Any
    #: JSON pointer -> 1-based line of the node (for a mapping entry: the line of its key).
    lines: dict[str, int] = field(default_factory=dict)

    def line_of(self, pointer: str) -> Optional[int]:
        """The line of the node at ``pointer``, else of its nearest ancestor that has one."""
        while True:
            if pointer in self.lines:
                return self.lines[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


def pointer_token(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def file_format(path: str) -> str:
    """``yaml`` for .yaml / .yml, else ``json``."""
    return "yaml" if path.lower().endswith((".yaml", ".yml")) else "json"


def decode(data: bytes, limits: Limits) -> str:
    if len(data) > limits.max_bytes:
        raise DocumentError(
            f"the file is {len(data)} bytes; configuration files may have at most {limits.max_bytes} bytes",
            "maxBytes",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DocumentError(f"the file is not UTF-8 text (byte {error.start})", "encoding", line) from None
    return text[1:] if text.startswith("\ufeff") else text


def read(data: bytes | str, path: str, limits: Limits = Limits()) -> Document:
    """The value of a configuration file's content, by its format (the file name's extension)."""
    if isinstance(data, str):
        data = data.encode("utf-8", errors="surrogatepass")
    text = decode(data, limits)
    return read_yaml(text, limits) if file_format(path) == "yaml" else read_json(text, limits)


# --- building a value under the limits --------------------------------------------------------------------------


@dataclass
class _Frame:
    value: Any  # dict or list
    pointer: str
    anchor: Optional[str]
    line: int
    size: int = 1  # nodes in this subtree, aliases expanded
    height: int = 1  # collection levels in this subtree, aliases included
    key: Optional[str] = None  # a mapping's pending key
    has_key: bool = False


@dataclass
class _Anchor:
    value: Any
    size: int
    height: int


_OPEN = object()  # an anchor whose collection is still being read


class _Builder:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.lines: dict[str, int] = {}
        self.nodes = 0
        self.aliases = 0
        self.anchors: dict[str, Any] = {}

    # where the next node goes
    def expecting_key(self) -> bool:
        return bool(self.stack) and isinstance(self.stack[-1].value, dict) and not self.stack[-1].has_key

    def _count(self, size: int, line: int) -> None:
        self.nodes += size
        if self.nodes > self.limits.max_nodes:
            raise DocumentError(
                f"the document expands to more than {self.limits.max_nodes} nodes (aliases expanded)", "maxNodes", line
            )

    def _place(self, value: Any, line: int) -> str:
        if not self.stack:
            self.root = value
            pointer = ""
        else:
            frame = self.stack[-1]
            if isinstance(frame.value, dict):
                pointer = f"{frame.pointer}/{pointer_token(frame.key)}"
                frame.value[frame.key] = value
                frame.has_key = False
                frame.key = None
                pointer_line = self.lines.get(pointer)
                if pointer_line is not None:  # the key's line stays the entry's line
                    line = pointer_line
            else:
                pointer = f"{frame.pointer}/{len(frame.value)}"
                frame.value.append(value)
        self.lines.setdefault(pointer, line)
        return pointer

    def _grow_parent(self, size: int, height: int) -> None:
        if self.stack:
            parent = self.stack[-1]
            parent.size += size
            parent.height = max(parent.height, height + 1)

    def key(self, key: str, line: int) -> None:
        frame = self.stack[-1]
        if key in frame.value:
            first = self.lines.get(f"{frame.pointer}/{pointer_token(key)}")
            where = f" (first at line {first})" if first else ""
            raise DocumentError(
                f"duplicate key '{_short(key)}'{where}", "duplicateKey", line, f"{frame.pointer}/{pointer_token(key)}"
            )
        frame.key = key
        frame.has_key = True
        self.lines[f"{frame.pointer}/{pointer_token(key)}"] = line

    def scalar(self, value: Any, line: int, anchor: Optional[str] = None) -> None:
        self._count(1, line)
        if self.expecting_key():
            self.key(key_string(value), line)
        else:
            self._place(value, line)
            self._grow_parent(1, 0)
        if anchor is not None:
            self.anchors[anchor] = _Anchor(value, 1, 0)

    def start(self, value: Any, line: int, anchor: Optional[str] = None) -> None:
        if self.expecting_key():
            raise DocumentError("a mapping key must be a scalar (a string), not a collection", "complexKey", line)
        if len(self.stack) + 1 > self.limits.max_depth:
            raise DocumentError(
                f"the document is nested more than {self.limits.max_depth} levels deep", "maxDepth", line,
                self.stack[-1].pointer if self.stack else "",
            )
        self._count(1, line)
        pointer = self._place(value, line)
        if anchor is not None:
            self.anchors[anchor] = _OPEN
        self.stack.append(_Frame(value, pointer, anchor, line))

    def end(self) -> None:
        frame = self.stack.pop()
        if frame.anchor is not None:
            self.anchors[frame.anchor] = _Anchor(frame.value, frame.size, frame.height)
        self._grow_parent(frame.size, frame.height)

    def alias(self, name: str, line: int) -> None:
        self.aliases += 1
        if self.aliases > self.limits.max_aliases:
            raise DocumentError(f"the document has more than {self.limits.max_aliases} aliases", "maxAliases", line)
        anchor = self.anchors.get(name)
        if anchor is None:
            raise DocumentError(f"the alias *{_short(name)} names no anchor before it", "unknownAlias", line)
        if anchor is _OPEN:
            raise DocumentError(f"the alias *{_short(name)} repeats a collection inside itself", "recursiveAlias", line)
        if self.expecting_key():
            if isinstance(anchor.value, (dict, list)):
                raise DocumentError("a mapping key must be a scalar (a string), not a collection", "complexKey", line)
            self._count(1, line)
            self.key(key_string(anchor.value), line)
            return
        if len(self.stack) + anchor.height > self.limits.max_depth:
            raise DocumentError(
                f"the document is nested more than {self.limits.max_depth} levels deep (through the alias "
                f"*{_short(name)})",
                "maxDepth",
                line,
            )
        self._count(anchor.size, line)
        self._place(anchor.value, line)
        self._grow_parent(anchor.size, anchor.height)


def _short(text: str, limit: int = 60) -> str:
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in str(text))
    return cleaned[:limit] + ("..." if len(cleaned) > limit else "")


def key_string(value: Any) -> str:
    """A scalar mapping key as the JSON object key JavaScript would make of it."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return js_number(value)


def js_number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    mantissa, exp, power = text.partition("e")
    return f"{mantissa}e{'+' if not power.startswith('-') else '-'}{power.lstrip('+-').lstrip('0') or '0'}" if exp else text


# --- YAML ------------------------------------------------------------------------------------------------------

CORE = "tag:yaml.org,2002:"
_NULL = re.compile(r"(?:~|null|Null|NULL)?\Z")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(?:inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(?:nan|NaN|NAN)\Z")
#: Digits of an integer beyond which it is a string (and no big-number arithmetic ever runs on it).
_MAX_DIGITS = 400


def resolve_plain(text: str) -> Any:
    """A plain (unquoted) scalar by the YAML 1.2 core schema."""
    if _NULL.match(text):
        return None
    if text in _BOOL:
        return _BOOL[text]
    if len(text) <= _MAX_DIGITS:
        if _INT.match(text):
            return int(text, 10)
        if _OCT.match(text):
            return int(text[2:], 8)
        if _HEX.match(text):
            return int(text[2:], 16)
        if _FLOAT.match(text):
            return float(text)
    if _INF.match(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.match(text):
        return math.nan
    return text


def resolve_tagged(text: str, tag: str, line: int) -> Any:
    """A scalar with an explicit core tag: it must be a value of that type."""
    kind = tag[len(CORE):]
    if kind == "str":
        return text
    value = resolve_plain(text)
    ok = {
        "null": value is None,
        "bool": isinstance(value, bool),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, (int, float)) and not isinstance(value, bool),
    }.get(kind)
    if not ok:
        raise DocumentError(f"'{_short(text)}' is not a valid !!{kind}", "tag", line)
    return float(value) if kind == "float" else value


_SCALAR_TAGS = {CORE + name for name in ("str", "int", "float", "bool", "null")}


def _check_tag(tag: Optional[str], allowed: set[str], line: int) -> None:
    if tag is None or tag == "!" or tag in allowed:
        return
    shown = "!!" + tag[len(CORE):] if tag.startswith(CORE) else tag
    raise DocumentError(
        f"the tag {_short(shown)} is not allowed (only the YAML core tags !!str, !!int, !!float, !!bool, !!null, "
        "!!map and !!seq)",
        "tag",
        line,
    )


def read_yaml(text: str, limits: Limits = Limits()) -> Document:
    builder = _Builder(limits)
    documents = 0
    parser = _LOADER(text)
    try:
        while parser.check_event():
            event = parser.get_event()
            line = event.start_mark.line + 1 if event.start_mark is not None else None
            if isinstance(event, yaml.ScalarEvent):
                _check_tag(event.tag, _SCALAR_TAGS, line)
                if event.tag and event.tag != "!":
                    value = resolve_tagged(event.value, event.tag, line)
                elif event.tag is None and not event.style and event.implicit[0]:
                    value = resolve_plain(event.value)
                else:
                    value = event.value
                builder.scalar(value, line, event.anchor)
            elif isinstance(event, yaml.MappingStartEvent):
                _check_tag(event.tag, {CORE + "map"}, line)
                builder.start({}, line, event.anchor)
            elif isinstance(event, yaml.SequenceStartEvent):
                _check_tag(event.tag, {CORE + "seq"}, line)
                builder.start([], line, event.anchor)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                builder.end()
            elif isinstance(event, yaml.AliasEvent):
                builder.alias(event.anchor, line)
            elif isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise DocumentError(
                        "the file holds more than one YAML document (a second '---'): keep one", "multipleDocuments", line
                    )
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = " ".join(p for p in (error.context, error.problem) if p) or "invalid YAML"
        raise DocumentError(f"YAML syntax error: {problem}", "syntax", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as error:
        raise DocumentError(f"YAML syntax error: {_short(str(error), 200)}", "syntax") from None
    finally:
        parser.dispose()
    return Document(builder.root, builder.lines)


# --- JSON ------------------------------------------------------------------------------------------------------

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS = {"true": True, "false": False, "null": None}


class _Lines:
    def __init__(self, text: str) -> None:
        self.newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def __call__(self, position: int) -> int:
        return bisect.bisect_left(self.newlines, position) + 1


def read_json(text: str, limits: Limits = Limits()) -> Document:
    """Strict JSON (RFC 8259: no NaN, comments or trailing commas), read iteratively under the same limits."""
    builder = _Builder(limits)
    line_at = _Lines(text)
    position = _WS.match(text, 0).end()
    done = False

    def fail(message: str, at: int) -> DocumentError:
        return DocumentError(f"JSON syntax error: {message}", "syntax", line_at(at))

    if position >= len(text):
        raise fail("the file is empty", position)
    while True:
        frame = builder.stack[-1] if builder.stack else None
        if done:
            if position < len(text):
                raise fail("unexpected text after the value", position)
            break
        if frame is not None and isinstance(frame.value, dict) and not frame.has_key:
            # a key, or the end of the object
            if text.startswith("}", position) and not frame.value:
                builder.end()
                position = _skip_comma(builder, text, _WS.match(text, position + 1).end(), fail)
                done = not builder.stack
                continue
            if not text.startswith('"', position):
                raise fail("expected a key in double quotes", position)
            key_line = line_at(position)
            key, position = _string(text, position, fail)
            builder.key(key, key_line)
            position = _WS.match(text, position).end()
            if not text.startswith(":", position):
                raise fail("expected ':' after the key", position)
            position = _WS.match(text, position + 1).end()
            continue
        if frame is not None and isinstance(frame.value, list) and text.startswith("]", position) and not frame.value:
            builder.end()
            position = _skip_comma(builder, text, _WS.match(text, position + 1).end(), fail)
            done = not builder.stack
            continue
        line = line_at(position)
        char = text[position:position + 1]
        if char == "{":
            builder.start({}, line)
            position = _WS.match(text, position + 1).end()
            continue
        if char == "[":
            builder.start([], line)
            position = _WS.match(text, position + 1).end()
            continue
        if char == '"':
            value, position = _string(text, position, fail)
        elif char in "-0123456789" and char:
            match = _NUMBER.match(text, position)
            if not match:
                raise fail("invalid number", position)
            raw = match.group(0)
            if len(raw) > _MAX_DIGITS:
                raise fail("a number with more than 400 characters", position)
            value = float(raw) if match.group(1) or match.group(2) else int(raw)
            position = match.end()
        else:
            for literal, literal_value in _LITERALS.items():
                if text.startswith(literal, position):
                    value = literal_value
                    position += len(literal)
                    break
            else:
                raise fail("expected a value", position)
        builder.scalar(value, line)
        position = _skip_comma(builder, text, _WS.match(text, position).end(), fail)
        done = not builder.stack
    return Document(builder.root, builder.lines)


def _string(text: str, position: int, fail) -> tuple[str, int]:
    try:
        return scanstring(text, position + 1, True)
    except ValueError as error:
        raise fail(str(error).split(":")[0], position) from None


def _skip_comma(builder: _Builder, text: str, position: int, fail) -> int:
    """After a value inside a collection: ',' (then another entry must follow) or the collection's end."""
    while builder.stack:
        frame = builder.stack[-1]
        closer = "}" if isinstance(frame.value, dict) else "]"
        if text.startswith(",", position):
            position = _WS.match(text, position + 1).end()
            if text.startswith(closer, position):
                raise fail("a trailing comma", position)
            return position
        if text.startswith(closer, position):
            builder.end()
            position = _WS.match(text, position + 1).end()
            continue
        raise fail(f"expected ',' or '{closer}'", position)
    return position
