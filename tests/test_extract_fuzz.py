"""Bad input never crashes or hangs extraction: random and broken markdown/HTML, binary, huge and wide tables.

Every call either returns (possibly empty) results or raises an :class:`EvalcardError` with a clear message.
No wall-clock assertions: sizes are bounded by the parser's own limits (columns, spans, table length).
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from evalcard.card.extract import extract, inspect_tables, parse_value
from evalcard.card.tables import MAX_COLS, parse_tables
from evalcard.errors import EvalcardError

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

CELL = st.one_of(
    st.sampled_from(["", "-", "N/A", "71.6", "**55**", "98.2%", "0.7 ± 0.01", "15,8%", "42.2/36.6", "3-5", "37B",
                     "MMLU (5-shot)", "Model", "<b>x</b>", "<br>", "`|`", "\\|", "[a](b)", "**", "*", "^1", "†", "<sup>*</sup>",
                     "<table>", "</td>", "<!--", "-->", "```", "|", "&amp;", "&#0;", "\u202e", "🤗", "１２"]),
    st.text(max_size=12),
)


def _call(text):
    try:
        ex = extract(text, model="Model")
        json.dumps(ex.to_dict())
        reps = inspect_tables(text, model="Model")
        json.dumps([r.to_dict() for r in reps])
        return ex
    except EvalcardError as e:
        assert str(e)
        return None


@FUZZ
@given(st.text(max_size=400))
def test_random_text(text):
    _call(text)


@FUZZ
@given(st.lists(st.lists(CELL, min_size=1, max_size=6), min_size=1, max_size=8), st.booleans(), st.booleans())
def test_random_markdown_tables(rows, leading_pipe, delimiter):
    width = max(len(r) for r in rows)
    lines = []
    for i, r in enumerate(rows):
        cells = [c.replace("\n", " ") for c in r]
        line = " | ".join(cells)
        lines.append(("| " if leading_pipe else "") + line + (" |" if leading_pipe else ""))
        if i == 0 and delimiter:
            lines.append("|" + "|".join(["---"] * width) + "|")
    text = "# Model\n\n" + "\n".join(lines) + "\n"
    _call(text)
    tables = parse_tables(text)
    assert [t.index for t in tables] == list(range(1, len(tables) + 1))
    for t in tables:
        assert all(len(row) == t.n_cols for row in t.rows)


TAGS = ["<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", "<th>", "</th>", '<td colspan="3">', '<td rowspan="9">',
        '<th colspan="0">', '<td colspan="x">', '<td rowspan="-2">', "<thead>", "</thead>", "<tbody>", "<br>", "<b>", "</b>",
        "<sup>", "</sup>", "<!--", "-->", "<caption>", "</caption>", "<details>", "</details>", "<figcaption>", "\n", "\n\n", "    "]


@FUZZ
@given(st.lists(st.one_of(st.sampled_from(TAGS), CELL), max_size=60))
def test_broken_html(parts):
    text = "".join(parts)
    _call(text)
    for t in parse_tables(text):
        assert all(len(row) == t.n_cols for row in t.rows)
        assert t.n_cols <= MAX_COLS


@FUZZ
@given(st.binary(max_size=300))
def test_binary_input(data):
    try:
        ex = extract(data, model="m")  # type: ignore[arg-type]
        assert isinstance(ex.results, list)
    except EvalcardError as e:
        assert "UTF-8" in str(e) or "binary" in str(e)


@FUZZ
@given(st.text(max_size=30))
def test_parse_value_total(text):
    v = parse_value(text)
    assert v.kind in {"number", "pair", "missing", "range", "annotated", "unit", "text"}
    if v.kind == "number":
        assert v.value is not None


def test_empty_and_whitespace():
    for text in ("", " ", "\n\n", "\ufeff", "---\n---\n"):
        ex = extract(text, model="m")
        assert ex.results == [] and not ex.ambiguous


def test_ten_thousand_columns():
    n = 10_000
    text = "| Model | " + " | ".join(f"B{i}" for i in range(n)) + " |\n|" + "---|" * (n + 1) + "\n| m | " + " | ".join("1.0" for _ in range(n)) + " |\n"
    (t,) = parse_tables(text)
    assert t.n_cols == MAX_COLS and t.notes
    ex = extract(text, model="m", include_low_confidence=True)  # B0..B9999 are no benchmarks evalcard knows
    assert 0 < len(ex.results) <= MAX_COLS


def test_ten_thousand_columns_html():
    n = 10_000
    text = "<table><tr><th>Model</th>" + "<th>B</th>" * n + "</tr><tr><td>m</td>" + "<td>1</td>" * n + "</tr></table>"
    (t,) = parse_tables(text)
    assert t.n_cols == MAX_COLS


def test_five_megabyte_readme():
    prose = ("Some prose with numbers 71.6% and a | pipe, `code | spans`, <b>html</b> and [links](x).\n" * 20 + "\n") * 25
    table = "| Model | MMLU |\n|---|---|\n| m | 1.0 |\n| other | 2.0 |\n\n"
    block = "## Section\n\n" + prose + "```\n| not | a table |\n|---|---|\n```\n\n" + table
    text = block * (5_000_000 // len(block) + 1)
    assert len(text) >= 5_000_000
    ex = extract(text, model="m")
    assert len(ex.results) == text.count("| m | 1.0 |")


def test_many_small_tables():
    text = "| Model | MMLU |\n|---|---|\n| m | 1.0 |\n\n" * 3000
    ex = extract(text, model="m")
    assert [r.provenance["table"] for r in ex.results] == list(range(1, 3001))


def test_unclosed_constructs():
    for text in ("<table><tr><td>1", "<!-- | a | b |\n|---|---|\n| 1 | 2 |", "```\n| a | b |\n|---|---|\n| 1 | 2 |",
                 "<table>" * 2000, "<td colspan=999999999>" * 50, "|" * 10000 + "\n" + "-|" * 5000):
        _call(text)


def _spans_reference(text, limit):
    """The straightforward (quadratic) reading of outermost <table> spans: the rule _html_table_spans implements."""
    import re

    opener, tag = re.compile(r"<table\b", re.I), re.compile(r"<(/?)table\b[^>]*>", re.I)
    spans, pos = [], 0
    while True:
        m = opener.search(text, pos)
        if not m:
            return spans
        depth, end = 0, None
        for t in tag.finditer(text, m.start()):
            if t.group(1):
                depth -= 1
                if depth == 0:
                    end = t.end()
                    break
            else:
                depth += 1
            if t.start() - m.start() > limit:
                break
        if end is None:
            nxt = opener.search(text, m.end())
            end = min(nxt.start() if nxt else len(text), m.start() + limit)
        spans.append((m.start(), end))
        pos = end


@FUZZ
@given(st.lists(st.sampled_from(["<table>", "</table>", "<TABLE border=1>", "x", "<td>1</td>", "\n", "<tr>", "<table", "</table"]), max_size=40))
@example(["<TABLE border=1>", "<td>1</td>", "<td>1</td>", "</table>"])  # a close past the limit, reached by no other tag
def test_html_table_spans_match_the_reference(parts):
    import evalcard.card.tables as tables

    import re

    text = "".join(parts)
    opens = [m.start() for m in re.finditer(r"<table\b", text, re.I)]
    tags = [m.span() for m in re.finditer(r"<(/?)table\b[^>]*>", text, re.I)]
    # where a '<table' sits inside another tag's match ('</table<table>') the reference reads the tags differently
    # depending on where it starts scanning; there only the invariants are compared
    overlapping = any(a < o < b for o in opens for a, b in tags)
    old = tables.MAX_TABLE_CHARS
    for limit in (old, 30):
        tables.MAX_TABLE_CHARS = limit
        try:
            spans = tables._html_table_spans(text)
            assert all(a < b <= c < d for (a, b), (c, d) in zip(spans, spans[1:]))  # sorted, disjoint
            assert all(a in opens for a, _ in spans) and all(any(a <= o < b for a, b in spans) for o in opens)
            if not overlapping:
                assert spans == _spans_reference(text, limit)
        finally:
            tables.MAX_TABLE_CHARS = old
