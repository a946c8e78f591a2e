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

    sizes = dict(hidden_size=32, num_hidden_layers=1, num_attention_heads=2, intermediate_size=64)
    sizes.update(kw)
    return BertConfig(vocab_size=len(tok), max_position_embeddings=64, pad_token_id=tok.pad_token_id, **sizes)


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


# -- models that have learned something (for the reference tests: tests/test_run_reference.py) -----------------------
#
# Each trains for a fraction of a second to a few seconds on CPU (one thread) on a synthetic task small enough to
# learn that fast, so that it is far better than chance: a scorer that picks the lowest class, swaps answer start
# and end or shifts label ids then gives clearly different numbers.

NEUTRAL = ["okay", "average", "plain", "mixed", "middling", "meh"]
SURNAMES = ["smith", "jones", "brown", "white"]
DIRS = ["north", "south", "east", "west"]
CLASS_WORDS = ["positive", "negative", "neutral", "this", "example", "is", "where", "does", "live", "lives", "in", "?", ".",
               "summarize", "translate", ":", "movie", "film", "le", "est", "bon", "mauvais", "moyen", "long"]
#: sentiment word -> its "translation" (the target of the translation examples)
TRANSLATE = {**{w: "bon" for w in POS}, **{w: "mauvais" for w in NEG}, **{w: "moyen" for w in NEUTRAL}}


