"""README tables -> :class:`~evalcard.results.EvalResult` records for one model.

The steps, each a small function below:

1. :func:`~evalcard.card.tables.parse_tables` finds every table (markdown and HTML) as a rectangular grid.
2. :class:`_Layout` reads a grid's structure: header rows (a second row of shot settings or metric names counts as
   header), full-width caption rows, section rows ("Math", "Code"), empty spacer rows, and per column whether it
   holds scores, labels, a setting (``# Shots``, ``Metric``) or a non-score property (parameters, context length,
   latency, dates, downloads...).
3. The target model is looked up by normalised name on both axes: in the column headers (benchmarks as rows) and
   in the row labels (models as rows; a name split over two cells such as ``Llama 2 | 7B`` counts). A table with a
   benchmark column and only score columns ("Benchmark | Score") belongs to the card's own model. No confident
   match means no results from that table: the names seen are reported as candidates instead.
4. Each target cell is parsed (:func:`parse_value`) and named (:func:`split_name`): benchmark name cleaned as
   written, n-shot / CoT / split / metric read from the name, the header levels or setting columns, the canonical
   benchmark from the registry when the name is known.

Pure: no I/O, no printing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..benchmarks import Benchmark, Registry, load_registry, normalize_name
from ..errors import SourceError, UsageError
from ..results import EvalResult, to_float
from .frontmatter import front_matter_end
from .tables import Table, parse_tables, squash

# -- cell values ----------------------------------------------------------------------------------------------------

_NUM = r"[-+−]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?|\.\d+)"
_PM = r"(?:±|\+/-|\+-|\+/−)"
_RE_VALUE = re.compile(rf"^({_NUM})\s*(%)?\s*(?:{_PM}\s*({_NUM})\s*(%)?)?$")
_RE_VALUE_PAREN_ERR = re.compile(rf"^({_NUM})\s*(%)?\s*\(\s*{_PM}\s*({_NUM})\s*%?\s*\)$")
_RE_PAIR = re.compile(rf"^({_NUM})\s*(%)?\s*(?:/|\|)\s*({_NUM})\s*(%)?$")
_RE_RANGE = re.compile(rf"^({_NUM})\s*%?\s*(?:–|—|~|\bto\b|-)\s*({_NUM})\s*%?$")
_RE_ANNOTATED = re.compile(rf"^({_NUM})\s*%?\s*[\(\[].*[\)\]]$")
_RE_UNIT = re.compile(rf"^[~≈<>]?\s*({_NUM})\s*[a-zA-Z/]+\)?$")
_TRAILING_MARKS = re.compile(r"(?:\s*(?:[*†‡§¶]+|\^\[?\d*\]?|\[\d{1,2}\]|\(\d{1,2}\)$))+$")
_ARROWS = re.compile(r"[↑↓⬆⬇]")
MISSING = {"", "-", "–", "—", "--", "---", "n/a", "na", "/", "none", "null", "nan", "?", "…", "...", "x", "tbd", "tba", "n.a.", "n.a", "-/-"}


@dataclass
class CellValue:
    """What a cell holds. ``kind``: number, pair, missing, range, annotated, unit, text."""

    kind: str
    value: float | None = None
    second: float | None = None
    stderr: float | None = None
    percent: bool = False
    text: str = ""

    @property
    def is_number(self) -> bool:
        return self.kind == "number"


def _to_float(s: str) -> float:
    s = s.replace("−", "-")
    if "," in s:
        body = s.lstrip("+-")
        if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", body) and not body.startswith("0,"):
            s = s.replace(",", "")
        else:  # decimal comma
            s = s.replace(",", ".")
    return float(s)


def parse_value(text: str) -> CellValue:
    """Read a score cell as written: ``**71.6**``, ``98.2%``, ``0.720 ± 0.006``, ``15,8%`` (decimal comma),
    ``1,208`` (thousands), ``45.2%^1`` (footnote). ``-``/``N/A`` are missing (never zero); ``42.2/36.6`` is a pair,
    ``3-5`` a range; ``37B``/``65GiB`` carry a unit (not a score)."""
    s = squash(text)
    s = _ARROWS.sub("", s).strip()
    if s.casefold() in MISSING:
        return CellValue("missing", text=s)
    if s.startswith("**") and s.endswith("**"):
        s = s[2:-2].strip()
    s2 = _TRAILING_MARKS.sub("", s).strip() or s
    for cand in (s2, s):
        m = _RE_VALUE.match(cand)
        if m:
            v = _to_float(m.group(1))
            err = _to_float(m.group(3)) if m.group(3) else None
            return CellValue("number", v, stderr=err, percent=bool(m.group(2) or m.group(4)), text=s)
    m = _RE_VALUE_PAREN_ERR.match(s2)
    if m:
        return CellValue("number", _to_float(m.group(1)), stderr=_to_float(m.group(3)), percent=bool(m.group(2)), text=s)
    m = _RE_PAIR.match(s2)
    if m:
        return CellValue("pair", _to_float(m.group(1)), second=_to_float(m.group(3)), percent=bool(m.group(2) or m.group(4)), text=s)
    m = _RE_RANGE.match(s2)
    if m:
        return CellValue("range", text=s)
    m = _RE_ANNOTATED.match(s2)
    if m:
        return CellValue("annotated", _to_float(m.group(1)), text=s)
    m = _RE_UNIT.match(s2)
    if m:
        return CellValue("unit", text=s)
    return CellValue("text", text=s)


# -- names ----------------------------------------------------------------------------------------------------------

_SHOT = re.compile(
    r"^\(?\s*(?:(\d+)\s*[- ]?\s*shots?(?:\s*@\s*\d+)?|(zero|one|two|three|four|five|few)[- ]?shots?|n\s*=\s*(\d+)|(\d+)\s*[- ]?\s*shot\s*\+?\s*cot|k\s*=\s*(\d+))\s*\)?$",
    re.I,
)
_SHOT_RANGE = re.compile(r"^(\d+)\s*[-–~]\s*(\d+)\s*[- ]?shots?$", re.I)
_WORD_NUM = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_NOTE_WORDS = re.compile(r"^(cot|chain[- ]of[- ]thought|maj@\d+|self[- ]?consistency|sc|tool[s-]?(?:use)?|w/ tools|no[- ]?cot|greedy|sampling|avg@\d+)$", re.I)
_SPLITS = {"val": "validation", "validation": "validation", "dev": "dev", "test": "test", "testmini": "testmini", "test-mini": "testmini", "mini": "mini", "train": "train"}
_PAREN = re.compile(r"\s*[\(（]([^()（）]*)[\)）]")
_METRIC_ONLY_EXTRA = re.compile(r"^(?:r|p|recall|precision|hit|mrr|ndcg|map|acc|top)\s*@\s*\d+$", re.I)


def shot_count(s: str) -> tuple[bool, int | None]:
    """(is a shot setting, n) for ``5-shot``, ``zero-shot``, ``n=5``, ``(0-shot)``; few-shot gives (True, None)."""
    m = _SHOT.match(s.strip())
    if not m:
        return False, None
    for g in (m.group(1), m.group(3), m.group(4), m.group(5)):
        if g is not None:
            return True, int(g)
    w = (m.group(2) or "").casefold()
    return True, _WORD_NUM.get(w)


@dataclass
class NameInfo:
    written: str  # cleaned name as written (footnote markers dropped)
    base: str  # name without settings (shots, CoT, metric, split) -- used for the registry and the dataset id
    n_shot: int | None = None
    notes: list[str] = field(default_factory=list)
    metric: str | None = None  # registry metric id named in the name
    split: str | None = None
    #: qualifiers the parser could not classify ("middle" in "RACE (middle)"): they stay in ``base``
    unclassified: bool = False


def split_name(name: str, registry: Registry) -> NameInfo:
    """``MMLU (5-shot)`` -> base MMLU, n_shot 5; ``GSM8K CoT 8-shot`` -> base GSM8K, n_shot 8, note CoT;
    ``BBH (EM)`` -> base BBH, metric exact_match; ``RACE (middle)`` keeps its qualifier."""
    written = clean_benchmark_name(name)
    info = NameInfo(written=written, base=written)
    kept: list[str] = []

    def classify(part: str) -> bool:
        p = part.strip()
        if not p:
            return True
        ok, n = shot_count(p)
        if ok:
            if n is not None and info.n_shot is None:
                info.n_shot = n
            elif n is None:
                info.notes.append(p)
            return True
        if _SHOT_RANGE.match(p):
            info.notes.append(p)
            return True
        if _NOTE_WORDS.match(p):
            info.notes.append("CoT" if p.casefold() in ("cot", "chain-of-thought", "chain of thought") else p)
            return True
        low = p.casefold().rstrip(".")
        if low in _SPLITS:
            info.split = info.split or _SPLITS[low]
            return True
        met = registry.metric(p)
        if met is not None and len(normalize_name(p)) > 1:
            info.metric = info.metric or met.id
            return True
        return False

    def paren(m: re.Match) -> str:
        inner = m.group(1)
        parts = [x for x in re.split(r"\s*[,;]\s*", inner) if x.strip()]
        if parts and all(classify_multi(x) for x in parts):
            return ""
        kept.append(inner)
        return m.group(0)

    def classify_multi(part: str) -> bool:
        # "3-shot CoT", "0-shot, CoT": classify word groups
        if classify(part):
            return True
        words = part.split()
        if len(words) > 1:
            snap = (info.n_shot, list(info.notes), info.metric, info.split)
            if all(classify(w) for w in words):
                return True
            info.n_shot, info.notes, info.metric, info.split = snap[0], snap[1], snap[2], snap[3]
        return False

    base = _PAREN.sub(paren, written)
    if " / " in base:  # composed names ("Caption / Zero-shot / R@1"): settings and metrics leave the base
        segs = base.split(" / ")
        segs = [x for x in segs if not classify(x)] or segs[:1]
        base = " / ".join(segs)
    # trailing bare settings: "GSM8K CoT 8-shot", "MMLU 5-shot"
    words = base.split()
    while len(words) > 1 and (shot_count(words[-1])[0] or _NOTE_WORDS.match(words[-1])):
        classify(words.pop())
    # glued or spaced shot settings such as "MMLU-5shot" are left alone (rare, ambiguous)
    info.base = squash(" ".join(words)).strip(" ,;:-") or written
    info.unclassified = bool(kept)
    return info


def clean_benchmark_name(name: str) -> str:
    """Trailing footnote markers (``*``, ``†``, ``^``, ``^1``, ``[2]``) dropped; spaces squashed. Arrows stay."""
    s = squash(name)
    s2 = re.sub(r"(?:\s*(?:[*†‡§¶]+|\^\d*|\[\d{1,2}\]|\^\[\d{1,2}\]))+$", "", s).strip()
    return s2 or s


def slug(name: str) -> str:
    s = re.sub(r"[^0-9a-z+@.]+", "-", name.casefold()).strip("-.")
    return s or "benchmark"


# -- model names ----------------------------------------------------------------------------------------------------

_PRECISION_SUFFIX = re.compile(r"\s*[\(\[]\s*(?:bf16|fp16|fp32|float16|bfloat16|float32|full[- ]precision|original|unquantized)\s*[\)\]]\s*$", re.I)
_THIS = re.compile(r"\s*[\(\[]\s*(?:this|ours|this model|this work)\s*[\)\]]\s*", re.I)
_INSTRUCT_SUFFIX = re.compile(r"[\s\-_.]+(instruct|chat|it)$", re.I)
_INSTRUCT_CONTEXT = re.compile(r"instruct|\bchat\b|fine[- ]?tuned|post[- ]?trained|\baligned\b|\bsft\b|\brlhf\b", re.I)
_BASE_CONTEXT = re.compile(r"\bbase\b|pre[- ]?trained|pretrain", re.I)


def model_key(name: str | None) -> str:
    """Normalised model name: case, ``-``/``_``/space/dots, an org prefix, bold/links, footnote markers, ``(this)``
    and an unquantised-precision suffix (``(BF16)``) are ignored."""
    if not name:
        return ""
    s = clean_benchmark_name(name.replace("**", "").replace("__", ""))
    # emoji link markers ("Qwen2-VL-7B (🤗 🤖)"): symbols are no part of a name, nor the brackets left empty
    s = "".join(ch for ch in s if unicodedata.category(ch) not in ("So", "Sk", "Cs"))
    s = re.sub(r"\(\s*\)|\(\s*$", " ", s)
    s = _THIS.sub(" ", s)
    s = _PRECISION_SUFFIX.sub("", s).strip()
    s = s.casefold()
    if re.match(r"^[\w.\-]+/[\w.\-\s]+$", s):
        s = s.split("/", 1)[1]
    return re.sub(r"[\s\-_.·]+", "", s)


# -- layout ---------------------------------------------------------------------------------------------------------

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
_SCOREISH = re.compile(r"score|result|accuracy|\bacc\b|performance|\bwer\b|\bcer\b|\bf1\b|bleu|rouge|pass@|exact match|\bem\b|win rate|elo|pearson|spearman|correlation|ndcg|\bmrr\b|\bm?iou\b|\bmap\b|top-?[15]\b|acc@\d", re.I)


def _is_missing(text: str) -> bool:
    return squash(_ARROWS.sub("", text)).casefold() in MISSING


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
    return bool(rest) and all(parse_value(t).kind not in ("number", "pair") for t in rest)


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
            if (copies or single) and parse_value(only).kind not in ("number", "pair"):
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
            if v.kind in ("number", "pair"):
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
    if header.strip() or len(lay.data_rows) < 2:
        return None
    vals = [lay.value(r, c) for r in lay.data_rows]
    if not all(v.kind == "number" and v.value == int(v.value) for v in vals):
        return None
    first = int(vals[0].value)
    if first in (0, 1) and [int(v.value) for v in vals] == list(range(first, first + len(vals))):
        return "column without a header counts the rows (an index, not a score)"
    return None


def _non_score_reason(header: str) -> str | None:
    h = _ARROWS.sub("", header)
    m = _NON_SCORE.search(h)
    if not m:
        return None
    if _RELATIVE.search(h) and re.search(r"latency|speed|throughput|time", h, re.I):
        return None  # relative speed is a comparison score
    if _SCOREISH.search(h) and not re.search(r"params?|parameters?|size", h, re.I):
        return None
    return f"column '{squash(header)}' is not a score ({m.group(0).strip(' ()')})"


# -- reports --------------------------------------------------------------------------------------------------------


@dataclass
class Skip:
    table: int
    what: str
    reason: str
    row: int | None = None  # 1-based, for a skipped cell
    column: int | None = None

    def __iter__(self):  # so it unpacks as (table, what, reason)
        return iter((self.table, self.what, self.reason))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"table": self.table, "what": self.what, "reason": self.reason}
        if self.row is not None:
            d.update(row=self.row, column=self.column)
        return d


@dataclass
class TableReport:
    index: int
    kind: str
    line: int
    n_rows: int
    n_cols: int
    header: list[str]
    orientation: str  # rows | columns | single-score | unknown | not-scores
    model_candidates: list[str] = field(default_factory=list)
    matched_model: str | None = None
    results: list[EvalResult] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    heading: str | None = None
    caption: str | None = None
    near_matches: list[str] = field(default_factory=list)
    #: every score-like cell not extracted, with the reason: {"row", "column", "cell", "reason"} (1-based)
    left_out: list[dict[str, Any]] = field(default_factory=list)

    def left_out_summary(self) -> list[tuple[str, int]]:
        """(reason, number of cells) for the cells left out, most frequent first."""
        counts: dict[str, int] = {}
        for d in self.left_out:
            counts[d["reason"]] = counts.get(d["reason"], 0) + 1
        return sorted(counts.items(), key=lambda kv: -kv[1])

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "kind": self.kind,
            "line": self.line,
            "n_rows": self.n_rows,
            "n_cols": self.n_cols,
            "heading": self.heading,
            "caption": self.caption,
            "header": self.header,
            "orientation": self.orientation,
            "model_candidates": self.model_candidates,
            "near_matches": self.near_matches,
            "matched_model": self.matched_model,
            "results": [_preview(r) for r in self.results],
            "reasons": self.reasons,
            "left_out": self.left_out,
        }


def _preview(r: EvalResult) -> dict[str, Any]:
    d: dict[str, Any] = {"table": r.provenance.get("table"), "benchmark": r.provenance.get("benchmark"), "value": r.value}
    for k in ("stderr", "n_shot", "notes", "scale", "higher_is_better"):
        v = getattr(r, k)
        if v is not None:
            d[k] = v
    d["dataset"] = r.dataset_id
    d["metric"] = r.metric_type
    d["evidence"] = evidence(r)
    return d


def evidence(r: EvalResult) -> dict[str, Any]:
    """Where an extracted score was read and why it is the model's: table, row, column, the name matched, how
    (:data:`MATCH_KINDS`) and a sentence saying so."""
    return {k: r.provenance[k] for k in ("table", "row", "column", "matched", "match", "why", "confidence", "doubt") if r.provenance.get(k) is not None}


@dataclass
class Extraction:
    #: the scores to write: high confidence, or every score read when asked (``include_low_confidence``)
    results: list[EvalResult] = field(default_factory=list)
    #: low-confidence scores read but held back (shown, not written); each says why in ``provenance["doubt"]``
    held: list[EvalResult] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    #: model names seen in the tables when the target matched nowhere (report them; never guess)
    candidates: list[str] = field(default_factory=list)
    ambiguous: bool = False
    model: str | None = None
    #: names that resemble the target (prefix, size or -Instruct differences) but were not taken
    near_matches: list[str] = field(default_factory=list)
    n_tables: int = 0

    def to_dict(self) -> dict[str, Any]:
        def one(r: EvalResult) -> dict[str, Any]:
            d = {"table": r.provenance.get("table"), "benchmark": r.provenance.get("benchmark"), "value": r.value}
            d.update({k: v for k, v in r.to_dict().items() if k not in ("value",)})
            d["evidence"] = evidence(r)
            return d

        return {
            "model": self.model,
            "results": [one(r) for r in self.results],
            "held_back": [one(r) for r in self.held],
            "skipped": [s.to_dict() for s in self.skipped],
            "candidates": self.candidates,
            "near_matches": self.near_matches,
            "ambiguous": self.ambiguous,
            "tables": self.n_tables,
        }


# -- the table reader -----------------------------------------------------------------------------------------------


@dataclass
class _Ctx:
    registry: Registry
    mapping: dict[str, Any]
    model: str | None
    key: str
    base_key: str | None  # model without -Instruct/-Chat, matched only in instruct-context tables
    column_index: int | None


def _context_text(table: Table) -> str:
    return " ".join([*table.heading_path[-2:], table.caption or "", table.before or ""])


def _matches(text: str, ctx: _Ctx, table: Table, *, family: bool = False) -> bool:
    """Exact match of normalised names; with ``family``, a -Instruct/-Chat model also matches its family name
    (``Llama 3 8B``) in a table whose heading or caption says it is about instruction-tuned models."""
    if not ctx.key or not text:
        return False
    k = model_key(text)
    if not k:
        return False
    if k == ctx.key:
        return True
    if ctx.model and len(k) == len(ctx.key) and _name_words(text) == _name_words(ctx.model):
        return True  # the same words in another order: "CodeQwen1.5-Chat | 7B" for CodeQwen1.5-7B-Chat
    if family and ctx.base_key and k == ctx.base_key:
        context = _context_text(table)
        return bool(_INSTRUCT_CONTEXT.search(context)) and not _BASE_CONTEXT.search(" ".join(table.heading_path[-1:]))
    return False


def _name_words(name: str) -> list[str]:
    """The words of a model name, sorted: what two spellings that only reorder them share."""
    return sorted(model_key(w) for w in re.split(r"[\s\-_/]+", clean_benchmark_name(name)) if model_key(w))


def _near(text: str, ctx: _Ctx) -> bool:
    """A name that resembles the target without being it (a prefix, a size or a -Chat suffix apart)."""
    if not ctx.key or not text:
        return False
    k = model_key(text)
    if not k or k == ctx.key or len(k) < 3:
        return False
    if k.startswith(ctx.key) or ctx.key.startswith(k):
        return True
    strip = lambda s: re.sub(r"\d+(?:\.\d+)?[bm]", "", s)  # noqa: E731
    return strip(k) == strip(ctx.key)


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


def _read_table(table: Table, ctx: _Ctx, forced: bool) -> tuple[TableReport, list[Skip]]:
    """One table's report (results, reasons, and a reason for every score-like cell left out) and its skips."""
    lay = _layout(table, ctx.registry)
    rep, skips = _read_layout(lay, ctx, forced)
    rep.left_out = _left_out(lay, rep, skips, ctx)
    return rep, skips


