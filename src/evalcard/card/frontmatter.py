"""Read and edit a card's YAML front matter without touching a byte the edit does not need.

* :func:`parse_card` splits a README into front matter and body with the same pattern the Hub uses
  (``huggingface_hub.repocard.REGEX_YAML_BLOCK``), parses the YAML strictly (duplicate keys, tabs, bad YAML and a
  missing closing ``---`` are errors with the file's line number) and keeps the original bytes.
* :meth:`Card.render` returns the original bytes when nothing changed.
* :meth:`Card.with_key` replaces (or adds, or removes) one top-level key by splicing its text block; every other
  line of the file (comments, quoting, key order, line endings, BOM, body) stays as it was. The edit is checked by
  re-parsing: the new front matter must equal the old one with only that key changed. A front matter whose root is
  a flow mapping (``{...}``) cannot be spliced: the edit is refused (:class:`CardLayoutError`) instead of rewriting
  the whole front matter and dropping its comments, unless the caller asks for that rewrite explicitly.
* Hostile YAML is refused before it is walked: alias bombs (too many aliases, or an expanded size past
  :data:`MAX_NODES`), recursive aliases, nesting deeper than :data:`MAX_DEPTH`, and values PyYAML cannot construct
  (``2024-13-45``) are :class:`~evalcard.errors.CardParseError` s with the line; integers too long for Python to
  print are kept as :class:`BigNumber` (written back as they were).
"""

from __future__ import annotations

import gc
import re
import sys
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import CardLayoutError, CardParseError, InputLimitError

#: limits on a YAML document (front matter or ``.eval_results`` file), checked while composing, before constructing
MAX_ALIASES = 1000
#: nodes after expanding aliases (a 10 000-result model-index is about 250 000)
MAX_NODES = 2_000_000
MAX_DEPTH = 100
#: integers with more digits than this (Python refuses to print those over 4300) are kept as :class:`BigNumber`
MAX_INT_DIGITS = 4000

# The Hub's pattern (huggingface_hub.repocard.REGEX_YAML_BLOCK, kept in sync with the Hub server).
_YAML_BLOCK = re.compile(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))")
_EMPTY_BLOCK = re.compile(r"^(\s*---(?:\r\n|\r|\n))()(---[ \t]*(\r\n|\n|$))")
_OPENS = re.compile(r"^\s*---[ \t]*(?:\r\n|\r|\n|$)")
_BOM = "\ufeff"


class BigNumber:
    """An integer literal too long to be a number anyone means (and for Python to print): kept as written, compared
    by its text, written back as the same plain integer."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BigNumber) and other.text == self.text

    def __hash__(self) -> int:
        return hash(("BigNumber", self.text))

    def __repr__(self) -> str:
        return f"<integer of {sum(ch.isdigit() for ch in self.text)} digits>"

    def __str__(self) -> str:
        return self.text


yaml.SafeDumper.add_representer(BigNumber, lambda dumper, v: dumper.represent_scalar("tag:yaml.org,2002:int", v.text))


class _Limit(Exception):
    """A document past one of the limits; ``mark`` is where."""

    def __init__(self, message: str, mark: Any):
        super().__init__(message)
        self.message = message
        self.mark = mark


class _Checks:
    """What evalcard's YAML loaders add to PyYAML's safe loading: duplicate keys are refused (PyYAML silently keeps
    the last one), and so are documents past the limits: more than :data:`MAX_ALIASES` aliases, nesting deeper than
    :data:`MAX_DEPTH`, more than :data:`MAX_NODES` nodes once aliases are expanded, recursive aliases. The checks run
    while composing the node graph, before any Python object is built, so a 700-byte alias bomb costs
    microseconds, not gigabytes."""

    _depth = 0
    _aliases = 0
    _nodes = 0
    _resolved: dict | None = None

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise _Limit(f"more than {MAX_ALIASES} YAML aliases (*name)", self.peek_event().start_mark)
            return super().compose_node(parent, index)
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise _Limit(f"YAML document too large: more than {MAX_NODES:,} values", self.peek_event().start_mark)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _Limit(f"YAML nested more than {MAX_DEPTH} levels deep", self.peek_event().start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        # the same keys and values come back thousands of times in a big model-index; the tag of a plain scalar
        # depends on its text alone (no path resolvers are registered), so remember it
        if kind is not yaml.ScalarNode or len(value) > 64:
            return super().resolve(kind, value, implicit)
        if self._resolved is None:
            self._resolved = {}
        key = (value, implicit)
        tag = self._resolved.get(key)
        if tag is None:
            tag = self._resolved[key] = super().resolve(kind, value, implicit)
        return tag

    def get_single_data(self) -> Any:
        node = self.get_single_node()
        if node is None:
            return None
        if self._aliases:  # without aliases the node count is the size, already bounded while composing
            _check_expanded_size(node)
        return self.construct_document(node)

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, OverflowError, TypeError) as e:  # 2024-13-45, !!float abc, ...
            raise yaml.constructor.ConstructorError(None, None, f"cannot read the value {_short(node)}: {e}", node.start_mark) from None


class _StrictLoader(_Checks, yaml.SafeLoader):
    """The pure-Python loader: PyYAML's own scanner and parser (the reference for what a card may hold)."""


