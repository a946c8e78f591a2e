"""Tiny datasets and model repos in a local store, for the tests of ``evalcard.run`` (specs, data, discovery).

Everything is built here from a few rows: no download. Datasets are parquet files (features, ClassLabel names
included, travel in the parquet metadata) under ``<store>/datasets/...``; models are ``config.json`` files written
with ``save_pretrained`` (weights only where a test loads them) plus a README card under ``<store>/models/...``.
"""

from __future__ import annotations

import io
import json

import pytest
import yaml

from evalcard.store.base import RepoRef
from evalcard.store.local import LocalStore

IMDB_CARD = """---
language: [en]
configs:
- config_name: plain_text
  data_files:
  - split: train
    path: plain_text/train-00000-of-00001.parquet
  - split: test
    path: plain_text/test-00000-of-00001.parquet
train-eval-index:
- config: plain_text
  task: text-classification
  task_id: binary_classification
  splits: {train_split: train, eval_split: test}
  col_mapping: {text: text, label: target}
  metrics:
  - type: accuracy
  - name: Accuracy
  - type: f1
    name: F1 macro
    args: {average: macro}
---
# IMDB (tiny)
"""

GLUE_CARD = """---
configs:
- config_name: cola
  data_files:
  - {split: train, path: cola/train.parquet}
  - {split: validation, path: cola/validation.parquet}
- config_name: mrpc
  data_files:
  - {split: train, path: mrpc/train.parquet}
  - {split: validation, path: mrpc/validation.parquet}
train-eval-index:
- config: cola
  task: text-classification
  task_id: binary_classification
  splits: {train_split: train, eval_split: validation}
  col_mapping: {sentence: text, label: target}
- config: mrpc
  task: text-classification
  task_id: natural_language_inference
  splits: {train_split: train, eval_split: validation}
  col_mapping: {sentence1: text1, sentence2: text2, label: target}
---
# GLUE (tiny)
"""

SQUAD_CARD = """---
train-eval-index:
- config: default
  task: question-answering
  task_id: extractive_question_answering
  splits: {train_split: train, eval_split: validation}
  col_mapping:
    question: question
    context: context
    answers:
      text: text
      answer_start: answer_start
  metrics:
  - {type: squad, name: SQuAD}
---
# SQuAD (tiny)
"""


def _parquet(ds) -> bytes:
    buf = io.BytesIO()
    ds.to_parquet(buf)
    return buf.getvalue()


def build_datasets(store: LocalStore) -> None:
    from datasets import ClassLabel, Dataset, Features, Image, Sequence, Value

    # imdb-like: binary text classification with a train-eval-index (and imdb's `- name: Accuracy` bug)
    f = Features({"text": Value("string"), "label": ClassLabel(names=["neg", "pos"])})
    rows = {"text": ["a great film", "dull and long", "loved it", "terrible acting", "fine fun", "boring"], "label": [1, 0, 1, 0, 1, 0]}
    store.create_repo(
        RepoRef("stanfordnlp/imdb", "dataset"),
        {
            "README.md": IMDB_CARD.encode(),
            "plain_text/train-00000-of-00001.parquet": _parquet(Dataset.from_dict(rows, features=f)),
            "plain_text/test-00000-of-00001.parquet": _parquet(Dataset.from_dict(rows, features=f)),
        },
    )
    # glue-like: two configs, one NLI
    cola = Features({"sentence": Value("string"), "label": ClassLabel(names=["unacceptable", "acceptable"]), "idx": Value("int32")})
    mrpc = Features({"sentence1": Value("string"), "sentence2": Value("string"), "label": ClassLabel(names=["not_equivalent", "equivalent"]), "idx": Value("int32")})
    c_rows = {"sentence": ["he go", "she goes", "they goes"], "label": [0, 1, 0], "idx": [0, 1, 2]}
    m_rows = {"sentence1": ["a b", "c d", "e f"], "sentence2": ["a b", "x y", "e f"], "label": [1, 0, 1], "idx": [0, 1, 2]}
    files = {"README.md": GLUE_CARD.encode()}
    for split in ("train", "validation"):
        files[f"cola/{split}.parquet"] = _parquet(Dataset.from_dict(c_rows, features=cola))
        files[f"mrpc/{split}.parquet"] = _parquet(Dataset.from_dict(m_rows, features=mrpc))
    store.create_repo(RepoRef("nyu-mll/glue", "dataset"), files)
    # the same glue without a train-eval-index: specs come from the features
    files = dict(files)
    files["README.md"] = GLUE_CARD.split("train-eval-index:")[0].encode() + b"---\n# GLUE, no index\n"
    store.create_repo(RepoRef("demo/glue-plain", "dataset"), files)
    # token classification (no card: plain data files)
    tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
    nf = Features({"id": Value("string"), "tokens": Sequence(Value("string")), "ner_tags": Sequence(ClassLabel(names=tags))})
    n_rows = {"id": ["0", "1"], "tokens": [["John", "lives", "in", "Paris"], ["Mary", "Ann", "left"]], "ner_tags": [[1, 0, 0, 3], [1, 2, 0]]}
    store.create_repo(
        RepoRef("demo/tiny-ner", "dataset"),
        {"train.parquet": _parquet(Dataset.from_dict(n_rows, features=nf)), "test.parquet": _parquet(Dataset.from_dict(n_rows, features=nf))},
    )
    # SQuAD-like extractive QA, card with a nested col_mapping
    qf = Features(
        {
            "id": Value("string"),
            "title": Value("string"),
            "context": Value("string"),
            "question": Value("string"),
            "answers": Sequence({"text": Value("string"), "answer_start": Value("int32")}),
        }
    )
    q_rows = {
        "id": ["q1", "q2"],
        "title": ["t", "t"],
        "context": ["Paris is the capital of France.", "The sky is blue."],
        "question": ["What is the capital of France?", "What colour is the sky?"],
        "answers": [{"text": ["Paris"], "answer_start": [0]}, {"text": ["blue"], "answer_start": [11]}],
    }
    store.create_repo(
        RepoRef("demo/tiny-squad", "dataset"),
        {"README.md": SQUAD_CARD.encode(), "validation.parquet": _parquet(Dataset.from_dict(q_rows, features=qf))},
    )
    # digits: image classification from sklearn's bundled 8x8 digits, PNG bytes in parquet
    from PIL import Image as PILImage
    from sklearn.datasets import load_digits

    d = load_digits()
    imgs = []
    for arr in d.images[:30]:
        b = io.BytesIO()
        PILImage.fromarray((arr / 16 * 255).astype("uint8")).save(b, format="PNG")
        imgs.append({"bytes": b.getvalue(), "path": None})
    df = Features({"image": Image(), "label": ClassLabel(names=[str(i) for i in range(10)])})
    store.create_repo(
        RepoRef("demo/digits", "dataset"),
        {"test.parquet": _parquet(Dataset.from_dict({"image": imgs, "label": [int(x) for x in d.target[:30]]}, features=df))},
    )
    # a benchmark with only an eval.yaml (multiple choice), data as jsonl
    mc = [{"question": "2+2?", "choices": ["3", "4"], "answer": 1}, {"question": "1+1?", "choices": ["2", "5"], "answer": 0}]
    ev = {
        "name": "Tiny MC",
        "evaluation_framework": "inspect-ai",
        "tasks": [{"id": "tiny_mc", "split": "test", "field_spec": {"input": "question", "target": "answer", "choices": "choices"}}],
    }
    store.create_repo(
        RepoRef("demo/tiny-mc", "dataset"),
        {"eval.yaml": yaml.safe_dump(ev).encode(), "test.jsonl": "\n".join(json.dumps(r) for r in mc).encode() + b"\n"},
    )