#: the most cells left out that one table's report lists (its summary still counts them all)
MAX_LEFT_OUT = 2000
_SCORE_LIKE = ("number", "pair", "range", "annotated", "unit")


def _left_out(lay: _Layout, rep: TableReport, skips: list[Skip], ctx: _Ctx) -> list[dict[str, Any]]:
    """A reason for every cell that looks like a score (a number, 'a/b', a range, a number with a unit or a note)
    and gave no result: its own skip, a column that is not a score, the row or column of another model, or why the
    table gave nothing."""
    table = lay.table
    used = {(r.provenance.get("row"), r.provenance.get("column")) for r in rep.results}
    own = {(k.row, k.column): k.reason for k in skips if k.row is not None}
    target_cols = {c for _, c in used}
    target_rows = {r for r, _ in used}
    table_reason = rep.reasons[-1] if rep.reasons else "no scores read from this table"
    name_col = _name_col(lay)
    out: list[dict[str, Any]] = []
    n = 0
    for r in lay.data_rows:
        for c in lay.value_cols:
            cv = lay.value(r, c)
            if cv.kind not in _SCORE_LIKE or (r + 1, c + 1) in used:
                continue
            n += 1
            if len(out) >= MAX_LEFT_OUT:
                continue
            reason = own.get((r + 1, c + 1))
            if reason is None and c in lay.blocked:
                reason = lay.blocked[c]
            if reason is None and rep.results:
                if rep.orientation in ("rows", "single-score") and c + 1 not in target_cols:
                    head = lay.header(c)
                    reason = f"column '{squash(head)}' is not the model's" if head else "column without a header, not the model's"
                elif rep.orientation == "columns" and r + 1 not in target_rows:
                    label = lay.text(r, name_col) if name_col is not None else ""
                    reason = f"row '{squash(label)}' is not the model's" if label else "row without a label, not the model's"
                else:
                    reason = "in the model's row or column, but no benchmark names it (a model property or a spacer)"
            out.append({"row": r + 1, "column": c + 1, "cell": cv.text, "reason": reason or table_reason})
    if n > len(out):
        out.append({"row": None, "column": None, "cell": None, "reason": f"{n - len(out)} more score-like cells left out (not listed)"})
    return out


