"""Re-run the results a card claims and say, per result, whether the measured value agrees.

:func:`verify` groups claimed results by (dataset, config, split), asks ``spec_for`` for a runnable spec (None or an
error: the result is skipped with the reason), runs it once with every claimed metric evalcard computes for that task,
and compares each claim with its measurement:

- the claimed value is brought to the measured scale first: a claim of ``91.2`` for an accuracy measured as
  ``0.912`` is a percentage (the result's ``scale`` says so when known; otherwise a value above 1 for a 0-1 metric
  is read as a percentage, and a value at most 1 for BLEU / chrF as a fraction);
- they agree when ``|claimed - measured| <= max(stderr, tolerance)``: the claim's stated stderr when it has one,
  the tolerance (default 0.01 on a 0-1 scale, i.e. 1 point on a 0-100 scale) otherwise or when larger;
- a claim that disagrees is an *over-claim* when it is better than the measurement in the metric's direction (a
  higher accuracy, a lower loss or WER) and an *under-claim* when it is worse; when the direction is unknown it is
  neither (see :mod:`evalcard.ranking`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Callable

from ..errors import EvalcardError
from ..ranking import compare as compare_values
from ..ranking import result_direction
from ..results import EvalResult, to_float
from . import metrics as M
from .outcome import MetricScore, RunOutcome
from .spec import EvalSpec, MetricSpec

DEFAULT_TOLERANCE = 0.01


@dataclass
class Check:
    result: EvalResult
    #: "agree", "disagree", "skipped" (evalcard cannot run it) or "error" (the run failed)
    status: str
    claimed: float | None = None
    measured: float | None = None
    #: the claimed value on the measured scale
    claimed_scaled: float | None = None
    bound: float | None = None
    reason: str | None = None
    scale: str | None = None
    #: True when higher is better, False when lower is, None when unknown
    higher_is_better: bool | None = None

    @property
    def verdict(self) -> str | None:
        """For a disagreement: "over-claim" (the claim is better than the measurement in the metric's direction),
        "under-claim" (worse), or None when the direction is unknown."""
        if self.status != "disagree" or self.claimed_scaled is None or self.measured is None:
            return None
        c = compare_values(self.claimed_scaled, self.measured, self.higher_is_better)
        return {"better": "over-claim", "worse": "under-claim"}.get(c or "")

    def to_dict(self) -> dict[str, Any]:
        r = self.result
        return {
            "dataset": r.dataset_id, "config": r.dataset_config, "split": r.dataset_split, "metric": r.metric_type,
            "metric_args": r.metric_args, "label": r.label(), "claimed": self.claimed, "claimed_stderr": r.stderr,
            "measured": self.measured, "claimed_on_measured_scale": self.claimed_scaled, "bound": self.bound,
            "scale": self.scale, "status": self.status, "reason": self.reason,
            "direction": None if self.higher_is_better is None else ("higher" if self.higher_is_better else "lower"),
            "verdict": self.verdict,
        }


@dataclass
class VerifyReport:
    checks: list[Check] = field(default_factory=list)
    outcomes: list[RunOutcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """No claimed result disagrees with its measurement (skipped ones do not count)."""
        return not any(c.status == "disagree" for c in self.checks)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.checks:
            out[c.status] = out.get(c.status, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "counts": self.counts(), "checks": [c.to_dict() for c in self.checks],
                "runs": [{"spec_key": o.spec.key(), "n_samples": o.n_samples, "model_revision": o.model_revision,
                          "dataset_revision": o.dataset_revision, "status": o.status} for o in self.outcomes]}


def _args(r: EvalResult) -> dict[str, Any]:
    return {k: v for k, v in (r.metric_args or {}).items() if k != "stderr"}


def _norm_args(args: dict[str, Any]) -> tuple:
    return tuple(sorted((k, str(v).lower()) for k, v in args.items()))


def compare(claimed: float, claimed_stderr: float | None, claimed_scale: str | None, measured: MetricScore,
            tolerance: float = DEFAULT_TOLERANCE) -> tuple[bool, float, float]:
    """``(agree, claimed on the measured scale, bound)``."""
    factor = 1.0
    if measured.scale == "fraction" and (claimed_scale == "percent" or (claimed_scale is None and claimed > 1.0)):
        factor = 0.01
    elif measured.scale == "percent" and (claimed_scale == "fraction" or (claimed_scale is None and claimed <= 1.0 < measured.value)):
        factor = 100.0
    c = claimed * factor
    tol = tolerance * (100.0 if measured.scale == "percent" else 1.0)
    bound = max(tol, (claimed_stderr or 0.0) * factor)
    return abs(c - measured.value) <= bound + 1e-12, c, bound


def verify(
    claimed: list[EvalResult],
    *,
    spec_for: Callable[[str, str | None, str | None], EvalSpec | None],
    run: Callable[[EvalSpec], RunOutcome],
    tolerance: float = DEFAULT_TOLERANCE,
) -> VerifyReport:
    """Re-run every claimed result evalcard can run. ``spec_for(dataset_id, config, split)`` gives the spec to run
    (None or an :class:`EvalcardError` when there is none); ``run(spec)`` runs it."""
    from .tasks import get_task

    report = VerifyReport()
    groups: dict[tuple, list[EvalResult]] = {}
    for r in claimed:
        groups.setdefault((r.dataset_id, r.dataset_config, r.dataset_split), []).append(r)
    for (dataset, config, split), rs in groups.items():
        try:
            spec = spec_for(dataset, config, split)
        except EvalcardError as e:
            spec, why = None, e.message
        else:
            why = "evalcard has no spec for this dataset (no train-eval-index, eval.yaml or usable features)"
        if spec is None:
            report.checks.extend(Check(r, "skipped", to_float(r.value), reason=why) for r in rs)
            continue
        try:
            kind = get_task(spec.task_id).kind
        except EvalcardError as e:
            report.checks.extend(Check(r, "skipped", to_float(r.value), reason=e.message) for r in rs)
            continue
        wanted: list[MetricSpec] = []
        runnable: list[tuple[EvalResult, tuple]] = []
        for r in rs:
            value = to_float(r.value)
            try:
                t = M.check_metric(r.metric_type, kind)
            except EvalcardError:
                report.checks.append(Check(r, "skipped", value, reason=f"evalcard does not compute {r.metric_type!r} for {spec.task_id}"))
                continue
            if value is None:
                report.checks.append(Check(r, "skipped", None, reason=f"claimed value {r.value!r} is not a number"))
                continue
            key = (t, _norm_args(_args(r)))
            if key not in {(M.canonical(m.type), _norm_args(m.args)) for m in wanted}:
                wanted.append(MetricSpec(r.metric_type, r.metric_name, _args(r)))
            runnable.append((r, key))
        if not wanted:
            continue
        try:
            outcome = run(dataclasses.replace(spec, metrics=wanted))
        except (EvalcardError, Exception) as e:  # one failed run must not hide the others
            msg = e.message if isinstance(e, EvalcardError) else f"{type(e).__name__}: {e}"
            report.checks.extend(Check(r, "error", to_float(r.value), reason=msg) for r, _ in runnable)
            continue
        report.outcomes.append(outcome)
        by_key = {(M.canonical(s.metric.type), _norm_args(s.metric.args)): s for s in outcome.scores}
        for r, key in runnable:
            s = by_key[key]
            value = to_float(r.value)
            assert value is not None
            agree, scaled, bound = compare(value, to_float(r.stderr), r.scale, s, tolerance)
            report.checks.append(Check(r, "agree" if agree else "disagree", value, s.value, scaled, bound, scale=s.scale,
                                       higher_is_better=result_direction(r)))
    order = {id(r): i for i, r in enumerate(claimed)}
    report.checks.sort(key=lambda c: order.get(id(c.result), len(order)))  # in the card's order
    return report
