from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evalcard.card.frontmatter import parse_card
from evalcard.errors import CardLayoutError, CardParseError

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.md"))


def test_corpus_is_there():
    assert len(CORPUS_FILES) >= 20, f"corpus not found at {CORPUS}"


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_round_trip_is_byte_identical(path):
    raw = path.read_bytes()
    card = parse_card(raw, path=str(path))
    assert card.render() == raw
    # setting model-index to what it already is, removing it, and putting it back keep the rest of the file
    mi = [{"name": "x", "results": [{"task": {"type": "t"}, "dataset": {"name": "D", "type": "d"}, "metrics": [{"type": "acc", "value": 1.5}]}]}]
    edited = card.with_key("model-index", mi)
    assert edited.body == card.body
    assert edited.data == {**card.data, "model-index": mi}
    restored = edited.with_key("model-index", card.data.get("model-index"))
    assert restored.render() == raw
    # an edit only replaces the model-index block: every byte before and after it is the original's
    new = edited.render()
    ys, ye = card.yaml_span or (0, 0)
    head = raw[: len(card.text[:ys].encode()) + (3 if card.bom else 0)]
    assert new.startswith(head) and new.endswith(raw[len(head) + len(card.yaml_text.encode()) :])
    old_lines = card.yaml_text.splitlines()
    new_lines = iter(edited.yaml_text.splitlines())
    if "model-index" not in card.data:  # an insertion: the old lines are all there, in order
        assert all(any(ln == n for n in new_lines) for ln in old_lines)
    # setting model-index to the value it has is no edit at all
    assert card.with_key("model-index", card.data.get("model-index")).render() == raw


CARD = (
    "---\r\n"
    "# leading comment\r\n"
    "license: 'apache-2.0'   # quoted, with a comment\r\n"
    "tags:\r\n"
    "  - a\r\n"
    "  - \"b\"\r\n"
    "model-index:\r\n"
    "- name: old\r\n"
    "  results: []   # nothing yet\r\n"
    "# a comment that belongs to the next key\r\n"
    "datasets: [x]\r\n"
    "---\r\n"
    "\r\n"
    "# Title\r\n"
    "Body with --- inside\r\n"
)


def test_edit_changes_only_the_model_index_block():
    card = parse_card(CARD.encode())
    new = card.with_key("model-index", [{"name": "new", "results": []}])
    text = new.render().decode()
    assert text == CARD.replace("- name: old\r\n  results: []   # nothing yet\r\n", "- name: new\r\n  results: []\r\n")


def test_add_and_remove_key():
    card = parse_card(b"---\nlicense: mit\n---\nbody\n")
    added = card.with_key("model-index", [{"name": "m", "results": []}])
    assert added.render() == b"---\nlicense: mit\nmodel-index:\n- name: m\n  results: []\n---\nbody\n"
    assert added.with_key("model-index", None).render() == b"---\nlicense: mit\n---\nbody\n"


def test_card_without_front_matter_gets_one():
    card = parse_card(b"# Title\n\ntext\n")
    assert card.data == {} and card.render() == b"# Title\n\ntext\n"
    new = card.with_key("license", "mit")
    assert new.render() == b"---\nlicense: mit\n---\n# Title\n\ntext\n"


def test_bom_and_unicode_preserved():
    raw = "\ufeff---\nname: café\n---\nhé\n".encode()
    card = parse_card(raw)
    assert card.render() == raw
    assert card.with_key("x", 1).render() == "\ufeff---\nname: café\nx: 1\n---\nhé\n".encode()


def test_empty_front_matter():
    card = parse_card(b"---\n---\nbody\n")
    assert card.data == {} and card.render() == b"---\n---\nbody\n"
    assert card.with_key("a", 1).data == {"a": 1}


@pytest.mark.parametrize(
    "text,line,fragment",
    [
        ("---\nlicense: mit\nmodel-index: [\n---\nbody\n", 3, "invalid YAML"),
        ("---\nlicense: mit\ntags:\n\t- a\n---\n", 4, "tab character"),
        ("---\nlicense: mit\nlicense: apache-2.0\n---\n", 3, "duplicate key 'license'"),
        ("---\nlicense: mit\nno closing line\n", 1, "never closed"),
        ("---\n- a list\n---\n", 2, "must be a mapping"),
        ("\n\n---\na: 1\nb: [1,\n---\n", 5, "invalid YAML"),
    ],
)
def test_malformed_front_matter_is_a_clear_error_with_line(tmp_path, text, line, fragment):
    f = tmp_path / "README.md"
    f.write_text(text)
    with pytest.raises(CardParseError) as ei:
        parse_card(f.read_bytes(), path=str(f))
    assert ei.value.line == line
    assert fragment in str(ei.value)
    assert f.read_text() == text  # untouched


def test_binary_and_non_utf8():
    with pytest.raises(CardParseError, match="not UTF-8"):
        parse_card(b"\xff\xfe\x00")
    with pytest.raises(CardParseError, match="binary"):
        parse_card(b"abc\x00def")


# -- property tests ---------------------------------------------------------------------------------------------

