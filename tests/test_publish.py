import pytest
import yaml

from evalcard.card.frontmatter import parse_card
from evalcard.errors import ValidationError
from evalcard.publish import apply_plan, converted, plan_update
from evalcard.repo import load_repo
from evalcard.results import EvalResult
from evalcard.store.base import RepoRef
from evalcard.store.files import FolderStore
from evalcard.store.local import LocalStore

CARD = b"""---
license: mit
# keep me
model-index:
- name: my-model
  results:
  - task: {type: text-generation}
    dataset: {name: MMLU, type: cais/mmlu, split: test}
    metrics:
    - {type: accuracy, value: 0.61}
    source: {name: Paper, url: https://arxiv.org/abs/1}
  - task: {type: text-generation}
    dataset: {name: GSM8K, type: openai/gsm8k}
    metrics:
    - {type: exact_match, value: 0.4, verifyToken: signed-by-hub}
tags: [a]
---
# My model
"""
REPO = RepoRef("org/my-model")


@pytest.fixture
def store(tmp_path):
    st = LocalStore(tmp_path)
    st.create_repo(REPO, {"README.md": CARD})
    return st


def new(**kw):
    base = dict(dataset_id="TIGER-Lab/MMLU-Pro", metric_type="accuracy", value=0.42, source_kind="readme-table")
    base.update(kw)
    return EvalResult(**base)


def test_preview_changes_nothing_and_shows_only_the_model_index_diff(store):
    plan = plan_update(store, REPO, [new()])
    assert plan.changed and list(plan.files) == ["README.md"]
    assert store.read_file(REPO, "README.md") == CARD
    d = plan.diff()
    assert "+    - type: accuracy\n+      value: 0.42\n" in d
    assert all(line[1:] in CARD.decode() for line in d.splitlines() if line.startswith("-") and not line.startswith("---"))
    new_card = parse_card(plan.files["README.md"])
    old_card = parse_card(CARD)
    assert new_card.body == old_card.body
    assert {k: v for k, v in new_card.data.items() if k != "model-index"} == {k: v for k, v in old_card.data.items() if k != "model-index"}
    assert "# keep me" in plan.files["README.md"].decode()


def test_merge_into_card_with_results_keeps_every_existing_result(store):
    res = apply_plan(store, plan_update(store, REPO, [new()]), create_pr=False)
    assert res.changed
    state = load_repo(store, REPO)
    assert [(r.dataset_id, r.value) for r in state.model_index] == [("cais/mmlu", 0.61), ("openai/gsm8k", 0.4), ("TIGER-Lab/MMLU-Pro", 0.42)]
    assert state.model_index[0].source_name == "Paper" and state.model_index[1].verify_token == "signed-by-hub"
    assert state.model_index[2].model_name == "my-model" and state.model_index[2].dataset_name == "MMLU-Pro"


def test_idempotent(store):
    apply_plan(store, plan_update(store, REPO, [new()]), create_pr=False)
    head = store.head(REPO)
    plan = plan_update(store, REPO, [new()])
    assert not plan.changed
    assert apply_plan(store, plan, create_pr=False).changed is False
    assert store.head(REPO) == head


def test_verified_result_is_not_touched(store):
    plan = plan_update(store, REPO, [EvalResult(dataset_id="openai/gsm8k", dataset_name="GSM8K", metric_type="exact_match", value=0.9, task_type="text-generation")])
    assert not plan.changed
    assert plan.counts()["skip-verified"] == 1


def test_pr_then_duplicate_pr_is_refused_unless_forced(store):
    first = apply_plan(store, plan_update(store, REPO, [new()], check_prs=True), create_pr=True)
    assert first.pr.num == 1
    again_plan = plan_update(store, REPO, [new()], check_prs=True)
    assert [p.num for p in again_plan.duplicate_prs] == [1]
    again = apply_plan(store, again_plan, create_pr=True)
    assert again.pr is None and again.extra["duplicate_of"][0]["num"] == 1
    assert [p.num for p in store.list_prs(REPO)] == [1]
    forced = apply_plan(store, plan_update(store, REPO, [new()], check_prs=True), create_pr=True, force=True)
    assert forced.pr.num == 2


def test_pr_with_different_content_is_not_a_duplicate(store):
    apply_plan(store, plan_update(store, REPO, [new()]), create_pr=True)
    plan = plan_update(store, REPO, [new(value=0.43)], check_prs=True)
    assert plan.duplicate_prs == []


def test_duplicates_judged_by_content_not_file_name(store):
    """A PR that proposes the same score in .eval_results counts as a duplicate of a model-index change too."""
    apply_plan(store, plan_update(store, REPO, [new(task_id="mmlu_pro")], fmt="eval-results"), create_pr=True)
    plan = plan_update(store, REPO, [new(task_id="mmlu_pro")], fmt="eval-results", check_prs=True)
    assert [p.num for p in plan.duplicate_prs] == [1]


def test_description_lists_results_and_sources(store):
    plan = plan_update(store, REPO, [new(source_name="Model card table", source_url="https://hf.co/org/my-model")])
    assert "- MMLU-Pro accuracy: 0.42 (added; source: [Model card table](https://hf.co/org/my-model)) in `README.md`" in plan.description()


