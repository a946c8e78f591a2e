"""Read and edit a card's YAML front matter without touching a byte the edit does not need.

* :func:`parse_card` splits a README into front matter and body with the same pattern the Hub uses
  (``huggingface_hub.repocard.REGEX_YAML_BLOCK``), parses the YAML strictly (duplicate keys, tabs, bad YAML and a
  missing closing ``---`` are errors with the file's line number) and keeps the original bytes.
* :meth:`Card.render` returns the original bytes when nothing changed.
* :meth:`Card.with_key` replaces (or adds, or removes) one top-level key by splicing its text block; every other
  line of the file (comments, quoting, key order, line endings, BOM, body) stays as it was. The edit is checked by
  re-parsing: the new front matter must equal the old one with only that key changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from ..errors import CardParseError

# The Hub's pattern (huggingface_hub.repocard.REGEX_YAML_BLOCK, kept in sync with the Hub server).
_YAML_BLOCK = re.compile(r"^(\s*---(?:\r\n|\r|\n))([\S\s]*?)((?:\r\n|\r|\n)---[ \t]*(\r\n|\n|$))")
_EMPTY_BLOCK = re.compile(r"^(\s*---(?:\r\n|\r|\n))()(---[ \t]*(\r\n|\n|$))")
_OPENS = re.compile(r"^\s*---[ \t]*(?:\r\n|\r|\n|$)")
_BOM = "\ufeff"


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML silently keeps the last one)."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
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
    return loader.construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def load_yaml_strict(text: str, *, path: str | None = None, line_offset: int = 0) -> Any:
    """Parse YAML, refusing duplicate keys and tab indentation; errors carry the 1-based line in the file."""
    for i, line in enumerate(text.splitlines()):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t") and stripped.strip():
            raise CardParseError("tab character used for indentation (YAML allows spaces only)", path=path, line=line_offset + i + 1)
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = line_offset + mark.line + 1 if mark is not None else None
        msg = " ".join(str(x) for x in (e.context, e.problem) if x) or "invalid YAML"
        raise CardParseError(f"invalid YAML: {msg}", path=path, line=line) from None
    except yaml.YAMLError as e:
        raise CardParseError(f"invalid YAML: {e}", path=path) from None


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
    _changed: bool = field(default=False, repr=False)

    @property
    def yaml_text(self) -> str:
        if self.yaml_span is None:
            return ""
        return self.text[self.yaml_span[0] : self.yaml_span[1]]

    @property
    def body(self) -> str:
        if self.yaml_span is None:
            return self.text
        m = _YAML_BLOCK.match(self.text) or _EMPTY_BLOCK.match(self.text)
        assert m is not None
        return self.text[m.end() :]

    def render(self) -> bytes:
        """The card's bytes: the original ones when nothing was edited."""
        if not self._changed:
            return self.raw
        return ((_BOM if self.bom else "") + self.text).encode("utf-8")

    def _reparse(self, new_text: str, expected: dict) -> "Card | None":
        try:
            card = parse_card(((_BOM if self.bom else "") + new_text).encode("utf-8"), path=self.path)
        except CardParseError:
            return None
        if card.data != expected or list(card.data) != list(expected):
            return None
        return card

    def with_key(self, key: str, value: Any) -> "Card":
        """A new card where top-level ``key`` is set to ``value`` (``None`` removes it); nothing else changes."""
        nl = self.newline
        if value is not None:
            dumped = yaml.safe_dump({key: value}, sort_keys=False, allow_unicode=True, default_flow_style=False, width=10**9)
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
            if span is None:
                if block is None:
                    return self
                if not ytext.strip():
                    new_y = ytext + block
                else:
                    new_y = ytext + ("" if ytext.endswith(("\n", "\r")) else nl) + block
            elif block is not None:
                new_y = ytext[: span[0]] + block + ytext[span[1] :]
            else:
                head, tail = ytext[: span[0]], ytext[span[1] :]
                if tail:  # drop the newline that ended the removed block
                    tail = tail[2:] if tail.startswith("\r\n") else tail[1:]
                else:  # last key: drop the newline before it
                    head = head[:-2] if head.endswith("\r\n") else head[:-1] if head.endswith(("\n", "\r")) else head
                new_y = head + tail
            after = self.text[ye:]
            if new_y and not after.startswith(("\r\n", "\n", "\r")):
                new_y += nl  # an empty block had no newline before its closing '---'
            new_text = self.text[:ys] + new_y + after
        expected = dict(self.data)
        if value is None:
            expected.pop(key, None)
        else:
            expected[key] = value
        card = self._reparse(new_text, expected)
        if card is None and self.yaml_span is not None:
            # A layout the splice cannot handle (e.g. a flow-style '{...}' root): rewrite the front matter whole.
            ys, ye = self.yaml_span
            dumped = yaml.safe_dump(expected, sort_keys=False, allow_unicode=True, default_flow_style=False, width=10**9)
            new_y = dumped.rstrip("\n").replace("\n", nl) if expected else ""
            after = self.text[ye:]
            if new_y and not after.startswith(("\r\n", "\n", "\r")):
                new_y += nl
            card = self._reparse(self.text[:ys] + new_y + after, expected)
        if card is None:
            raise CardParseError(
                f"cannot edit '{key}' without touching other keys (unusual YAML layout)",
                path=self.path,
                hint="Please report this card; as a workaround edit the front matter by hand.",
            )
        card._changed = True
        return card


