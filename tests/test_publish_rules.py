"""The rules of publish.py pinned down exactly: what a plan shows (``--json``, the diff, the PR / commit description and
title), one score per benchmark task in ``.eval_results`` (which metric is kept, and the notice), and the duplicate-PR
check failing closed on a PR it cannot read.

Written against surviving mutants (see docs/mutation.md): each test asserts an exact, user-visible outcome."""

from __future__ import annotations

import pytest

from evalcard.benchmarks import load_registry
from evalcard.errors import StoreError, ValidationError
from evalcard.publish import FileChange, apply_plan, converted, find_duplicate_prs, plan_update
from evalcard.results import EvalResult, merge
from evalcard.store.base import RepoRef
from evalcard.store.local import LocalStore

REPO = RepoRef("org/my-model")
PLAIN = b"---\nlicense: mit\n---\n# My model\n"
CARD = b"""---
license: mit
model-index:
- name: my-model
  results:
  - task:
      type: text-generation
    dataset:
      name: MMLU
      type: cais/mmlu
    metrics:
    - type: accuracy
      value: 0.61
---
# My model
"""
BROKEN_CARD = b"---\nlicense: mit\nmodel-index: [unclosed\n---\n# My model\n"
HEADER = "This change was prepared with [evalcard](https://pypi.org/project/evalcard/).\n\n"


def make_store(tmp_path, files):
    st = LocalStore(tmp_path / "store")
    st.create_repo(REPO, files)
    return st


def pro(**kw) -> EvalResult:
    base = dict(dataset_id="TIGER-Lab/MMLU-Pro", metric_type="accuracy", value=0.42)
    base.update(kw)
    return EvalResult(**base)


def gsm(**kw) -> EvalResult:
    base = dict(dataset_id="openai/gsm8k", metric_type="exact_match", value=0.71)
    base.update(kw)
    return EvalResult(**base)


def mmlu(**kw) -> EvalResult:
    base = dict(dataset_id="cais/mmlu", metric_type="accuracy", value=0.65, source_kind="lm-eval")
    base.update(kw)
    return EvalResult(**base)


PRO_FILE = """\
- dataset:
    id: TIGER-Lab/MMLU-Pro
    task_id: mmlu_pro
  value: 0.42
  source:
    url: https://arxiv.org/abs/1
    name: Paper
  notes: 5-shot
"""
GSM_FILE = """\
- dataset:
    id: openai/gsm8k
    task_id: default
  value: 0.71
"""


def two_new_files(st):
    return plan_update(st, REPO, [pro(n_shot=5, source_name="Paper", source_url="https://arxiv.org/abs/1"), gsm()], fmt="eval-results")


# -- what a plan shows ------------------------------------------------------------------------------------------------
def test_a_plan_writing_two_new_files_shows_both_whole_in_its_diff_counts_and_description(tmp_path):
    st = make_store(tmp_path, {"README.md": PLAIN})
    plan = two_new_files(st)
    assert list(plan.files) == [".eval_results/mmlu_pro.yaml", ".eval_results/gsm8k.yaml"]
    new_file = lambda path, text: f"--- a/{path}\n+++ b/{path}\n@@ -0,0 +1,{text.count(chr(10))} @@\n" + "".join(f"+{line}\n" for line in text.splitlines())  # noqa: E731
    assert plan.diff() == new_file(".eval_results/mmlu_pro.yaml", PRO_FILE) + new_file(".eval_results/gsm8k.yaml", GSM_FILE)
    assert plan.counts() == {"add": 2}
    assert plan.description() == HEADER + (
        "- MMLU-Pro (5-shot) accuracy: 0.42 (added; source: [Paper](https://arxiv.org/abs/1)) in `.eval_results/mmlu_pro.yaml`\n"
        "- GSM8K exact_match: 0.71 (added; source: unknown source) in `.eval_results/gsm8k.yaml`"
    )
    assert plan.to_dict() == {
        "repo": "org/my-model",
        "base": st.head(REPO),
        "format": "eval-results",
        "changed": True,
        "files": [".eval_results/mmlu_pro.yaml", ".eval_results/gsm8k.yaml"],
        "counts": {"add": 2},
        "summary": ["+ MMLU-Pro (5-shot) accuracy = 0.42", "+ GSM8K exact_match = 0.71"],
        "duplicate_prs": [],
        "unchecked_prs": [],
        "diff": plan.diff(),
    }


