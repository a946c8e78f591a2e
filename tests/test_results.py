import pytest

from evalcard.results import EvalResult, dedupe, merge


def R(**kw):
    base = dict(dataset_id="cais/mmlu", metric_type="accuracy", value=0.5, model_name="m", task_type="text-generation")
    base.update(kw)
    return EvalResult(**base)


def test_same_identity_replaces_value():
    m = merge([R(value=0.5)], [R(value=0.6)])
    assert [r.value for r in m.results] == [0.6]
    assert m.counts() == {"update": 1}
    assert m.diff_lines() == ["~ cais/mmlu accuracy: 0.5 -> 0.6"]


def test_update_keeps_what_the_new_result_does_not_say():
    old = R(value=0.5, dataset_name="MMLU", metric_args={"average": "macro"}, extra={"metric": {"custom": 1}})
    m = merge([old], [R(value=0.6)])
    (r,) = m.results
    assert (r.value, r.dataset_name, r.metric_args, r.extra) == (0.6, "MMLU", {"average": "macro"}, {"metric": {"custom": 1}})


def test_every_identifying_field_separates_results():
    base = R()
    variants = [
        R(model_name="other"), R(task_type="question-answering"), R(dataset_id="TIGER-Lab/MMLU-Pro"),
        R(dataset_config="abstract_algebra"), R(dataset_split="validation"), R(metric_type="f1"),
        R(n_shot=5), R(notes="CoT"), R(source_name="Artificial Analysis", source_url="https://artificialanalysis.ai"),
    ]
    for v in variants:
        m = merge([base], [v.replace(value=0.9)])
        assert [r.value for r in m.results] == [0.5, 0.9], v
        assert m.counts() == {"keep": 1, "add": 1}
        assert m.notices or v.dataset_id != base.dataset_id or v.metric_type != base.metric_type


def test_similar_result_is_added_with_a_notice_never_silently():
    m = merge([R(n_shot=0)], [R(n_shot=5, value=0.7)])
    assert len(m.results) == 2
    assert m.notices == ["cais/mmlu (5-shot) accuracy added beside an existing result that differs in n_shot"]


def test_verified_result_is_never_modified():
    old = R(value=0.5, verify_token="signed", verified=True)
    m = merge([old], [R(value=0.99)])
    assert m.results == [old]
    assert m.counts() == {"keep": 1, "skip-verified": 1}
    assert not m.changed


def test_exact_duplicates_removed_in_both_lists():
    a, b = R(), R(value=0.7, metric_type="f1")
    m = merge([a, a, b], [b, b])
    assert m.results == [a, b]
    assert not m.changed
    assert m.counts() == {"keep": 2, "skip-duplicate": 1}


def test_identity_ignores_case_and_whitespace_but_not_values():
    m = merge([R(dataset_id="cais/MMLU ")], [R(dataset_id="cais/mmlu", value="0.5")])
    assert not m.changed  # "0.5" and 0.5 are the same value


def test_dedupe_keeps_order():
    rs = [R(value=1), R(value=2, metric_type="f1"), R(value=1)]
    assert [r.value for r in dedupe(rs)] == [1, 2]


def test_to_dict_has_stable_keys():
    d = R(stderr=0.01).to_dict()
    assert d["dataset"] == "cais/mmlu" and d["metric"] == "accuracy" and d["value"] == 0.5 and d["stderr"] == 0.01


@pytest.mark.parametrize(
    "kw, label",
    [
        (dict(dataset_name="MMLU (5-shot)", n_shot=5), "MMLU (5-shot) accuracy"),
        (dict(dataset_name="MMLU 5 shot", n_shot=5), "MMLU 5 shot accuracy"),
        (dict(dataset_name="GSM8K (8-shot, CoT)", n_shot=8, notes="CoT"), "GSM8K (8-shot, CoT) accuracy"),
        (dict(dataset_name="ARC zero-shot", n_shot=0), "ARC zero-shot accuracy"),
        # what the name does not say is still said, and a name's number is not mistaken for another
        (dict(dataset_name="MMLU", n_shot=5, notes="CoT"), "MMLU (5-shot) (CoT) accuracy"),
        (dict(dataset_name="MMLU 25-shot", n_shot=5), "MMLU 25-shot (5-shot) accuracy"),
        (dict(dataset_name="MMLU (5-shot)", n_shot=0), "MMLU (5-shot) (0-shot) accuracy"),
        (dict(dataset_name="GSM8K CoT", n_shot=8, notes="CoT, maj@8"), "GSM8K CoT (8-shot) (maj@8) accuracy"),
        (dict(dataset_name="Cotton QA", notes="CoT"), "Cotton QA (CoT) accuracy"),
    ],
)
def test_label_says_each_setting_once(kw, label):
    assert R(**kw).label() == label


def test_notice_names_are_not_doubled():
    m = merge([R(dataset_name="MMLU (0-shot)", n_shot=0)], [R(dataset_name="MMLU (5-shot)", n_shot=5, value=0.7)])
    assert m.notices == ["MMLU (5-shot) accuracy added beside an existing result that differs in n_shot"]


def test_to_float_never_raises_on_numbers_beyond_a_float():
    from evalcard.formats.values import finite_number
    from evalcard.results import to_float

    assert finite_number is to_float  # one rule for every reader
    for v in (10**400, -(10**400), "1e400", float("inf"), float("nan"), True, None, [0.5], "0,5"):
        assert to_float(v) is None, v
    assert to_float("71.2%") == 71.2 and to_float(" 0.5 ") == 0.5 and to_float(3) == 3.0
