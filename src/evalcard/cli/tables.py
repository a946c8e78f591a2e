"""``evalcard inspect-tables`` and ``evalcard extract``: README tables -> results -> the card."""

from __future__ import annotations

from pathlib import Path

import click

from ..benchmarks import load_registry
from ..errors import InputLimitError, UsageError
from ..formats.values import load_json_bounded
from ..repo import load_repo
from .batch import batch_options, collect_targets, run_batch
from .results_cmds import printable_report
from .common import Report, echo_json, format_option, json_option, publish_report, resolve_target, store_options, write_options


def _target(target: str | None, repo_id: str | None) -> str:
    if target and repo_id and target != repo_id:
        raise UsageError("give the repo either as an argument or with --repo-id, not both")
    t = target or repo_id
    if not t:
        raise UsageError("missing README_OR_REPO", hint="Example: evalcard extract ./README.md  (or --repo-id ORG/NAME)")
    return t


def _load_text(target: str, store_opt, token, repo_type, revision):
    store, repo = resolve_target(target, store_opt, token, repo_type)
    state = load_repo(store, repo, revision, strict_card=False)
    if state.readme is None:
        raise UsageError(f"{repo} has no README.md")
    text = state.readme.decode("utf-8", errors="replace")
    repo_id = None if hasattr(store, "readme") else repo.repo_id
    return store, repo, text, repo_id, state


def _mapping(path: str | None) -> dict | None:
    if not path:
        return None
    try:
        data = load_json_bounded(Path(path).read_text(encoding="utf-8"), path=path)
    except InputLimitError as e:
        raise UsageError(f"--metric-mapping {e.message}") from None
    except (OSError, ValueError) as e:
        raise UsageError(f"--metric-mapping {path}: {e}", hint="Give a JSON object: {\"Benchmark name\": {\"dataset_id\": ..., \"task_id\": ..., \"metric\": ...}}") from None
    if not isinstance(data, dict):
        raise UsageError(f"--metric-mapping {path}: must be a JSON object")
    return data


_repo_id_opt = click.option("--repo-id", "repo_id", default=None, help="The repo (alias of the positional argument, as in the seed tool).")
_model_opt = click.option(
    "--model", "--model-name-override", "model", default=None, metavar="NAME",
    help="The target model as the tables name it (default: from the repo id or the card's title).",
)


@click.command("inspect-tables")
@click.argument("target", metavar="README_OR_REPO", required=False)
@_repo_id_opt
@_model_opt
@store_options
@json_option
def inspect_tables_command(target, repo_id, model, store_opt, token, repo_type, revision, as_json) -> None:
    """List every table of a README: number, shape, orientation, model columns/rows and what would be extracted.

    Tables are numbered 1, 2, ... over all markdown and HTML tables in document order; `extract --table N` uses the
    same numbers.

    \b
    Examples:
      evalcard inspect-tables ./README.md
      evalcard inspect-tables deepseek-ai/DeepSeek-V3 --model DeepSeek-V3 --json
    """
    from ..card.extract import default_model_name, inspect_tables

    _, repo, text, rid, _ = _load_text(_target(target, repo_id), store_opt, token, repo_type, revision)
    model = model or default_model_name(text, rid)
    reports = inspect_tables(text, model=model, registry=load_registry())
    if as_json:
        echo_json({"model": model, "tables": [r.to_dict() for r in reports]})
        return
    if not reports:
        click.echo(f"{repo}: no tables.")
        return
    click.echo(f"Target model: {model or '(none found: pass --model)'}")
    for rep in reports:
        d = rep.to_dict()
        where = " / ".join(x for x in (d.get("heading"), d.get("caption")) if x)
        click.secho(f"\nTable {d['index']} ({d['kind']}, line {d['line']}, {d['n_rows']}x{d['n_cols']}): {d['orientation']}" + (f" — {where}" if where else ""), bold=True)
        click.echo(f"  header: {' | '.join(h or '·' for h in d['header'])}")
        if d["model_candidates"]:
            click.echo(f"  models: {', '.join(d['model_candidates'])}")
        if d["matched_model"]:
            click.echo(f"  target: {d['matched_model']}")
        for r in d["results"]:
            extra = "".join(f" {k}={r[k]}" for k in ("stderr", "n_shot", "notes") if k in r)
            doubt = r.get("evidence", {}).get("doubt")
            click.echo(f"    {r['benchmark']}: {r['value']}{extra}" + (f"  (low confidence: {doubt})" if doubt else ""))
        for reason in d["reasons"]:
            click.echo(f"  - {reason}")
        summary = rep.left_out_summary()
        if summary:
            n = sum(k for _, k in summary)
            click.echo(f"  left out {n} score-like cell{'s' if n != 1 else ''} (--json lists each with row and column):")
            for reason, k in summary[:8]:
                click.echo(f"    {k:>5} × {reason}")
            if len(summary) > 8:
                click.echo(f"    ... and {len(summary) - 8} other reasons")


def card_source(r, store, repo) -> None:
    """Name the card a result was extracted from as its source (``evalcard extract`` and the demo alike)."""
    if r.source_url is None:
        r.source_name = r.source_name or "Model card"
        # the card's page: on the Hub store's endpoint (HF_ENDPOINT), else where the repo would live on the Hub
        r.source_url = f"{getattr(store, 'endpoint', 'https://huggingface.co')}/{repo}"