def word_tokenizer(path: Path | None = None, *, t5: bool = False):
    """A WordLevel tokenizer that lower-cases and splits punctuation off (``This example is positive.`` -> 5 tokens),
    over every word the trained models below use."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    words = POS + NEG + NEUTRAL + FILL + NAMES + SURNAMES + PLACES + DIRS + CLASS_WORDS
    specials = ["<pad>", "</s>", "<unk>"] if t5 else ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
    tok = Tokenizer(models.WordLevel(unk_token=specials[2] if t5 else "[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.train_from_iterator([" ".join(words)], trainers.WordLevelTrainer(special_tokens=specials))
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


def sentiment3_texts(n: int, seed: int = 0, weights=(0.5, 0.3, 0.2), max_fill: int = 12, *, literal: bool = False) -> tuple[list[str], list[str]]:
    """Sentences with one negative, neutral or positive word (``literal``: the class name itself) among up to
    ``max_fill`` filler words; classes drawn with ``weights`` (unbalanced, so macro, micro and weighted averages
    differ)."""
    rng = random.Random(seed)
    texts, labels = [], []
    for _ in range(n):
        y = rng.choices(["negative", "neutral", "positive"], weights=weights)[0]
        words = [rng.choice(FILL) for _ in range(rng.randint(0 if max_fill < 12 else 1, max_fill))]
        words.insert(rng.randint(0, len(words)), y if literal else rng.choice({"negative": NEG, "neutral": NEUTRAL, "positive": POS}[y]))
        texts.append(" ".join(words))
        labels.append(y)
    return texts, labels


def _fit(model, batches, steps: int, lr: float = 3e-3) -> None:
    """``steps`` AdamW steps on ``batches(step) -> dict of model inputs with labels``."""
    import torch

    opt = torch.optim.AdamW(model.parameters(), lr=lr)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: one thread is faster, and much faster on a busy machine
    model.train()
    try:
        for step in range(steps):
            loss = model(**batches(step)).loss
            loss.backward()
            opt.step()
            opt.zero_grad()
    finally:
        torch.set_num_threads(threads)
    model.eval()


def trained_classifier(path: Path, labels: tuple[str, ...], examples: list[tuple], *, steps: int = 150, seed: int = 0):
    """A BERT sequence classifier (no dropout) trained on ``examples`` (``(text, label)`` or ``(text1, text2,
    label)``), saved with its tokenizer; its class ids follow ``labels`` (whatever order the dataset uses)."""
    import torch
    from transformers import BertForSequenceClassification

    torch.manual_seed(seed)
    tok = word_tokenizer()
    id2label = dict(enumerate(labels))
    model = BertForSequenceClassification(bert_config(tok, num_labels=len(labels), id2label=id2label, label2id={l: i for i, l in id2label.items()},
                                                      hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0))
    ids = {l: i for i, l in id2label.items()}
    bs = 32

    def batch(step):
        rows = [examples[(step * bs + j) % len(examples)] for j in range(bs)]
        enc = tok(*[list(c) for c in zip(*[r[:-1] for r in rows])], padding=True, return_tensors="pt")
        return {**enc, "labels": torch.tensor([ids[r[-1]] for r in rows])}

    _fit(model, batch, steps)
    model.save_pretrained(str(path))
    tok.save_pretrained(str(path))
    return path


def nli_examples(n: int, seed: int = 0) -> list[tuple[str, str, str]]:
    """(premise, hypothesis, label): ``This example is <class>.`` is entailed by a short sentence naming that class
    (``the plot was positive``), contradicted by one naming another; ``... is long.`` is neutral. A one-layer model
    learns to compare the two segments in a few seconds only when the premise names the class itself."""
    rng = random.Random(seed)
    texts, ys = sentiment3_texts(n, seed, weights=(1, 1, 1), max_fill=4, literal=True)
    out = []
    for t, y in zip(texts, ys):
        r = rng.random()
        c = y if r < 0.4 else "long" if r < 0.6 else rng.choice([x for x in ("negative", "neutral", "positive") if x != y])
        out.append((t, f"This example is {c}.", "neutral" if c == "long" else "entailment" if c == y else "contradiction"))
    return out


def trained_nli(path: Path, labels: tuple[str, ...] = ("entailment", "neutral", "contradiction"), *, seed: int = 0,
                max_steps: int = 2000):
    """A BERT NLI model trained on :func:`nli_examples` until it gets 95% of held-out pairs right. Comparing the
    segments is learnt suddenly, after a plateau whose length depends on the seed, so training goes on in rounds
    of 100 steps and starts again from another seed when a run is stuck at the plateau."""
    import torch
    from transformers import BertForSequenceClassification

    tok = word_tokenizer()
    id2label = dict(enumerate(labels))
    ids = {l: i for i, l in id2label.items()}
    held = nli_examples(128, seed=10_000 + seed)
    held_enc = tok([e[0] for e in held], [e[1] for e in held], padding=True, return_tensors="pt")
    held_y = torch.tensor([ids[e[2]] for e in held])
    for attempt in range(4):
        torch.manual_seed(seed + attempt)
        # eight heads of four dimensions: the comparison is learnt several times sooner than with two
        model = BertForSequenceClassification(bert_config(tok, num_labels=len(labels), id2label=id2label, label2id=ids, num_attention_heads=8,
                                                          hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0))
        exs = nli_examples(512, seed + attempt + 1)

        def batch(step):
            rows = [exs[(step * 32 + j) % len(exs)] for j in range(32)]
            enc = tok([r[0] for r in rows], [r[1] for r in rows], padding=True, return_tensors="pt")
            return {**enc, "labels": torch.tensor([ids[r[2]] for r in rows])}

        acc = 0.0
        for k in range(max_steps // 100):
            _fit(model, lambda step: batch(step + 100 * k), 100)
            with torch.no_grad():
                acc = float((model(**held_enc).logits.argmax(-1) == held_y).float().mean())
            if acc >= 0.95 or (k >= 11 and acc < 0.75):
                break
        if acc >= 0.95:
            break
    model.save_pretrained(str(path))
    tok.save_pretrained(str(path))
    return path


TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]


def ner_examples(n: int, seed: int = 0) -> tuple[list[list[str]], list[list[str]]]:
    """Sentences with a person (one or two words) and a place (one or two words) among filler words; the last word
    sometimes ends with a full stop (two tokens for one word)."""
    rng = random.Random(seed)
    sents, tags = [], []
    for _ in range(n):
        parts: list[tuple[list[str], str]] = [([rng.choice(FILL)], "O") for _ in range(rng.randint(0, 4))]
        per = [rng.choice(NAMES)] + ([rng.choice(SURNAMES)] if rng.random() < 0.5 else [])
        loc = ([rng.choice(DIRS)] if rng.random() < 0.5 else []) + [rng.choice(PLACES)]
        parts.insert(rng.randint(0, len(parts)), (per, "PER"))
        parts.insert(rng.randint(0, len(parts)), (loc, "LOC"))
        ws, ts = [], []
        for words, kind in parts:
            for k, w in enumerate(words):
                ws.append(w)
                ts.append("O" if kind == "O" else ("B-" if k == 0 else "I-") + kind)
        if rng.random() < 0.3:  # a word of two tokens ("paris." -> "paris", "."): its first token tags it
            ws[-1] += "."
        sents.append(ws)
        tags.append(ts)
    return sents, tags


def trained_tagger(path: Path, labels: tuple[str, ...] = tuple(TAGS), *, steps: int = 20, seed: int = 0):
    """A BERT token classifier trained on :func:`ner_examples` (class ids in the order of ``labels``)."""
    import torch
    from transformers import BertForTokenClassification

    torch.manual_seed(seed)
    tok = word_tokenizer()
    id2label = dict(enumerate(labels))
    ids = {l: i for i, l in id2label.items()}
    model = BertForTokenClassification(bert_config(tok, num_labels=len(labels), id2label=id2label, label2id=ids))
    sents, tags = ner_examples(256, seed + 1)
    bs = 32

    def batch(step):
        sl = slice((step * bs) % 256, (step * bs) % 256 + bs)
        enc = tok(sents[sl], is_split_into_words=True, padding=True, return_tensors="pt")
        lab = [[-100 if w is None else ids[ts[w]] for w in enc.word_ids(i)] for i, ts in enumerate(tags[sl])]
        return {**enc, "labels": torch.tensor(lab)}

    _fit(model, batch, steps)
    model.save_pretrained(str(path))
    tok.save_pretrained(str(path))
    return path


def qa_examples(n: int, seed: int = 0) -> list[dict]:
    """``{"question", "context", "answer", "start"}``: where someone lives; the answer is a direction and a place
    (two words). Half the contexts also say where someone else lives, so a model that only spots place words gets
    some answers wrong or half right."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        name, other = rng.sample(NAMES, 2)
        answer, decoy = f"{rng.choice(DIRS)} {rng.choice(PLACES)}", f"{rng.choice(DIRS)} {rng.choice(PLACES)}"
        fill = " ".join(rng.choice(FILL) for _ in range(rng.randint(0, 4)))
        clauses = [f"{name} lives in {answer} ."] + ([f"{other} lives in {decoy} ."] if rng.random() < 0.5 else [])
        rng.shuffle(clauses)
        context = " ".join(x for x in (fill, *clauses) if x)
        start = context.index(f"{name} lives in ") + len(f"{name} lives in ")
        out.append({"question": f"where does {name} live ?", "context": context, "answer": answer, "start": start})
    return out


