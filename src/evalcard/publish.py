"""Plan and apply a change of a repo's results: preview (a diff) by default, then a commit or a pull request.

``plan_update`` reads the repo at its current revision, merges the new results into what is there (see
:func:`evalcard.results.merge`), builds the new file bytes (only the ``model-index`` block of the README changes,
or the ``.eval_results`` files concerned), validates them strictly, and looks for open pull requests that already
propose the same results. ``apply_plan`` commits with ``parent_commit`` set to the revision the plan was built on,
so a concurrent edit is detected rather than overwritten.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from .benchmarks import Registry, load_registry
from .card.frontmatter import parse_card
from .errors import StoreError, UsageError, ValidationError
from .formats.eval_results import dropped_fields, file_name_for, read_eval_results, task_id_for, to_eval_results
from .formats.model_index import read_model_index, to_model_index
from .formats.problems import errors
from .repo import RepoState, dump_yaml, load_repo, parse_eval_file, same_weights
from .results import EvalResult, MergeResult, _norm, merge
from .store.base import CommitResult, PullRequest, RepoRef, Store, write_lock

FORMATS = ("model-index", "eval-results")


@dataclass
class FileChange:
    path: str
    old: bytes | None
    new: bytes
    merge: MergeResult

    def diff(self) -> str:
        old = (self.old or b"").decode("utf-8", errors="replace").splitlines(keepends=True)
        new = self.new.decode("utf-8", errors="replace").splitlines(keepends=True)
        return "".join(difflib.unified_diff(old, new, fromfile=f"a/{self.path}", tofile=f"b/{self.path}"))


@dataclass
class Plan:
    repo: RepoRef
    base: str
    fmt: str
    changes: list[FileChange] = field(default_factory=list)
    #: merges that changed nothing (all duplicates), kept for the report
    unchanged: list[MergeResult] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    #: open pull requests that already propose every change of this plan
    duplicate_prs: list[PullRequest] = field(default_factory=list)
    #: open pull requests that could not be read to tell (only with ``force``; without it planning stops), with why
    unchecked_prs: list[tuple[PullRequest, str]] = field(default_factory=list)
    #: the registry the plan was built with (``apply_plan`` looks for duplicate PRs again with it)
    registry: Registry | None = field(default=None, repr=False, compare=False)

    @property
    def changed(self) -> bool:
        return bool(self.changes)

    @property
    def files(self) -> dict[str, bytes]:
        return {c.path: c.new for c in self.changes}

    def diff(self) -> str:
        return "".join(c.diff() for c in self.changes)

    def merges(self) -> list[MergeResult]:
        return [c.merge for c in self.changes] + self.unchanged

    def summary_lines(self) -> list[str]:
        """The change lines of every file, then each notice once (a merge's notices are the plan's notices too)."""
        lines = []
        for m in self.merges():
            lines.extend(m.change_lines())
        notices = dict.fromkeys([*self.notices, *(n for m in self.merges() for n in m.notices)])
        return lines + [f"note: {n}" for n in notices]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for m in self.merges():
            for k, v in m.counts().items():
                out[k] = out.get(k, 0) + v
        return out

    def description(self) -> str:
        """A PR / commit description: every result added or changed, with its source."""
        lines = ["This change was prepared with [evalcard](https://pypi.org/project/evalcard/).", ""]
        for c in self.changes:
            for ch in c.merge.changes:
                if ch.action not in ("add", "update"):
                    continue
                r = ch.new
                assert r is not None
                src = r.source_name or r.source_kind or "unknown source"
                if r.source_url:
                    src = f"[{src}]({r.source_url})"
                verb = "added" if ch.action == "add" else f"changed from {ch.old.value}"  # type: ignore[union-attr]
                lines.append(f"- {r.label()}: {r.value} ({verb}; source: {src}) in `{c.path}`")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "repo": str(self.repo),
            "base": self.base,
            "format": self.fmt,
            "changed": self.changed,
            "files": [c.path for c in self.changes],
            "counts": self.counts(),
            "summary": self.summary_lines(),
            "duplicate_prs": [p.to_dict() for p in self.duplicate_prs],
            "unchecked_prs": [dict(p.to_dict(), reason=why) for p, why in self.unchecked_prs],
            "diff": self.diff(),
        }


def complete(results: list[EvalResult], state: RepoState, registry: Registry) -> list[EvalResult]:
    """Fill what the target repo implies and the registry knows: model name and id, task type, dataset name."""
    out = []
    for r in results:
        bench = registry.benchmark_for_dataset(r.dataset_id, r.task_id) or registry.benchmark(r.dataset_name)
        out.append(
            r.replace(
                model_name=r.model_name or state.model_name,
                model_id=r.model_id or state.repo.repo_id,
                task_type=r.task_type or (bench.task_type if bench else None) or "text-generation",
                dataset_name=r.dataset_name or (bench.name if bench else None) or r.dataset_id,
            )
        )
    return out


def converted(results: list[EvalResult]) -> tuple[list[EvalResult], list[str]]:
    """Results ready to be written in the *other* format: a ``verifyToken`` signs the entry it was issued for, so it
    does not travel with a conversion (the converted copy is self-reported)."""
    out, notes = [], []
    for r in results:
        if r.verify_token or r.verified:
            notes.append(f"{r.label()}: verifyToken not copied (it signs the original entry only)")
            r = r.replace(verify_token=None, verified=None)
        out.append(r)
    return out, notes


def _keep_revision_when_weights_unchanged(store: Store, state: RepoState, new: list[EvalResult]) -> list[EvalResult]:
    """A result measured again on a revision whose weights equal those of the card's result (only the card changed
    in between, e.g. by publishing that very result) keeps the card's revision: nothing changed, nothing to write."""
    have = {}
    for r in state.results:
        if r.model_revision:
            have.setdefault(r.identity(), r.model_revision)
    out = []
    for r in new:
        old_rev = have.get(r.identity())
        if r.model_revision and old_rev and old_rev != r.model_revision and same_weights(store, state.repo, old_rev, r.model_revision):
            r = r.replace(model_revision=old_rev)
        out.append(r)
    return out


