"""The duplicate-PR check: an open PR is a duplicate only when it holds *every* result a plan proposes."""

from __future__ import annotations

import pytest

from evalcard.publish import apply_plan, plan_update
from evalcard.results import EvalResult
from evalcard.store.base import RepoRef
from evalcard.store.local import LocalStore

CARD = b"""---
license: mit
model-index:
- name: my-model
  results:
  - task: {type: text-generation}
    dataset: {name: MMLU, type: cais/mmlu, split: test}
    metrics:
    - {type: accuracy, value: 0.61}
---
# My model
"""
REPO = RepoRef("org/my-model")


def gsm8k(**kw):
    return EvalResult(dataset_id="openai/gsm8k", dataset_name="GSM8K", dataset_config="main", metric_type="exact_match", value=0.71,
                      n_shot=5, metric_config="strict-match", **kw)


def hellaswag(**kw):
    return EvalResult(dataset_id="Rowan/hellaswag", dataset_name="HellaSwag", metric_type="acc_norm", value=0.82, n_shot=10, **kw)


def arc(**kw):
    return EvalResult(dataset_id="allenai/ai2_arc", dataset_name="ARC-Challenge", dataset_config="ARC-Challenge", metric_type="acc_norm",
                      value=0.55, n_shot=25, **kw)


def winogrande(**kw):
    return EvalResult(dataset_id="allenai/winogrande", dataset_name="WinoGrande", dataset_config="winogrande_xl", metric_type="accuracy",
                      value=0.77, n_shot=5, **kw)


THREE = [gsm8k(), hellaswag(), arc()]


@pytest.fixture
def store(tmp_path):
    st = LocalStore(tmp_path / "store")
    st.create_repo(REPO, {"README.md": CARD})
    return st


def open_pr(store, results, fmt="model-index"):
    res = apply_plan(store, plan_update(store, REPO, results, fmt=fmt, check_prs=False), create_pr=True)
    assert res.pr is not None
    return res.pr.num


# -- all, not any ------------------------------------------------------------------------------------------------------
def test_a_pr_holding_some_of_the_results_is_not_a_duplicate(store):
    open_pr(store, [gsm8k(), hellaswag()])  # two of the three
    plan = plan_update(store, REPO, THREE, check_prs=True)
    assert plan.duplicate_prs == []
    res = apply_plan(store, plan, create_pr=True)
    assert res.pr is not None and res.pr.num == 2
    assert [p.num for p in store.list_prs(REPO)] == [1, 2]


def test_a_pr_holding_every_result_and_more_is_a_duplicate(store):
    open_pr(store, [gsm8k(), winogrande(), hellaswag(), arc()])  # all three, plus another, in another order
    plan = plan_update(store, REPO, THREE, check_prs=True)
    assert [p.num for p in plan.duplicate_prs] == [1]
    res = apply_plan(store, plan, create_pr=True)
    assert res.pr is None and "#1" in res.extra["message"]
    assert [p.num for p in store.list_prs(REPO)] == [1]


def test_a_pr_holding_every_result_but_one_value_differs_is_not_a_duplicate(store):
    open_pr(store, [gsm8k(), hellaswag(), arc().replace(value=0.56)])
    assert plan_update(store, REPO, THREE, check_prs=True).duplicate_prs == []


def test_only_the_pr_holding_all_counts_among_several(store):
    open_pr(store, [gsm8k()])
    open_pr(store, [hellaswag(), arc()])
    open_pr(store, THREE)
    open_pr(store, [gsm8k(), hellaswag()])
    assert [p.num for p in plan_update(store, REPO, THREE, check_prs=True).duplicate_prs] == [3]


def test_eval_results_prs_all_not_any(store):
    """Same rule when the results are spread over .eval_results files (one per benchmark task)."""
    open_pr(store, [hellaswag(), arc()], fmt="eval-results")
    assert plan_update(store, REPO, THREE, fmt="eval-results", check_prs=True).duplicate_prs == []
    open_pr(store, [arc(), winogrande(), gsm8k(), hellaswag()], fmt="eval-results")
    assert [p.num for p in plan_update(store, REPO, THREE, fmt="eval-results", check_prs=True).duplicate_prs] == [2]
