"""The metric's direction wherever order matters: lower-is-better metrics (WER, CER, perplexity, loss) rank the
other way round, and an unknown direction ranks nothing."""

import pytest

from evalcard.ranking import best, compare, direction, is_better, rank, result_direction
from evalcard.results import EvalResult


@pytest.mark.parametrize("metric, hib", [("wer", False), ("CER", False), ("perplexity", False), ("ppl", False), ("loss", False), ("log_loss", False),
                                         ("bits per byte", False), ("accuracy", True), ("bleu", True), ("f1", True),
                                         ("RMSE", False), ("mae", False), ("mean squared error", False), ("FID", False),
                                         ("PSNR", True), ("ssim", True)])
def test_direction_from_the_registry(metric, hib):
    assert direction(metric) is hib


def test_direction_unknown_and_stated():
    assert direction("some-new-metric") is None
    assert direction("some-new-metric", higher_is_better=False) is False
    assert direction("accuracy", higher_is_better=False) is False  # what a source states wins
    assert result_direction(EvalResult("openslr/librispeech_asr", "wer", 3.1)) is False
    assert result_direction(EvalResult("org/x", "mystery", 1.0)) is None


def test_rank_and_best_follow_the_direction():
    wer = [("a", 5.2), ("b", 3.1), ("c", 7.0), ("d", 3.1)]
    assert [(p, m) for p, m, _ in rank(wer, higher_is_better=False)] == [(1, "b"), (1, "d"), (3, "a"), (4, "c")]
    assert [(p, m) for p, m, _ in rank(wer, higher_is_better=True)] == [(1, "c"), (2, "a"), (3, "b"), (3, "d")]
    assert best(wer, False) == ["b", "d"] and best(wer, True) == ["c"]
    assert best(wer, None) == [] and best([], True) == []


def test_compare_and_is_better():
    assert is_better(0.9, 0.8, True) and not is_better(0.9, 0.8, False)
    assert not is_better(0.8, 0.8, True) and not is_better(0.8, 0.8, False)
    assert compare(3.0, 5.0, False) == "better" and compare(3.0, 5.0, True) == "worse"
    assert compare(1.0, 1.0, None) == "equal" and compare(1.0, 2.0, None) is None


def test_the_demo_comparison_stars_the_best_in_the_metric_direction():
    from evalcard.cli.demo import comparison_lines

    table = {"org/d (test)": {("Accuracy", "accuracy"): {"o/a": 0.8, "o/b": 0.9}, ("Loss", "loss"): {"o/a": 0.4, "o/b": 0.6},
                              ("Mystery", "mystery"): {"o/a": 1.0, "o/b": 2.0}}}
    lines = comparison_lines(table)
    acc = next(ln for ln in lines if ln.strip().startswith("Accuracy"))
    loss = next(ln for ln in lines if ln.strip().startswith("Loss"))
    mystery = next(ln for ln in lines if ln.strip().startswith("Mystery"))
    assert "0.900*" in acc and "0.800*" not in acc
    assert "0.400*" in loss and "0.600*" not in loss
    assert "*" not in mystery
