"""Find the tables of a README: GitHub pipe tables and HTML ``<table>`` elements, as rectangular grids.

:func:`parse_tables` returns :class:`Table` objects numbered 1.. over *all* tables in document order (markdown and
HTML alike, download or architecture tables included), which is the numbering ``evalcard inspect-tables`` shows and
``--table N`` uses. Tables inside fenced or indented code blocks and inside HTML comments are not tables. HTML cells
with ``colspan``/``rowspan`` are expanded so that every row has one cell per column (copies point at their origin).

Each table keeps the context a reader uses to understand it: the nearest heading above it (and the heading path), a
caption (``<caption>``, a ``<figcaption>`` right after it, or a short bold line right before it) and the text just
before it. Pure: no I/O.
"""

from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass, field
from typing import Any

#: hard limits that keep hostile input (a 10 000-column table, a colspan of 10**9) bounded in time and memory
MAX_COLS = 512
MAX_ROWS = 5000
MAX_SPAN = 512
MAX_TABLE_CHARS = 2_000_000
#: grid positions per table (rows x columns, span copies included): a 45 kB ``rowspan=5000 colspan=512`` cell must
#: not become 2.5 million cells
MAX_CELLS = 100_000


@dataclass
class Cell:
    """One grid position. ``text`` is the cleaned text (markdown and HTML removed, ``<br>`` -> space, footnote
    ``<sup>`` markers dropped); ``raw`` the source. ``origin`` is the (row, col) of the source cell when this
    position is covered by a ``colspan``/``rowspan`` of another cell (None for the cell itself)."""

    text: str
    raw: str = ""
    bold: bool = False
    header: bool = False
    colspan: int = 1
    rowspan: int = 1
    origin: tuple[int, int] | None = None
    #: footnote markers removed from ``text`` (``*``, ``†``, ``^``, ``[1]``)
    marks: str = ""

    @property
    def is_copy(self) -> bool:
        return self.origin is not None


@dataclass
class Table:
    index: int
    kind: str  # "md" or "html"
    #: 1-based line of the table's first line in the text
    line: int
    rows: list[list[Cell]]
    #: how many leading rows the source marks as header (markdown: 1; HTML: <thead> rows or rows of only <th>)
    n_header_rows: int = 1
    heading: str | None = None
    #: headings above the table, outermost first (["Evaluation", "Base model"])
    heading_path: list[str] = field(default_factory=list)
    #: the heading of the same level right before the table's own ("### C-Eval" before "### Results"), if any
    previous_heading: str | None = None
    caption: str | None = None
    #: cleaned text of the lines between the previous block boundary (heading/table) and the table, last few lines
    before: str = ""
    #: cleaned text right after the table (a figcaption or a note), short
    after: str = ""
    #: things the parser had to cut or repair (e.g. "truncated to 512 columns")
    notes: list[str] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    @property
    def n_cols(self) -> int:
        return len(self.rows[0]) if self.rows else 0

    def text_grid(self) -> list[list[str]]:
        return [[c.text for c in row] for row in self.rows]

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "kind": self.kind,
            "line": self.line,
            "n_rows": self.n_rows,
            "n_cols": self.n_cols,
            "n_header_rows": self.n_header_rows,
            "heading": self.heading,
            "caption": self.caption,
            "rows": self.text_grid(),
        }


# -- text cleaning --------------------------------------------------------------------------------------------------

_FOOTNOTE_SUP = re.compile(r"^\s*(?:[*†‡§¶#^+]+|\[?\d{1,2}\]?|\[[a-z]\]|[a-z])\s*$")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
_WS = re.compile(r"\s+")


def squash(s: str) -> str:
    return _WS.sub(" ", s).strip()