try:
    from yaml._yaml import CParser as _CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _FastLoader = None
else:

    class _FastLoader(_Checks, yaml.composer.Composer, _CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):  # type: ignore[no-redef]
        """libyaml's scanner and parser (three times faster on a big card) under the same Python composer, checks
        and constructor. Anything it refuses is read again by :class:`_StrictLoader`, whose verdict counts (libyaml
        refuses a few things PyYAML accepts, such as ``"\\ud800"`` escapes)."""

        def __init__(self, stream: Any):
            _CParser.__init__(self, stream)
            yaml.composer.Composer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)


def _short(node: Any) -> str:
    v = node.value if isinstance(node, yaml.ScalarNode) else f"<{node.id}>"
    return repr(v if len(v) <= 40 else v[:40] + "…")


def _check_expanded_size(root: Any) -> None:
    """Count the nodes of the document with every alias expanded, without expanding anything: each distinct node's
    size is computed once (iteratively, children first). Refuses recursive aliases and documents past MAX_NODES."""
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        nid = id(node)
        if done:
            on_path.discard(nid)
            total = 1
            if isinstance(node, yaml.SequenceNode):
                total += sum(size[id(c)] for c in node.value)
            elif isinstance(node, yaml.MappingNode):
                total += sum(size[id(k)] + size[id(v)] for k, v in node.value)
            if total > MAX_NODES:
                raise _Limit(f"YAML document too large: more than {MAX_NODES:,} values once its aliases are expanded (an alias bomb?)", node.start_mark)
            size[nid] = total
            continue
        if nid in size:
            continue
        # a node popped here is never on the path: it was not when pushed (checked below), and a node that got on
        # the path since then was pushed above it and is done before it pops
        if isinstance(node, yaml.ScalarNode):
            size[nid] = 1
            continue
        on_path.add(nid)
        stack.append((node, True))
        children = node.value if isinstance(node, yaml.SequenceNode) else [x for kv in node.value for x in kv]
        for c in children:
            if id(c) in on_path:
                raise _Limit("recursive YAML alias (an anchor used inside itself)", c.start_mark)
            if id(c) not in size:
                stack.append((c, False))


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> dict:
    # called by construct_object with the node alone; a deep construction is the loader's state (deep_construct)
    loader.flatten_mapping(node)
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first on line {seen[key].start_mark.line + 1} of the front matter)", key_node.start_mark
                )
            seen[key] = key_node
        except TypeError:  # unhashable key: let the base class complain
            pass
    return loader.construct_mapping(node)


def _construct_int(loader: Any, node: yaml.ScalarNode) -> Any:
    text = loader.construct_scalar(node)  # a ConstructorError for `!!int [...]`, however many digits it holds
    if sum(ch.isdigit() for ch in text) > MAX_INT_DIGITS:
        return BigNumber(text)
    value = yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    if value.bit_length() > MAX_INT_DIGITS * 3:  # a long hex/binary/sexagesimal literal: too long to print too
        return BigNumber(text)
    return value


for _loader in (_StrictLoader, _FastLoader):
    if _loader is not None:
        _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
        _loader.add_constructor("tag:yaml.org,2002:int", _construct_int)


