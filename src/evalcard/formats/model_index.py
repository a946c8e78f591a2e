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

from typing import Any, Iterable

from ..results import EvalResult
from .problems import Problem, Row
from .values import finite_number, not_a_number, short_repr

_TASK_KEYS = ("type", "name")
_DATASET_KEYS = ("name", "type", "config", "split", "revision", "args")
_METRIC_KEYS = ("type", "value", "name", "config", "args", "verified", "verifyToken")
_SOURCE_KEYS = ("name", "url")
_RESULT_KEYS = ("task", "dataset", "metrics", "source")
_ENTRY_KEYS = ("name", "results")


def _extra(d: dict, known: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k not in known}


def _opt_str(d: dict, key: str, path: str, problems: list[Problem]) -> str | None:
    """``d[key]`` when it is a string or absent; anything else is an error (a list, a map, a number) and reads as
    its short repr, so nothing downstream meets a non-string where a string belongs."""
    v = d.get(key)
    if v is None or isinstance(v, str):
        return v
    problems.append(Problem(f"{path}.{key}", f"must be a string, got {type(v).__name__} {short_repr(v)}"))
    return short_repr(v)


def read_model_index(data: Any, *, path: str = "model-index") -> tuple[list[EvalResult], list[Problem]]:
    """Read a ``model-index`` value leniently: every problem is reported with its path; an unusable result or
    metric is skipped, the rest are kept."""
    rows, problems = read_model_index_rows(data, path=path)
    return [row.result for row in rows if row.usable], problems


def read_model_index_rows(data: Any, *, path: str = "model-index") -> tuple[list[Row], list[Problem]]:
    """Every metric of every result a ``model-index`` holds, in order, as a :class:`Row` with its problems;
    unusable ones included (``usable=False``), so that a reader can show all a card says."""
    problems: list[Problem] = []
    rows: list[Row] = []
    if data is None:
        return rows, problems
    if not isinstance(data, list):
        problems.append(Problem(path, f"must be a list of models, got {type(data).__name__}"))
        return rows, problems
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
            rows.extend(_read_result(res, f"{epath}.results[{j}]", name, entry_extra, problems))
    return rows, problems


def _read_result(res: Any, rpath: str, model_name: str | None, entry_extra: dict, problems: list[Problem]) -> list[Row]:
    if not isinstance(res, dict):
        problems.append(Problem(rpath, f"must be a mapping, got {type(res).__name__}"))
        return []
    shared: list[Problem] = []  # problems of the result, shared by its metrics' rows
    task = res.get("task")
    dataset = res.get("dataset")
    metrics = res.get("metrics")
    source = res.get("source")
    usable = True
    if not isinstance(task, dict):
        shared.append(Problem(f"{rpath}.task", "is required (a mapping with 'type')" if task is None else "must be a mapping"))
        task = {}
    task_type = _opt_str(task, "type", f"{rpath}.task", shared)
    if not task_type:
        shared.append(Problem(f"{rpath}.task.type", "is required"))
    task_name = _opt_str(task, "name", f"{rpath}.task", shared)
    if not isinstance(dataset, dict):
        shared.append(Problem(f"{rpath}.dataset", "is required (a mapping with 'type' and 'name')" if dataset is None else "must be a mapping"))
        dataset = {}
        usable = False
    dtype = _opt_str(dataset, "type", f"{rpath}.dataset", shared)
    if not dtype and "dataset" in res and isinstance(res.get("dataset"), dict):
        shared.append(Problem(f"{rpath}.dataset.type", "is required (the Hub dataset id)"))
        usable = False
    elif dtype != dataset.get("type"):
        usable = False  # not a string: no dataset id to file the result under
    dataset_name = _opt_str(dataset, "name", f"{rpath}.dataset", shared)
    if not dataset_name and isinstance(res.get("dataset"), dict):
        shared.append(Problem(f"{rpath}.dataset.name", "is required (a pretty name)"))
    if source is not None:
        if not isinstance(source, dict):
            shared.append(Problem(f"{rpath}.source", "must be a mapping with 'url'"))
            source = {}
        elif not source.get("url"):
            shared.append(Problem(f"{rpath}.source.url", "is required when source is given"))
    else:
        source = {}
    source_name = _opt_str(source, "name", f"{rpath}.source", shared)
    source_url = _opt_str(source, "url", f"{rpath}.source", shared)
    if not isinstance(metrics, list):
        shared.append(Problem(f"{rpath}.metrics", "is required and must be a list" if metrics is None else "must be a list"))
        problems.extend(shared)
        return []
    dargs = dataset.get("args")
    if dargs is not None and not isinstance(dargs, dict):
        shared.append(Problem(f"{rpath}.dataset.args", "must be a mapping", "warning"))
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
        task_type=task_type,
        task_name=task_name,
        dataset_id=dtype or "",
        dataset_name=dataset_name,
        dataset_config=_opt_str(dataset, "config", f"{rpath}.dataset", shared),
        dataset_split=_opt_str(dataset, "split", f"{rpath}.dataset", shared),
        dataset_revision=_opt_str(dataset, "revision", f"{rpath}.dataset", shared),
        dataset_args=dargs or None,
        n_shot=n_shot,
        notes=notes,
        source_name=source_name,
        source_url=source_url,
        source_kind="model-index",
    )
    problems.extend(shared)
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
        mine: list[Problem] = []
        ok = usable
        mtype = _opt_str(m, "type", mpath, mine)
        if not mtype:
            mine.append(Problem(f"{mpath}.type", "is required"))
            ok = False
        value = m.get("value")
        if value is None:
            mine.append(Problem(f"{mpath}.value", "is required"))
            ok = False
        elif isinstance(value, str):
            if finite_number(value) is None:
                mine.append(Problem(f"{mpath}.value", not_a_number(value)))
                ok = False
            else:
                mine.append(Problem(f"{mpath}.value", f"a number written as a string ({short_repr(value)})", "warning"))
        elif finite_number(value) is None:
            mine.append(Problem(f"{mpath}.value", not_a_number(value)))
            ok = False
        margs = m.get("args")
        if margs is not None and not isinstance(margs, dict):
            mine.append(Problem(f"{mpath}.args", "must be a mapping", "warning"))
            margs = {"_value": margs}
        margs = dict(margs or {})
        stderr = margs.pop("stderr", None)
        if stderr is not None and finite_number(stderr) is None:
            margs["stderr"] = stderr
            stderr = None
        model_revision = margs.pop("model_revision", None)
        if model_revision is not None and not isinstance(model_revision, str):
            margs["model_revision"] = model_revision
            model_revision = None
        verified = m.get("verified")
        if verified is not None and not isinstance(verified, bool):
            mine.append(Problem(f"{mpath}.verified", "must be true or false", "warning"))
        token = m.get("verifyToken")
        if token is not None and not isinstance(token, str):
            mine.append(Problem(f"{mpath}.verifyToken", f"must be a string, got {type(token).__name__}"))
        metric_name = _opt_str(m, "name", mpath, mine)
        metric_config = _opt_str(m, "config", mpath, mine)
        problems.extend(mine)
        extra = dict(extra_base)
        mextra = _extra(m, _METRIC_KEYS)
        if mextra:
            extra["metric"] = mextra
        result = EvalResult(
            **base,
            metric_type=mtype or "",
            value=value,
            metric_name=metric_name,
            metric_config=metric_config,
            metric_args=margs or None,
            stderr=stderr,
            model_revision=model_revision,
            verified=verified,
            verify_token=token,
            extra=extra,
        )
        out.append(Row(result, mpath, shared + mine, usable=ok))
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