def clean_html_fragment(fragment: str) -> tuple[str, bool, str]:
    """(text, all_bold, footnote marks) of a small inline HTML/markdown-free fragment, with a regex tokenizer.
    Used for markdown cells' inline HTML. ``<br>`` and block tags become spaces; ``<sup>`` holding a footnote
    marker is dropped (its text goes to ``marks``)."""
    out: list[str] = []
    marks: list[str] = []
    pos = 0
    sup_depth = 0
    sup_buf: list[str] = []
    bold_depth = 0
    bold_chars = 0
    plain_chars = 0
    for m in _TAG.finditer(fragment):
        chunk = _html.unescape(fragment[pos : m.start()])
        pos = m.end()
        if chunk:
            (sup_buf if sup_depth else out).append(chunk)
            n = len(chunk.strip())
            if bold_depth:
                bold_chars += n
            else:
                plain_chars += n
        closing, tag = m.group(1) == "/", m.group(2).lower()
        if tag == "br" or tag in _BLOCK_TAGS:
            (sup_buf if sup_depth else out).append(" ")
        elif tag == "sup":
            if not closing:
                sup_depth += 1
            elif sup_depth:
                sup_depth -= 1
                if not sup_depth:
                    s = "".join(sup_buf)
                    sup_buf = []
                    if _FOOTNOTE_SUP.match(s) or not s.strip():
                        marks.append(s.strip())
                    else:
                        out.append(s)
        elif tag in ("b", "strong"):
            bold_depth = max(0, bold_depth + (-1 if closing else 1))
    chunk = _html.unescape(fragment[pos:])
    if chunk:
        out.append(chunk)
        if bold_depth:
            bold_chars += len(chunk.strip())
        else:
            plain_chars += len(chunk.strip())
    if sup_buf:
        out.extend(sup_buf)
    return squash("".join(out)), bold_chars > 0 and plain_chars == 0, "".join(marks)


_BLOCK_TAGS = {"p", "div", "li", "ul", "ol", "tr", "td", "th", "table", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "center", "details", "summary"}


_ESC = re.compile(r"\\([!-/:-@\[-`{-~])")
_CODE = re.compile(r"(`+)(.+?)\1", re.S)
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])")
_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^>\s]*)>", re.I)
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*]+?)(?<=[^\s*])\*(?![\w*])")
_EM_UNDER = re.compile(r"(?<![\w_])_(?=[^\s_])([^_]+?)(?<=[^\s_])_(?![\w_])")
_PROTECT = {c: chr(0xE000 + i) for i, c in enumerate("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")}
_UNPROTECT = {v: k for k, v in _PROTECT.items()}


def _md_cell_text(raw: str) -> tuple[str, bool, str]:
    """(text, all_bold, footnote marks) of a markdown table cell's source: emphasis and links removed, images ->
    alt text, code spans literal, backslash escapes honoured, inline HTML handled like :func:`clean_html_fragment`.
    A lone ``*`` is a footnote marker, not emphasis."""
    s = raw
    protected = "\\" in s or "`" in s
    if "\\" in s:
        s = _ESC.sub(lambda m: _PROTECT.get(m.group(1), m.group(1)), s)
    if "`" in s:
        s = _CODE.sub(lambda m: "".join(_PROTECT.get(ch, ch) for ch in m.group(2).strip()), s)
    if "[" in s:
        s = _IMAGE.sub(lambda m: m.group(1), s)
        s = _LINK.sub(lambda m: m.group(1), s)
    if "<" in s:
        s = _AUTOLINK.sub(lambda m: m.group(1), s)
    bold = False
    if "**" in s or "__" in s:
        stripped = s.strip()
        m = _STRONG.fullmatch(stripped)
        if m:
            bold = True
        # bold if every non-space char is inside strong markers
        outside = _STRONG.sub("", s)
        if not outside.strip() and _STRONG.search(s):
            bold = True
        s = _STRONG.sub(lambda m: m.group(2), s)
        s = _STRONG.sub(lambda m: m.group(2), s)
    if "*" in s:
        s = _EM_STAR.sub(lambda m: m.group(1), s)
    if "_" in s:
        s = _EM_UNDER.sub(lambda m: m.group(1), s)
    text, html_bold, marks = clean_html_fragment(s)
    if protected:
        text = "".join(_UNPROTECT.get(ch, ch) for ch in text)
    return text, bold or html_bold, marks


# -- the document scan ----------------------------------------------------------------------------------------------

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_COMMENT_OPEN = "<!--"
_TABLE_OPEN = re.compile(r"<table\b", re.I)
_TABLE_TAG = re.compile(r"<(/?)table\b[^>]*>", re.I)
_HTML_HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1\s*>", re.I | re.S)
_FIGCAPTION = re.compile(r"<figcaption\b[^>]*>(.*?)</figcaption\s*>", re.I | re.S)


