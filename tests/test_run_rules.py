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