def test_eval_results_format(store):
    plan = plan_update(store, REPO, [new(n_shot=5, stderr=0.01)], fmt="eval-results")
    assert list(plan.files) == [".eval_results/mmlu_pro.yaml"]
    assert yaml.safe_load(plan.files[".eval_results/mmlu_pro.yaml"]) == [
        {"dataset": {"id": "TIGER-Lab/MMLU-Pro", "task_id": "mmlu_pro"}, "value": 0.42, "notes": "5-shot"}]
    assert any("stderr" in n for n in plan.notices)
    apply_plan(store, plan, create_pr=False)
    assert not plan_update(store, REPO, [new(n_shot=5, stderr=0.01)], fmt="eval-results").changed


def test_refuses_to_rewrite_a_model_index_with_errors(tmp_path):
    st = LocalStore(tmp_path)
    bad = b"---\nmodel-index:\n- name: m\n  results:\n  - task: {type: t}\n    dataset: {name: D, type: d}\n    metrics: [{type: acc, value: oops}]\n---\n"
    st.create_repo(REPO, {"README.md": bad})
    with pytest.raises(ValidationError, match=r"model-index\[0\]\.results\[0\]\.metrics\[0\]\.value: not a number"):
        plan_update(st, REPO, [new()])


def test_conversion_drops_verify_tokens(store):
    rs, notes = converted(load_repo(store, REPO).model_index)
    assert all(r.verify_token is None for r in rs) and len(notes) == 1


def test_folder_store_apply_writes_file_atomically(tmp_path):
    f = tmp_path / "README.md"
    f.write_bytes(CARD)
    fs = FolderStore(f)
    plan = plan_update(fs, fs.repo, [new()])
    assert f.read_bytes() == CARD
    apply_plan(fs, plan, create_pr=False)
    assert b"MMLU-Pro" in f.read_bytes()
    assert [p.name for p in tmp_path.iterdir()] == ["README.md"]


def test_folder_store_detects_concurrent_edit(tmp_path):
    from evalcard.errors import PublishConflictError

    f = tmp_path / "README.md"
    f.write_bytes(CARD)
    fs = FolderStore(f)
    plan = plan_update(fs, fs.repo, [new()])
    f.write_bytes(CARD + b"edited\n")
    with pytest.raises(PublishConflictError):
        apply_plan(fs, plan, create_pr=False)
    assert f.read_bytes() == CARD + b"edited\n"


@pytest.mark.parametrize("fmt", ["model-index", "eval-results"])
def test_a_new_result_that_is_not_a_number_is_refused_not_written(store, fmt):
    with pytest.raises(ValidationError, match="not a number"):
        plan_update(store, REPO, [new(value="n/a")], fmt=fmt)
    assert store.read_file(REPO, "README.md") == CARD


def test_pr_description_names_the_source_kind(store):
    plan = plan_update(store, REPO, [new()])
    assert "source: readme-table" in plan.description()


# -- notices are printed once ----------------------------------------------------------------------------------------
TABLE_CARD = b"""---
license: mit
model-index:
- name: my-model
  results:
  - task: {type: text-generation}
    dataset: {name: MMLU (0-shot), type: cais/mmlu, args: {num_few_shot: 0}}
    metrics:
    - {type: accuracy, value: 40.1}
    source: {name: Model card, url: https://huggingface.co/org/my-model}
---
# my-model

| Benchmark | my-model |
|---|---|
| MMLU (5-shot) | 45.2 |
| GSM8K (8-shot, CoT) | 31.5 |
"""


@pytest.mark.parametrize("fmt", ["model-index", "eval-results"])
def test_cli_preview_prints_each_notice_once_and_names_once(tmp_path, fmt):
    from click.testing import CliRunner

    from evalcard.cli.main import cli

    st = LocalStore(tmp_path)
    st.create_repo(REPO, {"README.md": TABLE_CARD})
    if fmt == "eval-results":  # the 0-shot score in .eval_results too, so the 5-shot one lands beside it there
        zero = EvalResult(dataset_id="cais/mmlu", metric_type="accuracy", value=40.1, n_shot=0, source_name="Model card",
                          source_url="https://huggingface.co/org/my-model")
        apply_plan(st, plan_update(st, REPO, [zero], fmt=fmt), create_pr=False)
    r = CliRunner().invoke(cli, ["extract", str(REPO), "--store", str(tmp_path), "--model", "my-model", "--format", fmt])
    assert r.exit_code == 0, r.output
    notes = [line for line in r.output.splitlines() if line.startswith("note: ")]
    assert notes == ["note: MMLU (5-shot) accuracy added beside an existing result that differs in n_shot"], r.output
    summary = r.output.split("--- a/")[0]  # the summary lines, before the diff
    said = [line for line in summary.splitlines() if line.startswith(("+ ", "~ ", "note: "))]
    assert all(line.count("-shot") == 1 and line.lower().count("cot") <= 1 for line in said), said
    gsm = "+ GSM8K (8-shot, CoT) exact_match = 31.5" if fmt == "model-index" else "+ GSM8K (8-shot) (CoT) exact_match = 31.5"
    assert gsm in said
