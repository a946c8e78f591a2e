"""Artificial Analysis importer against a loopback API (tests/aa_server.py): client (header, retries, cache, errors),
model lookup, mapping to results, and the ``import-aa`` command (the key never appears in any output)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import yaml
from click.testing import CliRunner

from aa_server import API_KEY, aa_server  # noqa: F401  (fixture)
from evalcard.cli.main import cli
from evalcard.errors import SourceError, UsageError
from evalcard.sources import artificial_analysis as aa
from evalcard.store.base import RepoRef
from evalcard.store.local import LocalStore

import test_import_cli  # noqa: F401  (registers the import commands on the CLI group)

README = b"---\nlicense: mit\n---\n# o3-mini mirror\n"


def client(server, tmp_path=None, **kw):
    sleeps: list[float] = []
    kw.setdefault("sleep", sleeps.append)
    c = aa.AAClient(server.key, base_url=server.url, cache_dir=(tmp_path / "cache") if tmp_path else None, **kw)
    c.sleeps = sleeps  # type: ignore[attr-defined]
    return c


# -- client ---------------------------------------------------------------------------------------------------------


def test_header_and_daily_cache(aa_server, tmp_path):
    day = [dt.date(2026, 3, 1)]
    c = client(aa_server, tmp_path, today=lambda: day[0])
    listing = c.list_models()
    assert len(listing.models) == 4 and listing.retrieved == "2026-03-01" and not listing.from_cache
    req = aa_server.requests[0]
    assert req["headers"].get("x-api-key") == API_KEY and API_KEY not in json.dumps(req["query"])
    again = client(aa_server, tmp_path, today=lambda: day[0]).list_models()  # a new client (a new CLI run)
    assert again.from_cache and len(again.models) == 4 and aa_server.model_requests == 1
    assert API_KEY not in "".join(p.read_text() for p in (tmp_path / "cache").iterdir())
    c.list_models(refresh=True)
    assert aa_server.model_requests == 2
    day[0] = dt.date(2026, 3, 2)
    assert not c.list_models().from_cache and aa_server.model_requests == 3
    assert len(list((tmp_path / "cache").glob("llms-models-*"))) == 1  # yesterday's listing is pruned


def test_cache_dir_from_evalcard_home(aa_server, tmp_path):
    aa.AAClient(API_KEY).list_models()
    assert list((tmp_path / "evalcard-home" / "aa").glob("llms-models-*.json"))


def test_retries_429_and_5xx_honouring_retry_after(aa_server, tmp_path):
    aa_server.fail(429, times=2, headers={"Retry-After": "0"})
    aa_server.fail(503)
    c = client(aa_server, tmp_path, backoff=0.25, max_backoff=1.0)
    assert len(c.list_models().models) == 4
    assert aa_server.model_requests == 4 and c.sleeps[:2] == [0.0, 0.0] and 0 <= c.sleeps[2] <= 1.0


def test_backoff_is_bounded_exponential_with_jitter(aa_server, tmp_path):
    aa_server.fail(500, times=5)
    c = client(aa_server, tmp_path, max_retries=4, backoff=1.0, max_backoff=3.0)
    with pytest.raises(SourceError, match=r"server error \(HTTP 500\) after 5 attempts"):
        c.list_models()
    assert len(c.sleeps) == 4 and all(0 <= s <= cap for s, cap in zip(c.sleeps, (1, 2, 3, 3)))


def test_long_retry_after_is_reported_not_slept(aa_server, tmp_path):
    aa_server.fail(429, headers={"Retry-After": "86400"}, body={"error": "Rate limit exceeded"})
    c = client(aa_server, tmp_path)
    with pytest.raises(SourceError, match="rate limit") as e:
        c.list_models()
    assert c.sleeps == [] and "1,000 requests a day" in e.value.hint


def test_timeout_is_retried(aa_server, tmp_path):
    aa_server.fail(None, delay=1.0)
    c = client(aa_server, tmp_path, timeout=0.3)
    assert len(c.list_models().models) == 4 and len(c.sleeps) == 1


def test_retry_after_http_date():
    assert aa.parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert aa.parse_retry_after("12") == 12.0 and aa.parse_retry_after("soon") is None and aa.parse_retry_after(None) is None


def test_bad_key(aa_server, tmp_path):
    c = aa.AAClient("wrong-key-123456", base_url=aa_server.url, cache_dir=tmp_path, sleep=lambda s: None)
    with pytest.raises(SourceError, match=r"rejected the API key \(HTTP 401: Invalid API key\)") as e:
        c.list_models()
    assert "wrong-key-123456" not in e.value.message + (e.value.hint or "") and aa_server.model_requests == 1
    with pytest.raises(UsageError, match="API key is needed"):
        aa.AAClient(None, base_url=aa_server.url, cache_dir=tmp_path).list_models()


def test_shape_change(aa_server, tmp_path):
    aa_server.payload = {"models": aa_server.payload["data"]}
    with pytest.raises(SourceError, match="unexpected Artificial Analysis API response shape.*'data' list"):
        client(aa_server, tmp_path).list_models()
    aa_server.payload = {"data": [{"name": "x"}, {"slug": "y", "creator": "z"}]}
    with pytest.raises(SourceError, match="none of the 2 entries"):
        client(aa_server, tmp_path).list_models(refresh=True)
    aa_server.payload = {"data": ["junk", models()[0]]}
    listing = client(aa_server, tmp_path).list_models(refresh=True)
    assert len(listing.models) == 1 and listing.warnings == ["AA listing data[0] skipped: not an object (str)"]
    aa_server.fail(404, body={"error": "Not found"})
    with pytest.raises(SourceError, match="endpoint not found"):
        client(aa_server, tmp_path).list_models(refresh=True)


def test_paginated_envelope(aa_server, tmp_path):
    data = models()
    aa_server.pages = [
        {"tier": "free", "pagination": {"page": 1, "page_size": 2, "total_pages": 2, "has_more": True}, "data": data[:2]},
        {"tier": "free", "pagination": {"page": 2, "page_size": 2, "total_pages": 2, "has_more": False}, "data": data[2:]},
    ]
    listing = client(aa_server, tmp_path).list_models()
    assert [m["slug"] for m in listing.models] == [m["slug"] for m in data]
    assert [r["query"].get("page") for r in aa_server.requests] == [None, ["2"]]


def test_not_json(aa_server, tmp_path):
    aa_server.fail(200, body=b"<html>maintenance</html>")
    with pytest.raises(SourceError, match="not JSON"):
        client(aa_server, tmp_path).list_models()


# -- lookup and mapping -----------------------------------------------------------------------------------------------


def models():
    from aa_server import PAYLOAD

    return json.loads(json.dumps(PAYLOAD["data"]))


def test_find_model_explicit_never_fuzzy():
    ms = models()
    assert aa.find_model(ms, "openai", "o3-mini")["id"].startswith("2dad8957")
    assert aa.find_model(ms, "META", "llama 3.1 instruct 8b")["slug"] == "llama-3-1-instruct-8b"
    assert aa.find_model(ms, "mistral", "mistral-small-3")["slug"] == "mistral-small-3"  # slug beats name
    with pytest.raises(SourceError, match="no model 'o3'"):
        aa.find_model(ms, "openai", "o3")
    with pytest.raises(SourceError, match="no model creator with slug 'open-ai'") as e:
        aa.find_model(ms, "open-ai", "o3-mini")
    assert "openai" in e.value.hint
    with pytest.raises(aa.AmbiguousModelError) as e:
        aa.find_model(ms, "mistral", "Mistral Small 3")
    assert {c["slug"] for c in e.value.candidates} == {"mistral-small-3", "mistral-small-3-2501"}


def test_every_evaluation_mapped_with_scale_and_attribution():
    (o3,) = [m for m in models() if m["slug"] == "o3-mini"]
    results, warnings = aa.to_results(o3, retrieved="2026-03-01")
    assert not warnings
    by = {r.provenance["aa_evaluation"]: r for r in results}
    assert set(by) == {k for k, v in o3["evaluations"].items() if v is not None}  # every one, nulls aside
    assert (by["gpqa"].dataset_id, by["gpqa"].task_id, by["gpqa"].value, by["gpqa"].scale) == ("Idavidrein/gpqa", "gpqa_diamond", 0.748, "fraction")
    assert by["aime_25"].dataset_id == "OpenEvals/aime_2025" and by["aime"].dataset_id == "OpenEvals/aime_24"
    assert by["mmlu_pro"].dataset_id == "TIGER-Lab/MMLU-Pro" and by["hle"].dataset_id == "cais/hle"
    idx = by["artificial_analysis_intelligence_index"]
    assert (idx.dataset_id, idx.value, idx.scale, idx.metric_type) == ("artificial_analysis_intelligence_index", 62.9, "percent", "score")
    assert by["scicode"].dataset_id == "scicode" and by["scicode"].scale == "fraction"
    for r in results:
        assert r.source_name == "Artificial Analysis" and r.source_url == "https://artificialanalysis.ai/models/o3-mini"
        assert r.date == "2026-03-01" and r.source_kind == "artificial-analysis"
        assert r.provenance["coverage"]["not_evaluated"] == ["lcr", "tau2"]


def test_bad_values_skipped_with_warning():
    m = models()[0]
    m["evaluations"].update({"gpqa": "0.7", "hle": True, "mmlu_pro": float("nan"), "weird": 130.0})
    results, warnings = aa.to_results(m, retrieved="2026-03-01")
    w = "\n".join(warnings)
    assert "evaluations.gpqa skipped" in w and "evaluations.hle skipped" in w and "evaluations.mmlu_pro skipped" in w
    assert "weird = 130.0 is outside 0-1" in w
    assert not {"gpqa", "hle", "mmlu_pro"} & {r.provenance["aa_evaluation"] for r in results}


def test_mapping_file(tmp_path):
    p = tmp_path / "map.yaml"
    p.write_text("o3-mini: org/o3\nmistral/mistral-small-3-2501: org/ms3\n")
    mp = aa.load_mapping(p)
    assert aa.find_by_slug(models(), "o3-mini")["name"] == "o3-mini"
    assert aa.find_by_slug(models(), "mistral/mistral-small-3-2501")["id"].startswith("b4c5")
    assert mp == {"o3-mini": "org/o3", "mistral/mistral-small-3-2501": "org/ms3"}
    p.write_text("o3-mini: [1, 2]\n")
    with pytest.raises(UsageError):
        aa.load_mapping(p)
    p.write_text("o3-mini: not a repo id!\n")
    with pytest.raises(UsageError):
        aa.load_mapping(p)


# -- CLI --------------------------------------------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path):
    s = LocalStore(tmp_path / "store")
    s.create_repo(RepoRef("org/o3"), {"README.md": README})
    s.create_repo(RepoRef("org/ms3"), {"README.md": README})
    return s


def run(*args, env=None):
    r = CliRunner().invoke(cli, [str(a) for a in args], env=env, catch_exceptions=False)
    assert API_KEY not in r.output and API_KEY not in (r.stderr or "") and "wrong-key-123456" not in r.output
    return r


def test_cli_preview_apply_and_formats(aa_server, store):
    base = ["import-aa", "org/o3", "--creator-slug", "openai", "--model-name", "o3-mini", "--store", store.root, "--api-key", API_KEY]
    r = run(*base)
    assert r.exit_code == 0, r.output
    assert "Preview only" in r.stdout and "artificial_analysis_intelligence_index" in r.stdout
    assert "Data from Artificial Analysis (https://artificialanalysis.ai)" in r.stdout
    assert store.read_file(RepoRef("org/o3"), "README.md") == README

    r = run(*base, "--apply", env={"AA_API_KEY": None})
    assert r.exit_code == 0, r.output
    meta = yaml.safe_load(store.read_file(RepoRef("org/o3"), "README.md").decode().split("---")[1])
    res = meta["model-index"][0]["results"]
    gpqa = [x for x in res if x["dataset"]["type"] == "Idavidrein/gpqa"][0]
    assert gpqa["metrics"][0]["value"] == 0.748 and gpqa["source"] == {"name": "Artificial Analysis", "url": "https://artificialanalysis.ai/models/o3-mini"}
    assert len(res) == 13 and aa_server.model_requests == 1  # one listing call, from then on the cache

    r = run("import-aa", "org/o3", "--creator-slug", "openai", "--model-name", "o3-mini", "--store", store.root, "--format", "eval-results", "--apply", env={"AA_API_KEY": API_KEY})
    assert r.exit_code == 0, r.output
    assert "not written to .eval_results" in r.output  # composite indices have no Hub dataset
    files = store.list_files(RepoRef("org/o3"))
    assert ".eval_results/gpqa_diamond.yaml" in files and not any("index" in f for f in files)
    (entry,) = yaml.safe_load(store.read_file(RepoRef("org/o3"), ".eval_results/gpqa_diamond.yaml"))
    assert entry == {"dataset": {"id": "Idavidrein/gpqa", "task_id": "gpqa_diamond"}, "value": 0.748, "date": entry["date"],
                     "source": {"url": "https://artificialanalysis.ai/models/o3-mini", "name": "Artificial Analysis"}}


def test_cli_json_and_key_never_printed(aa_server, store):
    r = run("import-aa", "org/o3", "--creator-slug", "openai", "--model-name", "o3-mini", "--store", store.root, "--json", env={"AA_API_KEY": API_KEY})
    assert r.exit_code == 0
    out = json.loads(r.stdout)
    assert out["aa_model"]["slug"] == "o3-mini" and out["plan"]["changed"] and len(out["results"]) == 13
    assert "Artificial Analysis" in out["attribution"]
    # a bad key: the error says so, exit 1, and neither key is echoed
    aa_server.key = "something-else"
    r = run("import-aa", "org/o3", "--creator-slug", "openai", "--model-name", "o3-mini", "--store", store.root, "--refresh", "--api-key", "wrong-key-123456")
    assert r.exit_code == 1 and "rejected the API key" in r.output
    r = run("import-aa", "org/o3", "--creator-slug", "openai", "--model-name", "o3-mini", "--store", store.root, "--refresh", env={"AA_API_KEY": API_KEY, "EVALCARD_DEBUG": None})
    assert r.exit_code == 1 and "rejected the API key" in r.output


def test_cli_lookup_modes(aa_server, store):
    env = {"AA_API_KEY": API_KEY}
    r = run("import-aa", "--list", "--creator-slug", "mistral", env=env)
    assert r.exit_code == 0 and "mistral-small-3-2501" in r.stdout and "2 model(s)" in r.stdout
    r = run("import-aa", "--list", "--creator-slug", "meta", "--json", env=env)
    assert [m["slug"] for m in json.loads(r.stdout)["models"]] == ["llama-3-1-instruct-8b"]
    r = run("import-aa", "org/ms3", "--creator-slug", "mistral", "--model-name", "Mistral Small 3", "--store", store.root, env=env)
    assert r.exit_code == 1 and "matches 2" in r.output and "mistral-small-3-2501" in r.stdout
    r = run("import-aa", "org/ms3", "--creator-slug", "nobody", "--model-name", "x", "--store", store.root, env=env)
    assert r.exit_code == 1 and "no model creator" in r.output
    r = run("import-aa", "org/ms3", "--creator-slug", "openai", "--model-name", "o4", "--store", store.root, env=env)
    assert r.exit_code == 1 and "no model 'o4'" in r.output
    assert aa_server.model_requests == 1


def test_cli_mapping_batch(aa_server, store, tmp_path):
    m = tmp_path / "aa.yaml"
    m.write_text("o3-mini: org/o3\nmistral/mistral-small-3-2501: org/ms3\n")
    r = run("import-aa", "--mapping", m, "--store", store.root, "--apply", env={"AA_API_KEY": API_KEY})
    assert r.exit_code == 0, r.output
    assert "== o3-mini -> org/o3" in r.stdout and "== mistral-small-3-2501 -> org/ms3" in r.stdout
    ms3 = store.read_file(RepoRef("org/ms3"), "README.md").decode()
    assert "0.655" in ms3 and "0.652" not in ms3
    assert aa_server.model_requests == 1


def test_docs_import_aa_examples_run(aa_server, store, tmp_path, monkeypatch):
    from test_import_cli import _doc_commands

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("EVALCARD_STORE", str(store.root))
    monkeypatch.setenv("AA_API_KEY", API_KEY)
    store.create_repo(RepoRef("my-org/o3-mini"), {"README.md": README})
    (tmp_path / "aa-models.yaml").write_text("o3-mini: my-org/o3-mini\n")
    cmds = _doc_commands("import-aa")
    assert len(cmds) >= 3
    for cmd in cmds:
        import shlex

        r = run(*shlex.split(cmd)[1:])
        assert r.exit_code == 0, f"{cmd}\n{r.output}"