def _read_layout(lay: _Layout, ctx: _Ctx, forced: bool) -> tuple[TableReport, list[Skip]]:
    table = lay.table
    reg = ctx.registry
    header = [lay.header(c) for c in range(table.n_cols)] if table.rows else []
    rep = TableReport(
        index=table.index, kind=table.kind, line=table.line, n_rows=table.n_rows, n_cols=table.n_cols, header=header,
        orientation="unknown", heading=table.heading, caption=table.caption or lay.caption,
    )
    skips: list[Skip] = []
    if table.notes:
        rep.reasons.extend(table.notes)
    if not lay.data_rows or table.n_cols < 2:
        rep.orientation = "not-scores"
        rep.reasons.append("no data rows")
        return rep, skips
    if lay.training_log:
        rep.orientation = "not-scores"
        rep.reasons.append("per-epoch training log (Epoch/Step columns), not final results")
        return rep, skips
    scored = [c for c in lay.value_cols if c not in lay.blocked]
    if not scored:
        rep.orientation = "not-scores"
        rep.reasons.append("no numeric score column" + (f" ({'; '.join(lay.blocked.values())})" if lay.blocked else ""))
        _collect_candidates(lay, rep, ctx)
        return rep, skips

    # --- where is the target?
    col_hits: list[int] = []
    if ctx.column_index is not None:
        c = ctx.column_index - 1
        if 0 <= c < table.n_cols and c in scored:
            col_hits = [c]
        else:
            rep.reasons.append(f"--model-column-index {ctx.column_index}: column is not a score column in this table")
            return rep, skips
    else:
        for c in lay.value_cols:
            if any(_matches(t, ctx, table) for _, t in lay.levels(c)):
                col_hits.append(c)
    row_hits: list[tuple[int, int, int]] = []  # (row, first label idx, last label idx)
    if ctx.column_index is None:
        for r in lay.data_rows:
            for i, j, t in _label_spans(lay, r):
                if _matches(t, ctx, table):
                    row_hits.append((r, i, j))
                    break
    if not col_hits and not row_hits and ctx.base_key and ctx.column_index is None:
        for c in lay.value_cols:
            if any(_matches(t, ctx, table, family=True) for _, t in lay.levels(c)):
                col_hits.append(c)
        for r in lay.data_rows:
            for i, j, t in _label_spans(lay, r):
                if _matches(t, ctx, table, family=True):
                    row_hits.append((r, i, j))
                    break
        family = True
    else:
        family = False
    if col_hits and row_hits:
        col_vals = sum(1 for c in col_hits for r in lay.data_rows if lay.value(r, c).kind in ("number", "pair"))
        row_vals = sum(1 for r, _, _ in row_hits for c in scored if lay.value(r, c).kind in ("number", "pair"))
        if col_vals and row_vals:
            rep.reasons.append("the model name is both a column header and a row label; skipped (pick the layout with --model-column-index)")
            return rep, skips
        if row_vals:
            col_hits = []
        else:
            row_hits = []
    if col_hits:
        rep.orientation = "rows"
        rep.matched_model = " / ".join(dict.fromkeys(t for c in col_hits for _, t in lay.levels(c) if _matches(t, ctx, table, family=family))) or lay.header(col_hits[0])
        results, sk = _extract_rows(lay, col_hits, ctx, scored)
    elif row_hits:
        rep.orientation = "columns"
        r0, i0, j0 = row_hits[0]
        rep.matched_model = " ".join(lay.text(r0, lay.label_cols[k]) for k in range(i0, j0 + 1))
        results, sk = _extract_columns(lay, row_hits, ctx, scored)
    else:
        single = _single_score_columns(lay, scored, reg)
        if single is not None:
            rep.orientation = "single-score"
            rep.matched_model = None
            results, sk = _extract_rows(lay, single, ctx, scored, implicit=True)
        else:
            _collect_candidates(lay, rep, ctx)
            if ctx.key:
                rep.reasons.append(f"model '{ctx.model}' not found in this table")
            else:
                rep.reasons.append("no model given")
            return rep, skips
    if _relative_to_target(results, lay, scored):
        rep.reasons.append("every score of the model is 100 while the others vary: a table relative to the model, not its scores")
        results = []
    match, why = _evidence(rep, ctx, family)
    doubt = _doubt(results, match, ctx, forced)
    for res in results:
        res.provenance.update(matched=rep.matched_model, match=match, why=why)
        res.provenance["confidence"] = "low" if doubt else "high"
        if doubt:
            res.provenance["doubt"] = doubt
    rep.results = results
    skips.extend(sk)
    if not results:
        rep.reasons.append("no scores in the target " + ("column" if rep.orientation != "columns" else "row"))
    for s in sk:
        rep.reasons.append(f"skipped {s.what}: {s.reason}")
    return rep, skips


