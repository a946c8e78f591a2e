"""The Hub's ``.eval_results/*.yaml`` files <-> :class:`~evalcard.results.EvalResult`. Pure functions, no I/O.

Each file is a YAML list of entries (hub-docs ``eval_results.yaml``)::

    - dataset: {id: Idavidrein/gpqa, task_id: gpqa_diamond, revision: <sha>}   # id and task_id required
      value: 0.412                                                               # required
      verifyToken: ...            # signed by the Hub; evalcard never makes one
      date: "2026-01-15"          # quoted string
      source: {url: ..., name: ..., user: ..., org: ...}                         # url required with source
      notes: "5-shot, chain-of-thought"

Parsing and serialisation go through ``huggingface_hub``'s ``EvalResultEntry`` helpers. The format has no slot for
the metric, split, config or stderr; :func:`dropped_fields` names what a conversion to it cannot carry, so callers
can say so. n-shot is written at the head of ``notes`` (``"5-shot"`` or ``"5-shot, CoT"``) and read back from there.
"""

from __future__ import annotations

import datetime as _dt
import re
from typing import Any, Iterable

from huggingface_hub import EvalResultEntry, eval_result_entries_to_yaml, parse_eval_result_entries

from ..benchmarks import Registry, load_registry
from ..results import EvalResult
from .problems import Problem, Row
from .values import finite_number, not_a_number, short_repr

FOLDER = ".eval_results"
_ENTRY_KEYS = ("dataset", "value", "verifyToken", "date", "source", "notes")
_DATASET_KEYS = ("id", "task_id", "revision")
_SOURCE_KEYS = ("url", "name", "user", "org")
_NSHOT_NOTES = re.compile(r"^(\d+)-shot(?:, (.+))?$", re.S)


def _split_notes(notes: str | None) -> tuple[int | None, str | None]:
    if notes is None:
        return None, None
    m = _NSHOT_NOTES.match(notes)
    if not m:
        return None, notes
    return int(m.group(1)), m.group(2)


def _join_notes(n_shot: int | None, notes: str | None) -> str | None:
    if n_shot is None:
        return notes
    return f"{n_shot}-shot" + (f", {notes}" if notes else "")


def read_eval_results(data: Any, *, path: str = ".eval_results", registry: Registry | None = None) -> tuple[list[EvalResult], list[Problem]]:
    """Read one ``.eval_results`` file's parsed YAML leniently: bad entries are reported and skipped."""
    rows, problems = read_eval_results_rows(data, path=path, registry=registry)
    return [row.result for row in rows if row.usable], problems


def read_eval_results_rows(data: Any, *, path: str = ".eval_results", registry: Registry | None = None) -> tuple[list[Row], list[Problem]]:
    """Every entry of a ``.eval_results`` file as a :class:`Row`, unusable ones included (``usable=False``, read
    as far as they can be), with their problems."""
    reg = registry or load_registry()
    problems: list[Problem] = []
    out: list[Row] = []
    if data is None:
        return out, problems
    if not isinstance(data, list):
        problems.append(Problem(path, f"must be a list of entries, got {type(data).__name__}"))
        return out, problems
    for i, item in enumerate(data):
        ipath = f"{path}[{i}]"
        item_problems = _check_entry(item, ipath)
        problems.extend(item_problems)
        if not isinstance(item, dict):
            continue
        if any(p.severity == "error" for p in item_problems):
            out.append(Row(_lenient(item, reg), ipath, item_problems, usable=False))
            continue
        try:  # only the keys the format defines: huggingface_hub reads an 'error' or 'data' key as something else
            (entry,) = parse_eval_result_entries([{k: item[k] for k in _ENTRY_KEYS if k in item}])
        except (KeyError, TypeError, ValueError, AttributeError) as e:  # shapes _check_entry did not foresee
            problem = Problem(ipath, f"cannot be read: {e}")
            problems.append(problem)
            out.append(Row(_lenient(item, reg), ipath, item_problems + [problem], usable=False))
            continue
        n_shot, notes = _split_notes(entry.notes)
        bench = reg.benchmark_for_dataset(entry.dataset_id, entry.task_id)
        ds, src = item["dataset"], item.get("source") or {}
        extra = {
            k: v
            for k, v in {
                "entry": {k: v for k, v in item.items() if k not in _ENTRY_KEYS},
                "dataset": {k: v for k, v in ds.items() if k not in _DATASET_KEYS},
                "source": {k: v for k, v in src.items() if k not in _SOURCE_KEYS},
            }.items()
            if v
        }
        result = EvalResult(
            dataset_id=entry.dataset_id,
            task_id=entry.task_id,
            metric_type=(bench.metric if bench and bench.metric else "score"),
            value=entry.value,
            task_type=bench.task_type if bench else None,
            dataset_name=bench.name if bench else None,
            dataset_revision=entry.dataset_revision,
            verify_token=entry.verify_token,
            date=entry.date,
            source_url=entry.source_url,
            source_name=entry.source_name,
            source_user=entry.source_user,
            source_org=entry.source_org,
            n_shot=n_shot,
            notes=notes,
            source_kind="eval-results",
            extra=extra,
        )
        out.append(Row(result, ipath, item_problems))
    return out, problems