def _card(meta: dict) -> bytes:
    return ("---\n" + yaml.safe_dump(meta, sort_keys=False) + "---\n# model\n").encode()


def tiny_bert_config(num_labels: int = 2, id2label: dict | None = None, arch: str = "BertForSequenceClassification"):
    from transformers import BertConfig

    id2label = id2label or {i: f"LABEL_{i}" for i in range(num_labels)}
    cfg = BertConfig(
        vocab_size=64,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=37,
        max_position_embeddings=64,
        id2label=id2label,
        label2id={v: k for k, v in id2label.items()},
    )
    cfg.architectures = [arch]
    return cfg


def _config_files(cfg, tmp) -> dict[str, bytes]:
    cfg.save_pretrained(tmp)
    return {"config.json": (tmp / "config.json").read_bytes()}


def build_models(store: LocalStore, tmp) -> None:
    """Model repos: two fit imdb, the others are excluded for a reason each."""
    tmp.mkdir(parents=True, exist_ok=True)

    def add(name: str, meta: dict | None, cfg) -> None:
        d = tmp / name.replace("/", "__")
        files = _config_files(cfg, d)
        if meta is not None:
            files["README.md"] = _card(meta)
        store.create_repo(RepoRef(name, "model"), files)

    add("demo/bert-imdb", {"datasets": ["stanfordnlp/imdb"], "pipeline_tag": "text-classification"}, tiny_bert_config(id2label={0: "NEG", 1: "POS"}))
    # no pipeline_tag (from the architecture), tagged with the short dataset name, generic labels
    add("demo/bert-imdb-generic", {"tags": ["dataset:imdb"]}, tiny_bert_config(2))
    # trained on imdb, but three labels that do not align
    add("demo/bert-imdb-3way", {"datasets": ["imdb"]}, tiny_bert_config(id2label={0: "negative", 1: "neutral", 2: "positive"}))
    # right task, other dataset
    add("demo/bert-emotion", {"datasets": ["dair-ai/emotion"], "pipeline_tag": "text-classification"}, tiny_bert_config(id2label={0: "sadness", 1: "joy"}))
    # trained on imdb per its model-index, but a token classifier
    mi = [{"name": "x", "results": [{"task": {"type": "token-classification"}, "dataset": {"type": "imdb", "name": "IMDB"}, "metrics": [{"type": "f1", "value": 0.5}]}]}]
    add("demo/bert-ner", {"datasets": ["demo/tiny-ner"], "model-index": mi}, tiny_bert_config(id2label={i: t for i, t in enumerate(["O", "B-PER", "I-PER", "B-LOC", "I-LOC"])}, arch="BertForTokenClassification"))
    # no card at all
    add("demo/no-card", None, tiny_bert_config(2))


@pytest.fixture(scope="session")
def run_store(tmp_path_factory):
    """A local store with every tiny dataset and model repo (read-only: build your own to write)."""
    root = tmp_path_factory.mktemp("runstore")
    store = LocalStore(root / "store")
    build_datasets(store)
    build_models(store, root / "cfgs")
    return store


@pytest.fixture(autouse=True)
def _datasets_cache(tmp_path_factory, monkeypatch):
    """``datasets`` writes its Arrow cache under a temporary folder, not the user's home."""
    monkeypatch.setenv("EVALCARD_DATASETS_CACHE", str(tmp_path_factory.getbasetemp() / "ds-cache"))
    monkeypatch.setenv("EVALCARD_CACHE", str(tmp_path_factory.getbasetemp() / "evalcard-cache"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
