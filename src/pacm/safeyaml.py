"""Safe, strict loading of the YAML and JSON files people give pacm.

A PDD, a rule file or a parameter override is untrusted text. This loader:

* refuses a file over a size limit *before reading it* (a 17 MB file costs one ``stat``);
* decodes UTF-8 strictly and reports the byte offset of a bad byte;
* never constructs objects from tags (``!!python/object`` and every explicit tag is an error);
* refuses anchors and aliases outright, so no alias bomb can expand;
* bounds nesting depth (deep ``[[[[...]]]]`` is an error, not a RecursionError);
* rejects duplicate keys and non-string keys, naming both lines;
* reads YAML 1.2 core scalars: only ``true``/``false`` are booleans (``NO`` stays the ISO code of
  Norway), numbers with a fraction become exact :class:`~decimal.Decimal`, ``.nan`` and ``.inf``
  are errors, impossible dates (``2023-02-30``) are errors;
* records the line of every key so later errors (the PDD model's) can point at a line.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from .errors import PacmInputError

#: Default size limit for one input file (documented in the README).
MAX_BYTES = 2 * 1024 * 1024
#: Deepest nesting of mappings/sequences accepted.
MAX_DEPTH = 40

Path_ = tuple  # a location inside a document: ("additionality", "investment", "benchmark_pct")


class _Resolver(BaseResolver):
    """YAML 1.2 core schema resolvers (no yes/no/on/off booleans, no sexagesimal numbers)."""


_Resolver.yaml_implicit_resolvers = {}
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:timestamp",
    re.compile(
        r"^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
        r"(?:(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?"
        r"(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)?)$"
    ),
    list("0123456789"),
)


class _LoadProblem(Exception):
    def __init__(self, code: str, message: str, line: int | None = None, expected: str | None = None):
        self.code, self.message, self.line, self.expected = code, message, line, expected
        super().__init__(message)


def _line(node_or_mark) -> int | None:
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    return mark.line + 1 if mark is not None else None


class _Constructor(SafeConstructor):
    def construct_yaml_float(self, node):
        text = str(self.construct_scalar(node)).replace("_", "")
        low = text.lower().lstrip("+-")
        if low in (".nan", ".inf"):
            raise _LoadProblem(
                "not-finite", f"'{text}' is not a finite number", _line(node), "a finite number"
            )
        try:
            return Decimal(text)
        except InvalidOperation:  # pragma: no cover - the resolver regex prevents it
            raise _LoadProblem("bad-number", f"'{text}' is not a number", _line(node))

    def construct_yaml_timestamp(self, node):
        text = self.construct_scalar(node)
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise _LoadProblem(
                "impossible-date", f"'{text}' is not a real date ({exc})", _line(node), "a calendar date YYYY-MM-DD"
            )

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, int | None] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, bool) or not isinstance(key, (str, int, _dt.date)):
                raise _LoadProblem(
                    "bad-key", f"key {key!r} is not a text, number or date", _line(key_node), "a text key"
                )
            if key in seen:
                raise _LoadProblem(
                    "duplicate-key",
                    f"duplicate key '{key}' (first at line {seen[key]})",
                    _line(key_node),
                    "each key once per mapping",
                )
            seen[key] = _line(key_node)
        return super().construct_mapping(node, deep=deep)


_Constructor.add_constructor("tag:yaml.org,2002:float", _Constructor.construct_yaml_float)
_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


class _Composer(Composer):
    _depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _LoadProblem(
                "yaml-alias",
                f"aliases (*{event.anchor}) are not allowed in pacm files",
                _line(event),
                "plain values, written out",
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _LoadProblem(
                "yaml-anchor", f"anchors (&{anchor}) are not allowed in pacm files", _line(event), "plain values"
            )
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            raise _LoadProblem(
                "yaml-tag",
                f"YAML tags are not allowed (found '{tag}')",
                _line(event),
                "plain YAML: mappings, lists, strings, numbers, dates, true/false",
            )
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _LoadProblem(
                    "too-deep", f"nesting deeper than {MAX_DEPTH} levels", _line(event), f"at most {MAX_DEPTH} levels"
                )
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)


class _Loader(Reader, Scanner, Parser, _Composer, _Constructor, _Resolver):
    def __init__(self, stream):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        _Composer.__init__(self)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


def _key_lines(node, path: tuple, out: dict) -> None:
    """Record the line of every mapping key and list item, iteratively."""
    stack = [(node, path)]
    while stack:
        n, p = stack.pop()
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                key = k.value
                out[p + (key,)] = _line(k)
                stack.append((v, p + (key,)))
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                out[p + (i,)] = _line(v)
                stack.append((v, p + (i,)))


class Document:
    """A loaded file: its data and the line of each key (for error messages)."""

    def __init__(self, source: str, data: Any, lines: dict | None = None):
        self.source = source
        self.data = data
        self.lines = lines or {}

    def line_of(self, loc: tuple) -> int | None:
        loc = tuple(loc)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return None


def read_bytes(path: str | os.PathLike, max_bytes: int = MAX_BYTES) -> bytes:
    """Read a file after checking its size (never reads an oversized file)."""
    p = Path(path)
    src = str(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise PacmInputError.single(src, "file-not-found", "no such file")
    except OSError as exc:
        raise PacmInputError.single(src, "file-unreadable", f"cannot read: {exc.strerror}")
    if p.is_dir():
        raise PacmInputError.single(src, "is-a-directory", "is a directory", expected="a file")
    if st.st_size > max_bytes:
        raise PacmInputError.single(
            src,
            "file-too-large",
            f"file is {st.st_size:,} bytes, over the {max_bytes:,}-byte limit",
            expected=f"at most {max_bytes:,} bytes",
        )
    try:
        with open(p, "rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise PacmInputError.single(src, "file-unreadable", f"cannot read: {exc.strerror}")
    if len(data) > max_bytes:  # grew between stat and read
        raise PacmInputError.single(src, "file-too-large", f"file is over the {max_bytes:,}-byte limit")
    return data


def decode(src: str, raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PacmInputError.single(
            src,
            "not-utf8",
            f"byte 0x{raw[exc.start]:02x} at offset {exc.start} (line {line}) is not valid UTF-8",
            expected="a UTF-8 text file",
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise PacmInputError.single(src, "empty-file", "the file is empty", expected="a YAML or JSON mapping")
    return text


def loads_yaml(text: str, source: str = "<string>") -> Document:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise PacmInputError.single(source, "empty-file", "the file has no content", expected="a mapping")
        lines: dict = {}
        _key_lines(node, (), lines)
        data = loader.construct_document(node)
    except _LoadProblem as p:
        loc = f"line {p.line}" if p.line else ""
        raise PacmInputError.single(source, p.code, p.message, loc=loc, expected=p.expected)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = exc.problem or str(exc)
        if exc.context:
            what = f"{exc.context}: {what}"
        raise PacmInputError.single(source, "yaml-syntax", f"YAML syntax error: {what}", loc=loc)
    except yaml.YAMLError as exc:
        raise PacmInputError.single(source, "yaml-syntax", f"YAML error: {exc}")
    except RecursionError:
        raise PacmInputError.single(source, "too-deep", "nesting too deep", expected=f"at most {MAX_DEPTH} levels")
    finally:
        loader.dispose()
    return Document(source, data, lines)


def _json_pairs(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise _LoadProblem("duplicate-key", f"duplicate key '{k}'", None, "each key once per object")
        out[k] = v
    return out


def _json_constant(name):
    raise _LoadProblem("not-finite", f"'{name}' is not a finite number", None, "a finite number")


def loads_json(text: str, source: str = "<string>") -> Document:
    try:
        data = json.loads(text, object_pairs_hook=_json_pairs, parse_float=Decimal, parse_constant=_json_constant)
    except _LoadProblem as p:
        raise PacmInputError.single(source, p.code, p.message, expected=p.expected)
    except json.JSONDecodeError as exc:
        raise PacmInputError.single(
            source, "json-syntax", f"JSON syntax error: {exc.msg}", loc=f"line {exc.lineno}, column {exc.colno}"
        )
    except RecursionError:
        raise PacmInputError.single(source, "too-deep", "nesting too deep", expected=f"at most {MAX_DEPTH} levels")
    if _depth(data) > MAX_DEPTH:
        raise PacmInputError.single(source, "too-deep", f"nesting deeper than {MAX_DEPTH} levels")
    return Document(source, data, {})


def _depth(obj) -> int:
    best, stack = 0, [(obj, 0)]
    while stack:
        o, d = stack.pop()
        if isinstance(o, dict):
            best = max(best, d + 1)
            stack.extend((v, d + 1) for v in o.values())
        elif isinstance(o, list):
            best = max(best, d + 1)
            stack.extend((v, d + 1) for v in o)
    return best


def load_file(path: str | os.PathLike, max_bytes: int = MAX_BYTES) -> Document:
    """Load a YAML (``.yaml``/``.yml``) or JSON (``.json``) file safely."""
    src = str(path)
    text = decode(src, read_bytes(path, max_bytes))
    if src.lower().endswith(".json"):
        return loads_json(text, src)
    return loads_yaml(text, src)


def expect_mapping(doc: Document, what: str = "a mapping of keys to values") -> dict:
    if not isinstance(doc.data, dict):
        kind = type(doc.data).__name__ if doc.data is not None else "nothing"
        kind = {"list": "a list", "str": "a single string", "int": "a number", "Decimal": "a number"}.get(kind, kind)
        raise PacmInputError.single(doc.source, "not-a-mapping", f"the document is {kind}", expected=what)
    return doc.data


__all__ = ["Document", "load_file", "loads_yaml", "loads_json", "expect_mapping", "MAX_BYTES", "MAX_DEPTH", "_dt"]