def _text(d: dict, key: str) -> str | None:
    v = d.get(key)
    return v if v is None or isinstance(v, str) else short_repr(v)


def _lenient(item: dict, reg: Registry) -> EvalResult:
    """An entry with errors, read as far as it goes (strings where strings belong), for showing it."""
    ds = item.get("dataset") if isinstance(item.get("dataset"), dict) else {}
    src = item.get("source") if isinstance(item.get("source"), dict) else {}
    dataset_id, task_id = _text(ds, "id") or "", _text(ds, "task_id")
    try:
        bench = reg.benchmark_for_dataset(dataset_id, task_id)  # None for no id
    except Exception:  # noqa: BLE001 - a name the registry cannot look up: shown without one
        bench = None
    return EvalResult(
        dataset_id=dataset_id,
        task_id=task_id,
        metric_type=(bench.metric if bench and bench.metric else "score"),
        value=item.get("value"),
        dataset_name=bench.name if bench else None,
        dataset_revision=_text(ds, "revision"),
        notes=_text(item, "notes"),
        source_url=_text(src, "url"),
        source_name=_text(src, "name"),
        date=_text(item, "date"),
        source_kind="eval-results",
    )


def _check_entry(item: Any, ipath: str) -> list[Problem]:
    p: list[Problem] = []
    if not isinstance(item, dict):
        return [Problem(ipath, f"must be a mapping, got {type(item).__name__}")]
    ds = item.get("dataset")
    if not isinstance(ds, dict):
        p.append(Problem(f"{ipath}.dataset", "is required (a mapping with 'id' and 'task_id')" if ds is None else "must be a mapping"))
    else:
        for key in ("id", "task_id"):
            if not ds.get(key):
                p.append(Problem(f"{ipath}.dataset.{key}", "is required"))
            elif not isinstance(ds[key], str):
                p.append(Problem(f"{ipath}.dataset.{key}", f"must be a string, got {type(ds[key]).__name__}"))
        if ds.get("revision") is not None and not isinstance(ds["revision"], str):
            p.append(Problem(f"{ipath}.dataset.revision", "must be a string (quote all-digit SHAs)"))
    if "value" not in item or item["value"] is None:
        p.append(Problem(f"{ipath}.value", "is required"))
    elif isinstance(item["value"], str) or finite_number(item["value"]) is None:
        p.append(Problem(f"{ipath}.value", not_a_number(item["value"])))
    if "date" in item and not isinstance(item["date"], str):
        p.append(Problem(f"{ipath}.date", "must be a quoted string (YAML turned it into a date)", "warning" if isinstance(item["date"], (_dt.date, _dt.datetime)) else "error"))
    if item.get("verifyToken") is not None and not isinstance(item["verifyToken"], str):
        p.append(Problem(f"{ipath}.verifyToken", f"must be a string, got {type(item['verifyToken']).__name__}"))
    src = item.get("source")
    if src is not None:
        if not isinstance(src, dict):
            p.append(Problem(f"{ipath}.source", "must be a mapping with 'url'"))
        else:
            if not src.get("url"):
                p.append(Problem(f"{ipath}.source.url", "is required when source is given"))
            for key in _SOURCE_KEYS:
                if src.get(key) is not None and not isinstance(src[key], str):
                    p.append(Problem(f"{ipath}.source.{key}", f"must be a string, got {type(src[key]).__name__}"))
    if item.get("notes") is not None and not isinstance(item["notes"], str):
        p.append(Problem(f"{ipath}.notes", "must be a string"))
    return p


