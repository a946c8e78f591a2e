"""The run engine on tiny models built on the fly: every task, label alignment, sorted batching, resume after an
interruption, the cache, provenance."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")
datasets = pytest.importorskip("datasets")

import tinymodels as tm  # noqa: E402
from datasets import ClassLabel, Dataset, Features, Sequence, Value  # noqa: E402

from evalcard.errors import UsageError  # noqa: E402
from evalcard.run import engine  # noqa: E402
from evalcard.run.cache import RunCache  # noqa: E402
from evalcard.run.engine import evaluate  # noqa: E402
from evalcard.run.outcome import SOURCE_NAME, stale_results, staleness  # noqa: E402
from evalcard.run.spec import EvalSpec, MetricSpec  # noqa: E402
from evalcard.run.tasks import align_labels  # noqa: E402


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    root = tmp_path_factory.mktemp("models")
    return {
        "clf": tm.text_classifier(root / "clf", train=False),
        "nli": tm.text_classifier(root / "nli", labels=("entailment", "neutral", "contradiction"), train=False),
        "ner": tm.text_classifier(root / "ner", labels=("O", "B-PER", "I-PER", "B-LOC", "I-LOC"), train=False, head="tok"),
        "qa": tm.text_classifier(root / "qa", labels=("a", "b"), train=False, head="qa"),
        "t5": tm.t5_model(root / "t5"),
        "vit": tm.vit_model(root / "vit"),
    }


def spec(task_id, col_mapping=None, **kw):
    return EvalSpec(model="org/m", dataset="org/d", task_id=task_id, col_mapping=col_mapping or {}, batch_size=kw.pop("batch_size", 8), **kw)


def run(s, ds, model, **kw):
    kw.setdefault("progress", False)
    return evaluate(s, ds, str(model), **kw)


# -- every task --------------------------------------------------------------------------------------------------------


def test_text_classification_defaults_and_provenance(models):
    ds = tm.sentiment_dataset(40)
    out = run(spec("multi_class_classification", {"sentence": "text", "label": "target"}), ds, models["clf"])
    labels = [s.metric.label for s in out.scores]
    assert labels == ["Accuracy", "Precision Macro", "Precision Micro", "Precision Weighted", "Recall Macro",
                      "Recall Micro", "Recall Weighted", "F1 Macro", "F1 Micro", "F1 Weighted"]
    v = out.values()
    assert 0 <= v["Accuracy"] <= 1 and v["F1 Micro"] == pytest.approx(v["Accuracy"])
    p = out.provenance
    assert p["n_samples"] == 40 and p["seed"] == 0 and p["device"] == "cpu" and p["dtype"] == "float32"
    assert {"torch", "transformers", "datasets", "scikit-learn", "evalcard"} <= set(p["libraries"])
    assert p["spec"]["task_id"] == "multi_class_classification" and p["spec"]["metrics"][0]["type"] == "accuracy"
    assert p["date"].endswith("+00:00") and p["duration_s"] >= 0
    rs = out.to_results()
    assert len(rs) == 10
    r = rs[0]
    assert (r.source_kind, r.source_name) == ("run", SOURCE_NAME) and r.source_url
    assert r.verified is None and r.verify_token is None
    assert r.task_type == "text-classification" and r.dataset_split == "test" and r.scale == "fraction"
    assert r.stderr is not None and rs[7].metric_args == {"average": "macro"} and rs[7].metric_name == "F1 Macro"


def test_binary_roc_auc_and_column_defaults(models):
    ds = tm.sentiment_dataset(30).rename_column("sentence", "text")
    out = run(spec("binary_classification"), ds, models["clf"])  # text/label found by name
    assert [(m.type, m.args) for m in out.spec.metrics] == [("accuracy", {}), ("precision", {"average": "binary"}),
                                                            ("recall", {"average": "binary"}), ("f1", {"average": "binary"}), ("auc", {})]
    assert 0 <= out.values()["AUC"] <= 1


def test_nli_sentence_pairs(models):
    feats = Features({"premise": Value("string"), "hypothesis": Value("string"), "label": ClassLabel(names=["entailment", "neutral", "contradiction"])})
    ds = Dataset.from_dict({"premise": ["alice is in paris"] * 6, "hypothesis": ["alice lives in paris", "bob met carol", "alice is in rome"] * 2,
                            "label": [0, 1, 2] * 2}, features=feats)
    out = run(spec("natural_language_inference", {"premise": "text1", "hypothesis": "text2", "label": "target"},
                   metrics=[MetricSpec("accuracy"), MetricSpec("f1", args={"average": "macro"}), MetricSpec("matthews_correlation")]), ds, models["nli"])
    assert set(out.values()) == {"accuracy", "f1 (macro)", "matthews_correlation"}


def test_zero_shot_with_an_nli_model(models):
    ds = Dataset.from_dict({"text": ["the movie was good", "alice lives in paris", "bob met carol"],
                            "classes": [["good", "bad"], ["paris", "rome", "oslo"], ["alice", "carol"]], "label": ["good", "paris", "carol"]})
    out = run(spec("text_zero_shot_classification", {"text": "text", "classes": "classes", "label": "target"},
                   metrics=[MetricSpec("accuracy"), MetricSpec("loss")]), ds, models["nli"])
    assert 0 <= out.values()["accuracy"] <= 1 and out.values()["loss"] > 0
    with pytest.raises(UsageError, match="entailment"):
        run(spec("text_zero_shot_classification"), ds, models["clf"])
    # no classes column: the target's class names are the candidates
    out = run(spec("text_zero_shot_classification", {"sentence": "text", "label": "target"}), tm.sentiment_dataset(12), models["nli"])
    assert set(out.values()) == {"Accuracy", "Loss"}


def test_token_classification_entity_level(models):
    names = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    feats = Features({"tokens": Sequence(Value("string")), "ner_tags": Sequence(ClassLabel(names=names))})
    ds = Dataset.from_dict({"tokens": [["alice", "lives", "in", "paris"], ["bob", "met", "carol", "in", "rome", "."]],
                            "ner_tags": [[1, 0, 0, 3], [1, 0, 1, 0, 3, 0]]}, features=feats)
    out = run(spec("entity_extraction"), ds, models["ner"])  # tokens / ner_tags found by name
    assert set(out.values()) == {"Precision", "Recall", "F1", "Accuracy"}
    assert all(0 <= v <= 1 for v in out.values().values())


def test_extractive_qa(models):
    ds = Dataset.from_dict({"question": ["who lives in paris ?", "where is bob ?"], "context": ["alice lives in paris .", "bob is in rome ."],
                            "answers": [{"text": ["alice"], "answer_start": [0]}, {"text": ["rome", "in rome"], "answer_start": [10, 7]}]})
    out = run(spec("extractive_question_answering", {"question": "question", "context": "context", "answers.text": "answers.text",
                                                     "answers.answer_start": "answers.answer_start"}), ds, models["qa"])
    assert set(out.values()) == {"Exact Match", "F1"} and out.scores[0].stderr is not None


def test_summarization_and_translation_generate(models):
    ds = Dataset.from_dict({"document": ["alice lives in paris and bob met carol"] * 3, "summary": ["alice lives in paris"] * 3})
    out = run(spec("summarization"), ds, models["t5"], max_new_tokens=6)
    assert [m.type for m in out.spec.metrics] == ["rouge1", "rouge2", "rougeL", "rougeLsum"]
    assert out.provenance["task_settings"]["max_new_tokens"] == 6
    tr = Dataset.from_dict({"en": ["the movie was good", "bob met carol"], "fr": [["le film"], ["bob a vu carol", "bob voit carol"]]})
    out = run(spec("translation", {"en": "source", "fr": "target"}), tr, models["t5"], max_new_tokens=5)
    assert [m.type for m in out.spec.metrics] == ["sacrebleu"] and out.scores[0].scale == "percent"
    out = run(spec("translation", {"en": "source", "fr": "target"}, metrics=[MetricSpec("chrf")]), tr, models["t5"], max_new_tokens=5)
    assert 0 <= out.scores[0].value <= 100


def test_image_classification(models):
    from datasets import Image

    imgs, ys = tm.images(12)
    ds = Dataset.from_dict({"img": imgs, "label": ys}, features=Features({"img": Image(), "label": ClassLabel(names=["zero", "one", "two"])}))
    out = run(spec("image_multi_class_classification", {"img": "image", "label": "target"}), ds, models["vit"])
    assert len(out.scores) == 10 and out.n_samples == 12


# -- labels ------------------------------------------------------------------------------------------------------------


def test_align_labels_by_name_position_and_error():
    assert align_labels({0: "NEGATIVE", 1: "POSITIVE"}, ["positive", "negative"]) == {0: 1, 1: 0}
    assert align_labels({0: "LABEL_0", 1: "LABEL_1"}, ["neg", "pos"]) == {0: 0, 1: 1}
    assert align_labels({0: "a", 1: "b", 2: "c"}, ["c", "a"], allow_extra=True) == {0: 1, 1: -1, 2: 0}
    with pytest.raises(UsageError, match=r"cannot align labels: dataset label joy not among the model's"):
        align_labels({0: "neg", 1: "pos"}, ["neg", "joy"])


def test_label_order_of_dataset_differs_from_model(models):
    """The same examples with the dataset's class ids swapped score the same: labels are matched by name."""
    ds = tm.sentiment_dataset(30)
    swapped = Dataset.from_dict({"sentence": ds["sentence"], "label": [1 - y for y in ds["label"]]},
                                features=Features({"sentence": Value("string"), "label": ClassLabel(names=["positive", "negative"])}))
    s = spec("binary_classification", {"sentence": "text", "label": "target"}, metrics=[MetricSpec("accuracy")])
    assert run(s, ds, models["clf"]).values() == run(s, swapped, models["clf"]).values()
    strings = Dataset.from_dict({"sentence": ds["sentence"], "label": [["negative", "positive"][y] for y in ds["label"]]})
    assert run(s, strings, models["clf"]).values() == run(s, ds, models["clf"]).values()
    bad = ds.cast_column("label", ClassLabel(names=["sad", "happy"]))
    with pytest.raises(UsageError, match="cannot align"):
        run(s, bad, models["clf"])


