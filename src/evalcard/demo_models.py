"""Tiny datasets and models for the offline demo, made on the spot (no download): an image dataset from
scikit-learn's bundled digits, a small sentiment dataset, and two or three tiny ``transformers`` models trained on
them in seconds on a CPU. Each is written into a :class:`LocalStore` as a repo with a card.

Needs the ``run`` extra (torch, transformers, datasets, scikit-learn).
"""

from __future__ import annotations

import io
import random
import tempfile
from pathlib import Path
from typing import Callable

from .store.base import RepoRef
from .store.local import LocalStore

DIGITS = RepoRef("demo-org/digits", "dataset")
REVIEWS = RepoRef("demo-org/tiny-reviews", "dataset")

def _dataset_card(*, license: str, task: str, task_id: str, col_mapping: dict, metrics: list, title: str, about: str) -> str:
    """A dataset card with parquet splits declared in ``configs`` and the evaluation in ``train-eval-index``."""
    import yaml

    meta = {
        "license": license,
        "task_categories": [task],
        "configs": [{"config_name": "default", "data_files": [{"split": s, "path": f"data/{s}.parquet"} for s in ("train", "test")]}],
        "train-eval-index": [{
            "config": "default", "task": task, "task_id": task_id,
            "splits": {"train_split": "train", "eval_split": "test"},
            "col_mapping": col_mapping, "metrics": metrics,
        }],
    }
    return f"---\n{yaml.safe_dump(meta, sort_keys=False)}---\n\n# {title}\n\n{about}\n"


_F1_MACRO = {"type": "f1", "name": "F1 macro", "args": {"average": "macro"}}
DIGITS_CARD = _dataset_card(
    license="bsd-3-clause", task="image-classification", task_id="image_multi_class_classification",
    col_mapping={"image": "image", "label": "target"}, metrics=[{"type": "accuracy", "name": "Accuracy"}, _F1_MACRO],
    title="digits", about="8x8 images of handwritten digits (scikit-learn's bundled copy of the UCI ML hand-written digits test set), "
    "split 80/20 with a fixed seed, for the evalcard demo.",
)
REVIEWS_CARD = _dataset_card(
    license="cc0-1.0", task="text-classification", task_id="binary_classification",
    col_mapping={"text": "text", "label": "target"}, metrics=[{"type": "accuracy", "name": "Accuracy"}, _F1_MACRO],
    title="tiny-reviews", about="Short synthetic product reviews labelled negative / positive, generated with a fixed seed for the evalcard demo.",
)

_POS = ["great", "excellent", "lovely", "perfect", "good", "wonderful", "fantastic", "reliable", "sturdy", "comfortable"]
_NEG = ["awful", "terrible", "broken", "poor", "bad", "useless", "flimsy", "disappointing", "cheap", "noisy"]
_NOUNS = ["product", "phone", "chair", "lamp", "kettle", "bag", "screen", "battery", "service", "delivery"]
_FILLER = ["the", "this", "was", "really", "quite", "my", "and", "it", "is", "very", "overall", "honestly"]


def _reviews(n: int, seed: int) -> tuple[list[str], list[int]]:
    rng = random.Random(seed)
    texts, labels = [], []
    for _ in range(n):
        label = rng.randint(0, 1)
        words = [rng.choice(_FILLER) for _ in range(rng.randint(2, 6))] + [rng.choice(_NOUNS)]
        cue = _POS if label else _NEG
        words += [rng.choice(cue) for _ in range(rng.randint(1, 2))]
        if rng.random() < 0.15:  # a little label noise, so scores differ between models
            words.append(rng.choice(_NEG if label else _POS))
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(label)
    return texts, labels


def _parquet(rows: dict, features) -> bytes:
    import datasets

    datasets.disable_progress_bars()
    ds = datasets.Dataset.from_dict(rows, features=features)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "x.parquet"
        ds.to_parquet(str(path))
        return path.read_bytes()


