"""The duplicate-PR check: an open PR is a duplicate only when it holds *every* result a plan proposes, and a PR that
cannot be read never counts as "not a duplicate" (planning stops and names it, unless --force)."""

from __future__ import annotations

import json
import logging

import pytest
from click.testing import CliRunner

from evalcard.cli.main import cli
from evalcard.errors import StoreError
from evalcard.publish import apply_plan, plan_update
from evalcard.results import EvalResult
from evalcard.store.base import RepoRef
from evalcard.store.hub import HubStore
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
BROKEN_CARD = b"---\nlicense: mit\nmodel-index: [unclosed\n---\n# My model\n"
REPO = RepoRef("org/my-model")
TOKEN = "hf_" "duplicatePRtestTOKEN1234567890abcd"  # fake, split so it does not look like a committed token


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
    """Open a PR with ``results`` whatever is open already (the setup of a test, not what it checks)."""
    res = apply_plan(store, plan_update(store, REPO, results, fmt=fmt, check_prs=False), create_pr=True, force=True)
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


# -- a PR that cannot be read ------------------------------------------------------------------------------------------
def test_a_pr_whose_card_does_not_parse_stops_the_plan_unless_forced(store):
    store.open_pr(REPO, {"README.md": BROKEN_CARD}, title="broken card")
    with pytest.raises(StoreError) as ei:
        plan_update(store, REPO, THREE, check_prs=True)
    assert "#1" in ei.value.message and "org/my-model" in ei.value.message and "README.md" in ei.value.message
    assert "--force" in ei.value.hint and ei.value.exit_code == 1
    plan = plan_update(store, REPO, THREE, check_prs=True, force=True)
    assert plan.duplicate_prs == [] and [p.num for p, _ in plan.unchecked_prs] == [1]
    assert plan.to_dict()["unchecked_prs"][0]["num"] == 1
    res = apply_plan(store, plan, create_pr=True, force=True)
    assert res.pr is not None and res.pr.num == 2


def test_a_pr_whose_results_file_does_not_parse_stops_the_plan(store):
    store.open_pr(REPO, {".eval_results/gsm8k.yaml": b"- dataset: {id: openai/gsm8k\n"}, title="broken results file")
    with pytest.raises(StoreError, match=r"#1 .*\.eval_results/gsm8k\.yaml does not parse"):
        plan_update(store, REPO, THREE, check_prs=True)


def test_an_unreadable_pr_does_not_hide_a_readable_duplicate_but_still_stops(store):
    """Fail closed: even with a duplicate found, an unreadable PR is reported (it may be the one to keep)."""
    open_pr(store, THREE)
    store.open_pr(REPO, {"README.md": BROKEN_CARD}, title="broken card")
    with pytest.raises(StoreError, match="#2"):
        plan_update(store, REPO, THREE, check_prs=True)
    plan = plan_update(store, REPO, THREE, check_prs=True, force=True)
    assert [p.num for p in plan.duplicate_prs] == [1] and [p.num for p, _ in plan.unchecked_prs] == [2]


def test_a_broken_pr_is_fine_when_not_opening_a_pr(store):
    """Only --create-pr looks at open PRs: a commit to main does not need them."""
    store.open_pr(REPO, {"README.md": BROKEN_CARD}, title="broken card")
    r = CliRunner().invoke(cli, ["convert", str(REPO), "--store", str(store.root), "--to", "eval-results", "--apply"])
    assert r.exit_code == 0 and "Committed" in r.output, r.output


# -- through the CLI: a local store ------------------------------------------------------------------------------------
def test_cli_names_the_pr_it_could_not_check_and_force_opens_one(store):
    store.open_pr(REPO, {"README.md": BROKEN_CARD}, title="broken card")
    args = ["convert", str(REPO), "--store", str(store.root), "--to", "eval-results", "--create-pr"]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 1, r.output
    assert "Traceback" not in r.output and "#1" in r.output and "--force" in r.output
    assert [p.num for p in store.list_prs(REPO)] == [1]
    r = CliRunner().invoke(cli, args + ["--force"])
    assert r.exit_code == 0, r.output
    assert "warning: open pull request #1 could not be checked" in r.output and "Opened pull request #2" in r.output
    assert [p.num for p in store.list_prs(REPO)] == [1, 2]


