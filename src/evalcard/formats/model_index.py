"""``model-index`` (model-card YAML) <-> :class:`~evalcard.results.EvalResult`. Pure functions, no I/O.

Layout (hub-docs ``modelcard.md``)::

    model-index:
    - name: my-model
      results:
      - task: {type: text-generation, name: Text Generation}
        dataset: {name: GSM8K, type: openai/gsm8k, config: main, split: test, revision: ..., args: {...}}
        metrics:
        - {type: exact_match, value: 71.6, name: ..., config: ..., args: {...}, verified: false, verifyToken: ...}
        source: {name: ..., url: ...}

evalcard keeps four things the spec has no own slot for in documented places (see ``docs/formats.md``):
n-shot as ``dataset.args.num_few_shot`` (the Open LLM Leaderboard's convention), setting notes as
``dataset.args.notes``, the standard error as ``metrics[].args.stderr`` and the model commit a score was measured
on as ``metrics[].args.model_revision``. Keys evalcard does not model are kept
in ``EvalResult.extra`` and written back, so ``to_model_index(read_model_index(x))`` equals ``x``.

Unlike ``huggingface_hub.ModelCardData``, nothing is merged on read: every ``model-index`` entry keeps its own
``name`` and every result keeps its own dataset name, args and source.
"""

from __future__ import annotations

import math
from typing import Any, Iterable

from ..results import EvalResult, to_float
from .problems import Problem

_TASK_KEYS = ("type", "name")
_DATASET_KEYS = ("name", "type", "config", "split", "revision", "args")
_METRIC_KEYS = ("type", "value", "name", "config", "args", "verified", "verifyToken")
_SOURCE_KEYS = ("name", "url")
_RESULT_KEYS = ("task", "dataset", "metrics", "source")
_ENTRY_KEYS = ("name", "results")


def _extra(d: dict, known: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k not in known}


def _opt_str(d: dict, key: str, path: str, problems: list[Problem]) -> str | None:
    v = d.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        problems.append(Problem(f"{path}.{key}", f"must be a string, got {type(v).__name__} {v!r}"))
        return str(v)
    return v


def read_model_index(data: Any, *, path: str = "model-index") -> tuple[list[EvalResult], list[Problem]]:
    """Read a ``model-index`` value leniently: every problem is reported with its path; an unusable result or
    metric is skipped, the rest are kept."""
    problems: list[Problem] = []
    out: list[EvalResult] = []
    if data is None:
        return out, problems
    if not isinstance(data, list):
        problems.append(Problem(path, f"must be a list of models, got {type(data).__name__}"))
        return out, problems
    if not data:
        problems.append(Problem(path, "is an empty list", "warning"))
    for i, entry in enumerate(data):
        epath = f"{path}[{i}]"
        if not isinstance(entry, dict):
            problems.append(Problem(epath, f"must be a mapping with 'name' and 'results', got {type(entry).__name__}"))
            continue
        name = _opt_str(entry, "name", epath, problems)
        if name is None:
            problems.append(Problem(f"{epath}.name", "is required"))
        results = entry.get("results")
        if not isinstance(results, list):
            problems.append(Problem(f"{epath}.results", "is required and must be a list" if results is None else f"must be a list, got {type(results).__name__}"))
            continue
        entry_extra = _extra(entry, _ENTRY_KEYS)
        for j, res in enumerate(results):
            out.extend(_read_result(res, f"{epath}.results[{j}]", name, entry_extra, problems))
    return out, problems


