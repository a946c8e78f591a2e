"""evalcard.run.spec: specs from train-eval-index, eval.yaml and features; metrics; overrides; checks. No I/O."""

import pytest

from evalcard.card.frontmatter import parse_card
from evalcard.errors import UsageError
from evalcard.run.spec import (
    TASK_IDS,
    TASK_ROLES,
    EvalSpec,
    MetricSpec,
    apply_overrides,
    check,
    default_metrics,
    flatten_col_mapping,
    normalize_task_id,
    parse_col_mapping,
    parse_metric,
    spec_from_eval_yaml,
    spec_from_features,
    specs_from_card,
)
from run_fixtures import IMDB_CARD

IMDB = {"train-eval-index": parse_card(IMDB_CARD).data["train-eval-index"]}  # the same card the store fixtures use

GLUE_DESC = {
    "configs": ["cola", "mrpc"],
    "splits": {"cola": ["train", "validation", "test"], "mrpc": ["train", "validation", "test"]},
    "columns": {"cola": {"sentence": "string", "label": "ClassLabel: unacceptable, acceptable"}, "mrpc": {"sentence1": "string", "sentence2": "string", "label": "ClassLabel"}},
}


def test_imdb_card_with_the_name_only_metric_bug():
    (s,) = specs_from_card(IMDB, "stanfordnlp/imdb")
    assert (s.config, s.task_id, s.task, s.split, s.origin) == ("plain_text", "binary_classification", "text-classification", "test", "train-eval-index")
    assert s.col_mapping == {"text": "text", "label": "target"}
    # `- name: Accuracy` names the bare `- type: accuracy` before it: one accuracy metric, not two
    assert [(m.type, m.name, m.args) for m in s.metrics] == [("accuracy", "Accuracy", {}), ("f1", "F1 macro", {"average": "macro"})]


def test_name_only_metric_that_names_a_new_metric():
    card = {"train-eval-index": [{"config": "default", "task_id": "multi_class_classification", "col_mapping": {"t": "text", "l": "target"}, "metrics": [{"name": "Matthews Correlation"}, "f1"]}]}
    (s,) = specs_from_card(card, "x/y")
    assert [(m.type, m.args) for m in s.metrics] == [("matthews_correlation", {}), ("f1", {"average": "macro"})]
    assert s.split == "test"  # no splits: test


def test_nested_qa_col_mapping_is_flattened():
    card = {
        "train-eval-index": [
            {
                "config": "default",
                "task": "question-answering",
                "task_id": "extractive_question_answering",
                "splits": {"eval_split": "validation"},
                "col_mapping": {"question": "question", "context": "context", "answers": {"text": "text", "answer_start": "answer_start"}},
                "metrics": [{"type": "squad", "name": "SQuAD"}],
            }
        ]
    }
    (s,) = specs_from_card(card, "rajpurkar/squad")
    assert s.col_mapping == {"question": "question", "context": "context", "answers.text": "answers.text", "answers.answer_start": "answers.answer_start"}
    assert s.metrics[0].type == "squad" and s.split == "validation"
    # the Hub's old hyphen spelling
    assert flatten_col_mapping({"answers-text": "answers-text"}) == {"answers.text": "answers.text"}
    # an answers column under another name still fills the QA roles
    assert flatten_col_mapping({"answer": {"text": "text", "answer_start": "answer_start"}}) == {"answer.text": "answers.text", "answer.answer_start": "answers.answer_start"}


def test_glue_like_card_several_entries_and_inference():
    card = {
        "train-eval-index": [
            {"config": "cola", "task": "text-classification", "task_id": "binary_classification", "splits": {"train_split": "train", "eval_split": "validation"}, "col_mapping": {"sentence": "text", "label": "target"}},
            {"config": "mrpc", "task": "text-classification", "splits": {"eval_split": "validation"}, "col_mapping": {"sentence1": "text1", "sentence2": "text2", "label": "target"}},
            "junk",
        ]
    }
    cola, mrpc = specs_from_card(card, "nyu-mll/glue")
    assert cola.task_id == "binary_classification" and [m.type for m in cola.metrics] == ["accuracy", "precision", "recall", "f1", "auc"]
    assert mrpc.task_id == "natural_language_inference"  # no task_id: inferred from the roles
    assert specs_from_card({}, "x") == [] and specs_from_card(None, "x") == []
    # a single mapping instead of a list
    assert len(specs_from_card({"train-eval-index": card["train-eval-index"][0]}, "g")) == 1