def plan_update(
    store: Store,
    repo: RepoRef,
    new_results: list[EvalResult],
    *,
    fmt: str = "model-index",
    registry: Registry | None = None,
    check_prs: bool = True,
    force: bool = False,
) -> Plan:
    """The change that merging ``new_results`` into ``repo`` makes (nothing is written).

    With ``check_prs``, open pull requests that already propose every change are found (``Plan.duplicate_prs``); a
    PR that cannot be read stops planning with a :class:`~evalcard.errors.StoreError` naming it, unless ``force``
    (then it is listed in ``Plan.unchecked_prs``)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}", hint=f"Use one of: {', '.join(FORMATS)}.")
    reg = registry or load_registry()
    state = load_repo(store, repo, registry=reg)
    new = _keep_revision_when_weights_unchanged(store, state, complete(new_results, state, reg))
    plan = Plan(repo=repo, base=state.head, fmt=fmt, registry=reg)
    if fmt == "model-index":
        _plan_model_index(plan, state, new)
    else:
        _plan_eval_results(plan, state, new, reg)
    if check_prs and plan.changed:
        plan.duplicate_prs, plan.unchecked_prs = check_open_prs(store, repo, plan, reg)
        if plan.unchecked_prs and not force:
            raise unchecked_error(repo, plan.unchecked_prs)
    return plan


def _keep_provenance(projected: EvalResult, original: EvalResult, state: RepoState) -> EvalResult:
    return projected.replace(
        model_id=state.repo.repo_id,
        source_kind=original.source_kind,
        provenance=original.provenance,
        scale=original.scale,
        higher_is_better=original.higher_is_better,
        model_revision=original.model_revision,
    )


def _project_model_index(r: EvalResult, state: RepoState) -> EvalResult:
    """The result as ``model-index`` can hold it (so comparing with the card's results compares like with like),
    keeping evalcard's own provenance for reports."""
    projected, problems = read_model_index(to_model_index([r], default_name=state.model_name))
    return _keep_provenance(_one(projected, problems, r), r, state)


def _project_eval_results(r: EvalResult, state: RepoState, reg: Registry) -> EvalResult:
    projected, problems = read_eval_results(to_eval_results([r], registry=reg), registry=reg)
    # .eval_results has no field for the model revision (a notice says so): kept, the same score published again
    # would differ from the file's copy by it alone and be planned as "measured again" over identical bytes
    return _keep_provenance(_one(projected, problems, r), r, state).replace(model_revision=None)


def _one(projected: list[EvalResult], problems: list, original: EvalResult) -> EvalResult:
    if len(projected) != 1:
        raise ValidationError([f"{original.label()} = {original.value!r}: {p.message}" for p in errors(problems)] or [f"{original.label()}: cannot be written"])
    return projected[0]


def _plan_model_index(plan: Plan, state: RepoState, new: list[EvalResult]) -> None:
    new = [_project_model_index(r, state) for r in new]
    m = merge(state.model_index, new)
    if not m.changed:
        plan.unchanged.append(m)
        return
    mi_errors = [p for p in errors(state.problems) if p.path.startswith("model-index")]
    if mi_errors:
        raise ValidationError(
            [f"README.md {p}" for p in mi_errors],
            hint="The card's existing model-index has problems that a rewrite would lose; fix them first (see `evalcard validate`).",
        )
    block = to_model_index(m.results, default_name=state.model_name)
    _, problems = read_model_index(block)
    if errors(problems):
        raise ValidationError([str(p) for p in errors(problems)])
    card = state.card or parse_card(b"", path=f"{state.repo}/README.md")
    new_card = card.with_key("model-index", block)
    plan.changes.append(FileChange("README.md", state.readme, new_card.render(), m))
    plan.notices.extend(m.notices)


def _plan_eval_results(plan: Plan, state: RepoState, new: list[EvalResult], reg: Registry) -> None:
    groups: dict[str, list[EvalResult]] = {}
    chosen: dict[tuple, EvalResult] = {}
    for r in new:
        # .eval_results holds one score per (benchmark, task, settings): keep the benchmark's own metric
        key = (r.dataset_id, task_id_for(r, reg), r.n_shot, r.notes, r.source_name)
        prev = chosen.get(key)
        if prev is not None:
            bench = reg.benchmark_for_dataset(r.dataset_id, r.task_id)
            primary = reg.metric(bench.metric) if bench and bench.metric else None
            better = primary is not None and reg.metric(r.metric_type) == primary and reg.metric(prev.metric_type) != primary
            keep, drop = (r, prev) if better else (prev, r)
            plan.notices.append(
                f"{drop.label()} = {drop.value} not written: .eval_results holds one score per benchmark task (kept {keep.metric_type}{f' [{keep.metric_config}]' if keep.metric_config else ''})"
            )
            if not better:
                continue
            groups[file_name_for(prev, reg)].remove(prev)
        chosen[key] = r
        groups.setdefault(file_name_for(r, reg), []).append(r)
        lost = dropped_fields(r)
        if lost:
            plan.notices.append(f"{r.label()}: .eval_results has no field for {', '.join(lost)} (not written)")
    for path, rs in groups.items():
        if not rs:
            continue
        rs = [_project_eval_results(r, state, reg) for r in rs]
        existing = state.eval_files.get(path, [])
        m = merge(existing, rs)
        if not m.changed:
            plan.unchanged.append(m)
            continue
        # entries of the file that do not read are not in ``existing``: a rewrite would drop them
        file_errors = [p for p in errors(state.problems) if p.path == path or p.path.startswith(f"{path}[")]
        if file_errors:
            raise ValidationError(
                [str(p) for p in file_errors],
                hint=f"{path} has problems that a rewrite would lose; fix them first (see `evalcard validate`).",
            )
        data = to_eval_results(m.results, registry=reg)
        content = dump_yaml(data).encode("utf-8")
        _, problems = parse_eval_file(path, content, reg)
        if errors(problems):
            raise ValidationError([str(p) for p in errors(problems)])
        plan.changes.append(FileChange(path, state.eval_raw.get(path), content, m))
        plan.notices.extend(m.notices)


def _proposal_key(r: EvalResult) -> tuple:
    """What a PR proposes, by content: dataset, task, metric, settings and value (not the file it is in, nor the model
    name, which a PR in the other format may spell differently, nor the source)."""
    return (
        _norm(r.task_type), _norm(r.task_id), _norm(r.dataset_id), _norm(r.dataset_config), _norm(r.dataset_split),
        _norm(r.metric_type), _norm(r.metric_config), r.n_shot, _norm(r.notes), r.content_key()[1],
    )


def _unreadable_files(state: RepoState) -> list[str]:
    """Files of a repo state that could not be read at all (so the results they hold are unknown)."""
    whole = {"README.md", "model-index", *state.eval_raw}
    return sorted({p.path for p in errors(state.problems) if p.path in whole})


def check_open_prs(store: Store, repo: RepoRef, plan: Plan, registry: Registry) -> tuple[list[PullRequest], list[tuple[PullRequest, str]]]:
    """``(duplicates, unreadable)``: open PRs whose files already hold *every* result this plan adds or changes, and
    open PRs that could not be read to tell (a network or auth error, a card or results file that does not parse),
    each with the reason. An unreadable PR is never taken for "not a duplicate"."""
    wanted = {_proposal_key(ch.new) for c in plan.changes for ch in c.merge.changes if ch.action in ("add", "update") and ch.new}
    if not wanted:
        return [], []
    dups: list[PullRequest] = []
    unreadable: list[tuple[PullRequest, str]] = []
    for pr in store.list_prs(repo, "open"):
        try:
            state = load_repo(store, repo, pr.ref, registry=registry, strict_card=False)
        except Exception as e:  # noqa: BLE001 - whatever it is, this PR could not be checked
            unreadable.append((pr, _why(e)))
            continue
        have = {_proposal_key(r) for r in state.results}
        if wanted <= have:
            dups.append(pr)
            continue
        bad = _unreadable_files(state)
        if bad:
            unreadable.append((pr, f"{', '.join(bad)} does not parse"))
    return dups, unreadable


def _why(e: BaseException) -> str:
    from .errors import EvalcardError
    from .store.tokens import scrub

    text = e.message if isinstance(e, EvalcardError) else f"{type(e).__name__}: {e}"
    return scrub(text.strip().splitlines()[0] if text.strip() else type(e).__name__)


def unchecked_error(repo: RepoRef, unchecked: list[tuple[PullRequest, str]]) -> StoreError:
    nums = ", ".join(f"#{p.num}" for p, _ in unchecked)
    reasons = "; ".join(f"#{p.num}: {why}" for p, why in unchecked)
    return StoreError(
        f"could not check whether open pull request {nums} of {repo} already proposes these results ({reasons})",
        hint=f"Retry when the pull request can be read (`evalcard prs {repo}` lists them), or pass --force to open one anyway.",
    )


def find_duplicate_prs(store: Store, repo: RepoRef, plan: Plan, registry: Registry, *, force: bool = False) -> list[PullRequest]:
    """Open PRs whose files already hold every result this plan adds or changes. A PR that cannot be read raises
    :class:`~evalcard.errors.StoreError` naming it, unless ``force`` (then it is skipped)."""
    dups, unreadable = check_open_prs(store, repo, plan, registry)
    if unreadable and not force:
        raise unchecked_error(repo, unreadable)
    return dups


def apply_plan(store: Store, plan: Plan, *, create_pr: bool, title: str | None = None, force: bool = False) -> CommitResult:
    """Write a plan: a commit on main, or a PR. An open PR with the same content stops a new PR unless ``force``."""
    if not plan.changed:
        return CommitResult(oid=plan.base, changed=False)
    n = sum(1 for c in plan.changes for ch in c.merge.changes if ch.action in ("add", "update"))
    title = title or f"Add evaluation results ({n} score{'s' if n != 1 else ''}) with evalcard"
    if create_pr:
        # The plan looked for duplicates before holding any lock; where the store has a writer lock, look again under
        # it, so two writers racing with the same change open one PR (the second finds the first's).
        with write_lock(store, plan.repo) as locked:
            dups = find_duplicate_prs(store, plan.repo, plan, plan.registry or load_registry()) if locked and not force else plan.duplicate_prs
            if dups and not force:
                nums = ", ".join(f"#{p.num}" for p in dups)
                return CommitResult(oid=None, changed=False, extra={"duplicate_of": [p.to_dict() for p in dups], "message": f"open pull request {nums} already proposes these results"})
            return store.open_pr(plan.repo, plan.files, title=title, description=plan.description(), parent_commit=plan.base)
    return store.commit(plan.repo, plan.files, message=title, description=plan.description(), parent_commit=plan.base)