def test_an_update_of_an_existing_file_diffs_against_its_old_bytes_and_an_unchanged_file_is_reported_not_written(tmp_path):
    st = make_store(tmp_path, {"README.md": PLAIN})
    apply_plan(st, two_new_files(st), create_pr=False)
    # the unchanged file comes first: the file after it is still planned
    plan = plan_update(st, REPO, [gsm(), pro(n_shot=5, value=0.45, source_name="Paper", source_url="https://arxiv.org/abs/1")], fmt="eval-results")
    assert list(plan.files) == [".eval_results/mmlu_pro.yaml"]
    assert plan.diff() == (
        "--- a/.eval_results/mmlu_pro.yaml\n+++ b/.eval_results/mmlu_pro.yaml\n@@ -1,7 +1,7 @@\n"
        " - dataset:\n     id: TIGER-Lab/MMLU-Pro\n     task_id: mmlu_pro\n-  value: 0.42\n+  value: 0.45\n"
        "   source:\n     url: https://arxiv.org/abs/1\n     name: Paper\n"
    )
    assert plan.summary_lines() == ["~ MMLU-Pro (5-shot) accuracy: 0.42 -> 0.45", "= GSM8K exact_match = 0.71 (already there)"]
    assert plan.counts() == {"update": 1, "keep": 1, "skip-duplicate": 1}
    assert plan.description() == HEADER + (
        "- MMLU-Pro (5-shot) accuracy: 0.45 (changed from 0.42; source: [Paper](https://arxiv.org/abs/1)) in `.eval_results/mmlu_pro.yaml`"
    )


def test_the_model_index_diff_is_against_the_cards_bytes_and_the_description_lists_updates_and_adds(tmp_path):
    st = make_store(tmp_path, {"README.md": CARD})
    plan = plan_update(st, REPO, [mmlu(), pro(source_kind="readme-table")])
    assert plan.diff() == (
        "--- a/README.md\n+++ b/README.md\n@@ -10,6 +10,14 @@\n"
        "       type: cais/mmlu\n     metrics:\n     - type: accuracy\n-      value: 0.61\n+      value: 0.65\n"
        "+  - task:\n+      type: text-generation\n+    dataset:\n+      name: MMLU-Pro\n+      type: TIGER-Lab/MMLU-Pro\n"
        "+    metrics:\n+    - type: accuracy\n+      value: 0.42\n ---\n # My model\n"
    )
    assert plan.description() == HEADER + (
        "- MMLU accuracy: 0.65 (changed from 0.61; source: lm-eval) in `README.md`\n"
        "- MMLU-Pro accuracy: 0.42 (added; source: readme-table) in `README.md`"
    )


def test_a_repo_without_a_card_gets_one_holding_only_the_model_index(tmp_path):
    st = make_store(tmp_path, {"config.json": b"{}"})
    plan = plan_update(st, REPO, [pro()])
    card = (
        "---\nmodel-index:\n- name: org/my-model\n  results:\n  - task:\n      type: text-generation\n    dataset:\n"
        "      name: MMLU-Pro\n      type: TIGER-Lab/MMLU-Pro\n    metrics:\n    - type: accuracy\n      value: 0.42\n---\n"
    )
    assert plan.files == {"README.md": card.encode()}
    assert plan.diff() == "--- a/README.md\n+++ b/README.md\n@@ -0,0 +1,13 @@\n" + "".join(f"+{line}\n" for line in card.splitlines())


def test_a_file_diff_never_fails_on_bytes_that_are_not_utf8():
    m = merge([], [pro()])
    fc = FileChange(".eval_results/x.yaml", b"value: \xff\n", b"value: 0.42\n", m)
    assert fc.diff() == "--- a/.eval_results/x.yaml\n+++ b/.eval_results/x.yaml\n@@ -1 +1 @@\n-value: \ufffd\n+value: 0.42\n"
    fc = FileChange(".eval_results/x.yaml", b"value: 0.42\n", b"value: \xfe\n", m)
    assert fc.diff().endswith("-value: 0.42\n+value: \ufffd\n")