def load_yaml_strict(text: str, *, path: str | None = None, line_offset: int = 0) -> Any:
    """Parse YAML, refusing duplicate keys and tab indentation; errors carry the 1-based line in the file."""
    for i, line in enumerate(text.splitlines()):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t") and stripped.strip():
            raise CardParseError("tab character used for indentation (YAML allows spaces only)", path=path, line=line_offset + i + 1)
    # the cyclic garbage collector would walk every node and object built so far, again and again, while a big
    # card loads (half the time of a 10,000-result card); YAML data holds no cycles the loader makes itself
    paused = gc.isenabled()
    if paused:
        gc.disable()
    try:
        if _FastLoader is not None:
            try:
                return yaml.load(text, Loader=_FastLoader)  # noqa: S506 - a SafeLoader equivalent
            except yaml.YAMLError:
                pass  # PyYAML's own parser decides, with its own message
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except _Limit as e:
        line = line_offset + e.mark.line + 1  # every limit is raised at a node or an event, with its mark
        raise InputLimitError(e.message, path=path, line=line) from None
    except RecursionError:  # pragma: no cover - MAX_DEPTH keeps the composer and constructor far from the limit
        raise InputLimitError("YAML nested too deeply", path=path) from None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = line_offset + mark.line + 1 if mark is not None else None
        msg = " ".join(str(x) for x in (e.context, e.problem) if x) or "invalid YAML"
        raise CardParseError(f"invalid YAML: {msg}", path=path, line=line) from None
    except yaml.YAMLError as e:
        raise CardParseError(f"invalid YAML: {e}", path=path) from None
    finally:
        if paused:
            gc.enable()


@dataclass
class Card:
    """A README split into front matter and body. ``data`` is the parsed front matter (``{}`` when there is none)."""

    raw: bytes
    text: str
    data: dict[str, Any]
    #: (start, end) of the YAML text inside ``text``; None when the card has no front matter
    yaml_span: tuple[int, int] | None
    newline: str = "\n"
    bom: bool = False
    path: str | None = None
    #: the card as read, for an edited card (an edit that brings the data back to it gives back its exact bytes)
    _origin: "Card | None" = field(default=None, repr=False, compare=False)

    @property
    def yaml_text(self) -> str:
        if self.yaml_span is None:
            return ""
        return self.text[self.yaml_span[0] : self.yaml_span[1]]

    @property
    def body(self) -> str:
        if self.yaml_span is None:
            return self.text
        m = _match_front_matter(self.text)
        assert m is not None
        return self.text[m.end() :]

    def render(self) -> bytes:
        """The card's bytes: the original ones when nothing was edited (an edited card is parsed from its new
        bytes, so ``raw`` is always them)."""
        return self.raw

    def _reparse(self, new_text: str, expected: dict) -> "Card | None":
        try:
            card = parse_card(((_BOM if self.bom else "") + new_text).encode("utf-8"), path=self.path)
        except CardParseError:
            return None
        if not same_data(card.data, expected) or list(card.data) != list(expected):
            return None
        return card

    def with_key(self, key: str, value: Any, *, rewrite_front_matter: bool = False) -> "Card":
        """A new card where top-level ``key`` is set to ``value`` (``None`` removes it); nothing else changes.

        Raises :class:`CardLayoutError` when the key's text cannot be spliced (a front matter that is one flow
        mapping, ``{...}``): rewriting the front matter whole would drop its comments and layout, so that happens
        only with ``rewrite_front_matter=True``. An edit that brings the data back to the card as read returns
        that card, byte for byte."""
        origin = self._origin or self
        expected = dict(self.data)
        if value is None:
            expected.pop(key, None)
        else:
            expected[key] = value
        if list(expected) == list(origin.data) and same_data(expected, origin.data):
            return origin
        nl = self.newline
        if value is not None:
            dumped = yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True, default_flow_style=False, width=sys.maxsize)
            block = dumped.rstrip("\n").replace("\n", nl)
        else:
            block = None
        if self.yaml_span is None:
            if block is None:
                return self
            new_text = f"---{nl}{block}{nl}---{nl}" + self.text
        else:
            ys, ye = self.yaml_span
            ytext = self.text[ys:ye]
            span = _key_block(ytext, key)
            if span is None and block is None:
                if key not in self.data:
                    return self
                new_y = ytext  # the key has no `key:` line (a flow mapping, an indented root): the re-parse refuses this
            elif span is None:
                # after the last line with content, before the blank lines that end the front matter
                content = ytext.rstrip("\r\n")
                trailing = ytext[len(content) :]
                new_y = (content + nl if content.strip() else content) + block + trailing
            elif block is not None:
                new_y = ytext[: span[0]] + block + ytext[span[1] :]
            else:
                head, tail = ytext[: span[0]], ytext[span[1] :]
                if tail:  # drop the newline that ended the removed block
                    tail = tail[2:] if tail.startswith("\r\n") else tail[1:]
                else:  # last key: drop the line break before it (the head is empty or ends with one)
                    head = head[:-2] if head.endswith("\r\n") else head[:-1]
                new_y = head + tail
            after = self.text[ye:]
            if new_y and not after.startswith(("\n", "\r")):
                new_y += nl  # an empty block had no newline before its closing '---'
            new_text = self.text[:ys] + new_y + after
        card = self._reparse(new_text, expected)
        if card is None and self.yaml_span is not None and _flow_root(self.yaml_text):
            if not rewrite_front_matter:
                raise CardLayoutError(
                    f"cannot edit '{key}' in place: the front matter is one flow mapping ({{...}}), so the only way to "
                    f"change it is to rewrite all {self.yaml_text.count(chr(10)) + 1} line(s) of it, dropping its comments and layout",
                    path=self.path,
                    line=self.text[: self.yaml_span[0]].count("\n") + 1,
                    hint="Write the front matter in block style (one `key: value` per line) and retry; nothing was changed.",
                )
            ys, ye = self.yaml_span
            dumped = yaml.safe_dump(expected, sort_keys=False, allow_unicode=True, default_flow_style=False, width=sys.maxsize)
            new_y = dumped.rstrip("\n").replace("\n", nl) if expected else ""
            # a flow mapping is never the empty block: the closing '---' has its newline before it
            card = self._reparse(self.text[:ys] + new_y + self.text[ye:], expected)
        if card is None:
            raise CardLayoutError(
                f"cannot edit '{key}' without touching other keys (unusual YAML layout)",
                path=self.path,
                hint="Please report this card; as a workaround edit the front matter by hand.",
            )
        card._origin = origin
        return card


