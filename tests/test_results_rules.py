"""The rules of results.py pinned down exactly: the lines users see for a merge (``Change.describe``), which fields an
update carries over from the old claim and which it never does, the change list a merge returns, and the labels.

Written against surviving mutants (see docs/mutation.md): each test asserts an exact, user-visible outcome."""

from __future__ import annotations

from evalcard.results import Change, EvalResult, merge


def R(**kw) -> EvalResult:
    base = dict(dataset_id="cais/mmlu", metric_type="accuracy", value=0.5, model_name="m", task_type="text-generation")
    base.update(kw)
    return EvalResult(**base)


# -- the diff lines of a merge ----------------------------------------------------------------------------------------
def test_a_score_measured_again_on_another_revision_says_so_with_the_short_revision():
    old = R(value=0.5, model_revision="0123456789abcdef")
    new = R(value=0.5, model_revision="fedcba9876543210")
    m = merge([old], [new])
    assert m.counts() == {"update": 1}
    assert m.change_lines() == ["~ cais/mmlu accuracy: 0.5 (measured again on model revision fedcba98)"]


def test_a_new_stderr_for_the_same_value_says_what_changed_not_a_value_to_itself():
    m = merge([R(value=0.5, model_revision="aaaa")], [R(value=0.5, stderr=0.012, model_revision="aaaa")])
    assert m.counts() == {"update": 1}
    assert m.change_lines() == ["~ cais/mmlu accuracy: 0.5 (stderr none -> 0.012)"]
    m = merge([R(value=0.5, stderr=0.02)], [R(value=0.5, stderr=0.012)])
    assert m.change_lines() == ["~ cais/mmlu accuracy: 0.5 (stderr 0.02 -> 0.012)"]
    m = merge([R(value=0.5, stderr=0.02)], [R(value=0.6, stderr=0.02)])
    assert m.change_lines() == ["~ cais/mmlu accuracy: 0.5 -> 0.6"]


def test_the_same_value_spelled_differently_on_another_revision_is_measured_again_not_a_change():
    m = merge([R(value=0.5, model_revision="aaaaaaaaaaaa")], [R(value="0.50", model_revision="bbbbbbbbbbbb")])
    assert m.change_lines() == ["~ cais/mmlu accuracy: 0.50 (measured again on model revision bbbbbbbb)"]


def test_a_new_value_on_another_revision_shows_old_and_new_value():
    m = merge([R(value=0.5, model_revision="aaaaaaaaaaaa")], [R(value=0.6, model_revision="bbbbbbbbbbbb")])
    assert m.change_lines() == ["~ cais/mmlu accuracy: 0.5 -> 0.6"]


def test_a_new_value_on_the_same_revision_shows_old_and_new_value():
    m = merge([R(value=0.5, model_revision="aaaaaaaaaaaa")], [R(value=0.6, model_revision="aaaaaaaaaaaa")])
    assert m.change_lines() == ["~ cais/mmlu accuracy: 0.5 -> 0.6"]


def test_a_skipped_verified_result_names_both_values_and_why():
    m = merge([R(value=0.4, verify_token="signed-by-hub")], [R(value=0.9)])
    assert m.change_lines() == ["! cais/mmlu accuracy: kept verified value 0.4, not 0.9 (it carries a verifyToken)"]


def test_a_duplicate_says_it_is_already_there_and_kept_results_say_nothing():
    m = merge([R(value=0.5), R(metric_type="f1", value=0.7)], [R(value=0.5), R(dataset_id="openai/gsm8k", value=0.3)])
    assert m.change_lines() == ["= cais/mmlu accuracy = 0.5 (already there)", "+ openai/gsm8k accuracy = 0.3"]
    assert m.diff_lines() == m.change_lines()


def test_a_kept_result_described_on_its_own_is_an_indented_line():
    assert Change("keep", None, old=R(value=0.5)).describe() == "  cais/mmlu accuracy = 0.5"


def test_merge_returns_one_change_per_result_naming_the_old_and_the_new():
    """``MergeResult.changes``: a line per existing result (kept or updated) in order, then one per new result."""
    kept, dup, upd = R(metric_type="f1", value=0.7), R(dataset_id="openai/gsm8k", value=0.3), R(value=0.5)
    dup_again, upd_new, added = dup.replace(), upd.replace(value=0.6), R(dataset_id="Rowan/hellaswag", value=0.8)
    m = merge([kept, dup, upd], [dup_again, upd_new, added])
    assert [(c.action, c.old, c.new) for c in m.changes] == [
        ("keep", kept, None),
        ("keep", dup, None),
        ("update", upd, upd_new),
        ("skip-duplicate", dup, dup_again),
        ("add", None, added),
    ]


def test_a_duplicate_line_uses_the_new_results_label():
    old = R(value=0.5)
    new = R(value=0.5, dataset_name="MMLU")
    m = merge([old], [new])
    assert m.counts() == {"keep": 1, "skip-duplicate": 1}
    assert m.change_lines() == ["= MMLU accuracy = 0.5 (already there)"]


def test_a_notice_names_the_model_when_results_differ_only_in_model_id():
    """identity() takes the model id where there is no model name; the notice says that field, not "value"."""
    old = EvalResult(dataset_id="cais/mmlu", metric_type="accuracy", value=0.5, model_id="org/a")
    m = merge([old], [old.replace(model_id="org/b", value=0.7)])
    assert m.counts() == {"keep": 1, "add": 1}
    assert m.notices == ["cais/mmlu accuracy added beside an existing result that differs in model_name"]