def test_a_card_whose_model_index_has_errors_is_refused_with_the_hint(tmp_path):
    bad = b"---\nmodel-index:\n- name: m\n  results:\n  - task: {type: t}\n    dataset: {name: D, type: d}\n    metrics: [{type: acc, value: oops}]\n---\n"
    st = make_store(tmp_path, {"README.md": bad})
    with pytest.raises(ValidationError) as ei:
        plan_update(st, REPO, [pro()])
    assert ei.value.hint == ("The card's existing model-index has problems that a rewrite would lose; fix them first "
                             "(see `evalcard validate`).")


def test_a_conversion_drops_the_verification_and_says_so():
    r = gsm(dataset_name="GSM8K", verified=True, verify_token="signed")
    (out,), notes = converted([r])
    assert (out.verified, out.verify_token, out.value) == (None, None, 0.71)
    assert notes == ["GSM8K exact_match: verifyToken not copied (it signs the original entry only)"]


def test_a_score_published_again_in_eval_results_with_its_model_revision_changes_nothing(tmp_path):
    """``.eval_results`` cannot hold the model revision (a notice says so); the same score published again on the same
    revision is already there, not "measured again" over identical bytes."""
    st = make_store(tmp_path, {"README.md": PLAIN})
    r = pro(model_revision="0123456789abcdef", source_kind="lm-eval")
    note = "MMLU-Pro accuracy: .eval_results has no field for model_revision (not written)"
    plan = plan_update(st, REPO, [r], fmt="eval-results")
    assert plan.notices == [note]
    apply_plan(st, plan, create_pr=False)
    again = plan_update(st, REPO, [r], fmt="eval-results")
    assert not again.changed and again.summary_lines() == ["= MMLU-Pro accuracy = 0.42 (already there)", f"note: {note}"]


def test_the_projected_result_keeps_evalcards_own_provenance(tmp_path):
    st = make_store(tmp_path, {"README.md": PLAIN})
    r = pro(source_kind="lm-eval", provenance={"lm_eval": "0.4.5"}, scale="fraction", higher_is_better=True, model_revision="abc123")
    for fmt in ("model-index", "eval-results"):
        (added,) = [c.new for c in plan_update(st, REPO, [r], fmt=fmt).changes[0].merge.changes if c.action == "add"]
        assert (added.model_id, added.source_kind, added.provenance, added.scale, added.higher_is_better) == (
            "org/my-model", "lm-eval", {"lm_eval": "0.4.5"}, "fraction", True), fmt


# -- .eval_results: one score per benchmark task ----------------------------------------------------------------------
def test_the_benchmarks_own_metric_is_kept_whichever_comes_first(tmp_path):
    st = make_store(tmp_path, {"README.md": PLAIN})
    other, primary = pro(metric_type="exact_match", value=0.40), pro(metric_type="accuracy", value=0.42)
    for order in ([other, primary], [primary, other]):
        plan = plan_update(st, REPO, order, fmt="eval-results")
        assert plan.notices == ["MMLU-Pro exact_match = 0.4 not written: .eval_results holds one score per benchmark task (kept accuracy)"]
        (results,) = [c.merge.results for c in plan.changes]
        assert [(x.value, x.metric_type) for x in results] == [(0.42, "accuracy")]


def test_without_the_benchmarks_metric_the_first_score_is_kept_and_later_results_still_written(tmp_path):
    st = make_store(tmp_path, {"README.md": PLAIN})
    plan = plan_update(st, REPO, [pro(metric_type="f1", value=0.3), pro(metric_type="exact_match", value=0.40), gsm()], fmt="eval-results")
    assert plan.notices == ["MMLU-Pro exact_match = 0.4 not written: .eval_results holds one score per benchmark task (kept f1)"]
    assert list(plan.files) == [".eval_results/mmlu_pro.yaml", ".eval_results/gsm8k.yaml"]
    assert [x.value for c in plan.changes for x in c.merge.results] == [0.3, 0.71]