#: how the model was found in a table, strongest first (``provenance["match"]`` of every extracted score)
MATCH_KINDS = ("forced", "exact", "reordered", "family", "implicit")


def _evidence(rep: TableReport, ctx: _Ctx, family: bool) -> tuple[str, str]:
    """(match kind, why this row or column holds the model's scores), for the scores of one table."""
    where = {"rows": "a column header", "columns": "a row label"}.get(rep.orientation, "")
    if ctx.column_index is not None:
        return "forced", f"--model-column-index {ctx.column_index}"
    if rep.orientation == "single-score":
        return "implicit", "the table names no model and its score columns are the card's own"
    if family:
        return "family", f"{where} names the model's family ({rep.matched_model!r}) in a table about instruction-tuned models"
    if model_key(rep.matched_model) == ctx.key:
        return "exact", f"{where} names the model ({rep.matched_model!r})"
    return "reordered", f"{where} names the model with its words in another order ({rep.matched_model!r})"


def _known(res: EvalResult, ctx: _Ctx) -> bool:
    """Whether evalcard knows what a score measures: its benchmark (the registry's, or one ``--metric-mapping``
    names), whole or one level of a composed name, or its metric."""
    name = res.provenance.get("benchmark") or ""
    for part in dict.fromkeys([name, *name.split(" / ")]):
        if any(_lookup_benchmark(part, ctx.registry, ctx.mapping)):
            return True
        # "MMLU (5-shot, macro_avg/acc)", "XNLI": the name without its qualifiers is a benchmark's
        bare = re.sub(r"\s*[\(\[（][^()\[\]（）]*[\)\]）]", "", part).strip()
        if ctx.registry.names_benchmark(part) or ctx.registry.names_benchmark(bare):
            return True
    return res.metric_type != "score" and ctx.registry.metric(res.metric_type) is not None


def _doubt(results: list[EvalResult], match: str, ctx: _Ctx, forced: bool) -> str | None:
    """Why the scores read from one table are low confidence (shown, not written unless asked), or None.

    Low confidence: the model was found only by its family name, or nothing the table's scores are named by is a
    benchmark or a metric evalcard knows — then nothing says the table holds evaluation scores at all (a column of
    settings or statistics reads like one of scores) nor checks their scale or direction. One known name vouches
    for the table: its other columns are siblings ("Commonsense Reasoning" beside MMLU). Naming the table
    (``--table``), the column (``--model-column-index``) or the benchmarks (``--metric-mapping``) is the user's
    word for it."""
    if forced or match == "forced" or not results:
        return None
    if match == "family":
        return "the model is named only by its family"
    if any(_known(r, ctx) for r in results):
        return None
    return "no benchmark or metric in this table is one evalcard knows: nothing says these are evaluation scores"


def _relative_to_target(results: list[EvalResult], lay: _Layout, scored: list[int]) -> bool:
    """The model is the 100 (or 100%) every other row is measured against: 3+ scores, all 100, others not."""
    if len(results) < 3 or any(to_float(r.value) != 100.0 for r in results):
        return False
    others = [lay.value(r, c) for r in lay.data_rows for c in scored]
    return any(v.kind == "number" and v.value != 100.0 for v in others)


