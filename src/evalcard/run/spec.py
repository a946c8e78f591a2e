"""What to evaluate: :class:`EvalSpec` (model + dataset + task + column mapping + metrics + run settings).

Specs come from a dataset card's ``train-eval-index`` when present, else from a benchmark's ``eval.yaml``, else from
the dataset's features; every field can be overridden on the command line. No heavy imports here.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from dataclasses import replace as _replace
from typing import Any

from ..errors import UsageError

#: task ids of ``train-eval-index`` (AutoTrain ids) evalcard can run -> Hub task (pipeline tag)
TASK_IDS: dict[str, str] = {
    "binary_classification": "text-classification",
    "multi_class_classification": "text-classification",
    "natural_language_inference": "text-classification",
    "text_zero_shot_classification": "zero-shot-classification",
    "entity_extraction": "token-classification",
    "extractive_question_answering": "question-answering",
    "summarization": "summarization",
    "translation": "translation",
    "image_binary_classification": "image-classification",
    "image_multi_class_classification": "image-classification",
}


@dataclass
class MetricSpec:
    """A metric to compute: ``type`` (``accuracy``, ``f1``, ``matthews_correlation`` ...), display ``name`` and
    ``args`` (e.g. ``{"average": "macro"}``)."""

    type: str
    name: str | None = None
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        if self.name:
            return self.name
        avg = self.args.get("average")
        return f"{self.type} ({avg})" if avg else self.type


@dataclass
class EvalSpec:
    """Everything that determines a score. Two runs with equal :meth:`key` compute the same numbers."""

    model: str
    dataset: str
    task_id: str
    config: str | None = None
    split: str = "test"
    #: dataset column -> role (``text``, ``text1``, ``text2``, ``target``, ``tokens``, ``tags``, ``question``,
    #: ``context``, ``answers.text``, ``answers.answer_start``, ``source``, ``image``, ``classes``), as in train-eval-index
    col_mapping: dict[str, str] = field(default_factory=dict)
    metrics: list[MetricSpec] = field(default_factory=list)
    model_revision: str | None = None
    dataset_revision: str | None = None
    batch_size: int = 32
    limit: int | None = None
    seed: int = 0
    #: where the spec came from: "train-eval-index", "eval.yaml", "features", "cli"
    origin: str = "cli"
    #: what reading the spec noticed and recovered from (a metrics list under col_mapping, the split it chose)
    notes: list[str] = field(default_factory=list)
    #: True when no source named the split (``split`` is a default that :func:`check` may replace from the data)
    split_default: bool = False

    @property
    def task(self) -> str:
        """The Hub task (pipeline tag) for ``task_id``."""
        return TASK_IDS.get(self.task_id, self.task_id)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def key(self) -> str:
        """A stable hash of every field that changes the numbers (not batch size)."""
        d = self.to_dict()
        for k in ("batch_size", "origin", "notes", "split_default"):
            d.pop(k, None)
        return hashlib.sha256(json.dumps(d, sort_keys=True, default=str).encode()).hexdigest()[:16]


# ---------------------------------------------------------------------------------------------------------------------
# tasks, roles and metrics
# ---------------------------------------------------------------------------------------------------------------------
#: the col_mapping roles each task needs (``text_zero_shot_classification`` also takes ``classes``, optional)
TASK_ROLES: dict[str, tuple[str, ...]] = {
    "binary_classification": ("text", "target"),
    "multi_class_classification": ("text", "target"),
    "natural_language_inference": ("text1", "text2", "target"),
    "text_zero_shot_classification": ("text", "target"),
    "entity_extraction": ("tokens", "tags"),
    "extractive_question_answering": ("question", "context", "answers.text", "answers.answer_start"),
    "summarization": ("text", "target"),
    "translation": ("source", "target"),
    "image_binary_classification": ("image", "target"),
    "image_multi_class_classification": ("image", "target"),
}

#: every role a col_mapping may name
ROLES = ("text", "text1", "text2", "target", "tokens", "tags", "question", "context", "answers.text", "answers.answer_start", "source", "image", "classes")

#: short names accepted by ``--task`` besides the task ids themselves
TASK_ALIASES: dict[str, str] = {
    "binary": "binary_classification",
    "multiclass": "multi_class_classification",
    "multi_class": "multi_class_classification",
    "text-classification": "multi_class_classification",
    "text_classification": "multi_class_classification",
    "nli": "natural_language_inference",
    "ner": "entity_extraction",
    "token-classification": "entity_extraction",
    "token_classification": "entity_extraction",
    "qa": "extractive_question_answering",
    "question-answering": "extractive_question_answering",
    "question_answering": "extractive_question_answering",
    "zero-shot": "text_zero_shot_classification",
    "zero-shot-classification": "text_zero_shot_classification",
    "multiple-choice": "text_zero_shot_classification",
    "image-classification": "image_multi_class_classification",
    "image_classification": "image_multi_class_classification",
    "image_binary": "image_binary_classification",
}

_BINARY = ("binary_classification", "image_binary_classification")
_MULTI = ("multi_class_classification", "natural_language_inference", "image_multi_class_classification")

#: metric type -> display name (types are the ids written to model-index ``metrics[].type``)
METRIC_NAMES: dict[str, str] = {
    "accuracy": "Accuracy",
    "f1": "F1",
    "precision": "Precision",
    "recall": "Recall",
    "auc": "AUC",
    "matthews_correlation": "Matthews Correlation",
    "exact_match": "Exact Match",
    "sacrebleu": "SacreBLEU",
    "bleu": "BLEU",
    "rouge1": "ROUGE-1",
    "rouge2": "ROUGE-2",
    "rougeL": "ROUGE-L",
    "rougeLsum": "ROUGE-LSUM",
    "loss": "Loss",
    "chrf": "chrF",
    "ter": "TER",
    "mae": "MAE",
    "mse": "MSE",
    "pearsonr": "Pearson Correlation",
    "spearmanr": "Spearman Correlation",
    "cohen_kappa": "Cohen's Kappa",
    "balanced_accuracy": "Balanced Accuracy",
}

#: other spellings of metric types (lower-cased, ``-`` and spaces as ``_``)
METRIC_ALIASES: dict[str, str] = {
    "acc": "accuracy",
    "roc_auc": "auc",
    "rocauc": "auc",
    "mcc": "matthews_correlation",
    "matthews": "matthews_correlation",
    "matthews_corr": "matthews_correlation",
    "matthews_correlation_coefficient": "matthews_correlation",
    "em": "exact_match",
    "exact": "exact_match",
    "f1_score": "f1",
    "f1score": "f1",
    "rouge_1": "rouge1",
    "rouge_2": "rouge2",
    "rouge_l": "rougeL",
    "rougel": "rougeL",
    "rouge_lsum": "rougeLsum",
    "rougelsum": "rougeLsum",
    "sacre_bleu": "sacrebleu",
    "kappa": "cohen_kappa",
    "pearson": "pearsonr",
    "spearman": "spearmanr",
}

#: metrics that take an ``average`` argument (classification)
AVERAGED = ("f1", "precision", "recall")
AVERAGES = ("binary", "macro", "micro", "weighted")


def normalize_task_id(text: str) -> str:
    """A task id from a task id, a Hub task or a short alias (``nli``, ``ner``, ``qa``). Unknown text is returned
    lower-cased (``check`` reports it)."""
    t = (text or "").strip()
    low = t.lower()
    if low in TASK_IDS:
        return low
    return TASK_ALIASES.get(low, TASK_ALIASES.get(low.replace("_", "-"), low.replace("-", "_")))


def _metric_type(text: str) -> str:
    t = str(text).strip()
    if t in METRIC_NAMES:
        return t
    low = re.sub(r"[\s\-]+", "_", t.lower())
    if low in METRIC_NAMES:
        return low
    if low in METRIC_ALIASES:
        return METRIC_ALIASES[low]
    for k in METRIC_NAMES:  # rougeL etc.
        if k.lower() == low:
            return k
    return low


def _metric_display(mtype: str, args: dict[str, Any]) -> str:
    base = METRIC_NAMES.get(mtype, mtype.replace("_", " ").title())
    avg = args.get("average")
    return f"{base} {str(avg).title()}" if avg and avg != "binary" else base


def metric(mtype: str, name: str | None = None, **args: Any) -> MetricSpec:
    """A :class:`MetricSpec` with its default display name (``F1 Macro`` for ``f1`` averaged ``macro``)."""
    t = _metric_type(mtype)
    return MetricSpec(type=t, name=name or _metric_display(t, args), args=dict(args))


def _classification_defaults(task_id: str) -> list[MetricSpec]:
    if task_id in _BINARY:
        return [metric("accuracy"), metric("precision", average="binary"), metric("recall", average="binary"), metric("f1", average="binary"), metric("auc")]
    out = [metric("accuracy")]
    for m in ("precision", "recall", "f1"):
        out += [metric(m, average=a) for a in ("macro", "micro", "weighted")]
    return out


def default_metrics(task_id: str) -> list[MetricSpec]:
    """The metrics Evaluation on the Hub computed for a task (``TASK_TO_DEFAULT_METRICS``), as written on cards:
    binary → accuracy, precision, recall, F1, AUC; multi-class and NLI → accuracy and precision / recall / F1 each
    macro, micro and weighted; entity extraction → seqeval precision, recall, F1, accuracy; extractive QA → exact
    match and F1; translation → SacreBLEU; summarization → ROUGE-1/2/L/Lsum; zero-shot → accuracy and loss."""
    tid = normalize_task_id(task_id)
    if tid in _BINARY or tid in _MULTI:
        return _classification_defaults(tid)
    if tid == "entity_extraction":
        return [metric("precision"), metric("recall"), metric("f1"), metric("accuracy")]
    if tid == "extractive_question_answering":
        return [metric("exact_match"), metric("f1")]
    if tid == "translation":
        return [metric("sacrebleu")]
    if tid == "summarization":
        return [metric(m) for m in ("rouge1", "rouge2", "rougeL", "rougeLsum")]
    if tid == "text_zero_shot_classification":
        return [metric("accuracy"), metric("loss")]
    return []


def _scalar(v: str) -> Any:
    low = v.strip().lower()
    if low in ("true", "false"):
        return low == "true"
    for cast in (int, float):
        try:
            return cast(v)
        except ValueError:
            pass
    return v.strip()


def parse_metric(spec: str | dict | MetricSpec, *, task_id: str | None = None, strict: bool = False) -> MetricSpec:
    """A :class:`MetricSpec` from a name or a ``train-eval-index`` / model-index metric dict.

    Strings: ``accuracy``, ``f1:macro`` (an average), ``f1:average=micro,labels=2`` (args), ``mcc`` and other
    aliases (``roc_auc`` → ``auc``, ``em`` → ``exact_match``). Dicts: ``{type, name, args}``; only a ``name``
    (a real-world bug) is read as the type. ``f1``/``precision``/``recall`` with no average get ``binary`` for a
    binary task and ``macro`` for a multi-class one when ``task_id`` is given. ``strict`` raises
    :class:`UsageError` for a type evalcard does not know.
    """
    if isinstance(spec, MetricSpec):
        m = MetricSpec(spec.type, spec.name, dict(spec.args))
    elif isinstance(spec, dict):
        raw_type = spec.get("type") or spec.get("id") or spec.get("name")
        if not raw_type:
            raise UsageError(f"metric {spec!r} has neither a type nor a name", hint="Write metrics as {type: accuracy, name: Accuracy}.")
        args = spec.get("args")
        args = dict(args) if isinstance(args, dict) else ({} if args is None else {"value": args})
        t = _metric_type(raw_type)
        m = MetricSpec(type=t, name=spec.get("name") if spec.get("type") else None, args=args)
    else:
        text = str(spec).strip()
        if not text:
            raise UsageError("empty metric name", hint="Name a metric like accuracy, f1:macro or matthews_correlation.")
        head, _, tail = text.partition(":")
        args = {}
        if tail:
            for part in tail.split(","):
                if "=" in part:
                    k, _, v = part.partition("=")
                    args[k.strip()] = _scalar(v)
                elif part.strip():
                    args["average"] = part.strip().lower()
        m = MetricSpec(type=_metric_type(head), args=args)
    if strict and m.type not in METRIC_NAMES:
        raise UsageError(
            f"unknown metric {m.type!r}",
            hint="Known metrics: " + ", ".join(sorted(METRIC_NAMES)) + " (averages: f1:macro, precision:weighted ...).",
        )
    if "average" in m.args and m.args["average"] not in AVERAGES and strict:
        raise UsageError(f"unknown average {m.args['average']!r} for {m.type}", hint="Use one of: " + ", ".join(AVERAGES) + ".")
    if task_id and m.type in AVERAGED and "average" not in m.args:
        tid = normalize_task_id(task_id)
        if tid in _BINARY:
            m.args["average"] = "binary"
        elif tid in _MULTI:
            m.args["average"] = "macro"
    if not m.name:
        m.name = _metric_display(m.type, m.args)
    return m


def _metric_key(m: MetricSpec) -> str:
    return json.dumps([m.type, m.args], sort_keys=True, default=str)


def _dedupe_metrics(metrics: list[MetricSpec]) -> list[MetricSpec]:
    seen: set[str] = set()
    out = []
    for m in metrics:
        k = _metric_key(m)
        if k not in seen:
            seen.add(k)
            out.append(m)
    return out


def _card_metrics(items: Any, task_id: str | None) -> list[MetricSpec]:
    """``train-eval-index`` metrics, lenient: a list item with only ``name`` names the item before it when that one
    had only a ``type`` of the same metric (imdb's ``- type: accuracy`` / ``- name: Accuracy``); otherwise it is
    read as a metric of its own. Strings are metric names; duplicates are dropped."""
    if items is None:
        return []
    if isinstance(items, (str, dict)):
        items = [items]
    out: list[MetricSpec] = []
    bare_type: list[bool] = []
    for it in items if isinstance(items, list) else []:
        if isinstance(it, dict) and not it.get("type") and not it.get("id") and it.get("name"):
            t = _metric_type(it["name"])
            if out and bare_type[-1] and out[-1].type == t:
                out[-1].name = str(it["name"])
                bare_type[-1] = False
                continue
        if not isinstance(it, (str, dict)) or (isinstance(it, dict) and not (it.get("type") or it.get("id") or it.get("name"))):
            continue
        m = parse_metric(it, task_id=task_id)
        out.append(m)
        bare_type.append(isinstance(it, dict) and bool(it.get("type")) and not it.get("name"))
    return _dedupe_metrics(out)


# ---------------------------------------------------------------------------------------------------------------------
# col_mapping
# ---------------------------------------------------------------------------------------------------------------------
def _norm_role(v: Any) -> str:
    s = str(v).strip()
    for a, b in (("answers-text", "answers.text"), ("answers-answer_start", "answers.answer_start"), ("answers-answer-start", "answers.answer_start")):
        if s.lower() == a:
            return b
    return s


def flatten_col_mapping(col_mapping: Any, notes: list[str] | None = None, path: str = "col_mapping") -> dict[str, str]:
    """``{dataset_column: role}`` with nested QA mappings flattened: ``answers: {text: text, answer_start:
    answer_start}`` → ``answers.text: answers.text``, ``answers.answer_start: answers.answer_start`` (as
    model-evaluator's ``format_col_mapping`` did). The Hub's old ``answers-text`` spelling is read too.

    A role that is not a plain value (a list, a mapping inside a nested mapping) names no column: it is left out,
    with a line in ``notes`` saying so."""
    out: dict[str, str] = {}
    if not isinstance(col_mapping, dict):
        return out
    for col, role in col_mapping.items():
        col = str(col)
        if isinstance(role, (list, tuple)) or (isinstance(role, dict) and any(isinstance(v, (dict, list, tuple)) for v in role.values())):
            if notes is not None:
                notes.append(f"{path}.{col}: not a column role ({type(role).__name__}); left out of the column mapping")
            continue
        if isinstance(role, dict):
            for sub, subrole in role.items():
                if subrole is None:
                    continue
                subrole = _norm_role(subrole)
                if subrole in ("text", "answer_start"):
                    subrole = f"answers.{subrole}"
                out[f"{col}.{sub}"] = subrole
        elif role is not None:
            key = col.replace("-", ".", 1) if col.lower().startswith("answers-") else col
            out[key] = _norm_role(role)
    return out


def parse_col_mapping(items: Any) -> dict[str, str]:
    """``--col`` values: ``COLUMN=ROLE`` strings (or a dict) → ``{column: role}``."""
    if isinstance(items, dict):
        return flatten_col_mapping(items)
    out: dict[str, str] = {}
    for it in items or ():
        for part in str(it).split(","):
            if not part.strip():
                continue
            if "=" not in part:
                raise UsageError(f"column mapping {part!r} is not COLUMN=ROLE", hint="e.g. --col sentence=text --col label=target. Roles: " + ", ".join(ROLES) + ".")
            col, _, role = part.partition("=")
            out[col.strip()] = _norm_role(role)
    return out


def roles(spec: EvalSpec) -> dict[str, str]:
    """``{role: dataset_column}`` (the inverse of ``col_mapping``)."""
    return {role: col for col, role in spec.col_mapping.items()}


# ---------------------------------------------------------------------------------------------------------------------
# specs from a dataset card's train-eval-index
# ---------------------------------------------------------------------------------------------------------------------
def _infer_task_id(task: Any, col_mapping: dict[str, str]) -> str | None:
    rs = set(col_mapping.values())
    if {"text1", "text2"} <= rs:
        return "natural_language_inference"
    if "tokens" in rs or "tags" in rs:
        return "entity_extraction"
    if "answers.text" in rs or "question" in rs:
        return "extractive_question_answering"
    if "image" in rs:
        return "image_multi_class_classification"
    if "source" in rs:
        return "translation"
    if "classes" in rs:
        return "text_zero_shot_classification"
    t = str(task or "").lower()
    if t == "summarization":
        return "summarization"
    if t == "translation":
        return "translation"
    if t in ("text-classification", "sentiment-analysis") or rs == {"text", "target"}:
        return "multi_class_classification"
    return normalize_task_id(t) if t else None


_EVAL_SPLITS = ("test", "validation", "valid", "dev", "eval")


def eval_split(splits: list[str]) -> str:
    """The split to evaluate on when nothing names one: test, else validation (valid, dev), else the first that is
    not train, else train."""
    for s in _EVAL_SPLITS:
        if s in splits:
            return s
    rest = [s for s in splits if s != "train"]
    return (rest or splits or ["test"])[0]


_NO_EVAL_SPLIT = "no splits.eval_split"


def specs_from_card(card_data: dict | None, dataset: str, *, model: str = "") -> list[EvalSpec]:
    """Every entry of a dataset card's ``train-eval-index`` as an :class:`EvalSpec` (``origin="train-eval-index"``).

    Lenient about what real cards hold: a single mapping instead of a list, ``task_id`` missing (inferred from
    ``task`` and the column roles), ``splits.eval_split`` missing (``test_split``, else ``test``), nested QA
    ``col_mapping`` (flattened), metric items with only a ``name``; no ``metrics`` → the task's defaults. Entries that
    are not mappings are skipped. ``config: default`` is kept; :func:`check` resolves it.
    """
    tei = (card_data or {}).get("train-eval-index", (card_data or {}).get("train_eval_index"))
    if tei is None:
        return []
    if isinstance(tei, dict):
        tei = [tei]
    out: list[EvalSpec] = []
    for i, entry in enumerate(tei if isinstance(tei, list) else []):
        if not isinstance(entry, dict):
            continue
        path = f"train-eval-index[{i}]"
        notes: list[str] = []
        raw_cm = entry.get("col_mapping")
        metric_items = entry.get("metrics")
        if isinstance(raw_cm, dict) and isinstance(raw_cm.get("metrics"), (list, dict)):
            # a real card indents its metrics list under col_mapping: recover it as the entry's metrics
            misplaced = raw_cm["metrics"]
            raw_cm = {k: v for k, v in raw_cm.items() if k != "metrics"}
            if metric_items is None:
                metric_items = misplaced
                notes.append(f"{path}.col_mapping.metrics: a metrics list indented under col_mapping; read as the entry's metrics")
            else:
                notes.append(f"{path}.col_mapping.metrics: a metrics list indented under col_mapping; ignored (the entry has its own metrics)")
        cm = flatten_col_mapping(raw_cm, notes, f"{path}.col_mapping")
        task_id = normalize_task_id(str(entry["task_id"])) if entry.get("task_id") else _infer_task_id(entry.get("task"), cm)
        splits = entry.get("splits") if isinstance(entry.get("splits"), dict) else {}
        split_default = False
        no_split = f"{path}: {_NO_EVAL_SPLIT}"
        if splits.get("eval_split"):
            split = splits["eval_split"]
        elif splits.get("test_split"):
            split = splits["test_split"]
            notes.append(f"{no_split}; evaluating on splits.test_split {split!r}")
        elif entry.get("split"):
            split = entry["split"]
            notes.append(f"{no_split}; evaluating on the entry's split {split!r}")
        else:
            split, split_default = "test", True
            notes.append(f"{no_split}; evaluating on 'test' (the default) unless the data has no such split")
        metrics = _card_metrics(metric_items, task_id)
        config = entry.get("config")
        out.append(
            EvalSpec(
                model=model,
                dataset=dataset,
                task_id=task_id or "",
                config=None if config is None else str(config),
                split=str(split),
                col_mapping=cm,
                metrics=metrics or default_metrics(task_id or ""),
                origin="train-eval-index",
                notes=notes,
                split_default=split_default,
            )
        )
    return out


# ---------------------------------------------------------------------------------------------------------------------
# specs from a benchmark's eval.yaml
# ---------------------------------------------------------------------------------------------------------------------
def spec_from_eval_yaml(eval_yaml: dict | str | bytes | None, dataset: str, *, model: str = "") -> list[EvalSpec]:
    """Specs from a benchmark dataset's ``eval.yaml`` (``tasks[]`` with ``id``, ``config``, ``split`` default
    ``test``, and for inspect-ai a ``field_spec``: ``input``, ``target``, ``choices``).

    A task with ``choices`` becomes a ``text_zero_shot_classification`` spec (the model picks among the choices,
    scored by likelihood) with ``{input: text, choices: classes, target: target}``; a task without choices keeps
    the columns it names and leaves ``task_id`` empty (give ``--task``; :func:`check` says so).
    """
    if isinstance(eval_yaml, (str, bytes)):
        import yaml

        eval_yaml = yaml.safe_load(eval_yaml) or {}
    if not isinstance(eval_yaml, dict):
        return []
    tasks = eval_yaml.get("tasks")
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list) or not tasks:
        tasks = [{}]
    out = []
    for t in tasks:
        if not isinstance(t, dict):
            continue
        fs = t.get("field_spec") or eval_yaml.get("field_spec") or {}
        cm: dict[str, str] = {}
        if isinstance(fs, dict):
            if fs.get("input"):
                cm[str(fs["input"])] = "text"
            if fs.get("choices"):
                cm[str(fs["choices"])] = "classes"
            if fs.get("target"):
                cm[str(fs["target"])] = "target"
            if fs.get("input_image"):
                cm[str(fs["input_image"])] = "image"
        task_id = "text_zero_shot_classification" if "classes" in cm.values() else ""
        out.append(
            EvalSpec(
                model=model,
                dataset=dataset,
                task_id=task_id,
                config=None if t.get("config") is None else str(t["config"]),
                split=str(t.get("split") or "test"),
                col_mapping=cm,
                metrics=default_metrics(task_id) if task_id else [],
                origin="eval.yaml",
            )
        )
    return out


# ---------------------------------------------------------------------------------------------------------------------
# a spec from the dataset's features
# ---------------------------------------------------------------------------------------------------------------------
_TEXT_NAMES = ("text", "sentence", "content", "review", "document", "tweet", "comment", "body", "input", "question")
_PAIR_NAMES = (
    ("premise", "hypothesis"),
    ("sentence1", "sentence2"),
    ("question1", "question2"),
    ("text1", "text2"),
    ("text_a", "text_b"),
    ("question", "sentence"),
    ("question", "passage"),
    ("sentence", "question"),
)
_TARGET_NAMES = ("label", "labels", "target", "class", "category", "fine_label", "coarse_label")
_ID_COL = re.compile(r"^(id|idx|guid|uid|key|uuid|.*_id)$", re.I)
_SUMMARY_PAIRS = (("document", "summary"), ("article", "highlights"), ("dialogue", "summary"), ("text", "summary"), ("article", "abstract"))


def _kind(feature: Any) -> str:
    """``classlabel``, ``string``, ``int``, ``image``, ``seq-string``, ``seq-classlabel``, ``dict``, ``translation``
    or ``other`` for a ``datasets`` feature (or its dict / repr form)."""
    name = type(feature).__name__
    if name == "ClassLabel":
        return "classlabel"
    if name == "Image":
        return "image"
    if name in ("Translation", "TranslationVariableLanguages"):
        return "translation"
    if name == "Value":
        dt = str(getattr(feature, "dtype", ""))
        if dt in ("string", "large_string"):
            return "string"
        if dt.startswith(("int", "uint")):
            return "int"
        return "other"
    if name in ("Sequence", "List", "LargeList"):
        inner = getattr(feature, "feature", None)
        if isinstance(inner, dict):
            return "dict"
        k = _kind(inner)
        return f"seq-{k}" if k in ("string", "classlabel", "int") else "other"
    if isinstance(feature, dict):
        if feature.get("_type") == "ClassLabel":
            return "classlabel"
        if feature.get("_type") == "Image":
            return "image"
        if feature.get("_type") == "Value":
            return _kind(type("Value", (), {"dtype": feature.get("dtype")})())
        return "dict"
    if isinstance(feature, list) and len(feature) == 1:
        k = _kind(feature[0])
        return f"seq-{k}" if k in ("string", "classlabel", "int") else "other"
    return "other"


def _sub_fields(feature: Any) -> set[str]:
    if isinstance(feature, dict):
        return set(feature)
    inner = getattr(feature, "feature", None)
    return set(inner) if isinstance(inner, dict) else set()


def _pick(cands: list[str], preferred: tuple[str, ...]) -> str | None:
    if len(cands) == 1:
        return cands[0]
    for p in preferred:
        for c in cands:
            if c.lower() == p:
                return c
    return None


def label_names(features: Any, column: str) -> list[str] | None:
    """The class names of a ClassLabel column (or of a sequence of ClassLabel), else None."""
    f = features.get(column) if hasattr(features, "get") else None
    if f is None:
        return None
    if type(f).__name__ in ("Sequence", "List", "LargeList"):
        f = getattr(f, "feature", None)
    names = getattr(f, "names", None)
    return list(names) if names else None


def spec_from_features(features: Any, dataset: str, *, config: str | None = None, split: str = "test", model: str = "") -> EvalSpec | None:
    """A spec guessed from a split's features (``origin="features"``), or None when nothing fits:

    - ``question`` + ``context`` + ``answers`` {text, answer_start} → extractive QA;
    - a sequence of strings (``tokens``) + a sequence of ClassLabel (``ner_tags``) → entity extraction;
    - Image + ClassLabel → image classification (binary with two classes);
    - ClassLabel + two text columns (``premise``/``hypothesis``, ``sentence1``/``sentence2`` ...) → NLI;
    - ClassLabel (or an int ``label``) + one text column → binary (two classes) or multi-class classification;
    - ``document``/``summary``-like string pairs → summarization; a Translation column → translation.
    """
    cols = {str(k): v for k, v in dict(features).items()}
    kinds = {c: _kind(f) for c, f in cols.items()}

    def mk(task_id: str, cm: dict[str, str]) -> EvalSpec:
        return EvalSpec(model=model, dataset=dataset, task_id=task_id, config=config, split=split, col_mapping=cm, metrics=default_metrics(task_id), origin="features")

    lower = {c.lower(): c for c in cols}
    # extractive QA
    ans = next((lower[n] for n in ("answers", "answer") if n in lower), None)
    if ans and "question" in lower and "context" in lower and {"text", "answer_start"} <= _sub_fields(cols[ans]):
        return mk("extractive_question_answering", {lower["question"]: "question", lower["context"]: "context", f"{ans}.text": "answers.text", f"{ans}.answer_start": "answers.answer_start"})
    # token classification
    tok = _pick([c for c, k in kinds.items() if k == "seq-string"], ("tokens", "words"))
    tags = _pick([c for c, k in kinds.items() if k == "seq-classlabel"], ("ner_tags", "tags", "labels", "pos_tags"))
    if tok and tags:
        return mk("entity_extraction", {tok: "tokens", tags: "tags"})
    # translation
    tr = [c for c, k in kinds.items() if k == "translation"]
    if len(tr) == 1:
        langs = list(getattr(cols[tr[0]], "languages", None) or [])
        if len(langs) == 2:
            return mk("translation", {f"{tr[0]}.{langs[0]}": "source", f"{tr[0]}.{langs[1]}": "target"})
    target = _pick([c for c, k in kinds.items() if k == "classlabel"], _TARGET_NAMES)
    if target is None:
        target = next((lower[n] for n in _TARGET_NAMES if n in lower and kinds[lower[n]] == "int"), None)
    strings = [c for c, k in kinds.items() if k == "string" and c != target and not _ID_COL.match(c)]
    if target is not None:
        n = len(label_names(cols, target) or [])
        images = [c for c, k in kinds.items() if k == "image"]
        if images:
            img = _pick(images, ("image", "img", "pixel_values"))
            if img:
                return mk("image_binary_classification" if n == 2 else "image_multi_class_classification", {img: "image", target: "target"})
        pair = next(((lower[a], lower[b]) for a, b in _PAIR_NAMES if a in lower and b in lower and kinds[lower[a]] == kinds[lower[b]] == "string"), None)
        if pair is None and len(strings) == 2:
            pair = (strings[0], strings[1])
        if pair and (len(strings) == 2 or not _pick(strings, _TEXT_NAMES[:-1])):
            return mk("natural_language_inference", {pair[0]: "text1", pair[1]: "text2", target: "target"})
        text = _pick(strings, _TEXT_NAMES)
        if text:
            return mk("binary_classification" if n == 2 else "multi_class_classification", {text: "text", target: "target"})
        return None
    for a, b in _SUMMARY_PAIRS:
        if a in lower and b in lower and kinds[lower[a]] == kinds[lower[b]] == "string":
            return mk("summarization", {lower[a]: "text", lower[b]: "target"})
    return None


# ---------------------------------------------------------------------------------------------------------------------
# overriding and checking
# ---------------------------------------------------------------------------------------------------------------------
_OVERRIDABLE = ("model", "dataset", "config", "split", "task_id", "col_mapping", "metrics", "extra_metrics", "model_revision", "dataset_revision", "batch_size", "limit", "seed")


def apply_overrides(spec: EvalSpec, **fields: Any) -> EvalSpec:
    """A copy of ``spec`` with every field given and not None replaced (the command line wins over the card).

    ``task`` / ``task_id`` accept aliases (``nli``, ``ner``, ``qa`` ...); a new task with no ``metrics`` given
    gets that task's default metrics. ``col_mapping`` takes a dict or ``COLUMN=ROLE`` strings and is merged into
    the spec's (a column mapped again wins; a role given again moves to the new column). ``metrics`` (names or
    dicts, parsed with :func:`parse_metric`) replaces the list; ``extra_metrics`` appends to it.
    """
    if "task" in fields:
        t = fields.pop("task")
        fields.setdefault("task_id", t)
    unknown = sorted(set(fields) - set(_OVERRIDABLE))
    if unknown:
        raise UsageError(f"cannot override {', '.join(unknown)}", hint="Overridable fields: " + ", ".join(_OVERRIDABLE) + ".")
    given = {k: v for k, v in fields.items() if v is not None and not (k in ("metrics", "extra_metrics", "col_mapping") and not v)}
    new = _replace(spec, col_mapping=dict(spec.col_mapping), metrics=[MetricSpec(m.type, m.name, dict(m.args)) for m in spec.metrics])
    if "task_id" in given:
        tid = normalize_task_id(str(given.pop("task_id")))
        if tid != new.task_id:
            new.task_id = tid
            if "metrics" not in given:
                new.metrics = default_metrics(tid)
    if "col_mapping" in given:
        cm = parse_col_mapping(given.pop("col_mapping"))
        moved = set(cm.values())
        new.col_mapping = {c: r for c, r in new.col_mapping.items() if r not in moved or c in cm}
        new.col_mapping.update(cm)
    if "metrics" in given:
        ms = given.pop("metrics")
        new.metrics = _dedupe_metrics([parse_metric(m, task_id=new.task_id, strict=not isinstance(m, (dict, MetricSpec))) for m in ([ms] if isinstance(ms, (str, dict)) else ms)])
    if "extra_metrics" in given:
        ms = given.pop("extra_metrics")
        extra = [parse_metric(m, task_id=new.task_id, strict=not isinstance(m, (dict, MetricSpec))) for m in ([ms] if isinstance(ms, (str, dict)) else ms)]
        new.metrics = _dedupe_metrics(new.metrics + extra)
    for k in ("batch_size", "limit", "seed"):
        if k in given:
            try:
                v = int(given[k])
            except (TypeError, ValueError):
                raise UsageError(f"{k} must be an integer, not {given[k]!r}") from None
            if v < (0 if k == "seed" else 1):
                raise UsageError(f"{k} must be {'≥ 0' if k == 'seed' else 'positive'}, not {v}")
            given[k] = v
    for k, v in given.items():
        setattr(new, k, v)
    if "split" in given:  # the user named the split: what the card lacked no longer matters
        new.split_default = False
        new.notes = [n for n in new.notes if _NO_EVAL_SPLIT not in n]
    return new


def describe_text(description: dict[str, Any], config: str | None = None) -> str:
    """The configs, splits and columns of a :func:`evalcard.run.data.describe` result, one line each."""
    configs = list(description.get("configs") or [])
    lines = [f"configs: {', '.join(configs) if configs else '(none)'}"]
    for c in [config] if config in configs else configs:
        splits = (description.get("splits") or {}).get(c) or []
        cols = (description.get("columns") or {}).get(c) or {}
        lines.append(f"{c}: splits {', '.join(splits) if splits else '(none)'}; columns " + (", ".join(f"{k} ({v})" for k, v in cols.items()) if cols else "(unknown)"))
    return "\n  ".join(lines)


def resolve_config(config: str | None, configs: list[str], default: str | None = None) -> str | None:
    """``None``/``default`` → the dataset's default or only config; a known name as is; else None."""
    if config in configs:
        return config
    if config in (None, "", "default"):
        if default in configs:
            return default
        if len(configs) == 1:
            return configs[0]
        if "default" in configs:
            return "default"
    return None


