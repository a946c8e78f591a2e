"""The local store under concurrency and ``kill -9``: evalcard processes racing on one repo, writers killed at every
git step, and what the next command finds.

Processes run the real ``evalcard`` command. A ``git`` wrapper placed first on PATH (see :func:`git_wrapper`) logs
every git call and, when told, holds a process at a given call (signalling the test) or lines processes up (a
barrier) so that they race; nothing of evalcard is replaced.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from evalcard.errors import PublishConflictError, StoreError
from evalcard.store.base import RepoRef
from evalcard.store.local import LocalStore

REPO = RepoRef("org/m")
README = b"---\nlicense: mit\n---\n# m\n\nA model.\n"
EVALCARD = str(Path(sys.executable).with_name("evalcard"))
REAL_GIT = shutil.which("git")

WRAPPER = r"""#!/bin/bash
# A git that logs its calls ($EC_LOG), lines processes up at their call number $EC_BARRIER_AT (default 1; in
# folder $EC_BARRIER, $EC_BARRIER_N processes) and holds one at call
# number $EC_PAUSE_AT ($EC_WHEN: before the call, holding the lock file git would hold; or after it), touching
# $EC_SIGNAL so the test knows where it stands. $EC_HOOK_SUB / $EC_HOOK_CMD: a command run before that subcommand.
REAL=@REAL@
if [ -n "$EC_BARRIER" ]; then
  echo >> "$EC_BARRIER/calls.$PPID"
  if [ "$(wc -l < "$EC_BARRIER/calls.$PPID")" = "${EC_BARRIER_AT:-1}" ]; then
    touch "$EC_BARRIER/ready.$PPID"
    for _ in $(seq 1 1000); do
      [ "$(ls "$EC_BARRIER" | grep -c '^ready[.]')" -ge "$EC_BARRIER_N" ] && break
      sleep 0.01
    done
  fi
fi
if [ -n "$EC_HOOK_SUB" ] && [ "$1 $2" = "$EC_HOOK_SUB" ]; then
  (unset EC_HOOK_SUB; eval "$EC_HOOK_CMD") >/dev/null 2>&1
fi
if [ -n "$EC_LOG" ]; then
  echo "$*" >> "$EC_LOG"
  n=$(wc -l < "$EC_LOG")
  if [ "$n" = "$EC_PAUSE_AT" ]; then
    if [ "$EC_WHEN" = after ]; then
      "$REAL" "$@"
    elif [ -z "$GIT_INDEX_FILE" ]; then
      case "$1" in
        update-ref) mkdir -p "$(dirname ".git/$2")"; touch ".git/$2.lock" ;;
        update-index) touch .git/index.lock ;;
      esac
    fi
    touch "$EC_SIGNAL"
    exec sleep 300
  fi