def validate_eval_results(data: Any, *, path: str = ".eval_results") -> list[Problem]:
    _, problems = read_eval_results(data, path=path)
    return problems


def task_id_for(r: EvalResult, registry: Registry | None = None) -> str:
    """The benchmark task id for a result: its own, the registry's, the dataset config, else "default"."""
    if r.task_id:
        return r.task_id
    reg = registry or load_registry()
    bench = reg.benchmark_for_dataset(r.dataset_id) or reg.benchmark(r.dataset_name)
    if bench and bench.task_id:
        return bench.task_id
    return r.dataset_config or "default"


def dropped_fields(r: EvalResult) -> list[str]:
    """What a ``.eval_results`` entry cannot carry of this result (so a conversion can say so)."""
    names = {
        "metric_name": r.metric_name,
        "dataset_split": r.dataset_split,
        "dataset_config": r.dataset_config if r.dataset_config != r.task_id else None,
        "stderr": r.stderr,  # task_type is not named: the benchmark implies it
        "model_revision": r.model_revision,
        "metric_config": r.metric_config,
        "metric_args": {k: v for k, v in (r.metric_args or {}).items() if k not in ("stderr", "model_revision")} or None,
        "source_name": r.source_name if not r.source_url else None,
    }
    return [k for k, v in names.items() if v is not None]


def to_eval_results(results: Iterable[EvalResult], *, registry: Registry | None = None) -> list[dict[str, Any]]:
    """The YAML list for a ``.eval_results`` file (via ``huggingface_hub.eval_result_entries_to_yaml``)."""
    reg = registry or load_registry()
    out = []
    for r in results:
        date = r.date
        if date is not None and not isinstance(date, str):
            date = str(date)
        entry = EvalResultEntry(
            dataset_id=r.dataset_id,
            task_id=task_id_for(r, reg),
            value=r.value,
            dataset_revision=r.dataset_revision,
            verify_token=r.verify_token,
            date=date,
            source_url=r.source_url,
            source_name=r.source_name if r.source_url else None,
            source_user=r.source_user if r.source_url else None,
            source_org=r.source_org if r.source_url else None,
            notes=_join_notes(r.n_shot, r.notes),
        )
        (d,) = eval_result_entries_to_yaml([entry])
        d["dataset"].update(r.extra.get("dataset", {}))
        if "source" in d:
            d["source"].update(r.extra.get("source", {}))
        d.update(r.extra.get("entry", {}))
        out.append(d)
    return out


def file_name_for(r: EvalResult, registry: Registry | None = None) -> str:
    """The file a result goes to: one file per benchmark task, ``.eval_results/<task or dataset>.yaml``."""
    tid = task_id_for(r, registry)
    stem = tid if tid != "default" else r.dataset_id.rsplit("/", 1)[-1]
    stem = re.sub(r"[^0-9a-z._-]+", "_", stem.lower()).strip("._") or "results"
    return f"{FOLDER}/{stem}.yaml"
