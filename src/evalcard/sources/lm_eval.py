"""lm-evaluation-harness ``results_*.json`` -> :class:`~evalcard.results.EvalResult`.

Two layouts (key paths from lm-eval 0.4.13 ``evaluator.py`` / ``loggers/evaluation_tracker.py`` and 0.3's
``main.py``)::

    0.3: {"results": {"hellaswag": {"acc": 0.5, "acc_stderr": 0.005, "acc_norm": 0.6, ...}},
          "versions": {"hellaswag": 0}, "config": {"model": "hf-causal", "model_args": "pretrained=org/m",
          "num_fewshot": 10, "limit": null, ...}}
    0.4: {"results": {"gsm8k": {"alias": "gsm8k", "exact_match,strict-match": 0.71,
                                "exact_match_stderr,strict-match": 0.012, ...}},
          "groups": {"mmlu": {...}}, "group_subtasks": {"mmlu": ["mmlu_stem", ...]},
          "configs": {"gsm8k": {"dataset_path": "gsm8k", "dataset_name": "main", "test_split": "test",
                                "num_fewshot": 5, ...}},
          "n-shot": {"gsm8k": 5}, "higher_is_better": {...}, "config": {"model_revision": ..., ...},
          "lm_eval_version": "0.4.13", "chat_template": ..., "chat_template_sha": ..., "date": 1768472400.1}

A third shape is only the ``results`` mapping, without anything around it (files committed by hand look like
that)::

    {"hellaswag": {"alias": "hellaswag", "acc,none": 0.5, "acc_stderr,none": 0.01, "acc_norm,none": 0.6}}

It is read like the ``results`` of a full file, with the model and the n-shot unknown (said in a warning).

Rules: for a benchmark the registry knows, its metric is imported (``acc_norm`` for HellaSwag) and the others are
named in a note; when the registry names the benchmark's filter (GSM8K: ``strict-match``) only that filter's score
is imported and the others are named in a note; otherwise every filter becomes its own result, the filter kept in
``notes``. ``all_metrics`` imports every metric and filter. Unknown tasks import every metric. Group scores
(``mmlu``) are imported as the log reports them, marked as groups; subtasks are never re-aggregated.
"""

from __future__ import annotations

import re
from typing import Any

from ..benchmarks import Registry, load_registry
from ..results import EvalResult
from .framework_logs import (
    LogImport,
    benchmark_for_task,
    check_nshot,
    check_number,
    check_stderr,
    _short,
    date_from_name,
    epoch_to_date,
    join_notes,
    left_out_note,
    pick_metrics,
    scale_for,
)

FRAMEWORK = "lm-eval"
#: keys of a task's result dict that are not metrics
_NOT_METRICS = {"alias", "name", "sample_len", "sample_count", "samples", "group", " "}
#: model_args keys that name the model, in lm-eval's own order of preference
_MODEL_KEYS = ("peft", "delta", "pretrained", "model", "path", "engine")
#: lm-eval task names whose registry benchmark is not found by name alone
TASK_ALIASES = {
    "truthfulqa_mc2": "truthfulqa",
    "leaderboard_gpqa_diamond": "gpqa",
    "leaderboard_ifeval": "ifeval",
    "leaderboard_musr": "musr",
    "leaderboard_bbh": "bbh",
    "leaderboard_mmlu_pro": "mmlu_pro",
}
#: lm-eval metric names for a benchmark whose registry metric has another name
METRIC_ALIASES = {("truthfulqa_mc2", "acc"): "mc2"}


def _key_label(metric: str, filt: str | None) -> str:
    """How a metric is named in a note: ``acc`` (no filter), ``exact_match,flexible-extract`` (lm-eval's own key)."""
    return metric if filt in (None, "none") else f"{metric},{filt}"


