"""Metrics against hand-computed values."""

from __future__ import annotations

import math

import pytest

from evalcard.errors import UsageError
from evalcard.run import metrics as M


def c(t, p, r, **kw):
    return M.compute(t, p, r, **kw)


def test_accuracy_with_stderr():
    v = c("accuracy", [1, 0, 1, 1, 0, 0], [1, 1, 1, 0, 0, 0])
    assert v.value == pytest.approx(4 / 6) and v.scale == "fraction"
    # sample std (ddof=1) / sqrt(n) of the 0/1 hits = sqrt(p(1-p)/(n-1))
    assert v.stderr == pytest.approx(math.sqrt((2 / 3) * (1 / 3) / 5))


def test_precision_recall_f1_averages():
    refs = [0, 0, 0, 1, 1, 2]
    preds = [0, 0, 1, 1, 2, 2]
    labels = [0, 1, 2]
    # per class: P = [1, 1/2, 1/2], R = [2/3, 1/2, 1], F1 = [4/5, 1/2, 2/3]; support [3, 2, 1]
    assert c("precision", preds, refs, args={"average": "macro"}, labels=labels).value == pytest.approx(2 / 3)
    assert c("recall", preds, refs, args={"average": "macro"}, labels=labels).value == pytest.approx((2 / 3 + 1 / 2 + 1) / 3)
    assert c("f1", preds, refs, args={"average": "macro"}, labels=labels).value == pytest.approx((4 / 5 + 1 / 2 + 2 / 3) / 3)
    assert c("f1", preds, refs, args={"average": "micro"}, labels=labels).value == pytest.approx(4 / 6)
    assert c("f1", preds, refs, args={"average": "weighted"}, labels=labels).value == pytest.approx((3 * 4 / 5 + 2 * 1 / 2 + 1 * 2 / 3) / 6)
    # no average: binary for two classes (positive = 1), macro otherwise
    assert c("f1", [1, 1, 0, 0], [1, 0, 0, 1], labels=[0, 1]).value == pytest.approx(0.5)
    assert c("f1", preds, refs, labels=labels).value == pytest.approx((4 / 5 + 1 / 2 + 2 / 3) / 3)
    # a prediction outside the dataset's classes (-1) is wrong, never a class
    assert c("recall", [-1, 1], [0, 1], args={"average": "macro"}, labels=[0, 1]).value == pytest.approx(0.5)


def test_mcc_auc_and_loss():
    assert c("matthews_correlation", [1, 0, 1, 0], [1, 0, 0, 1]).value == pytest.approx(0.0)
    assert c("mcc", [1, 0], [1, 0]).value == pytest.approx(1.0)
    scores = [[0.9, 0.1], [0.4, 0.6], [0.35, 0.65], [0.2, 0.8]]
    # positives (label 1) at 0.65 and 0.8, negatives at 0.1 and 0.6: 4 pairs, all ordered right -> 1.0
    assert c("auc", [0, 1, 1, 1], [0, 0, 1, 1], scores=scores, labels=[0, 1]).value == pytest.approx(1.0)
    assert c("roc_auc", [0, 1, 1, 1], [0, 1, 0, 1], scores=scores, labels=[0, 1]).value == pytest.approx(0.75)
    loss = c("loss", [0, 1], [0, 1], scores=[[0.5, 0.5], [0.25, 0.75]])
    assert loss.value == pytest.approx((math.log(2) - math.log(0.75)) / 2) and loss.scale is None
    with pytest.raises(UsageError, match="class scores"):
        c("roc_auc", [0, 1], [0, 1])


def test_seqeval_entity_level():
    refs = [["B-PER", "I-PER", "O", "B-LOC"], ["B-LOC", "O"]]
    preds = [["B-PER", "I-PER", "O", "O"], ["B-LOC", "B-PER"]]
    # gold entities: PER, LOC, LOC (3); predicted: PER, LOC, PER (3); correct: PER, LOC (2)
    assert c("precision", preds, refs, kind="tags").value == pytest.approx(2 / 3)
    assert c("recall", preds, refs, kind="tags").value == pytest.approx(2 / 3)
    assert c("f1", preds, refs, kind="tags").value == pytest.approx(2 / 3)
    assert c("accuracy", preds, refs, kind="tags").value == pytest.approx(4 / 6)