def check(spec: EvalSpec, description: dict[str, Any]) -> EvalSpec:
    """Raise :class:`UsageError` when the spec cannot run on the dataset ``description`` (from
    :func:`evalcard.run.data.describe`): unsupported task, unknown config or split, a mapped column the split does
    not have, a role the task needs that no column fills. The message names the problem; the hint lists the
    dataset's configs, splits and columns and the options that fix it. Returns the spec with ``config`` resolved
    (``None``/``default`` → the dataset's only or default config)."""
    name = spec.dataset
    configs = list(description.get("configs") or [])

    def fail(msg: str, cfg: str | None = None, extra: str = "") -> None:
        hint = f"{name} has {describe_text(description, cfg)}"
        if extra:
            hint += f"\n  {extra}"
        e = UsageError(f"{name}: {msg}", hint=hint)
        e.description = description  # type: ignore[attr-defined]
        raise e

    if not spec.task_id:
        fail("no task: the spec names none", extra="Give one with --task (" + ", ".join(TASK_IDS) + ").")
    if spec.task_id not in TASK_IDS:
        fail(f"task {spec.task_id!r} is not supported", extra="Supported tasks: " + ", ".join(TASK_IDS) + ".")
    cfg = resolve_config(spec.config, configs, description.get("default_config"))
    if cfg is None:
        fail(f"config {spec.config!r} not found" if spec.config not in (None, "", "default") else "several configs; choose one", extra="Choose one with --config.")
    splits = (description.get("splits") or {}).get(cfg) or []
    if splits and spec.split not in splits and spec.split_default:
        chosen = eval_split(splits)
        spec = _replace(spec, split=chosen, split_default=False, notes=[*spec.notes, f"no 'test' split in config {cfg!r}: evaluating on {chosen!r} (test, else validation, else the first split that is not train)"])
    if splits and spec.split not in splits:
        fail(f"split {spec.split!r} not found in config {cfg!r}", cfg, "Choose one with --split.")
    cols = (description.get("columns") or {}).get(cfg) or {}
    if cols:
        missing = [c for c in spec.col_mapping if c.split(".", 1)[0] not in cols]
        if missing:
            fail(f"column{'s' if len(missing) > 1 else ''} {', '.join(repr(c) for c in missing)} not in {cfg}/{spec.split}", cfg, "Map columns with --col COLUMN=ROLE.")
    bad_roles = sorted({r for r in spec.col_mapping.values() if r not in ROLES})
    if bad_roles:
        fail(f"unknown role{'s' if len(bad_roles) > 1 else ''} {', '.join(bad_roles)} in the column mapping", cfg, "Roles: " + ", ".join(ROLES) + ".")
    have = set(spec.col_mapping.values())
    need = [r for r in TASK_ROLES[spec.task_id] if r not in have]
    if need:
        fail(
            f"task {spec.task_id} needs column{'s' if len(need) > 1 else ''} for {', '.join(need)}; the mapping is {spec.col_mapping or '{}'}",
            cfg,
            "Map them with --col COLUMN=ROLE (e.g. --col sentence=text --col label=target).",
        )
    if not spec.metrics:
        fail(f"no metrics for task {spec.task_id}", cfg, "Add some with --metric (e.g. --metric accuracy --metric f1:macro).")
    return spec if cfg == spec.config else _replace(spec, config=cfg)
