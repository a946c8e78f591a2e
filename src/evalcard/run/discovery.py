"""Which models can be evaluated on a dataset, and why the others cannot.

A model is compatible when it was trained on the dataset (its card's ``datasets:`` list, a ``dataset:NAME`` tag or a
``model-index`` result on it) and does the spec's task (its ``pipeline_tag``, else its architecture), as Evaluation on
the Hub required. Summarization and zero-shot tasks admit any model of the task; extractive QA also admits models
trained on SQuAD. For classification, when the dataset's class names are known, the model's labels must align with
them too. In a local store every model repo is scanned; on the Hub ``HfApi.list_models`` is asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from ..card.frontmatter import parse_card
from ..errors import EvalcardError
from ..store.base import RepoRef
from .data import DatasetSource, _is_local_store, _json, align_labels, config_id2label, pipeline_tag_of
from .spec import TASK_IDS, EvalSpec, resolve_config

#: tasks for which any model of the task is admitted, trained on the dataset or not
ANY_MODEL_TASKS = ("summarization", "text_zero_shot_classification")
#: datasets whose models extractive QA also admits
QA_DATASETS = ("squad", "squad_v2", "rajpurkar/squad", "rajpurkar/squad_v2")
#: Hub tasks a zero-shot (likelihood) spec can use
_TASK_TAGS = {"text_zero_shot_classification": ("text-generation", "text2text-generation", "zero-shot-classification"), "summarization": ("summarization", "text2text-generation")}


@dataclass
class Candidate:
    """A model and whether it fits the dataset's spec(s); ``reasons`` say why (or why not)."""

    model: str
    compatible: bool
    reasons: list[str] = field(default_factory=list)
    pipeline_tag: str | None = None
    #: where the model card says it was trained on the dataset ("datasets", "tag", "model-index"); empty when not
    trained_on: list[str] = field(default_factory=list)
    #: task ids of the specs it fits
    task_ids: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "compatible": self.compatible, "reasons": list(self.reasons), "pipeline_tag": self.pipeline_tag, "trained_on": list(self.trained_on), "task_ids": list(self.task_ids)}


def _ids(dataset: str) -> set[str]:
    """Names a card may use for a dataset: ``org/name``, ``name`` and lower-case forms."""
    d = dataset.strip().lower()
    d = d[len("datasets/") :] if d.startswith("datasets/") else d
    return {d, d.rsplit("/", 1)[-1]}


def _same_dataset(a: str, b: str) -> bool:
    a, b = a.strip().lower(), b.strip().lower()
    if a == b:
        return True
    # "imdb" (a canonical name) and "stanfordnlp/imdb": equal when one side has no org
    if "/" not in a or "/" not in b:
        return a.rsplit("/", 1)[-1] == b.rsplit("/", 1)[-1]
    return False


def trained_on(card_data: dict[str, Any], dataset: str) -> list[str]:
    """Where a model card links the model to ``dataset``: ``datasets`` (its ``datasets:`` list), ``tag``
    (``dataset:NAME`` in ``tags``) and ``model-index`` (a result's ``dataset.type``)."""
    out = []
    ds = card_data.get("datasets")
    ds = [ds] if isinstance(ds, str) else ds if isinstance(ds, list) else []
    if any(isinstance(x, str) and _same_dataset(x, dataset) for x in ds):
        out.append("datasets")
    tags = card_data.get("tags")
    tags = [tags] if isinstance(tags, str) else tags if isinstance(tags, list) else []
    if any(isinstance(t, str) and t.lower().startswith("dataset:") and _same_dataset(t.split(":", 1)[1], dataset) for t in tags):
        out.append("tag")
    mi = card_data.get("model-index")
    for entry in mi if isinstance(mi, list) else []:
        for res in (entry.get("results") or []) if isinstance(entry, dict) else []:
            d = res.get("dataset") if isinstance(res, dict) else None
            if isinstance(d, dict) and isinstance(d.get("type"), str) and _same_dataset(d["type"], dataset):
                if "model-index" not in out:
                    out.append("model-index")
    return out


def _tags_for(task_id: str) -> tuple[str, ...]:
    return _TASK_TAGS.get(task_id, (TASK_IDS.get(task_id, task_id),))


def judge(
    model: str,
    card_data: dict[str, Any],
    config: dict[str, Any],
    dataset: str,
    specs: list[EvalSpec],
    *,
    label_names: list[list[str] | None] | None = None,
    any_dataset: bool = False,
) -> Candidate:
    """Decide one model against the specs. ``label_names[i]``: the dataset's class names for ``specs[i]`` (checked
    with :func:`align_labels` when the model's config has ``id2label``). ``any_dataset`` admits models of the task
    that were not trained on the dataset (their labels still have to align)."""
    tag = pipeline_tag_of(card_data, config)
    where = trained_on(card_data, dataset)
    reasons: list[str] = []
    fits: list[str] = []
    if where:
        reasons.append(f"trained on {dataset} (card: {', '.join(where)})")
    for i, spec in enumerate(specs):
        tid = spec.task_id
        wanted = _tags_for(tid)
        if tag not in wanted:
            reasons.append(f"pipeline tag {tag or '(none)'} is not {' or '.join(wanted)} ({tid})")
            continue
        ok_data = bool(where) or any_dataset or tid in ANY_MODEL_TASKS
        if not ok_data and tid == "extractive_question_answering":
            qa = [d for d in QA_DATASETS if trained_on(card_data, d)]
            if qa:
                ok_data = True
                reasons.append(f"trained on {qa[0]} (admitted for extractive QA)")
        if not ok_data:
            reasons.append(f"not trained on {dataset}: no `datasets:` entry, `dataset:` tag or model-index result names it")
            continue
        names = label_names[i] if label_names and i < len(label_names) else None
        id2label = config_id2label(config)
        if names and id2label and tid in TASK_IDS and TASK_IDS[tid] in ("text-classification", "image-classification", "token-classification"):
            try:
                align_labels(id2label, names)
            except EvalcardError as e:
                reasons.append(f"labels do not align for {tid}: {e.message} ({e.hint})")
                continue
            generic = all(v == f"LABEL_{k}" for k, v in id2label.items())
            reasons.append(f"{len(names)} generic labels, taken in the dataset's order ({', '.join(names)})" if generic else f"labels align with the dataset's ({', '.join(names)})")
        reasons.append(f"pipeline tag {tag} fits {tid}")
        if tid not in fits:
            fits.append(tid)
    reasons = list(dict.fromkeys(reasons))
    return Candidate(model=model, compatible=bool(fits), reasons=reasons, pipeline_tag=tag, trained_on=where, task_ids=fits)


