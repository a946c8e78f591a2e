"""inspect-ai logs (``.eval`` archives and ``.json`` dumps) -> :class:`~evalcard.results.EvalResult`.

inspect-ai is not needed: a ``.eval`` file is a zip archive (members Zstandard-compressed in current versions) (inspect-ai ``log/_recorders/eval.py``) whose
``header.json`` member is the ``EvalLog`` without samples; ``_journal/start.json``, ``summaries.json``,
``reductions.json`` and ``samples/*.json`` sit beside it. A ``.json`` log is the whole ``EvalLog``. Key paths
(``log/_log.py``)::

    {"version": 2, "status": "success",
     "eval": {"task": "inspect_evals/gpqa_diamond", "created": "...", "model": "hf/org/m",
              "dataset": {"name": "gpqa_diamond", "location": "Idavidrein/gpqa"}, "task_args": {...},
              "packages": {"inspect_ai": "0.3.x"}, "revision": {...}},
     "results": {"scores": [{"name": "choice", "scorer": "choice", "reducer": "mean",
                             "metrics": {"accuracy": {"name": "accuracy", "value": 0.41},
                                         "stderr": {"name": "stderr", "value": 0.035}}}]},
     "stats": {"started_at": ..., "completed_at": ...}}

Only logs with ``status == "success"`` are imported (a cancelled or failed run's scores cover part of the data).
``stderr`` is a sibling metric in inspect, attached to the other metrics of the same score.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from ..benchmarks import Registry, load_registry
from ..errors import SourceError
from ..results import EvalResult
from .framework_logs import LogImport, benchmark_for_task, check_nshot, check_number, check_stderr, iso_date, join_notes, pick_metrics, scale_for

FRAMEWORK = "inspect-ai"
_STDERR_NAMES = ("stderr",)
_NSHOT_ARGS = ("fewshot", "num_fewshot", "n_shot", "shots")


_ZIP_ZSTD = 93  # the zip compression method id of Zstandard, which inspect-ai uses for its .eval members


def _read_member(z: zipfile.ZipFile, path: Path, name: str) -> bytes:
    """A member's bytes. Python's zipfile (before 3.14) cannot inflate Zstandard members, which current inspect-ai
    writes; those are read raw from the archive and decompressed with ``zstandard``."""
    info = z.getinfo(name)
    if info.compress_type != _ZIP_ZSTD:
        return z.read(name)
    try:
        import zstandard
    except ImportError:  # pragma: no cover - zstandard is a dependency
        raise SourceError(f"{path}: {name} is Zstandard-compressed and the 'zstandard' package is missing") from None
    with open(path, "rb") as fh:
        fh.seek(info.header_offset)
        header = fh.read(30)
        if header[:4] != b"PK\x03\x04":
            raise SourceError(f"{path}: damaged zip archive (bad local header for {name})")
        name_len = int.from_bytes(header[26:28], "little")
        extra_len = int.from_bytes(header[28:30], "little")
        fh.seek(info.header_offset + 30 + name_len + extra_len)
        raw = fh.read(info.compress_size)
    try:
        return zstandard.ZstdDecompressor().decompress(raw, max_output_size=max(info.file_size, 1))
    except zstandard.ZstdError as e:
        raise SourceError(f"{path}: cannot decompress {name} ({e})") from None


def read_eval_archive(path: str | Path) -> dict[str, Any]:
    """The ``EvalLog`` header of a ``.eval`` archive (``header.json``; the journal's ``start.json`` when the run
    never finished, which then has no results)."""
    p = Path(path)
    try:
        with zipfile.ZipFile(p) as z:
            names = set(z.namelist())
            member = "header.json" if "header.json" in names else "_journal/start.json" if "_journal/start.json" in names else None
            if member is None:
                raise SourceError(f"{p}: an .eval archive without header.json (not an inspect-ai log?)")
            try:
                data = json.loads(_read_member(z, p, member).decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as e:
                raise SourceError(f"{p}: {member} is not valid JSON ({e})") from None
            except (NotImplementedError, zipfile.LargeZipFile, EOFError) as e:  # an unsupported compression method, ...
                raise SourceError(f"{p}: cannot read {member} ({e})") from None
    except zipfile.BadZipFile:
        raise SourceError(f"{p}: not a zip archive (inspect-ai .eval logs are zip files)") from None
    except OSError as e:
        raise SourceError(f"{p}: cannot read ({e.strerror})") from None
    if not isinstance(data, dict):
        raise SourceError(f"{p}: {member} is not a JSON object")
    if member != "header.json":
        data.setdefault("status", "started")
    return data


def _task_name(ev: dict[str, Any]) -> str | None:
    for k in ("task_registry_name", "task"):
        if isinstance(ev.get(k), str) and ev[k]:
            return ev[k]
    return None


def parse_inspect(data: dict[str, Any], *, path: str = "<inspect>", registry: Registry | None = None) -> LogImport:
    reg = registry or load_registry()
    out = LogImport()
    warn = out.warnings.append
    ev = data.get("eval")
    if not isinstance(ev, dict):
        warn(f"{path}: skipped: no 'eval' section")
        return out
    status = data.get("status")
    if status != "success":
        warn(f"{path}: skipped: run status is {status!r}, not 'success' (scores of an unfinished run are partial)")
        return out
    results = data.get("results")
    if not isinstance(results, dict) or not isinstance(results.get("scores"), list):
        warn(f"{path}: skipped: no results.scores list")
        return out
    task = _task_name(ev)
    if not task:
        warn(f"{path}: skipped: eval.task is missing")
        return out
    short = task.rsplit("/", 1)[-1]
    bench = benchmark_for_task(short, reg)
    dataset = ev.get("dataset") if isinstance(ev.get("dataset"), dict) else {}
    location = dataset.get("location") if isinstance(dataset.get("location"), str) else None
    ds_name = dataset.get("name") if isinstance(dataset.get("name"), str) else None
    task_args = ev.get("task_args") if isinstance(ev.get("task_args"), dict) else {}
    n_shot = None
    for k in _NSHOT_ARGS:
        if k in task_args:
            n_shot, why = check_nshot(task_args[k])
            if why:
                warn(f"{path}: eval.task_args.{k}: n-shot ignored: {why}")
            break
    packages = ev.get("packages") if isinstance(ev.get("packages"), dict) else {}
    version = packages.get("inspect_ai") if isinstance(packages.get("inspect_ai"), str) else None
    model = ev.get("model") if isinstance(ev.get("model"), str) else None
    margs = ev.get("model_args") if isinstance(ev.get("model_args"), dict) else {}
    revision = margs.get("revision") if isinstance(margs.get("revision"), str) else None
    stats = data.get("stats") if isinstance(data.get("stats"), dict) else {}
    date = iso_date(ev.get("created")) or iso_date(stats.get("completed_at"))
    config = ev.get("config") if isinstance(ev.get("config"), dict) else {}
    limit = config.get("limit")
    epochs = config.get("epochs")
    base_prov: dict[str, Any] = {"framework": FRAMEWORK, "framework_version": version, "file": path, "task": task}
    for key, val in (
        ("eval_id", ev.get("eval_id")),
        ("run_id", ev.get("run_id")),
        ("task_version", ev.get("task_version")),
        ("task_args", task_args or None),
        ("model", model),
        ("limit", limit),
        ("epochs", epochs),
        ("total_samples", results.get("total_samples")),
        ("completed_samples", results.get("completed_samples")),
        ("solver", ev.get("solver")),
    ):
        if val is not None:
            base_prov[key] = val
    if bench is not None:
        base_prov["benchmark"] = bench.id
    if location:
        base_prov["log_dataset"] = location

    scores = results["scores"]
    for i, score in enumerate(scores):
        spath = f"{path}: results.scores[{i}]"
        if not isinstance(score, dict) or not isinstance(score.get("metrics"), dict):
            warn(f"{spath}: skipped: expected a mapping with 'metrics'")
            continue
        scorer = score.get("name") or score.get("scorer")
        metrics = score["metrics"]
        names = [m for m in metrics if m not in _STDERR_NAMES]
        picked, why = pick_metrics(bench, names, reg)
        if why:
            warn(f"{spath}: {why}")
        se_raw = metrics.get("stderr")
        se_raw = se_raw.get("value") if isinstance(se_raw, dict) else se_raw
        stderr, swhy = check_stderr(se_raw)
        if swhy:
            warn(f"{spath}.metrics.stderr: stderr ignored: {swhy}")
        for m in picked:
            entry = metrics[m]
            raw = entry.get("value") if isinstance(entry, dict) else entry
            value, vwhy = check_number(raw)
            if vwhy:
                warn(f"{spath}.metrics.{m}: skipped: {vwhy}")
                continue
            prov = dict(base_prov, scorer=scorer, metric_key=m)
            if score.get("reducer"):
                prov["reducer"] = score["reducer"]
            out.results.append(
                EvalResult(
                    dataset_id=(bench.dataset_id if bench and bench.dataset_id else None) or location or ds_name or short,
                    task_id=bench.task_id if bench else None,
                    dataset_name=bench.name if bench else None,
                    dataset_config=ds_name if ds_name and ds_name != (location or "") and not bench else None,
                    task_type=bench.task_type if bench else None,
                    metric_type=m,
                    value=value,
                    stderr=stderr,
                    n_shot=n_shot,
                    notes=join_notes(
                        f"scorer {scorer}" if len(scores) > 1 and scorer else None,
                        f"limit {limit}" if limit else None,
                        f"{epochs} epochs" if isinstance(epochs, int) and epochs > 1 else None,
                    ),
                    model_id=model,
                    model_revision=revision,
                    source_kind=FRAMEWORK,
                    date=date,
                    scale=scale_for(m, value, reg),
                    higher_is_better=reg.higher_is_better(m),
                    provenance=prov,
                )
            )
    return out