def _fence_ranges(lines: list[str]) -> list[tuple[int, int]]:
    """0-based inclusive line ranges of fenced code blocks (CommonMark rules, approximately)."""
    out = []
    i = 0
    n = len(lines)
    while i < n:
        m = _FENCE.match(lines[i])
        if m and not (m.group(1)[0] == "`" and "`" in lines[i][m.end() :]):
            ch, ln = m.group(1)[0], len(m.group(1))
            j = i + 1
            while j < n:
                m2 = re.match(r"^ {0,3}(" + re.escape(ch) + "{" + str(ln) + r",})\s*$", lines[j])
                if m2:
                    break
                j += 1
            out.append((i, min(j, n - 1)))
            i = j + 1
        else:
            i += 1
    return out


def _mask_comments(text: str, fenced: list[tuple[int, int]], line_starts: list[int]) -> str:
    """Replace HTML comments outside fenced code with their newlines only (line numbers stay right)."""
    if _COMMENT_OPEN not in text:
        return text
    fence_spans = [(line_starts[a], line_starts[b + 1] if b + 1 < len(line_starts) else len(text)) for a, b in fenced]
    out = []
    pos = 0
    while True:
        i = text.find(_COMMENT_OPEN, pos)
        if i < 0:
            break
        span = next((s for s in fence_spans if s[0] <= i < s[1]), None)
        if span is not None:
            out.append(text[pos : span[1]])
            pos = span[1]
            continue
        j = text.find("-->", i + 4)
        end = len(text) if j < 0 else j + 3
        out.append(text[pos:i])
        out.append("\n" * text.count("\n", i, end))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _line_starts(text: str) -> list[int]:
    starts = [0]
    find = text.find
    i = find("\n")
    while i >= 0:
        starts.append(i + 1)
        i = find("\n", i + 1)
    return starts


def _line_of(line_starts: list[int], pos: int) -> int:
    """0-based line of a character offset."""
    import bisect

    return bisect.bisect_right(line_starts, pos) - 1


def _markdown_parser():
    from markdown_it import MarkdownIt

    # block level only: inline markup is cleaned per cell by _md_cell_text (parsing every paragraph's inline
    # markup would cost more than the rest of the extraction)
    return MarkdownIt("commonmark", {"html": True}).enable("table").disable(["inline", "text_join"])


_MD = None


_DELIM_ROW = re.compile(r"^[ \t>]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")