def test_default_metrics_per_task():
    for tid in TASK_IDS:
        assert default_metrics(tid), tid
    assert [m.label for m in default_metrics("binary_classification")] == ["Accuracy", "Precision", "Recall", "F1", "AUC"]
    multi = default_metrics("multi_class_classification")
    assert [m.name for m in multi][:4] == ["Accuracy", "Precision Macro", "Precision Micro", "Precision Weighted"] and len(multi) == 10
    assert [m.type for m in default_metrics("extractive_question_answering")] == ["exact_match", "f1"]
    assert [m.type for m in default_metrics("summarization")] == ["rouge1", "rouge2", "rougeL", "rougeLsum"]
    assert [m.type for m in default_metrics("entity_extraction")] == ["precision", "recall", "f1", "accuracy"]
    assert [m.type for m in default_metrics("translation")] == ["sacrebleu"]
    assert default_metrics("nope") == []


@pytest.mark.parametrize(
    "text,expected",
    [
        ("accuracy", ("accuracy", {}, "Accuracy")),
        ("f1:macro", ("f1", {"average": "macro"}, "F1 Macro")),
        ("precision:weighted", ("precision", {"average": "weighted"}, "Precision Weighted")),
        ("matthews_correlation", ("matthews_correlation", {}, "Matthews Correlation")),
        ("mcc", ("matthews_correlation", {}, "Matthews Correlation")),
        ("MCC", ("matthews_correlation", {}, "Matthews Correlation")),
        ("roc_auc", ("auc", {}, "AUC")),
        ("f1:average=micro,pos_label=1", ("f1", {"average": "micro", "pos_label": 1}, "F1 Micro")),
        ("rougeL", ("rougeL", {}, "ROUGE-L")),
        ("exact-match", ("exact_match", {}, "Exact Match")),
    ],
)
def test_parse_metric(text, expected):
    m = parse_metric(text)
    assert (m.type, m.args, m.name) == expected


def test_parse_metric_dicts_tasks_and_strictness():
    assert parse_metric({"type": "f1", "name": "F1 macro", "args": {"average": "macro"}}) == MetricSpec("f1", "F1 macro", {"average": "macro"})
    assert parse_metric({"name": "Accuracy"}).type == "accuracy"
    assert parse_metric("f1", task_id="binary_classification").args == {"average": "binary"}
    assert parse_metric("recall", task_id="nli").args == {"average": "macro"}
    assert parse_metric("f1", task_id="entity_extraction").args == {}
    assert parse_metric("cuad").type == "cuad"  # lenient by default (cards name all sorts of metrics)
    with pytest.raises(UsageError) as e:
        parse_metric("acurracy", strict=True)
    assert "Known metrics" in e.value.hint and "matthews_correlation" in e.value.hint
    with pytest.raises(UsageError):
        parse_metric("f1:mean", strict=True)
    with pytest.raises(UsageError):
        parse_metric({"args": {}})


def test_normalize_task_id_and_col_mapping():
    assert normalize_task_id("nli") == "natural_language_inference"
    assert normalize_task_id("NER") == "entity_extraction"
    assert normalize_task_id("question-answering") == "extractive_question_answering"
    assert normalize_task_id("binary_classification") == "binary_classification"
    assert parse_col_mapping(["sentence=text", "label=target,idx=classes"]) == {"sentence": "text", "label": "target", "idx": "classes"}
    with pytest.raises(UsageError):
        parse_col_mapping(["sentence"])


def _f(**cols):
    from datasets import Features

    return Features(cols)