def _extract_one(target, model, tables, model_column_index, mapping, task_type, store_opt, token, repo_type, revision, fmt, apply,
                 create_pr, force, title, include_low_confidence=False, model_row_index=None) -> Report:
    from ..card.extract import default_model_name, extract

    store, repo, text, rid, state = _load_text(target, store_opt, token, repo_type, revision)
    if state.card_error is not None:  # results could not be written into it: say why now, not after the tables
        raise state.card_error
    model = model or default_model_name(text, rid)
    ex = extract(text, model=model, tables=list(tables) or None, model_column_index=model_column_index, model_row_index=model_row_index,
                 metric_mapping=mapping, registry=load_registry(), include_low_confidence=include_low_confidence)
    results = [r.replace(task_type=task_type) if task_type else r for r in ex.results]
    report = ex.to_dict()
    skipped = [f"  skipped table {s.table}: {s.what}: {s.reason}" for s in ex.skipped]
    held = [f"  held back (low confidence) table {r.provenance.get('table')}: {r.provenance.get('benchmark')} = {r.value}: "
            f"{r.provenance.get('doubt')}" for r in ex.held]
    if held:
        held.append(f"  {len(ex.held)} low-confidence score(s) not written: check them, then pass --include-low-confidence "
                    "(or name the table with --table N) to write them.")
    skipped += held
    if not results:
        if ex.held:
            msg = f"only low-confidence scores of {model!r} found ({len(ex.held)}); nothing written"
            lines = []
        elif ex.candidates:
            msg = f"no table names the model {model!r} confidently. Models seen: {', '.join(ex.candidates)}"
            lines = [msg, "  Pass --model NAME (as written in the table) or --model-column-index N."]
        else:
            msg = f"no scores of {model!r} found in {ex.n_tables} table(s)"
            lines = [f"{repo}: {msg}."]
        return printable_report(Report(data=report, lines=[], errors=skipped + lines, status=f"{repo}: {msg}", ok=False))
    found = []
    for r in results:
        extra = f" ± {r.stderr}" if r.stderr is not None else ""
        p = r.provenance
        how = f" [row {p.get('row')}, column {p.get('column')}: {p.get('match')}]" if p.get("match") else ""
        found.append(f"table {p.get('table')}: {p.get('benchmark')} = {r.value}{extra}{how}")
        if not state.model_index:  # a card without model-index: file results under the model's own name
            r.model_name = r.model_name or (model if hasattr(store, "readme") else repo.repo_id)
        if not hasattr(store, "readme"):
            card_source(r, store, repo)
    rep = publish_report(store, repo, results, fmt=fmt, apply=apply, create_pr=create_pr, force=force, title=title, report=report)
    rep.lines = found + rep.lines
    rep.errors = skipped + rep.errors
    return printable_report(rep)


@click.command("extract")
@click.argument("targets", metavar="README_OR_REPO...", nargs=-1)
@_repo_id_opt
@_model_opt
@click.option("--table", "tables", type=int, multiple=True, metavar="N", help="Only these tables (repeatable; numbers as in inspect-tables).")
@click.option("--model-column-index", type=int, default=None, metavar="N", help="Take scores from this 1-based column, as inspect-tables shows, instead of matching the model name.")
@click.option("--model-row-index", type=int, default=None, metavar="N", help="Take scores from this 1-based row (the header is row 1), instead of matching the model name.")
@click.option("--metric-mapping", type=click.Path(dir_okay=False), default=None, help="JSON file extending the benchmark-name map.")
@click.option("--task-type", default=None, help="task.type for the results (default: from the benchmark registry, else text-generation).")
@click.option("--dataset-name", default=None, hidden=True, help="Accepted for the seed tool; names come from the table.")
@click.option("--include-low-confidence", is_flag=True, help="Also write the scores held back as low confidence (the preview lists them with the reason).")
@store_options
@format_option
@write_options
@batch_options
@json_option
def extract_command(targets, repo_id, model, tables, model_column_index, model_row_index, metric_mapping, task_type, dataset_name, include_low_confidence, store_opt,
                    token, repo_type, revision, fmt, apply, create_pr, force, title, from_file, jobs, as_json) -> None:
    """Extract the target model's scores from README tables and add them to the card.

    Prints the results and a preview (a diff of the card) by default; --apply writes them, --create-pr opens a pull
    request. When the target model matches no table confidently, the candidates are listed and nothing is written
    (exit code 1). Scores of low confidence (a table in which no benchmark or metric is one evalcard knows, or the
    model named only by its family) are listed as held back and not written unless --include-low-confidence.

    \b
    Examples:
      evalcard extract ./README.md                                # preview
      evalcard extract ./README.md --table 3 --json               # {"results": [{"table", "benchmark", "value", ...}]}
      evalcard extract my-org/my-model --model "My Model 7B" --create-pr
      evalcard extract --from-file repos.txt --create-pr          # many repos, concurrently
      evalcard extract ./README.md --include-low-confidence       # also the held-back scores
    """
    ts = collect_targets(list(targets) + ([repo_id] if repo_id else []), from_file)
    mapping = _mapping(metric_mapping)
    code = run_batch(ts, lambda t: _extract_one(t, model, tables, model_column_index, mapping, task_type, store_opt, token, repo_type, revision,
                                                 fmt, apply, create_pr, force, title, include_low_confidence, model_row_index), jobs=jobs, as_json=as_json, batched=bool(from_file))
    raise SystemExit(code)


#: the seed tool's name for `extract`
extract_readme_command = click.Command(
    "extract-readme",
    callback=extract_command.callback,
    params=extract_command.params,
    help=(extract_command.help or "") + "\n\n(Alias of `evalcard extract`, the seed tool's name.)",
    hidden=True,
)
