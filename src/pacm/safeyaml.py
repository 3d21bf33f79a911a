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
* records the line of every key so later errors (the PDD model's) can point at a line, and the
  field path of every node so its own errors say ``crediting_period.start (line 11)``;
* parses with libyaml's C parser when PyYAML has it (4-5x faster), pacm's composer and
  constructor doing every check above either way (``PACM_PURE_YAML=1`` forces pure Python).

JSON gets the same treatment: exact decimals, no ``NaN``/``Infinity``, no duplicate keys, the
same depth limit, and lines for model errors (found only when an error needs one).
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

from . import limits
from .errors import PacmInputError

#: Size limit for one input file and deepest nesting (defined in :mod:`pacm.limits`, listed in the README).
MAX_BYTES = limits.MAX_FILE_BYTES
MAX_DEPTH = limits.MAX_DEPTH

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
    def __init__(
        self,
        code: str,
        message: str,
        line: int | None = None,
        expected: str | None = None,
        path: tuple = (),
        hint: str | None = None,
    ):
        self.code, self.message, self.line, self.expected = code, message, line, expected
        self.path, self.hint = tuple(path), hint
        super().__init__(message)


def _line(node_or_mark) -> int | None:
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    return mark.line + 1 if mark is not None else None


def format_path(path) -> str:
    """``("additionality", "investment", "sensitivity", 0, "irr_pct")`` -> ``additionality.investment.sensitivity[0].irr_pct``.

    Very long paths (a 10,000-level ``[[[[...`` nest) are shortened in the middle.
    """
    out = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    if len(out) > 90:
        out = out[:45] + "..." + out[-35:]
    return out


def where(path=(), line: int | None = None, column: int | None = None) -> str:
    """The location part of a message: ``field.path (line N)``, ``field.path`` or ``line N``."""
    text = format_path(path)
    pos = ""
    if line:
        pos = f"line {line}" + (f", column {column}" if column else "")
    if text and pos:
        return f"{text} ({pos})"
    return text or pos


def _show_tag(tag: str) -> str:
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix):] if tag.startswith(prefix) else tag


class _Constructor(SafeConstructor):
    node_paths: dict  # filled by _Composer

    def _path_of(self, node) -> tuple:
        return self.node_paths.get(id(node), ())

    def _bounded(self, node, value):
        """``value`` when it fits :mod:`pacm.limits`, else a load problem naming the field."""
        try:
            limits.check_number(value)
        except limits.OutOfBounds as exc:
            raise _LoadProblem(exc.code, exc.found, _line(node), exc.expected, self._path_of(node))
        return value

    def construct_yaml_float(self, node):
        text = str(self.construct_scalar(node)).replace("_", "")
        low = text.lower().lstrip("+-")
        if low in (".nan", ".inf"):
            raise _LoadProblem(
                "not-finite", f"'{text}' is not a finite number", _line(node), "a finite number", self._path_of(node)
            )
        try:
            value = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the resolver regex prevents it
            raise _LoadProblem("wrong-type", f"'{text}' is not a number", _line(node), path=self._path_of(node))
        return self._bounded(node, value)

    def construct_yaml_int(self, node):
        """YAML 1.2 core integers: decimal, ``0o`` octal, ``0x`` hex. A leading zero is refused.

        PyYAML follows YAML 1.1, where ``0100`` is octal 64; in YAML 1.2 it is 100. A reader of
        the file cannot tell which was meant, so pacm asks for the number without the zero.
        """
        text = str(self.construct_scalar(node))
        body = text.lstrip("+-")
        if len(text) > 4300:  # Python refuses int() of more than 4,300 digits
            raise _LoadProblem(
                "number-out-of-bounds",
                f"a number of {len(text):,} characters is too long to read",
                _line(node),
                limits.NUMBER_EXPECTED,
                self._path_of(node),
            )
        if body[:2] in ("0o", "0x"):
            value = int(body[2:], 8 if body[1] == "o" else 16)
        elif len(body) > 1 and body[0] == "0":
            raise _LoadProblem(
                "leading-zero",
                f"the number {text} starts with a zero",
                _line(node),
                f"a number without leading zeros ({text[: len(text) - len(body)]}{body.lstrip('0') or '0'})",
                self._path_of(node),
                "YAML 1.1 would read it as an octal number, YAML 1.2 as decimal; pacm will not guess",
            )
        else:
            value = int(body, 10)
        return self._bounded(node, -value if text.startswith("-") else value)

    def construct_yaml_timestamp(self, node):
        text = self.construct_scalar(node)
        try:
            value = super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise _LoadProblem(
                "impossible-date",
                f"'{text}' is not a real date ({exc})",
                _line(node),
                "a calendar date YYYY-MM-DD",
                self._path_of(node),
            )
        try:
            limits.check_date(value)
        except limits.OutOfBounds as exc:
            raise _LoadProblem(exc.code, exc.found, _line(node), exc.expected, self._path_of(node))
        return value

    def construct_mapping(self, node, deep=False):
        seen: dict[Any, int | None] = {}
        here = self._path_of(node)
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            if isinstance(key, bool) or not isinstance(key, (str, int, _dt.date)):
                shown = {list: "a list", dict: "a mapping", type(None): "empty (null)"}.get(type(key), repr(key))
                raise _LoadProblem("bad-key", f"a mapping key is {shown}", _line(key_node), "a text key", here)
            if key in seen:
                raise _LoadProblem(
                    "duplicate-key",
                    f"duplicate key '{key}' (first at line {seen[key]})",
                    _line(key_node),
                    "each key once per mapping",
                    here + (str(key_node.value),),
                    "plain YAML would silently keep the last one; pacm will not guess which you meant",
                )
            seen[key] = _line(key_node)
        return super().construct_mapping(node, deep=deep)