def test_a_benchmark_the_registry_does_not_know_keeps_the_first_score(tmp_path):
    st = make_store(tmp_path, {"README.md": PLAIN})
    plan = plan_update(st, REPO, [EvalResult(dataset_id="acme/qa", metric_type="f1", value=0.5),
                                  EvalResult(dataset_id="acme/qa", metric_type="accuracy", value=0.6)], fmt="eval-results")
    assert plan.notices == ["acme/qa accuracy = 0.6 not written: .eval_results holds one score per benchmark task (kept f1)"]
    assert [x.value for c in plan.changes for x in c.merge.results] == [0.5]


def test_fields_eval_results_cannot_hold_are_listed_in_one_notice(tmp_path):
    st = make_store(tmp_path, {"README.md": PLAIN})
    plan = plan_update(st, REPO, [pro(stderr=0.01, metric_name="Accuracy")], fmt="eval-results")
    assert plan.notices == ["MMLU-Pro Accuracy: .eval_results has no field for metric_name, stderr (not written)"]


CUSTOM = {"benchmarks": {"acme_qa": {"name": "AcmeQA", "dataset_id": "acme/qa", "task_id": "main", "task_type": "question-answering",
                                     "metric": "f1"}}}


def test_a_custom_registry_decides_the_file_the_metric_read_back_and_the_kept_score(tmp_path):
    reg = load_registry().merged_with(CUSTOM)
    st = make_store(tmp_path, {"README.md": PLAIN})
    rs = [EvalResult(dataset_id="acme/qa", dataset_config="x", metric_type="accuracy", value=0.6),
          EvalResult(dataset_id="acme/qa", dataset_config="y", metric_type="f1", value=0.5)]
    plan = plan_update(st, REPO, rs, fmt="eval-results", registry=reg)
    assert plan.notices == [
        "AcmeQA [x] accuracy: .eval_results has no field for dataset_config (not written)",
        "AcmeQA [x] accuracy = 0.6 not written: .eval_results holds one score per benchmark task (kept f1)",
        "AcmeQA [y] f1: .eval_results has no field for dataset_config (not written)",
    ]
    assert plan.files == {".eval_results/main.yaml": b"- dataset:\n    id: acme/qa\n    task_id: main\n  value: 0.5\n"}
    apply_plan(st, plan, create_pr=False)
    again = plan_update(st, REPO, [rs[1]], fmt="eval-results", registry=reg)
    assert not again.changed and again.summary_lines() == [
        "= AcmeQA f1 = 0.5 (already there)", "note: AcmeQA [y] f1: .eval_results has no field for dataset_config (not written)"]


def test_a_custom_registry_finds_a_duplicate_pr_in_eval_results(tmp_path):
    reg = load_registry().merged_with(CUSTOM)
    st = make_store(tmp_path, {"README.md": PLAIN})
    r = EvalResult(dataset_id="acme/qa", metric_type="f1", value=0.5)
    apply_plan(st, plan_update(st, REPO, [r], fmt="eval-results", registry=reg, check_prs=False), create_pr=True)
    plan = plan_update(st, REPO, [r], fmt="eval-results", registry=reg, check_prs=True)
    assert [p.num for p in plan.duplicate_prs] == [1]
    assert [p.num for p in find_duplicate_prs(st, REPO, plan, reg)] == [1]
    res = apply_plan(st, plan, create_pr=True)
    assert res.pr is None and [p.num for p in st.list_prs(REPO)] == [1]


# -- duplicate PRs: all, fail closed ----------------------------------------------------------------------------------
def test_find_duplicate_prs_stops_on_an_unreadable_pr_unless_forced(tmp_path):
    st = make_store(tmp_path, {"README.md": CARD})
    plan = plan_update(st, REPO, [pro()], check_prs=False)
    st.open_pr(REPO, {"README.md": BROKEN_CARD}, title="broken card")
    reg = load_registry()
    with pytest.raises(StoreError) as ei:
        find_duplicate_prs(st, REPO, plan, reg)
    assert ei.value.message == ("could not check whether open pull request #1 of org/my-model already proposes these results "
                                "(#1: README.md does not parse)")
    assert ei.value.hint == ("Retry when the pull request can be read (`evalcard prs org/my-model` lists them), or pass --force "
                             "to open one anyway.")
    assert find_duplicate_prs(st, REPO, plan, reg, force=True) == []


