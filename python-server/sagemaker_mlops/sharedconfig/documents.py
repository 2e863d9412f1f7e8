"""Reading a configuration file's text into a JSON value, safely: YAML 1.2 core schema or strict JSON.

Nothing is ever evaluated: YAML is read as PyYAML parser *events* (the layer below its composer and constructor),
and the value is built here, iteratively, so every limit applies while reading, before any recursion could:

- the text: at most ``Limits.max_bytes`` bytes of UTF-8 (a leading BOM is ignored);
- one document only; no tags but the core ones (``!!str !!int !!float !!bool !!null !!map !!seq`` and ``!``);
- nesting at most ``max_depth`` collections deep (an alias counts with the depth of what it repeats);
- at most ``max_aliases`` aliases, and at most ``max_nodes`` nodes once aliases are expanded (billion laughs): a
  node is a scalar (mapping keys included), a mapping or a sequence, and an alias counts as the nodes it repeats;
  an alias to a collection that is still open (a recursive structure) is refused;
- duplicate mapping keys are errors (with their line); mapping keys must be scalars.

Plain scalars resolve by the YAML 1.2 *core* schema, as the browser's YAML library does (not PyYAML's 1.1 rules):
``null Null NULL ~`` and empty are null; ``true True TRUE false False FALSE`` booleans (``yes``/``on`` are
strings); integers ``[-+]?[0-9]+``, ``0o[0-7]+``, ``0x[0-9a-fA-F]+``; floats
``[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?``, ``[-+]?.inf`` and ``.nan`` (each in its three cases);
anything else (``1_000``, ``0b101``, ``1:20``, ``2024-01-01``) is a string. Quoted and block scalars are strings.
Mapping keys become strings as JavaScript does it (``1`` -> ``"1"``, ``null`` -> ``""``, ``true`` -> ``"true"``).

The result keeps the line (1-based) of every node, for messages (:meth:`Document.line_of` a JSON pointer).
"""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
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


class Document:
    """A value read from a file, and where each of its nodes was (for messages)."""

    def __init__(self, value: Any, root_line: Optional[int] = None, lines: Optional[dict] = None) -> None:
        self.value = value
        self._root_line = root_line
        #: (id of a mapping or sequence, key or index) -> 1-based line (for a mapping entry: the line of its key)
        self._lines = lines or {}

    def line_of(self, pointer: str) -> Optional[int]:
        """The line of the node at a JSON pointer, else of its nearest ancestor that has one."""
        line = self._root_line
        node = self.value
        for raw in pointer.split("/")[1:] if pointer else []:
            token = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and token in node:
                key: Any = token
            elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
                key = int(token)
            else:
                break
            line = self._lines.get((id(node), key), line)
            node = node[key]
        return line


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


class _Frame:
    __slots__ = ("value", "is_map", "anchor", "size", "height", "key", "has_key")

    def __init__(self, value: Any, anchor: Optional[str]) -> None:
        self.value = value
        self.is_map = isinstance(value, dict)
        self.anchor = anchor
        self.size = 1  # nodes in this subtree, aliases expanded
        self.height = 1  # collection levels in this subtree, aliases included
        self.key: Optional[str] = None  # a mapping's pending key
        self.has_key = False


class _Anchor:
    __slots__ = ("value", "size", "height")

    def __init__(self, value: Any, size: int, height: int) -> None:
        self.value = value
        self.size = size
        self.height = height


_OPEN = object()  # an anchor whose collection is still being read