def _collect_candidates(lay: _Layout, rep: TableReport, ctx: _Ctx) -> None:
    """Names on the model axis, guessed from content: the axis with fewer known benchmark names holds the models."""
    reg = ctx.registry
    scored = [c for c in lay.value_cols if c not in lay.blocked]
    hdr_names = [lay.levels(c, names_only=True)[0][1] for c in scored if lay.levels(c, names_only=True)]
    hdr_names = [t for t in hdr_names if t]
    row_names = []
    name_col = _name_col(lay)
    for r in lay.data_rows:
        if name_col is None or not any(lay.value(r, c).kind in ("number", "pair") for c in scored):
            continue
        t = lay.text(r, name_col)
        if t:
            row_names.append(t)
    known_hdr = sum(1 for t in hdr_names if _lookup_benchmark(t, reg, ctx.mapping)[0] is not None)
    known_row = sum(1 for t in row_names if _lookup_benchmark(t, reg, ctx.mapping)[0] is not None)
    first_label_hdr = lay.header(lay.label_cols[0]) if lay.label_cols else ""
    if known_row > known_hdr or (known_row == known_hdr and _BENCH_HEADER.search(first_label_hdr or "")):
        rep.orientation = "rows" if rep.orientation == "unknown" else rep.orientation
        cands = [t for t in hdr_names if _lookup_benchmark(t, reg, ctx.mapping)[0] is None and not _metric_only(t, reg)]
    elif known_hdr > 0 or any(_MODEL_HEADER.match(squash(lay.header(c))) for c in lay.label_cols):
        rep.orientation = "columns" if rep.orientation == "unknown" else rep.orientation
        cands = row_names
    else:
        cands = []
    rep.model_candidates = list(dict.fromkeys(cands))
    rep.near_matches = [t for t in rep.model_candidates if _near(t, ctx)]
    if not rep.near_matches and ctx.key:
        allnames = hdr_names + [lay.text(r, c) for r in lay.data_rows for c in lay.label_cols]
        rep.near_matches = list(dict.fromkeys(t for t in allnames if _near(t, ctx)))


def _name_col(lay: _Layout) -> int | None:
    """The label column most likely to hold model names: one headed 'Model', else the one with most distinct
    values (category columns repeat)."""
    if not lay.label_cols:
        return None
    for c in lay.label_cols:
        if _MODEL_HEADER.match(squash(lay.header(c))):
            return c
    return max(lay.label_cols, key=lambda c: (len({lay.text(r, c) for r in lay.data_rows if lay.text(r, c)}), -c))


def _single_score_columns(lay: _Layout, scored: list[int], reg: Registry) -> list[int] | None:
    """A "Benchmark | Score" table with no model names: the card's own scores."""
    if not lay.label_cols:
        return None
    bench_cols = [c for c in lay.label_cols if _BENCH_HEADER.search(lay.header(c) or "") and not _MODEL_HEADER.match(lay.header(c) or "")]
    if not bench_cols:
        return None
    out = []
    for c in scored:
        h = _ARROWS.sub("", lay.header(c))
        if not h:
            return None
        if _COUNT_HEADER.match(h.strip()):
            continue  # "testset | BLEU | chr-F | #sent | #words": the counts say what was measured, not how well
        if not (_SCOREISH.search(h) or any(_metric_only(w, reg) for w in re.split(r"[\s/()]+", h) if len(w) > 1)):
            return None
        out.append(c)
    return out or None


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


def _extract_rows(lay: _Layout, target_cols: list[int], ctx: _Ctx, scored: list[int], implicit: bool = False) -> tuple[list[EvalResult], list[Skip]]:
    """Benchmarks as rows: one result per data row of each target column."""
    table = lay.table
    out: list[EvalResult] = []
    skips: list[Skip] = []
    bcol = _bench_col(lay, target_cols)
    if bcol is None:
        skips.append(Skip(table.index, "table", "no benchmark-name column"))
        return out, skips
    names = [clean_benchmark_name(lay.text(r, bcol)) for r in lay.data_rows]
    groups = _group_names(lay, bcol)
    for c in target_cols:
        col_levels = lay.levels(c)
        col_shot = None
        col_notes: list[str] = []
        for h, t in col_levels:
            if not t:
                continue
            if h in lay.shot_rows or shot_count(t)[0]:
                col_shot = shot_count(t)[1]
            elif implicit:
                if len(target_cols) > 1 or not re.fullmatch(r"scores?|results?", t.strip(), re.I):
                    col_notes.append(t)
            elif not _matches(t, ctx, table, family=True):
                col_notes.append(t)
        for r in lay.data_rows:
            name = clean_benchmark_name(lay.text(r, bcol))
            if not name:
                others = [lay.text(r, k) for k in lay.label_cols if lay.text(r, k)]
                if not others:
                    continue
                name = clean_benchmark_name(others[-1])
            pair = _lang_pair_of(lay, r, bcol)
            if pair:
                name = f"{pair} / {name}"
            sub = _sub_label(lay, r, bcol, target_cols)
            group = groups[r] if sub else ""
            if sub and group and group != sub:
                # "Benchmark | Language | ...": one benchmark per language ("MMLU (5-shot) / French")
                name = f"{group} / {sub}"
            cv = lay.value(r, c)
            if cv.kind == "missing":
                continue
            if _non_score_reason(name) and cv.kind != "number":
                continue
            if _non_score_reason(name) and not _SCOREISH.search(name):
                skips.append(Skip(table.index, name, "row is a model property, not a score", r + 1, c + 1))
                continue
            n_shot = col_shot
            if lay.shot_cols:
                st = lay.text(r, lay.shot_cols[0])
                ok, k = shot_count(st)
                if ok:
                    n_shot = k
                elif re.fullmatch(r"\d{1,3}", st.strip()):
                    n_shot = int(st)
            metric_text = lay.text(r, lay.metric_cols[0]) if lay.metric_cols else None
            hints = [t for _, t in col_levels] + [lay.header(c)]
            series = [lay.value(r, k) for k in scored]
            res = _emit(
                lay, ctx, r, c, name, cv, n_shot=n_shot, extra_notes=col_notes, metric_text=metric_text,
                header_hints=hints, series=series, skips=skips, names_in_table=names, category=lay.section_of.get(r) or _category(lay, r, bcol),
            )
            out.extend(res)
    return out, skips


def _sub_label(lay: _Layout, r: int, bcol: int, target_cols: list[int]) -> str | None:
    """The text of a label column right of the benchmark column (and before the scores) that is neither a shot
    nor a metric column: it splits a benchmark into parts (a language, a subset)."""
    for c in lay.label_cols:
        if bcol < c < min(target_cols) and c not in lay.shot_cols and c not in lay.metric_cols:
            t = clean_benchmark_name(lay.text(r, c))
            if t:
                return t
    return None


def _group_names(lay: _Layout, bcol: int) -> dict[int, str]:
    """Per data row, the benchmark column's text, or the last one above it when the cell is left blank under it."""
    out: dict[int, str] = {}
    last = ""
    for r in lay.data_rows:
        t = lay.text(r, bcol)
        if t:
            last = clean_benchmark_name(t)
        out[r] = last
    return out


def _lang_pair_of(lay: _Layout, r: int, bcol: int) -> str | None:
    """The language pair of a translation table's row, when a label column before the test set holds it
    ("langpair | testset | BLEU": ``fin-eng / flores101-devtest``); a test set is measured per pair."""
    for c in lay.label_cols:
        if c < bcol and _LANG_PAIR.match(lay.text(r, c).strip()):
            return lay.text(r, c).strip()
    return None


def _category(lay: _Layout, r: int, bcol: int) -> str | None:
    for c in lay.label_cols:
        if c < bcol and lay.text(r, c):
            return lay.text(r, c)
    return None


#: words of a section title that says only "results are here" ("## Results", "**Test Result**:", "Evaluation"),
#: never which benchmark: such a title does not name the dataset of a column headed by a metric alone
_GENERIC_TITLE_WORDS = frozenset(
    "result results evaluation evaluations eval evals test tests testing performance benchmark benchmarks benchmarking "
    "metric metrics score scores our the and of on model models comparison summary experiment experiments main "
    "overall final quantitative zoo 结果 评测 评测结果 测评 测评结果 实验结果 性能 效果 結果 評価 評価結果".split()
)


