"""evalcard.run.data: where datasets and models come from, describing and loading splits, aligning labels."""

import pytest
from run_fixtures import _datasets_cache, run_store  # noqa: F401  (fixtures)

from evalcard.errors import EvalcardError, RepoNotFoundError, UsageError
from evalcard.run import data
from evalcard.run.spec import check
from evalcard.store.base import RepoRef
from evalcard.store.local import LocalStore


def test_resolve_dataset_in_a_local_store(run_store):
    src = data.resolve_dataset("stanfordnlp/imdb", store=run_store)
    assert (src.kind, src.repo_id) == ("store", "stanfordnlp/imdb")
    assert src.path == str(run_store.path(RepoRef("stanfordnlp/imdb", "dataset")))
    assert src.revision == run_store.head(RepoRef("stanfordnlp/imdb", "dataset")) and len(src.revision) == 40
    assert src.card_data["train-eval-index"][0]["task_id"] == "binary_classification"
    src = data.resolve_dataset("datasets/demo/tiny-mc", store=run_store)
    assert src.eval_yaml["tasks"][0]["id"] == "tiny_mc"


def test_resolve_dataset_folder_and_card_path(run_store):
    folder = run_store.path(RepoRef("nyu-mll/glue", "dataset"))
    for target in (str(folder), str(folder / "README.md")):
        src = data.resolve_dataset(target)
        assert (src.kind, src.repo_id, src.path) == ("folder", "nyu-mll/glue", str(folder))
        assert src.revision == run_store.head(RepoRef("nyu-mll/glue", "dataset"))  # a git folder: its HEAD
        assert [e["config"] for e in src.card_data["train-eval-index"]] == ["cola", "mrpc"]
    with pytest.raises(UsageError):
        data.resolve_dataset(str(folder), revision="main")


def test_unknown_dataset_lists_what_the_store_has(run_store):
    with pytest.raises(RepoNotFoundError) as e:
        data.resolve_dataset("nobody/nothing", store=run_store)
    assert "stanfordnlp/imdb" in e.value.hint
    with pytest.raises(UsageError):
        data.resolve_dataset("models/demo/bert-imdb", store=run_store)


def test_describe_configs_splits_columns(run_store):
    d = data.describe(data.resolve_dataset("nyu-mll/glue", store=run_store))
    assert d["configs"] == ["cola", "mrpc"]
    assert d["splits"] == {"cola": ["train", "validation"], "mrpc": ["train", "validation"]}
    assert d["columns"]["mrpc"] == {"sentence1": "string", "sentence2": "string", "label": "ClassLabel: not_equivalent, equivalent", "idx": "int32"}
    assert d["label_names"]["cola"] == {"label": ["unacceptable", "acceptable"]}
    d = data.describe(data.resolve_dataset("demo/tiny-ner", store=run_store))
    assert d["configs"] == ["default"] and d["splits"]["default"] == ["train", "test"]
    assert d["label_names"]["default"]["ner_tags"][:2] == ["O", "B-PER"]
    assert d["columns"]["default"]["tokens"] == "list of string"


def test_load_split_with_limit_configs_and_images(run_store):
    src = data.resolve_dataset("stanfordnlp/imdb", store=run_store)
    ds = data.load_split(src, "plain_text", "test", limit=2)
    assert len(ds) == 2 and ds.features["label"].names == ["neg", "pos"]
    assert len(data.load_split(src, "default", "test")) == 6  # "default" = the only config
    glue = data.resolve_dataset("nyu-mll/glue", store=run_store)
    assert data.load_split(glue, "mrpc", "validation").column_names == ["sentence1", "sentence2", "label", "idx"]
    with pytest.raises(UsageError, match="split 'test' not found"):
        data.load_split(glue, "mrpc", "test")
    with pytest.raises(UsageError, match="config 'sst2'"):
        data.load_split(glue, "sst2", "validation")
    digits = data.load_split(data.resolve_dataset("demo/digits", store=run_store), None, "test", limit=3)
    assert digits[0]["image"].size == (8, 8) and digits.features["label"].num_classes == 10
    mc = data.load_split(data.resolve_dataset("demo/tiny-mc", store=run_store), None, "test")
    assert mc[0]["choices"] == ["3", "4"]


