import subprocess

import pytest

from evalcard.errors import PublishConflictError, RepoNotFoundError, StoreError
from evalcard.store.base import RepoRef, Store
from evalcard.store.local import LocalStore

REPO = RepoRef("org/model")


@pytest.fixture
def store(tmp_path):
    st = LocalStore(tmp_path / "store")
    st.create_repo(REPO, {"README.md": b"---\nlicense: mit\n---\n# m\n"})
    return st


def test_implements_store_protocol(store):
    assert isinstance(store, Store)


def test_layout_is_like_the_hub(store, tmp_path):
    assert (tmp_path / "store" / "models" / "org" / "model" / "README.md").read_bytes() == b"---\nlicense: mit\n---\n# m\n"
    ds = RepoRef("org/data", "dataset")
    store.create_repo(ds, {"README.md": b"x"})
    assert (tmp_path / "store" / "datasets" / "org" / "data" / "README.md").exists()
    assert store.list_repos("model") == [REPO] and store.list_repos("dataset") == [ds]


def test_read_commit_and_history(store):
    first = store.head(REPO)
    res = store.commit(REPO, {"README.md": b"new\n", ".eval_results/x.yaml": b"[]\n"}, message="edit", parent_commit=first)
    assert res.changed and res.oid != first
    assert store.read_file(REPO, "README.md") == b"new\n"
    assert store.read_file(REPO, "README.md", first) == b"---\nlicense: mit\n---\n# m\n"
    assert store.read_file(REPO, "missing.txt") is None
    assert sorted(store.list_files(REPO)) == [".eval_results/x.yaml", "README.md"]
    assert (store.path(REPO) / "README.md").read_bytes() == b"new\n"  # checkout follows main
    assert store.commit(REPO, {"README.md": b"new\n"}, message="same").changed is False
    store.commit(REPO, {".eval_results/x.yaml": None}, message="delete")
    assert store.list_files(REPO) == ["README.md"]


def test_concurrent_edit_is_detected(store):
    base = store.head(REPO)
    store.commit(REPO, {"README.md": b"someone else\n"}, message="other")
    with pytest.raises(PublishConflictError, match="changed since it was read"):
        store.commit(REPO, {"README.md": b"mine\n"}, message="mine", parent_commit=base)
    with pytest.raises(PublishConflictError):
        store.open_pr(REPO, {"README.md": b"mine\n"}, title="t", parent_commit=base)
    assert store.read_file(REPO, "README.md") == b"someone else\n"


def test_uncommitted_edits_are_never_overwritten(store):
    (store.path(REPO) / "README.md").write_bytes(b"hand edit\n")
    with pytest.raises(StoreError, match="uncommitted edits"):
        store.commit(REPO, {"README.md": b"evalcard\n"}, message="x")
    assert (store.path(REPO) / "README.md").read_bytes() == b"hand edit\n"


def test_pull_requests(store):
    res = store.open_pr(REPO, {"README.md": b"proposed\n"}, title="Add results", description="- MMLU 0.5")
    pr = res.pr
    assert pr.num == 1 and pr.ref == "refs/pr/1" and pr.status == "open"
    assert store.read_file(REPO, "README.md") == b"---\nlicense: mit\n---\n# m\n"  # main untouched
    assert store.read_file(REPO, "README.md", "refs/pr/1") == b"proposed\n"
    assert store.open_pr(REPO, {"README.md": b"other\n"}, title="Second").pr.num == 2
    assert [p.num for p in store.list_prs(REPO)] == [1, 2]
    store.merge_pr(REPO, 1)
    assert store.read_file(REPO, "README.md") == b"proposed\n"
    assert [p.num for p in store.list_prs(REPO)] == [2]
    assert [p.status for p in store.list_prs(REPO, "all")] == ["merged", "open"]
    with pytest.raises(StoreError):
        store.merge_pr(REPO, 1)
    # any git tool can read the store
    out = subprocess.run(["git", "log", "--oneline", "refs/pr/2"], cwd=store.path(REPO), capture_output=True, text=True).stdout
    assert "Second" in out


def test_no_op_pr(store):
    assert store.open_pr(REPO, {"README.md": store.read_file(REPO, "README.md")}, title="same").changed is False
    assert store.list_prs(REPO) == []


def test_missing_repo(store):
    with pytest.raises(RepoNotFoundError, match="not in the local store"):
        store.read_file(RepoRef("org/nope"), "README.md")


@pytest.mark.parametrize("text,expected", [
    ("org/name", ("org/name", "model")), ("datasets/org/d", ("org/d", "dataset")),
    ("https://huggingface.co/datasets/org/d", ("org/d", "dataset")), ("gpt2", ("gpt2", "model")),
])
def test_repo_ref_parse(text, expected):
    r = RepoRef.parse(text)
    assert (r.repo_id, r.repo_type) == expected


@pytest.mark.parametrize("bad", ["../etc", "a/b/c", "", "org/.."])
def test_repo_ref_rejects(bad):
    with pytest.raises(Exception):
        RepoRef.parse(bad)