def trained_qa(path: Path, *, steps: int = 60, seed: int = 0):
    """A BERT extractive QA model trained on :func:`qa_examples`."""
    import torch
    from transformers import BertForQuestionAnswering

    torch.manual_seed(seed)
    tok = word_tokenizer()
    model = BertForQuestionAnswering(bert_config(tok, num_labels=2))
    exs = qa_examples(256, seed + 1)
    bs = 32

    def batch(step):
        rows = exs[(step * bs) % 256: (step * bs) % 256 + bs]
        enc = tok([r["question"] for r in rows], [r["context"] for r in rows], padding=True, return_offsets_mapping=True, return_tensors="pt")
        offs = enc.pop("offset_mapping").tolist()
        starts, ends = [], []
        for i, r in enumerate(rows):
            a, b = r["start"], r["start"] + len(r["answer"])
            sids = enc.sequence_ids(i)
            toks = [t for t, (o, s) in enumerate(zip(offs[i], sids)) if s == 1 and o[0] >= a and o[1] <= b]
            starts.append(toks[0])
            ends.append(toks[-1])
        return {**enc, "start_positions": torch.tensor(starts), "end_positions": torch.tensor(ends)}

    _fit(model, batch, steps)
    model.save_pretrained(str(path))
    tok.save_pretrained(str(path))
    return path


