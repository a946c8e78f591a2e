"""Which of two scores is better: the metric's direction (higher or lower is better) wherever order matters.

WER, CER, perplexity, bits per byte and losses are lower-is-better; most others are higher-is-better. The
direction comes from the result when it says so (a framework log's ``higher_is_better``), else from the registry
(``data/benchmarks.yaml``: the metric's, else the benchmark's). When neither knows, nothing is ranked: a "best" or
an "over-claim" read the wrong way round misleads more than none at all.

Used by ``verify`` (is a claim better or worse than its measurement), comparisons across models (the demo's
per-dataset table) and leaderboards. No I/O.
"""

from __future__ import annotations

from typing import Iterable, Sequence, TypeVar

from .benchmarks import Registry, load_registry
from .results import EvalResult

T = TypeVar("T")


def direction(metric: str | None, *, benchmark: str | None = None, higher_is_better: bool | None = None,
              registry: Registry | None = None) -> bool | None:
    """True when higher is better, False when lower is, None when unknown."""
    if higher_is_better is not None:
        return bool(higher_is_better)
    return (registry or load_registry()).higher_is_better(metric, benchmark)


def result_direction(r: EvalResult, registry: Registry | None = None) -> bool | None:
    """The direction of one result: its own ``higher_is_better``, else its metric's, else its benchmark's."""
    return direction(r.metric_type, benchmark=r.dataset_name or r.dataset_id, higher_is_better=r.higher_is_better, registry=registry)


def is_better(a: float, b: float, higher_is_better: bool) -> bool:
    """``a`` is strictly better than ``b``."""
    return a > b if higher_is_better else a < b


def compare(a: float, b: float, higher_is_better: bool | None) -> str | None:
    """"better", "worse" or "equal" (``a`` against ``b``); None when the direction is unknown and they differ."""
    if a == b:
        return "equal"
    if higher_is_better is None:
        return None
    return "better" if is_better(a, b, higher_is_better) else "worse"


def rank(items: Iterable[tuple[T, float]], higher_is_better: bool) -> list[tuple[int, T, float]]:
    """``(position, item, value)`` best first; equal values share a position (1, 2, 2, 4), ties keep input order."""
    ordered = sorted(items, key=lambda iv: -iv[1] if higher_is_better else iv[1])
    out: list[tuple[int, T, float]] = []
    for i, (item, value) in enumerate(ordered):
        pos = out[-1][0] if out and out[-1][2] == value else i + 1
        out.append((pos, item, value))
    return out


def best(items: Sequence[tuple[T, float]], higher_is_better: bool | None) -> list[T]:
    """The items with the best value (several when tied); none when the direction is unknown."""
    if higher_is_better is None or not items:
        return []
    return [item for pos, item, _ in rank(items, higher_is_better) if pos == 1]
