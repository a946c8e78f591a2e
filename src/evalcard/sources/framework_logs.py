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
never from comparing values; what the registry leaves out is named in a note (or imported with ``all_metrics``).

Files are hostile until read: JSON nested deeper than :data:`MAX_DEPTH`, integers too long to convert, ``1e400``
(read as infinity), numbers too large for a float and wrong types are a :class:`SourceError` or a warning, never a
``RecursionError`` / ``OverflowError`` / ``ValueError`` traceback.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from ..benchmarks import Benchmark, Registry, load_registry
from ..errors import SourceError
from ..results import EvalResult

FRAMEWORKS = ("lm-eval", "lighteval", "inspect-ai")
#: deepest nesting of a log's JSON that is read (real logs stay under 20 levels; deeper would overflow the stack of
#: whatever walks the data later: repr, json.dumps, YAML)
MAX_DEPTH = 100
#: the largest n-shot taken as an n-shot
MAX_NSHOT = 100_000


@dataclass
class LogImport:
    """What reading one or more log files gave: the results, one row per result for display/JSON, and warnings."""

    results: list[EvalResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: the files read, with the framework detected in each
    files: list[dict[str, Any]] = field(default_factory=list)
    #: what was in a log and deliberately not imported (metrics the registry does not pick): not a problem, but said
    notes: list[str] = field(default_factory=list)

    def extend(self, other: "LogImport") -> None:
        self.results.extend(other.results)
        self.warnings.extend(other.warnings)
        self.files.extend(other.files)
        self.notes.extend(other.notes)

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
    if isinstance(value, BigInt):
        return None, f"value is an integer of {value.digits} digits, too large for a float"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None, f"value is {value!r}"
        if isinstance(value, int) and abs(value) > _FLOAT_MAX:
            return None, f"value is an integer of {value.bit_length()} bits, too large for a float"
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


_FLOAT_MAX = int(sys.float_info.max)


def check_nshot(value: Any) -> tuple[int | None, str | None]:
    if value is None:
        return None, None
    if isinstance(value, bool):
        return None, f"n-shot is a boolean ({value!r})"
    if isinstance(value, float) and value.is_integer():  # False for inf and nan
        value = int(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*[0-9]{1,9}\s*", value):  # ASCII digits only: int('²') fails
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            return None, f"n-shot is negative ({_short(value)})"
        if value > MAX_NSHOT:
            return None, f"n-shot is implausibly large ({_short(value)})"
        return value, None
    return None, f"n-shot has unexpected value {_short(value)}"


def check_count(value: Any) -> int | None:
    """A sample count as a log states it: a non-negative int, else None (unknown)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > _FLOAT_MAX:
        return None
    return value


def _short(value: Any, n: int = 40) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"<integer of {value.bit_length()} bits>"  # repr of a 5,000-digit int raises ValueError
    if isinstance(value, str) and len(value) > 4 * n:
        value = value[: 4 * n]
    try:
        s = repr(value)
    except (RecursionError, ValueError):
        return f"<{type(value).__name__}>"
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


def left_out_note(task: str, left: Iterable[str]) -> str | None:
    """The note for metrics a log reports and the registry's choice leaves out, None when nothing is left out."""
    names = list(dict.fromkeys(left))
    if not names:
        return None
    return f"{task}: also in the log, not imported: {', '.join(names)} (use --all-metrics)"


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
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        if not math.isfinite(value):  # OverflowError for an int too large for a float
            return None
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
        from .lm_eval import is_bare_results

        if set(data) == {"results"} and is_bare_results(results):  # lm-eval's results, wrapped and nothing else
            return "lm-eval"
        return None
    from .lm_eval import is_bare_results

    if is_bare_results(data):
        return "lm-eval"
    return None


def check_depth(data: Any, limit: int = MAX_DEPTH) -> int | None:
    """None when ``data`` nests at most ``limit`` containers deep, else the depth at which it went past. Iterative:
    no recursion, whatever the depth."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Iterable[Any] = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return depth
        stack.extend((c, depth + 1) for c in children if isinstance(c, (dict, list)))
    return None


class BigInt:
    """An integer literal of a log too long to be a number evalcard takes (past :data:`_INT_DIGITS` digits; Python
    refuses to convert more than 4,300): kept as its digit count, so the value is a wrong-type warning, never a
    ``ValueError`` from ``int()`` or an ``OverflowError`` from ``float()``."""

    __slots__ = ("digits",)

    def __init__(self, text: str):
        self.digits = len(text.lstrip("-"))

    def __repr__(self) -> str:
        return f"<integer of {self.digits} digits>"

    __str__ = __repr__


#: longer integer literals are read as :class:`BigInt` (no float holds more than 309 digits)
_INT_DIGITS = 400


def _parse_int(text: str) -> int | BigInt:
    return int(text) if len(text) <= _INT_DIGITS else BigInt(text)


def parse_json(text: str | bytes, where: str) -> Any:
    """Parse a log's JSON; every way it can fail is a :class:`SourceError` that names ``where``."""
    try:
        # NaN / Infinity are accepted, as the frameworks write them; 1e400 reads as inf; huge integers as BigInt
        data = json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as e:
        raise SourceError(f"{where}: not valid JSON (line {e.lineno}: {e.msg})") from None
    except RecursionError:
        raise SourceError(f"{where}: JSON nested too deeply to read (more than {MAX_DEPTH} levels)") from None
    except UnicodeDecodeError:
        raise SourceError(f"{where}: not UTF-8 text") from None
    except ValueError as e:  # e.g. an integer of more than 4,300 digits (sys.set_int_max_str_digits)
        raise SourceError(f"{where}: not valid JSON ({str(e).splitlines()[0][:120]})") from None
    too_deep = check_depth(data)
    if too_deep is not None:
        raise SourceError(f"{where}: JSON nested too deeply to read (more than {MAX_DEPTH} levels)")
    return data


#: a results log larger than this is refused before it is read (real ones are kilobytes; sample logs go elsewhere)
MAX_LOG_BYTES = 256 * 2**20


def _read_json(path: Path) -> Any:
    try:
        size = path.stat().st_size
        if size > MAX_LOG_BYTES:
            raise SourceError(
                f"{path}: {size / 2**20:.0f} MiB is larger than a results log can be ({MAX_LOG_BYTES // 2**20} MiB)",
                hint="Give the framework's results file (results_*.json), not a samples or predictions dump.",
            )
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError(f"{path}: not UTF-8 text") from None
    except OSError as e:
        raise SourceError(f"{path}: cannot read ({e.strerror})") from None
    return parse_json(text, str(path))


def read_log(path: str | os.PathLike, *, registry: Registry | None = None, all_metrics: bool = False, allow_partial: bool = False) -> LogImport:
    """Read one log file (any supported framework). Raises :class:`SourceError` when the file cannot be read or is
    not a results file of a known framework.

    ``all_metrics``: import every metric (and lm-eval filter) of the log, not only the registry's; ``allow_partial``:
    import the scores of an inspect-ai run that was cancelled or failed (the status and sample count go in notes)."""
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
        from .lm_eval import parse_lm_eval

        out = parse_lm_eval(data, path=str(p), registry=reg, all_metrics=all_metrics)
    elif fw == "lighteval":
        from .lighteval import parse_lighteval

        out = parse_lighteval(data, path=str(p), registry=reg, all_metrics=all_metrics)
    else:
        from .inspect_logs import parse_inspect

        out = parse_inspect(data, path=str(p), registry=reg, all_metrics=all_metrics, allow_partial=allow_partial)
    out.files.append({"path": str(p), "framework": fw, "results": len(out.results)})
    return out


def find_logs(path: str | os.PathLike) -> list[Path]:
    """The candidate log files under a directory (``*.json`` and ``*.eval``, recursively, sorted)."""
    p = Path(path)
    found = [f for f in p.rglob("*") if f.is_file() and f.suffix in (".json", ".eval") and not any(part.startswith(".") for part in f.relative_to(p).parts)]
    return sorted(found)


def read_logs(paths: Iterable[str | os.PathLike], *, registry: Registry | None = None, all_metrics: bool = False, allow_partial: bool = False) -> LogImport:
    """Read files and directories. A file given by name that cannot be read is a warning; so is a JSON file in a
    directory that is not a results file (directories hold other JSON too). Options as in :func:`read_log`."""
    reg = registry or load_registry()
    opts = {"all_metrics": all_metrics, "allow_partial": allow_partial}
    out = LogImport()
    for given in paths:
        p = Path(given)
        if p.is_dir():
            files = find_logs(p)
            if not files:
                out.warnings.append(f"{p}: no .json or .eval files in this directory")
            for f in files:
                try:
                    out.extend(read_log(f, registry=reg, **opts))
                except SourceError as e:
                    out.warnings.append(f"skipped {e.message}")
        elif p.is_file():
            try:
                out.extend(read_log(p, registry=reg, **opts))
            except SourceError as e:
                out.warnings.append(f"skipped {e.message}")
        else:
            out.warnings.append(f"skipped {p}: no such file or directory")
    return out
