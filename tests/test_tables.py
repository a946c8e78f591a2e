"""card/tables.py: finding markdown and HTML tables, numbering, grids and context."""

from __future__ import annotations

from evalcard.card.tables import parse_tables


def grid(t):
    return t.text_grid()


def test_markdown_and_html_numbered_in_document_order():
    text = """# Model

| a | b |
|---|---|
| 1 | 2 |

<table>
<tr><th>x</th><th>y</th></tr>
<tr><td>3</td><td>4</td></tr>
</table>

c | d
--|--
5 | 6
"""
    tables = parse_tables(text)
    assert [(t.index, t.kind) for t in tables] == [(1, "md"), (2, "html"), (3, "md")]
    assert grid(tables[0]) == [["a", "b"], ["1", "2"]]
    assert grid(tables[1]) == [["x", "y"], ["3", "4"]]
    assert grid(tables[2]) == [["c", "d"], ["5", "6"]]
    assert tables[1].n_header_rows == 1
    assert tables[0].line == 3


def test_tables_in_code_blocks_and_comments_are_not_tables():
    text = """
```markdown
| a | b |
|---|---|
| 1 | 2 |
```

~~~
<table><tr><td>1</td></tr></table>
~~~

<!--
| c | d |
|---|---|
| 3 | 4 |
-->

    <table><tr><td>indented code</td></tr></table>

| e | f |
|---|---|
| 5 | 6 |
"""
    tables = parse_tables(text)
    assert len(tables) == 1
    assert grid(tables[0]) == [["e", "f"], ["5", "6"]]
    assert tables[0].index == 1


def test_commented_html_rows_are_ignored():
    text = """<table>
<tr><th>Model</th><th>Score</th></tr>
<!-- <tr><td>Old</td><td>1.0</td></tr> -->
<tr><td>New</td><td>2.0</td></tr>
</table>"""
    (t,) = parse_tables(text)
    assert grid(t) == [["Model", "Score"], ["New", "2.0"]]


def test_colspan_rowspan_expansion_and_copies():
    text = """<table>
<tr><th rowspan="2">Model</th><th colspan="2">Group</th></tr>
<tr><th>A</th><th>B</th></tr>
<tr><td>m1</td><td colspan="2">n/a both</td></tr>
<tr><td rowspan="2">fam</td><td>1</td><td>2</td></tr>
<tr><td>3</td><td>4</td></tr>
</table>"""
    (t,) = parse_tables(text)
    assert grid(t) == [
        ["Model", "Group", "Group"],
        ["Model", "A", "B"],
        ["m1", "n/a both", "n/a both"],
        ["fam", "1", "2"],
        ["fam", "3", "4"],
    ]
    assert t.n_header_rows == 2
    assert t.rows[1][0].is_copy and t.rows[1][0].origin == (0, 0)
    assert not t.rows[3][0].is_copy and t.rows[4][0].is_copy


def test_overwide_colspan_section_rows_do_not_widen_the_grid():
    text = """<table>
<tr><td>Benchmarks</td><td>A</td><td>B</td></tr>
<tr><td colspan="15"><strong>English</strong></td></tr>
<tr><td>MMLU</td><td>1</td><td>2</td></tr>
</table>"""
    (t,) = parse_tables(text)
    assert t.n_cols == 3
    assert grid(t)[1] == ["English", "English", "English"]
    assert t.rows[1][0].bold


def test_cell_cleaning_markdown_and_html():
    text = r"""| **Model** | C-Eval<sup>*</sup> | VQAv2<sup>dev</sup> | SciQA<br>(0-shot) | AI2D\_TEST |
|---|---|---|---|---|
| **[org/m-1b](https://x.y) (this)** | <b>71.6</b> | `1.0` | ![img](a.png) | 2 |
"""
    (t,) = parse_tables(text)
    assert grid(t)[0] == ["Model", "C-Eval", "VQAv2dev", "SciQA (0-shot)", "AI2D_TEST"]
    assert t.rows[0][1].marks == "*"
    assert t.rows[1][0].text == "org/m-1b (this)"
    assert t.rows[1][0].bold
    assert t.rows[1][1].text == "71.6" and t.rows[1][1].bold
    assert t.rows[1][2].text == "1.0"
    assert t.rows[1][3].text == "img"


def test_context_heading_caption_figcaption():
    text = """# Card

## Results

### COPA (F1)

| Model | n=0 |
|---|---|
| m | 0.7 |

**MUGE Text-to-Image Retrieval**:
<table><tr><th>Setup</th><th>Zero-shot</th></tr><tr><td>m</td><td>1</td></tr></table>

<figure>
<table><tr><th>Model</th><th>X</th></tr><tr><td>m</td><td>1</td></tr></table>
<figcaption>Zero-shot performance.</figcaption>
</figure>
"""
    t1, t2, t3 = parse_tables(text)
    assert t1.heading == "COPA (F1)"
    assert t1.heading_path == ["Card", "Results", "COPA (F1)"]
    assert t2.caption == "MUGE Text-to-Image Retrieval"
    assert t3.caption == "Zero-shot performance."


def test_rows_without_leading_pipes_and_empty_cells():
    text = """|  | TruthfulQA | Toxigen |
|---|---|---|
| Llama 2 | 7B | 33.29 |
|||
"""
    (t,) = parse_tables(text)
    assert t.n_cols == 3
    assert grid(t)[1] == ["Llama 2", "7B", "33.29"]


def test_setext_heading_and_front_matter_lines_are_not_tables():
    text = """Title
=====

Section
-------

| a | b |
|---|---|
| 1 | 2 |
"""
    (t,) = parse_tables(text)
    assert t.heading == "Section"
    assert t.heading_path == ["Title", "Section"]


def test_empty_and_tableless_input():
    assert parse_tables("") == []
    assert parse_tables("just prose | with a pipe") == []
    assert parse_tables("<p>no tables</p>") == []


def test_unclosed_html_table_is_bounded():
    text = "<table><tr><td>a</td><td>1</td>\n\n# Next\n\n| x | y |\n|---|---|\n| 1 | 2 |\n"
    tables = parse_tables(text)
    assert tables and tables[0].kind == "html"


def test_huge_spans_are_capped():
    text = '<table><tr><td colspan="1000000000">x</td></tr><tr><td rowspan="99999">y</td><td>1</td></tr></table>'
    (t,) = parse_tables(text)
    assert t.n_cols <= 512
    assert t.n_rows == 2


def test_previous_heading_is_the_one_of_the_same_level_before_the_tables_own():
    text = "# T\n\n### C-Eval\n\nprose\n\n### Results\n\n| a | b |\n|---|---|\n| x | 1 |\n\n## Other\n\n| a | b |\n|---|---|\n| x | 1 |\n"
    t1, t2 = parse_tables(text)
    assert (t1.heading, t1.previous_heading) == ("Results", "C-Eval")
    assert (t2.heading, t2.previous_heading) == ("Other", None)  # '## Other' replaced no heading of its level
