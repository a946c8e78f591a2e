"""Artificial Analysis (AA) -> :class:`~evalcard.results.EvalResult`.

API (https://artificialanalysis.ai/documentation): ``GET https://artificialanalysis.ai/api/v2/data/llms/models``
with header ``x-api-key: <key>`` returns every model in one response::

    {"status": 200, "prompt_options": {...},
     "data": [{"id": "<uuid>", "name": "o3-mini", "slug": "o3-mini",
               "model_creator": {"id": "<uuid>", "name": "OpenAI", "slug": "openai"},
               "evaluations": {"artificial_analysis_intelligence_index": 62.9, "mmlu_pro": 0.791, "gpqa": 0.748,
                               "hle": 0.087, ..., "some_new_eval": null},
               "pricing": {...}, "median_output_tokens_per_second": 153.8, ...}]}

Errors: 401 (bad or missing key), 429 (rate limit: about 1,000 requests a day on the free API), 5xx. Attribution to
Artificial Analysis is a condition of use: every result carries ``source`` name and URL and the retrieval date.

Design:
- one listing call serves every lookup and batch import of a day: it is cached on disk per day under
  ``$EVALCARD_HOME/aa`` (default ``~/.cache/evalcard/aa``); ``refresh=True`` fetches again;
- retries with bounded exponential backoff and full jitter on 429, 5xx, timeouts and connection errors, honouring
  ``Retry-After`` (a wait longer than ``max_wait`` is reported instead of slept through);
- the key goes in the ``x-api-key`` header only and never into a message, a cache file or a URL;
- ``evaluations`` is an open mapping (AA adds and retires keys): every key is imported, mapped to the registry's
  benchmark when the name is a known alias, else kept under its own name; ``null`` means "not evaluated" and is
  recorded as coverage; values keep AA's scale (fractions, ``*_index`` composites 0-100) with the scale recorded;
- matching an AA model to a Hub repo is explicit: creator slug + model name/slug/id, or a mapping file
  ``{aa_slug: org/repo}``; an ambiguous name is an error that lists the candidates. Never fuzzy.
"""

from __future__ import annotations

import datetime as _dt
import email.utils
import hashlib
import json
import math
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from ..benchmarks import Registry, load_registry
from ..errors import SourceError, UsageError
from ..results import EvalResult

DEFAULT_BASE_URL = "https://artificialanalysis.ai/api/v2"
MODELS_PATH = "/data/llms/models"
SOURCE_NAME = "Artificial Analysis"
SITE_URL = "https://artificialanalysis.ai"
SOURCE_KIND = "artificial-analysis"
KEY_HINT = "Set AA_API_KEY or pass --api-key (a key from https://artificialanalysis.ai/ , sent as the x-api-key header)."

#: AA evaluation keys whose registry benchmark is not found by name alone (or would be found wrongly)
EVAL_ALIASES: dict[str, str | None] = {
    "gpqa": "gpqa",  # AA's GPQA is GPQA Diamond
    "aime": "aime_2024",
    "aime_25": "aime_2025",
    "aime25": "aime_2025",
    "math_500": "math_500",
    "hle": "hle",
    "mmlu_pro": "mmlu_pro",
    "livecodebench": "livecodebench",
}


class AmbiguousModelError(SourceError):
    """A model name matches several AA models; ``candidates`` lists them."""

    def __init__(self, message: str, candidates: list[dict[str, Any]], *, hint: str | None = None):
        super().__init__(message, hint=hint)
        self.candidates = candidates


def home_dir() -> Path:
    return Path(os.environ.get("EVALCARD_HOME") or Path.home() / ".cache" / "evalcard").expanduser()


def default_cache_dir() -> Path:
    return home_dir() / "aa"


@dataclass
class Listing:
    """The model list of one day."""

    models: list[dict[str, Any]]
    retrieved: str  # YYYY-MM-DD (UTC) of the API call
    url: str
    from_cache: bool = False
    warnings: list[str] = field(default_factory=list)


