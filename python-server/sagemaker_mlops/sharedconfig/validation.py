"""Validating a configuration value against its JSON Schema (draft-07), with the schemas' own conventions.

- ``x-message`` on a subschema is the message of an error raised by that subschema (instead of the validator's);
- ``x-warn-unknown: true`` on an object schema: keys its ``properties`` do not name are *warnings*, not errors.

An issue is ``{file, pointer, line, message, rule}``: ``pointer`` is the JSON pointer of the value (of the object,
for a missing or unexpected key, as ajv reports it), ``rule`` the JSON Schema keyword that failed (``required``,
``enum``, ``pattern``, ``oneOf``...) or, for a file that cannot be read, the limit or syntax rule
(``syntax``, ``duplicateKey``, ``tag``, ``maxAliases``, ``maxNodes``, ``maxDepth``, ``maxBytes``,
``multipleDocuments``, ``encoding``...). ``$ref`` is resolved inside the schema only: nothing is ever fetched.
"""

from __future__ import annotations

import itertools
import json
import math
import threading
import time
from typing import Any, Iterable, Optional

import jsonschema
from jsonschema.exceptions import SchemaError, ValidationError
from jsonschema.validators import extend
from referencing import Registry

from .documents import Document, DocumentError, Limits, pointer_token, read

#: Issues listed per file at most (the message says how many more there are).
MAX_ISSUES = 100
#: Schema errors collected per file at most: the check stops there (a file with more is reported as having more).
MAX_ERRORS = 1000


def _canonical(value: Any) -> Any:
    """A hashable form in which equal JSON values are equal (1 == 1.0 as in JavaScript; true != 1)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return (type(value).__name__, value)
    if isinstance(value, (int, float)):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return ("number", value)
    if isinstance(value, dict):
        return ("object", tuple(sorted((k, _canonical(v)) for k, v in value.items())))
    if isinstance(value, list):
        return ("array", tuple(_canonical(v) for v in value))
    return ("other", repr(value))


def _unique_items(validator, unique, instance, schema):
    """uniqueItems in linear time (jsonschema compares unhashable items pairwise: quadratic on a long list)."""
    if not unique or not validator.is_type(instance, "array"):
        return
    seen: set = set()
    for item in instance:
        key = _canonical(item)
        if key in seen:
            yield ValidationError(f"{instance!r:.80} has non-unique elements")
            return
        seen.add(key)


#: Seconds the schema check of one file may take. Files of the limits' size take well under a second; this bounds
#: an organisation's costly schema (or a slow machine) so that a check never holds the server: past it, the file is
#: refused (rule ``maxTime``).
MAX_SECONDS = 3.0

_clock = threading.local()


class _OutOfTime(Exception):
    pass


def _timed(keyword):
    def check(validator, value, instance, schema):
        deadline = getattr(_clock, "deadline", None)
        if deadline is not None and time.monotonic() > deadline:
            raise _OutOfTime()
        return keyword(validator, value, instance, schema)

    return check


#: Draft 7 with a linear uniqueItems, every keyword checking the time budget of the file.
Validator = extend(
    jsonschema.Draft7Validator,
    {name: _timed(fn) for name, fn in {**jsonschema.Draft7Validator.VALIDATORS, "uniqueItems": _unique_items}.items()},
)


class SchemaProblem(Exception):
    """The schema itself is unusable (not a JSON Schema, an unresolvable $ref)."""


def issue(file: str, pointer: str, line: Optional[int], message: str, rule: str) -> dict[str, Any]:
    return {"file": file, "pointer": pointer, "line": line, "message": message, "rule": rule}


def make_validator(schema: Any) -> jsonschema.Draft7Validator:
    """A draft-07 validator of the schema (checked first); $refs resolve within the schema only."""
    try:
        jsonschema.Draft7Validator.check_schema(schema)
    except SchemaError as error:
        where = "/".join(str(p) for p in error.path)
        raise SchemaProblem(f"not a valid JSON Schema (draft-07) at '/{where}': {error.message[:200]}") from None
    return Validator(schema, registry=Registry())


def validate_value(file: str, document: Document, schema: Any) -> list[dict[str, Any]]:
    """The schema errors of a value, in document order, one per problem."""
    validator = schema if isinstance(schema, Validator) else make_validator(schema)
    found: list[dict[str, Any]] = []
    seen: set[tuple[str, str, str]] = set()
    _clock.deadline = time.monotonic() + MAX_SECONDS
    try:
        errors = list(itertools.islice(validator.iter_errors(document.value), MAX_ERRORS))
    except _OutOfTime:
        return [issue(file, "", document.line_of(""), f"the file takes longer than {MAX_SECONDS:g} s to check: "
                      "make it smaller", "maxTime")]
    except Exception as error:  # an unresolvable $ref, a pattern Python cannot compile
        raise SchemaProblem(f"the schema cannot be applied ({type(error).__name__}: {str(error)[:200]})") from None
    finally:
        _clock.deadline = None
    for error in errors:
        for pointer, message, rule in describe(error):
            key = (pointer, message, rule)
            if key in seen:
                continue
            seen.add(key)
            found.append(issue(file, pointer, document.line_of(pointer), message, rule))
    found.sort(key=lambda i: (i["line"] or 0, i["pointer"]))
    return found


def check(file: str, content: bytes | str, schema: Any, limits: Limits = Limits()) -> tuple[list[dict], list[dict]]:
    """(errors, warnings) of a configuration file's content against its schema."""
    try:
        document = read(content, file, limits)
    except DocumentError as error:
        return [issue(file, error.pointer, error.line, error.message, error.rule)], []
    errors = validate_value(file, document, schema)
    raw = schema.schema if isinstance(schema, Validator) else schema
    return errors, unknown_keys(file, document, raw)