def _flow_root(ytext: str) -> bool:
    """Whether the front matter's root is a flow mapping (``{...}``), which no splice can edit.

    ``ytext`` is front matter that :func:`load_yaml_strict` loaded, and it is composed the way that read it: libyaml's
    parser first (it accepts a tab PyYAML refuses, as in ``{a:\\t1}``), PyYAML's own where libyaml refuses (a
    ``"\\ud800"`` escape). So one of the two composes it, under the limits it already passed."""
    try:
        node = (_FastLoader or _StrictLoader)(ytext).get_single_node()
    except yaml.YAMLError:
        node = _StrictLoader(ytext).get_single_node()
    return isinstance(node, yaml.MappingNode) and bool(node.flow_style)


def same_data(a: Any, b: Any) -> bool:
    """Equality of parsed YAML that also tells ``1`` from ``1.0`` from ``true`` and counts NaN equal to NaN (an
    edit must reproduce the data exactly, and a ``.nan`` somewhere must not make every edit fail)."""
    stack = [(a, b)]
    while stack:
        x, y = stack.pop()
        if x is y:
            continue
        if type(x) is not type(y):
            return False
        if isinstance(x, dict):
            if len(x) != len(y) or list(x) != list(y):
                return False
            stack.extend((x[k], y[k]) for k in x)
        elif isinstance(x, list):
            if len(x) != len(y):
                return False
            stack.extend(zip(x, y))
        elif isinstance(x, float) and x != x:
            if y == y:
                return False
        elif x != y:
            return False
    return True


def _key_block(ytext: str, key: str) -> tuple[int, int] | None:
    """Character span of a top-level key's block in YAML text: from its key line to the last line that belongs to
    it (indented lines, or ``-`` items at column 0), trailing blank and comment lines excluded."""
    lines = ytext.splitlines(keepends=True)
    key_re = re.compile(r"^(?:" + re.escape(key) + r"|'" + re.escape(key) + r"'|\"" + re.escape(key) + r"\")[ \t]*:(?:[ \t]|\r?\n|\r|$)")
    pos = 0
    for start_line, line in enumerate(lines):
        if key_re.match(line):
            start = pos
            break
        pos += len(line)
    else:
        return None
    end = start + len(lines[start_line])
    last_content_end = end
    for line in lines[start_line + 1 :]:
        bare = line.rstrip()  # and any line break: YAML's NEL, LS and PS end a line too
        top_level = bare and not bare[0].isspace() and not bare.startswith("#")
        if top_level and not (bare == "-" or bare.startswith("- ")):  # `-<tab>item` is no YAML
            break
        end += len(line)
        if bare.strip() and not bare.lstrip().startswith("#"):
            last_content_end = end
    # end the block at its last content line, without that line's newline
    block = ytext[start:last_content_end]
    trimmed = block.rstrip("\r\n")
    return start, start + len(trimmed)