def test_spec_from_features_every_task():
    from datasets import ClassLabel, Image, Sequence, Value

    s = Value("string")
    sp = spec_from_features(_f(text=s, label=ClassLabel(names=["neg", "pos"])), "imdb")
    assert (sp.task_id, sp.col_mapping, sp.origin) == ("binary_classification", {"text": "text", "label": "target"}, "features")
    assert spec_from_features(_f(id=s, text=s, label=ClassLabel(names=["neg", "pos"]), sample_id=s), "x").col_mapping == {"text": "text", "label": "target"}
    sp = spec_from_features(_f(text=s, label=ClassLabel(names=["a", "b", "c"])), "emotion", config="split", split="validation")
    assert (sp.task_id, sp.config, sp.split) == ("multi_class_classification", "split", "validation")
    sp = spec_from_features(_f(premise=s, hypothesis=s, label=ClassLabel(names=["e", "n", "c"]), idx=Value("int32")), "mnli")
    assert (sp.task_id, sp.col_mapping) == ("natural_language_inference", {"premise": "text1", "hypothesis": "text2", "label": "target"})
    sp = spec_from_features(_f(a=s, b=s, label=ClassLabel(names=["x", "y"])), "pairs")
    assert sp.task_id == "natural_language_inference" and sp.col_mapping == {"a": "text1", "b": "text2", "label": "target"}
    sp = spec_from_features(_f(id=s, tokens=Sequence(s), ner_tags=Sequence(ClassLabel(names=["O", "B-PER"]))), "ner")
    assert (sp.task_id, sp.col_mapping) == ("entity_extraction", {"tokens": "tokens", "ner_tags": "tags"})
    sp = spec_from_features(_f(id=s, context=s, question=s, answers=Sequence({"text": s, "answer_start": Value("int32")})), "squad")
    assert sp.task_id == "extractive_question_answering" and sp.col_mapping["answers.answer_start"] == "answers.answer_start"
    sp = spec_from_features(_f(image=Image(), label=ClassLabel(names=[str(i) for i in range(10)])), "digits")
    assert (sp.task_id, sp.col_mapping) == ("image_multi_class_classification", {"image": "image", "label": "target"})
    sp = spec_from_features(_f(img=Image(), labels=ClassLabel(names=["cat", "dog"])), "catsdogs")
    assert sp.task_id == "image_binary_classification"
    sp = spec_from_features(_f(document=s, summary=s, id=s), "xsum")
    assert (sp.task_id, sp.col_mapping) == ("summarization", {"document": "text", "summary": "target"})
    # an int label (jsonl with no dataset_info): multi-class, classes unknown
    assert spec_from_features(_f(sentence=s, label=Value("int64")), "plain").task_id == "multi_class_classification"
    # nothing to go on
    assert spec_from_features(_f(a=s, b=s, c=s), "x") is None
    assert spec_from_features(_f(a=s, b=s, c=s, label=ClassLabel(names=["x", "y"])), "x") is None


def test_spec_from_eval_yaml():
    text = "name: MC\nevaluation_framework: inspect-ai\ntasks:\n- id: mc\n  config: main\n  field_spec: {input: question, target: answer, choices: choices}\n- id: free\n  split: dev\n  field_spec: {input: q, target: a}\n"
    mc, free = spec_from_eval_yaml(text, "org/bench")
    assert (mc.task_id, mc.config, mc.split, mc.origin) == ("text_zero_shot_classification", "main", "test", "eval.yaml")
    assert mc.col_mapping == {"question": "text", "choices": "classes", "answer": "target"}
    assert [m.type for m in mc.metrics] == ["accuracy", "loss"]
    assert (free.task_id, free.split) == ("", "dev")
    with pytest.raises(UsageError, match="no task"):
        check(free, {"configs": ["default"], "splits": {"default": ["dev"]}, "columns": {}})
    assert spec_from_eval_yaml(None, "x") == [] and spec_from_eval_yaml("- a list", "x") == []