def test_missing_column_and_unknown_metric_fail_before_running(models):
    ds = tm.sentiment_dataset(5).rename_column("sentence", "review")
    with pytest.raises(UsageError, match=r"no column for text; the dataset has columns \['label', 'review'\]") as e:
        run(spec("binary_classification"), ds, models["clf"])
    assert "--col-mapping" in e.value.hint
    with pytest.raises(UsageError, match="unknown metric 'bleurt'"):
        run(spec("binary_classification", {"review": "text"}, metrics=[MetricSpec("bleurt")]), ds, models["clf"])


# -- batching, cache, resume ---------------------------------------------------------------------------------------------


def _preds(entry):
    return {i: p for i, (p, r, s) in entry.done().items()}


def test_sorted_batches_give_the_same_predictions_as_dataset_order(models, tmp_path):
    ds = tm.sentiment_dataset(50, seed=3)
    s = spec("binary_classification", {"sentence": "text", "label": "target"}, batch_size=7)
    a = run(s, ds, models["clf"], cache=RunCache(tmp_path / "a"))
    b = run(s, ds, models["clf"], cache=RunCache(tmp_path / "b"), sort_by_length=False)
    assert a.values() == b.values()
    ea = next((tmp_path / "a").iterdir())
    eb = next((tmp_path / "b").iterdir())
    la = [json.loads(x) for x in (ea / "predictions.jsonl").read_text().splitlines()]
    lb = [json.loads(x) for x in (eb / "predictions.jsonl").read_text().splitlines()]
    assert la[0]["idx"] != list(range(7)) and lb[0]["idx"] == list(range(7))  # a really was sorted
    lens = [len(ds[i]["sentence"]) for i in la[0]["idx"]]
    assert min(lens) >= max(len(ds[i]["sentence"]) for i in la[-1]["idx"])  # longest first
    pa = {i: p for rec in la for i, p in zip(rec["idx"], rec["pred"])}
    pb = {i: p for rec in lb for i, p in zip(rec["idx"], rec["pred"])}
    assert pa == pb


