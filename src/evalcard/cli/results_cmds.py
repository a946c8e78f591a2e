"""``evalcard show``, ``evalcard validate`` and ``evalcard convert``: read, check and convert a card's results."""

from __future__ import annotations

from pathlib import Path

import click

from ..formats.problems import errors
from ..publish import converted
from ..repo import load_repo, parse_eval_file
from ..results import EvalResult
from .common import echo_json, format_option, json_option, publish_results, resolve_target, store_options, write_options


def _fmt_value(r: EvalResult) -> str:
    v = r.value
    s = f"{v:g}" if isinstance(v, float) else str(v)
    if r.stderr is not None:
        s += f" ± {r.stderr:g}"
    return s


def _print_table(results: list[EvalResult]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(show_lines=False, header_style="bold")
    for col in ("model", "dataset", "config/split", "metric", "value", "n-shot", "source", "verified"):
        t.add_column(col, overflow="fold")
    for r in results:
        t.add_row(
            r.model_name or r.model_id or "",
            r.dataset_name if r.dataset_name and r.dataset_name != r.dataset_id else r.dataset_id,
            "/".join(x for x in (r.dataset_config, r.dataset_split) if x),
            r.metric_name or r.metric_type,
            _fmt_value(r),
            "" if r.n_shot is None else str(r.n_shot),
            r.source_name or r.source_kind or "",
            "yes" if r.is_verified else "",
        )
    import sys

    Console(width=None if sys.stdout.isatty() else 200, soft_wrap=False, markup=False, highlight=False).print(t)


@click.command("show")
@click.argument("target", metavar="REPO_OR_PATH")
@store_options
@json_option
def show_command(target: str, store_opt, token, repo_type, revision, as_json: bool) -> None:
    """Show the evaluation results a model card holds (model-index and .eval_results).

    \b
    Examples:
      evalcard show ./README.md
      evalcard show my-org/my-model --store ./my-store --json
      evalcard show meta-llama/Llama-3.1-8B --revision refs/pr/12
    """
    store, repo = resolve_target(target, store_opt, token, repo_type)
    state = load_repo(store, repo, revision, strict_card=False)
    results = state.results
    if as_json:
        echo_json({"repo": str(repo), "revision": state.head, "results": [r.to_dict() for r in results], "problems": [p.to_dict() for p in state.problems]})
        return
    if not results:
        click.echo(f"{repo}: no evaluation results.")
    else:
        _print_table(results)
    for p in state.problems:
        click.echo(f"{p.severity}: {p}", err=True)


@click.command("validate")
@click.argument("target", metavar="REPO_OR_PATH")
@store_options
@json_option
def validate_command(target: str, store_opt, token, repo_type, revision, as_json: bool) -> None:
    """Check a card's model-index and .eval_results files; report every problem with its YAML path.

    Exit code 0 when there are no errors (warnings are printed), 1 when there are.
    TARGET may also be a single .eval_results/*.yaml file.

    \b
    Examples:
      evalcard validate ./README.md
      evalcard validate .eval_results/gpqa.yaml
      evalcard validate my-org/my-model --json
    """
    if target.endswith((".yaml", ".yml")) and Path(target).is_file():
        results, problems = parse_eval_file(target, Path(target).read_bytes())
        label = target
    else:
        store, repo = resolve_target(target, store_opt, token, repo_type)
        state = load_repo(store, repo, revision, strict_card=False)
        results, problems, label = state.results, state.problems, str(repo)
    errs = errors(problems)
    if as_json:
        echo_json({"target": label, "valid": not errs, "results": len(results), "problems": [p.to_dict() for p in problems]})
    else:
        for p in problems:
            click.echo(f"{p.severity}: {p}")
        status = "invalid" if errs else "valid"
        click.echo(f"{label}: {status} — {len(results)} result(s), {len(errs)} error(s), {len(problems) - len(errs)} warning(s)")
    if errs:
        raise SystemExit(1)


@click.command("convert")
@click.argument("target", metavar="REPO_OR_PATH")
@click.option("--to", "to_fmt", type=click.Choice(["eval-results", "model-index"]), default="eval-results", show_default=True, help="Format to convert into.")
@store_options
@write_options
@json_option
def convert_command(target: str, to_fmt: str, store_opt, token, repo_type, revision, apply, create_pr, force, title, as_json) -> None:
    """Convert a card's results between model-index (README) and .eval_results/*.yaml.

    The source format is kept; the converted results are merged into the target format with the usual rules.
    Fields the target format cannot hold are named in the output (nothing is dropped silently).

    \b
    Examples:
      evalcard convert ./README.md --to eval-results           # preview
      evalcard convert ./README.md --to eval-results --apply   # write .eval_results/ next to README.md
      evalcard convert my-org/my-model --to model-index --create-pr
    """
    store, repo = resolve_target(target, store_opt, token, repo_type)
    state = load_repo(store, repo, revision)
    source = state.model_index if to_fmt == "eval-results" else [r for rs in state.eval_files.values() for r in rs]
    if not source:
        click.echo(f"{repo}: no results in {'model-index' if to_fmt == 'eval-results' else '.eval_results'} to convert.")
        return
    source, notes = converted(source)
    for n in notes:
        click.echo(f"note: {n}", err=True)
    code = publish_results(store, repo, source, fmt=to_fmt, apply=apply, create_pr=create_pr, force=force, title=title, as_json=as_json)
    raise SystemExit(code)


# re-exported so `format_option` stays importable from one place for other command modules
__all__ = ["show_command", "validate_command", "convert_command", "format_option"]