# -- on the Hub: the PR's files cannot be downloaded --------------------------------------------------------------------
@pytest.fixture
def hub(hub_server):
    hub_server.add_token(TOKEN, "alice")
    hub_server.create_repo(str(REPO), {"README.md": CARD})
    return hub_server


def hub_store(hub) -> HubStore:
    st = HubStore(token=TOKEN, endpoint=hub.url, retries=2, backoff=0.001)
    st.sleep = lambda s: None
    return st


def _hub_pr_with_two_of_three(hub) -> int:
    st = hub_store(hub)
    res = apply_plan(st, plan_update(st, REPO, [gsm8k(), hellaswag()], check_prs=False), create_pr=True, force=True)
    return res.pr.num


@pytest.mark.parametrize(
    "fault",
    [
        dict(status=400, body={"error": "bad request"}),  # an HTTP error (5xx ones: see the revision test below)
        dict(drop=True, times=20),  # the connection drops every time
        dict(status=401, headers={"X-Error-Message": "Invalid credentials in Authorization header"}),  # auth error
        dict(status=403, headers={"X-Error-Message": "forbidden"}),
    ],
    ids=["http-400", "network", "auth-401", "auth-403"],
)
def test_hub_pr_that_cannot_be_downloaded_is_not_taken_for_no_duplicate(hub, fault):
    num = _hub_pr_with_two_of_three(hub)
    pr_commit = hub.repo(str(REPO)).refs[f"refs/pr/{num}"]
    hub.inject("resolve", match=pr_commit, **fault)  # only the PR's files fail; main reads fine
    st = hub_store(hub)
    with pytest.raises(StoreError) as ei:
        plan_update(st, REPO, [gsm8k(), hellaswag()], check_prs=True)
    assert f"#{num}" in ei.value.message and "--force" in ei.value.hint
    assert TOKEN not in ei.value.message + (ei.value.hint or "")
    assert len(hub.repo(str(REPO)).discussions) == 1


def test_hub_pr_whose_revision_cannot_be_resolved_stops_the_plan(hub):
    num = _hub_pr_with_two_of_three(hub)
    hub.inject("info", status=503, times=20, match=f"revision/refs/pr/{num}$")  # the Hub keeps failing on it
    with pytest.raises(StoreError, match=f"#{num}"):
        plan_update(hub_store(hub), REPO, [gsm8k(), hellaswag()], check_prs=True)


def test_hub_cli_stops_on_an_unreadable_pr_then_force_opens_one(hub, monkeypatch, caplog):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    monkeypatch.delenv("EVALCARD_STORE", raising=False)
    num = _hub_pr_with_two_of_three(hub)
    pr_commit = hub.repo(str(REPO)).refs[f"refs/pr/{num}"]
    hub.inject("resolve", status=401, match=pr_commit, headers={"X-Error-Message": "Invalid credentials in Authorization header"})
    args = ["convert", str(REPO), "--store", "hub", "--to", "eval-results", "--create-pr"]
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 1, r.output
    assert f"#{num}" in r.output and "--force" in r.output and "Traceback" not in r.output
    assert TOKEN not in r.output and TOKEN not in caplog.text
    assert len(hub.repo(str(REPO)).discussions) == 1
    hub.inject("resolve", status=401, match=pr_commit, headers={"X-Error-Message": "Invalid credentials in Authorization header"})
    r = CliRunner().invoke(cli, args + ["--force", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["outcome"]["pr"]["num"] == num + 1 and out["plan"]["unchecked_prs"][0]["num"] == num
    assert len(hub.repo(str(REPO)).discussions) == 2
