"""Scores from the run engine against an independent reference, for every task family evalcard runs.

Each model has learned its synthetic task (trained for a second or so, once per session: tests/tinymodels.py), so a
scorer that takes the lowest class, swaps answer start and end, shifts label ids or averages the wrong way gives
clearly different numbers. The engine runs as ``evalcard run`` does (length-sorted, padded batches); the reference
is computed here another way: the model's own forward pass one example at a time (or a transformers pipeline), then
scikit-learn, seqeval, rouge-score, sacrebleu, or the SQuAD v1.1 formulas written out below.

Agreement is to the last digit: ``==`` where the same library gets the same inputs; ``math.isclose(rel_tol=1e-12)``
where only the order of a float sum differs (a mean computed as ``sum / n`` here and by numpy there). The one looser
comparison is for metrics of class *probabilities* (log loss): a padded batch and an example run alone give float32
logits that differ in their last bits (about 1e-7 relative), so those get ``rel_tol=1e-5``; the same metric on
probabilities from identical inputs (one batch, dataset order) is then checked to 1e-12.
"""

from __future__ import annotations

import math
import os
import re
import statistics
import string
from collections import Counter
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")
pytest.importorskip("datasets")
sklearn_metrics = pytest.importorskip("sklearn.metrics")
seqeval_metrics = pytest.importorskip("seqeval.metrics")
rouge_scorer = pytest.importorskip("rouge_score.rouge_scorer")
sacrebleu = pytest.importorskip("sacrebleu")

import tinymodels as tm  # noqa: E402
from datasets import ClassLabel, Dataset, Features, Image, Sequence, Value  # noqa: E402
from transformers import AutoConfig  # noqa: E402

from evalcard.run.engine import evaluate  # noqa: E402
from evalcard.run.spec import EvalSpec, MetricSpec  # noqa: E402

EXACT = 1e-12  # float sums in another order
FLOAT32 = 1e-5  # probabilities of a padded batch vs. of one example alone

#: float32 probabilities (as evalcard keeps them) sum to 1 only to about 1e-7; scikit-learn says so, and uses them as given
pytestmark = pytest.mark.filterwarnings("ignore:The y_prob values do not sum to one:UserWarning")


@pytest.fixture(scope="module", autouse=True)
def _one_thread():
    """Tiny matrices: one thread is faster than two, and far faster on a machine busy with other tests."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    """Every trained model, built once per session (a few seconds in all). With ``EVALCARD_TEST_MODELS`` set to a
    folder, the models are kept there and reused by later sessions (``make mutate`` runs one session per mutant);
    a model folder counts as built once its ``.done`` marker is written."""
    kept = os.environ.get("EVALCARD_TEST_MODELS")
    root = Path(kept) if kept else tmp_path_factory.mktemp("trained")
    texts, ys = tm.sentiment3_texts(256, seed=1)
    texts2, ys2 = tm.sentiment_texts(256, seed=2)

    def once(name, build):
        path = root / name
        if not (path / ".done").exists():
            build(path)
            (path / ".done").write_text("")
        return path

    return {
        # class ids in an order of their own: the dataset's order is negative, neutral, positive; trained for a few
        # steps only, so that it still makes mistakes (macro, micro and weighted averages differ)
        "clf3": once("clf3", lambda p: tm.trained_classifier(p, ("positive", "negative", "neutral"), list(zip(texts, ys)), steps=50)),
        "clf2": once("clf2", lambda p: tm.trained_classifier(p, ("negative", "positive"), [(t, ("negative", "positive")[y]) for t, y in zip(texts2, ys2)], steps=40)),
        "nli": once("nli", tm.trained_nli),
        "ner": once("ner", lambda p: tm.trained_tagger(p, ("B-LOC", "O", "I-PER", "B-PER", "I-LOC"))),
        "qa": once("qa", tm.trained_qa),
        "t5": once("t5", tm.trained_t5),
        "vit3": once("vit3", lambda p: tm.trained_vit(p, labels=("two", "zero", "one"))),
        "vit2": once("vit2", lambda p: tm.trained_vit(p, labels=("one", "zero"), seed=1)),
        "vit-generic": once("vit-generic", lambda p: tm.trained_vit(p, labels=("LABEL_0", "LABEL_1", "LABEL_2"), seed=2)),
    }


def spec(task_id, col_mapping=None, metrics=(), **kw):
    return EvalSpec(model="org/m", dataset="org/d", task_id=task_id, col_mapping=col_mapping or {}, metrics=list(metrics),
                    batch_size=kw.pop("batch_size", 8), **kw)


def run(s, ds, model, **kw):
    kw.setdefault("progress", False)
    return evaluate(s, ds, str(model), **kw)


def m(t, **args):
    return MetricSpec(t, args=args)


def by_type(out) -> dict:
    """``(type, average or mode)`` -> value (a metric without either, named ``default``: ``(type, "default")``)."""
    return {(s.metric.type, s.metric.args.get("average") or s.metric.args.get("mode") or ("default" if s.metric.name == "default" else None)): s.value
            for s in out.scores}


def mean_stderr(xs):
    return statistics.stdev(xs) / math.sqrt(len(xs))


def _load(path, cls):
    import transformers

    model = getattr(transformers, cls).from_pretrained(str(path))
    return model.eval(), transformers.AutoTokenizer.from_pretrained(str(path))


# -- classification --------------------------------------------------------------------------------------------------


def classify_one_by_one(path, inputs, names):
    """The model's own forward pass on each example alone: (predicted dataset class id, class probabilities in the
    dataset's order), the model's classes matched to the dataset's by name."""
    model, tok = _load(path, "AutoModelForSequenceClassification")
    id2label = model.config.id2label
    preds, probs = [], []
    with torch.no_grad():
        for x in inputs:
            logits = model(**tok(*x, return_tensors="pt")).logits[0]
            p = torch.softmax(logits, -1).tolist()
            preds.append(names.index(id2label[int(logits.argmax())]))
            probs.append([p[next(i for i, n in id2label.items() if n == name)] for name in names])
    return preds, probs