def _cola():
    return EvalSpec(model="m", dataset="nyu-mll/glue", task_id="binary_classification", config="cola", split="validation", col_mapping={"sentence": "text", "label": "target"}, metrics=default_metrics("binary_classification"))


def test_apply_overrides():
    base = _cola()
    s = apply_overrides(base, split="test", limit=10, batch_size=8, extra_metrics=["matthews_correlation"], model_revision="abc")
    assert (s.split, s.limit, s.batch_size, s.model_revision) == ("test", 10, 8, "abc")
    assert s.metrics[-1].type == "matthews_correlation" and len(s.metrics) == 6
    assert base.split == "validation" and len(base.metrics) == 5  # the original is untouched
    s = apply_overrides(base, metrics=["accuracy", "f1"], config=None)
    assert [(m.type, m.args) for m in s.metrics] == [("accuracy", {}), ("f1", {"average": "binary"})] and s.config == "cola"
    s = apply_overrides(base, task="multiclass")
    assert s.task_id == "multi_class_classification" and len(s.metrics) == 10  # new task, its defaults
    s = apply_overrides(base, col_mapping=["sent=text"])
    assert s.col_mapping == {"sent": "text", "label": "target"}  # the role moved to the new column
    s = apply_overrides(base, extra_metrics=["accuracy"])
    assert len(s.metrics) == 5  # no duplicate
    assert s.key() == base.key() and apply_overrides(base, limit=5).key() != base.key()
    with pytest.raises(UsageError, match="cannot override"):
        apply_overrides(base, colour="red")
    with pytest.raises(UsageError):
        apply_overrides(base, limit=0)
    with pytest.raises(UsageError):
        apply_overrides(base, metrics=["acurracy"])


def test_check_accepts_and_resolves_config():
    assert check(_cola(), GLUE_DESC).config == "cola"
    one = {"configs": ["plain_text"], "splits": {"plain_text": ["test"]}, "columns": {"plain_text": {"text": "string", "label": "ClassLabel"}}}
    s = EvalSpec(model="", dataset="imdb", task_id="binary_classification", config="default", split="test", col_mapping={"text": "text", "label": "target"}, metrics=default_metrics("binary_classification"))
    assert check(s, one).config == "plain_text"
    # nested QA columns are checked by their top-level column
    qa = {"configs": ["default"], "splits": {"default": ["validation"]}, "columns": {"default": {"question": "string", "context": "string", "answers": "{...}"}}}
    (q,) = specs_from_card({"train-eval-index": [{"task_id": "extractive_question_answering", "splits": {"eval_split": "validation"}, "col_mapping": {"question": "question", "context": "context", "answers": {"text": "text", "answer_start": "answer_start"}}}]}, "sq")
    assert check(q, qa).config == "default"


@pytest.mark.parametrize(
    "change,message,listed",
    [
        ({"split": "dev"}, "split 'dev' not found in config 'cola'", "cola: splits train, validation, test"),
        ({"config": "sst2"}, "config 'sst2' not found", "configs: cola, mrpc"),
        ({"config": None}, "several configs", "configs: cola, mrpc"),
        ({"col_mapping": {"text": "text", "label": "target"}}, "column 'text' not in cola/validation", "columns sentence (string)"),
        ({"col_mapping": {"sentence": "text"}}, "needs column for target", "label (ClassLabel"),
        ({"col_mapping": {"sentence": "txt", "label": "target"}}, "unknown role txt", "Roles:"),
        ({"task_id": "multi_label_classification"}, "not supported", "Supported tasks"),
        ({"metrics": []}, "no metrics", "--metric"),
    ],
)
def test_check_names_the_problem_and_lists_the_dataset(change, message, listed):
    import dataclasses

    s = dataclasses.replace(_cola(), **change)
    with pytest.raises(UsageError) as e:
        check(s, GLUE_DESC)
    assert message in e.value.message
    assert listed in e.value.hint


def test_task_roles_cover_every_task():
    assert set(TASK_ROLES) == set(TASK_IDS)
