"""lighteval results JSON -> :class:`~evalcard.results.EvalResult`.

Layout (lighteval 0.13 ``logging/evaluation_tracker.py``; Open LLM Leaderboard v1 files for the older key style)::

    {"config_general": {"model_name": "org/m", "model_sha": "...", "lighteval_sha": "...", "model_config": {...}},
     "results": {"leaderboard|arc:challenge|25": {"acc": 0.6, "acc_stderr": 0.01, "acc_norm": 0.63, ...},
                 "gsm8k|5": {"extractive_match": 0.71, "extractive_match_stderr": 0.012},
                 "mmlu:_average|5": {...}, "all": {...}},
     "versions": {...}, "config_tasks": {"gsm8k|5": {"hf_repo": "openai/gsm8k", "hf_subset": "main",
                                                    "evaluation_splits": ["test"], ...}}}

Keys are split on ``|``: the last part is the n-shot, the one before it the task (which may hold a ``:subset``), a
first part, when there are three, the suite. ``all`` (lighteval's mean over everything) is not a task and is not
imported; ``task:_average`` keys are lighteval's own group averages and are imported as reported, marked as groups.
For a benchmark the registry knows only its metric is imported and the others are named in a note (``all_metrics``
imports them too).
"""

from __future__ import annotations

from typing import Any

from ..benchmarks import Registry, load_registry
from ..results import EvalResult
from .framework_logs import (
    LogImport,
    benchmark_for_task,
    check_nshot,
    check_number,
    check_stderr,
    date_from_name,
    join_notes,
    left_out_note,
    pick_metrics,
    scale_for,
)

FRAMEWORK = "lighteval"
#: lighteval task names whose registry benchmark is not found by name alone
TASK_ALIASES = {"truthfulqa:mc": "truthfulqa", "gpqa:diamond": "gpqa", "aime24": "aime_2024", "aime25": "aime_2025", "math_500": "math_500"}


def split_key(key: str) -> tuple[str | None, str, str | None] | None:
    """``suite|task|n`` or ``task|n`` -> ``(suite, task, n)``; None for a key of neither shape."""
    parts = key.split("|")
    if len(parts) == 3:
        return parts[0] or None, parts[1], parts[2]
    if len(parts) == 2:
        return None, parts[0], parts[1]
    return None


