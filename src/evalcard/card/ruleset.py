"""The named rules of README extraction, and a switch to turn any of them off.

Each rule is one decision the extractor makes about a table (where the model is, what a name means, which cells
are skipped, how sure a score is), implemented by one function of :mod:`.layout` or :mod:`.rules` that asks
:func:`active` first and, when its rule is off, behaves as if the rule did not exist. Turning rules off is how the
tests show that each one does what it says (``tests/test_extract_rules.py``) and how ``bench/extract_quality.py
--ablation`` measures what each is worth on the corpus. Pure.
"""

from __future__ import annotations

import contextlib
import contextvars
from dataclasses import dataclass
from typing import Iterator


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str


RULES: dict[str, Rule] = {r.id: r for r in (
    Rule("target-reordered", "the model's name with its words in another order, over one or several cells ('CodeQwen1.5-Chat | 7B')"),
    Rule("target-family", "a -Instruct/-Chat model named by its family ('Llama 3 8B') in a table about instruction-tuned models"),
    Rule("one-match", "a model matched by several rows or columns that nothing tells apart gives nothing (which is it?)"),
    Rule("implicit-table", "a 'Benchmark | Score' table that names no model holds the card's own scores"),
    Rule("named-before", "a breakdown table naming no model ('Benchmark | STEM | Humanities'), under a sentence naming the model, is its own"),
    Rule("non-score-columns", "columns of properties (parameters, context, latency, FLOPs, dates...) are not scores"),
    Rule("row-index", "a header-less column counting 0, 1, 2... is an index, not a score"),
    Rule("generic-title", "a heading that only says results follow ('Results', 'Evaluation') names no dataset"),
    Rule("sibling-heading", "a generic heading ('### Results') continues the one naming a benchmark before it or above it ('### C-Eval')"),
    Rule("context-name", "the caption or heading names what a table measures ('Evaluation on MLSUM German Test Set')"),
    Rule("proper-name-heading", "a heading written as a proper name ('MultiPL-E', 'ChID') qualifies columns that are its parts"),
    Rule("bare-part", "a score named only 'Average', 'STEM' or 'Overall', with nothing naming the benchmark, is skipped"),
    Rule("pair-in-name", "an 'a/b' cell is split when its name says which half is which ('MMMU (val/test)')"),
    Rule("pair-announced", "an 'a/b' cell is split when the text before the table announces the pair ('PSNR/SSIM')"),
    Rule("sub-label", "a label column between benchmark and scores splits a benchmark into parts ('MMLU / French')"),
    Rule("sclite-summary", "sclite's 'Snt | Wrd | Corr | Sub | Del | Ins | Err | S.Err' (ESPnet, Kaldi): Err and S.Err are error rates, the rest counts and the parts of Err"),
    Rule("language-pair", "translation tables: a language-pair column qualifies each test set ('fin-eng / flores101')"),
    Rule("relative-to-target", "a table where the model is 100 on every score and the others vary is relative to it"),
    Rule("confidence", "scores of a table naming no known benchmark or metric, or of a family match, are held back"),
)}

_OFF: contextvars.ContextVar[frozenset[str]] = contextvars.ContextVar("evalcard_rules_off", default=frozenset())


def active(rule_id: str) -> bool:
    """Whether a rule is on (all are, unless turned off with :func:`without`)."""
    if rule_id not in RULES:
        raise KeyError(f"unknown extraction rule {rule_id!r}")
    return rule_id not in _OFF.get()


@contextlib.contextmanager
def without(*rule_ids: str) -> Iterator[None]:
    """Run the extractor with these rules off (for tests and the ablation benchmark)."""
    unknown = [r for r in rule_ids if r not in RULES]
    if unknown:
        raise KeyError(f"unknown extraction rule(s): {', '.join(unknown)}")
    token = _OFF.set(_OFF.get() | frozenset(rule_ids))
    try:
        yield
    finally:
        _OFF.reset(token)