def test_squad_normalisation_exact_match_and_f1():
    assert M.normalize_answer("The  Eiffel-Tower!") == "eiffeltower"
    assert M.normalize_answer("an apple, a pear") == "apple pear"
    assert M.squad_exact("the Paris.", "Paris") == 1.0
    # pred "in rome city" vs gold "rome": 1 common token, P = 1/3, R = 1 -> F1 = 0.5
    assert M.squad_f1("in rome city", "rome") == pytest.approx(0.5)
    assert M.squad_f1("", "rome") == 0.0
    em = c("exact_match", ["Paris", "blue sky"], [["Paris", "paris city"], ["blue"]], kind="span")
    assert em.value == pytest.approx(0.5) and em.stderr == pytest.approx(0.5)
    # best over the gold answers: max(F1 vs "blue") = 2/3
    assert c("f1", ["Paris", "blue sky"], [["Paris"], ["red", "blue"]], kind="span").value == pytest.approx((1 + 2 / 3) / 2)


def test_rouge():
    v = c("rouge1", ["the cat sat"], ["the cat sat on the mat"], kind="text").value
    # unigram P = 3/3, R = 3/6 -> F = 2/3
    assert v == pytest.approx(2 / 3)
    assert c("rouge2", ["the cat sat"], ["the cat sat on the mat"], kind="text").value == pytest.approx(2 * 1 * 0.4 / 1.4)
    assert c("rougeL", ["a b c"], ["a b c"], kind="text").value == 1.0
    assert c("rougeLsum", ["one two. three four."], ["one two.\nthree four."], kind="text").value == 1.0


def test_bleu_and_chrf_are_percent():
    b = c("sacrebleu", ["the cat is on the mat"], [["the cat is on the mat"]], kind="text")
    assert b.value == pytest.approx(100.0) and b.scale == "percent"
    assert c("bleu", ["completely different words here"], ["the cat is on the mat"], kind="text").value < 5
    ch = c("chrf", ["the cat"], ["the cat"], kind="text")
    assert ch.value == pytest.approx(100.0) and ch.scale == "percent"
    # several references per example, of different counts
    assert c("bleu", ["a b c d", "e f g h"], [["a b c d", "x"], ["e f g h"]], kind="text").value == pytest.approx(100.0)


def test_unknown_metric_lists_the_known_ones():
    with pytest.raises(UsageError, match="unknown metric 'bertscore' for any task") as e:
        c("bertscore", [1], [1])
    assert "accuracy" in e.value.hint and "matthews_correlation" in e.value.hint
    with pytest.raises(UsageError, match="unknown metric 'bleu' for this task"):
        c("bleu", [1], [1], kind="label")
    assert M.canonical("RougeL") == "rougeL" and M.canonical("auc") == "roc_auc" and M.canonical("sacrebleu") == "bleu"
    assert "rougeLsum" in M.known_metrics("text") and "rougeLsum" not in M.known_metrics("label")


def test_chrf_takes_lowercase_as_sacrebleu_does():
    from sacrebleu.metrics import CHRF

    from evalcard.run.metrics import compute

    preds, refs = ["The Cat sat on the Mat"], ["the cat sat on the mat"]
    for args in ({}, {"lowercase": True}, {"lowercase": False}, {"char_order": 4, "beta": 3}, {"word_order": 2}):
        want = CHRF(**args).corpus_score(preds, [refs]).score
        assert _chrf_value(compute, preds, refs, args) == want, args
    assert _chrf_value(compute, preds, refs, {"lowercase": True}) != _chrf_value(compute, preds, refs, {})


def _chrf_value(compute, preds, refs, args):
    return compute("chrf", preds, refs, kind="text", args=args).value