def seq2seq_examples(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """``summarize: <sentence>`` -> ``<its sentiment word> movie``; ``translate: <sentence>`` -> ``le film est <the
    word's translation> .`` (long enough for BLEU's 4-grams). One model does both, told apart by the prefix alone."""
    rng = random.Random(seed)
    out = []
    texts, _ = sentiment3_texts(n, seed, weights=(1, 1, 1))
    for t in texts:
        word = next(w for w in t.split() if w in TRANSLATE)
        if rng.random() < 0.5:
            out.append(("summarize: " + t, f"{word} movie"))
        else:
            out.append(("translate: " + t, f"le film est {TRANSLATE[word]} ."))
    return out


def trained_t5(path: Path, *, steps: int = 250, seed: int = 0):
    """A tiny T5 trained on :func:`seq2seq_examples`; its config's ``task_specific_params`` name both prefixes, as
    t5-small's do."""
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    torch.manual_seed(seed)
    tok = word_tokenizer(t5=True)
    cfg = T5Config(vocab_size=len(tok), d_model=64, d_kv=16, d_ff=128, num_layers=1, num_heads=4, pad_token_id=tok.pad_token_id,
                   eos_token_id=tok.eos_token_id, decoder_start_token_id=tok.pad_token_id,
                   task_specific_params={"summarization": {"prefix": "summarize: "}, "translation_en_to_fr": {"prefix": "translate: "}})
    model = T5ForConditionalGeneration(cfg)
    exs = seq2seq_examples(256, seed + 1)
    bs = 32

    def batch(step):
        rows = exs[(step * bs) % 256: (step * bs) % 256 + bs]
        enc = tok([r[0] for r in rows], padding=True, return_tensors="pt")
        lab = tok([r[1] for r in rows], padding=True, return_tensors="pt").input_ids
        lab[lab == tok.pad_token_id] = -100
        return {**enc, "labels": lab}

    _fit(model, batch, steps, lr=1e-2)
    model.save_pretrained(str(path))
    tok.save_pretrained(str(path))
    return path


IMAGE_CLASSES = ("zero", "one", "two")


def trained_vit(path: Path, labels=IMAGE_CLASSES, *, steps: int = 8, seed: int = 0, size: int = 16):
    """:func:`vit_model` trained on :func:`images`: class ``y`` of an image is ``IMAGE_CLASSES[y]`` (its dominant
    colour channel), whose id in the model is its position in ``labels``, or ``y`` for generic ``LABEL_i`` labels."""
    import torch
    from transformers import ViTForImageClassification, ViTImageProcessor

    vit_model(path, labels=labels, seed=seed, size=size)
    model = ViTForImageClassification.from_pretrained(str(path))
    proc = ViTImageProcessor.from_pretrained(str(path))
    imgs, ys = images(128, n_classes=len(labels), seed=seed + 1, size=size)
    if not all(str(l).startswith("LABEL_") for l in labels):
        ys = [list(labels).index(IMAGE_CLASSES[y]) for y in ys]
    pix = proc(images=imgs, return_tensors="pt")["pixel_values"]
    bs = 32

    def batch(step):
        sl = slice((step * bs) % 128, (step * bs) % 128 + bs)
        return {"pixel_values": pix[sl], "labels": torch.tensor(ys[sl])}

    _fit(model, batch, steps)
    model.save_pretrained(str(path))
    return path