def _only_words(text: str, vocabulary: frozenset[str]) -> bool:
    """``text`` has words and every one of them is in ``vocabulary`` (case and punctuation ignored)."""
    words = re.findall(r"[^\W_]+", text.lower())
    return bool(words) and all(w in vocabulary for w in words)


def _generic_title(text: str) -> bool:
    return _only_words(text, _GENERIC_TITLE_WORDS)


#: a word written as a proper name: an acronym ("ChID", "STC", "SQL"), CamelCase ("LiveCodeBench") or letters
#: with digits or a hyphenated capital ("MultiPL-E", "C-Eval", "GLUE2")
_PROPER_NAME_WORD = re.compile(r"^(?:[A-Za-z]+[A-Z][\w]*|[A-Z]+\d[\w]*|[A-Za-z]+-[A-Z]\w*)$")


def _names_a_benchmark(text: str) -> bool:
    """Whether a caption or heading names something (a benchmark or dataset written as a proper name) rather than
    describing ("Zero-shot performance on text classification tasks")."""
    return any(_PROPER_NAME_WORD.match(w) for w in re.findall(r"[\w-]+", text))


def _context_name(table: Table, lay: _Layout) -> str | None:
    """What the caption or heading of a table says its scores are about, when it names something (a dataset, a
    benchmark); None for a generic title ("Results", "Test Result")."""
    name = table.caption or lay.caption or table.heading
    if name is None or _generic_title(name):
        return None
    # "Evaluation on MLSUM German Test Set", "Results on WMT16": the words before "on" only say results follow
    m = re.match(r"^(.+?)\s+(?:on|over)\s+(\S.*)$", name, re.I)
    if m and _generic_title(m.group(1)):
        return m.group(2).strip(" :")
    return name


def _extract_columns(lay: _Layout, row_hits: list[tuple[int, int, int]], ctx: _Ctx, scored: list[int]) -> tuple[list[EvalResult], list[Skip]]:
    """Models as rows: one result per score column of each target row."""
    table = lay.table
    reg = ctx.registry
    out: list[EvalResult] = []
    skips: list[Skip] = []
    # column names: header levels minus shot rows; a leaf that is only a metric, a shot setting or repeated is
    # qualified by its parent levels and, when nothing names a benchmark, by the table's caption or heading
    col_info: dict[int, tuple[str, int | None, list[str]]] = {}
    leaves: dict[int, tuple[str, int | None]] = {}
    for c in scored:
        lv = lay.levels(c)
        n_shot = None
        name_levels = []
        for h, t in lv:
            if h in lay.shot_rows:
                ok, k = shot_count(t)
                if ok:
                    n_shot = k
                continue
            name_levels.append(t)
        name_levels = [t for t in name_levels if t]
        leaves[c] = (name_levels[-1] if name_levels else "", n_shot)
        col_info[c] = ("", n_shot, name_levels)
    leaf_count: dict[tuple[str, int | None], int] = {}
    for v in leaves.values():
        leaf_count[v] = leaf_count.get(v, 0) + 1
    context_name = _context_name(table, lay)
    # a caption or heading naming a known benchmark, when no column names one: the table's scores are its parts
    bench_context = None
    if context_name and (_lookup_benchmark(context_name, reg, ctx.mapping)[0] is not None or _names_a_benchmark(context_name)):
        if not any(_lookup_benchmark(leaves[c][0], reg, ctx.mapping)[0] is not None for c in scored if leaves[c][0]):
            bench_context = re.sub(r"\s+(?:dataset|benchmark|corpus|tasks?)$", "", context_name, flags=re.I)
    names: dict[int, str] = {}
    for c in scored:
        _, n_shot, name_levels = col_info[c]
        leaf = leaves[c][0]
        if not leaf:
            if not context_name:
                skips.append(Skip(table.index, f"column {c + 1}", "no benchmark name in the header, caption or heading"))
                continue
            names[c] = context_name
        elif _metric_only(leaf, reg):
            parts = ([context_name] if context_name else []) + name_levels
            names[c] = " / ".join(dict.fromkeys(parts))
        elif leaf_count[leaves[c]] > 1 and len(name_levels) > 1:
            names[c] = " / ".join(name_levels)
        elif bench_context and len(name_levels) == 1 and _lookup_benchmark(leaf, reg, ctx.mapping)[0] is None:
            # "## C-Eval" over "Model | STEM | Humanities | Average": the columns are parts of the heading's benchmark
            names[c] = f"{bench_context} / {leaf}"
        else:
            names[c] = leaf
    all_names = list(names.values())
    # label columns that tell matched rows apart (Framework: Moatless / Agentless) become notes
    distinguish: list[int] = []
    if len(row_hits) > 1:
        for k in lay.label_cols:
            vals = {lay.text(r, k) for r, _, _ in row_hits}
            if len(vals) > 1:
                distinguish.append(k)
    for r, i, j in row_hits:
        used = set(lay.label_cols[i : j + 1])
        row_notes = [f"{lay.header(k) or 'variant'}: {lay.text(r, k)}" for k in distinguish if k not in used and lay.text(r, k)]
        for c in scored:
            if c not in names:
                continue
            cv = lay.value(r, c)
            if cv.kind == "missing":
                continue
            series = [lay.value(rr, c) for rr in lay.data_rows]
            n_shot = col_info[c][1]
            hints = [t for _, t in lay.levels(c)]
            res = _emit(
                lay, ctx, r, c, names[c], cv, n_shot=n_shot, extra_notes=row_notes, metric_text=None,
                header_hints=hints, series=series, skips=skips, names_in_table=all_names, category=None,
            )
            out.extend(res)
    return out, skips


# -- one result -----------------------------------------------------------------------------------------------------


def _lookup_benchmark(name: str, reg: Registry, mapping: dict[str, Any]) -> tuple[Benchmark | None, dict[str, Any] | None]:
    """(registry benchmark, mapping override) for a benchmark name; exact alias match after normalisation."""
    info = split_name(name, reg)
    override = None
    if mapping:
        for cand in (info.written, info.base):
            hit = mapping.get(normalize_name(cand))
            if hit is not None:
                override = hit
                break
    if override is not None:
        if isinstance(override, str):
            b = reg.benchmark(override) or reg.benchmarks.get(override)
            if b is not None:
                return b, None
            return None, {"dataset_id": override}
        if isinstance(override, dict):
            b = reg.benchmark(str(override.get("benchmark", ""))) if override.get("benchmark") else None
            return b, override
    b = reg.benchmark(info.written)
    if b is None and not info.unclassified:
        b = reg.benchmark(info.base)
    return b, None


#: names that are a part of a benchmark or an aggregate of several ("Average", "STEM", "Avg(Hard)"): alone, they say
#: nothing about what was measured, so a score named only that way is not written
_BARE_PARTS = frozenset(
    "average avg mean overall total all score scores hard easy medium stem humanities social sciences other others "
    "china specific knowledge language reasoning understanding examination exam".split()
)


def _bare_part(name: str) -> bool:
    return _only_words(name, _BARE_PARTS)


