"""``evalcard prs REPO``: list a repo's pull requests (Hub or local store)."""

from __future__ import annotations

import click

from ..store.base import RepoRef
from .batch import collect_targets, run_batch
from .common import STORE_HELP, Report, make_store

_STATUSES = ("open", "closed", "merged", "draft", "all")


def _prs_one(target: str, status: str, repo_type: str | None, token: str | None, store_opt: str | None) -> Report:
    ref = RepoRef.parse(target, repo_type)
    prs = make_store(store_opt, token).list_prs(ref, status=status)
    data = {"repo": str(ref), "status": status, "prs": [p.to_dict() for p in prs]}
    label = "" if status == "all" else status + " "
    if not prs:
        return Report(data=data, lines=[f"No {label}pull requests on {ref}."], status=f"{ref}: no {label}pull requests")
    rows = [(f"#{p.num}", p.status, p.author or "-", (p.created_at or "-")[:10], p.title) for p in prs]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r[:4], widths)) + "  " + r[4] for r in rows]
    return Report(data=data, lines=lines, status=f"{ref}: {len(prs)} {label}pull request(s): " + ", ".join(f"#{p.num}" for p in prs))


def _list_prs(repos, repo_id, status, repo_type, as_json, token, store_opt, from_file, jobs) -> None:
    targets = collect_targets(list(repos) + ([repo_id] if repo_id else []), from_file)
    code = run_batch(targets, lambda t: _prs_one(t, status, repo_type, token, store_opt), jobs=jobs, as_json=as_json, batched=bool(from_file))
    raise SystemExit(code)


_options = [
    click.argument("repos", metavar="REPO...", nargs=-1),
    click.option("--repo-id", "repo_id", default=None, help="The repo (alias of the argument, as in the seed tool's get-prs)."),
    click.option("--status", type=click.Choice(_STATUSES), default="open", show_default=True, help="Which pull requests to list (open includes drafts)."),
    click.option("--repo-type", type=click.Choice(["model", "dataset"]), default=None, help="Repo type (default: model, or from a datasets/ prefix)."),
    click.option("--json", "as_json", is_flag=True, help='Print {"repo", "status", "prs": [...]} instead of a table.'),
    click.option("--token", default=None, metavar="TOKEN", help="Hugging Face token (default: HF_TOKEN, then the `hf auth login` token)."),
    click.option("--store", "store_opt", default=None, metavar="DIR|hub", help=STORE_HELP),
    click.option("--from-file", "from_file", type=click.Path(dir_okay=False), default=None, help="Read repos from a file, one per line."),
    click.option("--jobs", "-j", type=click.IntRange(1, 32), default=4, show_default=True, help="Repos processed at once."),
]


def _with_options(f):
    for opt in reversed(_options):
        f = opt(f)
    return f


@click.command("prs")
@_with_options
def prs_command(repos, repo_id, status, repo_type, as_json, token, store_opt, from_file, jobs) -> None:
    """List the pull requests of REPO (every page), on the Hub or in a local store.

    Check them before opening a new one; evalcard's own --create-pr does this for you and refuses a duplicate.

    \b
    Examples:
      evalcard prs openai-community/gpt2
      evalcard prs datasets/cais/mmlu --status all --json
      evalcard prs demo-org/tiny-sentiment --store ./demo-store
    """
    _list_prs(repos, repo_id, status, repo_type, as_json, token, store_opt, from_file, jobs)


@click.command("get-prs", hidden=True)
@_with_options
def get_prs_command(repos, repo_id, status, repo_type, as_json, token, store_opt, from_file, jobs) -> None:
    """Alias of `evalcard prs` (the seed tool's name).

    \b
    Example:
      evalcard get-prs --repo-id openai-community/gpt2
    """
    _list_prs(repos, repo_id, status, repo_type, as_json, token, store_opt, from_file, jobs)
