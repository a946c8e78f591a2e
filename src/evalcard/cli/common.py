"""What every command shares: where repos live (``--store``), which repo or file a user means, the write flags
(preview by default, ``--apply``, ``--create-pr``), JSON output, and printing."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import click

from ..errors import UsageError
from ..store.base import RepoRef, Store
from ..store.files import FolderStore

STORE_HELP = (
    "Where repos live: a local store folder, or 'hub' for the Hugging Face Hub "
    "(default: $EVALCARD_STORE, else 'hub'). A path to a README.md file is always read from disk."
)


def store_options(f: Callable) -> Callable:
    """--store, --token, --repo-type, --revision."""
    f = click.option("--revision", default=None, help="Read the repo at this revision (branch, tag, commit or refs/pr/N).")(f)
    f = click.option("--repo-type", type=click.Choice(["model", "dataset"]), default=None, help="Repo type when the id is ambiguous (default: model).")(f)
    f = click.option("--token", default=None, envvar=None, help="Hugging Face token (default: $HF_TOKEN or your `hf auth login`). Never printed.")(f)
    f = click.option("--store", "store_opt", default=None, metavar="DIR|hub", help=STORE_HELP)(f)
    return f


def write_options(f: Callable) -> Callable:
    """--apply, --create-pr, --force, --format, --title."""
    f = click.option("--title", default=None, help="Commit or pull-request title.")(f)
    f = click.option("--force", is_flag=True, help="Open a PR even when an open PR already proposes the same results.")(f)
    f = click.option("--create-pr", "create_pr", is_flag=True, help="Open a pull request with the change.")(f)
    f = click.option("--apply", "--push", "apply", is_flag=True, help="Write the change (commit to main, or the file on disk).")(f)
    return f


def format_option(f: Callable) -> Callable:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(["model-index", "eval-results"]),
        default="model-index",
        show_default=True,
        help="Write results to the README's model-index or to the Hub's .eval_results/*.yaml files.",
    )(f)


def json_option(f: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON instead of text.")(f)


def make_store(store_opt: str | None, token: str | None = None) -> Store:
    where = store_opt or os.environ.get("EVALCARD_STORE") or "hub"
    if where == "hub":
        try:
            from ..store.hub import HubStore
        except ImportError as e:  # pragma: no cover - the hub store ships with evalcard
            raise UsageError(f"the Hub store is not available: {e}") from None
        from ..store.tokens import register

        register(token)
        store = HubStore(token=token)
        register(getattr(store, "_token", None))
        return store
    from ..store.local import LocalStore

    path = Path(where).expanduser()
    if path.exists() and not path.is_dir():
        raise UsageError(f"--store {where}: not a folder", hint="Give a local store folder or 'hub'.")
    return LocalStore(path)


def resolve_target(target: str, store_opt: str | None, token: str | None, repo_type: str | None) -> tuple[Store, RepoRef]:
    """A README path (read from disk) or a repo id (read from the store)."""
    p = Path(target)
    if p.is_file() or target.endswith((".md", ".markdown")) or (p.is_dir() and (p / "README.md").is_file() and not (p / ".git").exists()):
        if p.is_dir():
            p = p / "README.md"
        if not p.exists():
            raise UsageError(f"no such file: {target}", hint="Give a path to a README.md or a repo id like ORG/NAME.")
        fs = FolderStore(p)
        return fs, fs.repo
    repo = RepoRef.parse(target, repo_type)
    return make_store(store_opt, token), repo


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def err(msg: str) -> None:
    click.echo(msg, err=True)


@dataclass
class Report:
    """What one repo's work produced: JSON data, the text to print, a one-line status (for batches)."""

    data: dict[str, Any] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)
    status: str = ""
    ok: bool = True
    #: lines for stderr (warnings) when one repo is processed
    errors: list[str] = field(default_factory=list)


def publish_report(
    store: Store,
    repo: RepoRef,
    results: list,
    *,
    fmt: str,
    apply: bool,
    create_pr: bool,
    force: bool = False,
    title: str | None = None,
    report: dict | None = None,
) -> Report:
    """The one write flow: plan, then preview (diff) or commit / open a PR."""
    from ..publish import apply_plan, plan_update

    if apply and create_pr:
        raise UsageError("--apply and --create-pr are exclusive", hint="--apply commits to main; --create-pr opens a pull request.")
    plan = plan_update(store, repo, results, fmt=fmt, check_prs=create_pr, force=force)
    out: dict[str, Any] = dict(report or {})
    out["plan"] = plan.to_dict()
    outcome = None
    if apply or create_pr:
        outcome = apply_plan(store, plan, create_pr=create_pr, title=title, force=force)
        out["outcome"] = {
            "changed": outcome.changed,
            "commit": outcome.oid,
            "url": outcome.url,
            "pr": outcome.pr.to_dict() if outcome.pr else None,
            **outcome.extra,
        }
    lines = list(plan.summary_lines())
    warnings = [
        f"warning: open pull request #{pr.num} could not be checked for the same results ({why}); going on (--force)"
        for pr, why in plan.unchecked_prs
    ]
    counts = plan.counts()
    n = counts.get("add", 0) + counts.get("update", 0)
    if not plan.changed:
        status = f"{repo}: nothing to change (every result is already there)"
        lines.append(status + ".")
    elif outcome is None:
        status = f"{repo}: {n} result(s) to add or update (preview)"
        lines.append(plan.diff().rstrip("\n"))
        lines.append("\nPreview only. Re-run with --apply to write it, or --create-pr to open a pull request.")
    elif outcome.pr is not None:
        status = f"{repo}: opened pull request #{outcome.pr.num}"
        lines.append(f"Opened pull request #{outcome.pr.num} on {repo}: {outcome.pr.url}")
    elif "duplicate_of" in outcome.extra:
        status = f"{repo}: {outcome.extra['message']}; none opened"
        lines.append(f"{repo}: {outcome.extra['message']}; not opening another (use --force to open one anyway).")
    elif outcome.changed:
        status = f"{repo}: committed {n} result(s)"
        lines.append(f"Committed to {repo}: {outcome.url or outcome.oid}")
    else:
        status = f"{repo}: nothing to change"
        lines.append(status + ".")
    return Report(data=out, lines=lines, status=status, errors=warnings)


def publish_results(store: Store, repo: RepoRef, results: list, *, as_json: bool = False, **kw: Any) -> int:
    """:func:`publish_report`, printed. Returns the exit code."""
    rep = publish_report(store, repo, results, **kw)
    for line in rep.errors:
        err(line)
    if as_json:
        echo_json(rep.data)
    else:
        for line in rep.lines:
            click.echo(line)
    return 0
