"""The structure of one table grid (:class:`_Layout`): header rows (a second row of shot settings or metric names
counts), full-width caption and section rows, spacer rows, and per column whether it holds scores, labels, a setting
(``# Shots``, ``Metric``) or a property that is not a score (parameters, context length, latency, dates...). Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..benchmarks import Registry, normalize_name
from .tables import Table, squash
from .ruleset import active
from .cells import NUMERIC, _ARROWS, CellValue, _is_missing, parse_value
from .names import clean_benchmark_name, _METRIC_ONLY_EXTRA, shot_count, _SHOT_RANGE


_NON_SCORE = re.compile(
    r"(?:^|[^a-z])(?:params?|parameters?|size|context|length|seq(?:uence)?|tokens?|throughput|speed|memory|vram|gpus?|"
    r"hours?|time|date|release|download|downloads|links?|url|license|power|carbon|co2|emissions?|[gtmkp]?flops?|layers?|"
    r"heads?|dim|dimension|d_?model|vocab|batch|learning rate|lr|epochs?|steps?|nodes?|latency|cost|price|"
    r"framework|quantization|quantisation|precision|open[- ]?source|architecture|activated|experts?|hardware|year|"
    r"input modalities|output modalities|modality|knowledge cutoff|cutoff|training data|type|method|bs|sl|"
    r"g?macs|macts|sec|fps|schedule|resolution|img[_ ]?size|compress(?:ion)? rate|fertility)(?:$|[^a-z])",
    re.I,
)
_RELATIVE = re.compile(r"\brel(?:ative)?\b|speed[- ]?up|×|\bx\b", re.I)
_TRAINING_LOG = re.compile(r"^(?:training loss|epoch|step|validation loss|train loss|eval loss|learning rate)$", re.I)
_BENCH_HEADER = re.compile(r"bench|dataset|task|eval|test[ _-]?set|subject|^metric|^name$|^corpus$", re.I)
#: a column of counts or statistics beside the scores of a test set ("#sent", "#words", BLEU's brevity penalty "BP")
_COUNT_HEADER = re.compile(r"^(?:#\s*\w*|n|count|sents?|sentences|words|tokens|samples|examples|size|bp|ref[ _-]?len|hyp[ _-]?len|len(?:gth)?)$", re.I)
#: a language pair as translation tables write it ("fin-eng", "en-de", "eng-deu")
_LANG_PAIR = re.compile(r"^[a-z]{2,3}(?:_[A-Za-z]{4})?[-–>][a-z]{2,3}(?:_[A-Za-z]{4})?$")
_MODEL_HEADER = re.compile(r"^(?:models?|model name|models?\s*/\s*\w+|method|system|checkpoint|llm|name)$", re.I)
#: sclite's summary columns (ESPnet and Kaldi result tables): counts, the parts of the error rate, and the error rates
_SCLITE_PARTS = frozenset({"snt", "wrd", "corr", "sub", "del", "ins"})
_SCLITE_ERRORS = frozenset({"err", "s.err"})
_SCOREISH = re.compile(r"score|result|accuracy|\bacc\b|performance|\bwer\b|\bcer\b|\bf1\b|bleu|rouge|pass@|exact match|\bem\b|win rate|elo|pearson|spearman|correlation|ndcg|\bmrr\b|\bm?iou\b|\bmap\b|top-?[15]\b|acc@\d", re.I)


@dataclass
class _Layout:
    table: Table
    hn: int = 1
    caption_rows: list[int] = field(default_factory=list)
    shot_rows: list[int] = field(default_factory=list)
    data_rows: list[int] = field(default_factory=list)
    section_of: dict[int, str] = field(default_factory=dict)
    value_cols: list[int] = field(default_factory=list)
    label_cols: list[int] = field(default_factory=list)
    shot_cols: list[int] = field(default_factory=list)
    metric_cols: list[int] = field(default_factory=list)
    blocked: dict[int, str] = field(default_factory=dict)  # value-looking columns that are not scores -> reason
    cells: dict[tuple[int, int], CellValue] = field(default_factory=dict)
    caption: str | None = None
    training_log: bool = False

    def text(self, r: int, c: int) -> str:
        return self.table.rows[r][c].text

    def value(self, r: int, c: int) -> CellValue:
        v = self.cells.get((r, c))
        if v is None:
            v = self.cells[(r, c)] = parse_value(self.table.rows[r][c].text)
        return v

    def levels(self, c: int, *, names_only: bool = False) -> list[tuple[int, str]]:
        """Header texts of column c, top to bottom: (header row, text), caption rows skipped, repeats collapsed."""
        out: list[tuple[int, str]] = []
        for h in range(self.hn):
            if h in self.caption_rows or (names_only and h in self.shot_rows):
                continue
            t = self.text(h, c)
            if out and out[-1][1] == t:
                continue
            out.append((h, t))
        return out

    def header(self, c: int) -> str:
        return " / ".join(t for _, t in self.levels(c) if t) if self.hn else ""


def _is_subheader_row(cells: list[str], registry: Registry) -> bool:
    vals = [t for t in cells[1:] if t and not _is_missing(t)]
    if not vals:
        return False
    return all(shot_count(t)[0] or _SHOT_RANGE.match(t) or _metric_only(t, registry) for t in vals)


def _spanned_header_row(rows: list, h: int) -> bool:
    """Row ``h`` continues the header: its label cell is the header's label cell spanning down (``<td rowspan=2>
    Model</td>`` over a second row of column names) and none of its cells holds a number."""
    first = rows[h][0]
    if not (first.is_copy and first.text and first.text == rows[h - 1][0].text):
        return False
    rest = [c.text for c in rows[h][1:] if c.text and not _is_missing(c.text)]
    return bool(rest) and all(parse_value(t).kind not in NUMERIC for t in rest)


def _metric_only(text: str, registry: Registry) -> bool:
    t = clean_benchmark_name(_ARROWS.sub("", text)).strip()
    if not t:
        return False
    m = registry.metric(t)
    if m is not None and m.id != "score" and len(normalize_name(t)) > 1:
        return True
    return bool(_METRIC_ONLY_EXTRA.match(t))


def _layout(table: Table, registry: Registry) -> _Layout:
    lay = _Layout(table=table)
    rows = table.rows
    n = len(rows)
    ncols = table.n_cols
    if n == 0 or ncols == 0:
        lay.hn = 0
        return lay
    hn = max(1, table.n_header_rows)
    hn = min(hn, max(1, n - 1)) if n > 1 else 1
    while hn < n - 1 and (_is_subheader_row([c.text for c in rows[hn]], registry) or _spanned_header_row(rows, hn)):
        hn += 1
    lay.hn = hn
    for h in range(hn):
        texts = [c.text for c in rows[h]]
        if ncols > 1 and texts[0] and all(t == texts[0] for t in texts):
            lay.caption_rows.append(h)
            lay.caption = lay.caption or texts[0]
    # rows
    section = ""
    for r in range(hn, n):
        texts = [c.text for c in rows[r]]
        nonempty = [t for t in texts if t and not _is_missing(t)]
        if not nonempty:
            continue
        distinct = set(nonempty)
        if len(distinct) == 1 and ncols > 1:
            only = nonempty[0]
            copies = any(c.is_copy for c in rows[r][1:])
            single = len(nonempty) == 1 and (texts[0] == only or (ncols > 2 and texts[1] == only and not texts[0]))
            if (copies or single) and parse_value(only).kind not in NUMERIC:
                section = only
                continue
        lay.data_rows.append(r)
        lay.section_of[r] = section
    # per-column counts of numeric and text cells in data rows
    counts = []
    for c in range(ncols):
        n_num = n_text = 0
        for r in lay.data_rows:
            v = lay.value(r, c)
            if v.kind in NUMERIC:
                n_num += 1
            elif v.kind != "missing":
                n_text += 1
        counts.append((n_num, n_text))
    numeric_cols = [c for c in range(ncols) if counts[c][0] >= 1 and counts[c][0] >= counts[c][1]]
    # shot rows among header rows: every header cell above a numeric column is a shot setting (5-shot, n=5)
    for h in range(hn):
        if h in lay.caption_rows:
            continue
        vals = [rows[h][c].text for c in numeric_cols]
        vals = [t for t in vals if t and not _is_missing(t)]
        if vals and all(shot_count(t)[0] for t in vals):
            lay.shot_rows.append(h)
    # training logs
    head_words = {squash(c.text).casefold() for h in range(hn) for c in rows[h]}
    if "epoch" in head_words and head_words & {"step", "training loss", "validation loss", "train loss"}:
        lay.training_log = True
    # columns
    for c in range(ncols):
        n_num, n_text = counts[c]
        hdr = " / ".join(t for _, t in lay.levels(c, names_only=True) if t)
        col_texts = [lay.text(r, c) for r in lay.data_rows if lay.text(r, c)]
        if re.search(r"(?:^|[^a-z])(?:#\s*)?shots?$|^#?\s*k$|n[- ]?shots?$|^#\s*shots", hdr.strip(), re.I):
            if all(parse_value(t).kind in ("number", "missing") or shot_count(t)[0] for t in col_texts):
                lay.shot_cols.append(c)
                continue
        if re.fullmatch(r"metrics?|measure", squash(hdr).casefold()) and n_text >= n_num:
            lay.metric_cols.append(c)
            continue
        if n_num >= 1 and n_num >= n_text:
            reason = _non_score_reason(hdr) or _row_index_reason(lay, c, hdr)
            if reason:
                lay.blocked[c] = reason
            lay.value_cols.append(c)
        else:
            lay.label_cols.append(c)
    return lay


def _row_index_reason(lay: _Layout, c: int, header: str) -> str | None:
    """A column without a header counting the rows (0, 1, 2, ... or 1, 2, 3, ...: a pandas index) is no score."""
    if header.strip() or len(lay.data_rows) < 2 or not active("row-index"):
        return None
    vals = [lay.value(r, c) for r in lay.data_rows]
    if not all(v.kind == "number" and v.value == int(v.value) for v in vals):
        return None
    first = int(vals[0].value)
    if first in (0, 1) and [int(v.value) for v in vals] == list(range(first, first + len(vals))):
        return "column without a header counts the rows (an index, not a score)"
    return None


def _non_score_reason(header: str) -> str | None:
    """Why a column (or row) named ``header`` holds a property of the model, not a score; None when it does not."""
    if not active("non-score-columns"):
        return None
    h = _ARROWS.sub("", header)
    m = _NON_SCORE.search(h)
    if not m:
        return None
    if _RELATIVE.search(h) and re.search(r"latency|speed|throughput|time", h, re.I):
        return None  # relative speed is a comparison score
    if _SCOREISH.search(h) and not re.search(r"params?|parameters?|size", h, re.I):
        return None
    return f"column '{squash(header)}' is not a score ({m.group(0).strip(' ()')})"


def _label_spans(lay: _Layout, r: int) -> list[tuple[int, int, str]]:
    """(first, last, text) of every contiguous run of label cells in row r (a model name split over cells)."""
    cols = lay.label_cols
    out = []
    for i in range(len(cols)):
        parts = []
        for j in range(i, min(len(cols), i + 3)):
            t = lay.text(r, cols[j])
            if not t:
                break
            parts.append(t)
            out.append((i, j, " ".join(parts)))
    return out


def _name_col(lay: _Layout) -> int | None:
    """The label column most likely to hold model names: one headed 'Model', else the one with most distinct
    values (category columns repeat)."""
    if not lay.label_cols:
        return None
    for c in lay.label_cols:
        if _MODEL_HEADER.match(squash(lay.header(c))):
            return c
    return max(lay.label_cols, key=lambda c: (len({lay.text(r, c) for r in lay.data_rows if lay.text(r, c)}), -c))


def _bench_col(lay: _Layout, target_cols: list[int]) -> int | None:
    labels = [c for c in lay.label_cols if c < min(target_cols)] or lay.label_cols
    if not labels:
        return None
    for c in labels:
        h = lay.header(c)
        if h and _BENCH_HEADER.search(h) and not re.fullmatch(r"metrics?", h.strip(), re.I):
            return c
    # the rightmost label column that is not a category column (a category column repeats or leaves blanks)
    best = None
    for c in labels:
        texts = [lay.text(r, c) for r in lay.data_rows]
        filled = [t for t in texts if t]
        copies = sum(1 for r in lay.data_rows if lay.table.rows[r][c].is_copy)
        category = len(labels) > 1 and (copies > 0 or len(filled) < 0.75 * len(texts) or len(set(filled)) < 0.75 * len(filled))
        if not category:
            best = c
    return best if best is not None else labels[-1]