def sklearn_label_metrics(refs, preds, labels, averages):
    out = {("accuracy", None): sklearn_metrics.accuracy_score(refs, preds),
           ("matthews_correlation", None): sklearn_metrics.matthews_corrcoef(refs, preds)}
    for avg in averages:
        kw = {"average": avg, "zero_division": 0}
        if avg == "binary":
            kw["pos_label"] = 1
        else:
            kw["labels"] = labels
        out[("precision", avg)] = sklearn_metrics.precision_score(refs, preds, **kw)
        out[("recall", avg)] = sklearn_metrics.recall_score(refs, preds, **kw)
        out[("f1", avg)] = sklearn_metrics.f1_score(refs, preds, **kw)
    return out


def assert_label_metrics(got, want):
    assert set(want) <= set(got)
    for k, v in want.items():
        assert got[k] == v, (k, got[k], v)


def three_class_dataset(n=60, seed=7):
    names = ["negative", "neutral", "positive"]
    texts, ys = tm.sentiment3_texts(n, seed=seed)
    feats = Features({"text": Value("string"), "label": ClassLabel(names=names)})
    return Dataset.from_dict({"text": texts, "label": [names.index(y) for y in ys]}, features=feats), names


CLASS_METRICS = [m("accuracy"), *(m(t, average=a) for t in ("precision", "recall", "f1") for a in ("macro", "micro", "weighted")),
                 m("matthews_correlation"), MetricSpec("f1", name="default"), m("roc_auc", multi_class="ovr"), m("loss")]


def test_multi_class_text_classification_matches_sklearn(trained):
    ds, names = three_class_dataset()
    out = run(spec("multi_class_classification", metrics=CLASS_METRICS), ds, trained["clf3"])
    refs = list(ds["label"])
    preds, probs = classify_one_by_one(trained["clf3"], [(t,) for t in ds["text"]], names)
    acc = sklearn_metrics.accuracy_score(refs, preds)
    assert acc > 0.85  # the model has learned (chance: about 0.5, the majority class)
    got = by_type(out)
    want = sklearn_label_metrics(refs, preds, [0, 1, 2], ("macro", "micro", "weighted"))
    assert len({want[("f1", a)] for a in ("macro", "micro", "weighted")}) == 3  # the averages tell themselves apart
    assert_label_metrics(got, want)
    assert got[("f1", "default")] == want[("f1", "macro")]  # no average named: macro, for more than two classes
    assert math.isclose(out.scores[0].stderr, mean_stderr([float(p == r) for p, r in zip(preds, refs)]), rel_tol=EXACT)
    assert got[("roc_auc", None)] == sklearn_metrics.roc_auc_score(refs, probs, multi_class="ovr", average="macro", labels=[0, 1, 2])
    assert math.isclose(got[("loss", None)], sklearn_metrics.log_loss(refs, probs, labels=[0, 1, 2]), rel_tol=FLOAT32)


