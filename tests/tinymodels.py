"""Tiny models and datasets for the run tests, built on the fly (no download): a WordLevel tokenizer trained on the
test sentences, BERT / T5 / ViT models from small configs, datasets from dicts with ClassLabel features."""

from __future__ import annotations

import random
from pathlib import Path

POS = ["good", "great", "nice", "fine", "lovely", "superb"]
NEG = ["bad", "awful", "poor", "terrible", "nasty", "dull"]
FILL = ["the", "movie", "was", "really", "plot", "acting", "quite", "a", "film", "so", "and", "very"]
NAMES = ["alice", "bob", "carol", "dave"]
PLACES = ["paris", "rome", "oslo", "lima"]


def sentiment_texts(n: int, seed: int = 0) -> tuple[list[str], list[int]]:
    rng = random.Random(seed)
    texts, labels = [], []
    for _ in range(n):
        y = rng.randint(0, 1)
        words = [rng.choice(FILL) for _ in range(rng.randint(2, 14))]
        words.insert(rng.randint(0, len(words)), rng.choice(POS if y else NEG))
        texts.append(" ".join(words))
        labels.append(y)
    return texts, labels


def corpus() -> list[str]:
    words = POS + NEG + FILL + NAMES + PLACES + ["who", "where", "is", "in", "lives", "met", "this", "example", "entailment", "neutral", "contradiction", "?", "."]
    return [" ".join(words)] * 2


def make_tokenizer(path: Path | None = None, *, t5: bool = False):
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    if t5:
        specials = ["<pad>", "</s>", "<unk>"]
        tok = Tokenizer(models.WordLevel(unk_token="<unk>"))
    else:
        specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
        tok = Tokenizer(models.WordLevel(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit() if not t5 else pre_tokenizers.Whitespace()
    tok.train_from_iterator(corpus(), trainers.WordLevelTrainer(special_tokens=specials))
    if t5:
        eos = tok.token_to_id("</s>")
        tok.post_processor = processors.TemplateProcessing(single="$A </s>", pair="$A </s> $B:1 </s>:1", special_tokens=[("</s>", eos)])
        fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="<pad>", eos_token="</s>", unk_token="<unk>", model_max_length=64)
    else:
        cls, sep = tok.token_to_id("[CLS]"), tok.token_to_id("[SEP]")
        tok.post_processor = processors.TemplateProcessing(
            single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
        )
        fast = PreTrainedTokenizerFast(tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]", cls_token="[CLS]", sep_token="[SEP]", model_max_length=64)
    if path is not None:
        fast.save_pretrained(str(path))
    return fast


def bert_config(tok, **kw):
    from transformers import BertConfig

    return BertConfig(vocab_size=len(tok), hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64,
                      max_position_embeddings=64, pad_token_id=tok.pad_token_id, **kw)


def text_classifier(path: Path, labels=("negative", "positive"), *, train: bool = True, seed: int = 0, head: str = "seq"):
    """A BERT classifier saved in ``path`` (trained for a few steps on the sentiment sentences when ``train``)."""
    import torch
    from transformers import BertForQuestionAnswering, BertForSequenceClassification, BertForTokenClassification

    torch.manual_seed(seed)
    tok = make_tokenizer()
    id2label = {i: l for i, l in enumerate(labels)}
    cfg = bert_config(tok, num_labels=len(labels), id2label=id2label, label2id={l: i for i, l in id2label.items()})
    cls = {"seq": BertForSequenceClassification, "tok": BertForTokenClassification, "qa": BertForQuestionAnswering}[head]
    model = cls(cfg)
    if train and head == "seq":
        texts, ys = sentiment_texts(256, seed=seed + 1)
        opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
        model.train()
        for step in range(40):
            b = slice((step * 32) % 256, (step * 32) % 256 + 32)
            enc = tok(texts[b], padding=True, return_tensors="pt")
            loss = model(**enc, labels=torch.tensor(ys[b])).loss
            loss.backward()
            opt.step()
            opt.zero_grad()
        model.eval()
    model.save_pretrained(str(path))
    tok.save_pretrained(str(path))
    return path


def t5_model(path: Path, seed: int = 0):
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    torch.manual_seed(seed)
    tok = make_tokenizer(t5=True)
    cfg = T5Config(vocab_size=len(tok), d_model=32, d_kv=8, d_ff=64, num_layers=1, num_heads=2, pad_token_id=tok.pad_token_id,
                   eos_token_id=tok.eos_token_id, decoder_start_token_id=tok.pad_token_id)
    T5ForConditionalGeneration(cfg).save_pretrained(str(path))
    tok.save_pretrained(str(path))
    return path


def vit_model(path: Path, labels=("zero", "one", "two"), seed: int = 0, size: int = 16):
    import torch
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessor

    torch.manual_seed(seed)
    id2label = {i: l for i, l in enumerate(labels)}
    cfg = ViTConfig(image_size=size, patch_size=4, num_channels=3, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                    intermediate_size=64, num_labels=len(labels), id2label=id2label, label2id={l: i for i, l in id2label.items()})
    ViTForImageClassification(cfg).save_pretrained(str(path))
    ViTImageProcessor(do_resize=True, size={"height": size, "width": size}, image_mean=[0.5] * 3, image_std=[0.5] * 3).save_pretrained(str(path))
    return path


def images(n: int, n_classes: int = 3, seed: int = 0, size: int = 16):
    """Solid-colour-ish images whose class is the dominant channel."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(seed)
    out, ys = [], []
    for _ in range(n):
        y = int(rng.integers(0, n_classes))
        arr = rng.integers(0, 80, size=(size, size, 3), dtype=np.uint8)
        arr[..., y % 3] += 150
        out.append(Image.fromarray(arr))
        ys.append(y)
    return out, ys


def sentiment_dataset(n: int, seed: int = 0, names=("negative", "positive")):
    from datasets import ClassLabel, Dataset, Features, Value

    texts, ys = sentiment_texts(n, seed)
    return Dataset.from_dict({"sentence": texts, "label": ys}, features=Features({"sentence": Value("string"), "label": ClassLabel(names=list(names))}))


def tiny_llama(out: Path) -> Path:
    """A 2-layer Llama (about 100k parameters) with a byte-level BPE tokenizer trained on arithmetic questions."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    corpus = [f"Question: what is {a} plus {b}? Answer: {a + b}" for a in range(30) for b in range(30)]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(corpus, trainers.BpeTrainer(vocab_size=512, special_tokens=["<|endoftext|>"],
                                                        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    special = "<|endoftext|>"
    hf_tok = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token=special, eos_token=special, unk_token=special, pad_token=special)
    cfg = LlamaConfig(vocab_size=len(hf_tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                      num_key_value_heads=2, max_position_embeddings=256, bos_token_id=hf_tok.bos_token_id,
                      eos_token_id=hf_tok.eos_token_id, pad_token_id=hf_tok.pad_token_id, tie_word_embeddings=True)
    torch.manual_seed(0)
    LlamaForCausalLM(cfg).save_pretrained(out)
    hf_tok.save_pretrained(out)
    return out