def test_dataset_specs_by_source(run_store):
    def specs(name, **kw):
        return data.dataset_specs(data.resolve_dataset(name, store=run_store), **kw)

    assert [(s.origin, s.config, s.task_id) for s in specs("nyu-mll/glue")] == [("train-eval-index", "cola", "binary_classification"), ("train-eval-index", "mrpc", "natural_language_inference")]
    assert [(s.origin, s.config, s.split) for s in specs("demo/glue-plain")] == [("features", "cola", "validation"), ("features", "mrpc", "validation")]
    assert [s.config for s in specs("demo/glue-plain", config="mrpc")] == ["mrpc"]
    (mc,) = specs("demo/tiny-mc")
    assert (mc.origin, mc.task_id) == ("eval.yaml", "text_zero_shot_classification")
    (sq,) = specs("demo/tiny-squad")
    assert sq.col_mapping["answers.text"] == "answers.text"
    desc = data.describe(data.resolve_dataset("demo/tiny-squad", store=run_store))
    assert check(sq, desc).config == "default"
    with pytest.raises(UsageError, match="config 'nope'"):
        specs("demo/glue-plain", config="nope")
    assert data.eval_split(["train", "validation", "test"]) == "test"
    assert data.eval_split(["train", "dev"]) == "dev" and data.eval_split(["train", "other"]) == "other" and data.eval_split(["train"]) == "train"


def test_a_pinned_dataset_revision(tmp_path, run_store):
    store = LocalStore(tmp_path / "s")
    src_dir = run_store.path(RepoRef("stanfordnlp/imdb", "dataset"))
    files = {p.relative_to(src_dir).as_posix(): p.read_bytes() for p in src_dir.rglob("*") if p.is_file() and ".git" not in p.parts}
    repo = RepoRef("org/imdb", "dataset")
    old = store.create_repo(repo, files)
    store.commit(repo, {"README.md": b"---\nlicense: mit\n---\n"}, message="drop the index")
    now = data.resolve_dataset("org/imdb", store=store)
    assert "train-eval-index" not in now.card_data and now.revision != old
    pinned = data.resolve_dataset("org/imdb", store=store, revision=old)
    assert pinned.revision == old and "train-eval-index" in pinned.card_data
    assert pinned.path != now.path  # exported at that commit
    assert len(data.load_split(pinned, "plain_text", "test", limit=1)) == 1


def test_resolve_model_folder_store_and_load(tmp_path, run_store):
    from run_fixtures import tiny_bert_config
    from transformers import BertForSequenceClassification

    cfg = tiny_bert_config(id2label={0: "NEG", 1: "POS"})
    folder = tmp_path / "models" / "me" / "tiny"
    BertForSequenceClassification(cfg).save_pretrained(folder)
    m = data.resolve_model(str(folder))
    assert (m.kind, m.repo_id, m.pipeline_tag) == ("folder", "me/tiny", "text-classification")  # from the architecture
    assert m.id2label == {0: "NEG", 1: "POS"}
    model = data.load_model(m)
    assert type(model).__name__ == "BertForSequenceClassification" and model.config.id2label[1] == "POS"
    assert data.pretrained_kwargs(m) == {"pretrained_model_name_or_path": str(folder)}

    s = data.resolve_model("demo/bert-ner", store=run_store)
    assert (s.kind, s.pipeline_tag, s.revision) == ("store", "token-classification", run_store.head(RepoRef("demo/bert-ner")))
    assert s.card_data["datasets"] == ["demo/tiny-ner"] and s.id2label[1] == "B-PER"
    g = data.resolve_model("demo/bert-imdb-generic", store=run_store)
    assert g.id2label == {0: "LABEL_0", 1: "LABEL_1"}  # transformers does not write the default labels
    with pytest.raises(RepoNotFoundError):
        data.resolve_model("demo/none", store=run_store)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UsageError, match="config.json"):
        data.resolve_model(str(empty))


