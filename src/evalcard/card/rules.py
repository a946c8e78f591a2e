"""The rules that decide what a table's cells mean, one named unit each (:data:`RULES` lists them): how the
model is found, what the caption or heading adds to a name, which layouts belong to the card's own model, which
cells are split or skipped, and how sure a score is. Each rule has its own tests (``tests/test_extract_rules.py``)
and the corpus files it is needed for. Pure."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..benchmarks import Benchmark, Registry
from ..results import EvalResult, to_float
from .tables import squash, Table
from .ruleset import active
from .cells import _ARROWS, CellValue
from .names import (
    _BASE_CONTEXT, clean_benchmark_name, _Ctx, _INSTRUCT_CONTEXT, _lookup_benchmark, model_key, _name_words,
)
from .layout import _BENCH_HEADER, _COUNT_HEADER, _SCLITE_ERRORS, _SCLITE_PARTS, _LANG_PAIR, _Layout, _metric_only, _MODEL_HEADER, _SCOREISH

if TYPE_CHECKING:
    from .extract import TableReport


def _is_benchmark_name(text: str, reg: Registry) -> bool:
    """A name that is a benchmark's (the registry's or the frameworks'), whole, without its qualifiers in brackets
    ("MMLU (5-shot, macro_avg/acc)", "XNLI") or by the short name in brackets ("Chinese Idiom Cloze (ChID)")."""
    bare = re.sub(r"\s*[\(\[（][^()\[\]（）]*[\)\]）]", "", text).strip()
    if reg.names_benchmark(text) or reg.names_benchmark(bare):
        return True
    # "Chinese Idiom Cloze (ChID)": a full name with the benchmark's short name in brackets
    return any(reg.names_benchmark(a) for a in re.findall(r"[\(（]\s*([A-Za-z][\w.+-]{1,15})\s*[\)）]", text))


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
    if active("target-reordered") and ctx.model and len(k) == len(ctx.key) and _name_words(text) == _name_words(ctx.model):
        return True  # the same words in another order: "CodeQwen1.5-Chat | 7B" for CodeQwen1.5-7B-Chat
    if family and ctx.base_key and k == ctx.base_key and active("target-family"):
        context = _context_text(table)
        return bool(_INSTRUCT_CONTEXT.search(context)) and not _BASE_CONTEXT.search(" ".join(table.heading_path[-1:]))
    return False


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


#: how the model was found in a table, strongest first (``provenance["match"]`` of every extracted score)
MATCH_KINDS = ("forced", "exact", "reordered", "family", "implicit", "named-before")


def _evidence(rep: TableReport, ctx: _Ctx, family: bool) -> tuple[str, str]:
    """(match kind, why this row or column holds the model's scores), for the scores of one table."""
    where = {"rows": "a column header", "columns": "a row label"}.get(rep.orientation, "")
    if ctx.column_index is not None:
        return "forced", f"--model-column-index {ctx.column_index}"
    if ctx.row_index is not None:
        return "forced", f"--model-row-index {ctx.row_index}"
    if rep.orientation == "single-score":
        return "implicit", "the table names no model and its score columns are the card's own"
    if rep.orientation == "named-before":
        return "named-before", "the table names no model; the sentence before it names the model and the table's rows are benchmarks"
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
        if _is_benchmark_name(part, ctx.registry):
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
    if forced or match == "forced" or not results or not active("confidence"):
        return None
    if match == "family":
        return "the model is named only by its family"
    if any(_known(r, ctx) for r in results):
        return None
    return "no benchmark or metric in this table is one evalcard knows: nothing says these are evaluation scores"


def _indistinct_hits(lay: _Layout, col_hits: list[int], row_hits: list[tuple[int, int, int]]) -> list[str]:
    """When the model matches several columns (or rows) that nothing tells apart — the same header at every level,
    the same labels in every label column and the same section — the places it matches ("column 3", "row 5"), else
    an empty list. Which of two identical rows is the model's is a guess; none is taken."""
    if not active("one-match"):
        return []
    if len(col_hits) > 1:
        if len({tuple(t for _, t in lay.levels(c)) for c in col_hits}) == 1:
            return [f"column {c + 1}" for c in col_hits]
    elif len(row_hits) > 1:
        rows = [r for r, _, _ in row_hits]
        labels = {tuple(lay.text(r, k) for k in lay.label_cols) + (lay.section_of.get(r),) for r in rows}
        if len(labels) == 1:
            return [f"row {r + 1}" for r in rows]
    return []


def _relative_to_target(results: list[EvalResult], lay: _Layout, scored: list[int]) -> bool:
    """The model is the 100 (or 100%) every other row is measured against: 3+ scores, all 100, others not."""
    if not active("relative-to-target"):
        return False
    if len(results) < 3 or any(to_float(r.value) != 100.0 for r in results):
        return False
    others = [lay.value(r, c) for r in lay.data_rows for c in scored]
    return any(v.kind == "number" and v.value != 100.0 for v in others)


def _single_score_columns(lay: _Layout, scored: list[int], reg: Registry) -> list[int] | None:
    """A "Benchmark | Score" table with no model names: the card's own scores."""
    if not lay.label_cols or not active("implicit-table"):
        return None
    bench_cols = [c for c in lay.label_cols if _BENCH_HEADER.search(lay.header(c) or "") and not _MODEL_HEADER.match(lay.header(c) or "")]
    if not bench_cols:
        return None
    heads = {squash(_ARROWS.sub("", lay.header(c))).lower() for c in scored}
    sclite = active("sclite-summary") and _SCLITE_ERRORS <= heads and len(heads & _SCLITE_PARTS) >= 4
    out = []
    for c in scored:
        h = _ARROWS.sub("", lay.header(c))
        if not h:
            return None
        if sclite and squash(h).lower() in _SCLITE_PARTS:
            continue  # sentences and words counted, and the correct / substituted / deleted / inserted parts of Err
        if sclite and squash(h).lower() in _SCLITE_ERRORS:
            out.append(c)
            continue
        if _COUNT_HEADER.match(h.strip()):
            continue  # "testset | BLEU | chr-F | #sent | #words": the counts say what was measured, not how well
        if not (_SCOREISH.search(h) or any(_metric_only(w, reg) for w in re.split(r"[\s/()]+", h) if len(w) > 1)):
            return None
        out.append(c)
    return out or None


_SIZE_WORD = re.compile(r"\d+(?:\.\d+)?\s*[BMK]\b|\bv\d|\d+x\d+", re.I)


def _named_in(text: str, ctx: _Ctx) -> bool:
    """Whether prose names the target model as a whole word ("results of the Skywork-13B-Base model on ...")."""
    if not ctx.model or not text:
        return False
    words = [w for w in re.split(r"[\s_\-]+", ctx.model.split("/")[-1]) if w]
    if not words:
        return False
    pat = r"(?<![\w.\-/])" + r"[\s_\-]?".join(re.escape(w) for w in words) + r"(?![\w\-]|\.\d)"
    return re.search(pat, text, re.I) is not None


def _named_before_columns(lay: _Layout, ctx: _Ctx, scored: list[int], reg: Registry) -> list[int] | None:
    """A breakdown table that names no model — 'Benchmark | STEM | Humanities | ... | Average', benchmarks as rows —
    under a sentence naming the model ("We provide detailed results of the Skywork-13B-Base model on C-EVAL, CMMLU
    and MMLU"): its score columns are the model's. Not when a header reads like a model (a size, a version) or names
    a benchmark (then the rows may be models), nor when no row is a known benchmark."""
    if not active("named-before") or not lay.label_cols or not _named_in(lay.table.before, ctx):
        return None
    bcol = lay.label_cols[0]
    if not _BENCH_HEADER.search(lay.header(bcol) or "") or _MODEL_HEADER.match(lay.header(bcol) or ""):
        return None
    for c in scored:
        h = squash(lay.header(c))
        if not h or _SIZE_WORD.search(h) or _is_benchmark_name(h, reg) or _near(h, ctx):
            return None
    rows = [clean_benchmark_name(lay.text(r, bcol)) for r in lay.data_rows]
    if not any(t and _is_benchmark_name(t, reg) for t in rows):
        return None
    return list(scored)


def _sclite_hint(lay: _Layout, c: int) -> str | None:
    """What an sclite summary column measures: 'Err' is the error rate its heading names ('### WER', '### CER'),
    'S.Err' the sentence error rate; None for other tables and columns."""
    if not active("sclite-summary"):
        return None
    heads = {squash(lay.header(k)).lower() for k in range(lay.table.n_cols)}
    if not (_SCLITE_ERRORS <= heads and len(heads & _SCLITE_PARTS) >= 4):
        return None
    h = squash(lay.header(c)).lower()
    if h == "s.err":
        return "sentence error rate"
    if h == "err":
        m = re.fullmatch(r"\s*([WCT]ER)\s*", lay.table.heading or "", re.I)
        return m.group(1).upper() if m else None
    return None


def _sub_label(lay: _Layout, r: int, bcol: int, target_cols: list[int]) -> str | None:
    """The text of a label column right of the benchmark column (and before the scores) that is neither a shot
    nor a metric column: it splits a benchmark into parts (a language, a subset)."""
    if not active("sub-label"):
        return None
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
    if not active("language-pair"):
        return None
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
    """A title that only says results follow ("Results", "Test Result")."""
    return active("generic-title") and _only_words(text, _GENERIC_TITLE_WORDS)


#: a word written as a proper name: an acronym ("ChID", "STC", "SQL"), CamelCase ("LiveCodeBench") or letters
#: with digits or a hyphenated capital ("MultiPL-E", "C-Eval", "GLUE2")
_PROPER_NAME_WORD = re.compile(r"^(?:[A-Za-z]+[A-Z][\w]*|[A-Z]+\d[\w]*|[A-Za-z]+-[A-Z]\w*)$")


def _names_a_benchmark(text: str) -> bool:
    """Whether a caption or heading names something (a benchmark or dataset written as a proper name) rather than
    describing ("Zero-shot performance on text classification tasks")."""
    if not active("proper-name-heading"):
        return False
    return any(_PROPER_NAME_WORD.match(w) for w in re.findall(r"[\w-]+", text))





def _context_name(table: Table, lay: _Layout, reg: Registry) -> str | None:
    """What the caption or heading of a table says its scores are about, when it names something (a dataset, a
    benchmark); None for a generic title ("Results", "Test Result")."""
    if not active("context-name"):
        return None
    name = table.caption or lay.caption or table.heading
    if name is not None and not (table.caption or lay.caption) and _generic_title(name) and active("sibling-heading"):
        # "### C-Eval" (prose) then "### Results" over the table, or "## C-Eval" above it: the generic heading
        # continues the one before it at its own level, else the one it sits under, when that names a benchmark
        for before in (table.previous_heading, table.heading_path[-2] if len(table.heading_path) > 1 else None):
            if before and _is_benchmark_name(before, reg):
                return before
    if name is None or _generic_title(name):
        return None
    # "Evaluation on MLSUM German Test Set", "Results on WMT16": the words before "on" only say results follow
    m = re.match(r"^(.+?)\s+(?:on|over)\s+(\S.*)$", name, re.I)
    if m and _generic_title(m.group(1)):
        return m.group(2).strip(" :")
    return name


#: names that are a part of a benchmark or an aggregate of several ("Average", "STEM", "Avg(Hard)"): alone, they say
#: nothing about what was measured, so a score named only that way is not written
_BARE_PARTS = frozenset(
    "average avg mean overall total all score scores hard easy medium stem humanities social sciences other others "
    "china specific knowledge language reasoning understanding examination exam".split()
)


def _bare_part(name: str) -> bool:
    """A name that is only a part or an aggregate ("Average", "STEM"): alone, it names no benchmark."""
    return active("bare-part") and _only_words(name, _BARE_PARTS)


def _pair_parts(name: str, n: int = 2) -> tuple[str, ...] | None:
    """The ``n`` parts a name announces for an 'a/b' (or 'a/b/c') cell, written as one word at its end
    ('eng->kgv/kgv->eng', 'MMMU (val/test)'), else None. A ' / ' with spaces joins the levels of a composed name
    ("Competition-level math / maj@64"): it announces nothing."""
    if not active("pair-in-name"):
        return None
    m = re.search(r"(?:^|[\s(])([^\s()]+)\)?\s*$", name)
    if not m:
        return None
    parts = tuple(m.group(1).split("/"))
    if len(parts) != n or any(not p or re.fullmatch(r"[\d.]+", p) for p in parts):
        return None
    return parts


def _announced_pair(text: str, reg: Registry, n: int = 2) -> tuple[str, ...] | None:
    """The ``n`` metrics the text beside a table announces for its 'a/b' (or 'a/b/c') cells ("represented as
    `PSNR/SSIM`", "the numbers denote *precision/recall/F1-score*"): exactly one such word there, every part of it
    a metric, else None."""
    if not active("pair-announced"):
        return None
    found = set()
    for word in re.findall(r"(?<![\w/])[A-Za-z][\w@.-]*(?:/[A-Za-z][\w@.-]*)+(?![\w/])", text or ""):
        parts = tuple(word.split("/"))
        if len(parts) == n and all(_metric_only(p, reg) for p in parts):
            found.add(parts)
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