_Constructor.add_constructor("tag:yaml.org,2002:int", _Constructor.construct_yaml_int)
_Constructor.add_constructor("tag:yaml.org,2002:float", _Constructor.construct_yaml_float)
_Constructor.add_constructor("tag:yaml.org,2002:timestamp", _Constructor.construct_yaml_timestamp)


class _Composer(Composer):
    """Builds the node tree, refusing aliases, anchors, tags and deep nesting as it goes.

    It tracks the field path of the node being composed, so every problem (even a YAML syntax
    error met half-way through) names ``crediting_period.start`` and not only a line.
    """

    def __init__(self):
        Composer.__init__(self)
        self._depth = 0
        self._path: tuple = ()
        self.node_paths: dict[int, tuple] = {}
        self.error_path: tuple | None = None

    def compose_node(self, parent, index):
        if isinstance(parent, yaml.MappingNode) and index is not None:
            seg: tuple = (index.value if isinstance(index, yaml.ScalarNode) else "?",)
        elif isinstance(parent, yaml.SequenceNode):
            seg = (index,)
        else:
            seg = ()
        outer = self._path
        self._path = path = outer + seg
        try:
            node = self._compose_checked(parent, index, path)
            self.node_paths[id(node)] = path
            return node
        except yaml.MarkedYAMLError:
            if self.error_path is None:
                self.error_path = path
            raise
        finally:
            self._path = outer

    def _compose_checked(self, parent, index, path):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _LoadProblem(
                "yaml-alias",
                f"aliases (*{event.anchor}) are not allowed in pacm files",
                _line(event),
                "plain values, written out",
                path,
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise _LoadProblem(
                "yaml-anchor",
                f"anchors (&{anchor}) are not allowed in pacm files",
                _line(event),
                "plain values, written out",
                path,
                "anchors and aliases let a small file expand into billions of values",
            )
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            raise _LoadProblem(
                "yaml-tag",
                f"YAML tags are not allowed (found '{_show_tag(tag)}')",
                _line(event),
                "plain YAML: mappings, lists, strings, numbers, dates, true/false",
                path,
                "pacm never builds objects or runs code named in a file; quote the value if it is text",
            )
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _LoadProblem(
                    "too-deep",
                    f"nesting deeper than {MAX_DEPTH} levels",
                    _line(event),
                    f"at most {MAX_DEPTH} levels of mappings and lists",
                )
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)


