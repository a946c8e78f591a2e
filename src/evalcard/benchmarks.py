"""The benchmark and metric registry: aliases -> canonical ids, Hub dataset/task ids, direction and scale.

The packaged registry lives in ``data/benchmarks.yaml``; users extend it with their own YAML file of the same
layout (``EVALCARD_REGISTRY`` or :func:`load_registry(extra=...)`). No network, no side effects.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import EvalcardError


@dataclass(frozen=True)
class Benchmark:
    id: str
    name: str
    dataset_id: str | None = None
    task_id: str | None = None
    task_type: str | None = None
    metric: str | None = None
    #: the answer filter whose score counts when a framework reports several (lm-eval's ``strict-match`` ...)
    filter: str | None = None
    higher_is_better: bool = True
    #: the scale evalcard stores this benchmark's values on: "fraction" (0-1), "percent" (0-100) or "other"
    scale: str | None = None
    aliases: tuple[str, ...] = ()

    @property
    def direction(self) -> str:
        return "higher" if self.higher_is_better else "lower"


@dataclass(frozen=True)
class Metric:
    id: str
    name: str
    higher_is_better: bool = True
    scale: str | None = None
    aliases: tuple[str, ...] = ()


def normalize_name(name: str) -> str:
    """Lower-case, drop everything but letters, digits, '+' and '@' (so 'MMLU-Pro' == 'mmlu_pro' == 'MMLU Pro')."""
    return re.sub(r"[^0-9a-z+@]+", "", name.casefold())


@dataclass
class Registry:
    benchmarks: dict[str, Benchmark] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)
    _bench_alias: dict[str, str] = field(default_factory=dict)
    _metric_alias: dict[str, str] = field(default_factory=dict)

    def add_benchmark(self, b: Benchmark) -> None:
        self.benchmarks[b.id] = b
        for a in (b.id, b.name, *b.aliases):
            self._bench_alias[normalize_name(a)] = b.id

    def add_metric(self, m: Metric) -> None:
        self.metrics[m.id] = m
        for a in (m.id, m.name, *m.aliases):
            self._metric_alias[normalize_name(a)] = m.id

    def benchmark(self, name: str | None) -> Benchmark | None:
        """The benchmark a name refers to (exact alias match after normalisation), else None. Never fuzzy."""
        if not name:
            return None
        key = self._bench_alias.get(normalize_name(name))
        return self.benchmarks.get(key) if key else None

    def benchmark_for_dataset(self, dataset_id: str | None, task_id: str | None = None) -> Benchmark | None:
        if not dataset_id:
            return None
        hits = [b for b in self.benchmarks.values() if b.dataset_id and b.dataset_id.casefold() == dataset_id.casefold()]
        if task_id:
            exact = [b for b in hits if b.task_id == task_id]
            hits = exact or hits
        return hits[0] if hits else self.benchmark(dataset_id.rsplit("/", 1)[-1])

    def metric(self, name: str | None) -> Metric | None:
        if not name:
            return None
        key = self._metric_alias.get(normalize_name(name))
        return self.metrics.get(key) if key else None

    def names_benchmark(self, name: str | None) -> bool:
        """Whether a name is a benchmark's: the registry's, or one the evaluation frameworks define
        (``data/benchmark_names.txt``, built by ``scripts/benchmark_names.py`` from lm-evaluation-harness and
        lmms-eval). Says nothing about which dataset it is: :meth:`benchmark` does that."""
        if not name:
            return False
        return self.benchmark(name) is not None or normalize_name(name) in benchmark_names()

    def higher_is_better(self, metric: str | None, benchmark: str | None = None) -> bool | None:
        m = self.metric(metric)
        if m is not None:
            return m.higher_is_better
        b = self.benchmark(benchmark)
        return b.higher_is_better if b is not None else None

    def merged_with(self, data: dict[str, Any], *, origin: str = "<registry>") -> "Registry":
        out = Registry()
        for b in self.benchmarks.values():
            out.add_benchmark(b)
        for m in self.metrics.values():
            out.add_metric(m)
        _load_into(out, data, origin)
        return out


def _load_into(reg: Registry, data: Any, origin: str) -> None:
    if not isinstance(data, dict):
        raise EvalcardError(f"{origin}: a registry file must be a mapping with 'benchmarks' and/or 'metrics'")
    for mid, spec in (data.get("metrics") or {}).items():
        spec = spec or {}
        if not isinstance(spec, dict):
            raise EvalcardError(f"{origin}: metrics.{mid} must be a mapping")
        reg.add_metric(
            Metric(
                id=str(mid),
                name=str(spec.get("name", mid)),
                higher_is_better=bool(spec.get("higher_is_better", True)),
                scale=spec.get("scale", "fraction"),
                aliases=tuple(str(a) for a in spec.get("aliases", ()) or ()),
            )
        )
    for bid, spec in (data.get("benchmarks") or {}).items():
        spec = spec or {}
        if not isinstance(spec, dict):
            raise EvalcardError(f"{origin}: benchmarks.{bid} must be a mapping")
        metric = reg.metric(spec.get("metric"))
        reg.add_benchmark(
            Benchmark(
                id=str(bid),
                name=str(spec.get("name", bid)),
                dataset_id=spec.get("dataset_id"),
                task_id=spec.get("task_id"),
                task_type=spec.get("task_type"),
                metric=spec.get("metric"),
                filter=spec.get("filter"),
                higher_is_better=bool(spec.get("higher_is_better", metric.higher_is_better if metric else True)),
                scale=spec.get("scale", metric.scale if metric else "fraction"),
                aliases=tuple(str(a) for a in spec.get("aliases", ()) or ()),
            )
        )


@functools.lru_cache(maxsize=1)
def benchmark_names() -> frozenset[str]:
    """The normalised benchmark names of ``data/benchmark_names.txt`` (the frameworks' task names) and
    ``data/benchmark_suites.txt`` (members of suites the frameworks lack: CLUE, JGLUE, KLUE, ASR test sets)."""
    names: set[str] = set()
    for f in ("benchmark_names.txt", "benchmark_suites.txt"):
        text = resources.files("evalcard").joinpath(f"data/{f}").read_text(encoding="utf-8")
        names.update(normalize_name(line) for line in text.splitlines() if line.strip() and not line.startswith("#"))
    return frozenset(names)


@functools.lru_cache(maxsize=8)
def _packaged() -> Registry:
    text = resources.files("evalcard").joinpath("data/benchmarks.yaml").read_text(encoding="utf-8")
    reg = Registry()
    _load_into(reg, yaml.safe_load(text), "evalcard/data/benchmarks.yaml")
    return reg


def load_registry(extra: str | Path | None = None) -> Registry:
    """The packaged registry, with a user's file merged on top when given (or named by ``EVALCARD_REGISTRY``)."""
    import os

    extra = extra or os.environ.get("EVALCARD_REGISTRY") or None
    if not extra:
        return _packaged()
    path = Path(extra)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise EvalcardError(f"cannot read registry file {path}: {e.strerror}", hint="Check the path given to --registry / EVALCARD_REGISTRY.") from None
    except yaml.YAMLError as e:
        raise EvalcardError(f"registry file {path} is not valid YAML: {e}") from None
    return _packaged().merged_with(data or {}, origin=str(path))
