"""Names in README tables: benchmark names as written (n-shot, CoT, split and metric read from them, the registry
benchmark they name), model names compared by a normalised key, and the target of one extraction (:class:`_Ctx`).
Pure."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from ..benchmarks import Benchmark, Registry, load_registry, normalize_name
from .tables import squash
from .cells import _ARROWS


_SHOT = re.compile(
    r"^\(?\s*(?:(\d+)\s*[- ]?\s*shots?(?:\s*@\s*\d+)?|(zero|one|two|three|four|five|few)[- ]?shots?|n\s*=\s*(\d+)|(\d+)\s*[- ]?\s*shot\s*\+?\s*cot|k\s*=\s*(\d+))\s*\)?$",
    re.I,
)
_SHOT_RANGE = re.compile(r"^(\d+)\s*[-–~]\s*(\d+)\s*[- ]?shots?$", re.I)
_WORD_NUM = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
_NOTE_WORDS = re.compile(r"^(cot|chain[- ]of[- ]thought|maj@\d+|self[- ]?consistency|sc|tool[s-]?(?:use)?|w/ tools|no[- ]?cot|greedy|sampling|avg@\d+)$", re.I)
_SPLITS = {"val": "validation", "validation": "validation", "dev": "dev", "test": "test", "testmini": "testmini", "test-mini": "testmini", "mini": "mini", "train": "train"}
_PAREN = re.compile(r"\s*[\(（]([^()（）]*)[\)）]")
_METRIC_ONLY_EXTRA = re.compile(r"^(?:r|p|recall|precision|hit|mrr|ndcg|map|acc|top)\s*@\s*\d+$", re.I)


def shot_count(s: str) -> tuple[bool, int | None]:
    """(is a shot setting, n) for ``5-shot``, ``zero-shot``, ``n=5``, ``(0-shot)``; few-shot gives (True, None)."""
    m = _SHOT.match(s.strip())
    if not m:
        return False, None
    for g in (m.group(1), m.group(3), m.group(4), m.group(5)):
        if g is not None:
            return True, int(g)
    w = (m.group(2) or "").casefold()
    return True, _WORD_NUM.get(w)


@dataclass
class NameInfo:
    written: str  # cleaned name as written (footnote markers dropped)
    base: str  # name without settings (shots, CoT, metric, split) -- used for the registry and the dataset id
    n_shot: int | None = None
    notes: list[str] = field(default_factory=list)
    metric: str | None = None  # registry metric id named in the name
    split: str | None = None
    #: qualifiers the parser could not classify ("middle" in "RACE (middle)"): they stay in ``base``
    unclassified: bool = False


def split_name(name: str, registry: Registry) -> NameInfo:
    """``MMLU (5-shot)`` -> base MMLU, n_shot 5; ``GSM8K CoT 8-shot`` -> base GSM8K, n_shot 8, note CoT;
    ``BBH (EM)`` -> base BBH, metric exact_match; ``RACE (middle)`` keeps its qualifier."""
    written = clean_benchmark_name(name)
    info = NameInfo(written=written, base=written)
    kept: list[str] = []

    def classify(part: str) -> bool:
        p = part.strip()
        if not p:
            return True
        ok, n = shot_count(p)
        if ok:
            if n is not None and info.n_shot is None:
                info.n_shot = n
            elif n is None:
                info.notes.append(p)
            return True
        if _SHOT_RANGE.match(p):
            info.notes.append(p)
            return True
        if _NOTE_WORDS.match(p):
            info.notes.append("CoT" if p.casefold() in ("cot", "chain-of-thought", "chain of thought") else p)
            return True
        low = p.casefold().rstrip(".")
        if low in _SPLITS:
            info.split = info.split or _SPLITS[low]
            return True
        met = registry.metric(p)
        if met is not None and len(normalize_name(p)) > 1:
            info.metric = info.metric or met.id
            return True
        return False

    def paren(m: re.Match) -> str:
        inner = m.group(1)
        parts = [x for x in re.split(r"\s*[,;]\s*", inner) if x.strip()]
        if parts and all(classify_multi(x) for x in parts):
            return ""
        kept.append(inner)
        return m.group(0)

    def classify_multi(part: str) -> bool:
        # "3-shot CoT", "0-shot, CoT": classify word groups
        if classify(part):
            return True
        words = part.split()
        if len(words) > 1:
            snap = (info.n_shot, list(info.notes), info.metric, info.split)
            if all(classify(w) for w in words):
                return True
            info.n_shot, info.notes, info.metric, info.split = snap[0], snap[1], snap[2], snap[3]
        return False

    base = _PAREN.sub(paren, written)
    if " / " in base:  # composed names ("Caption / Zero-shot / R@1"): settings and metrics leave the base
        segs = base.split(" / ")
        segs = [x for x in segs if not classify(x)] or segs[:1]
        base = " / ".join(segs)
    # trailing bare settings: "GSM8K CoT 8-shot", "MMLU 5-shot"
    words = base.split()
    while len(words) > 1 and (shot_count(words[-1])[0] or _NOTE_WORDS.match(words[-1])):
        classify(words.pop())
    # glued or spaced shot settings such as "MMLU-5shot" are left alone (rare, ambiguous)
    info.base = squash(" ".join(words)).strip(" ,;:-") or written
    info.unclassified = bool(kept)
    return info


def clean_benchmark_name(name: str) -> str:
    """Trailing footnote markers (``*``, ``†``, ``^``, ``^1``, ``[2]``) dropped; spaces squashed. Arrows stay."""
    s = squash(name)
    s2 = re.sub(r"(?:\s*(?:[*†‡§¶]+|\^\d*|\[\d{1,2}\]|\^\[\d{1,2}\]))+$", "", s).strip()
    return s2 or s


def slug(name: str) -> str:
    s = re.sub(r"[^0-9a-z+@.]+", "-", name.casefold()).strip("-.")
    return s or "benchmark"


_PRECISION_SUFFIX = re.compile(r"\s*[\(\[]\s*(?:bf16|fp16|fp32|float16|bfloat16|float32|full[- ]precision|original|unquantized)\s*[\)\]]\s*$", re.I)
_THIS = re.compile(r"\s*[\(\[]\s*(?:this|ours|this model|this work)\s*[\)\]]\s*", re.I)
_INSTRUCT_SUFFIX = re.compile(r"[\s\-_.]+(instruct|chat|it)$", re.I)
_INSTRUCT_CONTEXT = re.compile(r"instruct|\bchat\b|fine[- ]?tuned|post[- ]?trained|\baligned\b|\bsft\b|\brlhf\b", re.I)
_BASE_CONTEXT = re.compile(r"\bbase\b|pre[- ]?trained|pretrain", re.I)


def model_key(name: str | None) -> str:
    """Normalised model name: case, ``-``/``_``/space/dots, an org prefix, bold/links, footnote markers, ``(this)``
    and an unquantised-precision suffix (``(BF16)``) are ignored."""
    if not name:
        return ""
    s = clean_benchmark_name(name.replace("**", "").replace("__", ""))
    # emoji link markers ("Qwen2-VL-7B (🤗 🤖)"): symbols are no part of a name, nor the brackets left empty
    s = "".join(ch for ch in s if unicodedata.category(ch) not in ("So", "Sk", "Cs"))
    s = re.sub(r"\(\s*\)|\(\s*$", " ", s)
    s = _THIS.sub(" ", s)
    s = _PRECISION_SUFFIX.sub("", s).strip()
    s = s.casefold()
    if re.match(r"^[\w.\-]+/[\w.\-\s]+$", s):
        s = s.split("/", 1)[1]
    return re.sub(r"[\s\-_.·]+", "", s)


@dataclass
class _Ctx:
    registry: Registry
    mapping: dict[str, Any]
    model: str | None
    key: str
    base_key: str | None  # model without -Instruct/-Chat, matched only in instruct-context tables
    column_index: int | None
    row_index: int | None = None


def _name_words(name: str) -> list[str]:
    """The words of a model name, sorted: what two spellings that only reorder them share."""
    return sorted(model_key(w) for w in re.split(r"[\s\-_/]+", clean_benchmark_name(name)) if model_key(w))


def _lookup_benchmark(name: str, reg: Registry, mapping: dict[str, Any]) -> tuple[Benchmark | None, dict[str, Any] | None]:
    """(registry benchmark, mapping override) for a benchmark name; exact alias match after normalisation."""
    info = split_name(name, reg)
    override = None
    if mapping:
        for cand in (info.written, info.base):
            hit = mapping.get(normalize_name(cand))
            if hit is not None:
                override = hit
                break
    if override is not None:
        if isinstance(override, str):
            b = reg.benchmark(override) or reg.benchmarks.get(override)
            if b is not None:
                return b, None
            return None, {"dataset_id": override}
        if isinstance(override, dict):
            b = reg.benchmark(str(override.get("benchmark", ""))) if override.get("benchmark") else None
            return b, override
    b = reg.benchmark(info.written)
    if b is None and not info.unclassified:
        b = reg.benchmark(info.base)
    return b, None


def _metric_led(name: str, reg: Registry) -> bool:
    """Whether a name starts with a metric ("WER (with LM)", "CER"), i.e. names no dataset itself."""
    first = re.split(r"[\s(（/]+", name.strip(), maxsplit=1)[0]
    m = reg.metric(first) if len(normalize_name(first)) > 1 else None
    return m is not None and m.id != "score"


def _metric_in_text(text: str, reg: Registry):
    t = _ARROWS.sub(" ", text)
    for part in re.findall(r"\(([^()]*)\)", t):
        m = reg.metric(part.strip())
        if m is not None:
            return m
    for w in re.split(r"[\s,;/()]+", t):
        w = w.strip(".:")
        if len(w) > 1:
            m = reg.metric(w)
            if m is not None:
                return m
    return None


def _make_ctx(model: str | None, registry: Registry | None, metric_mapping: dict | None, column_index: int | None,
              row_index: int | None = None) -> _Ctx:
    reg = registry or load_registry()
    mapping: dict[str, Any] = {}
    for k, v in (metric_mapping or {}).items():
        mapping[normalize_name(str(k))] = v
    model = squash(model) if model else None
    key = model_key(model)
    base_key = None
    if model and _INSTRUCT_SUFFIX.search(model):
        base_key = model_key(_INSTRUCT_SUFFIX.sub("", model)) or None
    return _Ctx(registry=reg, mapping=mapping, model=model, key=key, base_key=base_key, column_index=column_index,
                row_index=row_index)