def test_every_unreadable_pr_is_named_with_its_reason_and_the_readable_ones_still_checked(tmp_path):
    st = make_store(tmp_path, {"README.md": CARD})
    st.open_pr(REPO, {"README.md": BROKEN_CARD, ".eval_results/gsm8k.yaml": b"- dataset: {id: openai/gsm8k\n"}, title="two broken files")
    st.open_pr(REPO, {"README.md": b"---\nmodel-index: oops\n---\n"}, title="model-index not a list")
    apply_plan(st, plan_update(st, REPO, [pro()], check_prs=False), create_pr=True, force=True)  # #3: the duplicate
    with pytest.raises(StoreError) as ei:
        plan_update(st, REPO, [pro()])
    assert ei.value.message == (
        "could not check whether open pull request #1, #2 of org/my-model already proposes these results "
        "(#1: .eval_results/gsm8k.yaml, README.md does not parse; #2: model-index does not parse)"
    )
    plan = plan_update(st, REPO, [pro()], force=True)
    assert [p.num for p in plan.duplicate_prs] == [3]
    assert [(d["num"], d["title"], d["reason"]) for d in plan.to_dict()["unchecked_prs"]] == [
        (1, "two broken files", ".eval_results/gsm8k.yaml, README.md does not parse"),
        (2, "model-index not a list", "model-index does not parse"),
    ]
    assert plan.to_dict()["duplicate_prs"] == [p.to_dict() for p in plan.duplicate_prs]


@pytest.mark.parametrize(
    "error, reason",
    [
        (OSError("disk gone\nsecond line"), "OSError: disk gone"),
        (StoreError("the store said no"), "the store said no"),
        (RuntimeError(""), "RuntimeError:"),
        (StoreError("  "), "StoreError"),
    ],
)
def test_a_pr_that_raises_when_read_is_unchecked_with_the_first_line_of_why(tmp_path, monkeypatch, error, reason):
    st = make_store(tmp_path, {"README.md": CARD})
    st.open_pr(REPO, {"README.md": CARD.replace(b"0.61", b"0.62")}, title="raises")
    apply_plan(st, plan_update(st, REPO, [pro()], check_prs=False), create_pr=True, force=True)  # #2: the duplicate
    read = st.read_file

    def failing(repo, path, revision=None):
        if revision == st.head(repo, "refs/pr/1"):
            raise error
        return read(repo, path, revision)

    monkeypatch.setattr(st, "read_file", failing)
    plan = plan_update(st, REPO, [pro()], force=True)
    assert [(p.num, why) for p, why in plan.unchecked_prs] == [(1, reason)]
    assert [p.num for p in plan.duplicate_prs] == [2]


def test_a_pr_proposing_exactly_the_plan_on_a_card_without_results_is_a_duplicate(tmp_path):
    st = make_store(tmp_path, {"README.md": PLAIN})
    apply_plan(st, plan_update(st, REPO, [pro()], check_prs=False), create_pr=True)
    assert [p.num for p in plan_update(st, REPO, [pro()]).duplicate_prs] == [1]


def test_a_pr_proposing_the_same_update_is_a_duplicate(tmp_path):
    st = make_store(tmp_path, {"README.md": CARD})
    apply_plan(st, plan_update(st, REPO, [mmlu()], check_prs=False), create_pr=True)
    plan = plan_update(st, REPO, [mmlu()])
    assert plan.counts() == {"update": 1} and [p.num for p in plan.duplicate_prs] == [1]


def test_a_skipped_verified_score_is_not_asked_of_a_duplicate_pr(tmp_path):
    verified = CARD.replace(b"      value: 0.61\n", b"      value: 0.61\n      verifyToken: signed\n")
    st = make_store(tmp_path, {"README.md": verified})
    apply_plan(st, plan_update(st, REPO, [pro()], check_prs=False), create_pr=True)
    plan = plan_update(st, REPO, [pro(), mmlu()])
    assert plan.counts() == {"keep": 1, "skip-verified": 1, "add": 1}
    assert [p.num for p in plan.duplicate_prs] == [1]