def parse_tables(text: str) -> list[Table]:
    """All tables of a README (front matter included or not), numbered 1.. in document order."""
    global _MD
    if not text or ("|" not in text and "<table" not in text.lower()):
        return []
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    fenced = _fence_ranges(lines)
    starts = _line_starts(text)
    masked = _mask_comments(text, fenced, starts)
    if masked is not text:
        starts = _line_starts(masked)
    mlines = masked.split("\n")
    in_fence = bytearray(len(mlines))
    for a, b in fenced:
        for k in range(a, b + 1):
            in_fence[k] = 1

    headings = _headings(mlines, in_fence)
    found: list[tuple[int, Table]] = []  # (char offset, table)

    # markdown tables: parse (block level only) each blank-line-delimited chunk that holds a delimiter row. A chunk
    # is cut after as many rows as a table keeps (MAX_ROWS, fewer for wide tables: MAX_CELLS), so that markdown-it
    # never builds tokens for rows that would be dropped (a 5 MB table is 30,000 rows, 700,000 tokens)
    chunks: list[tuple[int, int]] = []
    cut: set[int] = set()  # chunks that end at the row limit, not at the end of their table
    n_lines = len(mlines)
    for i, line in enumerate(mlines):
        if chunks and i < chunks[-1][1]:
            continue
        if "-" in line and "|" in line and not in_fence[i] and _DELIM_ROW.match(line) and "|" in line.strip(" \t>|") + "|":
            lo = chunks[-1][1] if chunks else 0
            a = i
            while a > lo and mlines[a - 1].strip() and not in_fence[a - 1]:
                a -= 1
            n_cols = line.strip(" \t>").strip("|").count("|") + 1
            if n_cols > MAX_COLS and i > a:  # keep the first MAX_COLS columns of the header and delimiter rows
                mlines[i - 1] = _first_cells(mlines[i - 1], MAX_COLS)
                mlines[i] = _first_cells(line, MAX_COLS)
                n_cols = MAX_COLS
            limit = i + max(1, min(MAX_ROWS, MAX_CELLS // n_cols))
            b = i
            while b + 1 < n_lines and b < limit and mlines[b + 1].strip() and not in_fence[b + 1]:
                b += 1
            if b == limit and b + 1 < n_lines and mlines[b + 1].strip() and not in_fence[b + 1]:
                cut.add(len(chunks))
            chunks.append((a, b + 1))
    if chunks:
        if _MD is None:
            _MD = _markdown_parser()
        for k, (a, b) in enumerate(chunks):
            tokens = _MD.parse("\n".join(mlines[a:b]))
            i = 0
            last = None
            while i < len(tokens):
                tok = tokens[i]
                if tok.type == "table_open" and tok.map:
                    j = i
                    while j < len(tokens) and tokens[j].type != "table_close":
                        j += 1
                    ln = a + tok.map[0]
                    last = _md_table(tokens[i : j + 1], ln + 1)
                    found.append((starts[ln], last))
                    i = j
                i += 1
            if k in cut and last is not None and not any(n.startswith("truncated to") and n.endswith("rows") for n in last.notes):
                last.notes.append(f"truncated to {last.n_rows} rows")

    html_spans: list[tuple[int, int]] = []
    for start, end in _html_table_spans(masked):
        ln = _line_of(starts, start)
        if in_fence[ln] or _indented_code(mlines, ln):
            continue
        table = _html_table(masked[start:end], ln + 1)
        if table is None:
            continue
        html_spans.append((start, end))
        table.after = _after_text(masked, end)
        m = _FIGCAPTION.search(masked, end, min(len(masked), end + 600))
        if m and "<table" not in masked[end : m.start()].lower():
            table.caption = table.caption or clean_html_fragment(m.group(1))[0] or None
        found.append((start, table))
    if html_spans:
        found = [(p, t) for p, t in found if t.kind == "html" or not any(a <= p < b for a, b in html_spans)]
    found.sort(key=lambda pt: pt[0])

    out = []
    prev_end_line = -1
    hi = 0
    path: list[tuple[int, str]] = []
    sibling: str | None = None  # the heading the last one replaced at its own level
    last_heading_line = -1
    for n, (pos, table) in enumerate(found, start=1):
        table.index = n
        ln = table.line - 1
        while hi < len(headings) and headings[hi][0] < ln:
            hl, level, htext = headings[hi]
            sibling = next((p[1] for p in path if p[0] == level), None)
            path = [p for p in path if p[0] < level] + [(level, htext)]
            last_heading_line = hl
            hi += 1
        if path:
            table.heading = path[-1][1]
            table.heading_path = [p[1] for p in path]
            table.previous_heading = sibling
        boundary = max(prev_end_line, last_heading_line)
        table.before = _before_text(mlines, boundary, ln)
        if not table.caption:
            table.caption = _caption_line(mlines[max(0, boundary + 1, ln - 8) : ln])
        if table.kind == "md" and not table.after:
            table.after = _md_after(mlines, ln + table.n_rows + 1)
        prev_end_line = ln + max(1, table.n_rows)
        out.append(table)
    return out


def _first_cells(line: str, n: int) -> str:
    """A pipe-table row cut after its first ``n`` cells (for tables wider than any table evalcard keeps)."""
    parts = line.split("|")
    lead = 1 if line.lstrip(" \t>").startswith("|") else 0
    return "|".join(parts[: lead + n]) + "|"


def _headings(mlines: list[str], in_fence: bytearray) -> list[tuple[int, int, str]]:
    """(line, level, text) of ATX, setext and HTML ``<hN>`` headings outside code."""
    out: list[tuple[int, int, str]] = []
    prev_blank = True
    for i, line in enumerate(mlines):
        if in_fence[i]:
            prev_blank = False
            continue
        if line.startswith(("#", " #", "  #", "   #")):
            m = _ATX.match(line)
            if m:
                out.append((i, len(m.group(1)), _md_cell_text(m.group(2) or "")[0]))
        elif i > 0 and not prev_blank and (line.startswith(("=", "-", " ")) and _SETEXT.match(line)):
            prev = mlines[i - 1]
            if prev.strip() and "|" not in prev and not prev.lstrip().startswith(("-", "*", "+", ">", "<", "#")) and not in_fence[i - 1]:
                out.append((i - 1, 1 if line.strip()[0] == "=" else 2, _md_cell_text(prev.strip())[0]))
        elif "<h" in line or "<H" in line:
            for m in _HTML_HEADING.finditer(line):
                htext = clean_html_fragment(m.group(2))[0]
                if htext:
                    out.append((i, int(m.group(1)), htext))
        prev_blank = not line.strip()
    out.sort(key=lambda h: h[0])
    return out


def _indented_code(mlines: list[str], ln: int) -> bool:
    """Whether line ``ln`` starts an indented code block (4+ columns after a blank line)."""
    line = mlines[ln].expandtabs(4)
    return len(line) - len(line.lstrip(" ")) >= 4 and (ln == 0 or not mlines[ln - 1].strip())


def _md_after(mlines: list[str], ln: int) -> str:
    seg = []
    for line in mlines[ln : ln + 4]:
        if not line.strip():
            if seg:
                break
            continue
        seg.append(line)
    return squash(" ".join(clean_html_fragment(s)[0] for s in seg))[:200]


def _in_ranges(line: int, ranges: list[tuple[int, int]]) -> bool:
    return any(a <= line < b for a, b in ranges)


def _html_table_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of outermost ``<table>...</table>`` elements (an unclosed one runs to the next outermost
    ``<table`` or a size limit). One pass over the table tags, pairing each close with the latest unpaired open, so
    10,000 unclosed ``<table`` cost 10,000 steps, not 10,000 scans of the rest of the file."""
    if "<table" not in text.lower():
        return []
    # (start, end, kind): kind 0 open, 1 close, 2 an opening '<table' without its '>' (never paired)
    events = [(m.start(), m.end(), 1 if m.group(1) else 0) for m in _TABLE_TAG.finditer(text)]
    tag_opens = {s for s, _, kind in events if kind == 0}
    events += [(m.start(), m.end(), 2) for m in _TABLE_OPEN.finditer(text) if m.start() not in tag_opens]
    events.sort()
    close_of: dict[int, int] = {}
    stack: list[int] = []
    for i, (_, _, kind) in enumerate(events):
        if kind == 0:
            stack.append(i)
        elif kind == 1 and stack:
            close_of[stack.pop()] = i
    opens = [i for i, ev in enumerate(events) if ev[2] != 1]
    spans = []
    k = 0
    while k < len(opens):
        i = opens[k]
        begin = events[i][0]
        j = close_of.get(i)
        before = j - 1 if j is not None else 0
        while j is not None and events[before][2] == 2:
            before -= 1
        if j is not None and events[before][0] - begin <= MAX_TABLE_CHARS:  # every tag before the close is in range
            finish = events[j][1]
        else:
            finish = events[opens[k + 1]][0] if k + 1 < len(opens) else len(text)
            finish = min(finish, begin + MAX_TABLE_CHARS)
        spans.append((begin, finish))
        while k < len(opens) and events[opens[k]][0] < finish:
            k += 1
    return spans


def _before_text(mlines: list[str], boundary: int, ln: int) -> str:
    seg = [s for s in mlines[max(boundary + 1, ln - 6, 0) : ln] if s.strip()]
    return squash(" ".join(clean_html_fragment(s)[0] for s in seg[-3:]))[:400]


def _after_text(masked: str, end: int) -> str:
    tail = masked[end : end + 400]
    tail = tail.split("\n\n", 1)[0] if not tail.startswith("\n\n") else ""
    return clean_html_fragment(tail)[0][:200]


_BOLD_LINE = re.compile(r"^\s*(?:<p\b[^>]*>\s*)?(?:\*\*(.+?)\*\*|__(.+?)__|<(?:b|strong)>(.+?)</(?:b|strong)>)\s*[:：]?\s*(?:</p>)?\s*$", re.I)


def _caption_line(segment: list[str]) -> str | None:
    """A short bold line (``**MUGE Text-to-Image Retrieval**:``) right before a table, used as its caption."""
    nonblank = [s for s in segment if s.strip()]
    if not nonblank:
        return None
    last = nonblank[-1]
    if _TABLE_OPEN.search(last) or last.lstrip().startswith("|"):
        nonblank = nonblank[:-1]
        if not nonblank:
            return None
        last = nonblank[-1]
    m = _BOLD_LINE.match(last)
    if not m:
        return None
    body = next(g for g in m.groups() if g)
    text, _, _ = clean_html_fragment(body.replace("**", ""))
    return text if 0 < len(text) <= 120 else None


# -- markdown tables ------------------------------------------------------------------------------------------------


def _md_table(tokens: list[Any], line: int) -> Table:
    rows: list[list[Cell]] = []
    header_rows = 0
    in_head = False
    row: list[Cell] | None = None
    notes: list[str] = []
    for tok in tokens:
        t = tok.type
        if t == "thead_open":
            in_head = True
        elif t == "thead_close":
            in_head = False
        elif t == "tr_open":
            row = [] if len(rows) < MAX_ROWS else None
            if row is None and not any(n.startswith("truncated to") and n.endswith("rows") for n in notes):
                notes.append(f"truncated to {MAX_ROWS} rows")
        elif t == "tr_close" and row is not None:
            rows.append(row)
            if in_head:
                header_rows += 1
            row = None
        elif t == "inline" and row is not None:
            if len(row) >= MAX_COLS:
                continue
            text, bold, marks = _md_cell_text(tok.content)
            row.append(Cell(text=text, raw=tok.content, bold=bold, header=in_head, marks=marks))
    width = max((len(r) for r in rows), default=0)
    if any(len(r) >= MAX_COLS for r in rows):
        notes.append(f"truncated to {MAX_COLS} columns")
    for r in rows:
        while len(r) < width:
            r.append(Cell(text=""))
    return Table(index=0, kind="md", line=line, rows=rows, n_header_rows=header_rows, notes=notes)


# -- HTML tables ----------------------------------------------------------------------------------------------------


def _html_table(fragment: str, line: int) -> Table | None:
    from selectolax.lexbor import LexborHTMLParser

    try:
        tree = LexborHTMLParser(fragment)
    except Exception:  # pragma: no cover - the parser is lenient; a failure means unreadable bytes
        return None
    node = tree.css_first("table")
    if node is None:
        return None
    caption = None
    raw_rows: list[tuple[list[Any], bool]] = []  # (cells, in_thead)
    for child in _children(node):
        tag = child.tag
        if tag == "caption":
            caption = _node_text(child)[0] or None
        elif tag in ("thead", "tbody", "tfoot"):
            for tr in _children(child):
                if tr.tag == "tr":
                    raw_rows.append((_row_cells(tr), tag == "thead"))
        elif tag == "tr":
            raw_rows.append((_row_cells(tr=child), False))
        if len(raw_rows) >= MAX_ROWS:
            break
    grid, notes = _expand(raw_rows)
    n_head = 0
    for cells, in_head in raw_rows:
        if in_head or (cells and all(c.tag == "th" for c in cells)):
            n_head += 1
        else:
            break
    return Table(index=0, kind="html", line=line, rows=grid, n_header_rows=n_head, caption=caption, notes=notes)


def _children(node: Any) -> list[Any]:
    out = []
    c = node.child
    while c is not None:
        if c.tag not in ("-text", "-comment"):
            out.append(c)
        c = c.next
    return out


def _row_cells(tr: Any) -> list[Any]:
    return [c for c in _children(tr) if c.tag in ("td", "th")][: MAX_COLS]


def _span(node: Any, name: str) -> int:
    v = node.attributes.get(name)
    if not v:
        return 1
    m = re.match(r"\s*(\d+)", str(v))
    if not m:
        return 1
    return max(1, min(int(m.group(1)[:6]), MAX_SPAN))


def _node_text(node: Any) -> tuple[str, bool, str]:
    """(text, all_bold, footnote marks) of an HTML node: <br>/block tags -> space, footnote <sup> dropped."""
    parts: list[str] = []
    marks: list[str] = []
    counts = [0, 0]  # bold chars, plain chars
    # iterative (an explicit stack), not recursive: cells nest thousands of elements deep in hostile READMEs
    # stack items: (0, node, bold, sink) read a node's children; (1, text, sink) append text; (2, buf, sink) end a <sup>
    stack: list[tuple] = [(0, node, False, parts)]
    while stack:
        item = stack.pop()
        if item[0] == 1:
            item[2].append(item[1])
            continue
        if item[0] == 2:
            s = "".join(item[1])
            if _FOOTNOTE_SUP.match(s) or not s.strip():
                marks.append(s.strip())
            else:
                item[2].append(s)
            continue
        _, parent, bold, sink = item
        kids = []
        c = parent.child
        while c is not None:
            kids.append(c)
            c = c.next
        todo: list[tuple] = []
        for c in kids:
            tag = c.tag
            if tag == "-text":
                todo.append((1, c.text_content or "", sink))
                counts[0 if bold else 1] += len((c.text_content or "").strip())
            elif tag in ("-comment", "script", "style"):
                pass
            elif tag == "br":
                todo.append((1, " ", sink))
            elif tag == "sup":
                buf: list[str] = []
                todo.append((0, c, bold, buf))
                todo.append((2, buf, sink))
            elif tag == "img":
                todo.append((1, c.attributes.get("alt") or "", sink))
            else:
                block = tag in _BLOCK_TAGS
                if block:
                    todo.append((1, " ", sink))
                todo.append((0, c, bold or tag in ("b", "strong"), sink))
                if block:
                    todo.append((1, " ", sink))
        stack.extend(reversed(todo))

    text = squash("".join(parts))
    # markdown emphasis written inside HTML cells (**x**) is common in READMEs
    if "**" in text:
        stripped = text.replace("**", "").strip()
        if text.startswith("**") and text.endswith("**"):
            counts = [1, 0]
        text = squash(stripped)
    return text, counts[0] > 0 and counts[1] == 0, "".join(marks)


def _expand(raw_rows: list[tuple[list[Any], bool]]) -> tuple[list[list[Cell]], list[str]]:
    """Lay HTML rows out on a grid honouring colspan/rowspan; trailing columns made only of span copies (a
    ``colspan=15`` in an 8-column table) are dropped."""
    grid: dict[tuple[int, int], Cell] = {}
    notes: list[str] = []
    width = 0
    n_rows = len(raw_rows)
    for r, (cells, in_head) in enumerate(raw_rows):
        if len(grid) >= MAX_CELLS or (r + 1) * max(width, 1) > MAX_CELLS:
            notes.append(f"truncated to {r} rows ({MAX_CELLS:,} cells)")
            n_rows = r
            break
        c = 0
        for node in cells:
            while (r, c) in grid:
                c += 1
            if c >= MAX_COLS:
                if "truncated" not in " ".join(notes):
                    notes.append(f"truncated to {MAX_COLS} columns")
                break
            text, bold, marks = _node_text(node)
            cs, rs = _span(node, "colspan"), _span(node, "rowspan")
            rs = min(rs, n_rows - r)
            cs = min(cs, MAX_COLS - c)
            rs = max(1, min(rs, (MAX_CELLS - len(grid)) // cs))  # span copies count against the cell budget
            cell = Cell(text=text, raw="", bold=bold, header=in_head or node.tag == "th", colspan=cs, rowspan=rs, marks=marks)
            for dr in range(rs):
                for dc in range(cs):
                    if dr == 0 and dc == 0:
                        grid[(r, c)] = cell
                    else:
                        grid.setdefault(
                            (r + dr, c + dc),
                            Cell(text=text, bold=bold, header=cell.header, colspan=cs, rowspan=rs, origin=(r, c), marks=marks),
                        )
            c += cs
            width = max(width, c)
    # drop trailing columns that hold only span copies or nothing
    while width > 0 and all(((r, width - 1) not in grid) or grid[(r, width - 1)].is_copy for r in range(n_rows)):
        width -= 1
    rows = []
    for r in range(n_rows):
        rows.append([grid.get((r, c)) or Cell(text="") for c in range(width)])
    return rows, notes