def _key_block(ytext: str, key: str) -> tuple[int, int] | None:
    """Character span of a top-level key's block in YAML text: from its key line to the last line that belongs to
    it (indented lines, or ``-`` items at column 0), trailing blank and comment lines excluded."""
    lines = ytext.splitlines(keepends=True)
    key_re = re.compile(r"^(?:" + re.escape(key) + r"|'" + re.escape(key) + r"'|\"" + re.escape(key) + r"\")[ \t]*:(?:[ \t]|\r?\n|\r|$)")
    pos = 0
    start = None
    start_line = None
    for i, line in enumerate(lines):
        if key_re.match(line):
            start, start_line = pos, i
            break
        pos += len(line)
    if start is None:
        return None
    end = start + len(lines[start_line])
    last_content_end = end
    for line in lines[start_line + 1 :]:
        bare = line.rstrip("\r\n")
        top_level = bare and not bare[0].isspace() and not bare.startswith("#")
        if top_level and not (bare == "-" or bare.startswith("- ") or bare.startswith("-\t")):
            break
        end += len(line)
        if bare.strip() and not bare.lstrip().startswith("#"):
            last_content_end = end
    # end the block at its last content line, without that line's newline
    block = ytext[start:last_content_end]
    trimmed = block.rstrip("\r\n")
    return start, start + len(trimmed)


def parse_card(content: bytes | str, *, path: str | None = None) -> Card:
    """Parse a README. Raises :class:`CardParseError` (with line number) for malformed front matter."""
    if isinstance(content, str):
        raw = content.encode("utf-8")
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
    m = _YAML_BLOCK.match(text) or _EMPTY_BLOCK.match(text)
    if m is None:
        if _OPENS.match(text):
            line = text[: text.find("---")].count("\n") + 1
            raise CardParseError(
                f"front matter opened with '---' on line {line} is never closed",
                path=path,
                line=line,
                hint="Add a line with '---' after the YAML metadata.",
            )
        return Card(raw=raw, text=text, data={}, yaml_span=None, newline=newline, bom=bom, path=path)
    ys, ye = m.start(2), m.end(2)
    line_offset = text[:ys].count("\n") if "\n" in text[:ys] else text[:ys].count("\r")
    data = load_yaml_strict(text[ys:ye], path=path, line_offset=line_offset)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise CardParseError(f"front matter must be a mapping of keys, got {type(data).__name__}", path=path, line=line_offset + 1)
    return Card(raw=raw, text=text, data=data, yaml_span=(ys, ye), newline=newline, bom=bom, path=path)