def test_a_closed_pr_is_not_a_duplicate(tmp_path):
    st = make_store(tmp_path, {"README.md": PLAIN})
    apply_plan(st, plan_update(st, REPO, [pro()], check_prs=False), create_pr=True)
    st.close_pr(REPO, 1)
    assert plan_update(st, REPO, [pro()]).duplicate_prs == []


# -- apply: titles, descriptions, the check under the lock ------------------------------------------------------------
def test_nothing_to_write_returns_the_base_unchanged(tmp_path):
    st = make_store(tmp_path, {"README.md": CARD})
    plan = plan_update(st, REPO, [mmlu(value=0.61)])
    res = apply_plan(st, plan, create_pr=True)
    assert (res.oid, res.changed, res.pr) == (plan.base, False, None)


def test_a_pr_is_titled_by_its_number_of_scores_and_described_by_the_plan(tmp_path):
    st = make_store(tmp_path, {"README.md": CARD})
    plan = plan_update(st, REPO, [mmlu(), pro()])
    res = apply_plan(st, plan, create_pr=True)
    (pr,) = st.list_prs(REPO)
    assert (res.pr.num, pr.title, pr.description) == (1, "Add evaluation results (2 scores) with evalcard", plan.description())
    plan = plan_update(st, REPO, [gsm()])
    apply_plan(st, plan, create_pr=True)
    assert st.list_prs(REPO)[1].title == "Add evaluation results (1 score) with evalcard"


def test_a_commit_carries_title_and_description(tmp_path):
    st = make_store(tmp_path, {"README.md": CARD})
    plan = plan_update(st, REPO, [mmlu(), pro()])
    res = apply_plan(st, plan, create_pr=False)
    message = st._git(REPO, "log", "-1", "--format=%B", res.oid).decode()
    assert message == f"Add evaluation results (2 scores) with evalcard\n\n{plan.description()}\n"


@pytest.mark.parametrize("create_pr", [False, True])
def test_a_plan_built_on_an_old_main_is_not_written(tmp_path, create_pr):
    from evalcard.errors import PublishConflictError

    st = make_store(tmp_path, {"README.md": CARD})
    plan = plan_update(st, REPO, [pro()])
    st.commit(REPO, {"README.md": CARD + b"edited\n"}, message="edit")
    with pytest.raises(PublishConflictError):
        apply_plan(st, plan, create_pr=create_pr)
    assert st.list_prs(REPO) == []


def test_a_pr_opened_after_planning_is_found_under_the_lock(tmp_path):
    st = make_store(tmp_path, {"README.md": CARD})
    plan = plan_update(st, REPO, [pro()])
    assert plan.duplicate_prs == []
    apply_plan(st, plan_update(st, REPO, [pro()]), create_pr=True)  # another writer, first
    apply_plan(st, plan_update(st, REPO, [pro()], check_prs=False), create_pr=True, force=True)  # and a second copy
    res = apply_plan(st, plan, create_pr=True)
    assert (res.pr, res.oid, res.changed) == (None, None, False)
    assert res.extra["message"] == "open pull request #1, #2 already proposes these results"
    assert [d["num"] for d in res.extra["duplicate_of"]] == [1, 2]
    assert [p.num for p in st.list_prs(REPO)] == [1, 2]


# -- what planning fills in and keeps ---------------------------------------------------------------------------------
def test_task_type_and_dataset_name_come_from_the_result_else_the_registry_else_defaults(tmp_path):
    st = make_store(tmp_path, {"README.md": PLAIN})
    rs = [EvalResult(dataset_id="allenai/ai2_arc", task_id="ARC-Easy", metric_type="acc_norm", value=0.8),  # by dataset and task
          EvalResult(dataset_id="my-org/imagenet-val", dataset_name="ImageNet-1k", metric_type="accuracy", value=0.7),  # by name
          EvalResult(dataset_id="rajpurkar/squad", metric_type="f1", value=0.9),
          EvalResult(dataset_id="rajpurkar/squad", dataset_config="plain_text", task_type="text-generation", metric_type="exact_match", value=0.8),
          EvalResult(dataset_id="acme/qa", metric_type="f1", value=0.5)]  # unknown
    plan = plan_update(st, REPO, rs)
    assert [(x.task_type, x.dataset_name, x.model_name) for x in plan.changes[0].merge.results] == [
        ("text-generation", "ARC-Easy", "org/my-model"),
        ("image-classification", "ImageNet-1k", "org/my-model"),
        ("question-answering", "SQuAD", "org/my-model"),
        ("text-generation", "SQuAD", "org/my-model"),
        ("text-generation", "acme/qa", "org/my-model"),
    ]


