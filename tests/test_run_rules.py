"""Unit rules of the run tasks and metrics: exact predictions decoded from hand-made model outputs, exact inputs
prepared from rows, exact error messages, and metric values against the libraries called directly."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from evalcard.errors import UsageError  # noqa: E402
from evalcard.run import tasks as T  # noqa: E402

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def tok():
    import tinymodels

    return tinymodels.word_tokenizer()


def ctx_for(task, roles=None, **kw):
    roles = roles if roles is not None else {r: r for r in task.roles}
    kw.setdefault("processor", None)
    kw.setdefault("config", None)
    return T.Context(roles=roles, **kw)


def cfg(*names):
    return SimpleNamespace(id2label={i: n for i, n in enumerate(names)})


# -- labels -------------------------------------------------------------------------------------------------------------


def test_align_labels_without_dataset_names_keeps_model_ids():
    assert T.align_labels({0: "a", 2: "c", "1": "b"}, []) == {0: 0, 2: 2, 1: 1}


def test_align_labels_generic_names_align_by_number():
    assert T.align_labels({0: "LABEL_0", 1: "LABEL_1"}, ["1", "0"]) == {0: 1, 1: 0}


def test_align_labels_extra_model_labels_are_an_error_by_default():
    with pytest.raises(UsageError) as e:
        T.align_labels({0: "a", 1: "b", 2: "c"}, ["a", "b"])
    assert e.value.message == "cannot align labels: model label c not in the dataset"
    assert e.value.hint == (
        "model labels: 0=a, 1=b, 2=c; dataset labels: 0=a, 1=b. "
        "Evaluate a model trained for this label set, or fix the model's config id2label / the dataset's ClassLabel names."
    )
    assert T.align_labels({0: "a", 1: "b", 2: "c"}, ["a", "b"], allow_extra=True) == {0: 0, 1: 1, 2: -1}


def test_align_labels_named_model_and_numeric_dataset_classes():
    # named model labels never align by number: "neg"/"pos" are not "0"/"1"
    with pytest.raises(UsageError) as e:
        T.align_labels({0: "neg", 1: "pos"}, ["0", "1"])
    assert e.value.message == "cannot align labels: dataset labels 0, 1 not among the model's; model labels neg, pos not in the dataset"


# -- columns --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rows, column, expected",
    [
        ({"a": [1, 2]}, "a", [1, 2]),
        ({"answers": [{"text": ["x"]}, {"text": ["y", "z"]}]}, "answers.text", [["x"], ["y", "z"]]),
        ({"a": [{"b": {"c": 1}}, {"b": {"c": 2}}]}, "a.b.c", [1, 2]),
        # a list of dicts: the field of every item
        ({"answers": [[{"text": "x"}, {"text": "y"}]]}, "answers.text", [["x", "y"]]),
    ],
)
def test_get_path(rows, column, expected):
    assert T.get_path(rows, column) == expected


@pytest.mark.parametrize("column", ["nope", "nope.text", "a"])
def test_get_path_missing_column_names_the_column(column):
    with pytest.raises(KeyError) as e:
        T.get_path({"answers": [{"text": "x"}]}, column)
    assert e.value.args == (column,)


def test_role_columns_mapped_role_does_not_stop_the_lookup_of_the_others():
    task = T.TASKS["multi_class_classification"]
    assert T.role_columns(task, {"sentence": "text"}, ["sentence", "label"]) == {"text": "sentence", "target": "label"}


HINT_COLS = "Map columns to roles with --col-mapping COLUMN=ROLE (e.g. --col-mapping sentence=text --col-mapping label=target)."


@pytest.mark.parametrize(
    "task_id, mapping, columns, message",
    [
        ("multi_class_classification", {}, ["foo"],
         "multi_class_classification: no column for text, target; the dataset has columns ['foo']"),
        ("multi_class_classification", {"nope": "text"}, ["sentence", "label"],
         "multi_class_classification: column 'nope' (for text) is not in the dataset; the dataset has columns ['label', 'sentence']"),
        ("natural_language_inference", {"p": "text1", "q": "text2"}, ["foo"],
         "natural_language_inference: no column for target; column 'p' (for text1) is not in the dataset, "
         "column 'q' (for text2) is not in the dataset; the dataset has columns ['foo']"),
    ],
)
def test_role_columns_errors(task_id, mapping, columns, message):
    with pytest.raises(UsageError) as e:
        T.role_columns(T.TASKS[task_id], mapping, columns)
    assert e.value.message == message
    assert e.value.hint == HINT_COLS


# -- features -------------------------------------------------------------------------------------------------------------


class _NoGet:
    """A features object that answers ``in`` and ``[]`` but has no ``get``."""

    def __init__(self, d):
        self.d = d

    def __contains__(self, k):
        return k in self.d

    def __getitem__(self, k):
        return self.d[k]


def test_feature_lookup():
    from datasets import ClassLabel, Features, List, Value

    lab = ClassLabel(names=["neg", "pos"])
    tags = ClassLabel(names=["O", "B-PER"])
    feats = Features({
        "label": lab,
        "meta": {"inner": {"label": lab}},
        "ents": List({"tag": tags, "word": Value("string")}),
    })
    assert T._feature(None, "label") is None
    assert T._feature(feats, "label") is lab
    assert T._feature(feats, "meta.inner.label") is lab
    assert T._feature(feats, "ents.tag") is tags
    assert T._feature(feats, "nope") is None
    assert T._feature(feats, "nope.x") is None
    # a field of a feature that has none
    assert T._feature(feats, "label.x") is None
    assert T._feature(_NoGet({"label": lab}), "label") is lab
    assert T._feature(_NoGet({"label": lab}), "meta.label") is None


def test_classification_setup_reads_class_names_of_a_nested_column():
    from datasets import ClassLabel, Features

    task = T.TASKS["multi_class_classification"]
    ctx = ctx_for(task, {"text": "text", "target": "meta.label"}, config=cfg("pos", "neg"))
    task.setup(ctx, Features({"meta": {"label": ClassLabel(names=["neg", "pos"])}}))
    assert ctx.label_names == ["neg", "pos"]
    assert ctx.align == {0: 1, 1: 0}
    assert ctx.settings == {}


def test_classification_setup_without_class_names_uses_the_model_labels():
    task = T.TASKS["multi_class_classification"]
    ctx = ctx_for(task, config=SimpleNamespace(id2label={1: "pos", 0: "neg"}))
    task.setup(ctx, None)
    assert ctx.label_names == ["neg", "pos"]
    assert ctx.align == {0: 0, 1: 1}
    assert ctx.settings == {"labels_from": "model"}


def test_classification_setup_config_without_id2label():
    from datasets import ClassLabel, Features

    task = T.TASKS["multi_class_classification"]
    ctx = ctx_for(task, config=SimpleNamespace())
    with pytest.raises(UsageError) as e:
        task.setup(ctx, Features({"target": ClassLabel(names=["neg", "pos"])}))
    assert e.value.message == "the model config has no id2label"


# -- classification ---------------------------------------------------------------------------------------------------


def test_classification_decode_predictions_and_scores():
    task = T.TASKS["multi_class_classification"]
    # model class 0 = dataset 1, model 1 = dataset 0, model 2 = a class the dataset lacks
    ctx = ctx_for(task, label_names=["a", "b"], align={0: 1, 1: 0, 2: -1}, want_scores=True)
    logits = torch.tensor([[2.0, 0.0, 0.0], [0.0, 3.0, 1.0], [0.0, 0.0, 5.0], [0.0, 1.0, 0.0, 9.0][:3]])
    out = SimpleNamespace(logits=logits)
    preds, scores = task.decode(out, T.Prepared({}), ctx)
    assert preds == [1, 0, -1, 0]
    probs = torch.softmax(logits, -1).tolist()
    assert scores == [[p[1], p[0]] for p in probs]
    # a logit beyond the model's id2label is no class of the dataset
    ctx.want_scores = False
    preds, scores = task.decode(SimpleNamespace(logits=torch.tensor([[0.0, 0.0, 0.0, 4.0]])), T.Prepared({}), ctx)
    assert preds == [-1] and scores is None


def test_classification_references():
    task = T.TASKS["multi_class_classification"]
    ctx = ctx_for(task, label_names=["Negative", "Positive"])
    assert task.references({"target": [1, "positive", "NEGATIVE", 0]}, ctx) == [1, 1, 0, 0]
    for v in (True, None):
        with pytest.raises(UsageError) as e:
            task.references({"target": [0, v]}, ctx)
        assert e.value.message == f"target {v!r} is not a class"
        assert e.value.hint == "Map the label column with --col-mapping COLUMN=target."
    with pytest.raises(UsageError) as e:
        task.references({"target": ["maybe"]}, ctx)
    assert e.value.message == "label 'maybe' is not one of the model's labels ['Negative', 'Positive']"


def test_text_classification_prepare_truncates_to_max_length(tok):
    task = T.TASKS["multi_class_classification"]
    ctx = ctx_for(task, processor=tok, max_length=6)
    long = "good " * 20
    b = task.prepare({"text": ["good", long]}, ctx)
    assert b.inputs["input_ids"].shape == (2, 6)
    assert b.inputs["attention_mask"].tolist() == [[1, 1, 1, 0, 0, 0], [1] * 6]
    assert b.meta == {}
    nli = T.TASKS["natural_language_inference"]
    b = nli.prepare({"text1": [long], "text2": [long]}, ctx_for(nli, processor=tok, max_length=7))
    assert b.inputs["input_ids"].shape == (1, 7)


# -- image classification ---------------------------------------------------------------------------------------------


class _ImageProcessor:
    def __init__(self):
        self.seen = None

    def __call__(self, images, return_tensors):
        import numpy as np

        assert return_tensors == "pt"
        self.seen = images
        return {"pixel_values": torch.stack([torch.from_numpy(np.asarray(im, dtype="float32")) for im in images]), "other": 1}


def test_image_classification_prepare_decodes_and_converts(tmp_path):
    import numpy as np
    from PIL import Image

    gray = Image.fromarray(np.arange(16, dtype="uint8").reshape(4, 4), mode="L")
    rgb = gray.convert("RGB")
    buf = io.BytesIO()
    gray.save(buf, format="PNG")
    png = buf.getvalue()
    path = tmp_path / "im.png"
    path.write_bytes(png)
    arr = np.asarray(rgb)
    task = T.TASKS["image_multi_class_classification"]
    proc = _ImageProcessor()
    ctx = ctx_for(task, processor=proc)
    rows = {"image": [gray, {"bytes": png}, {"path": str(path)}, {"bytes": png, "path": None}, {"bytes": None, "path": str(path)}]}
    b = task.prepare(rows, ctx)
    assert [im.mode for im in proc.seen] == ["RGB"] * 5
    assert list(b.inputs) == ["pixel_values"]
    assert b.inputs["pixel_values"].tolist() == [arr.astype("float32").tolist()] * 5
    # something that is no PIL image goes to the processor as it is
    b = task.prepare({"image": [arr]}, ctx)
    assert proc.seen[0] is arr


# -- zero-shot ----------------------------------------------------------------------------------------------------------


def test_zero_shot_setup_errors_and_settings():
    from datasets import ClassLabel, Features

    task = T.TASKS["text_zero_shot_classification"]
    ctx = ctx_for(task, config=cfg("contradiction", "neutral"))
    with pytest.raises(UsageError) as e:
        task.setup(ctx, None)
    assert e.value.message == "zero-shot classification needs an NLI model with an 'entailment' label; this one has ['contradiction', 'neutral']"
    assert e.value.hint == "Use a model fine-tuned on MNLI/XNLI (its config id2label names 'entailment')."
    ctx = ctx_for(task, config=cfg("contradiction", "neutral", "ENTAILMENT"))
    with pytest.raises(UsageError) as e:
        task.setup(ctx, None)
    assert e.value.message == "zero-shot classification needs candidate classes: a classes column or a ClassLabel target"
    assert e.value.hint == "Map a column of candidate labels with --col-mapping COLUMN=classes."
    feats = Features({"target": ClassLabel(names=["sport", "food"])})
    task.setup(ctx, feats)
    assert ctx.settings == {"entailment_id": 2, "hypothesis_template": "This example is {}."}
    assert ctx.label_names == ["sport", "food"]
    # with a classes column the target's class names are not the classes
    ctx = ctx_for(task, {"text": "text", "target": "target", "classes": "classes"}, config=cfg("entailment"))
    task.setup(ctx, feats)
    assert ctx.label_names is None


@pytest.mark.parametrize("v, expected", [("a, b,,c ", ["a", "b", "c"]), ("x y", ["x y"]), (["a", 2], ["a", "2"])])
def test_zero_shot_classes(v, expected):
    assert T.ZeroShotClassification._classes(v) == expected


def test_zero_shot_prepare_truncates_the_text_only(tok):
    task = T.TASKS["text_zero_shot_classification"]
    ctx = ctx_for(task, {"text": "text", "target": "target", "classes": "classes"}, processor=tok, max_length=12)
    b = task.prepare({"text": ["good " * 20], "target": ["sport"], "classes": ["good, bad"]}, ctx)
    ids = b.inputs["input_ids"]
    assert ids.shape == (2, 12)
    hyp = tok("This example is good.", add_special_tokens=False)["input_ids"]
    assert ids[0].tolist()[-len(hyp) - 1 : -1] == hyp
    assert b.meta == {"sizes": [2]}


def test_zero_shot_decode_and_references():
    task = T.TASKS["text_zero_shot_classification"]
    ctx = ctx_for(task, settings={"entailment_id": 1})
    logits = torch.tensor([[0.0, 1.0], [0.0, 3.0], [0.0, 2.0], [9.0, 0.0], [0.0, 5.0]])
    batch = T.Prepared({}, {"sizes": [3, 2]})
    preds, scores = task.decode(SimpleNamespace(logits=logits), batch, ctx)
    assert preds == [1, 1] and scores is None
    ctx.want_scores = True
    preds, scores = task.decode(SimpleNamespace(logits=logits), batch, ctx)
    assert scores == [torch.softmax(torch.tensor([1.0, 3.0, 2.0]), -1).tolist(), torch.softmax(torch.tensor([0.0, 5.0]), -1).tolist()]
    rctx = ctx_for(task, {"text": "text", "target": "target", "classes": "classes"})
    assert task.references({"target": ["b", 0], "classes": ["a,b", ["x", "y"]]}, rctx) == [1, 0]
    with pytest.raises(UsageError) as e:
        task.references({"target": ["z"], "classes": ["a,b"]}, rctx)
    assert e.value.message == "target 'z' is not one of the candidate classes ['a', 'b']"


# -- token classification -----------------------------------------------------------------------------------------------


def test_token_classification_setup():
    from datasets import ClassLabel, Features, List

    task = T.TASKS["entity_extraction"]
    ctx = ctx_for(task, config=cfg("O", "B-PER", "I-PER"))
    task.setup(ctx, None)
    assert ctx.label_names == ["O", "B-PER", "I-PER"] and ctx.align == {0: 0, 1: 1, 2: 2}
    # entity types the dataset lacks are always wrong, no error
    ctx = ctx_for(task, config=cfg("O", "B-PER", "I-PER", "B-LOC"))
    task.setup(ctx, Features({"tags": List(ClassLabel(names=["B-PER", "O", "I-PER"]))}))
    assert ctx.label_names == ["B-PER", "O", "I-PER"]
    assert ctx.align == {0: 1, 1: 0, 2: 2, 3: -1}


def test_token_classification_prepare_and_decode(tok):
    task = T.TASKS["entity_extraction"]
    ctx = ctx_for(task, processor=tok, max_length=5, label_names=["B-PER", "I-PER", "O", "B-LOC"], align={0: 2, 1: 0, 2: 1, 3: -1})
    words = ["good", "bad", "good", "bad", "good", "bad"]
    b = task.prepare({"tokens": [words, ["good"]]}, ctx)
    assert b.inputs["input_ids"].shape == (2, 5)
    assert b.meta["word_ids"] == [[None, 0, 1, 2, None], [None, 0, None, None, None]]
    assert b.meta["n_words"] == [6, 1]
    # model ids per token: [CLS] w0 w1 w2 [SEP]; w2 -> 3 (a tag the dataset lacks) -> "O"; id 4 is beyond the align
    rows = [[0, 1, 2, 3, 0], [0, 4, 0, 0, 0]]
    logits = torch.nn.functional.one_hot(torch.tensor(rows), 5).float()
    preds, scores = task.decode(SimpleNamespace(logits=logits), b, ctx)
    assert preds == [["B-PER", "I-PER", "O", "O", "O", "O"], ["O"]] and scores is None
    # a word's later sub-tokens do not override its first
    batch = T.Prepared({}, {"word_ids": [[None, 0, 0, 1, None]], "n_words": [2]})
    logits = torch.nn.functional.one_hot(torch.tensor([[0, 1, 2, 1, 0]]), 4).float()
    assert task.decode(SimpleNamespace(logits=logits), batch, ctx)[0] == [["B-PER", "B-PER"]]


def test_token_classification_references():
    task = T.TASKS["entity_extraction"]
    ctx = ctx_for(task, label_names=["O", "B-PER"])
    assert task.references({"tags": [[0, 1], ["B-LOC", "O"]]}, ctx) == [["O", "B-PER"], ["B-LOC", "O"]]


# -- extractive QA --------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bytelevel_tok():
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    t = Tokenizer(models.BPE(unk_token="<unk>"))
    t.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    t.train_from_iterator(["who is here the cat sat on the mat"] * 3,
                          trainers.BpeTrainer(vocab_size=300, special_tokens=["<pad>", "<unk>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    return PreTrainedTokenizerFast(tokenizer_object=t, pad_token="<pad>", unk_token="<unk>", model_max_length=64)


def test_qa_prepare_strips_leading_space_of_questions(bytelevel_tok):
    task = T.TASKS["extractive_question_answering"]
    ctx = ctx_for(task, {"question": "question", "context": "context", "answers.text": "answers.text"}, processor=bytelevel_tok)
    a = task.prepare({"question": ["  who is"], "context": ["the cat"]}, ctx)
    b = task.prepare({"question": ["who is"], "context": ["the cat"]}, ctx)
    assert a.inputs["input_ids"].tolist() == b.inputs["input_ids"].tolist()


def test_qa_prepare_truncates_the_context_only(tok):
    task = T.TASKS["extractive_question_answering"]
    ctx = ctx_for(task, {"question": "question", "context": "context", "answers.text": "answers.text"}, processor=tok, max_length=10)
    q = "good bad good"
    ctext = "bad " * 30
    b = task.prepare({"question": [q], "context": [ctext]}, ctx)
    assert b.inputs["input_ids"].shape == (1, 10)
    assert "offset_mapping" not in b.inputs
    assert b.meta["seq_ids"] == [[None, 0, 0, 0, None, 1, 1, 1, 1, None]]
    assert b.meta["offsets"][0][5:9] == [[0, 3], [4, 7], [8, 11], [12, 15]]
    assert b.meta["contexts"] == [ctext]


def _qa_decode(task, start, end, seq_ids, offsets, contexts):
    out = SimpleNamespace(start_logits=torch.tensor(start), end_logits=torch.tensor(end))
    return task.decode(out, T.Prepared({}, {"offsets": offsets, "seq_ids": seq_ids, "contexts": contexts}), None)


def test_qa_decode_best_span():
    task = T.TASKS["extractive_question_answering"]
    sids = [None, 0, None, 1, 1, 1, None]
    offs = [[0, 0], [0, 3], [0, 0], [0, 3], [4, 7], [8, 11], [0, 0]]
    # example 0 has no context token; the best start is in the question (masked); end before start is not a span
    preds, scores = _qa_decode(
        task,
        [[9.0] * 7, [0.0, 9.0, 0.0, 1.0, 0.0, 3.0, 0.0]],
        [[9.0] * 7, [0.0, 9.0, 0.0, 2.0, 5.0, 0.0, 0.0]],
        [[None, 0, None, None, None, None, None], sids],
        [offs, offs],
        ["", "the cat sat"],
    )
    assert preds == ["", "the cat"] and scores is None


@pytest.mark.parametrize("length, expected", [(30, 30), (31, 1)])
def test_qa_decode_answers_at_most_30_tokens(length, expected):
    task = T.TASKS["extractive_question_answering"]
    n = 40
    ctext = " ".join(f"w{i:02d}" for i in range(n))
    offs = [[4 * i, 4 * i + 3] for i in range(n)]
    start = [0.0] * n
    end = [0.0] * n
    start[0] = 10.0
    end[length - 1] = 10.0
    end[0] = 1.0
    preds, _ = _qa_decode(task, [start], [end], [[1] * n], [offs], [ctext])
    assert preds == [ctext[: 4 * expected - 1]]


def test_qa_references():
    task = T.TASKS["extractive_question_answering"]
    ctx = ctx_for(task, {"question": "question", "context": "context", "answers.text": "answers.text"})
    assert task.references({"answers": [{"text": "cat"}, {"text": ["a", 1]}]}, ctx) == [["cat"], ["a", "1"]]


# -- generation -------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "task_id, params, prefix",
    [
        ("summarization", None, ""),
        ("summarization", {"summarization": {"max_length": 9}}, ""),
        ("summarization", {"summarization": {"prefix": "summarize: "}}, "summarize: "),
        ("summarization", {"summarization_cnn": {"prefix": "a: "}, "summarization_xsum": {"prefix": "b: "}}, ""),
        ("translation", {"translation_en_to_de": {"prefix": "translate: "}, "summarization": {"prefix": "s: "}}, "translate: "),
    ],
)
def test_generation_setup(task_id, params, prefix):
    task = T.TASKS[task_id]
    ctx = ctx_for(task, config=SimpleNamespace(task_specific_params=params), max_new_tokens=7)
    task.setup(ctx, None)
    assert ctx.settings == {"prefix": prefix, "max_new_tokens": 7, "num_beams": 1, "do_sample": False}


def test_generation_prepare(tok):
    task = T.TASKS["summarization"]
    ctx = ctx_for(task, processor=tok, max_length=6)
    b = task.prepare({"text": ["good bad", "good " * 20]}, ctx)
    assert b.inputs["input_ids"].tolist()[0] == tok("good bad", padding="max_length", max_length=6)["input_ids"]
    assert b.inputs["input_ids"].shape == (2, 6)
    ctx.settings["prefix"] = "bad "
    b = task.prepare({"text": ["good"]}, ctx)
    assert b.inputs["input_ids"].tolist() == [tok("bad good")["input_ids"]]


def test_generation_forward_is_greedy_and_bounded():
    calls = []

    class Model:
        def generate(self, **kw):
            calls.append(kw)
            return "out"

    task = T.TASKS["summarization"]
    ctx = ctx_for(task, max_new_tokens=5)
    assert task.forward(Model(), T.Prepared({"input_ids": 1}), ctx) == "out"
    assert calls == [{"input_ids": 1, "max_new_tokens": 5, "num_beams": 1, "do_sample": False}]


def test_generation_references():
    task = T.TASKS["summarization"]
    ctx = ctx_for(task)
    assert task.references({"target": ["a b", ["x", 2]]}, ctx) == ["a b", ["x", "2"]]


def test_get_task_unknown():
    with pytest.raises(UsageError) as e:
        T.get_task("nope")
    assert e.value.message == "evalcard cannot run task 'nope'"
    assert e.value.hint == "Tasks it runs: " + ", ".join(T.TASKS) + "."
    assert e.value.hint.startswith("Tasks it runs: binary_classification, multi_class_classification, ")


# -- metrics ----------------------------------------------------------------------------------------------------------------

from evalcard.run import metrics as M  # noqa: E402

REFS3 = [0, 0, 1, 1, 2, 2, 1, 0]
PREDS3 = [0, 1, 1, 2, 2, 0, 1, -1]


@pytest.mark.parametrize(
    "metric, preds, refs, args, labels, sk_kwargs",
    [
        # two classes and no average: binary, positive class 1
        ("f1", [1, 1, 0, 0], [1, 0, 0, 0], {}, [0, 1], {"average": "binary"}),
        ("precision", [1, 1, 0, 0], [1, 0, 0, 0], {"pos_label": 0}, [0, 1], {"average": "binary", "pos_label": 0}),
        ("recall", [1, 1, 0, 0], [1, 0, 0, 0], {"pos_label": 0, "average": "binary"}, [0, 1], {"average": "binary", "pos_label": 0}),
        # the dataset's labels decide the classes, even one no reference or prediction has
        ("f1", [0, 1, 1, 0], [0, 1, 0, 0], {}, [0, 1, 2], {"average": "macro", "labels": [0, 1, 2]}),
        ("recall", [0, 1, 1, 0], [0, 1, 0, 0], {"average": "macro"}, [0, 1, 2], {"average": "macro", "labels": [0, 1, 2]}),
        # without labels: the classes of the references; a prediction -1 is no class
        ("f1", PREDS3, REFS3, {}, None, {"average": "macro", "labels": [0, 1, 2]}),
        ("precision", PREDS3, REFS3, {"average": "weighted"}, None, {"average": "weighted", "labels": [0, 1, 2]}),
        ("precision", [0, 0, 0, 1], [0, 1, 2, 1], {"average": "macro", "zero_division": 1}, [0, 1, 2],
         {"average": "macro", "labels": [0, 1, 2], "zero_division": 1}),
        ("precision", [0, 0, 0, 1], [0, 1, 2, 1], {"average": "macro"}, [0, 1, 2], {"average": "macro", "labels": [0, 1, 2], "zero_division": 0}),
    ],
)
def test_prf_against_sklearn(metric, preds, refs, args, labels, sk_kwargs):
    from sklearn import metrics as skm

    f = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}[metric]
    assert M.compute(metric, preds, refs, args=args, labels=labels).value == float(f(refs, preds, **sk_kwargs))


def test_prf_cases_are_distinguishing():
    from sklearn import metrics as skm

    # the cases above tell binary from macro, pos_label 0 from 1, zero_division 1 from 0
    assert skm.f1_score([1, 0, 0, 0], [1, 1, 0, 0]) != skm.f1_score([1, 0, 0, 0], [1, 1, 0, 0], average="macro")
    assert skm.precision_score([1, 0, 0, 0], [1, 1, 0, 0], pos_label=0) != skm.precision_score([1, 0, 0, 0], [1, 1, 0, 0])
    assert skm.recall_score([1, 0, 0, 0], [1, 1, 0, 0], pos_label=0) != skm.recall_score([1, 0, 0, 0], [1, 1, 0, 0])
    assert skm.f1_score(REFS3, PREDS3, average="macro", labels=[0, 1, 2]) != skm.f1_score(REFS3, PREDS3, average="macro")


def test_average_arguments():
    with pytest.raises(UsageError) as e:
        M.compute("f1", [0, 1], [0, 1], args={"average": "mean"})
    assert e.value.message == "unknown average 'mean'"
    assert e.value.hint == "Use one of: binary, macro, micro, weighted."
    # "samples" goes to scikit-learn, which refuses it for single-label classes
    with pytest.raises(ValueError, match="Samplewise metrics"):
        M.compute("f1", [0, 1, 2], [0, 1, 2], args={"average": "samples"})


def test_roc_auc_against_sklearn():
    from sklearn.metrics import roc_auc_score

    s2 = [[0.9, 0.1], [0.4, 0.6], [0.35, 0.65], [0.2, 0.8], [0.7, 0.3]]
    r2 = [0, 0, 1, 1, 1]
    assert M.compute("roc_auc", [0] * 5, r2, scores=s2, labels=[0, 1]).value == float(roc_auc_score(r2, [s[1] for s in s2]))
    pos0 = M.compute("roc_auc", [0] * 5, r2, scores=s2, labels=[0, 1], args={"pos_label": 0}).value
    assert pos0 == float(roc_auc_score([1 if r == 0 else 0 for r in r2], [s[0] for s in s2]))
    s3 = [[0.5, 0.3, 0.2], [0.2, 0.5, 0.3], [0.3, 0.3, 0.4], [0.4, 0.4, 0.2], [0.1, 0.6, 0.3], [0.3, 0.2, 0.5], [0.6, 0.1, 0.3]]
    r3 = [0, 1, 2, 1, 2, 0, 1]
    ovr = float(roc_auc_score(r3, s3, multi_class="ovr", average="macro", labels=[0, 1, 2]))
    ovo = float(roc_auc_score(r3, s3, multi_class="ovo", average="macro", labels=[0, 1, 2]))
    weighted = float(roc_auc_score(r3, s3, multi_class="ovr", average="weighted", labels=[0, 1, 2]))
    assert len({ovr, ovo, weighted}) == 3
    assert M.compute("roc_auc", [0] * 7, r3, scores=s3, labels=[0, 1, 2]).value == ovr
    assert M.compute("roc_auc", [0] * 7, r3, scores=s3).value == ovr
    assert M.compute("roc_auc", [0] * 7, r3, scores=s3, args={"multi_class": "ovo"}).value == ovo
    assert M.compute("roc_auc", [0] * 7, r3, scores=s3, args={"average": "weighted"}).value == weighted
    # a class no reference has: scored over the dataset's labels, as scikit-learn does with labels=
    r3b = [0, 1, 1, 1, 0, 0, 1]
    s3b = [[0.5, 0.3, 0.2], [0.2, 0.5, 0.3], [0.3, 0.3, 0.4], [0.4, 0.4, 0.2], [0.1, 0.6, 0.3], [0.3, 0.2, 0.5], [0.6, 0.1, 0.3]]
    import math

    with pytest.warns(UserWarning):
        assert math.isnan(roc_auc_score(r3b, s3b, multi_class="ovr", labels=[0, 1, 2]))
    with pytest.warns(UserWarning):
        assert math.isnan(M.compute("roc_auc", [0] * 7, r3b, scores=s3b, labels=[0, 1, 2]).value)
    with pytest.raises(UsageError) as e:
        M.compute("roc_auc", [0, 1], [0, 1])
    assert e.value.message == "roc_auc needs class scores, which this task does not produce"


def test_log_loss_clipping_and_classes_without_scores():
    import math

    eps = 1e-15
    v = M.compute("loss", [0, 0, 0, 0], [0, 1, 2, -1], scores=[[0.5, 0.5], [0.0, 1.5], [0.5, 0.5], [0.2, 0.8]])
    losses = [-math.log(0.5), -math.log(1.0), -math.log(eps), -math.log(eps)]
    assert v.value == sum(losses) / 4
    assert v.stderr == M._mean_stderr(losses) and v.stderr is not None
    assert v.scale is None
    with pytest.raises(UsageError) as e:
        M.compute("loss", [0], [0])
    assert e.value.message == "loss needs class scores, which this task does not produce"


def test_seqeval_arguments_against_seqeval():
    from seqeval import metrics as sm
    from seqeval.scheme import IOB2

    refs = [["B-PER", "I-PER", "O"], ["B-LOC", "O", "O"]]
    none = [["O", "O", "O"], ["O", "O", "O"]]
    assert M.compute("precision", none, refs, kind="tags").value == float(sm.precision_score(refs, none, zero_division=0)) == 0.0
    assert M.compute("precision", none, refs, kind="tags", args={"zero_division": 1}).value == 1.0
    preds = [["I-PER", "I-PER", "O"], ["B-LOC", "O", "B-PER"]]
    strict = M.compute("f1", preds, refs, kind="tags", args={"mode": "strict"}).value
    assert strict == float(sm.f1_score(refs, preds, mode="strict", scheme=IOB2, zero_division=0))
    assert strict != M.compute("f1", preds, refs, kind="tags").value
    assert M.compute("f1", preds, refs, kind="tags", args={"average": "macro"}).value == float(sm.f1_score(refs, preds, average="macro", zero_division=0))


def test_answers_without_gold_compare_to_the_empty_answer():
    assert M.compute("exact_match", ["", "x"], [[], []], kind="span").value == 0.5
    assert M.compute("rouge1", ["a b", "a"], [[], ["a"]], kind="text").value == 0.5


def test_rouge_arguments_against_rouge_score():
    from rouge_score import rouge_scorer

    preds, refs = ["the cats were running", "a dog sat"], ["the cat runs", "the dog sat down"]

    def ref(kind, stem):
        sc = rouge_scorer.RougeScorer([kind], use_stemmer=stem)
        return [sc.score(r, p)[kind].fmeasure for p, r in zip(preds, refs)]

    plain, stemmed = ref("rouge1", False), ref("rouge1", True)
    assert plain != stemmed
    v = M.compute("rouge1", preds, refs, kind="text")
    assert v.value == sum(plain) / 2 and v.stderr == M._mean_stderr(plain) and v.stderr is not None
    assert M.compute("rouge1", preds, refs, kind="text", args={"use_stemmer": True}).value == sum(stemmed) / 2


@pytest.mark.parametrize(
    "pred, gold",
    [
        ("The cat sat. A dog ran! Birds fly", "A dog ran. The cat sat on a mat. Birds fly?"),
        # already one sentence a line: kept as it is
        ("the cat sat. a dog\nran away", "a dog ran away. the cat\nsat"),
    ],
)
def test_rouge_lsum_splits_sentences_into_lines(pred, gold):
    import re

    from rouge_score import rouge_scorer

    def lines(t):
        if "\n" in t:
            return t
        return "\n".join(s for s in re.split(r"(?<=[.!?])\s+", t.strip()) if s)

    sc = rouge_scorer.RougeScorer(["rougeLsum"])
    expected = sc.score(lines(gold), lines(pred))["rougeLsum"].fmeasure
    assert M.compute("rougeLsum", [pred], [gold], kind="text").value == expected
    # splitting (or keeping the lines) matters for these texts
    other = (lambda t: t) if "\n" not in pred else (lambda t: "\n".join(x for x in re.split(r"(?<=[.!?])\s+", t.strip()) if x))
    assert expected != sc.score(other(gold), other(pred))["rougeLsum"].fmeasure


def test_rouge_lsum_line_handling():
    assert M._sentence_lines("A b. C d! E f? g") == "A b.\nC d!\nE f?\ng"
    assert M._sentence_lines("A b. C d\nE f.") == "A b. C d\nE f."


def test_bleu_and_chrf_against_sacrebleu():
    import sacrebleu

    preds = ["The cat sat on the mat", "a dog ran away fast"]
    refs = [["the cat sat on a mat", "The cat is on the mat"], ["A dog ran away"]]
    streams = [["the cat sat on a mat", "A dog ran away"], ["The cat is on the mat", "A dog ran away"]]
    assert M._ref_streams(refs) == streams
    for args in ({}, {"lowercase": True}, {"tokenize": "char"}, {"smooth_method": "floor"}):
        expected = sacrebleu.corpus_bleu(preds, streams, **args).score
        assert M.compute("bleu", preds, refs, kind="text", args=args).value == expected, args
    assert len({sacrebleu.corpus_bleu(preds, streams, **a).score for a in ({}, {"lowercase": True}, {"tokenize": "char"})}) == 3
    floor = sacrebleu.corpus_bleu(["a b c d e"], [["a b c x y"]], smooth_method="floor").score
    assert floor != sacrebleu.corpus_bleu(["a b c d e"], [["a b c x y"]]).score
    assert M.compute("bleu", ["a b c d e"], ["a b c x y"], kind="text", args={"smooth_method": "floor"}).value == floor
    chrf = []
    for args in ({}, {"char_order": 3}, {"word_order": 2}, {"beta": 1}):
        expected = sacrebleu.corpus_chrf(preds, streams, **args).score
        chrf.append(expected)
        v = M.compute("chrf", preds, refs, kind="text", args=args)
        assert v.value == expected and v.scale == "percent", args
    assert len(set(chrf)) == 4


def test_metric_names_and_messages():
    assert M.canonical("ROUGE2") == "rouge2"
    assert M.canonical(" Exact_Match ") == "exact_match"
    assert M.canonical("RougeLsum") == "rougeLsum"
    with pytest.raises(UsageError) as e:
        M.check_metric("rouge1", "label")
    assert e.value.message == "unknown metric 'rouge1' for this task"
    assert e.value.hint == (
        "Known metrics for this task: accuracy, f1, loss, matthews_correlation, precision, recall, roc_auc "
        "(aliases: acc, auc, chrF, em, mcc, rougel, rougelsum, sacrebleu, seqeval, squad)."
    )
    with pytest.raises(ValueError) as e:
        M.compute("accuracy", [0, 1], [0])
    assert str(e.value) == "2 predictions for 1 references"
    with pytest.raises(UsageError) as e:
        M.compute("accuracy", [], [])
    assert e.value.message == "no examples to score" and e.value.hint == "Check --split and --limit."