def test_a_notice_lists_every_identifying_field_that_differs_in_order():
    m = merge([R(n_shot=0, dataset_split="test")], [R(n_shot=5, dataset_split="validation", notes="CoT", value=0.7)])
    assert m.notices == ["cais/mmlu (5-shot) (CoT) accuracy added beside an existing result that differs in dataset_split, n_shot, notes"]


# -- what an update carries over ----------------------------------------------------------------------------------------
def test_an_update_never_takes_the_old_stderr_value_or_verification():
    """The stderr, the value and the verification belong to the old measurement: the new claim keeps its own, even
    when it says nothing (an unverified ``verified: true`` or an empty ``verifyToken`` is not copied either)."""
    old = R(value=0.5, stderr=0.01, verified=True, verify_token="", dataset_name="MMLU")
    m = merge([old], [R(value=0.6)])
    assert m.counts() == {"update": 1}
    (r,) = m.results
    assert (r.value, r.stderr, r.verified, r.verify_token, r.dataset_name) == (0.6, None, None, None, "MMLU")


def test_an_update_without_a_value_does_not_take_the_old_value():
    m = merge([R(value=0.5)], [R(value=None)])
    assert [r.value for r in m.results] == [None]
    assert m.change_lines() == ["~ cais/mmlu accuracy: 0.5 -> None"]


# -- labels -------------------------------------------------------------------------------------------------------------
def test_label_names_the_config_unless_the_name_says_it():
    assert R(dataset_config="abstract_algebra").label() == "cais/mmlu [abstract_algebra] accuracy"
    assert R(dataset_id="allenai/ai2_arc", dataset_name="ARC-Challenge", dataset_config="ARC-Challenge",
             metric_type="acc_norm").label() == "ARC-Challenge acc_norm"


def test_label_lists_every_note_the_name_does_not_say():
    assert R(dataset_id="openai/gsm8k", dataset_name="GSM8K", n_shot=8, notes="CoT, tools").label() == "GSM8K (8-shot) (CoT, tools) accuracy"
    assert R(dataset_id="openai/gsm8k", dataset_name="GSM8K (cot)", notes="CoT").label() == "GSM8K (cot) accuracy"


def test_label_does_not_repeat_a_zero_shot_the_name_says_in_any_spelling():
    for name in ("MMLU (0-shot)", "MMLU (Zero-Shot)", "MMLU 0 SHOT"):
        assert R(dataset_name=name, n_shot=0).label() == f"{name} accuracy", name
    assert R(dataset_name="MMLU (5-SHOT)", n_shot=5).label() == "MMLU (5-SHOT) accuracy"
    assert R(dataset_name="MMLU (25-shot)", n_shot=5).label() == "MMLU (25-shot) (5-shot) accuracy"


# -- merge: every new result is looked at, each line says what the card had ---------------------------------------------
def test_results_after_an_update_are_still_merged():
    gsm8k = R(dataset_id="openai/gsm8k", value=0.3)
    m = merge([R(value=0.5)], [R(value=0.6), gsm8k])
    assert m.change_lines() == ["~ cais/mmlu accuracy: 0.5 -> 0.6", "+ openai/gsm8k accuracy = 0.3"]
    assert [r.value for r in m.results] == [0.6, 0.3]


def test_a_new_result_beside_two_similar_ones_gets_one_notice():
    m = merge([R(n_shot=0), R(n_shot=3, value=0.55)], [R(n_shot=5, value=0.7)])
    assert m.notices == ["cais/mmlu (5-shot) accuracy added beside an existing result that differs in n_shot"]


def test_two_new_values_for_one_new_claim_are_one_addition_of_the_last():
    gsm8k = R(dataset_id="openai/gsm8k", value=0.3)
    m = merge([R(value=0.5)], [R(value=0.5), gsm8k, gsm8k.replace(value=0.4)])
    assert [r.value for r in m.results] == [0.5, 0.4]
    assert m.change_lines() == ["= cais/mmlu accuracy = 0.5 (already there)", "+ openai/gsm8k accuracy = 0.4"]
    assert m.counts() == {"keep": 1, "skip-duplicate": 1, "add": 1}


def test_two_new_values_for_a_claim_on_the_card_change_it_from_the_cards_value():
    m = merge([R(value=0.5)], [R(value=0.6), R(value=0.7)])
    assert [r.value for r in m.results] == [0.7]
    assert m.change_lines() == ["~ cais/mmlu accuracy: 0.5 -> 0.7"]


def test_another_stderr_is_another_content_and_updates():
    m = merge([R(stderr=0.01)], [R(stderr=0.02)])
    assert m.counts() == {"update": 1} and m.results[0].stderr == 0.02


def test_two_different_values_that_are_not_numbers_are_not_duplicates():
    m = merge([R(value="n/a")], [R(value="pending")])
    assert m.change_lines() == ["~ cais/mmlu accuracy: n/a -> pending"]


def test_to_float_reads_numbers_and_percentages_only():
    from evalcard.results import to_float

    assert [to_float(v) for v in ("71.2%", " 71.2 ", 71, "0.5")] == [71.2, 71.2, 71.0, 0.5]
    assert [to_float(v) for v in ("n/a", "16X", "inf", float("nan"), True, None)] == [None] * 6


def test_numeric_value_is_the_value_as_a_float():
    assert (R(value="71.2%").numeric_value(), R(value=0.5).numeric_value(), R(value="n/a").numeric_value()) == (71.2, 0.5, None)