def test_class_probabilities_of_one_batch_match_to_the_last_digit(trained):
    """One batch in dataset order: the engine's inputs are the reference's, so even the log loss agrees to 1e-12."""
    ds, names = three_class_dataset(24, seed=8)
    out = run(spec("multi_class_classification", metrics=[m("loss"), m("roc_auc", multi_class="ovr")], batch_size=64), ds,
              trained["clf3"], sort_by_length=False)
    model, tok = _load(trained["clf3"], "AutoModelForSequenceClassification")
    with torch.no_grad():
        p = torch.softmax(model(**tok(list(ds["text"]), padding=True, return_tensors="pt")).logits.float(), -1).tolist()
    order = [next(i for i, n in model.config.id2label.items() if n == name) for name in names]
    probs = [[row[i] for i in order] for row in p]
    got = by_type(out)
    assert math.isclose(got[("loss", None)], sklearn_metrics.log_loss(list(ds["label"]), probs, labels=[0, 1, 2]), rel_tol=EXACT)
    assert got[("roc_auc", None)] == sklearn_metrics.roc_auc_score(list(ds["label"]), probs, multi_class="ovr", labels=[0, 1, 2])


def test_binary_classification_defaults_match_sklearn(trained):
    """The dataset lists the classes in the other order than the model: positive is class 0, negative class 1 (the
    positive label of binary precision / recall / F1 and of AUC)."""
    names = ["positive", "negative"]
    texts, ys = tm.sentiment_texts(50, seed=11)
    ds = Dataset.from_dict({"sentence": texts, "label": [1 - y for y in ys]},
                           features=Features({"sentence": Value("string"), "label": ClassLabel(names=names)}))
    out = run(spec("binary_classification", {"sentence": "text", "label": "target"}, metrics=[]), ds, trained["clf2"])
    refs = list(ds["label"])
    preds, probs = classify_one_by_one(trained["clf2"], [(t,) for t in texts], names)
    assert sklearn_metrics.accuracy_score(refs, preds) > 0.8
    got = by_type(out)
    want = sklearn_label_metrics(refs, preds, [0, 1], ("binary",))
    del want[("matthews_correlation", None)]
    assert_label_metrics(got, want)
    assert got[("auc", None)] == sklearn_metrics.roc_auc_score([int(r == 1) for r in refs], [p[1] for p in probs])


def test_sentence_pair_classification_matches_sklearn(trained):
    names = ["contradiction", "entailment", "neutral"]
    exs = tm.nli_examples(60, seed=12)
    ds = Dataset.from_dict({"premise": [e[0] for e in exs], "hypothesis": [e[1] for e in exs], "label": [names.index(e[2]) for e in exs]},
                           features=Features({"premise": Value("string"), "hypothesis": Value("string"), "label": ClassLabel(names=names)}))
    out = run(spec("natural_language_inference", {"premise": "text1", "hypothesis": "text2", "label": "target"}, metrics=CLASS_METRICS[:-2]),
              ds, trained["nli"])
    refs = list(ds["label"])
    preds, _ = classify_one_by_one(trained["nli"], [(e[0], e[1]) for e in exs], names)
    assert sklearn_metrics.accuracy_score(refs, preds) > 0.8
    assert_label_metrics(by_type(out), sklearn_label_metrics(refs, preds, [0, 1, 2], ("macro", "micro", "weighted")))


# -- zero-shot classification -----------------------------------------------------------------------------------------


def zero_shot_pipeline(path):
    from transformers import pipeline

    return pipeline("zero-shot-classification", model=str(path), device="cpu")


def test_zero_shot_matches_the_transformers_pipeline(trained):
    """The same NLI model through transformers' zero-shot pipeline (same hypothesis template): the top class and
    the probability of the true one."""
    names = ["negative", "neutral", "positive"]
    texts, ys = tm.sentiment3_texts(30, seed=13, weights=(1, 1, 1), max_fill=4, literal=True)
    ds = Dataset.from_dict({"text": texts, "label": [names.index(y) for y in ys]},
                           features=Features({"text": Value("string"), "label": ClassLabel(names=names)}))
    out = run(spec("text_zero_shot_classification"), ds, trained["nli"])
    pipe = zero_shot_pipeline(trained["nli"])
    res = [pipe(t, candidate_labels=names, hypothesis_template="This example is {}.") for t in texts]
    preds = [names.index(r["labels"][0]) for r in res]
    p_true = [dict(zip(r["labels"], r["scores"]))[y] for r, y in zip(res, ys)]
    acc = sklearn_metrics.accuracy_score(list(ds["label"]), preds)
    assert acc > 0.7  # chance: 1/3
    got = by_type(out)
    assert got[("accuracy", None)] == acc
    assert math.isclose(got[("loss", None)], -sum(math.log(p) for p in p_true) / len(p_true), rel_tol=FLOAT32)