def build_digits(store: LocalStore) -> RepoRef:
    import datasets
    import numpy as np
    from PIL import Image
    from sklearn.datasets import load_digits

    if store.exists(DIGITS):
        return DIGITS
    digits = load_digits()
    order = np.random.default_rng(0).permutation(len(digits.images))
    cut = int(len(order) * 0.8)
    feats = datasets.Features({"image": datasets.Image(), "label": datasets.ClassLabel(names=[str(i) for i in range(10)])})

    def rows(idx):
        images = []
        for i in idx:
            arr = (digits.images[i] * (255 / 16)).astype("uint8")
            buf = io.BytesIO()
            Image.fromarray(arr, mode="L").convert("RGB").save(buf, format="PNG")
            images.append({"bytes": buf.getvalue(), "path": None})
        return {"image": images, "label": [int(digits.target[i]) for i in idx]}

    store.create_repo(DIGITS, {
        "README.md": DIGITS_CARD.encode(),
        "data/train.parquet": _parquet(rows(order[:cut]), feats),
        "data/test.parquet": _parquet(rows(order[cut:]), feats),
    }, message="Add digits dataset")
    return DIGITS


def build_reviews(store: LocalStore) -> RepoRef:
    import datasets

    if store.exists(REVIEWS):
        return REVIEWS
    feats = datasets.Features({"text": datasets.Value("string"), "label": datasets.ClassLabel(names=["negative", "positive"])})
    tr_t, tr_l = _reviews(1200, seed=1)
    te_t, te_l = _reviews(400, seed=2)
    store.create_repo(REVIEWS, {
        "README.md": REVIEWS_CARD.encode(),
        "data/train.parquet": _parquet({"text": tr_t, "label": tr_l}, feats),
        "data/test.parquet": _parquet({"text": te_t, "label": te_l}, feats),
    }, message="Add tiny-reviews dataset")
    return REVIEWS


def _model_card(repo: RepoRef, dataset: RepoRef, pipeline_tag: str, what: str) -> bytes:
    return (
        f"---\nlicense: apache-2.0\nlibrary_name: transformers\npipeline_tag: {pipeline_tag}\ndatasets:\n- {dataset.repo_id}\n---\n\n"
        f"# {repo.repo_id.split('/')[-1]}\n\n{what} trained on [{dataset.repo_id}](../../../datasets/{dataset.repo_id}) by the evalcard demo.\n"
    ).encode()


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _save(store: LocalStore, repo: RepoRef, model, processor, card: bytes) -> RepoRef:
    """A trained model, its tokenizer or image processor and its card, as a new repo in the store."""
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp)
        processor.save_pretrained(tmp)
        files = _files(Path(tmp))
    files["README.md"] = card
    store.create_repo(repo, files, message="Add model")
    return repo


def _train(model, batches: Callable[[], list], epochs: int, lr: float) -> None:
    import torch

    torch.manual_seed(0)
    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    model.train()
    for _ in range(epochs):
        for inputs, labels in batches():
            loss = model(**inputs, labels=labels).loss
            opt.zero_grad()
            loss.backward()
            opt.step()
    model.eval()


