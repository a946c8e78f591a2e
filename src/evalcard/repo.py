"""What a repo holds now: its card (front matter + body), the results in its ``model-index`` and in its
``.eval_results/*.yaml`` files, and every problem found reading them. Read through any :class:`Store`."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from .benchmarks import Registry, load_registry
from .card.frontmatter import Card, load_yaml_strict, parse_card
from .errors import CardParseError
from .formats.eval_results import FOLDER, read_eval_results_rows
from .formats.model_index import read_model_index_rows
from .formats.problems import Problem, Row
from .results import EvalResult
from .store.base import RepoRef, Store


@dataclass
class RepoState:
    repo: RepoRef
    head: str
    revision: str | None
    readme: bytes | None
    card: Card | None
    #: results from the README's model-index, in order
    model_index: list[EvalResult] = field(default_factory=list)
    #: results per ``.eval_results/*.yaml`` file
    eval_files: dict[str, list[EvalResult]] = field(default_factory=dict)
    #: raw bytes of each ``.eval_results`` file
    eval_raw: dict[str, bytes] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: every result the card and files hold, in order, usable or not, with its problems (what ``show`` lists)
    rows: list[Row] = field(default_factory=list)
    #: why the README could not be read, when it could not (only with ``strict_card=False``)
    card_error: CardParseError | None = None

    @property
    def results(self) -> list[EvalResult]:
        out = list(self.model_index)
        for rs in self.eval_files.values():
            out.extend(rs)
        return out

    @property
    def model_name(self) -> str | None:
        """The name results are filed under: the first ``model-index`` entry's name, else the repo id."""
        for r in self.model_index:
            if r.model_name:
                return r.model_name
        return self.repo.repo_id


def parse_eval_file(path: str, data: bytes, registry: Registry | None = None) -> tuple[list[EvalResult], list[Problem]]:
    rows, problems = parse_eval_file_rows(path, data, registry)
    return [row.result for row in rows if row.usable], problems


def parse_eval_file_rows(path: str, data: bytes, registry: Registry | None = None) -> tuple[list[Row], list[Problem]]:
    try:
        parsed = load_yaml_strict(data.decode("utf-8"), path=path)
    except UnicodeDecodeError:
        return [], [Problem(path, "not UTF-8 text")]
    except CardParseError as e:
        return [], [Problem(path, e.message.split(": ", 1)[-1])]
    rows, problems = read_eval_results_rows(parsed, path=path, registry=registry)
    for row in rows:
        row.result.provenance.setdefault("file", path)
    return rows, problems


def load_repo(store: Store, repo: RepoRef, revision: str | None = None, *, registry: Registry | None = None, strict_card: bool = True) -> RepoState:
    """Read a repo's card and results. A malformed card raises :class:`CardParseError` when ``strict_card``
    (writers need that); otherwise it becomes a problem and reading goes on."""
    reg = registry or load_registry()
    head = store.head(repo, revision)
    readme = store.read_file(repo, "README.md", head if revision else None)
    state = RepoState(repo=repo, head=head, revision=revision, readme=readme, card=None)
    if readme is not None:
        try:
            state.card = parse_card(readme, path=str(getattr(store, "readme", f"{repo}/README.md")))
        except CardParseError as e:
            if strict_card:
                raise
            state.card_error = e
            state.problems.append(Problem("README.md", e.message))
        if state.card is not None:
            mi = state.card.data.get("model-index")
            rows, probs = read_model_index_rows(mi)
            state.rows.extend(rows)
            state.model_index = [row.result for row in rows if row.usable]
            state.problems.extend(probs)
            default = repo.repo_id
            for row in rows:
                row.result.model_id = row.result.model_id or default
    if repo.repo_type == "model":
        for path in store.list_files(repo, head if revision else None):
            if path.startswith(FOLDER + "/") and path.endswith((".yaml", ".yml")):
                data = store.read_file(repo, path, head if revision else None) or b""
                state.eval_raw[path] = data
                rows, probs = parse_eval_file_rows(path, data, reg)
                for row in rows:
                    row.result.model_id = repo.repo_id
                state.rows.extend(rows)
                state.eval_files[path] = [row.result for row in rows if row.usable]
                state.problems.extend(probs)
    return state


def dump_yaml(data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=10**9)


def affects_scores(path: str) -> bool:
    """Whether a changed file can change a model's scores (its card and result files cannot)."""
    return path != "README.md" and not path.startswith(FOLDER + "/")


def same_weights(store: Store, repo: RepoRef, a: str, b: str) -> bool:
    """Whether two revisions of a model differ only in files that cannot change its scores."""
    if a == b:
        return True
    try:
        changed = store.changed_files(repo, a, b)
    except Exception:  # unknown revisions: cannot tell, so not the same
        return False
    return changed is not None and not any(affects_scores(p) for p in changed)


def staleness(store: Store, state: RepoState) -> list[bool | None]:
    """For each of ``state.results``: True when it was measured on a model revision whose weights or config have
    changed since (re-run it), False when they have not, None when unknown (no revision recorded, or the store
    cannot compare revisions)."""
    verdict: dict[str, bool | None] = {}
    out: list[bool | None] = []
    for r in state.results:
        rev = r.model_revision
        if not rev:
            out.append(None)
            continue
        if rev not in verdict:
            try:
                changed = store.changed_files(state.repo, rev, state.head)
            except Exception:  # an unknown or garbage-collected revision: cannot tell
                changed = None
            verdict[rev] = None if changed is None else any(affects_scores(p) for p in changed)
        out.append(verdict[rev])
    return out