fi
exec "$REAL" "$@"
"""


@pytest.fixture
def bin_dir(tmp_path) -> Path:
    d = tmp_path / "bin"
    d.mkdir()
    (d / "git").write_text(WRAPPER.replace("@REAL@", REAL_GIT))
    (d / "git").chmod(0o755)
    return d


def env_with(bin_dir: Path, **kw) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EC_") and k != "EVALCARD_STORE"}
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    env["USER"] = "ec-tester"  # a PR's author, as the writer records it (a PR rebuilt from its commit says "evalcard")
    env.update({k: str(v) for k, v in kw.items()})
    return env


def lm_eval_log(path: Path, value: float) -> Path:
    path.write_text(json.dumps({
        "results": {"arc_challenge": {"alias": "arc_challenge", "acc_norm,none": value, "acc_norm_stderr,none": 0.0145}},
        "n-shot": {"arc_challenge": 25},
        "config": {"model": "hf", "model_args": "pretrained=org/m"},
        "lm_eval_version": "0.4.5",
    }), encoding="utf-8")
    return path


def new_store(where: Path) -> LocalStore:
    st = LocalStore(where)
    st.create_repo(REPO, {"README.md": README})
    return st


def git(st: LocalStore, *args: str) -> str:
    return subprocess.run([REAL_GIT, *args], cwd=st.path(REPO), capture_output=True, text=True, check=True).stdout


def publish_cmd(log: Path, st: LocalStore, how: str) -> list[str]:
    return [EVALCARD, "import-log", str(log), str(REPO), "--store", str(st.root), how]


def popen(cmd: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def run(cmd: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)


def race(cmds: list[list[str]], bin_dir: Path, tmp: Path, at: int = 1) -> list[tuple[int, str, str]]:
    """Start the commands together (they wait for each other at their git call number ``at``) and collect them."""
    barrier = tmp / f"barrier-{time.monotonic_ns()}"
    barrier.mkdir()
    env = env_with(bin_dir, EC_BARRIER=barrier, EC_BARRIER_N=len(cmds), EC_BARRIER_AT=at)
    procs = [popen(c, env) for c in cmds]
    out = []
    for p in procs:
        so, se = p.communicate(timeout=120)
        out.append((p.returncode, so, se))
    return out


def assert_consistent(st: LocalStore) -> None:
    """PR metadata and refs agree, the checkout follows main, nothing is left half-done."""
    gd = st.path(REPO) / ".git"
    refs = sorted(int(r.rsplit("/", 1)[1]) for r in git(st, "for-each-ref", "--format=%(refname)", "refs/pr/").split())
    meta = json.loads((gd / "evalcard-prs.json").read_text()) if (gd / "evalcard-prs.json").exists() else []
    nums = [m["num"] for m in meta]
    assert nums == sorted(set(nums)) == refs, (nums, refs)
    assert git(st, "status", "--porcelain") == ""
    assert (st.path(REPO) / "README.md").read_bytes() == st.read_file(REPO, "README.md")
    assert not (gd / "evalcard-txn").exists()
    left = [f for f in gd.rglob("*.lock") if f.name != "evalcard.lock"]  # git's lock files; evalcard.lock is flock'ed, it stays
    assert not left, left


# -- races -------------------------------------------------------------------------------------------------------
ROUNDS = 4


def test_same_change_at_once_opens_one_pr(tmp_path, bin_dir):
    log = lm_eval_log(tmp_path / "results.json", 0.552)
    for i in range(ROUNDS):
        st = new_store(tmp_path / f"s{i}")
        results = race([publish_cmd(log, st, "--create-pr")] * 2, bin_dir, tmp_path)
        assert [rc for rc, _, _ in results] == [0, 0], results
        outs = sorted(so for _, so, _ in results)
        assert sum("Opened pull request #1 " in o for o in outs) == 1, outs
        assert sum("open pull request #1 already proposes these results" in o for o in outs) == 1, outs
        for _, so, se in results:
            assert "Traceback" not in se and "git " not in se, se
        assert [p.num for p in st.list_prs(REPO, "all")] == [1]
        assert_consistent(st)


def test_different_changes_at_once_get_1_and_2(tmp_path, bin_dir):
    logs = [lm_eval_log(tmp_path / "a.json", 0.552), lm_eval_log(tmp_path / "b.json", 0.601)]
    for i in range(ROUNDS):
        st = new_store(tmp_path / f"s{i}")
        results = race([publish_cmd(log, st, "--create-pr") for log in logs], bin_dir, tmp_path)
        assert [rc for rc, _, _ in results] == [0, 0], results
        opened = {}
        for (_, so, _), value in zip(results, ("0.552", "0.601")):
            num = int(so.split("Opened pull request #")[1].split()[0])
            opened[num] = value
        assert sorted(opened) == [1, 2]
        for num, value in opened.items():  # each PR holds what the process that reported it proposed
            assert f"value: {value}" in st.read_file(REPO, "README.md", f"refs/pr/{num}").decode()
        assert [p.num for p in st.list_prs(REPO)] == [1, 2]
        assert_consistent(st)


def test_commit_race_loser_is_told_to_run_again(tmp_path, bin_dir):
    logs = [lm_eval_log(tmp_path / "a.json", 0.552), lm_eval_log(tmp_path / "b.json", 0.601)]
    # both have planned on the same main when they are let go: the last git call before the commit's own
    # (which reads main, then the checkout's status)
    calls = calls_of(lambda st: publish_cmd(logs[0], st, "--apply"), bin_dir, tmp_path)
    planned = next(i for i, c in enumerate(calls) if c.startswith("status ")) - 1
    for i in range(ROUNDS):
        st = new_store(tmp_path / f"s{i}")
        base = st.head(REPO)
        results = race([publish_cmd(log, st, "--apply") for log in logs], bin_dir, tmp_path, at=planned)
        rcs = [rc for rc, _, _ in results]
        assert sorted(rcs) == [0, 1], results
        winner = ("0.552", "0.601")[rcs.index(0)]
        _, _, se = results[rcs.index(1)]
        # under the lock the loser sees main moved; without it, update-ref's old value would stop it: a conflict too
        assert re.search(r"org/m changed (since it was read|while evalcard was writing)", se) and "Run the command again" in se, se
        assert "Traceback" not in se and "git " not in se and "fatal" not in se, se
        assert git(st, "rev-parse", "main^").strip() == base  # one commit, the winner's
        assert f"value: {winner}" in st.read_file(REPO, "README.md").decode()
        assert_consistent(st)


def test_main_moved_by_another_git_tool_mid_write_is_a_conflict(tmp_path, bin_dir):
    st = new_store(tmp_path / "s")
    log = lm_eval_log(tmp_path / "a.json", 0.552)
    hook = f"{REAL_GIT} commit -q --allow-empty -m foreign"
    r = run(publish_cmd(log, st, "--apply"), env_with(bin_dir, EC_HOOK_SUB="update-ref refs/heads/main", EC_HOOK_CMD=hook))
    assert r.returncode == 1, r
    assert "changed while evalcard was writing" in r.stderr and "Run the command again" in r.stderr, r.stderr
    assert "fatal" not in r.stderr and "update-ref" not in r.stderr
    assert git(st, "log", "-1", "--format=%s", "main").strip() == "foreign"  # not overwritten
    assert_consistent(st)
    r = run(publish_cmd(log, st, "--apply"), env_with(bin_dir))  # running it again works
    assert r.returncode == 0 and "value: 0.552" in (st.path(REPO) / "README.md").read_text()


def test_pr_number_taken_by_another_git_tool_mid_write_is_a_conflict(tmp_path, bin_dir):
    st = new_store(tmp_path / "s")
    log = lm_eval_log(tmp_path / "a.json", 0.552)
    hook = f"{REAL_GIT} update-ref refs/pr/1 main"
    r = run(publish_cmd(log, st, "--create-pr"), env_with(bin_dir, EC_HOOK_SUB="update-ref refs/pr/1", EC_HOOK_CMD=hook))
    assert r.returncode == 1 and "changed while evalcard was writing" in r.stderr and "fatal" not in r.stderr, r
    assert git(st, "rev-parse", "refs/pr/1") == git(st, "rev-parse", "main")  # the other tool's ref stands
    r = run(publish_cmd(log, st, "--create-pr"), env_with(bin_dir))
    assert r.returncode == 0 and "Opened pull request #2 " in r.stdout, r
    assert_consistent(st)


# -- kill -9 at every git step ---------------------------------------------------------------------------------------
def calls_of(cmd_for, bin_dir: Path, tmp: Path) -> list[str]:
    st = new_store(tmp / "count")
    log = tmp / "count.log"
    r = run(cmd_for(st), env_with(bin_dir, EC_LOG=log))
    assert r.returncode == 0, r
    return log.read_text().splitlines()


def kill_at(cmd: list[str], bin_dir: Path, tmp: Path, n: int, when: str) -> None:
    sig = tmp / f"sig-{n}-{when}"
    proc = popen(cmd, env_with(bin_dir, EC_LOG=tmp / f"log-{n}-{when}", EC_PAUSE_AT=n, EC_WHEN=when, EC_SIGNAL=sig))
    deadline = time.monotonic() + 60
    while not sig.exists():
        assert proc.poll() is None, ("the writer ended before git call", n, proc.communicate())
        assert time.monotonic() < deadline
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


def steps(calls: list[str]) -> list[tuple[int, str]]:
    """Every git call, held before it runs (with git's lock file held), and the last one after it ran."""
    return [(n, "before") for n in range(1, len(calls) + 1)] + [(len(calls), "after")]


def test_commit_killed_at_every_step_loses_nothing(tmp_path, bin_dir):
    log = lm_eval_log(tmp_path / "a.json", 0.552)
    calls = calls_of(lambda st: publish_cmd(log, st, "--apply"), bin_dir, tmp_path)
    moves = [i + 1 for i, c in enumerate(calls) if c.startswith("update-ref refs/heads/main ")]
    assert len(moves) == 1, calls
    for n, when in steps(calls):
        st = new_store(tmp_path / f"s-{n}-{when}")
        base = st.head(REPO)
        kill_at(publish_cmd(log, st, "--apply"), bin_dir, tmp_path, n, when)
        moved = n > moves[0] or (n == moves[0] and when == "after")
        # any next command settles it: a read
        r = run([EVALCARD, "show", str(REPO), "--store", str(st.root)], env_with(bin_dir))
        assert r.returncode == 0, (n, when, r)
        assert (st.head(REPO) != base) == moved, (n, when, calls[n - 1])
        published = "value: 0.552" in (st.path(REPO) / "README.md").read_text()
        assert published == moved, (n, when)
        assert_consistent(st)
        # and the next write works (and finds the result there when it was published)
        r = run(publish_cmd(log, st, "--apply"), env_with(bin_dir))
        assert r.returncode == 0, (n, when, r)
        assert ("nothing to change" in r.stdout) == moved, (n, when, r.stdout)
        assert "value: 0.552" in (st.path(REPO) / "README.md").read_text()
        assert git(st, "rev-parse", "main~1").strip() == base
        assert_consistent(st)


def test_pr_killed_at_every_step_loses_nothing(tmp_path, bin_dir):
    log = lm_eval_log(tmp_path / "a.json", 0.552)
    calls = calls_of(lambda st: publish_cmd(log, st, "--create-pr"), bin_dir, tmp_path)
    opens = [i + 1 for i, c in enumerate(calls) if c.startswith("update-ref refs/pr/1 ")]
    assert len(opens) == 1, calls
    for n, when in steps(calls):
        st = new_store(tmp_path / f"s-{n}-{when}")
        kill_at(publish_cmd(log, st, "--create-pr"), bin_dir, tmp_path, n, when)
        opened = n > opens[0] or (n == opens[0] and when == "after")
        prs = st.list_prs(REPO)
        assert [p.num for p in prs] == ([1] if opened else []), (n, when)
        if opened:  # the metadata is the writer's own, not a reconstruction
            assert prs[0].title == "Add evaluation results (1 score) with evalcard" and "ARC-Challenge" in prs[0].description
            assert prs[0].author == "ec-tester"
        assert_consistent(st)
        r = run(publish_cmd(log, st, "--create-pr"), env_with(bin_dir))
        assert r.returncode == 0, (n, when, r)
        expected = "open pull request #1 already proposes" if opened else "Opened pull request #1 "
        assert expected in r.stdout, (n, when, r.stdout)
        assert [p.num for p in st.list_prs(REPO)] == [1]
        assert st.read_file(REPO, "README.md") == README  # main untouched
        assert_consistent(st)


def test_user_edit_after_a_killed_commit_is_kept(tmp_path, bin_dir):
    """Killed after main moved, then the user edits README before anything runs: main keeps the result, the edit
    stays in the checkout, and the next write refuses rather than overwriting it."""
    log = lm_eval_log(tmp_path / "a.json", 0.552)
    calls = calls_of(lambda st: publish_cmd(log, st, "--apply"), bin_dir, tmp_path)
    n = next(i + 1 for i, c in enumerate(calls) if c.startswith("update-ref refs/heads/main "))
    st = new_store(tmp_path / "s")
    kill_at(publish_cmd(log, st, "--apply"), bin_dir, tmp_path, n, "after")
    mine = README + b"\nMy own notes.\n"
    (st.path(REPO) / "README.md").write_bytes(mine)
    r = run([EVALCARD, "show", str(REPO), "--store", str(st.root)], env_with(bin_dir))
    assert r.returncode == 0 and "0.552" in r.stdout, r
    assert (st.path(REPO) / "README.md").read_bytes() == mine
    assert "value: 0.552" in st.read_file(REPO, "README.md").decode()
    r = run(publish_cmd(lm_eval_log(tmp_path / "b.json", 0.601), st, "--apply"), env_with(bin_dir))
    assert r.returncode == 1 and "uncommitted edits (README.md)" in r.stderr, r
    assert (st.path(REPO) / "README.md").read_bytes() == mine
    assert "value: 0.552" in st.read_file(REPO, "README.md").decode()


# -- the checkout -------------------------------------------------------------------------------------------------
def test_checkout_left_at_an_older_main_is_brought_up_not_called_an_edit(tmp_path, bin_dir):
    """A checkout an interrupted write left behind (main moved by git, files not: what an older evalcard killed
    between the two left) is no edit: the next write brings it to main and keeps main's content."""
    st = new_store(tmp_path / "s")
    log = lm_eval_log(tmp_path / "a.json", 0.552)
    blob = subprocess.run([REAL_GIT, "hash-object", "-w", "--stdin"], cwd=st.path(REPO), input=README + b"published\n", capture_output=True, check=True).stdout
    env = {**os.environ, "GIT_INDEX_FILE": str(tmp_path / "idx")}
    subprocess.run([REAL_GIT, "read-tree", "main"], cwd=st.path(REPO), env=env, check=True)
    subprocess.run([REAL_GIT, "update-index", "--cacheinfo", f"100644,{blob.decode().strip()},README.md"], cwd=st.path(REPO), env=env, check=True)
    tree = subprocess.run([REAL_GIT, "write-tree"], cwd=st.path(REPO), env=env, capture_output=True, text=True, check=True).stdout.strip()
    new = subprocess.run([REAL_GIT, "commit-tree", tree, "-p", "main", "-m", "published"], cwd=st.path(REPO), capture_output=True, text=True, check=True).stdout.strip()
    git(st, "update-ref", "refs/heads/main", new)
    assert git(st, "status", "--porcelain").strip()  # looks like an edit to git
    r = run(publish_cmd(log, st, "--apply"), env_with(bin_dir))
    assert r.returncode == 0, r
    text = (st.path(REPO) / "README.md").read_text()
    assert "published" in text and "value: 0.552" in text  # the earlier commit is kept, not reverted
    assert git(st, "rev-parse", "main~1").strip() == new
    assert_consistent(st)


def test_real_edits_are_refused_and_kept(tmp_path, bin_dir):
    st = new_store(tmp_path / "s")
    base = st.head(REPO)
    mine = README + b"\nhand edit\n"
    (st.path(REPO) / "README.md").write_bytes(mine)
    r = run(publish_cmd(lm_eval_log(tmp_path / "a.json", 0.552), st, "--apply"), env_with(bin_dir))
    assert r.returncode == 1 and "uncommitted edits (README.md)" in r.stderr and "Traceback" not in r.stderr, r
    assert (st.path(REPO) / "README.md").read_bytes() == mine and st.head(REPO) == base


def test_a_git_command_holding_the_index_stops_a_write_before_main_moves(tmp_path):
    st = new_store(tmp_path / "s")
    base = st.head(REPO)
    (st.path(REPO) / ".git" / "index.lock").write_bytes(b"")  # a git command is running there, or died
    with pytest.raises(StoreError, match="in use by another git command"):
        st.commit(REPO, {"README.md": b"new\n"}, message="x")
    assert st.head(REPO) == base and not (st.path(REPO) / ".git" / "evalcard-txn").exists()
    (st.path(REPO) / ".git" / "index.lock").unlink()
    st.commit(REPO, {"README.md": b"new\n"}, message="x")
    assert_consistent(st)


def test_untracked_file_where_a_write_goes_is_kept(tmp_path):
    st = new_store(tmp_path / "s")
    (st.path(REPO) / "notes.txt").write_bytes(b"scratch\n")  # untracked elsewhere: no obstacle
    st.commit(REPO, {"a.txt": b"a\n"}, message="a")
    (st.path(REPO) / ".eval_results").mkdir()
    (st.path(REPO) / ".eval_results" / "x.yaml").write_bytes(b"mine\n")
    with pytest.raises(StoreError, match=r"uncommitted edits \(.eval_results/x.yaml\)"):
        st.commit(REPO, {".eval_results/x.yaml": b"evalcard\n"}, message="x")
    assert (st.path(REPO) / ".eval_results" / "x.yaml").read_bytes() == b"mine\n"
    assert (st.path(REPO) / "notes.txt").read_bytes() == b"scratch\n"


# -- PR metadata follows the refs -------------------------------------------------------------------------------------
def test_pr_metadata_is_repaired_from_refs(tmp_path):
    st = new_store(tmp_path / "s")
    st.open_pr(REPO, {"README.md": b"one\n"}, title="One", description="first")
    st.open_pr(REPO, {"README.md": b"two\n"}, title="Two", description="second\n\nmore")
    meta = st.path(REPO) / ".git" / "evalcard-prs.json"
    recs = json.loads(meta.read_text())
    # a ref without metadata (killed between the two), metadata without a ref (ref removed by hand)
    meta.write_text(json.dumps([recs[0] | {"num": 7}]))
    git(st, "update-ref", "refs/pr/3", "refs/pr/1")
    prs = st.list_prs(REPO)
    assert [(p.num, p.title, p.description) for p in prs] == [(1, "One", "first"), (2, "Two", "second\n\nmore"), (3, "One", "first")]
    assert [r["num"] for r in json.loads(meta.read_text())] == [1, 2, 3]  # written back
    assert st.open_pr(REPO, {"README.md": b"four\n"}, title="Four").pr.num == 4
    # an open PR whose commit is in main is merged (killed after main moved, before the status was written)
    git(st, "update-ref", "refs/heads/main", "refs/pr/2")
    git(st, "reset", "-q", "--hard", "main")
    assert [(p.num, p.status) for p in st.list_prs(REPO, "all")] == [(1, "open"), (2, "merged"), (3, "open"), (4, "open")]


def test_merging_a_pr_onto_a_moved_main_and_a_conflicting_one(tmp_path):
    st = new_store(tmp_path / "s")
    a = st.open_pr(REPO, {"a.txt": b"a\n"}, title="A").pr.num
    b = st.open_pr(REPO, {"b.txt": b"b\n"}, title="B").pr.num
    c = st.open_pr(REPO, {"a.txt": b"other\n"}, title="C").pr.num
    st.merge_pr(REPO, a)
    st.merge_pr(REPO, b)  # main moved since B was opened: a merge commit
    assert sorted(st.list_files(REPO)) == ["README.md", "a.txt", "b.txt"]
    assert len(git(st, "rev-list", "--parents", "-1", "main").split()) == 3
    head = st.head(REPO)
    with pytest.raises(PublishConflictError, match=f"pull request #{c} of org/m conflicts with main"):
        st.merge_pr(REPO, c)
    assert st.head(REPO) == head and [p.num for p in st.list_prs(REPO)] == [c]
    for f in ("a.txt", "b.txt"):
        assert (st.path(REPO) / f).exists()
    assert_consistent(st)


# -- usage -----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [["store", "ls"], ["store", "init", "org/x"], ["store", "merge", "org/x", "1"]])
def test_store_commands_on_a_file_are_a_usage_error(tmp_path, args):
    f = tmp_path / "not-a-store.txt"
    f.write_text("x")
    r = subprocess.run([EVALCARD, *args, "--store", str(f)], capture_output=True, text=True)
    assert r.returncode == 2, r
    assert r.stderr.strip().splitlines() == [f"Error: --store {f}: a file, not a local store folder (give a folder, e.g. --store ./my-store)"]
    assert f.read_text() == "x"