def train_image_model(store: LocalStore, repo: RepoRef, *, hidden: int, layers: int, epochs: int) -> RepoRef:
    """A tiny ViT on the digits' train split."""
    import torch
    import transformers
    from transformers import ViTConfig, ViTForImageClassification

    # the PIL image processor: the default one wants torchvision, which evalcard does not need
    ViTImageProcessor = getattr(transformers, "ViTImageProcessorPil", None) or transformers.ViTImageProcessor

    from .run.data import load_split, resolve_dataset

    if store.exists(repo):
        return repo
    torch.manual_seed(0)
    src = resolve_dataset(DIGITS.repo_id, store=store)
    train = load_split(src, "default", "train")
    names = train.features["label"].names
    processor = ViTImageProcessor(size={"height": 8, "width": 8}, image_mean=[0.5] * 3, image_std=[0.5] * 3, do_resize=False)
    config = ViTConfig(image_size=8, patch_size=2, num_channels=3, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=2,
                       intermediate_size=hidden * 2, num_labels=len(names), id2label=dict(enumerate(names)),
                       label2id={n: i for i, n in enumerate(names)})
    model = ViTForImageClassification(config)
    pixels = processor([im.convert("RGB") for im in train["image"]], return_tensors="pt")["pixel_values"]
    labels = torch.tensor(list(train["label"]))

    def batches():
        perm = torch.randperm(len(labels))
        return [({"pixel_values": pixels[perm[i : i + 64]]}, labels[perm[i : i + 64]]) for i in range(0, len(labels), 64)]

    _train(model, batches, epochs, 3e-3)
    return _save(store, repo, model, processor, _model_card(repo, DIGITS, "image-classification", f"A {layers}-layer ViT (hidden size {hidden})"))


def train_text_model(store: LocalStore, repo: RepoRef, *, hidden: int, epochs: int) -> RepoRef:
    """A one-layer BERT with a word-level tokenizer trained on the reviews' train split."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers
    from transformers import BertConfig, BertForSequenceClassification, PreTrainedTokenizerFast

    from .run.data import load_split, resolve_dataset

    if store.exists(repo):
        return repo
    torch.manual_seed(0)
    src = resolve_dataset(REVIEWS.repo_id, store=store)
    train = load_split(src, "default", "train")
    names = train.features["label"].names
    tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator(list(train["text"]), trainers.WordLevelTrainer(special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]"]))
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]",
                                        model_max_length=64)
    config = BertConfig(vocab_size=tok.get_vocab_size(), hidden_size=hidden, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=hidden * 2, max_position_embeddings=64, num_labels=len(names),
                        id2label=dict(enumerate(names)), label2id={n: i for i, n in enumerate(names)})
    model = BertForSequenceClassification(config)
    enc = tokenizer(list(train["text"]), padding=True, truncation=True, return_tensors="pt")
    labels = torch.tensor(list(train["label"]))

    def batches():
        perm = torch.randperm(len(labels))
        return [({"input_ids": enc["input_ids"][perm[i : i + 32]], "attention_mask": enc["attention_mask"][perm[i : i + 32]]}, labels[perm[i : i + 32]])
                for i in range(0, len(labels), 32)]

    _train(model, batches, epochs, 2e-3)
    return _save(store, repo, model, tokenizer, _model_card(repo, REVIEWS, "text-classification", f"A one-layer BERT (hidden size {hidden})"))


#: the demo's models: (repo, dataset, trainer, settings)
MODELS = [
    (RepoRef("demo-org/tiny-vit-digits"), DIGITS, "image", {"hidden": 32, "layers": 1, "epochs": 10}),
    (RepoRef("demo-org/tiny-vit-digits-small"), DIGITS, "image", {"hidden": 16, "layers": 1, "epochs": 4}),
    (RepoRef("demo-org/tiny-bert-reviews"), REVIEWS, "text", {"hidden": 32, "epochs": 4}),
]


def build_all(store: LocalStore, log: Callable[[str], None] = lambda s: None) -> list[tuple[RepoRef, RepoRef]]:
    """Both datasets and every demo model; returns (model, dataset) pairs."""
    import time

    for build in (build_digits, build_reviews):
        t = time.perf_counter()
        ref = build(store)
        log(f"dataset {ref.repo_id} ({time.perf_counter() - t:.1f}s)")
    pairs = []
    for repo, dataset, kind, settings in MODELS:
        t = time.perf_counter()
        if kind == "image":
            train_image_model(store, repo, **settings)
        else:
            train_text_model(store, repo, **settings)
        log(f"model {repo.repo_id} trained on {dataset.repo_id} ({time.perf_counter() - t:.1f}s)")
        pairs.append((repo, dataset))
    return pairs
