"""``evalcard prs REPO``: list a repo's pull requests (Hub or local store)."""

from __future__ import annotations

import click

from ..errors import UsageError
from ..store.base import RepoRef
from .common import STORE_HELP, echo_json, make_store

_STATUSES = ("open", "closed", "merged", "draft", "all")


def _list_prs(repo: str | None, repo_id: str | None, status: str, repo_type: str | None, as_json: bool, token: str | None, store_opt: str | None) -> None:
    target = repo or repo_id
    if not target:
        raise UsageError("missing REPO", hint="Example: evalcard prs openai-community/gpt2")
    ref = RepoRef.parse(target, repo_type)
    store = make_store(store_opt, token)
    prs = store.list_prs(ref, status=status)
    if as_json:
        echo_json({"repo": str(ref), "status": status, "prs": [p.to_dict() for p in prs]})
        return
    if not prs:
        click.echo(f"No {'' if status == 'all' else status + ' '}pull requests on {ref}.")
        return
    rows = [(f"#{p.num}", p.status, p.author or "-", (p.created_at or "-")[:10], p.title) for p in prs]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for r in rows:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r[:4], widths)) + "  " + r[4])


_options = [
    click.argument("repo", required=False),
    click.option("--repo-id", "repo_id", default=None, help="The repo (alias of the argument, as in the seed tool's get-prs)."),
    click.option("--status", type=click.Choice(_STATUSES), default="open", show_default=True, help="Which pull requests to list (open includes drafts)."),
    click.option("--repo-type", type=click.Choice(["model", "dataset"]), default=None, help="Repo type (default: model, or from a datasets/ prefix)."),
    click.option("--json", "as_json", is_flag=True, help='Print {"repo", "status", "prs": [...]} instead of a table.'),
    click.option("--token", default=None, metavar="TOKEN", help="Hugging Face token (default: HF_TOKEN, then the `hf auth login` token)."),
    click.option("--store", "store_opt", default=None, metavar="DIR|hub", help=STORE_HELP),
]


def _with_options(f):
    for opt in reversed(_options):
        f = opt(f)
    return f


@click.command("prs")
@_with_options
def prs_command(repo, repo_id, status, repo_type, as_json, token, store_opt) -> None:
    """List the pull requests of REPO (every page), on the Hub or in a local store.

    Check them before opening a new one; evalcard's own --create-pr does this for you and refuses a duplicate.

    \b
    Examples:
      evalcard prs openai-community/gpt2
      evalcard prs datasets/cais/mmlu --status all --json
      evalcard prs demo-org/tiny-sentiment --store ./demo-store
    """
    _list_prs(repo, repo_id, status, repo_type, as_json, token, store_opt)


@click.command("get-prs", hidden=True)
@_with_options
def get_prs_command(repo, repo_id, status, repo_type, as_json, token, store_opt) -> None:
    """Alias of `evalcard prs` (the seed tool's name).

    \b
    Example:
      evalcard get-prs --repo-id openai-community/gpt2
    """
    _list_prs(repo, repo_id, status, repo_type, as_json, token, store_opt)
