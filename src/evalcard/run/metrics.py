"""Metrics by ``MetricSpec.type``, computed with well-kept libraries (scikit-learn, seqeval, rouge-score,
sacrebleu) and a SQuAD v1.1 exact-match / F1 written here; never ``evaluate.load`` (it fetches scripts at run time).

Every metric takes the predictions and references of a whole run (in dataset order) and returns a
:class:`MetricValue`: the value, its standard error where a closed form exists (means of per-example scores:
accuracy, exact match), and its scale (``fraction`` for 0-1, ``percent`` for BLEU and chrF, which sacrebleu reports
on 0-100).

What a metric means depends on the kind of predictions (see :data:`KINDS`): ``f1`` over class ids is scikit-learn's
F1, over tag sequences seqeval's entity-level F1, over answer strings SQuAD's token F1.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Sequence

from ..errors import UsageError

#: kinds of predictions a task produces
KINDS = ("label", "tags", "span", "text")


@dataclass
class MetricValue:
    value: float
    stderr: float | None = None
    #: "fraction" (0-1), "percent" (0-100), or None (a loss)
    scale: str | None = "fraction"


def _mean_stderr(xs: Sequence[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    m = sum(xs) / n
    var = sum((x - m) ** 2 for x in xs) / (n - 1)
    return math.sqrt(var) / math.sqrt(n)


# -- classification (class ids) ---------------------------------------------------------------------------------------


def _average(args: dict, n_classes: int) -> str:
    avg = args.get("average")
    if avg is None:
        return "binary" if n_classes <= 2 else "macro"
    if avg not in ("binary", "macro", "micro", "weighted", "samples"):
        raise UsageError(f"unknown average {avg!r}", hint="Use one of: binary, macro, micro, weighted.")
    return avg


def _label_kwargs(args: dict, labels: Sequence[int] | None, avg: str) -> dict:
    kw: dict[str, Any] = {"zero_division": args.get("zero_division", 0), "average": avg}
    if avg == "binary":
        kw["pos_label"] = args.get("pos_label", 1)
    elif labels is not None:
        kw["labels"] = list(labels)
    return kw


def _accuracy(preds, refs, args, ctx) -> MetricValue:
    hits = [1.0 if p == r else 0.0 for p, r in zip(preds, refs)]
    if not hits:
        raise UsageError("no examples to score")
    return MetricValue(sum(hits) / len(hits), _mean_stderr(hits))


# The metrics that come in several kinds are plain functions of the kind, bound with functools.partial in
# ``_METRICS`` (not closures made at import time), so that every call is a call of the function itself.


def _prf(which: str, preds, refs, args, ctx) -> MetricValue:
    from sklearn.metrics import f1_score, precision_score, recall_score

    f = {"precision": precision_score, "recall": recall_score, "f1": f1_score}[which]
    labels = ctx.get("labels")
    n = len(labels) if labels is not None else len(set(refs) | set(preds))
    avg = _average(args, n)
    # a prediction outside the dataset's labels (-1) counts as wrong, never as a class of its own
    kw = _label_kwargs(args, labels if labels is not None else sorted(set(refs)), avg)
    return MetricValue(float(f(refs, preds, **kw)))


def _mcc(preds, refs, args, ctx) -> MetricValue:
    from sklearn.metrics import matthews_corrcoef

    return MetricValue(float(matthews_corrcoef(refs, preds)))


def _roc_auc(preds, refs, args, ctx) -> MetricValue:
    from sklearn.metrics import roc_auc_score

    scores = ctx.get("scores")
    if scores is None:
        raise UsageError("roc_auc needs class scores, which this task does not produce")
    labels = ctx.get("labels")
    n = len(labels) if labels is not None else len(scores[0])
    if n <= 2:
        pos = args.get("pos_label", 1)
        return MetricValue(float(roc_auc_score([1 if r == pos else 0 for r in refs], [s[pos] for s in scores])))
    multi = args.get("multi_class", "ovr")
    return MetricValue(float(roc_auc_score(refs, scores, multi_class=multi, average=args.get("average", "macro"), labels=list(range(n)))))


def _log_loss(preds, refs, args, ctx) -> MetricValue:
    scores = ctx.get("scores")
    if scores is None:
        raise UsageError("loss needs class scores, which this task does not produce")
    eps = 1e-15
    losses = [-math.log(min(max(s[r], eps), 1.0)) if 0 <= r < len(s) else -math.log(eps) for s, r in zip(scores, refs)]
    return MetricValue(sum(losses) / len(losses), _mean_stderr(losses), scale=None)


# -- token classification (tag sequences, seqeval) ----------------------------------------------------------------------


def _seqeval(which: str, preds, refs, args, ctx) -> MetricValue:
    from seqeval import metrics as sm

    if which == "accuracy":
        return MetricValue(float(sm.accuracy_score(refs, preds)))
    f = {"precision": sm.precision_score, "recall": sm.recall_score, "f1": sm.f1_score}[which]
    kw: dict[str, Any] = {"average": args.get("average", "micro"), "zero_division": args.get("zero_division", 0)}
    if args.get("mode") == "strict":
        from seqeval.scheme import IOB2

        kw.update(mode="strict", scheme=IOB2)
    return MetricValue(float(f(refs, preds, **kw)))


# -- extractive QA (SQuAD v1.1) --------------------------------------------------------------------------------------

_ARTICLES = re.compile(r"\b(a|an|the)\b", re.UNICODE)
_PUNCT = set(string.punctuation)


def normalize_answer(s: str) -> str:
    """SQuAD v1.1: lower case, remove punctuation, articles (a, an, the) and extra whitespace."""
    s = s.lower()
    s = "".join(ch for ch in s if ch not in _PUNCT)
    s = _ARTICLES.sub(" ", s)
    return " ".join(s.split())


def squad_exact(pred: str, gold: str) -> float:
    return float(normalize_answer(pred) == normalize_answer(gold))


def squad_f1(pred: str, gold: str) -> float:
    p, g = normalize_answer(pred).split(), normalize_answer(gold).split()
    common = Counter(p) & Counter(g)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(p), same / len(g)
    return 2 * precision * recall / (precision + recall)


def _golds(ref: Any) -> list[str]:
    if isinstance(ref, str):
        return [ref]
    return [str(x) for x in ref] or [""]


def _squad(fn: Callable[[str, str], float], preds, refs, args, ctx) -> MetricValue:
    # best over the gold answers of each question, as the SQuAD script does
    xs = [max(fn(p, g) for g in _golds(r)) for p, r in zip(preds, refs)]
    return MetricValue(sum(xs) / len(xs), _mean_stderr(xs))


# -- generation (ROUGE, BLEU, chrF) ----------------------------------------------------------------------------------


def _rouge(kind: str, preds, refs, args, ctx) -> MetricValue:
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer([kind], use_stemmer=bool(args.get("use_stemmer", False)))
    xs = []
    for p, r in zip(preds, refs):
        golds = _golds(r)
        if kind == "rougeLsum":  # sentences on their own lines, as rouge-score expects
            p, golds = _sentence_lines(p), [_sentence_lines(g) for g in golds]
        xs.append(max(scorer.score(g, p)[kind].fmeasure for g in golds))
    return MetricValue(sum(xs) / len(xs), _mean_stderr(xs))


def _sentence_lines(text: str) -> str:
    if "\n" in text:
        return text
    return "\n".join(s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s)


def _ref_streams(refs: Sequence[Any]) -> list[list[str]]:
    """sacrebleu wants one stream per reference position; examples with fewer references repeat their first."""
    golds = [_golds(r) for r in refs]
    k = max(len(g) for g in golds)
    return [[g[i] if i < len(g) else g[0] for g in golds] for i in range(k)]


def _bleu(preds, refs, args, ctx) -> MetricValue:
    import sacrebleu

    kw = {k: args[k] for k in ("tokenize", "lowercase", "smooth_method") if k in args}
    return MetricValue(float(sacrebleu.corpus_bleu(list(preds), _ref_streams(refs), **kw).score), scale="percent")


def _chrf(preds, refs, args, ctx) -> MetricValue:
    from sacrebleu.metrics import CHRF

    # the CHRF class, not corpus_chrf(): only the class takes `lowercase`
    kw = {k: args[k] for k in ("char_order", "word_order", "beta", "lowercase") if k in args}
    return MetricValue(float(CHRF(**kw).corpus_score(list(preds), _ref_streams(refs)).score), scale="percent")


# -- registry -----------------------------------------------------------------------------------------------------------

#: (metric type, prediction kind) -> function
_METRICS: dict[tuple[str, str], Callable] = {
    ("accuracy", "label"): _accuracy,
    ("precision", "label"): partial(_prf, "precision"),
    ("recall", "label"): partial(_prf, "recall"),
    ("f1", "label"): partial(_prf, "f1"),
    ("matthews_correlation", "label"): _mcc,
    ("roc_auc", "label"): _roc_auc,
    ("loss", "label"): _log_loss,
    ("accuracy", "tags"): partial(_seqeval, "accuracy"),
    ("precision", "tags"): partial(_seqeval, "precision"),
    ("recall", "tags"): partial(_seqeval, "recall"),
    ("f1", "tags"): partial(_seqeval, "f1"),
    ("exact_match", "span"): partial(_squad, squad_exact),
    ("f1", "span"): partial(_squad, squad_f1),
    ("exact_match", "text"): partial(_squad, squad_exact),
    ("rouge1", "text"): partial(_rouge, "rouge1"),
    ("rouge2", "text"): partial(_rouge, "rouge2"),
    ("rougeL", "text"): partial(_rouge, "rougeL"),
    ("rougeLsum", "text"): partial(_rouge, "rougeLsum"),
    ("bleu", "text"): _bleu,
    ("chrf", "text"): _chrf,
}

#: other names for the same metric (AutoTrain / evaluate ids)
ALIASES = {
    "auc": "roc_auc",
    "mcc": "matthews_correlation",
    "sacrebleu": "bleu",
    "chrF": "chrf",
    "em": "exact_match",
    "squad": "f1",
    "acc": "accuracy",
    "seqeval": "f1",
    "rougel": "rougeL",
    "rougelsum": "rougeLsum",
}


def canonical(metric_type: str) -> str:
    """``auc`` -> ``roc_auc``, ``RougeL`` -> ``rougeL``; unknown names come back unchanged."""
    t = metric_type.strip()
    if t in ALIASES:
        return ALIASES[t]
    low = t.lower()
    if low in ALIASES:
        return ALIASES[low]
    for k, _ in _METRICS:
        if k.lower() == low:
            return k
    return t


def known_metrics(kind: str | None = None) -> list[str]:
    """Metric types evalcard computes (for one kind of predictions, or for any)."""
    return sorted({t for t, k in _METRICS if kind is None or k == kind})


def check_metric(metric_type: str, kind: str) -> str:
    """The canonical metric type, or a :class:`UsageError` listing the metrics known for ``kind``."""
    t = canonical(metric_type)
    if (t, kind) not in _METRICS:
        where = "any task" if not any(k == t for k, _ in _METRICS) else "this task"
        raise UsageError(
            f"unknown metric {metric_type!r} for {where}",
            hint=f"Known metrics for this task: {', '.join(known_metrics(kind))} (aliases: {', '.join(sorted(ALIASES))}).",
        )
    return t


def compute(
    metric_type: str,
    predictions: Sequence[Any],
    references: Sequence[Any],
    *,
    kind: str = "label",
    args: dict | None = None,
    labels: Sequence[int] | None = None,
    scores: Sequence[Sequence[float]] | None = None,
) -> MetricValue:
    """Compute one metric. ``labels`` (class ids of the dataset) and ``scores`` (per-example class probabilities, in
    dataset label order) are used by classification metrics; ``args`` are the metric's arguments
    (``{"average": "macro"}``)."""
    t = check_metric(metric_type, kind)
    if len(predictions) != len(references):
        raise ValueError(f"{len(predictions)} predictions for {len(references)} references")
    if not len(references):
        raise UsageError("no examples to score", hint="Check --split and --limit.")
    ctx = {"labels": labels, "scores": scores}
    return _METRICS[(t, kind)](list(predictions), list(references), dict(args or {}), ctx)
