"""Build ``src/evalcard/data/benchmark_names.txt``: the names of benchmarks the evaluation frameworks define.

    python scripts/benchmark_names.py [--lmms-eval GIT_DIR] [--check]

The vocabulary says only "this is the name of a benchmark": extraction uses it to tell a table of evaluation scores
from one of settings or statistics (a score is written with high confidence when something in its table is a
benchmark or metric evalcard knows). It maps no name to a dataset: that stays the registry's job
(``data/benchmarks.yaml``). Sources, read mechanically:

- lm-evaluation-harness (the installed ``lm_eval`` package): every task folder, and every ``task``, ``group`` and
  ``tag`` name of its task YAML files;
- lmms-eval (``--lmms-eval``: a git directory of EvolvingLMMs-Lab/lmms-eval, read with ``git ls-tree``): every
  task folder under ``lmms_eval/tasks``.

Names are stored normalised (:func:`evalcard.benchmarks.normalize_name`); names shorter than 3 characters, names
that are plain words of a results table ("average", "general", "code": :data:`WORDS`), metric names (the
registry's) and numbers are left out.
``--check`` exits 1 when the file would change.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from evalcard.benchmarks import normalize_name  # noqa: E402

OUT = ROOT / "src" / "evalcard" / "data" / "benchmark_names.txt"

#: words that name a part, a setting or a domain in a results table, never one benchmark
WORDS = frozenset(
    "average avg mean overall total all general code coding math maths science reasoning knowledge language languages "
    "understanding generation chat safety tech movie game finance medical legal law history english chinese french "
    "german spanish japanese korean arabic hindi russian italian portuguese test dev val validation train default "
    "easy medium hard base instruct other others misc arithmetic logic physics chemistry biology economics "
    "humanities stem social sciences social_sciences multilingual translation summarization classification qa vqa "
    "retrieval ocr caption captioning video audio image speech text score scores result results metric metrics "
    "accuracy acc f1 bleu rouge wer cer perplexity ppl loss exact_match em pass@1 overall_score".split()
)
_TASK_LINE = re.compile(r"^(task|group|tag)\s*:\s*(.+?)\s*$")


def lm_eval_names() -> set[str]:
    import lm_eval

    root = Path(lm_eval.__file__).resolve().parent / "tasks"
    names = {p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("_")}
    for y in root.rglob("*.yaml"):
        for line in y.read_text(encoding="utf-8", errors="replace").splitlines():
            m = _TASK_LINE.match(line)
            if not m:
                continue
            value = m.group(2).strip("'\"")
            if value.startswith("[") or "{" in value:  # a flow list of tags, a template: read the plain names only
                names.update(v.strip(" '\"") for v in value.strip("[]").split(",") if "{" not in v)
            else:
                names.add(value)
    return names


def lmms_eval_names(git_dir: Path) -> set[str]:
    out = subprocess.run(["git", "--git-dir", str(git_dir), "ls-tree", "--name-only", "HEAD", "lmms_eval/tasks/"],
                         check=True, capture_output=True, text=True).stdout
    return {p.rsplit("/", 1)[-1] for p in out.splitlines() if "." not in p.rsplit("/", 1)[-1] and not p.rsplit("/", 1)[-1].startswith("_")}


def build(lmms: Path | None) -> list[str]:
    names = lm_eval_names()
    if lmms is not None:
        names |= lmms_eval_names(lmms)
    from evalcard.benchmarks import load_registry

    keys = {normalize_name(n) for n in names}
    words = {normalize_name(w) for w in WORDS}
    for m in load_registry().metrics.values():  # a metric's name is never a benchmark's
        words |= {normalize_name(x) for x in [m.id, m.name, *m.aliases]}
    return sorted(k for k in keys if len(k) >= 3 and k not in words and not k.isdigit())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lmms-eval", type=Path, help="git directory of EvolvingLMMs-Lab/lmms-eval")
    ap.add_argument("--check", action="store_true", help="exit 1 when the file would change")
    args = ap.parse_args(argv)
    import lm_eval

    version = getattr(lm_eval, "__version__", "?")
    header = [f"# benchmark names (normalised), built by scripts/benchmark_names.py from lm-evaluation-harness {version}"
              + (" and lmms-eval" if args.lmms_eval else "") + "; one per line"]
    text = "\n".join(header + build(args.lmms_eval)) + "\n"
    if args.check:
        return 0 if OUT.exists() and OUT.read_text(encoding="utf-8") == text else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}: {text.count(chr(10)) - 1} names")
    return 0


if __name__ == "__main__":
    sys.exit(main())
