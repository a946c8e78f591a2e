"""Evaluation-framework result files -> :class:`~evalcard.results.EvalResult`: detection by content, shared helpers.

Three frameworks are read, each by its own module; this one decides which reader a file needs by looking at what is
inside it (never at its name):

- lm-evaluation-harness ``results_*.json`` (:mod:`.lm_eval`): a ``results`` mapping of task -> metrics, with
  ``versions``/``configs``/``n-shot``/``config`` beside it (0.3 keys ``acc``, ``acc_stderr``; 0.4 keys
  ``acc,none``, ``acc_stderr,none``);
- lighteval results JSON (:mod:`.lighteval`): ``config_general`` plus ``results`` keyed ``suite|task|n`` or ``task|n``;
- inspect-ai logs (:mod:`.inspect_logs`): ``.eval`` zip archives (``header.json`` inside) or ``.json`` ``EvalLog``
  dumps (``eval`` + ``results.scores``).

Every reader is lenient per entry and strict per value: a task or metric whose value is missing, NaN or of the wrong
type is skipped with a warning that names the file, the entry and the reason; nothing is half-imported (a result is
either complete or absent). Which metric counts for a benchmark comes from the registry (:func:`pick_metrics`),
never from comparing values.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..benchmarks import Benchmark, Registry, load_registry
from ..errors import SourceError
from ..results import EvalResult

FRAMEWORKS = ("lm-eval", "lighteval", "inspect-ai")


@dataclass
class LogImport:
    """What reading one or more log files gave: the results, one row per result for display/JSON, and warnings."""

    results: list[EvalResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: the files read, with the framework detected in each
    files: list[dict[str, Any]] = field(default_factory=list)

    def extend(self, other: "LogImport") -> None:
        self.results.extend(other.results)
        self.warnings.extend(other.warnings)
        self.files.extend(other.files)

    def rows(self) -> list[dict[str, Any]]:
        return [result_row(r) for r in self.results]


def result_row(r: EvalResult) -> dict[str, Any]:
    """The stable JSON row of an imported result: ``task`` as the log names it, ``metric``, ``value``, ``stderr``,
    ``n_shot``, then the settings and provenance that go with it."""
    p = r.provenance
    row: dict[str, Any] = {
        "task": p.get("task"),
        "metric": r.metric_type,
        "value": r.value,
        "stderr": r.stderr,
        "n_shot": r.n_shot,
        "filter": p.get("filter"),
        "benchmark": p.get("benchmark"),
        "dataset": r.dataset_id,
        "dataset_config": r.dataset_config,
        "dataset_split": r.dataset_split,
        "task_id": r.task_id,
        "notes": r.notes,
        "scale": r.scale,
        "model": r.model_id,
        "model_revision": r.model_revision,
        "date": r.date,
        "framework": p.get("framework"),
        "framework_version": p.get("framework_version"),
        "file": p.get("file"),
    }
    if p.get("group"):
        row["group"] = True
    return row


# -- value checks ---------------------------------------------------------------------------------------------------


def check_number(value: Any) -> tuple[float | int | None, str | None]:
    """``(value, None)`` for a finite number, else ``(None, why)``."""
    if value is None:
        return None, "value is missing (null)"
    if isinstance(value, bool):
        return None, f"value is a boolean ({value!r}), not a number"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None, f"value is {value!r}"
        return value, None
    return None, f"value has unexpected type {type(value).__name__} ({_short(value)})"


def check_stderr(value: Any) -> tuple[float | None, str | None]:
    """``(stderr, None)``; ``(None, None)`` when absent or "N/A" (lm-eval writes that); ``(None, why)`` otherwise."""
    if value is None or (isinstance(value, str) and value.strip().upper() in ("N/A", "NA", "")):
        return None, None
    v, why = check_number(value)
    if why:
        return None, why.replace("value", "stderr", 1)
    return float(v), None  # type: ignore[arg-type]


def check_nshot(value: Any) -> tuple[int | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, bool):
        return None, f"n-shot is a boolean ({value!r})"
    if isinstance(value, int):
        return (value, None) if value >= 0 else (None, f"n-shot is negative ({value})")
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value), None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip()), None
    return None, f"n-shot has unexpected value {_short(value)}"


def _short(value: Any, n: int = 40) -> str:
    s = repr(value)
    return s if len(s) <= n else s[: n - 3] + "..."


def scale_for(metric: str, value: float | int, registry: Registry) -> str | None:
    """The scale a framework value is on: the registry's hint for the metric, else "fraction" for a known 0-1 metric
    whose value lies in [0, 1], else unknown (None). Never rescaled."""
    m = registry.metric(metric)
    if m is None:
        return None
    if m.scale:
        return m.scale
    return "fraction" if 0 <= value <= 1 else None


def pick_metrics(bench: Benchmark | None, metrics: Iterable[str], registry: Registry) -> tuple[list[str], str | None]:
    """Which of a task's metric names to import.

    A benchmark the registry knows is reported with its registry metric (``acc_norm`` for HellaSwag, ``acc`` for
    MMLU); when the log has that metric only it is taken. Otherwise (unknown task, or the registry metric is not in
    the log) every metric is taken, each as its own result, and the second item says why. Values are never compared.
    """
    names = list(dict.fromkeys(metrics))
    if bench is None or not bench.metric:
        return names, None
    want = registry.metric(bench.metric)
    hits = [m for m in names if (registry.metric(m) or _Nomatch) == want or m == bench.metric] if want else [m for m in names if m == bench.metric]
    if hits:
        return hits, None
    return names, f"the registry's metric for {bench.name} ({bench.metric}) is not in the log; importing every metric it reports"


class _Nomatch:  # sentinel that equals nothing
    pass


def benchmark_for_task(task: str, registry: Registry, *, aliases: dict[str, str] | None = None) -> Benchmark | None:
    """The registry benchmark a framework task name refers to: an explicit alias table first, then an exact
    (normalised) registry alias. Never fuzzy."""
    if aliases and task in aliases:
        return registry.benchmarks.get(aliases[task])
    return registry.benchmark(task)


def join_notes(*parts: str | None) -> str | None:
    out = [p for p in parts if p]
    return ", ".join(dict.fromkeys(out)) or None


def epoch_to_date(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return None
    try:
        return _dt.datetime.fromtimestamp(float(value), tz=_dt.timezone.utc).date().isoformat()
    except (OverflowError, OSError, ValueError):
        return None


_DATE_ID = re.compile(r"(\d{4}-\d{2}-\d{2})T\d{2}[-:]\d{2}[-:]\d{2}")


def date_from_name(path: str | os.PathLike | None) -> str | None:
    """The run date in a ``results_<date_id>.json`` file name (lm-eval and lighteval), as ``YYYY-MM-DD``."""
    if not path:
        return None
    m = _DATE_ID.search(Path(path).name)
    return m.group(1) if m else None


def iso_date(value: Any) -> str | None:
    """``YYYY-MM-DD`` of an ISO date/datetime string, else None."""
    if not isinstance(value, str):
        return None
    m = re.match(r"^(\d{4}-\d{2}-\d{2})", value.strip())
    return m.group(1) if m else None


# -- detection and loading --------------------------------------------------------------------------------------------


def detect(data: Any) -> str | None:
    """The framework a parsed results JSON comes from, by content; None when it is none of them."""
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("eval"), dict) and ("results" in data or "status" in data) and ("version" in data or "stats" in data or "plan" in data):
        return "inspect-ai"
    results = data.get("results")
    if isinstance(data.get("config_general"), dict) and isinstance(results, dict):
        return "lighteval"
    if isinstance(results, dict):
        keys = [k for k in results if isinstance(k, str)]
        if keys and all("|" in k or k == "all" for k in keys) and ("config_tasks" in data or "summary_tasks" in data or "versions" in data):
            return "lighteval"
        lm_markers = ("versions", "configs", "n-shot", "config", "group_subtasks", "lm_eval_version", "higher_is_better", "groups")
        if any(k in data for k in lm_markers) and any(isinstance(v, dict) for v in results.values()):
            return "lm-eval"
    return None


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError(f"{path}: not UTF-8 text") from None
    except OSError as e:
        raise SourceError(f"{path}: cannot read ({e.strerror})") from None
    try:
        return json.loads(text)  # accepts NaN / Infinity, as the frameworks write them
    except json.JSONDecodeError as e:
        raise SourceError(f"{path}: not valid JSON (line {e.lineno}: {e.msg})") from None


def read_log(path: str | os.PathLike, *, registry: Registry | None = None) -> LogImport:
    """Read one log file (any supported framework). Raises :class:`SourceError` when the file cannot be read or is
    not a results file of a known framework."""
    reg = registry or load_registry()
    p = Path(path)
    if p.suffix == ".eval":
        from .inspect_logs import read_eval_archive

        data = read_eval_archive(p)
        fw = "inspect-ai"
    else:
        data = _read_json(p)
        fw = detect(data)
    if fw is None:
        raise SourceError(
            f"{p}: not a results file of lm-evaluation-harness, lighteval or inspect-ai",
            hint="Give an lm-eval results_*.json, a lighteval results JSON, or an inspect-ai .eval/.json log.",
        )
    if fw == "lm-eval":
        from .lm_eval import parse_lm_eval as parse
    elif fw == "lighteval":
        from .lighteval import parse_lighteval as parse
    else:
        from .inspect_logs import parse_inspect as parse
    out = parse(data, path=str(p), registry=reg)
    out.files.append({"path": str(p), "framework": fw, "results": len(out.results)})
    return out


def find_logs(path: str | os.PathLike) -> list[Path]:
    """The candidate log files under a directory (``*.json`` and ``*.eval``, recursively, sorted)."""
    p = Path(path)
    found = [f for f in p.rglob("*") if f.is_file() and f.suffix in (".json", ".eval") and not any(part.startswith(".") for part in f.relative_to(p).parts)]
    return sorted(found)


def read_logs(paths: Iterable[str | os.PathLike], *, registry: Registry | None = None) -> LogImport:
    """Read files and directories. A file given by name that cannot be read is a warning; so is a JSON file in a
    directory that is not a results file (directories hold other JSON too)."""
    reg = registry or load_registry()
    out = LogImport()
    for given in paths:
        p = Path(given)
        if p.is_dir():
            files = find_logs(p)
            if not files:
                out.warnings.append(f"{p}: no .json or .eval files in this directory")
            for f in files:
                try:
                    out.extend(read_log(f, registry=reg))
                except SourceError as e:
                    out.warnings.append(f"skipped {e.message}")
        elif p.is_file():
            try:
                out.extend(read_log(p, registry=reg))
            except SourceError as e:
                out.warnings.append(f"skipped {e.message}")
        else:
            out.warnings.append(f"skipped {p}: no such file or directory")
    return out
