"""The ``evalcard`` command. The only place that prints errors and chooses exit codes:
0 ok, 1 problems found (or an error the user can fix), 2 usage error."""

from __future__ import annotations

import importlib
import os
import sys

import click

from .. import __version__
from ..errors import EvalcardError

#: modules under evalcard.cli that define click commands (names ending in ``_command``) or groups (``_group``)
COMMAND_MODULES = ("results_cmds", "store_cmds", "demo", "tables", "importers", "prs", "spec_cmds", "run_cmds")

HELP = """Trustworthy evaluation results in Hugging Face model cards.

\b
Examples:
  evalcard show openai-community/gpt2              # results in a model card on the Hub
  evalcard show ./README.md --json                 # ... or in a README on disk
  evalcard validate ./README.md                    # every problem, with its YAML path
  evalcard inspect-tables my-org/my-model          # the README's tables, numbered
  evalcard extract my-org/my-model --create-pr     # its scores from those tables -> a PR
  evalcard import-log results_*.json my-org/my-model   # lm-eval / lighteval / inspect-ai logs
  evalcard run --dataset stanfordnlp/imdb --model my-org/my-model   # evaluate, then preview the card
  evalcard prs my-org/my-model                     # open PRs (evalcard never opens a duplicate)
  evalcard demo                                    # the whole story on a local store, offline

Repos are read from the Hub unless --store (or EVALCARD_STORE) names a local store folder.
Anything that writes shows a preview first; --apply commits, --create-pr opens a pull request.
"""


class _Group(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except EvalcardError as e:
            if os.environ.get("EVALCARD_DEBUG") == "1":
                raise
            click.echo(f"Error: {_scrub(e.message)}", err=True)
            if e.hint:
                click.echo(f"  {_scrub(e.hint)}", err=True)
            ctx.exit(e.exit_code)


def _scrub(text: str) -> str:
    """Remove any token value from a message before it is printed."""
    from ..store.tokens import scrub

    return scrub(text)


@click.group(cls=_Group, help=HELP, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 110})
@click.version_option(__version__, "--version", "-V", prog_name="evalcard")
def cli() -> None:
    pass


def _register() -> None:
    for name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(f"{__package__}.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"{__package__}.{name}":
                continue  # a command module not built yet
            raise
        for attr, obj in vars(mod).items():
            if isinstance(obj, click.Command) and (attr.endswith("_command") or attr.endswith("_group")):
                cli.add_command(obj)


_register()


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="evalcard")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
