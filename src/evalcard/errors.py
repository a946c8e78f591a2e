"""The evalcard error tree.

Every error a user can cause derives from :class:`EvalcardError`. Each carries a one-line message and a
``hint`` naming what to do next; the CLI prints both and exits with ``exit_code`` (no traceback unless
``EVALCARD_DEBUG=1``).
"""

from __future__ import annotations


class EvalcardError(Exception):
    """Base class: a problem the user can fix. ``hint`` says how."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class UsageError(EvalcardError):
    """The command was called wrongly (bad option combination, unknown path...)."""

    exit_code = 2


class CardParseError(EvalcardError):
    """A model or dataset card's front matter cannot be read."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None, hint: str | None = None):
        where = path or "<card>"
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(f"{where}: {message}", hint=hint or "Fix the YAML front matter between the two '---' lines and retry.")
        self.path = path
        self.line = line


class InputLimitError(CardParseError):
    """A card, results file or log is past a limit evalcard keeps to stay fast and small on hostile input: YAML
    aliases, values once aliases are expanded, nesting depth, size."""

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None, hint: str | None = None):
        super().__init__(
            message,
            path=path,
            line=line,
            hint=hint or "evalcard refuses such input instead of running out of time or memory; write the values out plainly "
            "(no YAML aliases, less nesting) and retry.",
        )


class CardLayoutError(CardParseError):
    """A card whose front matter evalcard cannot edit without rewriting bytes it was not asked to change."""


class ValidationError(EvalcardError):
    """Results that would be written fail validation. ``problems`` lists every one with its YAML path."""

    def __init__(self, problems: list[str], *, hint: str | None = None):
        first = problems[0] if problems else "invalid results"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"refusing to write invalid results: {first}{more}", hint=hint or "Run `evalcard validate` to see every problem.")
        self.problems = problems


class StoreError(EvalcardError):
    """A repository cannot be read or written (missing repo, missing file, conflict)."""


class RepoNotFoundError(StoreError):
    pass


class AuthError(StoreError):
    """No token, a rejected token, or a token without the access a command needs."""


class PublishConflictError(StoreError):
    """The card changed between reading it and writing it back."""


class SourceError(EvalcardError):
    """A results source (README tables, framework log, API) cannot be read."""


class RunError(EvalcardError):
    """An evaluation run could not be done (the model cannot be loaded, the inputs do not fit the task)."""


class MissingDependencyError(EvalcardError):
    """An optional feature needs an extra that is not installed."""

    def __init__(self, feature: str, extra: str):
        super().__init__(
            f"{feature} needs optional dependencies that are not installed",
            hint=f"Install them with: pip install 'evalcard[{extra}]'",
        )