class AAClient:
    """A small client for the AA data API with retries and a per-day disk cache."""

    def __init__(
        self,
        api_key: str | None,
        *,
        base_url: str | None = None,
        cache_dir: str | os.PathLike | None = None,
        max_retries: int = 4,
        backoff: float = 0.5,
        max_backoff: float = 20.0,
        max_wait: float = 60.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        today: Callable[[], _dt.date] | None = None,
        transport: Any = None,
    ):
        self.api_key = api_key
        self.base_url = (base_url or os.environ.get("EVALCARD_AA_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.cache_dir = Path(cache_dir) if cache_dir else default_cache_dir()
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_wait = max_wait
        self.timeout = timeout
        self.sleep = sleep
        self.today = today or (lambda: _dt.datetime.now(_dt.timezone.utc).date())
        self.transport = transport
        #: number of HTTP requests sent (for tests and the daily budget)
        self.requests = 0
        if api_key:
            from ..store.tokens import register

            register(api_key)

    # -- cache -------------------------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return self.base_url + MODELS_PATH

    def cache_path(self, day: _dt.date | None = None) -> Path:
        day = day or self.today()
        tag = hashlib.sha256(self.url.encode()).hexdigest()[:10]
        return self.cache_dir / f"llms-models-{day.isoformat()}-{tag}.json"

    def _read_cache(self) -> Listing | None:
        p = self.cache_path()
        try:
            data = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("payload"), dict):
            return None
        models, warnings = parse_listing(data["payload"])
        return Listing(models, data.get("retrieved") or self.today().isoformat(), self.url, from_cache=True, warnings=warnings)

    def _write_cache(self, payload: dict[str, Any], retrieved: str) -> None:
        p = self.cache_path()
        try:
            p.parent.mkdir(parents=True, exist_ok=True)
            tmp = p.with_suffix(f".tmp{os.getpid()}")
            tmp.write_text(json.dumps({"retrieved": retrieved, "url": self.url, "payload": payload}), encoding="utf-8")
            os.replace(tmp, p)
            tag = p.name.rsplit("-", 1)[-1]
            for old in p.parent.glob(f"llms-models-*-{tag}"):
                if old != p:
                    old.unlink(missing_ok=True)
        except OSError:
            pass  # a cache we cannot write costs a request tomorrow, nothing more

    # -- HTTP --------------------------------------------------------------------------------------------------
    def list_models(self, *, refresh: bool = False) -> Listing:
        """Every model AA lists, from today's cache when there is one (``refresh`` fetches again)."""
        if not refresh:
            cached = self._read_cache()
            if cached is not None:
                return cached
        if not self.api_key:
            raise UsageError("an Artificial Analysis API key is needed", hint=KEY_HINT)
        payload = self._get_all()
        models, warnings = parse_listing(payload)
        retrieved = self.today().isoformat()
        self._write_cache(payload, retrieved)
        return Listing(models, retrieved, self.url, from_cache=False, warnings=warnings)

    def _get_all(self) -> dict[str, Any]:
        """The listing; follows ``pagination.has_more`` (newer paginated envelope) up to 50 pages."""
        import httpx

        kwargs: dict[str, Any] = {"timeout": self.timeout, "headers": {"x-api-key": self.api_key or "", "accept": "application/json"}}
        if self.transport is not None:
            kwargs["transport"] = self.transport
        with httpx.Client(**kwargs) as client:
            first = self._get(client, self.url, None)
            pag = first.get("pagination")
            if not (isinstance(pag, dict) and pag.get("has_more") is True):
                return first
            data = list(first.get("data") or [])
            page = int(pag.get("page") or 1)
            for _ in range(50):
                page += 1
                nxt = self._get(client, self.url, {"page": page})
                data.extend(nxt.get("data") or [])
                p = nxt.get("pagination")
                if not (isinstance(p, dict) and p.get("has_more") is True):
                    break
            return {**first, "data": data}

    def _get(self, client: Any, url: str, params: dict | None) -> dict[str, Any]:
        import httpx

        attempt = 0
        while True:
            self.requests += 1
            retry_after: float | None = None
            try:
                resp = client.get(url, params=params)
            except (httpx.TimeoutException, httpx.TransportError) as e:
                if attempt >= self.max_retries:
                    raise SourceError(
                        f"Artificial Analysis API unreachable after {attempt + 1} attempts ({type(e).__name__})",
                        hint="Check the network and retry later; today's cached listing is used when there is one.",
                    ) from None
                status = None
            else:
                status = resp.status_code
                if status < 300:
                    return _json_body(resp)
                if status in (401, 403):
                    raise SourceError(
                        f"Artificial Analysis rejected the API key (HTTP {status}{_server_message(resp, self.api_key)})",
                        hint=KEY_HINT,
                    )
                if status == 404:
                    raise SourceError(
                        f"Artificial Analysis API endpoint not found (HTTP 404 for {url}); the API may have changed",
                        hint="Check https://artificialanalysis.ai/documentation and EVALCARD_AA_URL.",
                    )
                if status != 429 and status < 500:
                    raise SourceError(f"Artificial Analysis API error: HTTP {status}{_server_message(resp, self.api_key)}")
                retry_after = parse_retry_after(resp.headers.get("retry-after"))
                if retry_after is not None and retry_after > self.max_wait:
                    raise SourceError(
                        f"Artificial Analysis API rate limit reached (HTTP {status}); it asks to retry after {int(retry_after)} s",
                        hint="The free API allows about 1,000 requests a day; evalcard caches the listing per day, so retry later.",
                    )
                if attempt >= self.max_retries:
                    what = "rate limit reached" if status == 429 else "server error"
                    raise SourceError(
                        f"Artificial Analysis API {what} (HTTP {status}) after {attempt + 1} attempts",
                        hint="Retry later; the free API allows about 1,000 requests a day.",
                    )
            delay = retry_after if retry_after is not None else random.uniform(0, min(self.max_backoff, self.backoff * (2**attempt)))
            self.sleep(min(delay, self.max_wait))
            attempt += 1


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date); None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=_dt.timezone.utc)
    return max(0.0, (when - _dt.datetime.now(_dt.timezone.utc)).total_seconds())