def test_hub_model_kwargs_pin_the_commit():
    m = data.ModelSource("org/m", "org/m", "hub", "org/m", "a" * 40, {}, {"architectures": ["GPT2LMHeadModel"]})
    assert data.pretrained_kwargs(m) == {"pretrained_model_name_or_path": "org/m", "revision": "a" * 40}
    assert data.pipeline_tag_of({}, m.config) == "text-generation"
    assert data.pipeline_tag_of({"pipeline_tag": "summarization"}, m.config) == "summarization"


def test_align_labels_by_name():
    assert data.align_labels({0: "NEG", 1: "POS"}, ["neg", "pos"]) == {0: 0, 1: 1}
    assert data.align_labels({"0": "positive", "1": "negative"}, ["neg", "pos"]) == {0: 1, 1: 0}  # synonyms, swapped order
    assert data.align_labels({0: "entailment", 1: "neutral", 2: "contradiction"}, ["contradiction", "entailment", "neutral"]) == {0: 1, 1: 2, 2: 0}
    assert data.align_labels({0: "O", 1: "B-PER", 2: "I-PER"}, ["O", "b_per", "i_per"]) == {0: 0, 1: 1, 2: 2}
    assert data.align_labels({i: str(i) for i in range(10)}, [str(i) for i in range(10)]) == {i: i for i in range(10)}


def test_align_labels_generic_and_errors():
    assert data.align_labels({0: "LABEL_0", 1: "LABEL_1"}, ["neg", "pos"]) == {0: 0, 1: 1}
    with pytest.raises(EvalcardError) as e:
        data.align_labels({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, ["neg", "pos"])
    assert "generic" in e.value.message and "0=LABEL_0" in e.value.hint and "1=pos" in e.value.hint
    with pytest.raises(EvalcardError) as e:
        data.align_labels({0: "sadness", 1: "joy"}, ["neg", "pos"])
    assert "neg, pos not among the model's" in e.value.message and "0=sadness" in e.value.hint
    with pytest.raises(EvalcardError, match="neutral not in the dataset"):
        data.align_labels({0: "neg", 1: "neutral", 2: "pos"}, ["neg", "pos"])
    assert data.align_labels({0: "neg", 1: "neutral", 2: "pos"}, ["neg", "pos"], allow_extra=True) == {0: 0, 1: -1, 2: 1}
    with pytest.raises(EvalcardError, match="no id2label"):
        data.align_labels({}, ["a"])
    with pytest.raises(EvalcardError, match="same after normalising"):
        data.align_labels({0: "a"}, ["A-B", "a_b"])


def test_hub_ids_are_pinned_to_a_commit(hub_server):
    import json

    from evalcard.store.hub import HubStore

    sha = hub_server.create_repo("org/ds", {"README.md": "---\ntrain-eval-index:\n- {config: default, task_id: binary_classification, col_mapping: {t: text, l: target}}\n---\n"}, repo_type="dataset")
    src = data.resolve_dataset("org/ds", store=HubStore())
    assert (src.kind, src.repo_id, src.path, src.revision, src.location) == ("hub", "org/ds", None, sha, "org/ds")
    assert src.card_data["train-eval-index"][0]["task_id"] == "binary_classification"
    msha = hub_server.create_repo("org/m", {"config.json": json.dumps({"architectures": ["BertForTokenClassification"], "id2label": {"0": "O"}})})
    m = data.resolve_model("org/m", store=HubStore(), revision="main")
    assert (m.kind, m.revision, m.pipeline_tag, m.id2label) == ("hub", msha, "token-classification", {0: "O"})
    assert data.pretrained_kwargs(m)["revision"] == msha