def _read_result(res: Any, rpath: str, model_name: str | None, entry_extra: dict, problems: list[Problem]) -> list[EvalResult]:
    if not isinstance(res, dict):
        problems.append(Problem(rpath, f"must be a mapping, got {type(res).__name__}"))
        return []
    task = res.get("task")
    dataset = res.get("dataset")
    metrics = res.get("metrics")
    source = res.get("source")
    ok = True
    if not isinstance(task, dict):
        problems.append(Problem(f"{rpath}.task", "is required (a mapping with 'type')" if task is None else "must be a mapping"))
        task = {}
    if not task.get("type"):
        problems.append(Problem(f"{rpath}.task.type", "is required"))
    if not isinstance(dataset, dict):
        problems.append(Problem(f"{rpath}.dataset", "is required (a mapping with 'type' and 'name')" if dataset is None else "must be a mapping"))
        return []
    dtype = dataset.get("type")
    if not dtype:
        problems.append(Problem(f"{rpath}.dataset.type", "is required (the Hub dataset id)"))
        ok = False
    if not dataset.get("name"):
        problems.append(Problem(f"{rpath}.dataset.name", "is required (a pretty name)"))
    if source is not None:
        if not isinstance(source, dict):
            problems.append(Problem(f"{rpath}.source", "must be a mapping with 'url'"))
            source = {}
        elif not source.get("url"):
            problems.append(Problem(f"{rpath}.source.url", "is required when source is given"))
    else:
        source = {}
    if not isinstance(metrics, list):
        problems.append(Problem(f"{rpath}.metrics", "is required and must be a list" if metrics is None else "must be a list"))
        return []
    if not ok:
        return []
    dargs = dataset.get("args")
    if dargs is not None and not isinstance(dargs, dict):
        problems.append(Problem(f"{rpath}.dataset.args", "must be a mapping", "warning"))
        dargs = {"_value": dargs}
    dargs = dict(dargs or {})
    n_shot = dargs.pop("num_few_shot", None)
    if n_shot is not None and (isinstance(n_shot, bool) or not isinstance(n_shot, int)):
        dargs["num_few_shot"] = n_shot  # keep as written, not modelled
        n_shot = None
    notes = dargs.pop("notes", None)
    if notes is not None and not isinstance(notes, str):
        dargs["notes"] = notes
        notes = None
    base = dict(
        model_name=model_name,
        task_type=task.get("type"),
        task_name=task.get("name"),
        dataset_id=str(dtype),
        dataset_name=_opt_str(dataset, "name", f"{rpath}.dataset", problems),
        dataset_config=_opt_str(dataset, "config", f"{rpath}.dataset", problems),
        dataset_split=_opt_str(dataset, "split", f"{rpath}.dataset", problems),
        dataset_revision=_opt_str(dataset, "revision", f"{rpath}.dataset", problems),
        dataset_args=dargs or None,
        n_shot=n_shot,
        notes=notes,
        source_name=source.get("name"),
        source_url=source.get("url"),
        source_kind="model-index",
    )
    extra_base = {
        k: v
        for k, v in {
            "entry": entry_extra,
            "result": _extra(res, _RESULT_KEYS),
            "task": _extra(task, _TASK_KEYS),
            "dataset": _extra(dataset, _DATASET_KEYS),
            "source": _extra(source, _SOURCE_KEYS),
        }.items()
        if v
    }
    out = []
    for k, m in enumerate(metrics):
        mpath = f"{rpath}.metrics[{k}]"
        if not isinstance(m, dict):
            problems.append(Problem(mpath, f"must be a mapping with 'type' and 'value', got {type(m).__name__}"))
            continue
        if not m.get("type"):
            problems.append(Problem(f"{mpath}.type", "is required"))
            continue
        if "value" not in m or m["value"] is None:
            problems.append(Problem(f"{mpath}.value", "is required"))
            continue
        value = m["value"]
        if isinstance(value, bool) or (isinstance(value, (int, float)) and not math.isfinite(value)):
            problems.append(Problem(f"{mpath}.value", f"not a number: {value!r}"))
            continue
        if isinstance(value, str):
            if to_float(value) is None:
                problems.append(Problem(f"{mpath}.value", f"not a number: {value!r}"))
                continue
            else:
                problems.append(Problem(f"{mpath}.value", f"a number written as a string ({value!r})", "warning"))
        elif not isinstance(value, (int, float)):
            problems.append(Problem(f"{mpath}.value", f"not a number: {value!r}"))
            continue
        margs = m.get("args")
        if margs is not None and not isinstance(margs, dict):
            problems.append(Problem(f"{mpath}.args", "must be a mapping", "warning"))
            margs = {"_value": margs}
        margs = dict(margs or {})
        stderr = margs.pop("stderr", None)
        if stderr is not None and to_float(stderr) is None:
            margs["stderr"] = stderr
            stderr = None
        model_revision = margs.pop("model_revision", None)
        if model_revision is not None and not isinstance(model_revision, str):
            margs["model_revision"] = model_revision
            model_revision = None
        verified = m.get("verified")
        if verified is not None and not isinstance(verified, bool):
            problems.append(Problem(f"{mpath}.verified", "must be true or false", "warning"))
        extra = dict(extra_base)
        mextra = _extra(m, _METRIC_KEYS)
        if mextra:
            extra["metric"] = mextra
        out.append(
            EvalResult(
                **base,
                metric_type=str(m["type"]),
                value=value,
                metric_name=_opt_str(m, "name", mpath, problems),
                metric_config=_opt_str(m, "config", mpath, problems),
                metric_args=margs or None,
                stderr=stderr,
                model_revision=model_revision,
                verified=verified,
                verify_token=m.get("verifyToken"),
                extra=extra,
            )
        )
    return out