def _server_message(resp: Any, key: str | None) -> str:
    msg = ""
    try:
        body = resp.json()
        if isinstance(body, dict):
            m = body.get("error") or body.get("message") or body.get("detail")
            if isinstance(m, str):
                msg = m
    except ValueError:
        pass
    if key:
        msg = msg.replace(key, "***")
    msg = msg[:200]
    return f": {msg}" if msg else ""


def _json_body(resp: Any) -> dict[str, Any]:
    try:
        body = resp.json()
    except ValueError:
        raise SourceError(
            "Artificial Analysis API returned something that is not JSON; the API may have changed",
            hint="Check https://artificialanalysis.ai/documentation; evalcard may need an update.",
        ) from None
    if not isinstance(body, dict):
        raise shape_error(f"expected a JSON object, got {type(body).__name__}")
    return body


def shape_error(detail: str) -> SourceError:
    return SourceError(
        f"unexpected Artificial Analysis API response shape: {detail}; the API may have changed",
        hint="Check https://artificialanalysis.ai/documentation; evalcard may need an update (nothing was imported).",
    )


def parse_listing(payload: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """The usable models of a listing payload, and a warning for each entry skipped. A payload without a ``data``
    list, or with no usable entry at all, is a shape change (:class:`SourceError`)."""
    data = payload.get("data")
    if not isinstance(data, list):
        raise shape_error(f"expected an object with a 'data' list, got keys {sorted(payload)[:8]}")
    models, warnings = [], []
    for i, m in enumerate(data):
        why = None
        if not isinstance(m, dict):
            why = f"not an object ({type(m).__name__})"
        elif not isinstance(m.get("slug"), str) or not m.get("slug"):
            why = "no 'slug'"
        elif not isinstance(m.get("model_creator"), dict) or not isinstance(m["model_creator"].get("slug"), str):
            why = "no 'model_creator.slug'"
        elif m.get("evaluations") is not None and not isinstance(m.get("evaluations"), dict):
            why = f"'evaluations' is a {type(m['evaluations']).__name__}, not an object"
        if why:
            warnings.append(f"AA listing data[{i}] skipped: {why}")
            continue
        models.append(m)
    if data and not models:
        raise shape_error(f"none of the {len(data)} entries has the documented fields (slug, model_creator.slug)")
    return models, warnings


# -- finding models ----------------------------------------------------------------------------------------------


def _fold(s: Any) -> str:
    return " ".join(str(s).split()).casefold() if s is not None else ""


def describe(m: dict[str, Any]) -> dict[str, Any]:
    c = m.get("model_creator") or {}
    return {"slug": m.get("slug"), "name": m.get("name"), "id": m.get("id"), "creator": c.get("slug"), "creator_name": c.get("name"), "release_date": m.get("release_date")}


def creators(models: list[dict[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in models:
        c = m["model_creator"]
        out.setdefault(c["slug"], c.get("name") or c["slug"])
    return out


def models_of(models: list[dict[str, Any]], creator_slug: str | None = None, contains: str | None = None) -> list[dict[str, Any]]:
    """Models for the listing mode: of one creator, optionally those whose name or slug contains a string (a display
    filter for a person to choose from; imports never match this loosely)."""
    out = []
    for m in models:
        if creator_slug and _fold(m["model_creator"]["slug"]) != _fold(creator_slug):
            continue
        if contains and _fold(contains) not in _fold(m.get("name")) and _fold(contains) not in _fold(m.get("slug")):
            continue
        out.append(m)
    return out


def find_model(models: list[dict[str, Any]], creator_slug: str, model_name: str) -> dict[str, Any]:
    """The one model of ``creator_slug`` whose slug, name or id equals ``model_name`` (case and spacing ignored)."""
    mine = [m for m in models if _fold(m["model_creator"]["slug"]) == _fold(creator_slug)]
    if not mine:
        known = sorted(creators(models))
        sample = ", ".join(known[:12]) + (f" (and {len(known) - 12} more)" if len(known) > 12 else "")
        raise SourceError(
            f"Artificial Analysis lists no model creator with slug {creator_slug!r}",
            hint=f"Known creator slugs: {sample or '(none)'}. List models with: evalcard import-aa --list",
        )
    want = _fold(model_name)
    by_slug = [m for m in mine if _fold(m["slug"]) == want]
    by_id = [m for m in mine if _fold(m.get("id")) == want]
    hits = by_slug or by_id or [m for m in mine if _fold(m.get("name")) == want]
    if not hits:
        raise SourceError(
            f"Artificial Analysis lists no model {model_name!r} by {creator_slug!r}",
            hint=f"List {creator_slug}'s models with: evalcard import-aa --list --creator-slug {creator_slug}",
        )
    if len(hits) > 1:
        raise AmbiguousModelError(
            f"{model_name!r} matches {len(hits)} Artificial Analysis models by {creator_slug!r}",
            [describe(m) for m in hits],
            hint="Pass the model's slug or id as --model-name (see the list above).",
        )
    return hits[0]


def find_by_slug(models: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """A mapping-file key: ``model-slug`` or ``creator-slug/model-slug``."""
    if "/" in key:
        creator, slug = key.split("/", 1)
        return find_model(models, creator, slug)
    hits = [m for m in models if _fold(m["slug"]) == _fold(key) or _fold(m.get("id")) == _fold(key)]
    if not hits:
        raise SourceError(f"Artificial Analysis lists no model with slug {key!r}", hint="Check the mapping file; list models with: evalcard import-aa --list")
    if len(hits) > 1:
        raise AmbiguousModelError(
            f"slug {key!r} is used by {len(hits)} Artificial Analysis models",
            [describe(m) for m in hits],
            hint="Write the key as CREATOR_SLUG/MODEL_SLUG in the mapping file.",
        )
    return hits[0]


def load_mapping(path: str | os.PathLike) -> dict[str, str]:
    """A mapping file: YAML ``{aa_slug: org/repo}`` (keys may be ``creator/slug``)."""
    import yaml

    from ..store.base import RepoRef

    p = Path(path)
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except OSError as e:
        raise UsageError(f"cannot read mapping file {p}: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise UsageError(f"mapping file {p} is not valid YAML: {e}") from None
    if not isinstance(data, dict) or not data:
        raise UsageError(f"mapping file {p} must be a YAML mapping of AA model slug -> Hub repo id", hint="Example line:  o3-mini: my-org/o3-mini")
    out = {}
    for k, v in data.items():
        if not isinstance(k, str) or not isinstance(v, str):
            raise UsageError(f"mapping file {p}: entry {k!r}: {v!r} must map a slug to a repo id (both strings)")
        RepoRef.parse(v)  # raises a clear UsageError for a bad repo id
        out[k.strip()] = v.strip()
    return out


# -- results ------------------------------------------------------------------------------------------------------


def model_url(m: dict[str, Any]) -> str:
    return f"{SITE_URL}/models/{m['slug']}"


def to_results(model: dict[str, Any], *, retrieved: str, api_url: str = DEFAULT_BASE_URL + MODELS_PATH, registry: Registry | None = None) -> tuple[list[EvalResult], list[str]]:
    """Every evaluation AA reports for a model, as results; a warning for each value that cannot be used."""
    reg = registry or load_registry()
    evals = model.get("evaluations") or {}
    reported = [k for k, v in evals.items() if v is not None]
    missing = sorted(k for k, v in evals.items() if v is None)
    coverage = {"reported": len(reported), "listed": len(evals), "not_evaluated": missing}
    creator = model.get("model_creator") or {}
    out, warnings = [], []
    for key, raw in evals.items():
        if raw is None:
            continue
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or not math.isfinite(raw):
            warnings.append(f"AA {model['slug']}: evaluations.{key} skipped: value {raw!r} is not a finite number")
            continue
        alias = EVAL_ALIASES.get(key)
        bench = reg.benchmarks.get(alias) if alias else reg.benchmark(key)
        is_index = key.endswith("_index") or "_index_" in key
        scale = "percent" if is_index else "fraction"
        if not is_index and not 0 <= raw <= 1:
            scale = None
            warnings.append(f"AA {model['slug']}: evaluations.{key} = {raw} is outside 0-1; imported as is, scale unknown")
        out.append(
            EvalResult(
                dataset_id=bench.dataset_id if bench and bench.dataset_id else key,
                task_id=bench.task_id if bench else None,
                dataset_name=bench.name if bench else key,
                task_type=bench.task_type if bench else "text-generation",
                metric_type=(bench.metric if bench and bench.metric else "score"),
                value=raw,
                model_id=None,
                source_kind=SOURCE_KIND,
                source_name=SOURCE_NAME,
                source_url=model_url(model),
                date=retrieved,
                scale=scale,
                higher_is_better=True,
                provenance={
                    "framework": SOURCE_KIND,
                    "task": key,
                    "aa_evaluation": key,
                    "benchmark": bench.id if bench else None,
                    "aa_model_id": model.get("id"),
                    "aa_slug": model["slug"],
                    "aa_name": model.get("name"),
                    "aa_creator": creator.get("slug"),
                    "retrieved": retrieved,
                    "api_url": api_url,
                    "scale": "0-100 (composite index)" if is_index else "0-1",
                    "coverage": coverage,
                    "attribution": f"Data from {SOURCE_NAME} ({SITE_URL})",
                },
            )
        )
    return out, warnings


__all__ = [
    "AAClient",
    "AmbiguousModelError",
    "Listing",
    "find_by_slug",
    "find_model",
    "load_mapping",
    "models_of",
    "parse_listing",
    "parse_retry_after",
    "to_results",
]
