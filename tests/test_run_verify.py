"""verify(): claimed vs measured, scales, stderr and tolerance, skipped and failed runs (no model needed: the run is
a stub)."""

from __future__ import annotations

import pytest

from evalcard.errors import UsageError
from evalcard.results import EvalResult
from evalcard.run.outcome import MetricScore, RunOutcome
from evalcard.run.spec import EvalSpec, MetricSpec
from evalcard.run.verify import compare, verify

MEASURED = {("accuracy", ()): (0.80, "fraction"), ("f1", (("average", "macro"),)): (0.70, "fraction"), ("sacrebleu", ()): (31.0, "percent")}


def claim(metric, value, **kw):
    return EvalResult(kw.pop("dataset", "org/d"), metric, value, dataset_split="test", **kw)


def fake_run(calls):
    def run(spec: EvalSpec) -> RunOutcome:
        calls.append(spec)
        scores = []
        for m in spec.metrics:
            v, scale = MEASURED[(m.type, tuple(sorted((m.args or {}).items())))]
            scores.append(MetricScore(m, v, None, scale))
        return RunOutcome(spec, scores, 100, "abc1234", None)

    return run


def spec_for(dataset, config, split):
    if dataset == "org/unknown":
        return None
    if dataset == "org/broken":
        raise UsageError("org/broken: split 'test' not found")
    return EvalSpec(model="org/m", dataset=dataset, task_id="translation" if dataset == "org/mt" else "multi_class_classification", split=split or "test")


def test_agree_disagree_scales_and_one_run_per_dataset():
    calls = []
    claims = [
        claim("accuracy", 0.805),                       # within 0.01
        claim("accuracy", 80.4, metric_name="Acc %"),   # a percentage: 0.804
        claim("f1", 0.75, metric_args={"average": "macro"}),  # 0.05 off
        claim("f1", 0.75, metric_args={"average": "macro"}, stderr=0.06, notes="x"),  # within its stderr
        claim("matthews_correlation", 0.5, dataset="org/unknown"),
        claim("rouge1", 0.5),                           # not a metric of this task
        claim("accuracy", 0.8, dataset="org/broken"),
        claim("sacrebleu", 0.305, dataset="org/mt"),    # BLEU written as a fraction
    ]
    rep = verify(claims, spec_for=spec_for, run=fake_run(calls))
    st = [c.status for c in rep.checks]
    assert [c.result for c in rep.checks] == claims  # reported in the card's order
    by = {(c.result.dataset_id, c.result.metric_type, c.result.stderr, c.result.metric_name): c for c in rep.checks}
    assert by[("org/d", "accuracy", None, None)].status == "agree"
    pct = by[("org/d", "accuracy", None, "Acc %")]
    assert pct.status == "agree" and pct.claimed_scaled == pytest.approx(0.804)
    assert by[("org/d", "f1", None, None)].status == "disagree"
    assert by[("org/d", "f1", 0.06, None)].status == "agree" and by[("org/d", "f1", 0.06, None)].bound == pytest.approx(0.06)
    assert by[("org/unknown", "matthews_correlation", None, None)].status == "skipped"
    assert "does not compute 'rouge1'" in by[("org/d", "rouge1", None, None)].reason
    assert by[("org/broken", "accuracy", None, None)].reason == "org/broken: split 'test' not found"
    mt = by[("org/mt", "sacrebleu", None, None)]
    assert mt.status == "agree" and mt.claimed_scaled == pytest.approx(30.5) and mt.bound == pytest.approx(1.0)
    assert not rep.ok and st.count("agree") == 4
    # one run per dataset, with each claimed metric once
    assert [(s.dataset, [(m.type, m.args) for m in s.metrics]) for s in calls] == [
        ("org/d", [("accuracy", {}), ("f1", {"average": "macro"})]), ("org/mt", [("sacrebleu", {})])]
    d = rep.to_dict()
    assert d["ok"] is False and d["counts"]["disagree"] == 1 and d["checks"][0]["claimed"] == 0.805


def test_a_failed_run_is_an_error_not_a_crash():
    def boom(spec):
        raise RuntimeError("CUDA out of memory")

    rep = verify([claim("accuracy", 0.8)], spec_for=spec_for, run=boom)
    assert [c.status for c in rep.checks] == ["error"] and "out of memory" in rep.checks[0].reason
    assert rep.ok  # nothing disagrees; the CLI still exits 1 on errors


def test_compare_tolerance():
    s = MetricScore(MetricSpec("accuracy"), 0.9, None, "fraction")
    assert compare(0.909, None, None, s) == (True, 0.909, 0.01)
    assert compare(0.92, None, None, s)[0] is False
    assert compare(0.92, None, None, s, tolerance=0.05)[0] is True
    assert compare(92.0, 1.5, "percent", s)[0] is False  # 0.92 vs 0.9: stderr 0.015 < 0.02
    assert compare(92.0, 2.5, "percent", s) == (True, 0.92, 0.025)


@pytest.mark.parametrize(
    "metric, claimed, measured, verdict",
    [
        ("accuracy", 0.95, 0.80, "over-claim"),  # higher is better: a higher claim over-claims
        ("accuracy", 0.60, 0.80, "under-claim"),
        ("loss", 0.20, 0.50, "over-claim"),  # lower is better: a lower claim over-claims
        ("loss", 0.90, 0.50, "under-claim"),
    ],
)
def test_a_disagreement_says_over_or_under_claim_in_the_metric_direction(metric, claimed, measured, verdict):
    def run(spec):
        return RunOutcome(spec, [MetricScore(m, measured, None, "fraction") for m in spec.metrics], 10, "abc1234", None)

    def spec_for_label(dataset, config, split):
        return EvalSpec(model="org/m", dataset=dataset, task_id="multi_class_classification", split=split or "test")

    (c,) = verify([claim(metric, claimed)], spec_for=spec_for_label, run=run).checks
    assert c.status == "disagree" and c.verdict == verdict
    assert c.to_dict()["direction"] == ("lower" if "loss" in metric else "higher")


def test_a_result_that_states_its_direction_wins_over_the_registry():
    def run(spec):
        return RunOutcome(spec, [MetricScore(m, 0.5, None, "fraction") for m in spec.metrics], 10, "abc1234", None)

    sf = lambda d, c, s: EvalSpec(model="org/m", dataset=d, task_id="multi_class_classification", split="test")  # noqa: E731
    (c,) = verify([claim("accuracy", 0.2, higher_is_better=False)], spec_for=sf, run=run).checks
    assert c.verdict == "over-claim"
    (c,) = verify([claim("accuracy", 0.5, higher_is_better=False)], spec_for=sf, run=run).checks
    assert c.status == "agree" and c.verdict is None


def test_a_negative_tolerance_is_a_usage_error():
    from click.testing import CliRunner

    from evalcard.cli.main import cli

    r = CliRunner().invoke(cli, ["verify", "org/m", "--store", "/nonexistent-store", "--tolerance", "-1"])
    assert r.exit_code == 2 and "--tolerance" in r.output and "Traceback" not in r.output