class _Builder:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.max_nodes = limits.max_nodes
        self.stack: list[_Frame] = []
        self.root: Any = None
        self.root_line: Optional[int] = None
        self.lines: dict[tuple[int, Any], int] = {}
        self.nodes = 0
        self.aliases = 0
        self.anchors: dict[str, Any] = {}

    def document(self) -> Document:
        return Document(self.root, self.root_line, self.lines)

    def pointer(self, extra: Optional[str] = None) -> str:
        """The JSON pointer of the place being read (built only for a message)."""
        parts = []
        for parent, child in zip(self.stack, self.stack[1:]):
            parts.append(next((k for k, v in (parent.value.items() if parent.is_map else enumerate(parent.value)) if v is child.value), "?"))
        if extra is not None:
            parts.append(extra)
        return "".join("/" + pointer_token(p) for p in parts)

    def expecting_key(self) -> bool:
        stack = self.stack
        return bool(stack) and stack[-1].is_map and not stack[-1].has_key

    def _too_many(self, line: int) -> DocumentError:
        return DocumentError(
            f"the document expands to more than {self.max_nodes} nodes (aliases expanded)", "maxNodes", line
        )

    def _place(self, value: Any, line: int, size: int, height: int) -> None:
        stack = self.stack
        if not stack:
            self.root = value
            self.root_line = line
            return
        frame = stack[-1]
        if frame.is_map:
            frame.value[frame.key] = value
            frame.has_key = False
        else:
            self.lines[(id(frame.value), len(frame.value))] = line
            frame.value.append(value)
        frame.size += size
        if height + 1 > frame.height:
            frame.height = height + 1

    def key(self, key: str, line: int) -> None:
        frame = self.stack[-1]
        if key in frame.value:
            first = self.lines.get((id(frame.value), key))
            where = f" (first at line {first})" if first else ""
            raise DocumentError(f"duplicate key '{_short(key)}'{where}", "duplicateKey", line, self.pointer(key))
        frame.key = key
        frame.has_key = True
        self.lines[(id(frame.value), key)] = line

    def scalar(self, value: Any, line: int, anchor: Optional[str] = None) -> None:
        self.nodes += 1
        if self.nodes > self.max_nodes:
            raise self._too_many(line)
        stack = self.stack
        if stack and stack[-1].is_map and not stack[-1].has_key:
            self.key(value if isinstance(value, str) else key_string(value), line)
        else:
            self._place(value, line, 1, 0)
        if anchor is not None:
            self.anchors[anchor] = _Anchor(value, 1, 0)

    def start(self, value: Any, line: int, anchor: Optional[str] = None) -> None:
        if self.expecting_key():
            raise DocumentError("a mapping key must be a scalar (a string), not a collection", "complexKey", line)
        if len(self.stack) + 1 > self.limits.max_depth:
            raise DocumentError(
                f"the document is nested more than {self.limits.max_depth} levels deep", "maxDepth", line
            )
        self.nodes += 1
        if self.nodes > self.max_nodes:
            raise self._too_many(line)
        self._place(value, line, 0, -1)  # sizes and height are added when the collection ends
        if anchor is not None:
            self.anchors[anchor] = _OPEN
        self.stack.append(_Frame(value, anchor))

    def end(self) -> None:
        frame = self.stack.pop()
        if frame.anchor is not None:
            self.anchors[frame.anchor] = _Anchor(frame.value, frame.size, frame.height)
        if self.stack:
            parent = self.stack[-1]
            parent.size += frame.size
            if frame.height + 1 > parent.height:
                parent.height = frame.height + 1

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
            self.scalar(anchor.value, line)
            return
        if len(self.stack) + anchor.height > self.limits.max_depth:
            raise DocumentError(
                f"the document is nested more than {self.limits.max_depth} levels deep (through the alias "
                f"*{_short(name)})",
                "maxDepth",
                line,
            )
        self.nodes += anchor.size
        if self.nodes > self.max_nodes:
            raise self._too_many(line)
        self._place(anchor.value, line, anchor.size, anchor.height)


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
    scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    try:
        while parser.check_event():
            event = parser.get_event()
            kind = type(event)
            if kind is scalar_event:
                line = event.start_mark.line + 1
                tag = event.tag
                if tag is None:
                    value = resolve_plain(event.value) if not event.style and event.implicit[0] else event.value
                else:
                    _check_tag(tag, _SCALAR_TAGS, line)
                    value = event.value if tag == "!" else resolve_tagged(event.value, tag, line)
                builder.scalar(value, line, event.anchor)
            elif kind in ends:
                builder.end()
            elif kind is yaml.MappingStartEvent:
                line = event.start_mark.line + 1
                _check_tag(event.tag, {CORE + "map"}, line)
                builder.start({}, line, event.anchor)
            elif kind is yaml.SequenceStartEvent:
                line = event.start_mark.line + 1
                _check_tag(event.tag, {CORE + "seq"}, line)
                builder.start([], line, event.anchor)
            elif kind is alias_event:
                builder.alias(event.anchor, event.start_mark.line + 1)
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    raise DocumentError(
                        "the file holds more than one YAML document (a second '---'): keep one",
                        "multipleDocuments",
                        event.start_mark.line + 1,
                    )
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = " ".join(p for p in (error.context, error.problem) if p) or "invalid YAML"
        raise DocumentError(f"YAML syntax error: {problem}", "syntax", mark.line + 1 if mark else None) from None
    except yaml.YAMLError as error:
        raise DocumentError(f"YAML syntax error: {_short(str(error), 200)}", "syntax") from None
    finally:
        parser.dispose()
    return builder.document()


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
            builder.scalar(key, key_line)  # a key is a node, as in YAML
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
    return builder.document()


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