def _model_args(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        out = {}
        for part in value.split(","):
            if "=" in part:
                k, v = part.split("=", 1)
                out[k.strip()] = v.strip()
        return out
    return {}


#: top-level keys of other result files (and of full lm-eval files): a mapping with one of them is not bare results
_OTHER_FORMAT_KEYS = {
    "results", "config", "configs", "versions", "n-shot", "groups", "group_subtasks", "config_general", "config_tasks",
    "summary_tasks", "eval", "status", "version", "stats", "plan", "samples", "model-index", "data",
}
#: a 0.4 metric key: ``metric,filter`` (metric and filter names are identifiers with '-', '.', '_')
_KEY_04 = re.compile(r"^[A-Za-z_][\w.\-]*,[\w.\-]+$")


def is_bare_results(data: Any) -> bool:
    """Whether ``data`` is an lm-eval ``results`` mapping on its own: task name -> {metric key: value}, every task
    with at least one lm-eval metric key (0.4 ``acc,none``; 0.3 ``acc`` beside ``acc_stderr``), and at least one
    number among them. Task names hold no '|' (lighteval's keys do) and no key of another results format."""
    if not isinstance(data, dict) or not data or len(data) > 100_000:
        return False
    if any(not isinstance(k, str) or k in _OTHER_FORMAT_KEYS or "|" in k for k in data):
        return False
    any_number = False
    for metrics in data.values():
        if not isinstance(metrics, dict) or not metrics:
            return False
        keys = [k for k in metrics if isinstance(k, str) and k not in _NOT_METRICS]
        k04 = [k for k in keys if _KEY_04.match(k)]
        k03 = [k for k in keys if "," not in k and not k.endswith("_stderr") and f"{k}_stderr" in metrics]
        if not k04 and not k03:
            return False
        any_number = any_number or any(
            isinstance(metrics[k], (int, float)) and not isinstance(metrics[k], bool) for k in k04 + k03
        )
    return any_number


def parse_lm_eval(data: dict[str, Any], *, path: str = "<lm-eval>", registry: Registry | None = None, all_metrics: bool = False) -> LogImport:
    reg = registry or load_registry()
    out = LogImport()
    warn = out.warnings.append
    bare = "results" not in data and is_bare_results(data)
    wrapped = set(data) == {"results"} and is_bare_results(data["results"])
    if bare or wrapped:
        what = "only lm-eval's 'results' mapping" if bare else "only a 'results' key"
        warn(f"{path}: {what}, without 'config', 'configs' or 'n-shot': the model and the n-shot are unknown")
        data = {"results": data} if bare else data
        bare = True
    results = data.get("results")
    if not isinstance(results, dict):
        warn(f"{path}: 'results' is not a mapping; nothing imported")
        return out

    def section(name: str) -> dict[str, Any]:
        v = data.get(name)
        if v is None:
            return {}
        if not isinstance(v, dict):
            warn(f"{path}: '{name}' is a {type(v).__name__}, not a mapping; ignored")
            return {}
        return v

    config = section("config")
    configs = section("configs")
    nshots = section("n-shot")
    hib = section("higher_is_better")
    groups = section("groups")
    group_subtasks = section("group_subtasks")

    layout = "0.4" if (
        any(isinstance(t, dict) and any("," in str(k) for k in t) for t in results.values())
        or any(k in data for k in ("n-shot", "configs", "lm_eval_version", "group_subtasks"))
    ) else "0.3"
    margs = _model_args(config.get("model_args"))
    model_id = data.get("model_name") if isinstance(data.get("model_name"), str) else None
    if not model_id:
        model_id = next((margs[k] for k in _MODEL_KEYS if isinstance(margs.get(k), str) and margs[k]), None)
    revision = next(
        (v for v in (config.get("model_revision"), config.get("model_sha"), margs.get("revision")) if isinstance(v, str) and v),
        None,
    )
    version = data.get("lm_eval_version") if isinstance(data.get("lm_eval_version"), str) else None
    date = epoch_to_date(data.get("date")) or date_from_name(path)

    chat = data.get("chat_template")
    limit = config.get("limit")  # a sample count, or a fraction of the data
    if limit is not None:
        lv, lwhy = check_number(limit)
        if lwhy or lv < 0:  # type: ignore[operator]
            warn(f"{path}: config.limit ignored: {lwhy or f'negative ({lv})'}")
            limit = None
        else:
            limit = int(lv) if isinstance(lv, float) and lv.is_integer() else lv
    run_notes = [
        "chat template" if chat else None,
        "fewshot as multiturn" if data.get("fewshot_as_multiturn") is True else None,
        "system instruction" if data.get("system_instruction") else None,
        f"limit {limit}" if limit not in (None, 0) else None,
    ]
    base_prov: dict[str, Any] = {
        "framework": FRAMEWORK,
        "framework_version": version,
        "layout": layout,
        "file": path,
    }
    if bare:
        base_prov["results_only"] = True
    for key, val in (
        ("git_hash", data.get("git_hash")),
        ("transformers_version", data.get("transformers_version")),
        ("model_source", data.get("model_source") or config.get("model")),
        ("model_dtype", config.get("model_dtype")),
        ("batch_size", config.get("batch_size")),
        ("limit", limit),
        ("chat_template_sha", data.get("chat_template_sha")),
        ("fewshot_as_multiturn", data.get("fewshot_as_multiturn")),
        ("system_instruction_sha", data.get("system_instruction_sha")),
        ("model_args", config.get("model_args") if isinstance(config.get("model_args"), (str, dict)) else None),
    ):
        if val is not None:
            base_prov[key] = val

    tasks: dict[str, Any] = dict(results)
    for g, gres in groups.items():  # lm-eval >= 0.4.3 reports groups only here
        tasks.setdefault(g, gres)
    group_names = set(groups) | {g for g, subs in group_subtasks.items() if subs}

    for task, metrics in tasks.items():
        tpath = f"{path}: results.{task}"
        if not isinstance(metrics, dict):
            warn(f"{tpath}: skipped: expected a mapping of metrics, got {type(metrics).__name__}")
            continue
        tconf = configs.get(task) if isinstance(configs.get(task), dict) else {}
        # metric -> {filter: key}
        found: dict[str, dict[str | None, str]] = {}
        for key in metrics:
            if not isinstance(key, str) or key in _NOT_METRICS:
                continue
            if layout == "0.4":
                if "," not in key:
                    continue
                m, f = key.split(",", 1)
            else:
                m, f = key, None
            if m.endswith("_stderr"):
                continue
            found.setdefault(m, {})[f] = key
        if not found:
            if task not in group_names:
                warn(f"{tpath}: skipped: no metrics in it")
            continue

        bench = benchmark_for_task(task, reg, aliases=TASK_ALIASES)
        renamed = {m: METRIC_ALIASES.get((task, m), m) for m in found}
        picked, why = pick_metrics(bench, list(renamed.values()), reg)
        if why:
            warn(f"{tpath}: {why}")
        picked_raw = list(found) if all_metrics else [m for m in found if renamed[m] in picked]
        left = [_key_label(m, f) for m in found if m not in picked_raw for f in found[m]]

        n_raw = nshots.get(task, tconf.get("num_fewshot", config.get("num_fewshot") if layout == "0.3" else None))
        n_shot, nwhy = check_nshot(n_raw)
        if nwhy:
            warn(f"{tpath}: n-shot ignored: {nwhy}")
        split = tconf.get("test_split") or tconf.get("validation_split")
        ds_path = tconf.get("dataset_path") if isinstance(tconf.get("dataset_path"), str) else None
        ds_name = tconf.get("dataset_name") if isinstance(tconf.get("dataset_name"), str) else None
        ds_rev = (tconf.get("dataset_kwargs") or {}).get("revision") if isinstance(tconf.get("dataset_kwargs"), dict) else None
        is_group = task in group_names
        thib = hib.get(task) if isinstance(hib.get(task), dict) else {}

        plan: list[tuple[str, dict[str | None, str]]] = []
        for m in picked_raw:
            filters = found[m]
            if not all_metrics and bench is not None and bench.filter and bench.filter in filters and len(filters) > 1:
                left.extend(_key_label(m, f) for f in filters if f != bench.filter)
                filters = {bench.filter: filters[bench.filter]}
            plan.append((m, filters))
        note = left_out_note(task, left)
        if note:
            out.notes.append(note)
        for m, filters in plan:
            for f, key in filters.items():
                value, vwhy = check_number(metrics[key])
                if vwhy:
                    warn(f"{tpath}.{key!r}: skipped: {vwhy}")
                    continue
                skey = f"{m}_stderr,{f}" if layout == "0.4" else f"{m}_stderr"
                stderr, swhy = check_stderr(metrics.get(skey))
                if swhy:
                    warn(f"{tpath}.{skey!r}: stderr ignored: {swhy}")
                metric = renamed[m]
                filt = f if f not in (None, "none") else None
                prov = dict(base_prov, task=task, metric_key=key)
                if filt:
                    prov["filter"] = filt
                if bench is not None:
                    prov["benchmark"] = bench.id
                if ds_path:
                    prov["log_dataset"] = ds_path
                if isinstance(data.get("versions"), dict) and data["versions"].get(task) is not None:
                    prov["task_version"] = data["versions"][task]
                if is_group:
                    prov["group"] = True
                    prov["aggregation"] = "as reported by lm-eval (not re-aggregated)"
                    subs = group_subtasks.get(task)
                    if isinstance(subs, list):
                        prov["subtasks"] = subs
                out.results.append(
                    EvalResult(
                        dataset_id=(bench.dataset_id if bench and bench.dataset_id else None) or ds_path or task,
                        task_id=bench.task_id if bench else None,
                        dataset_name=bench.name if bench else None,
                        dataset_config=ds_name,
                        dataset_split=split if isinstance(split, str) else None,
                        dataset_revision=ds_rev if isinstance(ds_rev, str) else None,
                        task_type=bench.task_type if bench else None,
                        metric_type=metric,
                        value=value,
                        stderr=stderr,
                        n_shot=n_shot,
                        notes=join_notes(filt, *run_notes),
                        model_id=model_id,
                        model_revision=revision,
                        source_kind=FRAMEWORK,
                        date=date,
                        scale=scale_for(metric, value, reg),
                        higher_is_better=thib.get(m) if isinstance(thib.get(m), bool) else reg.higher_is_better(metric),
                        provenance=prov,
                    )
                )
    return out