def test_interrupted_run_resumes_and_finished_run_is_not_recomputed(models, tmp_path, monkeypatch):
    ds = tm.sentiment_dataset(40, seed=4)
    s = spec("binary_classification", {"sentence": "text", "label": "target"}, batch_size=8)
    cache = RunCache(tmp_path)
    calls = []
    armed = [True]
    real_forward = engine.get_task("binary_classification").forward

    def flaky(self, model, batch, ctx):
        calls.append(len(batch.inputs["input_ids"]))
        if armed[0] and len(calls) == 3:
            armed[0] = False
            raise KeyboardInterrupt
        return real_forward(model, batch, ctx)

    monkeypatch.setattr(type(engine.get_task("binary_classification")), "forward", flaky)
    with pytest.raises(KeyboardInterrupt):
        run(s, ds, models["clf"], cache=cache)
    (entry,) = list(tmp_path.iterdir())
    assert not list(entry.glob("result-*.json"))
    assert sum(1 for _ in (entry / "predictions.jsonl").open()) == 2  # two batches done before the interruption
    calls.clear()
    out = run(s, ds, models["clf"], cache=cache)
    assert calls == [8, 8, 8]  # only the three remaining batches ran
    assert out.status == "computed" and out.n_computed == 24 and out.provenance["resumed_examples"] == 16
    fresh = run(s, ds, models["clf"], cache=RunCache(tmp_path / "fresh"))
    assert fresh.values() == out.values()
    calls.clear()
    again = run(s, ds, models["clf"], cache=cache)
    assert calls == [] and again.status == "cached" and again.values() == out.values()
    assert again.provenance == out.provenance
    # another metric re-uses the predictions; so does another revision of the same files (the cache is keyed by
    # the model's files: tests/test_run_cache.py)
    more = run(spec("binary_classification", {"sentence": "text", "label": "target"}, batch_size=8,
                    metrics=[MetricSpec("matthews_correlation")]), ds, models["clf"], cache=cache)
    assert calls == [] and more.status == "computed" and more.n_computed == 0
    other = run(spec("binary_classification", {"sentence": "text", "label": "target"}, batch_size=8, model_revision="a" * 40), ds, models["clf"], cache=cache)
    assert calls == [] and other.status == "cached" and other.model_revision == "a" * 40


