"""``evalcard import-log`` and ``evalcard import-aa``: results from framework logs and Artificial Analysis into a
card, through the one write flow (preview by default, ``--apply``, ``--create-pr``)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from ..errors import UsageError
from ..results import EvalResult
from .common import echo_json, err, format_option, json_option, publish_results, resolve_target, store_options, write_options

_REPO_LIKE = re.compile(r"^(?:(?:models|datasets)/)?[A-Za-z0-9][\w.\-]*/[A-Za-z0-9][\w.\-]*$")


_LOG_SUFFIXES = (".json", ".eval", ".jsonl")
#: a plain file or folder name (no '/'): a missing one given last is taken as a missing log, not as a repo
_PLAIN_NAME = re.compile(r"^[\w.\-]+$")


def _is_target(arg: str) -> bool:
    """Whether the last argument of ``import-log`` names where to write (a README or a repo id), not a log.

    A README path, a folder holding a README.md, and anything that does not exist and does not look like a log
    (no .json / .eval suffix) but does look like a repo (has a '/', is a URL, or is no plain file name): so a
    mistyped repo id is reported as one (exit 2) instead of being read as a missing log."""
    p = Path(arg)
    if arg.endswith((".md", ".markdown")):
        return True
    if p.is_dir() and (p / "README.md").is_file():
        return True
    if p.exists() or arg.lower().endswith(_LOG_SUFFIXES):
        return False
    return bool(_REPO_LIKE.match(arg) or arg.startswith(("http://", "https://")) or "/" in arg or not _PLAIN_NAME.match(arg))


def _fmt(v) -> str:
    return f"{v:.6g}" if isinstance(v, float) else str(v)


def _for_format(results: list[EvalResult], fmt: str) -> tuple[list[EvalResult], list[str]]:
    """``.eval_results`` entries feed Hub benchmark leaderboards, so ``dataset.id`` must be a Hub dataset: results
    whose dataset is only a name (an AA composite index, a task with no dataset path) are left out, and said so."""
    if fmt != "eval-results":
        return results, []
    keep, notes = [], []
    for r in results:
        if "/" in r.dataset_id:
            keep.append(r)
        else:
            notes.append(f"{r.provenance.get('task') or r.dataset_id} {r.metric_type}: not written to .eval_results (no Hub dataset id; use --format model-index to keep it)")
    return keep, notes


def _with_source(results: list[EvalResult], source_url: str | None, source_name: str | None) -> list[EvalResult]:
    if source_name and not source_url:
        raise UsageError("--source-name needs --source-url", hint="A source in a model card must have a URL (e.g. where the logs are).")
    if not source_url:
        return results
    return [r.replace(source_url=source_url, source_name=source_name or r.source_name) for r in results]


# -- import-log -------------------------------------------------------------------------------------------------------


@click.command("import-log")
@click.argument("args", nargs=-1, required=True, metavar="PATH... [REPO]")
@click.option("--source-url", default=None, help="Link recorded as each result's source (e.g. where the logs are published).")
@click.option("--source-name", default=None, help="Name shown for --source-url.")
@click.option("--all-metrics", is_flag=True, help="Import every metric of the log (acc beside acc_norm, every lm-eval filter), not only the registry's metric.")
@click.option("--allow-partial", is_flag=True, help="Import the scores of an inspect-ai run that was cancelled or failed (status and sample count go in the notes).")
@store_options
@write_options
@format_option
@json_option
def import_log_command(args, source_url, source_name, all_metrics, allow_partial, store_opt, token, repo_type, revision, apply, create_pr, force, title, fmt, as_json) -> None:
    """Import results from lm-evaluation-harness, lighteval or inspect-ai result files.

    Each PATH is a results file or a directory (every .json / .eval file in it is read). The framework is detected
    from the content: lm-eval results_*.json (0.3 and 0.4 layouts), lighteval results JSON, inspect-ai .eval / .json
    logs, and a bare lm-eval 'results' mapping (model and n-shot unknown). Each task score becomes one result with its
    stderr, n-shot, metric, filter and dataset; the framework name and version, model revision and chat-template
    use are kept as provenance. For benchmarks the registry knows, the registry's metric is taken (acc_norm for
    HellaSwag), never the larger number, and a note names what was left out; --all-metrics imports every metric.
    A cancelled or failed inspect-ai run is skipped (the warning says how many samples were scored);
    --allow-partial imports its scores, marked partial in the notes.

    Without REPO the results found are printed (--json: {"results": [...]}). With REPO (a repo id or a README.md)
    they are merged into its card: a preview first, --apply writes, --create-pr opens a pull request.
    Exit code 1 when nothing could be imported.

    \b
    Examples:
      evalcard import-log results_2026-01-15T10-30-00.json
      evalcard import-log ./lm-eval-out/ --json
      evalcard import-log results.json my-org/my-model --store ./store              # preview
      evalcard import-log results.json my-org/my-model --apply --format eval-results
      evalcard import-log logs/2026-01-15_gpqa.eval ./README.md --apply
      evalcard import-log results.json --all-metrics            # acc beside acc_norm
      evalcard import-log logs/cancelled.eval --allow-partial   # the samples a cancelled run scored
    """
    from ..sources.framework_logs import read_logs

    args = list(args)
    target = args.pop() if len(args) > 1 and _is_target(args[-1]) else None
    if not args:
        raise UsageError("give at least one results file or directory", hint="evalcard import-log PATH... [REPO]")
    _with_source([], source_url, source_name)  # --source-name without --source-url: a usage error before any work
    where = None
    if target is not None:  # a bad REPO is a usage error before anything is read
        try:
            where = resolve_target(target, store_opt, token, repo_type)
        except UsageError as e:
            raise UsageError(e.message, hint=(e.hint or "") + f" (If {target!r} is a log file or folder, it does not exist.)") from None
    found = read_logs(args, all_metrics=all_metrics, allow_partial=allow_partial)
    results = _with_source(found.results, source_url, source_name)
    for w in found.warnings:
        err(f"warning: {w}")
    for n in found.notes:
        err(f"note: {n}")
    rows = [dict(row, source_url=r.source_url) if r.source_url else row for row, r in zip(found.rows(), results)]
    report = {"results": rows, "warnings": found.warnings, "notes": found.notes, "files": found.files}
    if not results:
        if as_json:
            echo_json(report)
        err("Error: no results could be imported from " + ", ".join(args))
        raise SystemExit(1)
    if target is None:
        if as_json:
            echo_json(report)
        else:
            _print_rows(rows)
        return
    store, repo = where  # type: ignore[misc]  # set above whenever there is a target
    models = sorted({r.model_id for r in results if r.model_id})
    if models and not any(m == repo.repo_id or m.endswith("/" + repo.repo_id) for m in models):
        err(f"note: the log(s) evaluated {', '.join(models)}; writing to {repo} as asked")
    results, notes = _for_format(results, fmt)
    for n in notes:
        err(f"note: {n}")
    if not results:
        err("Error: nothing left to write in this format")
        raise SystemExit(1)
    code = publish_results(store, repo, results, fmt=fmt, apply=apply, create_pr=create_pr, force=force, title=title, as_json=as_json, report=report)
    raise SystemExit(code)


def _print_rows(rows: list[dict]) -> None:
    by_file: dict[str, list[dict]] = {}
    for r in rows:
        by_file.setdefault(r.get("file") or "", []).append(r)
    for f, rs in by_file.items():
        fw = rs[0].get("framework") or ""
        ver = rs[0].get("framework_version")
        model = rs[0].get("model")
        click.echo(f"{f}  [{fw}{' ' + ver if ver else ''}]  model: {model or 'unknown'}")
        width = max(len(str(r["task"])) for r in rs)
        for r in rs:
            value = _fmt(r["value"]) + (f" ± {_fmt(r['stderr'])}" if r["stderr"] is not None else "")
            shot = f"{r['n_shot']}-shot" if r["n_shot"] is not None else ""
            extra = ", ".join(x for x in (r.get("notes"), "group" if r.get("group") else None) if x)
            click.echo(f"  {str(r['task']).ljust(width)}  {r['metric']:<16} {value:<22} {shot:<8} {extra}".rstrip())


# -- import-aa --------------------------------------------------------------------------------------------------------


@click.command("import-aa")
@click.argument("repo_arg", required=False, metavar="[REPO]")
@click.option("--creator-slug", default=None, help="AA model creator slug, e.g. 'openai', 'meta', 'mistral'.")
@click.option("--model-name", default=None, help="AA model slug, id or exact name (case-insensitive; never fuzzy).")
@click.option("--mapping", "mapping_file", type=click.Path(dir_okay=False), default=None, help="YAML file of 'aa_slug: org/repo' lines: import every mapped model (or REPO's).")
@click.option("--list", "list_mode", is_flag=True, help="List AA models (of --creator-slug, names containing --model-name) instead of importing.")
@click.option("--refresh", is_flag=True, help="Fetch the model listing again even if today's is cached.")
@click.option("--api-key", default=None, help="Artificial Analysis API key (default: $AA_API_KEY). Never printed.")
@store_options
@write_options
@format_option
@json_option
def import_aa_command(repo_arg, creator_slug, model_name, mapping_file, list_mode, refresh, api_key, store_opt, token, repo_type, revision, apply, create_pr, force, title, fmt, as_json) -> None:
    """Import a model's Artificial Analysis evaluations into its card.

    Every evaluation AA reports is imported: known benchmarks under their canonical dataset id, the others (and the
    artificial_analysis_*_index composites) under their own name. Values keep AA's scale (fractions; indices 0-100),
    and each result records the source (Artificial Analysis, with a link) and the retrieval date. The model
    listing is fetched once a day and cached under $EVALCARD_HOME/aa (default ~/.cache/evalcard/aa).

    The AA model is named explicitly (--creator-slug and --model-name, or a --mapping file); an ambiguous name lists
    the candidates. Preview by default; --apply writes, --create-pr opens a pull request. Exit 1 on any error.

    \b
    Examples:
      export AA_API_KEY=...                                     # from https://artificialanalysis.ai/
      evalcard import-aa --list --creator-slug openai           # which models AA has
      evalcard import-aa my-org/o3-mini --creator-slug openai --model-name o3-mini
      evalcard import-aa my-org/o3-mini --creator-slug openai --model-name o3-mini --apply --format eval-results
      evalcard import-aa --mapping aa-models.yaml --create-pr   # every 'aa_slug: org/repo' in the file
    """
    from ..sources import artificial_analysis as aa

    key = api_key or os.environ.get("AA_API_KEY") or None
    client = aa.AAClient(key)
    if list_mode:
        listing = client.list_models(refresh=refresh)
        _warn_all(listing.warnings)
        ms = aa.models_of(listing.models, creator_slug, model_name)
        rows = [aa.describe(m) for m in ms]
        if as_json:
            echo_json({"retrieved": listing.retrieved, "source": aa.SITE_URL, "models": rows})
        else:
            _print_models(rows)
            click.echo(f"{len(rows)} model(s); data from Artificial Analysis ({aa.SITE_URL}), retrieved {listing.retrieved}")
        raise SystemExit(0 if rows else 1)

    jobs: list[tuple[str, dict]] = []  # (repo id, AA model)
    if mapping_file:
        if creator_slug or model_name:
            raise UsageError("--mapping and --creator-slug/--model-name are exclusive", hint="Name one model, or give a mapping file.")
        mapping = aa.load_mapping(mapping_file)
        if repo_arg:
            mapping = {k: v for k, v in mapping.items() if v == repo_arg}
            if not mapping:
                raise UsageError(f"{repo_arg} is not in the mapping file {mapping_file}")
        if as_json and len(set(mapping.values())) > 1:
            raise UsageError("--json imports one repo at a time", hint="Add REPO to pick one repo of the mapping file.")
        listing = client.list_models(refresh=refresh)
        for slug, repo_id in mapping.items():
            jobs.append((repo_id, _find(lambda: aa.find_by_slug(listing.models, slug), as_json)))
    else:
        if not repo_arg:
            raise UsageError("give REPO (or --mapping FILE, or --list)", hint="evalcard import-aa ORG/NAME --creator-slug SLUG --model-name NAME")
        if not creator_slug or not model_name:
            raise UsageError("--creator-slug and --model-name are required with REPO", hint="Find them with: evalcard import-aa --list --creator-slug SLUG")
        listing = client.list_models(refresh=refresh)
        jobs.append((repo_arg, _find(lambda: aa.find_model(listing.models, creator_slug, model_name), as_json)))
    _warn_all(listing.warnings)

    code = 0
    for repo_id, model in jobs:
        results, warnings = aa.to_results(model, retrieved=listing.retrieved, api_url=listing.url)
        _warn_all(warnings)
        results, notes = _for_format(results, fmt)
        for n in notes:
            err(f"note: {n}")
        if not results:
            err(f"Error: Artificial Analysis reports no usable evaluation for {model['slug']}")
            code = 1
            continue
        store, repo = resolve_target(repo_id, store_opt, token, repo_type)
        if len(jobs) > 1 and not as_json:
            click.echo(f"== {model['slug']} -> {repo}")
        report = {
            "aa_model": aa.describe(model),
            "retrieved": listing.retrieved,
            "from_cache": listing.from_cache,
            "attribution": f"Data from Artificial Analysis ({aa.SITE_URL})",
            "results": [_aa_row(r) for r in results],
            "warnings": warnings,
        }
        code = max(code, publish_results(store, repo, results, fmt=fmt, apply=apply, create_pr=create_pr, force=force, title=title, as_json=as_json, report=report))
        if not as_json:
            click.echo(f"Data from Artificial Analysis ({aa.SITE_URL}), retrieved {listing.retrieved}{' (cached)' if listing.from_cache else ''}.")
    raise SystemExit(code)


def _find(fn, as_json: bool) -> dict:
    from ..sources.artificial_analysis import AmbiguousModelError

    try:
        return fn()
    except AmbiguousModelError as e:
        if as_json:
            echo_json({"error": e.message, "candidates": e.candidates})
        else:
            _print_models(e.candidates)
        raise


def _aa_row(r: EvalResult) -> dict:
    return {"task": r.provenance.get("task"), "metric": r.metric_type, "value": r.value, "stderr": None, "n_shot": None, "dataset": r.dataset_id, "benchmark": r.provenance.get("benchmark"), "scale": r.scale, "date": r.date}


def _print_models(rows: list[dict]) -> None:
    for r in rows:
        click.echo(f"  {r['creator'] or '':<14} {r['slug'] or '':<34} {r['name'] or '':<34} {r['id'] or ''}")


def _warn_all(warnings: list[str]) -> None:
    for w in warnings:
        err(f"warning: {w}")


__all__ = ["import_log_command", "import_aa_command"]