def _as_list(specs: EvalSpec | Iterable[EvalSpec]) -> list[EvalSpec]:
    return [specs] if isinstance(specs, EvalSpec) else list(specs)


def compatible_models(
    dataset: str | DatasetSource,
    specs: EvalSpec | Iterable[EvalSpec],
    *,
    store: Any,
    description: dict[str, Any] | None = None,
    any_dataset: bool = False,
    limit: int = 100,
) -> list[Candidate]:
    """Every model the store knows that could be evaluated with ``specs`` on ``dataset``, compatible ones first
    (then by name), each with the reasons for the verdict.

    Local store: every model repo's card and ``config.json`` are read. Hub: ``list_models(trained_dataset=...)``
    (each model's pipeline tag decides) plus, with ``any_dataset``, ``list_models(pipeline_tag=...)`` per task; up to
    ``limit`` models per query. ``description`` (from :func:`evalcard.run.data.describe`) gives the dataset's class
    names, so a classifier whose labels cannot be aligned is excluded with the reason.
    """
    name = dataset.repo_id if isinstance(dataset, DatasetSource) else str(dataset)
    specs = _as_list(specs)
    label_names = [spec_label_names(s, description) for s in specs] if description else None
    out: list[Candidate] = []
    if _is_local_store(store):
        for repo in store.list_repos("model"):
            raw = store.read_file(repo, "README.md")
            try:
                card = parse_card(raw).data if raw else {}
            except EvalcardError:
                out.append(Candidate(repo.repo_id, False, ["its README front matter cannot be read"]))
                continue
            cfg = _json(store.read_file(repo, "config.json"))
            out.append(judge(repo.repo_id, card or {}, cfg, name, specs, label_names=label_names, any_dataset=any_dataset))
    else:
        out = _hub_candidates(store, name, specs, label_names=label_names, any_dataset=any_dataset, limit=limit)
    out.sort(key=lambda c: (not c.compatible, c.model.lower()))
    return out


def _hub_candidates(store: Any, dataset: str, specs: list[EvalSpec], *, label_names, any_dataset: bool, limit: int) -> list[Candidate]:
    api = getattr(store, "api", None)
    if api is None:
        raise EvalcardError(f"the store {getattr(store, 'name', store)!r} cannot list models", hint="Use a local store (--store DIR) or the Hub.")
    token = getattr(store, "_token_arg", None)
    seen: dict[str, Any] = {}

    def ask(**kw: Any) -> None:
        run = getattr(store, "_run", None)
        fn = lambda: list(api.list_models(limit=limit, cardData=True, token=token, **kw))  # noqa: E731
        infos = run("list models", fn, None, "list models on") if run else fn()
        for info in infos:
            seen.setdefault(info.id, info)

    ask(trained_dataset=dataset)
    if any_dataset or any(s.task_id in ANY_MODEL_TASKS for s in specs):
        for tag in sorted({t for s in specs for t in _tags_for(s.task_id)}):
            ask(pipeline_tag=tag)
    out = []
    for mid, info in seen.items():
        card = getattr(info, "card_data", None) or getattr(info, "cardData", None)
        card = (card.to_dict() if hasattr(card, "to_dict") else dict(card)) if card else _read_card(store, mid)
        if getattr(info, "pipeline_tag", None) and not card.get("pipeline_tag"):
            card["pipeline_tag"] = info.pipeline_tag
        tags = card.get("tags") if isinstance(card.get("tags"), list) else []
        card["tags"] = tags + [t for t in (getattr(info, "tags", None) or []) if str(t).startswith("dataset:")]
        cfg = getattr(info, "config", None)
        if (not isinstance(cfg, dict) or not cfg) and (label_names or not card.get("pipeline_tag")):
            cfg = _json(_read(store, mid, "config.json"))  # for the labels, or the task from the architecture
        out.append(judge(mid, card, cfg if isinstance(cfg, dict) else {}, dataset, specs, label_names=label_names, any_dataset=any_dataset))
    return out


def _read(store: Any, model: str, path: str) -> bytes | None:
    try:
        return store.read_file(RepoRef(model, "model"), path)
    except EvalcardError:
        return None


def _read_card(store: Any, model: str) -> dict[str, Any]:
    raw = _read(store, model, "README.md")
    try:
        return dict(parse_card(raw).data or {}) if raw else {}
    except EvalcardError:
        return {}


def spec_label_names(spec: EvalSpec, description: dict[str, Any] | None) -> list[str] | None:
    """The class names of the spec's ``target`` (or ``tags``) column, from a :func:`evalcard.run.data.describe`."""
    if not description:
        return None
    cfg = resolve_config(spec.config, list(description.get("configs") or []), description.get("default_config"))
    names = (description.get("label_names") or {}).get(cfg) or {}
    col = next((c for c, r in spec.col_mapping.items() if r in ("target", "tags")), None)
    return names.get(col) if col else None