def test_zero_shot_with_per_example_classes(trained):
    """Candidates from a column, in an order and number of their own per example; the target is a class name."""
    import random

    rng = random.Random(14)
    texts, ys = tm.sentiment3_texts(20, seed=14, weights=(1, 1, 1), max_fill=4, literal=True)
    classes = []
    for y in ys:
        others = [c for c in ("negative", "neutral", "positive") if c != y]
        cs = [y] + rng.sample(others, rng.randint(1, 2))
        rng.shuffle(cs)
        classes.append(cs)
    ds = Dataset.from_dict({"text": texts, "candidate_labels": classes, "label": ys})
    out = run(spec("text_zero_shot_classification", metrics=[m("accuracy")]), ds, trained["nli"])
    pipe = zero_shot_pipeline(trained["nli"])
    preds = [pipe(t, candidate_labels=cs, hypothesis_template="This example is {}.")["labels"][0] for t, cs in zip(texts, classes)]
    acc = sklearn_metrics.accuracy_score(ys, preds)
    assert acc > 0.7
    assert out.values()["accuracy"] == acc


# -- token classification ---------------------------------------------------------------------------------------------


def tag_one_by_one(path, sentences):
    """Word tags from the model's forward pass on each sentence alone: a word takes the class of its first token."""
    model, tok = _load(path, "AutoModelForTokenClassification")
    out = []
    with torch.no_grad():
        for words in sentences:
            enc = tok(words, is_split_into_words=True, return_tensors="pt")
            ids = model(**enc).logits[0].argmax(-1).tolist()
            tags, seen = [], set()
            for t, w in enumerate(enc.word_ids(0)):
                if w is not None and w not in seen:
                    seen.add(w)
                    tags.append(model.config.id2label[ids[t]])
            assert len(tags) == len(words)
            out.append(tags)
    return out


def test_token_classification_matches_seqeval(trained):
    from seqeval.scheme import IOB2

    sents, tags = tm.ner_examples(50, seed=15)
    assert any(w.endswith(".") for s in sents for w in s)  # some words are two tokens
    ds = Dataset.from_dict({"tokens": sents, "ner_tags": [[tm.TAGS.index(t) for t in ts] for ts in tags]},
                           features=Features({"tokens": Sequence(Value("string")), "ner_tags": Sequence(ClassLabel(names=tm.TAGS))}))
    metrics = [m("precision"), m("recall"), m("f1"), m("accuracy"), m("f1", mode="strict"), m("f1", average="macro")]
    out = run(spec("entity_extraction", metrics=metrics), ds, trained["ner"])
    preds = tag_one_by_one(trained["ner"], sents)
    got = by_type(out)
    f1 = seqeval_metrics.f1_score(tags, preds)
    assert f1 > 0.8
    assert got[("precision", None)] == seqeval_metrics.precision_score(tags, preds)
    assert got[("recall", None)] == seqeval_metrics.recall_score(tags, preds)
    assert got[("f1", None)] == f1
    assert got[("accuracy", None)] == seqeval_metrics.accuracy_score(tags, preds)
    assert got[("f1", "strict")] == seqeval_metrics.f1_score(tags, preds, mode="strict", scheme=IOB2)
    assert got[("f1", "macro")] == seqeval_metrics.f1_score(tags, preds, average="macro")


# -- extractive QA ----------------------------------------------------------------------------------------------------


def squad_normalize(s):
    """The official SQuAD v1.1 evaluation script's normalize_answer."""

    def remove_articles(text):
        return re.sub(r"\b(a|an|the)\b", " ", text)

    def white_space_fix(text):
        return " ".join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return "".join(ch for ch in text if ch not in exclude)

    return white_space_fix(remove_articles(remove_punc(s.lower())))


