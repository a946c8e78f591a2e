"""README tables -> :class:`~evalcard.results.EvalResult` records for one model.

The steps, each in its own module:

1. :func:`~evalcard.card.tables.parse_tables` finds every table (markdown and HTML) as a rectangular grid.
2. :mod:`.layout` reads a grid's structure: header rows (a second row of shot settings or metric names counts as
   header), full-width caption rows, section rows ("Math", "Code"), empty spacer rows, and per column whether it
   holds scores, labels, a setting (``# Shots``, ``Metric``) or a non-score property (parameters, context length,
   latency, dates, downloads...).
3. The target model is looked up by normalised name on both axes (:mod:`.names`, :func:`.rules._matches`): in the
   column headers (benchmarks as rows) and in the row labels (models as rows; a name split over two cells such as
   ``Llama 2 | 7B`` counts). A table with a benchmark column and only score columns ("Benchmark | Score") belongs
   to the card's own model. No confident match means no results from that table: the names seen are reported as
   candidates instead.
4. Each target cell is parsed (:mod:`.cells`) and named (:func:`.names.split_name`): benchmark name cleaned as
   written, n-shot / CoT / split / metric read from the name, the header levels or setting columns, the canonical
   benchmark from the registry when the name is known.
5. Each score gets its evidence and a confidence; low-confidence scores are held back (:func:`.rules._doubt`).

Every decision on the way is a named rule (:data:`.ruleset.RULES`, implemented in :mod:`.rules` and
:mod:`.layout`). This module reads tables with them and builds the reports. Pure: no I/O, no printing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..benchmarks import Registry
from ..errors import SourceError, UsageError
from ..results import EvalResult
from .tables import Table, parse_tables, squash
from .frontmatter import front_matter_end
from .cells import NUMERIC, CellValue, parse_value
from .names import (
    model_key, clean_benchmark_name, _Ctx, _lookup_benchmark, _make_ctx, _metric_in_text, _metric_led, shot_count,
    slug, split_name,
)
from .layout import (
    _bench_col, _BENCH_HEADER, _label_spans, _layout, _Layout, _metric_only, _MODEL_HEADER, _name_col,
    _non_score_reason, _SCOREISH,
)
from .rules import (
    MATCH_KINDS, _announced_pair, _bare_part, _category, _context_name, _doubt, _evidence, _group_names, _indistinct_hits,
    _lang_pair_of, _matches,
    _names_a_benchmark, _near, _pair_parts, _relative_to_target, _named_before_columns, _scale, _sclite_hint, _single_score_columns, _sub_label,
)

#: the extraction API; the rules themselves are in :mod:`.rules`, names in :mod:`.names`, cells in :mod:`.cells`
__all__ = [
    "MATCH_KINDS", "CellValue", "Extraction", "Skip", "TableReport", "default_model_name", "evidence", "extract",
    "inspect_tables", "iter_results", "model_key", "parse_value", "split_name",
]


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


def _read_table(table: Table, ctx: _Ctx, forced: bool) -> tuple[TableReport, list[Skip]]:
    """One table's report (results, reasons, and a reason for every score-like cell left out) and its skips."""
    lay = _layout(table, ctx.registry)
    rep, skips = _read_layout(lay, ctx, forced)
    rep.left_out = _left_out(lay, rep, skips)
    return rep, skips


#: the most cells left out that one table's report lists (its summary still counts them all)
MAX_LEFT_OUT = 2000


_SCORE_LIKE = (*NUMERIC, "range", "annotated", "unit")


def _left_out(lay: _Layout, rep: TableReport, skips: list[Skip]) -> list[dict[str, Any]]:
    """A reason for every cell that looks like a score (a number, 'a/b', a range, a number with a unit or a note)
    and gave no result: its own skip, a column that is not a score, the row or column of another model, or why the
    table gave nothing."""
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
    row_hits: list[tuple[int, int, int]] = []  # (row, first label idx, last label idx)
    if ctx.row_index is not None:
        r = ctx.row_index - 1
        if r in lay.data_rows and lay.label_cols and any(lay.value(r, c).kind in NUMERIC for c in scored):
            row_hits = [(r, 0, 0)]
        else:
            rep.reasons.append(f"--model-row-index {ctx.row_index}: row is not a row of scores in this table")
            return rep, skips
    elif ctx.column_index is not None:
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
    if ctx.column_index is None and ctx.row_index is None:
        for r in lay.data_rows:
            for i, j, t in _label_spans(lay, r):
                if _matches(t, ctx, table):
                    row_hits.append((r, i, j))
                    break
    if not col_hits and not row_hits and ctx.base_key and ctx.column_index is None and ctx.row_index is None:
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
        col_vals = sum(1 for c in col_hits for r in lay.data_rows if lay.value(r, c).kind in NUMERIC)
        row_vals = sum(1 for r, _, _ in row_hits for c in scored if lay.value(r, c).kind in NUMERIC)
        if col_vals and row_vals:
            rep.reasons.append("the model name is both a column header and a row label; skipped (pick the layout with --model-column-index)")
            return rep, skips
        if row_vals:
            col_hits = []
        else:
            row_hits = []
    same = _indistinct_hits(lay, col_hits, row_hits)
    if same:
        rep.orientation = "rows" if col_hits else "columns"
        rep.model_candidates = same
        rep.reasons.append(
            f"the model names {len(same)} {'columns' if col_hits else 'rows'} ({', '.join(same)}) and nothing in the table "
            "tells them apart: nothing taken (pick one with " + ("--model-column-index N" if col_hits else "--model-row-index N") + ")"
        )
        return rep, skips
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
        parts = None if single is not None else _named_before_columns(lay, ctx, scored, reg)
        if single is not None:
            rep.orientation = "single-score"
            rep.matched_model = None
            results, sk = _extract_rows(lay, single, ctx, scored, implicit=True)
        elif parts is not None:
            rep.orientation = "named-before"
            rep.matched_model = ctx.model
            results, sk = _extract_rows(lay, parts, ctx, scored, implicit=True, parts=True)
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