def parse_lighteval(data: dict[str, Any], *, path: str = "<lighteval>", registry: Registry | None = None, all_metrics: bool = False) -> LogImport:
    reg = registry or load_registry()
    out = LogImport()
    warn = out.warnings.append
    results = data.get("results")
    if not isinstance(results, dict):
        warn(f"{path}: 'results' is not a mapping; nothing imported")
        return out
    general = data.get("config_general") if isinstance(data.get("config_general"), dict) else {}
    mconf = general.get("model_config") if isinstance(general.get("model_config"), dict) else {}
    config_tasks = data.get("config_tasks") if isinstance(data.get("config_tasks"), dict) else {}
    versions = data.get("versions") if isinstance(data.get("versions"), dict) else {}

    model_id = next((v for v in (general.get("model_name"), mconf.get("model_name")) if isinstance(v, str) and v), None)
    revision = next((v for v in (general.get("model_sha"), mconf.get("revision")) if isinstance(v, str) and v), None)
    version = next((v for v in (general.get("lighteval_version"), data.get("lighteval_version")) if isinstance(v, str) and v), None)
    chat = next((v for v in (general.get("use_chat_template"), mconf.get("use_chat_template")) if isinstance(v, bool)), None)
    max_samples = general.get("max_samples")
    if isinstance(max_samples, bool) or not isinstance(max_samples, int) or max_samples < 0 or max_samples > 10**15:
        max_samples = None
    run_notes = ["chat template" if chat else None, f"max samples {max_samples}" if isinstance(max_samples, int) and max_samples else None]
    base_prov: dict[str, Any] = {"framework": FRAMEWORK, "framework_version": version, "file": path}
    for key, val in (
        ("lighteval_sha", general.get("lighteval_sha")),
        ("use_chat_template", chat),
        ("max_samples", max_samples),
        ("num_fewshot_seeds", general.get("num_fewshot_seeds")),
        ("model_dtype", general.get("model_dtype") or mconf.get("dtype")),
    ):
        if val not in (None, ""):
            base_prov[key] = val
    date = date_from_name(path)

    for key, metrics in results.items():
        tpath = f"{path}: results.{key}"
        if key == "all":
            continue
        parsed = split_key(str(key))
        if parsed is None:
            warn(f"{tpath}: skipped: key is not 'suite|task|n-shot' or 'task|n-shot'")
            continue
        suite, task, n_raw = parsed
        if not isinstance(metrics, dict):
            warn(f"{tpath}: skipped: expected a mapping of metrics, got {type(metrics).__name__}")
            continue
        n_shot, nwhy = check_nshot(n_raw)
        if nwhy:
            warn(f"{tpath}: n-shot ignored: {nwhy}")
        is_group = task.endswith(":_average")
        bench_name = task[: -len(":_average")] if is_group else task
        bench = benchmark_for_task(bench_name, reg, aliases=TASK_ALIASES)
        names = [m for m in metrics if isinstance(m, str) and not m.endswith("_stderr")]
        if not names:
            warn(f"{tpath}: skipped: no metrics in it")
            continue
        picked, why = pick_metrics(bench, names, reg)
        if why:
            warn(f"{tpath}: {why}")
        if all_metrics:
            picked = list(dict.fromkeys(names))
        note = left_out_note(str(key), [m for m in names if m not in picked])
        if note:
            out.notes.append(note)
        tconf = next(
            (config_tasks[k] for k in (key, f"{suite}|{task}" if suite else task, task) if isinstance(config_tasks.get(k), dict)),
            {},
        )
        hf_repo = tconf.get("hf_repo") if isinstance(tconf.get("hf_repo"), str) else None
        hf_subset = tconf.get("hf_subset") if isinstance(tconf.get("hf_subset"), str) else None
        splits = tconf.get("evaluation_splits")
        split = splits[0] if isinstance(splits, list) and len(splits) == 1 and isinstance(splits[0], str) else None
        hf_rev = tconf.get("hf_revision") if isinstance(tconf.get("hf_revision"), str) else None
        for m in picked:
            value, vwhy = check_number(metrics[m])
            if vwhy:
                warn(f"{tpath}.{m}: skipped: {vwhy}")
                continue
            stderr, swhy = check_stderr(metrics.get(f"{m}_stderr"))
            if swhy:
                warn(f"{tpath}.{m}_stderr: stderr ignored: {swhy}")
            prov = dict(base_prov, task=key, metric_key=m)
            if suite:
                prov["suite"] = suite
            if bench is not None:
                prov["benchmark"] = bench.id
            if hf_repo:
                prov["log_dataset"] = hf_repo
            if versions.get(key) is not None:
                prov["task_version"] = versions[key]
            if is_group:
                prov["group"] = True
                prov["aggregation"] = "lighteval _average over subtasks, as reported (not re-aggregated)"
            out.results.append(
                EvalResult(
                    dataset_id=(bench.dataset_id if bench and bench.dataset_id else None) or hf_repo or bench_name,
                    task_id=bench.task_id if bench else None,
                    dataset_name=bench.name if bench else None,
                    dataset_config=None if is_group else hf_subset,
                    dataset_split=split,
                    dataset_revision=hf_rev,
                    task_type=bench.task_type if bench else None,
                    metric_type=m,
                    value=value,
                    stderr=stderr,
                    n_shot=n_shot,
                    notes=join_notes("average of subtasks" if is_group else None, *run_notes),
                    model_id=model_id,
                    model_revision=revision,
                    source_kind=FRAMEWORK,
                    date=date,
                    scale=scale_for(m, value, reg),
                    higher_is_better=reg.higher_is_better(m),
                    provenance=prov,
                )
            )
    return out