def _emit(
    lay: _Layout, ctx: _Ctx, r: int, c: int, name: str, cv: CellValue, *, n_shot: int | None, extra_notes: list[str],
    metric_text: str | None, header_hints: list[str], series: list[CellValue], skips: list[Skip], names_in_table: list[str],
    category: str | None,
) -> list[EvalResult]:
    table = lay.table
    reg = ctx.registry
    written = clean_benchmark_name(name)
    if written != squash(name) and names_in_table.count(written) + sum(1 for x in names_in_table if clean_benchmark_name(x) == written and x != name) > 1:
        written = squash(name)  # the marker is what tells two rows apart ('Fleurs†' vs 'Fleurs††')
    if not written:
        return []
    if _bare_part(written):
        skips.append(Skip(table.index, written, f"'{written}' names a part or an average, not a benchmark (no benchmark in the caption or heading)", r + 1, c + 1))
        return []
    halves: list[tuple[float, str | None]] = []
    if cv.kind == "number":
        halves = [(cv.value, None)]  # type: ignore[list-item]
    elif cv.kind == "pair":
        # each level of a composed name on its own ("MMMU (val/test) / 0-shot"), the most specific first
        parts = next((p for p in map(_pair_parts, reversed(written.split(" / "))) if p), None)
        if parts is None:
            # a header level above says it: 'F1/FPR' spanning the language columns of '0.899/0.090' cells
            for h in header_hints:
                hp = _pair_parts(clean_benchmark_name(h)) if h else None
                if hp and any(_metric_only(x, reg) for x in hp):  # a metric pair, not a model named "org/model"
                    parts = hp
                    break
        if parts is None:
            parts = _announced_pair(table.before, reg)  # "The results columns below are represented as `PSNR/SSIM`."
        if parts is None:
            skips.append(Skip(table.index, written, f"cell '{cv.text}' holds two numbers and the name does not say which is which", r + 1, c + 1))
            return []
        halves = [(cv.value, parts[0]), (cv.second, parts[1])]  # type: ignore[list-item]
    elif cv.kind == "range":
        skips.append(Skip(table.index, written, f"cell '{cv.text}' is a range, not one score", r + 1, c + 1))
        return []
    elif cv.kind == "annotated":
        skips.append(Skip(table.index, written, f"cell '{cv.text}' carries an annotation; not read as a score", r + 1, c + 1))
        return []
    elif cv.kind == "unit":
        skips.append(Skip(table.index, written, f"cell '{cv.text}' has a unit; not a score", r + 1, c + 1))
        return []
    else:
        if cv.text:
            skips.append(Skip(table.index, written, f"cell '{cv.text[:40]}' is not a number", r + 1, c + 1))
        return []

    info = split_name(written, reg)
    bench, override = _lookup_benchmark(written, reg, ctx.mapping)
    if n_shot is None:
        n_shot = info.n_shot
    notes = list(dict.fromkeys([*info.notes, *extra_notes]))
    task_type = None
    # metric: registry benchmark's, else one named in the table, else "score"
    metric_named = None
    for t in [info.metric, metric_text, *header_hints]:
        if not t:
            continue
        m = reg.metric(t) or _metric_in_text(t, reg)
        if m is not None and m.id != "score":
            metric_named = m.id
            break
    metric_type = None
    if override and override.get("metric"):
        metric_type = str(override["metric"])
    elif info.metric:  # written in the name: "BBH (EM)", "HellaSwag (F1)"
        metric_type = info.metric
    elif bench is not None and bench.metric:
        metric_type = bench.metric
    elif metric_named:
        metric_type = metric_named
    elif metric_text and squash(metric_text):
        metric_type = slug(metric_text)
    else:
        metric_type = "score"
    metric_name = squash(metric_text) if metric_text else None
    if metric_text and metric_name and metric_type != slug(metric_text) and metric_name.casefold() != metric_type.casefold():
        notes.append(f"metric: {metric_name}")
    # direction
    hib: bool | None = None
    arrow_src = " ".join([written, *header_hints])
    if "↑" in arrow_src or "⬆" in arrow_src:
        hib = True
    elif "↓" in arrow_src or "⬇" in arrow_src:
        hib = False
    if hib is None:
        for mid in (metric_named, metric_type):
            m = reg.metrics.get(mid) if mid else None
            if m is not None and mid != "score":
                hib = m.higher_is_better
                break
    if hib is None and bench is not None:
        hib = bench.higher_is_better
    if hib is None and re.search(r"\berror\b|perplexity|\bppl\b|\bloss\b|\bwer\b|\bcer\b", arrow_src, re.I):
        hib = False
    if override and "higher_is_better" in override:
        hib = bool(override["higher_is_better"])
    # scale
    scale = _scale(cv, series, metric_type, bench, reg, override)
    task_type = (override or {}).get("task_type") or (bench.task_type if bench else None)
    if not task_type:
        task_type = "automatic-speech-recognition" if metric_type in ("wer", "cer") else "text-generation"
    dataset_id = (override or {}).get("dataset_id") or (bench.dataset_id if bench and bench.dataset_id else None)
    context_name = _context_name(table, lay)
    if not dataset_id and bench is None and context_name and _metric_led(info.base, reg):
        # "WER (with LM)" under "### Common Voice 7.0 testing": the dataset is the heading, the name a metric variant
        cb, _ = _lookup_benchmark(context_name, reg, ctx.mapping)
        dataset_id = cb.dataset_id if cb is not None and cb.dataset_id else slug(context_name)
        notes.append(f"dataset from {'caption' if (table.caption or lay.caption) else 'heading'}: {context_name}")
        if cb is not None and task_type == "text-generation" and cb.task_type:
            task_type = cb.task_type
    dataset_id = dataset_id or slug(info.base)
    results = []
    for value, part in halves:
        n = list(notes) + ([part] if part else [])
        half_metric = reg.metric(part) if part else None  # 'PSNR/SSIM' halves: each its own metric
        if half_metric is not None and half_metric.id != "score" and not (override and override.get("metric")) and not info.metric:
            metric_type_h, hib_h = half_metric.id, (hib if "↑" in arrow_src or "↓" in arrow_src else half_metric.higher_is_better)
        else:
            metric_type_h, hib_h = metric_type, hib
        prov = {"table": table.index, "benchmark": written, "row": r + 1, "column": c + 1, "kind": table.kind, "line": table.line}
        if table.heading:
            prov["heading"] = table.heading
        if table.caption or lay.caption:
            prov["caption"] = table.caption or lay.caption
        if category:
            prov["category"] = category
        if cv.text:
            prov["cell"] = cv.text
        results.append(
            EvalResult(
                dataset_id=str(dataset_id),
                dataset_name=written,
                task_type=task_type,
                task_id=(override or {}).get("task_id") or (bench.task_id if bench else None),
                dataset_split=info.split,
                metric_type=metric_type_h,
                metric_name=metric_name,
                value=float(value),
                stderr=cv.stderr,
                n_shot=n_shot,
                notes="; ".join(n) or None,
                source_kind="readme-table",
                scale=scale,
                higher_is_better=hib_h,
                provenance=prov,
            )
        )
    return results


def _metric_led(name: str, reg: Registry) -> bool:
    """Whether a name starts with a metric ("WER (with LM)", "CER"), i.e. names no dataset itself."""
    first = re.split(r"[\s(（/]+", name.strip(), maxsplit=1)[0]
    m = reg.metric(first) if len(normalize_name(first)) > 1 else None
    return m is not None and m.id != "score"


def _metric_in_text(text: str, reg: Registry):
    t = _ARROWS.sub(" ", text)
    for part in re.findall(r"\(([^()]*)\)", t):
        m = reg.metric(part.strip())
        if m is not None:
            return m
    for w in re.split(r"[\s,;/()]+", t):
        w = w.strip(".:")
        if len(w) > 1:
            m = reg.metric(w)
            if m is not None:
                return m
    return None


def _pair_parts(name: str) -> tuple[str, str] | None:
    """The two halves a name announces for an 'a/b' cell, written as one word at its end ('eng->kgv/kgv->eng',
    'MMMU (val/test)'), else None. A ' / ' with spaces joins the levels of a composed name ("Competition-level
    math / maj@64"): it announces nothing."""
    m = re.search(r"(?:^|[\s(])([^\s/()]+)/([^\s/()]+)\)?\s*$", name)
    if not m:
        return None
    a, b = m.group(1), m.group(2)
    if re.fullmatch(r"[\d.]+", a) or re.fullmatch(r"[\d.]+", b):
        return None
    return a, b