def squad_f1(prediction, ground_truth):
    p, g = squad_normalize(prediction).split(), squad_normalize(ground_truth).split()
    common = Counter(p) & Counter(g)
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision, recall = 1.0 * num_same / len(p), 1.0 * num_same / len(g)
    return (2 * precision * recall) / (precision + recall)


def squad_em(prediction, ground_truth):
    return float(squad_normalize(prediction) == squad_normalize(ground_truth))


def answer_one_by_one(path, questions, contexts, max_answer_tokens=30):
    """For each question alone: the context span (start <= end < start + 30 tokens) with the highest start logit +
    end logit."""
    model, tok = _load(path, "AutoModelForQuestionAnswering")
    out = []
    with torch.no_grad():
        for q, c in zip(questions, contexts):
            enc = tok(q, c, return_offsets_mapping=True, return_tensors="pt")
            offsets = enc.pop("offset_mapping")[0].tolist()
            res = model(**enc)
            start, end = res.start_logits[0].tolist(), res.end_logits[0].tolist()
            ctx = [i for i, s in enumerate(enc.sequence_ids(0)) if s == 1]
            best = max(((start[i] + end[j], i, j) for i in ctx for j in ctx if i <= j < i + max_answer_tokens), key=lambda x: x[0])
            out.append(c[offsets[best[1]][0] : offsets[best[2]][1]])
    return out


def test_extractive_qa_matches_the_squad_formulas(trained):
    exs = tm.qa_examples(40, seed=16)
    golds = [[e["answer"]] + ([e["answer"].split()[1]] if k % 3 == 0 else []) for k, e in enumerate(exs)]  # some have two
    ds = Dataset.from_dict({"question": [e["question"] for e in exs], "context": [e["context"] for e in exs],
                            "answers": [{"text": g, "answer_start": [e["context"].index(a) for a in g]} for g, e in zip(golds, exs)]})
    out = run(spec("extractive_question_answering"), ds, trained["qa"])
    preds = answer_one_by_one(trained["qa"], ds["question"], ds["context"])
    em = [max(squad_em(p, g) for g in gs) for p, gs in zip(preds, golds)]
    f1 = [max(squad_f1(p, g) for g in gs) for p, gs in zip(preds, golds)]
    assert 0.5 < sum(em) / len(em) < sum(f1) / len(f1) < 1  # mostly right (a model that learned nothing: 0), some half right
    assert any(len(p.split()) == 2 for p in preds)
    got = by_type(out)
    assert math.isclose(got[("exact_match", None)], sum(em) / len(em), rel_tol=EXACT)
    assert math.isclose(got[("f1", None)], sum(f1) / len(f1), rel_tol=EXACT)
    assert math.isclose(out.scores[0].stderr, mean_stderr(em), rel_tol=EXACT)


# -- generation -------------------------------------------------------------------------------------------------------


def generate_one_by_one(path, texts, prefix, max_new_tokens):
    """Greedy generation of each text alone, with the prefix the model's config names for the task."""
    model, tok = _load(path, "AutoModelForSeq2SeqLM")
    out = []
    with torch.no_grad():
        for t in texts:
            ids = model.generate(**tok(prefix + t, return_tensors="pt"), max_new_tokens=max_new_tokens, num_beams=1, do_sample=False)
            out.append(tok.decode(ids[0], skip_special_tokens=True).strip())
    return out


def seq2seq_data(task, n, seed):
    prefix = {"summarization": "summarize: ", "translation": "translate: "}[task]
    pairs = [(a[len(prefix):], b) for a, b in tm.seq2seq_examples(n, seed) if a.startswith(prefix)]
    return [a for a, _ in pairs], [b for _, b in pairs]


def test_summarization_matches_rouge_score(trained):
    texts, summaries = seq2seq_data("summarization", 60, seed=17)
    ds = Dataset.from_dict({"document": texts, "summary": summaries})
    out = run(spec("summarization", metrics=[m("rouge1"), m("rouge2"), m("rougeL"), m("rougeLsum"), m("exact_match")]), ds, trained["t5"], max_new_tokens=8)
    prefix = AutoConfig.from_pretrained(str(trained["t5"])).task_specific_params["summarization"]["prefix"]
    preds = generate_one_by_one(trained["t5"], texts, prefix, 8)
    em = [float(p == s) for p, s in zip(preds, summaries)]
    assert sum(em) / len(em) > 0.6
    got = by_type(out)
    for kind in ("rouge1", "rouge2", "rougeL", "rougeLsum"):
        scorer = rouge_scorer.RougeScorer([kind])
        xs = [scorer.score(s, p)[kind].fmeasure for p, s in zip(preds, summaries)]
        assert math.isclose(got[(kind, None)], sum(xs) / len(xs), rel_tol=EXACT), kind
    assert math.isclose(got[("exact_match", None)], sum(em) / len(em), rel_tol=EXACT)