def _collect_candidates(lay: _Layout, rep: TableReport, ctx: _Ctx) -> None:
    """Names on the model axis, guessed from content: the axis with fewer known benchmark names holds the models."""
    reg = ctx.registry
    scored = [c for c in lay.value_cols if c not in lay.blocked]
    hdr_names = [lay.levels(c, names_only=True)[0][1] for c in scored if lay.levels(c, names_only=True)]
    hdr_names = [t for t in hdr_names if t]
    row_names = []
    name_col = _name_col(lay)
    for r in lay.data_rows:
        if name_col is None or not any(lay.value(r, c).kind in NUMERIC for c in scored):
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


def _extract_rows(lay: _Layout, target_cols: list[int], ctx: _Ctx, scored: list[int], implicit: bool = False, parts: bool = False) -> tuple[list[EvalResult], list[Skip]]:
    """Benchmarks as rows: one result per data row of each target column (with ``parts``, the columns are parts of
    each row's benchmark: 'C-EVAL / STEM')."""
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
            elif parts:
                continue  # the header is in the name ("C-EVAL / STEM")
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
            if parts:
                name = f"{name} / {clean_benchmark_name(lay.header(c))}"
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
            sclite = _sclite_hint(lay, c)
            if sclite:
                hints.insert(0, sclite)
            series = [lay.value(r, k) for k in scored]
            res = _emit(
                lay, ctx, r, c, name, cv, n_shot=n_shot, extra_notes=col_notes, metric_text=metric_text,
                header_hints=hints, series=series, skips=skips, names_in_table=names, category=lay.section_of.get(r) or _category(lay, r, bcol),
            )
            out.extend(res)
    return out, skips


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
    context_name = _context_name(table, lay, reg)
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
    elif cv.kind in ("pair", "tuple"):
        n = len(cv.parts)
        # each level of a composed name on its own ("MMMU (val/test) / 0-shot"), the most specific first
        parts = next((p for p in (_pair_parts(level, n) for level in reversed(written.split(" / "))) if p), None)
        if parts is None:
            # a header level above says it: 'F1/FPR' spanning the language columns of '0.899/0.090' cells
            for h in header_hints:
                hp = _pair_parts(clean_benchmark_name(h), n) if h else None
                if hp and any(_metric_only(x, reg) for x in hp):  # a metric pair, not a model named "org/model"
                    parts = hp
                    break
        if parts is None:
            # "The results columns below are represented as `PSNR/SSIM`." before the table, or a note after it
            parts = _announced_pair(table.before, reg, n) or _announced_pair(table.after, reg, n)
        if parts is None:
            skips.append(Skip(table.index, written, f"cell '{cv.text}' holds {'two' if n == 2 else n} numbers and the name does not say which is which", r + 1, c + 1))
            return []
        halves = list(zip(cv.parts, parts))  # type: ignore[arg-type]
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
    arrow_src = " ".join([written, *header_hints])
    arrow_hib = True if ("↑" in arrow_src or "⬆" in arrow_src) else False if ("↓" in arrow_src or "⬇" in arrow_src) else None
    user_hib = bool(override["higher_is_better"]) if override and "higher_is_better" in override else None
    hib = arrow_hib
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
    if user_hib is not None:
        hib = user_hib
    # scale
    scale = _scale(cv, series, metric_type, bench, reg, override)
    task_type = (override or {}).get("task_type") or (bench.task_type if bench else None)
    if not task_type:
        task_type = "automatic-speech-recognition" if metric_type in ("wer", "cer", "ser") else "text-generation"
    dataset_id = (override or {}).get("dataset_id") or (bench.dataset_id if bench and bench.dataset_id else None)
    context_name = _context_name(table, lay, reg)
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
            # the user's word, then an arrow, then the part's own metric: a 'PSNR/SSIM' cell has two directions
            metric_type_h = half_metric.id
            hib_h = next((x for x in (user_hib, arrow_hib, half_metric.higher_is_better) if x is not None), None)
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
    model_row_index: int | None = None,
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
    if model_row_index is not None and model_row_index < 1:
        raise UsageError(f"--model-row-index must be 1 or more (rows are numbered from 1, the header first), got {model_row_index}")
    if model_row_index is not None and model_column_index is not None:
        raise UsageError("--model-row-index and --model-column-index pick the model two ways: give one")
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
    ctx = _make_ctx(model, registry, metric_mapping, model_column_index, model_row_index)
    matched_any = False
    candidates: list[str] = []
    near: list[str] = []
    for t in chosen:
        rep, skips = _read_table(t, ctx, forced=bool(tables))
        if rep.orientation in ("rows", "columns") and rep.matched_model is not None or (model_column_index and rep.orientation == "rows") or (model_row_index and rep.orientation == "columns"):
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
