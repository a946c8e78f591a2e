"""Per task: which dataset columns it reads (through the spec's ``col_mapping``), which ``AutoModelFor...`` class
runs it, how a batch of rows becomes model inputs, and how outputs become predictions.

A task works on *rows* (``{column: [values...]}`` for one batch, as ``datasets.Dataset.__getitem__`` returns them)
in three steps, so the engine can prepare the next batch while the model runs the current one:

- :meth:`Task.prepare` rows -> a :class:`Prepared` batch (tensors on CPU plus what decoding needs; no model);
- :meth:`Task.forward` the model on a prepared batch (inside ``torch.inference_mode``) -> raw outputs;
- :meth:`Task.decode` outputs -> predictions (and class scores where the task has classes).

References are read from the same rows by :meth:`Task.references`. Labels of the model and the dataset are
aligned by name (:func:`align_labels`); a clear error says when they cannot be.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from ..errors import EvalcardError, UsageError

# -- labels -----------------------------------------------------------------------------------------------------------

def _norm_label(name: Any) -> str:
    from .data import normalize_label

    return normalize_label(name)


_LABEL_I = re.compile(r"^label[_\s-]?(\d+)$", re.I)
_NUMBER = re.compile(r"^\d+$")


def align_labels(model_id2label: dict[int, str], dataset_names: Sequence[str], *, allow_extra: bool = False) -> dict[int, int]:
    """Model class id -> dataset class id (:func:`evalcard.run.data.align_labels`: by name, or by position for
    generic ``LABEL_i`` names); a dataset without class names takes the model's ids as they are. A model with
    generic names and a dataset whose classes are numbers (digits ``0``..``9``) align by number: ``LABEL_3`` is class
    ``3``. Raised errors name both label sets; the hint says what to do."""
    from .data import align_labels as _align

    if not dataset_names:
        return {int(k): int(k) for k in model_id2label}
    generic = {int(k): _LABEL_I.match(str(v)) for k, v in model_id2label.items()}
    if generic and all(generic.values()) and all(_NUMBER.match(str(n)) for n in dataset_names):
        model_id2label = {k: g.group(1) for k, g in generic.items()}  # type: ignore[union-attr]
    try:
        return _align(model_id2label, list(dataset_names), allow_extra=allow_extra)
    except UsageError:
        raise
    except EvalcardError as e:
        raise UsageError(e.message, hint=(e.hint + ". " if e.hint else "") + "Evaluate a model trained for this label set, or fix the model's config id2label / the dataset's ClassLabel names.") from None


# -- columns ----------------------------------------------------------------------------------------------------------


def get_path(rows: dict[str, list], column: str) -> list:
    """Values of ``column`` for every row of a batch; ``answers.text`` reads field ``text`` of column ``answers``."""
    if column in rows:
        return rows[column]
    head, _, rest = column.partition(".")
    if not rest or head not in rows:
        raise KeyError(column)
    out = []
    for v in rows[head]:
        for part in rest.split("."):
            v = v[part] if isinstance(v, dict) else [x[part] for x in v]
        out.append(v)
    return out


def role_columns(task: "Task", col_mapping: dict[str, str], column_names: Sequence[str]) -> dict[str, str]:
    """Role -> dataset column, from ``col_mapping`` (column -> role) plus columns named like the role."""
    roles: dict[str, str] = {}
    for col, role in (col_mapping or {}).items():
        roles[str(role)] = str(col)
    cols = set(column_names)
    for role in task.roles + task.optional_roles:
        if role in roles:
            continue
        for cand in (role, *task.default_columns.get(role, ())):
            head = cand.split(".")[0]
            if cand in cols or head in cols:
                roles[role] = cand
                break
    missing = [r for r in task.roles if r not in roles]
    bad = {r: c for r, c in roles.items() if c not in cols and c.split(".")[0] not in cols}
    if missing or bad:
        what = []
        if missing:
            what.append(f"no column for {', '.join(missing)}")
        if bad:
            what.append(", ".join(f"column {c!r} (for {r}) is not in the dataset" for r, c in bad.items()))
        raise UsageError(
            f"{task.task_id}: {'; '.join(what)}; the dataset has columns {sorted(cols)}",
            hint="Map columns to roles with --col-mapping COLUMN=ROLE (e.g. --col-mapping sentence=text --col-mapping label=target).",
        )
    return roles


# -- the tasks --------------------------------------------------------------------------------------------------------


@dataclass
class Prepared:
    """A batch ready for the model: ``inputs`` (tensors, on CPU) and what decoding needs."""

    inputs: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    """What a task needs besides the rows: the processor, the model config, label alignment, limits."""

    processor: Any
    config: Any
    roles: dict[str, str]
    #: dataset class names (classification, tags) or None
    label_names: list[str] | None = None
    #: model class id -> dataset class id
    align: dict[int, int] | None = None
    max_length: int = 512
    max_new_tokens: int = 128
    #: keep per-example class scores (for roc_auc / loss)
    want_scores: bool = False
    #: extra settings that change the numbers (recorded in provenance)
    settings: dict[str, Any] = field(default_factory=dict)


class Task:
    task_id: str = ""
    kind: str = "label"  # prediction kind, see metrics.KINDS
    roles: tuple[str, ...] = ()
    optional_roles: tuple[str, ...] = ()
    default_columns: dict[str, tuple[str, ...]] = {}
    auto_class: str = "AutoModelForSequenceClassification"
    #: "tokenizer" or "image"
    processor: str = "tokenizer"
    #: roles whose length orders the batches (empty: keep dataset order)
    length_roles: tuple[str, ...] = ()

    # -- setup -----------------------------------------------------------------------------------------------------
    def setup(self, ctx: Context, features: Any) -> None:
        """Fill ``ctx.label_names`` / ``ctx.align`` (raises when labels cannot be aligned)."""

    # -- per batch -------------------------------------------------------------------------------------------------
    def prepare(self, rows: dict[str, list], ctx: Context) -> Prepared:
        raise NotImplementedError

    def forward(self, model: Any, batch: Prepared, ctx: Context) -> Any:
        return model(**batch.inputs)

    def decode(self, out: Any, batch: Prepared, ctx: Context) -> tuple[list, list | None]:
        raise NotImplementedError

    def references(self, rows: dict[str, list], ctx: Context) -> list:
        raise NotImplementedError


def _class_names(feature: Any) -> list[str] | None:
    names = getattr(feature, "names", None)
    if names:
        return list(names)
    inner = getattr(feature, "feature", None)  # Sequence(ClassLabel) / List(ClassLabel)
    if inner is not None:
        return _class_names(inner)
    return None


def _feature(features: Any, column: str) -> Any:
    if features is None:
        return None
    if column in features:
        return features[column]
    head, _, rest = column.partition(".")
    f = features.get(head) if hasattr(features, "get") else None
    for part in rest.split(".") if rest else ():
        f = f.get(part) if isinstance(f, dict) else getattr(f, "feature", {}).get(part) if f is not None else None
    return f


def _id2label(config: Any) -> dict[int, str]:
    m = getattr(config, "id2label", None) or {}
    return {int(k): str(v) for k, v in m.items()}


class _Classification(Task):
    """Shared by text, sentence-pair and image classification: one class per example."""

    default_columns = {"target": ("label", "labels")}

    def setup(self, ctx: Context, features: Any) -> None:
        names = _class_names(_feature(features, ctx.roles["target"]))
        model_labels = _id2label(ctx.config)
        if names is None:
            # strings or plain ints: use the model's label names, references are matched to them by name
            names = [model_labels[k] for k in sorted(model_labels)]
            ctx.settings["labels_from"] = "model"
        ctx.label_names = names
        ctx.align = align_labels(model_labels, names)

    def decode(self, out: Any, batch: Prepared, ctx: Context) -> tuple[list, list | None]:
        import torch

        logits = out.logits.float()
        ids = logits.argmax(-1).tolist()
        preds = [ctx.align.get(i, -1) for i in ids]  # type: ignore[union-attr]
        scores = None
        if ctx.want_scores:
            probs = torch.softmax(logits, -1).tolist()
            n = len(ctx.label_names or ())
            scores = []
            for p in probs:
                row = [0.0] * n
                for m, d in ctx.align.items():  # type: ignore[union-attr]
                    if d >= 0:
                        row[d] += p[m]
                scores.append(row)
        return preds, scores

    def references(self, rows: dict[str, list], ctx: Context) -> list:
        out = []
        by_name = {_norm_label(n): i for i, n in enumerate(ctx.label_names or ())}
        for v in get_path(rows, ctx.roles["target"]):
            if isinstance(v, bool) or v is None:
                raise UsageError(f"target {v!r} is not a class", hint="Map the label column with --col-mapping COLUMN=target.")
            if isinstance(v, int):
                out.append(v)
            elif _norm_label(v) in by_name:
                out.append(by_name[_norm_label(v)])
            else:
                raise UsageError(f"label {v!r} is not one of the model's labels {ctx.label_names}")
        return out


class TextClassification(_Classification):
    task_id = "multi_class_classification"
    roles = ("text", "target")
    default_columns = {"target": ("label", "labels"), "text": ("sentence", "content")}
    length_roles = ("text",)

    def text_roles(self) -> tuple[str, ...]:
        return ("text",)

    def prepare(self, rows: dict[str, list], ctx: Context) -> Prepared:
        texts = [get_path(rows, ctx.roles[r]) for r in self.text_roles()]
        texts = [[str(t) for t in col] for col in texts]
        enc = ctx.processor(*texts, padding=True, truncation=True, max_length=ctx.max_length, return_tensors="pt")
        return Prepared(dict(enc))


class BinaryClassification(TextClassification):
    task_id = "binary_classification"


class NaturalLanguageInference(TextClassification):
    task_id = "natural_language_inference"
    roles = ("text1", "text2", "target")
    default_columns = {"target": ("label", "labels"), "text1": ("premise", "sentence1"), "text2": ("hypothesis", "sentence2")}
    length_roles = ("text1", "text2")

    def text_roles(self) -> tuple[str, ...]:
        return ("text1", "text2")


class ImageClassification(_Classification):
    task_id = "image_multi_class_classification"
    roles = ("image", "target")
    default_columns = {"target": ("label", "labels"), "image": ("img", "pixel_values")}
    auto_class = "AutoModelForImageClassification"
    processor = "image"

    def prepare(self, rows: dict[str, list], ctx: Context) -> Prepared:
        images = []
        for im in get_path(rows, ctx.roles["image"]):
            if isinstance(im, dict) and ("bytes" in im or "path" in im):  # undecoded datasets Image
                import io

                from PIL import Image

                im = Image.open(io.BytesIO(im["bytes"])) if im.get("bytes") else Image.open(im["path"])
            images.append(im.convert("RGB") if hasattr(im, "convert") else im)
        enc = ctx.processor(images=images, return_tensors="pt")
        return Prepared({"pixel_values": enc["pixel_values"]})


class ImageBinaryClassification(ImageClassification):
    task_id = "image_binary_classification"


class ZeroShotClassification(Task):
    """An NLI model scores ``hypothesis_template.format(class)`` against the text for every candidate class; the
    prediction is the class with the highest entailment logit (softmax over the candidates gives the scores)."""

    task_id = "text_zero_shot_classification"
    roles = ("text", "target")
    optional_roles = ("classes",)
    default_columns = {"target": ("label", "labels"), "classes": ("candidate_labels",)}
    length_roles = ("text",)
    hypothesis_template = "This example is {}."

    def setup(self, ctx: Context, features: Any) -> None:
        label2id = {_norm_label(v): k for k, v in _id2label(ctx.config).items()}
        ent = next((i for n, i in label2id.items() if n.startswith("entail")), None)
        if ent is None:
            raise UsageError(
                f"zero-shot classification needs an NLI model with an 'entailment' label; this one has {sorted(_id2label(ctx.config).values())}",
                hint="Use a model fine-tuned on MNLI/XNLI (its config id2label names 'entailment').",
            )
        ctx.settings.update(entailment_id=ent, hypothesis_template=self.hypothesis_template)
        # without a classes column every example is scored against the target's class names
        ctx.label_names = None if "classes" in ctx.roles else _class_names(_feature(features, ctx.roles["target"]))
        if "classes" not in ctx.roles and not ctx.label_names:
            raise UsageError("zero-shot classification needs candidate classes: a classes column or a ClassLabel target",
                             hint="Map a column of candidate labels with --col-mapping COLUMN=classes.")

    def _row_classes(self, rows: dict[str, list], ctx: Context) -> list[list[str]]:
        if "classes" in ctx.roles:
            return [self._classes(c) for c in get_path(rows, ctx.roles["classes"])]
        return [list(ctx.label_names or [])] * len(get_path(rows, ctx.roles["target"]))

    @staticmethod
    def _classes(v: Any) -> list[str]:
        if isinstance(v, str):
            return [c.strip() for c in v.split(",") if c.strip()]
        return [str(c) for c in v]

    def prepare(self, rows: dict[str, list], ctx: Context) -> Prepared:
        texts = [str(t) for t in get_path(rows, ctx.roles["text"])]
        classes = self._row_classes(rows, ctx)
        first, second, sizes = [], [], []
        for t, cs in zip(texts, classes):
            first.extend([t] * len(cs))
            second.extend(self.hypothesis_template.format(c) for c in cs)
            sizes.append(len(cs))
        enc = ctx.processor(first, second, padding=True, truncation="only_first", max_length=ctx.max_length, return_tensors="pt")
        return Prepared(dict(enc), {"sizes": sizes})

    def decode(self, out: Any, batch: Prepared, ctx: Context) -> tuple[list, list | None]:
        import torch

        ent = out.logits.float()[:, ctx.settings["entailment_id"]]
        preds, scores, i = [], [], 0
        for k in batch.meta["sizes"]:
            e = ent[i : i + k]
            i += k
            preds.append(int(e.argmax()))
            scores.append(torch.softmax(e, -1).tolist())
        return preds, scores if ctx.want_scores else None

    def references(self, rows: dict[str, list], ctx: Context) -> list:
        out = []
        for v, cs in zip(get_path(rows, ctx.roles["target"]), self._row_classes(rows, ctx)):
            if isinstance(v, int) and not isinstance(v, bool):
                out.append(v)
            elif str(v) in cs:
                out.append(cs.index(str(v)))
            else:
                raise UsageError(f"target {v!r} is not one of the candidate classes {cs}")
        return out


class TokenClassification(Task):
    """Word-level tags: each word takes the prediction of its first sub-token; words cut off by truncation get
    ``O``. Scored with seqeval (entity level)."""

    task_id = "entity_extraction"
    kind = "tags"
    roles = ("tokens", "tags")
    default_columns = {"tags": ("ner_tags", "labels", "tags")}
    auto_class = "AutoModelForTokenClassification"
    length_roles = ("tokens",)

    def setup(self, ctx: Context, features: Any) -> None:
        names = _class_names(_feature(features, ctx.roles["tags"]))
        model_labels = _id2label(ctx.config)
        if names is None:
            names = [model_labels[k] for k in sorted(model_labels)]
        ctx.label_names = names
        ctx.align = align_labels(model_labels, names, allow_extra=True)  # entity types the dataset lacks count as wrong

    def prepare(self, rows: dict[str, list], ctx: Context) -> Prepared:
        words = [[str(w) for w in ws] for ws in get_path(rows, ctx.roles["tokens"])]
        enc = ctx.processor(words, is_split_into_words=True, padding=True, truncation=True, max_length=ctx.max_length, return_tensors="pt")
        word_ids = [enc.word_ids(i) for i in range(len(words))]
        return Prepared(dict(enc), {"word_ids": word_ids, "n_words": [len(w) for w in words]})

    def decode(self, out: Any, batch: Prepared, ctx: Context) -> tuple[list, list | None]:
        ids = out.logits.argmax(-1).tolist()
        names = ctx.label_names or []
        preds = []
        for row, wids, n in zip(ids, batch.meta["word_ids"], batch.meta["n_words"]):
            tags = ["O"] * n
            seen = set()
            for tok, w in enumerate(wids):
                if w is None or w in seen or w >= n:
                    continue
                seen.add(w)
                d = ctx.align.get(row[tok], -1)  # type: ignore[union-attr]
                tags[w] = names[d] if d >= 0 else "O"
            preds.append(tags)
        return preds, None

    def references(self, rows: dict[str, list], ctx: Context) -> list:
        names = ctx.label_names or []
        return [[names[t] if isinstance(t, int) else str(t) for t in tags] for tags in get_path(rows, ctx.roles["tags"])]


class ExtractiveQA(Task):
    """The best span (start <= end, at most ``max_answer_tokens``) of the context by start + end logit, from the
    first window of ``max_length`` tokens. Scored with SQuAD v1.1 exact match and F1."""

    task_id = "extractive_question_answering"
    kind = "span"
    roles = ("question", "context", "answers.text")
    optional_roles = ("answers.answer_start",)
    default_columns = {"answers.text": ("answers.text",), "answers.answer_start": ("answers.answer_start",)}
    auto_class = "AutoModelForQuestionAnswering"
    length_roles = ("question", "context")
    max_answer_tokens = 30

    def prepare(self, rows: dict[str, list], ctx: Context) -> Prepared:
        qs = [str(q).lstrip() for q in get_path(rows, ctx.roles["question"])]
        cs = [str(c) for c in get_path(rows, ctx.roles["context"])]
        enc = ctx.processor(qs, cs, padding=True, truncation="only_second", max_length=ctx.max_length, return_offsets_mapping=True, return_tensors="pt")
        offsets = enc.pop("offset_mapping").tolist()
        seq_ids = [enc.sequence_ids(i) for i in range(len(qs))]
        return Prepared(dict(enc), {"offsets": offsets, "seq_ids": seq_ids, "contexts": cs})

    def decode(self, out: Any, batch: Prepared, ctx: Context) -> tuple[list, list | None]:
        import torch

        start, end = out.start_logits.float(), out.end_logits.float()
        preds = []
        for i, (offs, sids, ctext) in enumerate(zip(batch.meta["offsets"], batch.meta["seq_ids"], batch.meta["contexts"])):
            mask = torch.tensor([s == 1 for s in sids])
            if not mask.any():
                preds.append("")
                continue
            s = start[i].masked_fill(~mask, float("-inf"))
            e = end[i].masked_fill(~mask, float("-inf"))
            scores = s[:, None] + e[None, :]
            n = scores.shape[0]
            band = torch.ones(n, n, dtype=torch.bool).triu().tril(self.max_answer_tokens - 1)
            scores = scores.masked_fill(~band, float("-inf"))
            flat = int(scores.argmax())
            a, b = divmod(flat, n)
            preds.append(ctext[offs[a][0] : offs[b][1]])
        return preds, None

    def references(self, rows: dict[str, list], ctx: Context) -> list:
        out = []
        for v in get_path(rows, ctx.roles["answers.text"]):
            out.append([str(v)] if isinstance(v, str) else [str(x) for x in v])
        return out


class Summarization(Task):
    """Greedy ``generate`` (one beam, ``max_new_tokens`` bounded); scored with ROUGE."""

    task_id = "summarization"
    kind = "text"
    roles = ("text", "target")
    default_columns = {"text": ("document", "article"), "target": ("summary", "highlights")}
    auto_class = "AutoModelForSeq2SeqLM"
    length_roles = ("text",)
    source_role = "text"
    prefix_key = "summarization"

    def setup(self, ctx: Context, features: Any) -> None:
        params = getattr(ctx.config, "task_specific_params", None) or {}
        keys = [k for k in params if k == self.prefix_key or k.startswith(self.prefix_key + "_")]
        prefix = params[keys[0]].get("prefix", "") if len(keys) == 1 else ""
        ctx.settings.update(prefix=prefix, max_new_tokens=ctx.max_new_tokens, num_beams=1, do_sample=False)

    def prepare(self, rows: dict[str, list], ctx: Context) -> Prepared:
        prefix = ctx.settings.get("prefix", "")
        src = [prefix + str(t) for t in get_path(rows, ctx.roles[self.source_role])]
        enc = ctx.processor(src, padding=True, truncation=True, max_length=ctx.max_length, return_tensors="pt")
        return Prepared(dict(enc))

    def forward(self, model: Any, batch: Prepared, ctx: Context) -> Any:
        return model.generate(**batch.inputs, max_new_tokens=ctx.max_new_tokens, num_beams=1, do_sample=False)

    def decode(self, out: Any, batch: Prepared, ctx: Context) -> tuple[list, list | None]:
        return [t.strip() for t in ctx.processor.batch_decode(out, skip_special_tokens=True)], None

    def references(self, rows: dict[str, list], ctx: Context) -> list:
        return [v if isinstance(v, str) else [str(x) for x in v] for v in get_path(rows, ctx.roles["target"])]


class Translation(Summarization):
    task_id = "translation"
    roles = ("source", "target")
    default_columns = {}
    length_roles = ("source",)
    source_role = "source"
    prefix_key = "translation"


TASKS: dict[str, Task] = {
    t.task_id: t
    for t in (
        BinaryClassification(),
        TextClassification(),
        NaturalLanguageInference(),
        ZeroShotClassification(),
        TokenClassification(),
        ExtractiveQA(),
        Summarization(),
        Translation(),
        ImageBinaryClassification(),
        ImageClassification(),
    )
}


def get_task(task_id: str) -> Task:
    try:
        return TASKS[task_id]
    except KeyError:
        raise UsageError(f"evalcard cannot run task {task_id!r}", hint=f"Tasks it runs: {', '.join(TASKS)}.") from None


def default_metrics(task_id: str) -> list:
    """The metrics a task is scored with when the spec names none (:func:`evalcard.run.spec.default_metrics`)."""
    from .spec import default_metrics as _defaults

    get_task(task_id)
    return _defaults(task_id)