def test_translation_matches_sacrebleu(trained):
    texts, targets = seq2seq_data("translation", 60, seed=18)
    ds = Dataset.from_dict({"en": texts, "fr": targets})
    out = run(spec("translation", {"en": "source", "fr": "target"}, metrics=[m("bleu"), m("chrf")]), ds, trained["t5"], max_new_tokens=8)
    prefix = AutoConfig.from_pretrained(str(trained["t5"])).task_specific_params["translation_en_to_fr"]["prefix"]
    preds = generate_one_by_one(trained["t5"], texts, prefix, 8)
    bleu = sacrebleu.corpus_bleu(preds, [targets]).score
    assert bleu > 40
    got = by_type(out)
    assert got[("bleu", None)] == bleu
    assert got[("chrf", None)] == sacrebleu.corpus_chrf(preds, [targets]).score


# -- image classification ----------------------------------------------------------------------------------------------


def image_dataset(n, names, seed):
    imgs, ys = tm.images(n, n_classes=len(names), seed=seed)
    return Dataset.from_dict({"img": imgs, "label": ys}, features=Features({"img": Image(), "label": ClassLabel(names=list(names))}))


def pipeline_labels(path, images):
    from transformers import pipeline

    pipe = pipeline("image-classification", model=str(path), device="cpu")
    return [pipe(im, top_k=1)[0]["label"] for im in images]


@pytest.mark.parametrize("task_id, model, names", [("image_multi_class_classification", "vit3", tm.IMAGE_CLASSES),
                                                   ("image_binary_classification", "vit2", tm.IMAGE_CLASSES[:2])])
def test_image_classification_matches_the_transformers_pipeline(trained, task_id, model, names):
    ds = image_dataset(40, names, seed=19)
    averages = ("binary",) if len(names) == 2 else ("macro", "micro", "weighted")
    metrics = [m("accuracy"), m("matthews_correlation"), *(m(t, average=a) for t in ("precision", "recall", "f1") for a in averages)]
    out = run(spec(task_id, {"img": "image", "label": "target"}, metrics=metrics), ds, trained[model])
    preds = [list(names).index(label) for label in pipeline_labels(trained[model], ds["img"])]
    refs = list(ds["label"])
    assert sklearn_metrics.accuracy_score(refs, preds) > 0.7
    assert_label_metrics(by_type(out), sklearn_label_metrics(refs, preds, list(range(len(names))), averages))


def test_generic_model_labels_on_a_dataset_of_numbered_classes(trained):
    """A model saved without label names (``LABEL_0``..) on a dataset whose classes are numbers (digits): class
    ``LABEL_i`` is class ``i``. evalcard used to refuse: "cannot align labels"."""
    names = ["0", "1", "2"]
    ds = image_dataset(40, names, seed=20)
    out = run(spec("image_multi_class_classification", {"img": "image", "label": "target"}, metrics=[m("accuracy"), m("f1", average="macro")]),
              ds, trained["vit-generic"])
    preds = [int(label.split("_")[1]) for label in pipeline_labels(trained["vit-generic"], ds["img"])]
    refs = list(ds["label"])
    assert sklearn_metrics.accuracy_score(refs, preds) > 0.7
    assert_label_metrics(by_type(out), {("accuracy", None): sklearn_metrics.accuracy_score(refs, preds),
                                        ("f1", "macro"): sklearn_metrics.f1_score(refs, preds, average="macro", labels=[0, 1, 2], zero_division=0)})
    # the same digits in another order are still named by number
    shuffled = Dataset.from_dict({"img": ds["img"], "label": [["2", "0", "1"].index(str(y)) for y in refs]},
                                 features=Features({"img": Image(), "label": ClassLabel(names=["2", "0", "1"])}))
    again = run(spec("image_multi_class_classification", {"img": "image", "label": "target"}, metrics=[m("accuracy")]), shuffled, trained["vit-generic"])
    assert again.values()["accuracy"] == out.values()["accuracy"]