class _Scanner(Scanner):
    """Refuses deep flow nesting (``[[[[...``) as it scans.

    PyYAML's scanner looks ahead up to 1,024 characters for a possible ``key:`` at each flow
    level, so 10,000 ``[`` cost ~0.3 s before the composer's depth check is even reached; counting
    flow levels here refuses them after the 41st bracket.
    """

    def fetch_flow_collection_start(self, TokenClass):
        if self.flow_level >= MAX_DEPTH:
            mark = self.get_mark()
            raise _LoadProblem(
                "too-deep",
                f"nesting deeper than {MAX_DEPTH} levels",
                mark.line + 1,
                f"at most {MAX_DEPTH} levels of mappings and lists",
            )
        super().fetch_flow_collection_start(TokenClass)


class _Loader(Reader, _Scanner, Parser, _Composer, _Constructor, _Resolver):
    def __init__(self, stream):
        Reader.__init__(self, stream)
        _Scanner.__init__(self)
        Parser.__init__(self)
        _Composer.__init__(self)
        _Constructor.__init__(self)
        _Resolver.__init__(self)


try:  # libyaml's C parser, when PyYAML was built with it: 4-5x faster on the same checks
    from yaml.cyaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML without libyaml
    _CParser = None


if _CParser is not None:

    class _FastLoader(_Composer, _CParser, _Constructor, _Resolver):
        """libyaml scans and parses; pacm's composer and constructor (every check above) build the data.

        The Python composer comes first in the MRO, so ``get_single_node`` and ``compose_node``
        are pacm's (aliases, anchors, tags and depth are refused event by event, as with
        :class:`_Loader`); only ``peek_event``/``get_event`` come from C.
        """

        def __init__(self, stream):
            _CParser.__init__(self, stream)
            _Composer.__init__(self)
            _Constructor.__init__(self)
            _Resolver.__init__(self)


def _new_loader(text: str):
    """The fast loader when libyaml is there (unless ``PACM_PURE_YAML=1``), else the pure-Python one."""
    if _CParser is not None and not os.environ.get("PACM_PURE_YAML"):
        return _FastLoader(text)
    return _Loader(text)


def _key_lines(node, path: tuple, out: dict) -> None:
    """Record the line of every mapping key and list item, iteratively (keys as text)."""
    stack = [(node, path)]
    while stack:
        n, p = stack.pop()
        if isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                key = str(k.value)
                out.setdefault(p + (key,), _line(k))
                stack.append((v, p + (key,)))
        elif isinstance(n, yaml.SequenceNode):
            for i, v in enumerate(n.value):
                out[p + (str(i),)] = _line(v)
                stack.append((v, p + (str(i),)))


def _json_lines(text: str) -> dict:
    """Lines of the keys of a JSON text, found by composing it as YAML (JSON is flow YAML).

    Only called when an error needs a line; any text PyYAML cannot read gives no lines.
    """
    out: dict = {}
    loader = _new_loader(text.replace("\t", " "))
    try:
        node = loader.get_single_node()
        if node is not None:
            _key_lines(node, (), out)
    except Exception:
        return {}
    finally:
        loader.dispose()
    return out


class Document:
    """A loaded file: its data and the line of each key (for error messages)."""

    def __init__(self, source: str, data: Any, lines: dict | None = None, json_text: str | None = None):
        self.source = source
        self.data = data
        self._lines = lines
        self._json_text = json_text

    @property
    def lines(self) -> dict:
        if self._lines is None:
            self._lines = _json_lines(self._json_text) if self._json_text else {}
        return self._lines

    def line_of(self, loc: tuple) -> int | None:
        """Line of the deepest part of ``loc`` (keys or list indices) found in the file."""
        loc = tuple(str(p) for p in loc)
        lines = self.lines
        while loc:
            if loc in lines:
                return lines[loc]
            loc = loc[:-1]
        return None

    def where(self, loc: tuple) -> str:
        return where(loc, self.line_of(loc))