def test_a_score_measured_again_where_only_the_card_changed_keeps_the_cards_revision(tmp_path):
    st = make_store(tmp_path, {"README.md": CARD, "config.json": b"{}"})
    first = st.head(REPO)
    apply_plan(st, plan_update(st, REPO, [mmlu(model_revision=first)]), create_pr=False)
    assert b"model_revision: " + first.encode() in st.read_file(REPO, "README.md")
    card_only = st.head(REPO)  # only README.md changed since `first`
    plan = plan_update(st, REPO, [mmlu(model_revision=card_only)])
    assert not plan.changed and plan.summary_lines() == ["= MMLU accuracy = 0.65 (already there)"]
    st.commit(REPO, {"config.json": b'{"hidden_size": 8}'}, message="new weights")
    weights = st.head(REPO)
    plan = plan_update(st, REPO, [mmlu(model_revision=weights)])
    assert plan.summary_lines() == [f"~ MMLU accuracy: 0.65 (measured again on model revision {weights[:8]})"]
    # what counts is what changed between the two revisions measured, not up to main
    plan = plan_update(st, REPO, [mmlu(model_revision=card_only)])
    assert not plan.changed and plan.summary_lines() == ["= MMLU accuracy = 0.65 (already there)"]


def test_an_unknown_format_is_a_usage_error_naming_the_formats(tmp_path):
    from evalcard.errors import UsageError

    st = make_store(tmp_path, {"README.md": CARD})
    with pytest.raises(UsageError) as ei:
        plan_update(st, REPO, [pro()], fmt="csv")
    assert (ei.value.message, ei.value.hint) == ("unknown format 'csv'", "Use one of: model-index, eval-results.")


def test_an_eval_results_file_with_an_entry_that_does_not_read_is_refused_not_rewritten_without_it(tmp_path):
    """Like a card's model-index with errors: the entry that does not read would be dropped by the rewrite."""
    broken = (b"- dataset: {id: TIGER-Lab/MMLU-Pro, task_id: mmlu_pro}\n  value: 0.4\n  notes: 0-shot\n"
              b"- dataset: {id: TIGER-Lab/MMLU-Pro, task_id: mmlu_pro}\n  value: oops\n  notes: 3-shot\n")
    st = make_store(tmp_path, {"README.md": PLAIN, ".eval_results/mmlu_pro.yaml": broken})
    with pytest.raises(ValidationError) as ei:
        plan_update(st, REPO, [pro(n_shot=5)], fmt="eval-results")
    assert ei.value.problems == [".eval_results/mmlu_pro.yaml[1].value: not a number: 'oops'"]
    assert ei.value.hint == ".eval_results/mmlu_pro.yaml has problems that a rewrite would lose; fix them first (see `evalcard validate`)."
    # another file is written as before
    assert list(plan_update(st, REPO, [gsm()], fmt="eval-results").files) == [".eval_results/gsm8k.yaml"]


