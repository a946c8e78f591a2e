"""The rules of card/frontmatter.py, each pinned exactly: the bytes an edit writes, the messages (with path, line and
hint) a user reads, the limits of the bounded YAML loader at their boundary, the values it loads.

Hostile-size inputs stay small: the limits are the module's constants (monkeypatched down where the real one would
need a big input)."""

from __future__ import annotations

import datetime as dt
import math

import pytest
import yaml

from evalcard.card import frontmatter as fm
from evalcard.card.frontmatter import BigNumber, front_matter_end, load_yaml_strict, parse_card, same_data
from evalcard.errors import CardLayoutError, CardParseError, InputLimitError

FIX_HINT = "Fix the YAML front matter between the two '---' lines and retry."
LIMIT_HINT = (
    "evalcard refuses such input instead of running out of time or memory; write the values out plainly "
    "(no YAML aliases, less nesting) and retry."
)
FLOW_HINT = "Write the front matter in block style (one `key: value` per line) and retry; nothing was changed."
LAYOUT_HINT = "Please report this card; as a workaround edit the front matter by hand."


def _error(exc_type, fn, *args, **kwargs):
    with pytest.raises(exc_type) as info:
        fn(*args, **kwargs)
    return info.value


def _parse_error(text, path="R.md"):
    return _error(CardParseError, parse_card, text, path=path)


# --------------------------------------------------------------------------------------------------------------------
# BigNumber


def test_big_number_equality_and_hash_go_by_the_text():
    assert BigNumber("12") == BigNumber("12")
    assert (BigNumber("12") == BigNumber("13")) is False
    assert (BigNumber("12") == "12") is False
    assert (BigNumber("12") == 12) is False
    assert len({BigNumber("12"), BigNumber("12"), BigNumber("13")}) == 2
    assert str(BigNumber("0x1f")) == "0x1f"
    assert repr(BigNumber("1_234")) == "<integer of 4 digits>"


# --------------------------------------------------------------------------------------------------------------------
# integers: digits and bits at their limits (a number at the limit is a number, one past it is a BigNumber)


def test_integer_digit_limit_is_exact():
    # leading zeros make an octal literal of MAX_INT_DIGITS digits whose value is small
    at = "0" * (fm.MAX_INT_DIGITS - 1) + "1"
    assert load_yaml_strict(f"a: {at}") == {"a": 1}
    past = "0" * fm.MAX_INT_DIGITS + "1"
    big = load_yaml_strict(f"a: {past}")["a"]
    assert isinstance(big, BigNumber) and big.text == past