def _announced_pair(text: str, reg: Registry) -> tuple[str, str] | None:
    """The metric pair the text right before a table announces for its 'a/b' cells ("represented as
    `PSNR/SSIM`"): exactly one 'A/B' word there with both halves metrics, else None."""
    found = {
        (a, b) for a, b in re.findall(r"(?<![\w/])([A-Za-z][\w@.-]*)/([A-Za-z][\w@.-]*)(?![\w/])", text or "")
        if _metric_only(a, reg) and _metric_only(b, reg)
    }
    return found.pop() if len(found) == 1 else None


_RATIO_METRICS = {"accuracy", "acc_norm", "exact_match", "f1", "pass@1", "pass@10", "mc2", "recall@1", "recall@5", "recall@10", "mean_recall", "wer", "cer", "win_rate", "resolved", "relaxed_accuracy", "anls", "precision", "recall"}


def _scale(cv: CellValue, series: list[CellValue], metric_type: str, bench: Benchmark | None, reg: Registry, override: dict | None) -> str | None:
    """The scale the value is *written* on (never rescaled): "percent" when the cell has '%', "fraction" when it
    and its neighbours on the model axis are all within 0-1, "percent" for a bounded metric written above 1,
    None for unbounded metrics (perplexity, bits per byte, 10-point ratings) or when the table does not tell."""
    if override and override.get("scale"):
        return str(override["scale"])
    if cv.percent:
        return "percent"
    m = reg.metrics.get(metric_type) if metric_type != "score" else None
    known = [x for x in ((m.scale if m else None), (bench.scale if bench else None)) if x]
    if "other" in known:
        return None
    nums = [v.value for v in series if v.kind == "number" and v.value is not None]
    if cv.value is not None:
        nums.append(cv.value)
    if nums and all(0 <= x <= 1 for x in nums) and any(x != int(x) for x in nums):
        return "fraction"
    if any(v.percent for v in series):
        return "percent"
    if known and nums and max(nums) <= 100 and any(x > 1 for x in nums):
        return "percent"
    return None


# -- public API -----------------------------------------------------------------------------------------------------


def _prepare(text: str | bytes) -> str:
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as e:
            raise SourceError(f"README is not UTF-8 text (byte {e.start})", hint="Pass a README.md text file.") from None
    if not isinstance(text, str):
        raise SourceError(f"expected README text, got {type(text).__name__}")
    if "\x00" in text:
        raise SourceError("README looks binary (contains NUL bytes)", hint="Pass a README.md text file.")
    text = text.lstrip("\ufeff")
    # blank out YAML front matter (keeps line numbers): its '---' lines are not setext headings or tables. Where it
    # ends is decided by the card reader's own rule (the Hub's pattern), so that every command reading this file
    # agrees on whether it has front matter; a first-line '---' rule that nothing closes is body.
    end = front_matter_end(text)
    if end:
        head = text[:end]
        text = "\n" * (head.count("\n") + head.count("\r") - head.count("\r\n")) + text[end:]
    return text


def _make_ctx(model: str | None, registry: Registry | None, metric_mapping: dict | None, column_index: int | None) -> _Ctx:
    reg = registry or load_registry()
    mapping: dict[str, Any] = {}
    for k, v in (metric_mapping or {}).items():
        mapping[normalize_name(str(k))] = v
    model = squash(model) if model else None
    key = model_key(model)
    base_key = None
    if model and _INSTRUCT_SUFFIX.search(model):
        base_key = model_key(_INSTRUCT_SUFFIX.sub("", model)) or None
    return _Ctx(registry=reg, mapping=mapping, model=model, key=key, base_key=base_key, column_index=column_index)


def inspect_tables(text: str, *, model: str | None = None, registry: Registry | None = None) -> list[TableReport]:
    """One report per table, in document order: shape, orientation, model candidates, the match and the results
    :func:`extract` would take from it, and why not when it takes none."""
    text = _prepare(text)
    ctx = _make_ctx(model, registry, None, None)
    return [_read_table(t, ctx, forced=False)[0] for t in parse_tables(text)]


def extract(
    text: str,
    *,
    model: str | None = None,
    tables: list[int] | None = None,
    model_column_index: int | None = None,
    metric_mapping: dict | None = None,
    registry: Registry | None = None,
    include_low_confidence: bool = False,
) -> Extraction:
    """The scores of ``model`` in the README's tables.

    ``tables`` restricts to those 1-based table numbers (as ``inspect-tables`` shows them); ``model_column_index``
    (1-based) names the model's column when the header does not; ``metric_mapping`` maps benchmark names as written
    to a registry id, a Hub dataset id, or a dict of fields (``dataset_id``, ``metric``, ``task_type``, ``task_id``,
    ``higher_is_better``, ``scale``). When the model matches no table, nothing is extracted: ``ambiguous`` is set
    and ``candidates`` lists the model names seen. Low-confidence scores (:func:`_doubt`) go to ``held`` unless
    ``include_low_confidence``.
    """
    text = _prepare(text)
    if model_column_index is not None and model_column_index < 1:
        raise UsageError(f"--model-column-index must be 1 or more (columns are numbered from 1), got {model_column_index}")
    all_tables = parse_tables(text)
    ex = Extraction(model=squash(model) if model else None, n_tables=len(all_tables))
    if tables:
        bad = [n for n in tables if not (1 <= n <= len(all_tables))]
        if bad:
            raise UsageError(
                f"no table {bad[0]} in this README (it has {len(all_tables)} table{'s' if len(all_tables) != 1 else ''})",
                hint="Run `evalcard inspect-tables` to see the numbered tables.",
            )
        chosen = [t for t in all_tables if t.index in set(tables)]
    else:
        chosen = all_tables
    ctx = _make_ctx(model, registry, metric_mapping, model_column_index)
    matched_any = False
    candidates: list[str] = []
    near: list[str] = []
    for t in chosen:
        rep, skips = _read_table(t, ctx, forced=bool(tables))
        if rep.orientation in ("rows", "columns") and rep.matched_model is not None or (model_column_index and rep.orientation == "rows"):
            matched_any = True
        for res in rep.results:
            (ex.results if include_low_confidence or res.provenance.get("confidence") != "low" else ex.held).append(res)
        ex.skipped.extend(skips)
        candidates.extend(rep.model_candidates)
        near.extend(rep.near_matches)
    ex.near_matches = list(dict.fromkeys(near))
    if not matched_any:
        ex.candidates = list(dict.fromkeys(candidates))
        if not ex.results and not ex.held and (ex.candidates or ex.near_matches):
            ex.ambiguous = True
    return ex


_H1 = re.compile(r"^ {0,3}#[ \t]+(.+?)[ \t#]*$")


def default_model_name(card_text: str, repo_id: str | None = None) -> str | None:
    """The model a card describes: the repo id's last part, else the first ``# Title`` heading (outside code),
    without a trailing "Model Card"."""
    if repo_id:
        name = repo_id.rstrip("/").rsplit("/", 1)[-1].strip()
        if name:
            return name
    if not card_text:
        return None
    try:
        text = _prepare(card_text)
    except SourceError:
        return None
    fence = None
    for line in text.splitlines():
        m = re.match(r"^ {0,3}(`{3,}|~{3,})", line)
        if m:
            fence = None if fence and m.group(1)[0] == fence else (fence or m.group(1)[0])
            continue
        if fence:
            continue
        m = _H1.match(line)
        if m:
            from .tables import _md_cell_text

            title = _md_cell_text(m.group(1))[0].strip()
            # "X Model Card", "X model card" -> "X"
            title = re.sub(r"\s*[-:–—]?\s*\bmodel\s*card\b\s*$", "", title, flags=re.I).strip()
            if title:
                return title
    return None


def iter_results(extractions: Iterable[Extraction]) -> Iterable[EvalResult]:  # pragma: no cover - convenience
    for e in extractions:
        yield from e.results