def test_the_kept_metric_is_the_one_of_the_results_own_benchmark_task(tmp_path):
    two_tasks = {"benchmarks": {
        "acme_main": {"name": "AcmeQA", "dataset_id": "acme/qa", "task_id": "main", "task_type": "question-answering", "metric": "f1"},
        "acme_hard": {"name": "AcmeQA Hard", "dataset_id": "acme/qa", "task_id": "hard", "task_type": "question-answering", "metric": "accuracy"},
    }}
    reg = load_registry().merged_with(two_tasks)
    st = make_store(tmp_path, {"README.md": PLAIN})
    rs = [EvalResult(dataset_id="acme/qa", task_id="hard", metric_type="f1", value=0.5),
          EvalResult(dataset_id="acme/qa", task_id="hard", metric_type="accuracy", value=0.6)]
    plan = plan_update(st, REPO, rs, fmt="eval-results", registry=reg)
    assert plan.notices == ["AcmeQA Hard f1 = 0.5 not written: .eval_results holds one score per benchmark task (kept accuracy)"]
    assert plan.files == {".eval_results/hard.yaml": b"- dataset:\n    id: acme/qa\n    task_id: hard\n  value: 0.6\n"}


def test_of_two_scores_in_the_benchmarks_own_metric_the_first_is_kept(tmp_path):
    st = make_store(tmp_path, {"README.md": PLAIN})
    rs = [gsm(dataset_name="GSM8K", metric_config="strict-match", value=0.75), gsm(dataset_name="GSM8K", metric_config="flexible-extract", value=0.79)]
    plan = plan_update(st, REPO, rs, fmt="eval-results")
    assert plan.notices == ["GSM8K exact_match: .eval_results has no field for metric_config (not written)",
                            "GSM8K exact_match = 0.79 not written: .eval_results holds one score per benchmark task (kept exact_match [strict-match])"]
    assert [x.value for c in plan.changes for x in c.merge.results] == [0.75]


def test_an_eval_results_file_that_does_not_parse_is_refused_not_overwritten(tmp_path):
    st = make_store(tmp_path, {"README.md": PLAIN, ".eval_results/mmlu_pro.yaml": b"- dataset: {id: TIGER-Lab/MMLU-Pro\n"})
    with pytest.raises(ValidationError) as ei:
        plan_update(st, REPO, [pro()], fmt="eval-results")
    assert [p.split(":")[0] for p in ei.value.problems] == [".eval_results/mmlu_pro.yaml"]
    assert ei.value.hint.startswith(".eval_results/mmlu_pro.yaml has problems that a rewrite would lose")


#: a result, and the same value differing in one field of what a PR proposes
PROPOSAL_CASES = {
    "task_type": (dict(task_type="text-generation"), dict(task_type="question-answering")),
    "dataset_id": (dict(), dict(dataset_id="cais/mmlu", dataset_name="MMLU-Pro")),
    "dataset_config": (dict(dataset_config="biology"), dict(dataset_config="physics")),
    "dataset_split": (dict(dataset_split="test"), dict(dataset_split="validation")),
    "metric_type": (dict(), dict(metric_type="acc_norm")),
    "metric_config": (dict(metric_config="strict-match"), dict(metric_config="flexible-extract")),
    "notes": (dict(notes="CoT"), dict(notes="tools")),
}


@pytest.mark.parametrize("field", list(PROPOSAL_CASES))
def test_a_pr_with_the_same_value_under_another_setting_is_not_a_duplicate(tmp_path, field):
    mine, theirs = PROPOSAL_CASES[field]
    st = make_store(tmp_path, {"README.md": PLAIN})
    apply_plan(st, plan_update(st, REPO, [pro(**{**mine, **theirs})], check_prs=False), create_pr=True)
    assert plan_update(st, REPO, [pro(**mine)]).duplicate_prs == [], field
    apply_plan(st, plan_update(st, REPO, [pro(**mine)], check_prs=False), create_pr=True, force=True)
    assert [p.num for p in plan_update(st, REPO, [pro(**mine)]).duplicate_prs] == [2], field


def test_a_pr_with_the_same_value_for_another_task_of_the_dataset_is_not_a_duplicate(tmp_path):
    st = make_store(tmp_path, {"README.md": PLAIN})
    arc = dict(dataset_id="allenai/ai2_arc", metric_type="acc_norm", value=0.8)
    apply_plan(st, plan_update(st, REPO, [EvalResult(task_id="ARC-Easy", **arc)], fmt="eval-results", check_prs=False), create_pr=True)
    assert plan_update(st, REPO, [EvalResult(task_id="ARC-Challenge", **arc)], fmt="eval-results").duplicate_prs == []