def _metric_dict(r: EvalResult) -> dict[str, Any]:
    m: dict[str, Any] = {"type": r.metric_type, "value": r.value}
    if r.metric_name is not None:
        m["name"] = r.metric_name
    if r.metric_config is not None:
        m["config"] = r.metric_config
    args = dict(r.metric_args or {})
    if r.stderr is not None:
        args["stderr"] = r.stderr
    if r.model_revision is not None:
        args["model_revision"] = r.model_revision
    if args:
        m["args"] = args
    if r.verified is not None:
        m["verified"] = r.verified
    if r.verify_token is not None:
        m["verifyToken"] = r.verify_token
    m.update(r.extra.get("metric", {}))
    return m


def _result_head(r: EvalResult) -> dict[str, Any]:
    task: dict[str, Any] = {"type": r.task_type or "text-generation"}
    if r.task_name is not None:
        task["name"] = r.task_name
    task.update(r.extra.get("task", {}))
    dataset: dict[str, Any] = {"name": r.dataset_name or r.dataset_id, "type": r.dataset_id}
    for key, val in (("config", r.dataset_config), ("split", r.dataset_split), ("revision", r.dataset_revision)):
        if val is not None:
            dataset[key] = val
    args = dict(r.dataset_args or {})
    if r.n_shot is not None:
        args["num_few_shot"] = r.n_shot
    if r.notes is not None:
        args["notes"] = r.notes
    if args:
        dataset["args"] = args
    dataset.update(r.extra.get("dataset", {}))
    head: dict[str, Any] = {"task": task, "dataset": dataset}
    if r.source_url is not None or r.source_name is not None or r.extra.get("source"):
        source: dict[str, Any] = {}
        if r.source_name is not None:
            source["name"] = r.source_name
        if r.source_url is not None:
            source["url"] = r.source_url
        source.update(r.extra.get("source", {}))
        head["source"] = source
    return head


def _freeze(obj: Any) -> Any:
    if isinstance(obj, dict):
        return tuple((k, _freeze(v)) for k, v in obj.items())
    if isinstance(obj, list):
        return tuple(_freeze(v) for v in obj)
    return obj


def to_model_index(results: Iterable[EvalResult], *, default_name: str | None = None) -> list[dict[str, Any]]:
    """Build a ``model-index`` list. Results are grouped into one entry per model name and, inside it, one result
    per identical (task, dataset, source) block, in order of first appearance; nothing is dropped."""
    entries: dict[Any, dict[str, Any]] = {}
    blocks: dict[Any, dict[str, Any]] = {}
    for r in results:
        name = r.model_name or default_name or r.model_id or "model"
        ekey = (name, _freeze(r.extra.get("entry", {})))
        if ekey not in entries:
            entry = {"name": name, "results": []}
            entry.update(r.extra.get("entry", {}))
            entries[ekey] = entry
        head = _result_head(r)
        rextra = r.extra.get("result", {})
        bkey = (ekey, _freeze(head), _freeze(rextra))
        if bkey not in blocks:
            block = {"task": head["task"], "dataset": head["dataset"], "metrics": []}
            if "source" in head:
                block["source"] = head["source"]
            block.update(rextra)
            blocks[bkey] = block
            entries[ekey]["results"].append(block)
        blocks[bkey]["metrics"].append(_metric_dict(r))
    return list(entries.values())


def validate_model_index(data: Any, *, path: str = "model-index") -> list[Problem]:
    """Every problem in a ``model-index`` value (errors and warnings), each with its path."""
    _, problems = read_model_index(data, path=path)
    return problems