def test_truncated_last_line_is_ignored(models, tmp_path):
    ds = tm.sentiment_dataset(16)
    s = spec("binary_classification", {"sentence": "text", "label": "target"}, batch_size=8)
    cache = RunCache(tmp_path)
    first = run(s, ds, models["clf"], cache=cache)
    (entry,) = list(tmp_path.iterdir())
    for f in entry.glob("result-*.json"):
        f.unlink()
    lines = (entry / "predictions.jsonl").read_text().splitlines(keepends=True)
    (entry / "predictions.jsonl").write_text(lines[0] + lines[1][:10])
    out = run(s, ds, models["clf"], cache=cache)
    assert out.n_computed == 8 and out.values() == first.values()


def test_limit_and_loaded_objects(models):
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    ds = tm.sentiment_dataset(30)
    loaded = (AutoModelForSequenceClassification.from_pretrained(str(models["clf"])), AutoTokenizer.from_pretrained(str(models["clf"])))
    out = evaluate(spec("binary_classification", {"sentence": "text", "label": "target"}, limit=10), ds, loaded, progress=False)
    assert out.n_samples == 10 and out.model_revision is None


def test_staleness():
    from evalcard.results import EvalResult

    old = EvalResult("org/d", "accuracy", 0.5, model_revision="a" * 40)
    cur = EvalResult("org/d", "f1", 0.5, model_revision="b" * 40)
    short = EvalResult("org/d", "f1", 0.5, provenance={"model_revision": "b" * 7})
    none = EvalResult("org/d", "recall", 0.5)
    st = staleness([old, cur, short, none], "b" * 40)
    assert [s.status for s in st] == ["stale", "current", "current", "unknown"]
    assert stale_results([old, cur, none], "b" * 40) == [old]