def pointer_of(path: Iterable[Any]) -> str:
    return "".join("/" + pointer_token(part) for part in path)


def describe(error: ValidationError) -> list[tuple[str, str, str]]:
    """(pointer, message, rule) of one jsonschema error: the subschema's x-message, else a plain rewording."""
    pointer = pointer_of(error.absolute_path)
    rule = str(error.validator)
    schema = error.schema if isinstance(error.schema, dict) else {}
    custom = schema.get("x-message")
    value = error.validator_value
    instance = error.instance
    if rule == "required":
        missing = [k for k in value if isinstance(instance, dict) and k not in instance] or [None]
        return [(pointer, custom or f"the required key '{k}' is missing", rule) for k in missing]
    if rule == "additionalProperties" and value is False and isinstance(instance, dict):
        known = set(schema.get("properties", {}))
        extra = [k for k in instance if k not in known] or ["?"]
        return [(pointer, custom or f"the key '{k}' is not allowed here", rule) for k in extra]
    if custom:
        return [(pointer, str(custom), rule)]
    return [(pointer, reword(rule, value, instance, error), rule)]


_TYPE_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "null": "null",
    "object": "a mapping (key: value)",
    "array": "a list",
}


def show(value: Any, limit: int = 80) -> str:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        text = str(value)
    else:
        try:
            text = json.dumps(value, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def reword(rule: str, value: Any, instance: Any, error: ValidationError) -> str:
    if rule == "type":
        types = value if isinstance(value, list) else [value]
        return "must be " + " or ".join(_TYPE_NAMES.get(t, str(t)) for t in types) + f", not {show(instance, 40)}"
    if rule == "enum":
        return "must be one of: " + ", ".join(show(v, 40) for v in value)
    if rule == "const":
        return f"must be {show(value)}"
    if rule == "pattern":
        return f"must match the pattern {value}"
    if rule == "minimum":
        return f"must be at least {show(value)}"
    if rule == "maximum":
        return f"must be at most {show(value)}"
    if rule == "exclusiveMinimum":
        return f"must be more than {show(value)}"
    if rule == "exclusiveMaximum":
        return f"must be less than {show(value)}"
    if rule == "multipleOf":
        return f"must be a multiple of {show(value)}"
    if rule == "minLength":
        return "must not be empty" if value == 1 else f"must have at least {value} characters"
    if rule == "maxLength":
        return f"must have at most {value} characters"
    if rule == "minItems":
        return "must not be an empty list" if value == 1 else f"must have at least {value} items"
    if rule == "maxItems":
        return f"must have at most {value} items"
    if rule == "uniqueItems":
        return "must not repeat an item"
    if rule == "minProperties":
        return "must not be empty" if value == 1 else f"must have at least {value} keys"
    if rule == "maxProperties":
        return f"must have at most {value} keys"
    if rule == "propertyNames":
        return f"the key {show(instance, 60)} is not a valid name"
    if rule == "oneOf":
        return "must match exactly one of the allowed forms"
    if rule == "anyOf":
        return "must match one of the allowed forms"
    if rule == "not":
        return "is not allowed here"
    if rule == "contains":
        return "must contain a matching item"
    if rule == "dependencies":
        return error.message[:200]
    if rule == "false":
        return "is not allowed here"
    return error.message[:200]


# --- unknown keys (warnings) ----------------------------------------------------------------------------------


def _resolve(root: Any, schema: Any, depth: int = 0) -> Any:
    """Follow local ``$ref`` (``#/...``) to the subschema it names; anything else as is."""
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and depth < 32:
        ref = schema["$ref"]
        if not ref.startswith("#"):
            return {}
        target: Any = root
        for part in [p for p in ref[1:].split("/") if p]:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(target, dict) and part in target:
                target = target[part]
            elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
                target = target[int(part)]
            else:
                return {}
        schema = target
        depth += 1
    return schema


def _branches(root: Any, schema: Any) -> list[dict]:
    """The schema and the subschemas that also describe the same value (allOf, if/then/else, anyOf, oneOf)."""
    out: list[dict] = []
    stack = [_resolve(root, schema)]
    while stack and len(out) < 200:
        current = stack.pop()
        if not isinstance(current, dict):
            continue
        out.append(current)
        for keyword in ("allOf", "anyOf", "oneOf"):
            for sub in current.get(keyword, []) if isinstance(current.get(keyword), list) else []:
                stack.append(_resolve(root, sub))
        for keyword in ("then", "else"):
            if keyword in current:
                stack.append(_resolve(root, current[keyword]))
    return out


def unknown_keys(file: str, document: Document, schema: Any) -> list[dict[str, Any]]:
    """Warnings for the keys an ``x-warn-unknown`` object schema does not name."""
    warnings: list[dict[str, Any]] = []
    stack: list[tuple[Any, Any, str]] = [(document.value, schema, "")]
    visited = 0
    while stack and visited < 200_000:
        value, sub, pointer = stack.pop()
        visited += 1
        branches = _branches(schema, sub)
        if isinstance(value, dict):
            properties: dict[str, list[Any]] = {}
            warn = False
            for branch in branches:
                warn = warn or branch.get("x-warn-unknown") is True
                for name, prop in (branch.get("properties") or {}).items():
                    properties.setdefault(name, []).append(prop)
            extra_schemas = [b["additionalProperties"] for b in branches if isinstance(b.get("additionalProperties"), dict)]
            for key, item in value.items():
                child = f"{pointer}/{pointer_token(key)}"
                if key in properties:
                    stack.extend((item, prop, child) for prop in properties[key])
                elif extra_schemas:
                    stack.extend((item, extra, child) for extra in extra_schemas)
                elif warn and not any(b.get("patternProperties") for b in branches):
                    warnings.append(
                        issue(file, child, document.line_of(child), f"unknown key '{key}': not in the schema", "unknownKey")
                    )
        elif isinstance(value, list):
            for branch in branches:
                items = branch.get("items")
                if isinstance(items, dict):
                    stack.extend((item, items, f"{pointer}/{i}") for i, item in enumerate(value))
                elif isinstance(items, list):
                    stack.extend((item, s, f"{pointer}/{i}") for i, (item, s) in enumerate(zip(value, items)))
    warnings.sort(key=lambda i: (i["line"] or 0, i["pointer"]))
    return warnings


def summary(issues: list[dict[str, Any]]) -> str:
    """``<file>: <pointer> (line N): <message> [+k more]`` of the first issue."""
    first = issues[0]
    where = first["pointer"] or "/"
    line = f" (line {first['line']})" if first.get("line") else ""
    more = f" [+{len(issues) - 1} more]" if len(issues) > 1 else ""
    return f"{first['file']}: {where}{line}: {first['message']}{more}"