keys = st.text(alphabet=st.characters(whitelist_categories=("Ll", "Lu", "Nd"), whitelist_characters="-_"), min_size=1, max_size=12).filter(
    lambda k: k != "model-index" and not k[0] in "-_" and not k.isdigit()
)
scalars = st.one_of(st.integers(-10**6, 10**6), st.booleans(), st.text(max_size=20), st.floats(allow_nan=False, allow_infinity=False, width=32))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)), max_leaves=8)
bodies = st.text(max_size=200)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(data=st.dictionaries(keys, values, min_size=1, max_size=6), body=bodies, crlf=st.booleans(), flow=st.booleans())
def test_property_round_trip_and_edit(data, body, crlf, flow):
    y = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=flow)
    text = f"---\n{y}---\n{body}"
    if crlf:
        text = text.replace("\r", "").replace("\n", "\r\n")
    raw = text.encode()
    try:
        card = parse_card(raw)
    except CardParseError:
        return  # generated body may look like front matter; errors are fine, crashes are not
    assert card.render() == raw
    mi = [{"name": "m", "results": [{"task": {"type": "t"}, "dataset": {"name": "n", "type": "d"}, "metrics": [{"type": "acc", "value": 0.5}]}]}]
    if flow:  # a '{...}' root cannot be spliced: refused unless a whole rewrite is asked for
        with pytest.raises(CardLayoutError, match="flow mapping"):
            card.with_key("model-index", mi)
        edited = card.with_key("model-index", mi, rewrite_front_matter=True)
        assert edited.data == {**card.data, "model-index": mi} and edited.body == card.body
        return
    edited = card.with_key("model-index", mi)
    assert edited.data == {**card.data, "model-index": mi}
    assert edited.body == card.body
    back = edited.with_key("model-index", None)
    assert back.data == card.data and back.body == card.body


# -- lossless edits ---------------------------------------------------------------------------------------------


def test_flow_mapping_front_matter_is_refused_not_rewritten(tmp_path):
    raw = b"---\n{license: mit,  # keep me\n tags: [a, b]}\n---\nbody\n"
    card = parse_card(raw, path="README.md")
    mi = [{"name": "m", "results": []}]
    with pytest.raises(CardLayoutError) as ei:
        card.with_key("model-index", mi)
    assert "flow mapping" in ei.value.message and "README.md:2" in ei.value.message
    assert "block style" in ei.value.hint
    assert card.render() == raw
    rewritten = card.with_key("model-index", mi, rewrite_front_matter=True)  # only when asked for
    assert rewritten.data == {"license": "mit", "tags": ["a", "b"], "model-index": mi}


def test_blank_lines_before_the_closing_line_are_kept():
    raw = b"---\nlicense: mit\n\n---\nbody\n"
    card = parse_card(raw)
    added = card.with_key("model-index", [{"name": "m", "results": []}])
    assert added.render() == b"---\nlicense: mit\nmodel-index:\n- name: m\n  results: []\n\n---\nbody\n"
    assert parse_card(added.render()).with_key("model-index", None).render() == raw


def test_removing_what_was_added_gives_the_original_bytes():
    for raw in (b"# Title\n\ntext\n", b"---\nmodel-index: [{name: a, results: []}]  # flow, kept\n---\nb\n"):
        card = parse_card(raw)
        edited = card.with_key("model-index", [{"name": "new", "results": []}])
        assert edited.render() != raw
        assert edited.with_key("model-index", card.data.get("model-index")).render() == raw


def test_an_edit_is_exact_about_types_and_nan():
    card = parse_card(b"---\nx: .nan\nv: 1\n---\n")
    edited = card.with_key("model-index", [{"name": "m", "results": []}])  # a NaN elsewhere does not block edits
    assert edited.render() == b"---\nx: .nan\nv: 1\nmodel-index:\n- name: m\n  results: []\n---\n"
    assert card.with_key("v", True).render() == b"---\nx: .nan\nv: true\n---\n"  # True is not 1
    # a NaN that did not come from this YAML (a log's extra key) is still the NaN the re-parse finds
    assert card.with_key("y", [float("nan")]).render() == b"---\nx: .nan\nv: 1\ny:\n- .nan\n---\n"


@pytest.mark.parametrize(
    "text,is_front_matter",
    [
        ("---\n# Title\n\n| a | b |\n|---|---|\n| x | 1 |\n", False),  # a horizontal rule, then the body
        ("---\n\nSome text: with a colon\n", False),
        ("---\nlicense: mit\n# no closing line\n", True),
        ("\n---\n# comment\nmodel-index:\n", True),
    ],
)
def test_unclosed_first_line_rule(text, is_front_matter):
    if is_front_matter:
        with pytest.raises(CardParseError, match="never closed"):
            parse_card(text)
    else:
        card = parse_card(text)
        assert card.data == {} and card.yaml_span is None and card.render() == text.encode()


def test_trailing_spaces_on_the_opening_line_are_named():
    with pytest.raises(CardParseError, match="trailing spaces") as ei:
        parse_card("--- \nlicense: mit\n---\nbody\n")
    assert ei.value.line == 1


def test_quoted_and_plain_scalars_resolve_differently_in_one_document():
    # the loader caches how plain scalars resolve; a quoted '5' is still a string after a plain 5, and back
    card = parse_card(b"---\na: 5\nb: '5'\nc: 5\nd: \"true\"\ne: true\nf: 2024-01-01\ng: '2024-01-01'\n---\n")
    assert card.data == {"a": 5, "b": "5", "c": 5, "d": "true", "e": True, "f": __import__("datetime").date(2024, 1, 1), "g": "2024-01-01"}