def read_bytes(path: str | os.PathLike, max_bytes: int = MAX_BYTES) -> bytes:
    """Read a regular file after checking its size (never reads an oversized file, never blocks).

    A FIFO would block ``open`` until a writer comes, and a device (a symlink in a rule folder to
    ``/dev/zero``) never ends: only regular files are read. The file is opened non-blocking and
    checked again on the open descriptor, so swapping it for a FIFO after the first check fails too.
    """
    import stat as _stat

    p = Path(path)
    src = str(path)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise PacmInputError.single(src, "file-not-found", "no such file", expected="the path of a YAML or JSON file")
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise PacmInputError.single(src, "file-unreadable", f"cannot read: {why}")
    if _stat.S_ISDIR(st.st_mode):
        raise PacmInputError.single(src, "is-a-directory", "is a directory", expected="a file")
    if not _stat.S_ISREG(st.st_mode):
        raise PacmInputError.single(
            src, "not-a-regular-file", "is a device, FIFO or socket, not a regular file", expected="a regular file"
        )
    if st.st_size > max_bytes:
        raise PacmInputError.single(
            src,
            "file-too-large",
            f"file is {st.st_size:,} bytes, over the {max_bytes:,}-byte limit",
            expected=f"at most {max_bytes:,} bytes",
        )
    try:
        fd = os.open(p, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise PacmInputError.single(src, "file-unreadable", f"cannot read: {exc.strerror}")
    try:
        if not _stat.S_ISREG(os.fstat(fd).st_mode):
            raise PacmInputError.single(
                src, "not-a-regular-file", "is a device, FIFO or socket, not a regular file", expected="a regular file"
            )
        with os.fdopen(fd, "rb", closefd=False) as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise PacmInputError.single(src, "file-unreadable", f"cannot read: {exc.strerror}")
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # grew between stat and read
        raise PacmInputError.single(
            src, "file-too-large", f"file is over the {max_bytes:,}-byte limit", expected=f"at most {max_bytes:,} bytes"
        )
    return data


def decode(src: str, raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = None
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
            hint = "the file looks like UTF-16; save it as UTF-8"
        elif exc.reason == "invalid continuation byte" or raw[exc.start] >= 0x80:
            hint = "save the file as UTF-8 (it may be Latin-1 or Windows-1252)"
        raise PacmInputError.single(
            src,
            "not-utf8",
            f"byte 0x{raw[exc.start]:02x} at offset {exc.start} is not valid UTF-8",
            loc=where((), line, col),
            expected="a UTF-8 text file",
            hint=hint,
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text:
        raise PacmInputError.single(src, "empty-file", "the file is empty", expected="a YAML or JSON mapping")
    if not text.strip():
        raise PacmInputError.single(
            src, "empty-file", "the file holds only whitespace", expected="a YAML or JSON mapping"
        )
    return text


#: Plain-words hints for PyYAML's commonest syntax complaints.
_SYNTAX_HINTS = (
    ("found character '\\t'", "indent with spaces; YAML does not allow tabs for indentation"),
    ("tab character", "indent with spaces; YAML does not allow tabs for indentation"),
    ("mapping values are not allowed", "check the indentation, or quote a value that contains ': '"),
    ("expected <block end>", "check the indentation of this line against the lines above"),
    ("did not find expected key", "check the indentation of this line against the lines above"),
    ("did not find expected ',' or ']'", "a '[' list is not closed, or an item is missing a comma"),
    ("did not find expected ',' or '}'", "a '{' mapping is not closed, or an item is missing a comma"),
    ("did not find expected node content", "a value is missing, or a '-' or ',' is out of place"),
    ("found unexpected end of stream", "a quote or bracket is not closed"),
    ("expected ',' or ']'", "a '[' list is not closed, or an item is missing a comma"),
    ("expected ',' or '}'", "a '{' mapping is not closed, or an item is missing a comma"),
    ("could not find expected ':'", "a key is missing its ':' (or a multi-line text needs quotes)"),
    ("found undefined alias", "'*' starts an alias in YAML; quote the text"),
    ("but found another document", "a line '---' starts a second document; a pacm file is one document"),
    ("found character '@'", "'@' and '`' cannot start a plain value; quote the text"),
    ("found character '`'", "'@' and '`' cannot start a plain value; quote the text"),
)


def _syntax_hint(text: str) -> str | None:
    for needle, hint in _SYNTAX_HINTS:
        if needle in text:
            return hint
    return None


def loads_yaml(text: str, source: str = "<string>") -> Document:
    """Parse YAML text from ``source`` into a :class:`Document`; raises :class:`PacmInputError`."""
    bad = Reader.NON_PRINTABLE.search(text)  # YAML forbids control characters; say where, in words
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        col = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise PacmInputError.single(
            source,
            "bad-character",
            f"the control character U+{ord(bad.group()):04X} is not allowed in YAML",
            loc=where((), line, col),
            expected="printable text (tabs and line breaks are fine)",
            hint="the file may be binary, or text pasted with hidden characters",
        )
    try:
        return _parse_yaml(_new_loader(text), source)
    except PacmInputError:
        if _CParser is None or os.environ.get("PACM_PURE_YAML"):
            raise
    # libyaml refused the text. Its refusals (and their wording) change between releases: libyaml
    # 0.2.5 as bundled in PyYAML 6.0.4 stops deep flow nesting itself, before pacm's own depth
    # check. So every refusal is decided again by the pure-Python path, whose checks are pacm's:
    # the code and message a user sees do not depend on which parser PyYAML was built with.
    return _parse_yaml(_Loader(text), source)


def _parse_yaml(loader, source: str) -> Document:
    """Compose and construct one document with ``loader``; every problem becomes a PacmInputError."""
    try:
        node = loader.get_single_node()
        if node is None:
            raise PacmInputError.single(
                source, "empty-file", "the file has no content (only comments or '---')", expected="a mapping"
            )
        lines: dict = {}
        _key_lines(node, (), lines)
        data = loader.construct_document(node)
    except _LoadProblem as p:
        raise PacmInputError.single(source, p.code, p.message, loc=where(p.path, p.line), expected=p.expected, hint=p.hint)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        loc = where(loader.error_path or (), mark.line + 1, mark.column + 1) if mark else format_path(loader.error_path or ())
        what = exc.problem or str(exc)
        if exc.context:
            what = f"{exc.context}: {what}"
        what = " ".join(what.split())
        raise PacmInputError.single(source, "yaml-syntax", f"YAML syntax error: {what}", loc=loc, hint=_syntax_hint(what))
    except yaml.YAMLError as exc:
        raise PacmInputError.single(source, "yaml-syntax", f"YAML error: {' '.join(str(exc).split())}")
    except RecursionError:
        raise PacmInputError.single(source, "too-deep", "nesting too deep", expected=f"at most {MAX_DEPTH} levels")
    except ValueError as exc:  # pragma: no cover - construct_yaml_int reports the usual case
        raise PacmInputError.single(source, "bad-value", f"a value cannot be read: {exc}")
    finally:
        loader.dispose()
    return Document(source, data, lines)


class _NonFinite:
    """Stands in for a JSON ``NaN``/``Infinity`` until its path is known."""

    def __init__(self, name: str):
        self.name = name


class _DupObject(dict):
    """A JSON object that had a duplicate key (reported, with its path, after parsing)."""

    dup: str = ""


def _json_pairs(pairs):
    out: dict = {}
    dup = None
    for k, v in pairs:
        if k in out and dup is None:
            dup = k
        out[k] = v
    if dup is not None:
        marked = _DupObject(out)
        marked.dup = dup
        return marked
    return out


def _find_marker(obj) -> tuple[tuple, Any] | None:
    """The path and value of the first NaN/Infinity, duplicate-key object or out-of-bounds number in parsed JSON."""
    stack: list = [((), obj)]
    while stack:
        path, o = stack.pop()
        if isinstance(o, _NonFinite):
            return path, o
        if isinstance(o, (int, Decimal)) and not isinstance(o, bool) and limits.number_problem(o):
            return path, o
        if isinstance(o, _DupObject):
            return path + (o.dup,), o
        if isinstance(o, dict):
            stack.extend((path + (k,), v) for k, v in reversed(list(o.items())))
        elif isinstance(o, list):
            stack.extend((path + (i,), v) for i, v in reversed(list(enumerate(o))))
    return None


def _trailing_comma(text: str, pos: int) -> int | None:
    """The offset of a comma just before a closing bracket at or around ``pos``, else None."""
    if pos < len(text) and text[pos] == ",":
        after = text[pos + 1 :].lstrip()
        return pos if after[:1] in ("}", "]") else None
    if pos < len(text) and text[pos] in "}]":
        before = text[:pos].rstrip()
        return len(before) - 1 if before.endswith(",") else None
    return None


def loads_json(text: str, source: str = "<string>") -> Document:
    """Parse JSON text from ``source``: exact decimals, no NaN/Infinity, no duplicate keys."""
    try:
        data = json.loads(text, object_pairs_hook=_json_pairs, parse_float=Decimal, parse_constant=_NonFinite)
    except json.JSONDecodeError as exc:
        comma = _trailing_comma(text, exc.pos)
        if comma is not None:
            # Python's json words and places this one differently by version (3.13: "Illegal trailing
            # comma" at the comma; 3.10-3.12: "Expecting property name" at the bracket): pacm says it
            # one way, at the comma, whatever the Python.
            line = text.count("\n", 0, comma) + 1
            col = comma - (text.rfind("\n", 0, comma) + 1) + 1
            raise PacmInputError.single(
                source,
                "json-syntax",
                "JSON syntax error: a comma after the last item",
                loc=where((), line, col),
                hint="JSON allows no comma after the last item of an object or a list; delete it",
            )
        raise PacmInputError.single(
            source,
            "json-syntax",
            f"JSON syntax error: {exc.msg}",
            loc=where((), exc.lineno, exc.colno),
            hint="JSON needs double quotes around keys and texts, and no comma after the last item"
            if "double quotes" in exc.msg
            else None,
        )
    except RecursionError:
        raise PacmInputError.single(
            source, "too-deep", f"nesting deeper than {MAX_DEPTH} levels", expected=f"at most {MAX_DEPTH} levels"
        )
    except ValueError:  # Python refuses int() of more than 4,300 digits
        raise PacmInputError.single(
            source, "number-out-of-bounds", "a number is too long to read (over 4,300 digits)", expected=limits.NUMBER_EXPECTED
        )
    doc = Document(source, data, None, json_text=text)
    found = _find_marker(data)
    if found is not None:
        path, marker = found
        if isinstance(marker, _NonFinite):
            raise PacmInputError.single(
                source, "not-finite", f"'{marker.name}' is not a finite number", loc=doc.where(path), expected="a finite number"
            )
        if isinstance(marker, (int, Decimal)):
            try:
                limits.check_number(marker)
            except limits.OutOfBounds as exc:
                raise PacmInputError.single(source, exc.code, exc.found, loc=doc.where(path), expected=exc.expected)
        raise PacmInputError.single(
            source,
            "duplicate-key",
            f"duplicate key '{path[-1]}'",
            loc=doc.where(path),
            expected="each key once per object",
            hint="plain JSON readers would silently keep the last one; pacm will not guess which you meant",
        )
    if _depth(data) > MAX_DEPTH:
        raise PacmInputError.single(
            source, "too-deep", f"nesting deeper than {MAX_DEPTH} levels", expected=f"at most {MAX_DEPTH} levels"
        )
    return doc


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


def describe_kind(value: Any) -> str:
    """'a list', 'the text ...', 'the number 5', ... what a value is, for every message about the shape of an
    input (PDD fields, parameters, overrides, rule files): one wording everywhere, text cut to 60 characters."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return f"the true/false value {str(value).lower()}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return f"the text {value[:60]!r}"
    if isinstance(value, (int, Decimal)):
        return f"the number {value}"
    if isinstance(value, _dt.date):
        return f"the date {value.isoformat()}"
    return f"{value!r}"[:80]


def load_mapping(path, what: str, error: type[PacmInputError] = PacmInputError, load=None) -> tuple[Document, dict]:
    """Read a YAML file whose document must be a mapping; any problem is raised as ``error`` (e.g. a
    :class:`~pacm.errors.RulePackError` for a rule-pack file). ``load`` replaces :func:`load_file`."""
    try:
        doc = (load or load_file)(path)
        return doc, expect_mapping(doc, what)
    except PacmInputError as exc:
        if isinstance(exc, error):
            raise
        raise error(exc.source, exc.problems) from None


def expect_mapping(doc: Document, what: str = "a mapping of keys to values") -> dict:
    if doc.data is None:  # '---' alone, or 'null'
        raise PacmInputError.single(doc.source, "empty-file", "the file has no content (only comments, '---' or null)", expected=what)
    if not isinstance(doc.data, dict):
        raise PacmInputError.single(
            doc.source,
            "not-a-mapping",
            f"the document is {describe_kind(doc.data)}",
            loc=where((), 1) if doc.data is not None else "",
            expected=what,
        )
    return doc.data


__all__ = [
    "Document",
    "load_file",
    "loads_yaml",
    "loads_json",
    "expect_mapping",
    "describe_kind",
    "format_path",
    "where",
    "MAX_BYTES",
    "MAX_DEPTH",
    "_dt",
]