def _match_front_matter(text: str) -> "re.Match[str] | None":
    return _YAML_BLOCK.match(text) or _EMPTY_BLOCK.match(text)


def front_matter_end(text: str) -> int:
    """Where the body starts in a README's text (BOM removed): after the closing ``---`` of its front matter, or 0
    when it has none, by the same rules as :func:`parse_card` (the Hub's pattern). Every reader of README tables
    uses this, so table numbers never depend on which command reads the file."""
    m = _match_front_matter(text)
    return m.end() if m is not None else 0


#: a line that starts a YAML mapping the way card metadata does (``license: mit``, ``model-index:``)
_METADATA_KEY = re.compile(r"^[a-z_][a-z0-9_.-]*[ \t]*:(?:[ \t]|$)")


def _unclosed_front_matter(text: str) -> int | None:
    """The 1-based line of an opening ``---`` whose front matter is never closed, or None when the ``---`` is a
    horizontal rule (what follows it is not ``key: value`` metadata) and the file simply has no front matter."""
    if not _OPENS.match(text):
        return None
    lines = text.splitlines()
    first = next(i for i, ln in enumerate(lines) if ln.strip())
    following = next((ln for ln in lines[first + 1 :] if ln.strip() and not ln.lstrip().startswith("#")), "")
    if not _METADATA_KEY.match(following):
        return None
    return first + 1


def parse_card(content: bytes | str, *, path: str | None = None) -> Card:
    """Parse a README. Raises :class:`CardParseError` (with line number) for malformed front matter.

    The front matter is found with the Hub's own pattern. A first line ``---`` that nothing closes is a horizontal
    rule (the card has no front matter, as the Hub reads it) unless ``key: value`` metadata follows it, which is
    a front matter someone forgot to close: an error."""
    if isinstance(content, str):
        raw = content.encode("utf-8", errors="surrogatepass")
    else:
        raw = bytes(content)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise CardParseError(f"not UTF-8 text (byte {e.start})", path=path, hint="Save the card as UTF-8.") from None
    bom = text.startswith(_BOM)
    if bom:
        text = text[1:]
    if "\x00" in text:
        raise CardParseError("binary file (contains NUL bytes)", path=path, hint="Pass a README.md text file.")
    newline = "\r\n" if "\r\n" in text[:4096] else "\n"
    m = _match_front_matter(text)
    if m is None:
        line = _unclosed_front_matter(text)
        if line is not None:
            opening = text.splitlines()[line - 1]
            # the opening line is '---' with blanks around it; only dropping the ones after it can make it match
            if _match_front_matter(text.replace(opening, "---", 1)):
                raise CardParseError(
                    f"the front matter's opening '---' on line {line} has trailing spaces, so the Hub does not read it as metadata",
                    path=path,
                    line=line,
                    hint="Remove the spaces after '---'.",
                )
            raise CardParseError(
                f"front matter opened with '---' on line {line} is never closed",
                path=path,
                line=line,
                hint="Add a line with '---' after the YAML metadata.",
            )
        return Card(raw=raw, text=text, data={}, yaml_span=None, newline=newline, bom=bom, path=path)
    ys, ye = m.start(2), m.end(2)
    if ys == ye and text[ys - 1 : ys + 1] == "\r\n":  # '---\r\n---': the pattern splits the CRLF between its groups
        ys = ye = ys + 1
    line_offset = text[:ys].count("\n") if "\n" in text[:ys] else text[:ys].count("\r")
    data = load_yaml_strict(text[ys:ye], path=path, line_offset=line_offset)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise CardParseError(f"front matter must be a mapping of keys, got {type(data).__name__}", path=path, line=line_offset + 1)
    return Card(raw=raw, text=text, data=data, yaml_span=(ys, ye), newline=newline, bom=bom, path=path)