def test_integer_bit_limit_is_exact():
    bits = fm.MAX_INT_DIGITS * 3
    assert bits % 4 == 0
    at = "0x" + "f" * (bits // 4)  # exactly `bits` bits, few digits
    assert load_yaml_strict(f"a: {at}") == {"a": 2**bits - 1}
    past = "0x1" + "f" * (bits // 4)  # one bit more
    big = load_yaml_strict(f"a: {past}")["a"]
    assert isinstance(big, BigNumber) and big.text == past and str(big) == past


def test_a_long_integer_tag_on_a_sequence_is_an_error_not_a_number():
    short = _parse_error("---\nx: !!int [1]\n---\n")
    assert str(short) == "R.md:2: invalid YAML: expected a scalar node, but found sequence"
    long = _parse_error("---\nx: !!int [" + "1" * (fm.MAX_INT_DIGITS + 1) + "]\n---\n")
    assert str(long) == str(short)


# --------------------------------------------------------------------------------------------------------------------
# limits of the loader, at the boundary, with the message, path and line


def test_alias_limit_is_exact():
    head = "a: &x 1\nb:\n"
    ok = load_yaml_strict(head + "- *x\n" * fm.MAX_ALIASES)
    assert ok == {"a": 1, "b": [1] * fm.MAX_ALIASES}
    text = "---\n" + head + "- *x\n" * (fm.MAX_ALIASES + 1) + "---\n"
    e = _error(InputLimitError, parse_card, text, path="R.md")
    # the alias past the limit is on YAML line MAX_ALIASES + 3, file line MAX_ALIASES + 4
    assert str(e) == f"R.md:{fm.MAX_ALIASES + 4}: more than {fm.MAX_ALIASES} YAML aliases (*name)"
    assert e.line == fm.MAX_ALIASES + 4 and e.path == "R.md" and e.hint == LIMIT_HINT


def test_depth_limit_is_exact():
    d = fm.MAX_DEPTH
    assert load_yaml_strict("[" * d + "]" * d) == _nested(d)
    assert load_yaml_strict("[" * (d - 1) + "1" + "]" * (d - 1)) == _nested(d - 1, 1)
    for text in ("[" * (d + 1) + "]" * (d + 1), "[" * d + "1" + "]" * d):
        e = _error(InputLimitError, load_yaml_strict, text)
        assert str(e) == f"<card>:1: YAML nested more than {d} levels deep"


def test_depth_counts_back_down_after_a_sibling():
    # a sibling that ends before the deep branch must not make the deep branch look shallower
    half = fm.MAX_DEPTH // 2
    rest = fm.MAX_DEPTH - half
    too_deep = "[" * half + "[], " + "[" * (rest + 1) + "]" * (rest + 1) + "]" * half
    _error(InputLimitError, load_yaml_strict, too_deep)
    at_limit = "[" * half + "[], " + "[" * rest + "]" * rest + "]" * half
    load_yaml_strict(at_limit)


def test_depth_error_has_the_file_line_and_path():
    text = "---\nlicense: mit\nx: " + "[" * (fm.MAX_DEPTH + 1) + "]" * (fm.MAX_DEPTH + 1) + "\n---\n"
    e = _error(InputLimitError, parse_card, text, path="cards/R.md")
    assert str(e) == f"cards/R.md:3: YAML nested more than {fm.MAX_DEPTH} levels deep"
    assert (e.path, e.line, e.hint) == ("cards/R.md", 3, LIMIT_HINT)


def _nested(depth, leaf=None):
    value = [] if leaf is None else [leaf]
    for _ in range(depth - 1):
        value = [value]
    return value


def test_node_limit_is_exact(monkeypatch):
    monkeypatch.setattr(fm, "MAX_NODES", 5)
    assert load_yaml_strict("a: 1\nb: 2") == {"a": 1, "b": 2}  # a mapping, two keys, two values
    e = _error(InputLimitError, parse_card, "---\na: 1\nb: 2\nc: 3\n---\n", path="R.md")
    assert str(e) == "R.md:4: YAML document too large: more than 5 values"
    assert e.line == 4


EXPANDED = "a: &x [1, 2, 3]\nb: [*x, *x, *x]\n"  # 8 nodes as written, 20 once the aliases are expanded


def test_expanded_size_limit_is_exact(monkeypatch):
    monkeypatch.setattr(fm, "MAX_NODES", 20)
    assert load_yaml_strict(EXPANDED) == {"a": [1, 2, 3], "b": [[1, 2, 3]] * 3}
    monkeypatch.setattr(fm, "MAX_NODES", 19)  # the root is the first node past it
    e = _error(InputLimitError, parse_card, "---\n" + EXPANDED + "---\n", path="R.md")
    msg = "YAML document too large: more than 19 values once its aliases are expanded (an alias bomb?)"
    assert str(e) == f"R.md:2: {msg}"
    monkeypatch.setattr(fm, "MAX_NODES", 12)  # the sequence of aliases (13 nodes), on YAML line 2, is
    e = _error(InputLimitError, parse_card, "---\n" + EXPANDED + "---\n", path="R.md")
    assert str(e) == "R.md:3: " + msg.replace("19", "12")


def test_expanded_size_counts_mappings(monkeypatch):
    text = "a: &x {k: 1, l: 2}\nb: [*x, *x]\n"  # 1 + (1 + 5) + (1 + 1 + 5 + 5) = 19
    monkeypatch.setattr(fm, "MAX_NODES", 19)
    assert load_yaml_strict(text) == {"a": {"k": 1, "l": 2}, "b": [{"k": 1, "l": 2}] * 2}
    monkeypatch.setattr(fm, "MAX_NODES", 18)
    _error(InputLimitError, load_yaml_strict, text)


def test_an_anchor_used_twice_is_not_recursive():
    assert load_yaml_strict("a: &x [1]\nb: *x\nc: [*x, *x]") == {"a": [1], "b": [1], "c": [[1], [1]]}
    # the alias is reached after the anchor's node is done: it is off the path by then
    assert load_yaml_strict("a: [&x [1]]\nb: [[*x]]") == {"a": [[1]], "b": [[[1]]]}
    assert load_yaml_strict("a: &x {k: [1]}\nb: {m: *x, n: *x}") == {"a": {"k": [1]}, "b": {"m": {"k": [1]}, "n": {"k": [1]}}}


@pytest.mark.parametrize(
    "text, line",
    [
        ("---\na: &x [*x]\n---\n", 2),
        ("---\nlicense: mit\na: &x\n- 1\n- [2, *x]\n---\n", 3),  # the line of the anchor
        ("---\na: &x {k: *x}\n---\n", 2),
    ],
)
def test_recursive_alias_is_refused_with_its_line(text, line):
    e = _error(InputLimitError, parse_card, text, path="R.md")
    assert str(e) == f"R.md:{line}: recursive YAML alias (an anchor used inside itself)"


def test_nesting_past_the_interpreter_stack_is_a_limit_error(monkeypatch):
    # the backstop behind MAX_DEPTH: with the depth limit out of the way, the recursion limit is still an error
    monkeypatch.setattr(fm, "MAX_DEPTH", 10**6)
    e = _error(InputLimitError, load_yaml_strict, "[" * 5000 + "]" * 5000, path="R.md")
    assert str(e) == "R.md: YAML nested too deeply"
    assert (e.path, e.line, e.hint) == ("R.md", None, LIMIT_HINT)


# --------------------------------------------------------------------------------------------------------------------
# messages of the loader


@pytest.mark.parametrize(
    "text, message",
    [
        ("a: 1\na: 2", "R.md:2: invalid YAML: duplicate key 'a' (first on line 1 of the front matter)"),
        ("x: 0\na: 1\nb: 2\na: 3", "R.md:4: invalid YAML: duplicate key 'a' (first on line 2 of the front matter)"),
        ("a: 1\n  \tb: 1", "R.md:2: tab character used for indentation (YAML allows spaces only)"),
        ("a:\n\tb: 1", "R.md:2: tab character used for indentation (YAML allows spaces only)"),
        ("a: 1\n- b", "R.md:2: invalid YAML: while parsing a block mapping expected <block end>, but found '-'"),
        ("a: 2024-13-45", "R.md:1: invalid YAML: cannot read the value '2024-13-45': month must be in 1..12"),
        (
            "a: !!float " + "x" * 40,
            "R.md:1: invalid YAML: cannot read the value '" + "x" * 40 + "': could not convert string to float: '" + "x" * 40 + "'",
        ),
        (
            "a: !!float " + "y" * 41,
            "R.md:1: invalid YAML: cannot read the value '" + "y" * 40 + "…': could not convert string to float: '" + "y" * 41 + "'",
        ),
        ("x: !!map [[1]]", "R.md:1: invalid YAML: cannot read the value '<sequence>': cannot unpack non-iterable SequenceNode object"),
        (
            "a: \x07",
            'R.md: invalid YAML: unacceptable character #x0007: special characters are not allowed\n  in "<unicode string>", position 3',
        ),
        # a key constructed in full before it is checked: its bad value is named, not "unhashable key"
        ("? [2024-13-45]\n: x", "R.md:1: invalid YAML: cannot read the value '2024-13-45': month must be in 1..12"),
        ("? {a: [2024-13-45]}\n: x", "R.md:1: invalid YAML: cannot read the value '2024-13-45': month must be in 1..12"),
        # values are read in document order, a sequence after the mapping it sits in
        ("a: [2024-13-45]\nb: 2024-13-46", "R.md:2: invalid YAML: cannot read the value '2024-13-46': month must be in 1..12"),
    ],
)
def test_loader_messages(text, message):
    e = _error(CardParseError, load_yaml_strict, text, path="R.md")
    assert str(e) == message
    assert e.path == "R.md" and e.hint == FIX_HINT


def test_loader_messages_count_lines_from_the_offset():
    e = _error(CardParseError, load_yaml_strict, "a: 1\na: 2", line_offset=10)
    assert str(e) == "<card>:12: invalid YAML: duplicate key 'a' (first on line 1 of the front matter)"
    e = _error(CardParseError, load_yaml_strict, "a:\n\tb: 1", line_offset=10)
    assert e.line == 12


def test_a_parser_error_without_a_position_or_text(monkeypatch):
    def fail(*args, **kwargs):
        raise yaml.MarkedYAMLError()

    monkeypatch.setattr(fm.yaml, "load", fail)
    e = _error(CardParseError, load_yaml_strict, "a: 1", path="R.md")
    assert str(e) == "R.md: invalid YAML: invalid YAML"
    assert e.line is None


@pytest.mark.parametrize(
    "text, data",
    [
        ("X\tY: 1", {"X\tY": 1}),
        ("a: b\tc", {"a": "b\tc"}),
        ("a: !!set {x: null}", {"a": {"x"}}),
        ("a: !!binary aGk=", {"a": b"hi"}),
        ("a: 2024-01-02", {"a": dt.date(2024, 1, 2)}),
        ("? [1, 2]\n: x", None),
    ],
)
def test_loader_values(text, data):
    if data is None:
        _error(CardParseError, load_yaml_strict, text)  # an unhashable key
    else:
        assert load_yaml_strict(text) == data


# --------------------------------------------------------------------------------------------------------------------
# parse_card


def test_parse_card_messages_name_path_line_and_hint():
    cases = [
        ("a\ud800b", "R.md: not UTF-8 text (byte 1)", None, "Save the card as UTF-8."),
        (b"ab\xff", "R.md: not UTF-8 text (byte 2)", None, "Save the card as UTF-8."),
        (b"a\x00b", "R.md: binary file (contains NUL bytes)", None, "Pass a README.md text file."),
        ("---\n- a\n---\n", "R.md:2: front matter must be a mapping of keys, got list", 2, FIX_HINT),
        ("\n---\n7\n---\n", "R.md:3: front matter must be a mapping of keys, got int", 3, FIX_HINT),
        (
            "--- \nlicense: mit\n---\n",
            "R.md:1: the front matter's opening '---' on line 1 has trailing spaces, so the Hub does not read it as metadata",
            1,
            "Remove the spaces after '---'.",
        ),
        (
            "\n---\t\nlicense: mit\n---\n",
            "R.md:2: the front matter's opening '---' on line 2 has trailing spaces, so the Hub does not read it as metadata",
            2,
            "Remove the spaces after '---'.",
        ),
        # the opening line has trailing spaces, but the closing one is not at column 0: not closed either way
        ("  --- \nlicense: mit\n  --- \n", "R.md:1: front matter opened with '---' on line 1 is never closed", 1, "Add a line with '---' after the YAML metadata."),
        ("---\nlicense: mit\n", "R.md:1: front matter opened with '---' on line 1 is never closed", 1, "Add a line with '---' after the YAML metadata."),
        (
            "---\n  # note\nlicense: mit\n",
            "R.md:1: front matter opened with '---' on line 1 is never closed",
            1,
            "Add a line with '---' after the YAML metadata.",
        ),
        ("---\na: 1\na: 2\n---\n", "R.md:3: invalid YAML: duplicate key 'a' (first on line 1 of the front matter)", 3, FIX_HINT),
        # a file with CR line ends counts its lines by CR
        ("---\ra: 1\ra: 2\r---", "R.md:3: invalid YAML: duplicate key 'a' (first on line 1 of the front matter)", 3, FIX_HINT),
    ]
    for content, message, line, hint in cases:
        e = _parse_error(content)
        assert (str(e), e.line, e.hint, e.path) == (message, line, hint, "R.md"), content


@pytest.mark.parametrize("text", ["---\n", "---\n# only a comment\n", "---\n\n", "---\nnot metadata\n", "\n---\n\n"])
def test_an_opening_line_alone_is_a_horizontal_rule(text):
    card = parse_card(text, path="R.md")
    assert (card.data, card.yaml_span, card.body, card.render()) == ({}, None, text, text.encode())


def test_front_matter_end():
    assert front_matter_end("---\na: 1\n---\nbody") == 13
    assert front_matter_end("---\n---\nbody") == 8
    assert front_matter_end("---\r\na: 1\r\n---\r\nbody") == 16
    assert front_matter_end("# title\n---\na: 1\n---\n") == 0
    assert front_matter_end("---\na: 1\n") == 0


def test_the_newline_of_a_card_is_read_from_its_first_4096_characters():
    # a card without front matter gets one with the card's newline
    at = "x" * 4094 + "\r\n"  # the first CRLF ends at character 4096
    assert parse_card(at).with_key("a", "b").render() == ("---\r\na: b\r\n---\r\n" + at).encode()
    past = "x" * 4095 + "\r\n"  # its LF is character 4097
    assert parse_card(past).with_key("a", "b").render() == ("---\na: b\n---\n" + past).encode()


def test_a_card_without_front_matter_keeps_bom_newline_and_path():
    card = parse_card("\ufeff# T\r\nx\r\n".encode(), path="R.md")
    assert (card.bom, card.newline, card.path) == (True, "\r\n", "R.md")
    edited = card.with_key("license", "mit")
    assert edited.render() == "\ufeff---\r\nlicense: mit\r\n---\r\n# T\r\nx\r\n".encode()
    assert (edited.path, edited.data, edited.body) == ("R.md", {"license": "mit"}, "# T\r\nx\r\n")


# --------------------------------------------------------------------------------------------------------------------
# with_key: the exact bytes of an edit


def _edit(text, key, value, **kwargs):
    return parse_card(text.encode(), path="R.md").with_key(key, value, **kwargs).render().decode()


@pytest.mark.parametrize(
    "text, key, value, expected",
    [
        # replacing a key's block
        ("---\na: 1\nb: 2\n---\nbody\n", "a", 5, "---\na: 5\nb: 2\n---\nbody\n"),
        ("---\na: 1  \nb: 2\n---\n", "a", 5, "---\na: 5\nb: 2\n---\n"),
        ("---\na: X\nb: 1\n---\n", "a", 5, "---\na: 5\nb: 1\n---\n"),
        ("---\na:\n  X\nb: 1\n---\n", "a", "new", "---\na: new\nb: 1\n---\n"),
        ("---\na: 1\nb : 2\n---\n", "a", 5, "---\na: 5\nb : 2\n---\n"),
        ("---\na:\n- 1\n# c\n- 2\nb: 1\n---\n", "a", [3], "---\na:\n- 3\nb: 1\n---\n"),
        ("---\na:\n-\n- x\nb: 1\n---\n", "a", ["y"], "---\na:\n- y\nb: 1\n---\n"),
        ("---\na:\n  b: 1\n  # trailing\nc: 2\n---\n", "a", {"b": 2}, "---\na:\n  b: 2\n  # trailing\nc: 2\n---\n"),
        ("---\na: 1 # one\n\n# about b\nb: 2\n---\n", "a", 5, "---\na: 5\n\n# about b\nb: 2\n---\n"),
        ("---\n'a': 1\n\"b\": 2\n---\n", "a", 5, "---\na: 5\n\"b\": 2\n---\n"),
        ("---\n'a': 1\n\"b\": 2\n---\n", "b", 5, "---\n'a': 1\nb: 5\n---\n"),
        ("---\r\na: 1\r\nb:\r\n- 2\r\n---\r\n", "b", [3, 4], "---\r\na: 1\r\nb:\r\n- 3\r\n- 4\r\n---\r\n"),
        # what the dumped block looks like: unicode as is, no line wrapping, a value ending in X kept whole
        ("---\na: 1\n---\n", "a", "café", "---\na: café\n---\n"),
        ("---\na: 1\n---\n", "a", "word " * 40 + "end", "---\na: " + "word " * 40 + "end\n---\n"),
        ("---\na: 1\n---\n", "a", "endX", "---\na: endX\n---\n"),
        ("---\na: 1\n---\n", "a", {"z": 1, "y": [1, 2]}, "---\na:\n  z: 1\n  y:\n  - 1\n  - 2\n---\n"),
        # adding a key after the last content line
        ("---\nlicense: mit  \n---\n", "k", "v", "---\nlicense: mit  \nk: v\n---\n"),
        ("---\nname: fooX\n---\n", "k", "v", "---\nname: fooX\nk: v\n---\n"),
        ("---\nname: foo\n\n\n---\n", "k", "v", "---\nname: foo\nk: v\n\n\n---\n"),
        ("---\n# c\n---\n", "k", "v", "---\n# c\nk: v\n---\n"),
        ("---\n\n---\n", "k", "v", "---\nk: v\n---\n"),
        ("---\n---\nbody", "k", "v", "---\nk: v\n---\nbody"),
        ("---\r\n---\r\nbody", "k", "v", "---\r\nk: v\r\n---\r\nbody"),
        # removing a key (from a card as read)
        ("---\na: 1\nb: 2\n---\nbody\n", "a", None, "---\nb: 2\n---\nbody\n"),
        ("---\na: 1\nb: 2\n---\nbody\n", "b", None, "---\na: 1\n---\nbody\n"),
        ("---\r\na: 1\r\nb: 2\r\n---\r\nbody\r\n", "a", None, "---\r\nb: 2\r\n---\r\nbody\r\n"),
        ("---\r\na: 1\r\nb: 2\r\n---\r\nbody\r\n", "b", None, "---\r\na: 1\r\n---\r\nbody\r\n"),
        ("---\ra: 1\rb: 2\r---", "a", None, "---\rb: 2\r---"),
        ("---\ra: 1\rb: 2\r---", "b", None, "---\ra: 1\r---"),
        ("---\na: 1\n---\nbody", "a", None, "---\n\n---\nbody"),
        ("---\na:\n- 1\n# c\nb: 2\n---\n", "a", None, "---\n# c\nb: 2\n---\n"),
        # YAML's NEL ends a line too
        ("---\na: 1\x85b: 2\n---\n", "b", None, "---\na: 1\n---\n"),
        ("---\na:\n-\x85- x\nb: 1\n---\n", "a", ["y"], "---\na:\n- y\nb: 1\n---\n"),
        # a flow mapping whose key starts a line can be spliced in place
        ("---\n{a: 1,\nb: 2\n,c: 3}\n---\n", "b", 5, "---\n{a: 1,\nb: 5\n,c: 3}\n---\n"),
    ],
)
def test_edit_bytes(text, key, value, expected):
    assert _edit(text, key, value) == expected


def test_an_edit_keeps_the_path_and_only_the_way_back_gives_the_original():
    card = parse_card(b"---\na: 1\n---\n", path="R.md")
    edited = card.with_key("a", 2)
    assert edited.path == "R.md" and edited.data == {"a": 2}
    assert edited.with_key("b", 3).path == "R.md"
    assert edited.with_key("a", 1) is card
    assert card.with_key("a", 1) is card
    assert card.with_key("missing", None) is card


def test_removing_a_key_that_is_not_there_changes_nothing():
    card = parse_card(b"# T\n")
    assert card.with_key("a", None) is card
    edited = parse_card(b"---\na: 1\nb: 2\n---\n").with_key("a", 5)
    assert edited.with_key("zz", None) is edited


def test_removing_a_key_that_has_no_block_of_its_own_is_refused_not_ignored():
    # the key is there, but not as a `key:` line at column 0: the edit must fail, not return the card unchanged
    flow = parse_card(b"---\n{a: 1, b: 2}\n---\n", path="R.md")
    e = _error(CardLayoutError, flow.with_key, "a", None)
    assert str(e).startswith("R.md:2: cannot edit 'a' in place: the front matter is one flow mapping")
    assert flow.with_key("a", None, rewrite_front_matter=True).render() == b"---\nb: 2\n---\n"
    indented = parse_card(b"---\n  a: 1\n  b: 2\n---\n", path="R.md")
    e = _error(CardLayoutError, indented.with_key, "a", None)
    assert str(e) == "R.md: cannot edit 'a' without touching other keys (unusual YAML layout)"


def test_adding_to_an_empty_crlf_front_matter_keeps_crlf():
    card = parse_card(b"---\r\n---\r\nbody\r\n")
    assert (card.data, card.yaml_text, card.body) == ({}, "", "body\r\n")
    assert card.with_key("k", "v").render() == b"---\r\nk: v\r\n---\r\nbody\r\n"


def test_removing_the_only_key_of_a_card_without_newline_at_the_end():
    assert _edit("---\na: 1\n---", "a", None) == "---\n\n---"


# --------------------------------------------------------------------------------------------------------------------
# with_key: what cannot be spliced


FLOW = "---\n{a: [1, 2],\n b: 2,\n c: 3}\n---\nbody\n"


def test_a_flow_mapping_is_refused_with_its_line_count():
    e = _error(CardLayoutError, parse_card(("# x\n" * 0 + FLOW).encode(), path="R.md").with_key, "d", 4)
    assert str(e) == (
        "R.md:2: cannot edit 'd' in place: the front matter is one flow mapping ({...}), so the only way to change it "
        "is to rewrite all 3 line(s) of it, dropping its comments and layout"
    )
    assert (e.path, e.line, e.hint) == ("R.md", 2, FLOW_HINT)
    e = _error(CardLayoutError, parse_card(("\n\n" + FLOW).encode(), path="R.md").with_key, "d", 4)
    assert e.line == 4


@pytest.mark.parametrize(
    "text, key, value, expected",
    [
        (FLOW, "d", "caféX", "---\na:\n- 1\n- 2\nb: 2\nc: 3\nd: caféX\n---\nbody\n"),
        (FLOW.replace("\n", "\r\n"), "d", "word " * 40, "---\r\na:\r\n- 1\r\n- 2\r\nb: 2\r\nc: 3\r\nd: '" + "word " * 40 + "'\r\n---\r\nbody\r\n"),
        ("---\r{b: 1, a: 2}\r---", "c", {"z": 1, "y": 2}, "---\rb: 1\na: 2\nc:\n  z: 1\n  y: 2\r---"),
        ("---\n{a: 1}\n---\nbody", "a", None, "---\n\n---\nbody"),
        ("---\n{a: 1, b: 2}\n---\n", "a", None, "---\nb: 2\n---\n"),
    ],
)
def test_a_flow_mapping_is_rewritten_when_asked(text, key, value, expected):
    assert _edit(text, key, value, rewrite_front_matter=True) == expected


@pytest.mark.parametrize(
    "text, rewritten",
    [
        # libyaml reads these tabs, PyYAML's own scanner refuses them: the flow mapping is still told as one
        ("---\n{a:\t1,\nb: 2}\n---\nbody\n", "---\na: 1\nb: 2\nd: 4\n---\nbody\n"),
        ("---\n{a: [1,\t2], b: 2}\n---\nbody\n", "---\na:\n- 1\n- 2\nb: 2\nd: 4\n---\nbody\n"),
        # libyaml refuses a lone surrogate escape, PyYAML reads it
        ('---\n{a: "x\\ud800", b: 2}\n---\nbody\n', '---\na: "x\\uD800"\nb: 2\nd: 4\n---\nbody\n'),
    ],
)
def test_a_flow_mapping_only_one_of_the_two_parsers_reads_is_still_a_flow_mapping(text, rewritten):
    card = parse_card(text.encode(), path="R.md")
    e = _error(CardLayoutError, card.with_key, "d", 4)
    assert str(e).startswith("R.md:2: cannot edit 'd' in place: the front matter is one flow mapping ({...})")
    assert e.hint == FLOW_HINT
    assert _edit(text, "d", 4, rewrite_front_matter=True) == rewritten


def test_a_splice_that_changes_another_key_is_refused():
    # the quoted string runs over a line that looks like the key: the splice would change the string instead
    text = "---\ndesc: 'x\nlicense: y'\nlicense: mit\n---\n"
    card = parse_card(text.encode(), path="R.md")
    assert card.data == {"desc": "x license: y", "license": "mit"}
    for value in ("z'", "z"):
        e = _error(CardLayoutError, card.with_key, "license", value)
        assert str(e) == "R.md: cannot edit 'license' without touching other keys (unusual YAML layout)"
        assert (e.path, e.line, e.hint) == ("R.md", None, LAYOUT_HINT)


# --------------------------------------------------------------------------------------------------------------------
# same_data


@pytest.mark.parametrize(
    "a, b, same",
    [
        ({"a": 1, "b": 2}, {"a": 1, "b": 2}, True),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}, False),
        ({"a": 1, "b": 2}, {"a": 1, "c": 2}, False),
        ({"a": 1}, {"a": 1, "b": 2}, False),
        ([1, 2], [1, 2, 3], False),
        ([1, [2]], [1, [2]], True),
        (1, 1.0, False),
        (1, True, False),
        (math.nan, math.nan, True),
        (math.nan, 1.0, False),
        (1.0, math.nan, False),
        ({"v": [math.nan]}, {"v": [math.nan]}, True),
        ("a", "b", False),
    ],
)
def test_same_data(a, b, same):
    assert same_data(a, b) is same
